"""Product carbon in the store (issue 22): an enterprise's process map of a year, and from it
and the enterprise's official reports of that year its products' footprints, CBAM SEE and
goods, and the reconciliation with its account (`product.results`); and the year's EU CBAM
communication in the Commission's template (`product.cbam_export`, `io.cbam_workbook`).

A map upload is read by the workbook reader (`io.product_map`), checked against the year's
stored account (every account item in the units exactly once, outputs balancing, CN codes of
CBAM goods) and stored, replacing the year's map before it; every problem is placed in the
file and nothing is stored when any stands; the upload is audited. An enterprise files its
own; the administrator may file for any; regulators read.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from carbonpeak.errors import N_, InputError, PermissionDenied, Place, Problem
from carbonpeak.io.cbam_workbook import write_communication
from carbonpeak.io.product_map import read_product_map, write_product_map_template
from carbonpeak.io.tables import place_problems
from carbonpeak.product.cbam_codes import ElecSource
from carbonpeak.product.cbam_export import communication
from carbonpeak.product.cbam_installation import installation
from carbonpeak.product.plant import ProductMap, map_from_dict, map_to_dict
from carbonpeak.product.records import results_record
from carbonpeak.product.results import ProductResults
from carbonpeak.product.standing import standings
from carbonpeak.product.years import year_results
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting_versions import grades_visible
from carbonpeak.services.enterprises import get_enterprise
from carbonpeak.services.reference import library_in_force
from carbonpeak.services.reference_impact import stored_activity
from carbonpeak.store import audit
from carbonpeak.store.models import Enterprise
from carbonpeak.store.models_product import ProductMap as StoredMap


def _files_for(actor: Actor, enterprise_id: str) -> None:
    if actor.role == "admin":
        return
    if actor.role == "enterprise" and enterprise_id in actor.enterprises:
        return
    raise PermissionDenied("an enterprise files its own process map")


def _results(
    session: Session,
    actor: Actor,
    enterprise_id: str,
    year: int,
    plan: ProductMap,
    reference: Reference,
    electricity_cbam: float | None = None,
    import_year: int | None = None,
) -> ProductResults:
    """`product.results.year_results` on the enterprise's stored official reports."""
    activity, enterprises = stored_activity(session, actor, enterprise_id)
    if activity.empty:
        activity = pd.DataFrame(columns=["enterprise_id", "period"])
    return year_results(
        activity, enterprises, plan, enterprise_id, year, reference, electricity_cbam, import_year
    )


def upload_map(
    session: Session, actor: Actor, enterprise_id: str, year: int, name: str, content: bytes
) -> dict[str, Any]:
    """Read, check and store an enterprise's process map of `year`, replacing the one before;
    `InputError` with every problem placed, nothing stored. The answer: the year, the units
    and the products' footprints it gives."""
    get_enterprise(session, actor, enterprise_id)  # 404 before 403: no existence leaks
    _files_for(actor, enterprise_id)
    suffix = Path(name).suffix.lower() or ".xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"map{suffix}"
        path.write_bytes(content)
        try:
            plan = read_product_map(path)
        except InputError as error:
            raise InputError(_renamed(error.problems, name)) from None
    return keep_map(session, actor, enterprise_id, year, plan, name)


def _renamed(problems: Any, name: str) -> list[Problem]:
    """The reader's problems placed in the uploaded file's name, not the temporary one's."""
    return [
        Problem(
            Place(name, p.place.sheet, p.place.row, p.place.column, p.place.field),
            p.message,
            p.template,
            p.values,
        )
        for p in problems
    ]


def keep_map(
    session: Session, actor: Actor, enterprise_id: str, year: int, plan: ProductMap, name: str
) -> dict[str, Any]:
    """Check a read map against the year's account and store it (`upload_map`; the demo's)."""
    get_enterprise(session, actor, enterprise_id)
    _files_for(actor, enterprise_id)
    reference = library_in_force(session)
    try:
        results = _results(session, actor, enterprise_id, year, plan, reference)
    except InputError as error:
        raise InputError(place_problems(list(error.problems), Path(name), None)) from None
    session.execute(
        delete(StoredMap).where(StoredMap.enterprise_id == enterprise_id, StoredMap.year == year)
    )
    session.add(
        StoredMap(
            enterprise_id=enterprise_id,
            year=year,
            content=map_to_dict(plan),
            file_name=name[:255],
            uploaded_by=actor.user_id,
        )
    )
    session.flush()
    summary = {
        "enterprise_id": enterprise_id,
        "year": year,
        "file": name[:255],
        "units": [u.name for u in plan.units],
    }
    audit.record(
        session,
        actor.username,
        "product.map",
        "product_map",
        f"{enterprise_id}/{year}",
        after=summary,
    )
    return summary | {"footprints": results_record(results)["footprints"]}


def stored_map(
    session: Session, enterprise_id: str, year: int
) -> tuple[ProductMap, dict[str, Any]] | None:
    """The enterprise's stored map of `year` and who stored it when, or None."""
    row = session.scalars(
        select(StoredMap).where(StoredMap.enterprise_id == enterprise_id, StoredMap.year == year)
    ).first()
    if row is None:
        return None
    return map_from_dict(row.content), {
        "file": row.file_name,
        "uploaded_at": row.uploaded_at.isoformat(),
    }


