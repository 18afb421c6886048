"""The footprints an enterprise collects from its suppliers (issue 22, PACT v3), shown on the
automaker's fleet page.

An automaker (or any enterprise that buys) asks its suppliers for their products' footprints
and keeps their answers: PACT v3 JSON files (`io.pact.parse_footprints`: one footprint, a list,
or the API's {"data": [...]}), stored in `supplier_footprints` once per PACT id. PACT v3
(Technical Specifications 3.0.3, "Product Footprint Lifecycle") says a footprint MUST NOT
change after its creation except for its status turning to Deprecated, and a change makes a new
footprint with a new id whose precedingPfIds SHOULD name the old one. So a footprint sent again
is taken as it is held (nothing to do), or as the same footprint now Deprecated (its status
changes); any other difference under a held id is refused, placed at the item's id: the
supplier's system broke the rule, and replacing silently would lose the figure the buyer may
already have used. A held footprint that a newer one names in its precedingPfIds is shown as
superseded (the file is kept as sent; the supplier deprecates it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import (
    N_,
    Conflict,
    InputError,
    NotFoundError,
    PermissionDenied,
    Place,
    Problem,
)
from carbonpeak.io.pact import parse_footprints
from carbonpeak.product.exchange import to_pact
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import get_enterprise
from carbonpeak.store import audit
from carbonpeak.store.models import Enterprise, User
from carbonpeak.store.models_product import SupplierFootprint

DECLARED_UNITS = {
    "liter": N_("liter"),
    "kilogram": N_("kilogram"),
    "cubic meter": N_("cubic meter"),
    "kilowatt hour": N_("kilowatt hour"),
    "megajoule": N_("megajoule"),
    "ton kilometer": N_("ton kilometer"),
    "square meter": N_("square meter"),
    "piece": N_("piece"),
    "hour": N_("hour"),
    "megabit second": N_("megabit second"),
}  # the PACT v3 declared units, said in the reader's language on the pages


@dataclass(frozen=True)
class SupplierImport:
    """What an import of a supplier's footprint file did, by PACT id: `stored` new,
    `unchanged` (held as sent), `deprecated` (held Active, now Deprecated), and `superseded`
    (held footprints that a footprint of the file names as its predecessor)."""

    enterprise_id: str
    file: str
    stored: tuple[str, ...]
    unchanged: tuple[str, ...]
    deprecated: tuple[str, ...]
    superseded: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "enterprise_id": self.enterprise_id,
            "file": self.file,
            "stored": list(self.stored),
            "unchanged": list(self.unchanged),
            "deprecated": list(self.deprecated),
            "superseded": list(self.superseded),
        }


def _collects_for(actor: Actor, enterprise_id: str) -> None:
    if actor.role == "admin":
        return
    if actor.role in ("automaker", "enterprise") and enterprise_id in actor.enterprises:
        return
    raise PermissionDenied("an enterprise collects its own suppliers' footprints")


def _nul_paths(value: Any, path: str = "") -> list[str]:
    """Where a NUL character sits in a footprint's JSON (the store cannot keep one)."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nul_paths(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nul_paths(v, f"{path}[{i}]")]
    return []


def _deprecated_only(held: dict[str, Any], sent: dict[str, Any]) -> bool:
    """Whether `sent` is `held` (Active) with its status turned to Deprecated."""
    return (
        held.get("status") == "Active"
        and sent.get("status") == "Deprecated"
        and {**held, "status": "Deprecated"} == sent
    )