def list_maps(
    session: Session, actor: Actor, enterprise_id: str | None = None
) -> list[dict[str, Any]]:
    """The stored process maps the actor may see (of one enterprise when given), the latest
    year first: enterprise, name, year, file and when it was stored."""
    query = (
        select(
            StoredMap.enterprise_id,
            Enterprise.name,
            StoredMap.year,
            StoredMap.file_name,
            StoredMap.uploaded_at,
        )
        .join(Enterprise, Enterprise.enterprise_id == StoredMap.enterprise_id)
        .where(actor.visible())
        .order_by(StoredMap.year.desc(), Enterprise.name, StoredMap.enterprise_id)
    )
    if enterprise_id is not None:
        query = query.where(StoredMap.enterprise_id == enterprise_id)
    return [
        {
            "enterprise_id": code,
            "name": name,
            "year": year,
            "file": file_name,
            "uploaded_at": uploaded_at.isoformat(),
        }
        for code, name, year, file_name, uploaded_at in session.execute(query)
    ]


def product_view(
    session: Session,
    actor: Actor,
    enterprise_id: str,
    year: int,
    electricity_cbam: float | None = None,
    import_year: int | None = None,
) -> dict[str, Any]:
    """The enterprise's products of `year`: its map, and the footprints, SEE, CBAM goods (of
    `import_year`, default `year`) and reconciliation computed from it and the year's account
    (none without both)."""
    enterprise = get_enterprise(session, actor, enterprise_id)
    reference = library_in_force(session)
    base: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "name": enterprise.name,
        "year": year,
        "import_year": import_year or year,  # what the goods are priced for
        "electricity_factor": electricity_cbam,
        "map": None,
        "results": None,
    }
    found = stored_map(session, enterprise_id, year)
    if found is None:
        return base
    plan, stored = found
    base["map"] = stored | {"units": [u.name for u in plan.units]}
    try:
        results = _results(
            session, actor, enterprise_id, year, plan, reference, electricity_cbam, import_year
        )
    except InputError as error:  # e.g. the year's reports withdrawn since: said on the page
        return base | {"refused": [p.as_dict() for p in error.problems]}
    return base | {
        "results": results_record(results),
        "standing": _standing(session, actor, enterprise_id, year, plan, reference),
    }


def _standing(
    session: Session,
    actor: Actor,
    enterprise_id: str,
    year: int,
    plan: ProductMap,
    reference: Reference,
) -> list[dict[str, Any]]:
    """`product.standing` of the enterprise's stored grades of the year, each area named."""
    grades = [
        g for g in grades_visible(session, actor, str(year)) if g["enterprise_id"] == enterprise_id
    ]
    names = {
        str(r["area"]): (str(r["name_zh"]), str(r["name_en"]))
        for r in reference.rows("efficiency_levels")
    }
    return [
        asdict(s) | {"area_zh": names.get(s.area, (s.area, s.area))[0],
                     "area_en": names.get(s.area, (s.area, s.area))[1]}
        for s in standings(plan, grades)
    ]  # fmt: skip


REPORT_KINDS = ("pdf", "xlsx")


def product_report(
    session: Session,
    actor: Actor,
    enterprise_id: str,
    year: int,
    kind: str,
    locale: str,
    electricity_cbam: float | None = None,
    import_year: int | None = None,
) -> bytes:
    """The footprint report of the enterprise's year (`reports.product`, `kind` pdf or xlsx,
    in `locale`): its product view with the carbon price paid in China (its position in the
    national carbon market's ledger for the year, when it has entries); `InputError` when no
    map of the year is stored or the account no longer fits it."""
    from carbonpeak.reports.product import carbon_price, product_report_pdf, product_report_xlsx
    from carbonpeak.services.market_ledger import position_of

    if kind not in REPORT_KINDS:
        raise InputError(f"the report is one of {', '.join(REPORT_KINDS)}, not {kind!r}")
    view = product_view(session, actor, enterprise_id, year, electricity_cbam, import_year)
    if view["results"] is None:
        raise InputError(
            Problem.of(
                Place(field="year"), N_("no process map of {} fits the stored reports"), year
            )
        )
    position = position_of(session, actor, enterprise_id, year)
    view["carbon_price"] = carbon_price(position)
    return (product_report_pdf if kind == "pdf" else product_report_xlsx)(view, locale)


def cbam_workbook(
    session: Session,
    actor: Actor,
    enterprise_id: str,
    year: int,
    electricity_cbam: float | None = None,
    electricity_source: ElecSource | None = None,
) -> bytes:
    """The enterprise's EU CBAM communication of `year` in the Commission's template for
    installations (`product.cbam_export`), from its stored map and the year's account; the
    installation as the store knows it (its name, and its region's city and country: the rest
    is the operator's to fill in). `InputError` when no map of the year is stored or the
    communication cannot be built, every problem placed."""
    enterprise = get_enterprise(session, actor, enterprise_id)
    reference = library_in_force(session)
    found = stored_map(session, enterprise_id, year)
    if found is None:
        raise InputError(
            Problem.of(
                Place(field="year"),
                N_("enterprise {} has no process map of {}: upload it first"),
                enterprise_id,
                year,
            )
        )
    plan, stored = found
    results = _results(session, actor, enterprise_id, year, plan, reference, electricity_cbam)
    site = installation({"name": enterprise.name}, enterprise.region_code, reference)
    # problems placed in the map as it was uploaded
    model = communication(plan, results, site, reference, electricity_source, stored["file"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cbam.xlsx"
        write_communication(model, path)
        return path.read_bytes()


def template_workbook(session: Session) -> bytes:
    """The blank process map workbook, its drop-downs from the library in force."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "product-map.xlsx"
        write_product_map_template(path, library_in_force(session))
        return path.read_bytes()