def import_supplier_footprints(
    session: Session, actor: Actor, enterprise_id: str, data: bytes, filename: str
) -> SupplierImport:
    """Read a supplier's PACT v3 footprint file and keep its footprints for `enterprise_id`
    (the buyer): `InputError` with every problem placed (file, item as its row, field path)
    and nothing stored when any stands; a held id sent with other content than its own or
    its deprecation is such a problem (the comment above), a `Conflict` when it is the
    file's only kind. The import is audited."""
    get_enterprise(session, actor, enterprise_id)  # 404 before 403: no existence leaks
    _collects_for(actor, enterprise_id)
    name = filename[:255]
    footprints = parse_footprints(data, name)
    sent = [(number, str(f.id), to_pact(f)) for number, f in enumerate(footprints, start=1)]
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for number, pf_id, obj in sent:
        place = Place(file=name, row=number, field="id")
        if pf_id in first:
            problems.append(
                Problem.of(
                    place, N_("footprint {} is also item {} of the file"), pf_id, first[pf_id]
                )
            )
        first.setdefault(pf_id, number)
        if pf_id in obj.get("precedingPfIds", []):
            problems.append(
                Problem.of(
                    Place(file=name, row=number, field="precedingPfIds"),
                    N_("footprint {} names itself as its preceding footprint"),
                    pf_id,
                )
            )
        problems.extend(
            Problem.of(
                Place(file=name, row=number, field=path),
                N_("the text holds a NUL character, which cannot be stored"),
            )
            for path in _nul_paths(obj)
        )
    held = {
        row.footprint_id: row
        for row in session.scalars(
            select(SupplierFootprint).where(
                SupplierFootprint.enterprise_id == enterprise_id,
                SupplierFootprint.footprint_id.in_(sorted(first)),
            )
        )
    }
    stored: list[str] = []
    unchanged: list[str] = []
    deprecated: list[str] = []
    conflicts: list[Problem] = []
    for number, pf_id, obj in sent:
        if first[pf_id] != number:
            continue
        row = held.get(pf_id)
        if row is None:
            stored.append(pf_id)
        elif row.content == obj:
            unchanged.append(pf_id)
        elif _deprecated_only(row.content, obj):
            deprecated.append(pf_id)
        else:
            conflicts.append(
                Problem.of(
                    Place(file=name, row=number, field="id"),
                    N_(
                        "footprint {} is held (from {}) with other content: in PACT v3 a "
                        "footprint only changes by turning Deprecated; a changed footprint "
                        "has a new id and names this one in precedingPfIds"
                    ),
                    pf_id,
                    row.file_name,
                )
            )
    if problems:
        raise InputError(problems + conflicts)
    if conflicts:  # the file is sound, the store holds other footprints of its ids: 409
        raise Conflict(conflicts)
    contents = {pf_id: obj for _, pf_id, obj in sent}
    for pf_id in stored:
        obj = contents[pf_id]
        session.add(
            SupplierFootprint(
                enterprise_id=enterprise_id,
                footprint_id=pf_id,
                company_name=str(obj["companyName"])[:255],
                product_name=str(obj["productNameCompany"])[:255],
                content=obj,
                file_name=name,
                imported_by=actor.user_id,
            )
        )
    for pf_id in deprecated:
        held[pf_id].content = contents[pf_id]
    named = {p for obj in contents.values() for p in obj.get("precedingPfIds", [])}
    superseded = sorted(
        session.scalars(
            select(SupplierFootprint.footprint_id).where(
                SupplierFootprint.enterprise_id == enterprise_id,
                SupplierFootprint.footprint_id.in_(sorted(named)),
            )
        )
    )
    session.flush()
    summary = SupplierImport(
        enterprise_id, name, tuple(stored), tuple(unchanged), tuple(deprecated), tuple(superseded)
    )
    audit.record(
        session,
        actor.username,
        "product.suppliers",
        "supplier_footprints",
        enterprise_id,
        after=summary.as_dict(),
    )
    return summary


def _period(start: str, end: str) -> str:
    """A reference period as said on a page: the year when it is one calendar year in its own
    time zone, else its first day and its (excluded) end."""
    begin, until = datetime.fromisoformat(start), datetime.fromisoformat(end)
    whole = (begin.month, begin.day, begin.time()) == (1, 1, time()) and until == begin.replace(
        year=begin.year + 1
    )
    return str(begin.year) if whole else f"{begin:%Y-%m-%d} – {until:%Y-%m-%d}"


def _classification(urn: str) -> str:
    """A classification URN said short: its last two parts ("un-cpc 4642", "cpc 0151")."""
    parts = urn.split(":")
    return " ".join(parts[-2:]) if len(parts) >= 3 else urn


def _held(row: SupplierFootprint, successors: dict[str, str]) -> dict[str, Any]:
    obj = row.content
    pcf = obj["pcf"]
    dqi = pcf.get("dqi")
    classifications = list(obj.get("productClassifications", []))
    return {
        "footprint_id": row.footprint_id,
        "enterprise_id": row.enterprise_id,
        "supplier": row.company_name,
        "supplier_ids": list(obj["companyIds"]),
        "product_name": row.product_name,
        "product_description": obj.get("productDescription", ""),
        "product_ids": list(obj["productIds"]),
        "classifications": classifications,
        "classification": _classification(classifications[0]) if classifications else None,
        "declared_unit": pcf["declaredUnitOfMeasurement"],
        "declared_amount": pcf["declaredUnitAmount"],
        "pcf_excluding_biogenic_kgco2e": pcf["pcfExcludingBiogenicUptake"],
        "pcf_including_biogenic_kgco2e": pcf["pcfIncludingBiogenicUptake"],
        "reference_period_start": pcf["referencePeriodStart"],
        "reference_period_end": pcf["referencePeriodEnd"],
        "period": _period(pcf["referencePeriodStart"], pcf["referencePeriodEnd"]),
        "dqr": (
            None
            if dqi is None
            else {
                "technological": dqi["technologicalDQR"],
                "geographical": dqi["geographicalDQR"],
                "temporal": dqi["temporalDQR"],
            }
        ),
        "primary_data_share": pcf.get("primaryDataShare"),
        "status": obj["status"],
        "preceding_ids": list(obj.get("precedingPfIds", [])),
        "superseded_by": successors.get(row.footprint_id),
        "current": obj["status"] == "Active" and row.footprint_id not in successors,
        "spec_version": obj["specVersion"],
        "created": obj["created"],
        "file": row.file_name,
        "imported_at": row.imported_at.isoformat(),
    }


def _held_rows(session: Session, where: Any) -> list[dict[str, Any]]:
    rows = list(
        session.scalars(
            select(SupplierFootprint)
            .join(Enterprise, Enterprise.enterprise_id == SupplierFootprint.enterprise_id)
            .where(where)
            .order_by(
                SupplierFootprint.enterprise_id,
                SupplierFootprint.company_name,
                SupplierFootprint.product_name,
                SupplierFootprint.row_id,
            )
        )
    )
    successors = {
        (row.enterprise_id, before): row.footprint_id
        for row in rows
        for before in row.content.get("precedingPfIds", [])
    }
    return [
        _held(
            row,
            {
                before: after
                for (enterprise, before), after in successors.items()
                if enterprise == row.enterprise_id
            },
        )
        for row in rows
    ]


def supplier_footprints(session: Session, actor: Actor, enterprise_id: str) -> list[dict[str, Any]]:
    """The suppliers' footprints the enterprise holds (by supplier and product), each with
    its PCF per declared unit as sent (kgCO2e, decimal text), period, data quality, status and
    the held footprint that supersedes it, if any. Who may see the enterprise may read them."""
    get_enterprise(session, actor, enterprise_id)
    return _held_rows(session, SupplierFootprint.enterprise_id == enterprise_id)


def supplier_footprints_view(session: Session, actor: Actor) -> dict[str, Any]:
    """The suppliers' footprints held by the enterprises the actor may see, for a page: the
    current ones (Active, superseded by none) grouped by the product classification the
    supplier gave (its first; the unclassified last), and the earlier ones (deprecated or
    superseded) apart."""
    found = _held_rows(session, actor.visible())
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for item in found:
        if item["current"]:
            groups.setdefault(item["classification"], []).append(item)
    ordered = sorted(groups, key=lambda label: (label is None, label or ""))
    return {
        "groups": [
            {
                "classification": label,
                "urn": groups[label][0]["classifications"][0] if label else None,
                "footprints": groups[label],
            }
            for label in ordered
        ],
        "earlier": [item for item in found if not item["current"]],
        "count": len(found),
    }


def import_supplier_footprints_as(
    username: str, enterprise_id: str, data: bytes, filename: str
) -> SupplierImport:
    """`import_supplier_footprints` into the configured store as the user named (the CLI's)."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise NotFoundError(f"no user {username!r}")
        return import_supplier_footprints(session, Actor.of(user), enterprise_id, data, filename)
