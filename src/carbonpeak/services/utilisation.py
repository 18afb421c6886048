"""The utilisation of industrial solid waste (issue 23) in the store: enterprises upload their
reports of a year (a new upload of an enterprise and year replaces the one before, audited as
`utilisation.report`); regulators see the rates of the regions and industries they oversee
against the targets in force, and the largest stocks; an enterprise sees its own with the
national and regional rates.

Who may do what: an enterprise files its own reports (the administrator any); every user sees
what `services.access` lets it see of the reports, enterprise by enterprise. The national and
regional rates an enterprise is shown beside its own are computed over every report on the
platform, but only the rate, the target and the number of enterprises leave the service (no
tonnes), and the rate is withheld where fewer than `MIN_OTHERS` other enterprises report the
kind (one or two could be told by subtraction). Every calculation uses the library in force
(`services.reference.library_in_force`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carbonpeak.domain.codes import industry_by_code, region_by_code
from carbonpeak.domain.warnings import ResultWarning, records, warn
from carbonpeak.errors import (
    N_,
    CarbonpeakError,
    Conflict,
    InputError,
    NotFoundError,
    PermissionDenied,
    Place,
    Problem,
)
from carbonpeak.io.utilisation import rates_csv, rates_xlsx, read_report, write_template
from carbonpeak.reference.loader import Reference
from carbonpeak.reports.render import warning_text
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import get_enterprise
from carbonpeak.services.reference import library_in_force
from carbonpeak.store import audit
from carbonpeak.store.models import Enterprise
from carbonpeak.store.models_utilisation import SolidWasteReport
from carbonpeak.utilisation.avoided import Avoided, avoided
from carbonpeak.utilisation.rates import (
    BULK,
    GROUPINGS,
    RETIRED,
    TARGET_YEARS,
    Grouping,
    largest_stocks,
    ranked,
    rates,
    totals,
)
from carbonpeak.utilisation.report import (
    COLUMNS,
    FLOWS,
    TOLERANCE_T,
    Report,
    kinds,
    routes,
)

FILERS = ("admin", "enterprise")
MIN_OTHERS = 3
"""The fewest other enterprises a regional or national rate shown to an enterprise must hold
(the brief's disclosure rule: with one other its figures are the group's, with two each can
tell the other's by subtraction)."""
CONCURRENT = N_("another upload stored this enterprise and year at the same moment: try again")
WITHHELD = N_("too few reports to show without revealing one")
EXPORT_KINDS = ("csv", "xlsx")
Kind = Literal["csv", "xlsx"]


def template_workbook(session: Session) -> bytes:
    """The blank report workbook, its lists from the library in force."""
    return write_template(library_in_force(session))


def check_file(session: Session, name: str, content: bytes) -> dict[str, Any]:
    """Read and check a report file without storing it: its enterprises, years, rows and
    warnings, or `InputError` with every problem placed."""
    report = read_report(name, content, library_in_force(session))
    return _summary(report, name)


def _summary(report: Report, name: str) -> dict[str, Any]:
    rows = report.rows
    return {
        "file": name,
        "rows": len(rows),
        "reports": [
            {"enterprise_id": e, "year": int(y)}
            for e, y in sorted(
                {(str(e), int(y)) for e, y in zip(rows.enterprise_id, rows.period, strict=True)}
            )
        ],
        "warnings": records(report.warnings),
    }


def _files_for(session: Session, actor: Actor, enterprise_id: str, place: Place) -> Problem | None:
    """None when the actor may file the enterprise's report, else the problem (placed at the
    first row that names it); an enterprise it may not see reads as one not registered."""
    row = session.get(Enterprise, enterprise_id)
    if row is None or not actor.can_see(row.enterprise_id, row.region_code):
        return Problem.of(place, N_("no registered enterprise {}"), enterprise_id)
    if actor.role == "admin" or (actor.role == "enterprise" and enterprise_id in actor.enterprises):
        return None
    raise PermissionDenied("an enterprise files its own solid-waste report")


def upload(session: Session, actor: Actor, name: str, content: bytes) -> dict[str, Any]:
    """Read, check and store a report file: each enterprise and year in it replaces its stored
    report; `InputError` with every problem placed and nothing stored."""
    if actor.role not in FILERS:
        raise PermissionDenied("an enterprise files its own solid-waste report")
    report = read_report(name, content, library_in_force(session))
    return keep_report(session, actor, report, name)


def keep_report(session: Session, actor: Actor, report: Report, name: str) -> dict[str, Any]:
    """Store a checked report (`upload`; the demo's), one row per enterprise and year."""
    rows = report.rows
    problems = []
    for enterprise_id in dict.fromkeys(rows.enterprise_id):
        first = int(rows[rows.enterprise_id == enterprise_id].row.min())
        found = _files_for(
            session, actor, str(enterprise_id), Place(file=name, row=first, column="enterprise_id")
        )
        if found is not None:
            problems.append(found)
    if problems:
        raise InputError(problems)
    opening = _opening_checked(session, rows)
    kept_name = stored_name(name)
    try:
        for key, part in rows.groupby(["enterprise_id", "period"]):
            _replace(session, actor, str(key[0]), int(str(key[1])), part, kept_name)
        session.flush()
    except IntegrityError:
        raise Conflict(
            Problem.of(
                Place(file=name),
                CONCURRENT,
            )
        ) from None
    summary = _summary(report, name)
    summary["warnings"] += records(opening)
    return summary


def stored_name(name: str) -> str:
    """The name a report file is kept under: its base name (never the uploader's local
    path), at most 255 characters."""
    return name.replace("\\", "/").rsplit("/", 1)[-1][:255]


def _replace(
    session: Session,
    actor: Actor,
    enterprise_id: str,
    year: int,
    part: pd.DataFrame,
    name: str,
) -> None:
    """Store an enterprise-year of a checked report in place of the one before, audited with
    what it replaced (its file, rows and upload time) and what it is."""
    kept = [
        {
            c: (float(v) if c == "amount_t" else str(v))
            for c, v in r.items()
            if c in COLUMNS and c not in ("enterprise_id", "period")
        }
        for r in part.to_dict("records")
    ]
    previous = session.scalars(
        select(SolidWasteReport).where(
            SolidWasteReport.enterprise_id == enterprise_id, SolidWasteReport.year == year
        )
    ).one_or_none()
    before = (
        None
        if previous is None
        else {
            "file": previous.file_name,
            "rows": len(previous.rows),
            "uploaded_at": previous.uploaded_at.isoformat(),
        }
    )
    session.execute(
        delete(SolidWasteReport).where(
            SolidWasteReport.enterprise_id == enterprise_id,
            SolidWasteReport.year == year,
        )
    )
    session.add(
        SolidWasteReport(
            enterprise_id=enterprise_id,
            year=year,
            rows=kept,
            file_name=name,
            uploaded_by=actor.user_id,
        )
    )
    audit.record(
        session,
        actor.username,
        "utilisation.report",
        "solid_waste_report",
        f"{enterprise_id}/{year}",
        before=before,
        after={"file": name, "rows": len(kept)},
    )


def _opening_checked(session: Session, rows: pd.DataFrame) -> list[ResultWarning]:
    """A warning for each enterprise, year and kind whose stock at the start of the year is
    not the closing stock of the enterprise's stored report of the year before (a kind the
    year before held in stock and the new report leaves out starts at 0); nothing where no
    report of the year before is stored (or it is in the same upload: checked against it)."""
    new = totals(rows)
    out: list[ResultWarning] = []
    for key, part in new.groupby(["enterprise_id", "period"]):
        enterprise_id, year = str(key[0]), int(str(key[1]))
        before = new[(new.enterprise_id == enterprise_id) & (new.period == int(year) - 1)]
        if before.empty:
            stored = session.scalars(
                select(SolidWasteReport).where(
                    SolidWasteReport.enterprise_id == str(enterprise_id),
                    SolidWasteReport.year == int(year) - 1,
                )
            ).one_or_none()
            if stored is None:
                continue
            lines = [
                {**line, "enterprise_id": str(enterprise_id), "period": int(year) - 1}
                for line in stored.rows
            ]
            frame = pd.DataFrame(lines, columns=[*COLUMNS])
            before = totals(frame.assign(amount_t=frame.amount_t.astype(float)))
        closing = dict(zip(map(str, before.kind), map(float, before.closing_stock_t), strict=True))
        opening = dict(zip(map(str, part.kind), map(float, part.opening_stock_t), strict=True))
        for kind in sorted(set(closing) | set(opening)):
            start, end = opening.get(kind, 0.0), closing.get(kind, 0.0)
            if abs(start - end) > TOLERANCE_T:
                out.append(
                    warn(
                        "utilisation.report.opening_stock",
                        enterprise_id=str(enterprise_id),
                        period=int(year),
                        kind=kind,
                        opening_stock_t=start,
                        closing_stock_t=end,
                    )
                )
    return out


def _stored(
    session: Session, actor: Actor | None, year: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored report rows (the report's columns) the actor may see (every one for None)
    and the enterprises they name."""
    query = select(SolidWasteReport, Enterprise).join(
        Enterprise, Enterprise.enterprise_id == SolidWasteReport.enterprise_id
    )
    if actor is not None:
        query = query.where(actor.visible())
    if year is not None:
        query = query.where(SolidWasteReport.year == year)
    lines: list[dict[str, Any]] = []
    firms: dict[str, dict[str, Any]] = {}
    for report, firm in session.execute(query).all():
        firms[firm.enterprise_id] = {
            "enterprise_id": firm.enterprise_id,
            "name": firm.name,
            "region_code": firm.region_code,
            "industry_code": firm.industry_code or "",
        }
        for line in report.rows:
            lines.append({**line, "enterprise_id": report.enterprise_id, "period": report.year})
    rows = pd.DataFrame(lines, columns=[*COLUMNS])
    rows["amount_t"] = rows.amount_t.astype(float)
    rows["period"] = rows.period.astype(int)
    enterprises = pd.DataFrame(
        list(firms.values()), columns=["enterprise_id", "name", "region_code", "industry_code"]
    )
    return rows, enterprises


def years(session: Session, actor: Actor) -> list[int]:
    """The years with a report the actor may see, the latest first."""
    query = (
        select(SolidWasteReport.year)
        .join(Enterprise, Enterprise.enterprise_id == SolidWasteReport.enterprise_id)
        .where(actor.visible())
        .distinct()
    )
    return sorted((int(y) for y in session.scalars(query)), reverse=True)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON-ready dicts: NaN as None, NumPy scalars as Python's."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
        return None if isinstance(value, float) and value != value else value
    return value


def _names(reference: Reference) -> dict[str, Any]:
    return {
        "kinds": {
            BULK: {"name_zh": "大宗工业固废", "name_en": "bulk industrial solid waste"},
            RETIRED: {"name_zh": "已废止种类", "name_en": "retired kind"},
            **kinds(reference),
        },
        "routes": routes(reference),
        "flows": {k: {"name_zh": v[0], "name_en": v[1]} for k, v in FLOWS.items()},
    }


def _group_names(grouping: str, enterprises: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """group code -> (Chinese name, English name) of the groups of `grouping`."""
    if grouping == "enterprise":
        return {
            str(e): (str(n), str(n))
            for e, n in zip(enterprises.enterprise_id, enterprises.name, strict=True)
        }
    if grouping == "nation":
        # the sums are over the reports the actor may see (`actor.visible()`), not the nation's
        return {"national": ("所见报告合计", "all reports you can see")}
    out: dict[str, tuple[str, str]] = {}
    codes = {str(c) for c in enterprises.region_code} | {str(c) for c in enterprises.industry_code}
    for code in codes:
        for candidate in (code[:4] + "00", code[:2] + "0000", code[:2]):
            if candidate in out:
                continue
            try:
                found: Any = (
                    industry_by_code(candidate)
                    if grouping == "industry"
                    else region_by_code(candidate)
                )
            except CarbonpeakError:
                continue
            out[candidate] = (found.name_zh, found.name_en or found.name_zh)
    return out


def _labelled(
    rows: list[dict[str, Any]], names: dict[str, tuple[str, str]]
) -> list[dict[str, Any]]:
    return [
        {
            **r,
            "name_zh": names.get(r["group"], (r["group"], r["group"]))[0],
            "name_en": names.get(r["group"], (r["group"], r["group"]))[1],
        }
        for r in rows
    ]


def _sources(reference: Reference, provenances: Iterable[Any]) -> list[dict[str, Any]]:
    """Each provenance with its source cited and, for a target, its area's names."""
    out = []
    for p in provenances:
        row = {**p.as_dict(), "source": reference.source(p.source_id).cite()}
        area = dict(p.key).get("area")
        if area is not None:
            row["area_zh"], row["area_en"] = _area_names(str(area))
        out.append(row)
    return out


def _area_names(area: str) -> tuple[str, str]:
    """A target's area (`national` or a GB/T 2260 code) by its Chinese and English names."""
    if area == "national":
        return "全国", "national"
    try:
        found = region_by_code(area)
    except CarbonpeakError:
        return area, area
    return found.name_zh, found.name_en or found.name_zh


def _avoided_view(saved: Avoided, reference: Reference) -> dict[str, Any]:
    return {
        "co2_avoided_t": saved.co2_avoided_t,
        "unverified": saved.unverified,
        "illustrative": saved.illustrative,
        "rows": _records(saved.table),
        "factors": _sources(reference, saved.factors),
    }


def rates_view(
    session: Session, actor: Actor, year: int | None = None, grouping: Grouping = "prefecture"
) -> dict[str, Any]:
    """The rates of a year (the latest with a report by default) by `grouping` over the
    reports the actor may see: each group and kind group with its sums, rate and target in
    force, the groups ranked by their bulk rate, the largest stocks, the avoided CO2, the
    targets' sources and the warnings."""
    return rates_views(session, actor, year, (grouping,))[grouping]


def rates_views(
    session: Session, actor: Actor, year: int | None, groupings: Iterable[Grouping]
) -> dict[str, dict[str, Any]]:
    """`rates_view` by each of `groupings` (the page's grouping and its industries), the
    stored reports read once."""
    wanted = list(dict.fromkeys(groupings))
    for grouping in wanted:
        if grouping not in GROUPINGS:
            raise InputError(
                Problem.of(
                    Place(field="grouping"), N_("grouping is one of {}"), ", ".join(GROUPINGS)
                )
            )
    reference = library_in_force(session)
    seen = years(session, actor)
    chosen = year if year is not None else (seen[0] if seen else None)
    common: dict[str, Any] = {
        "year": chosen,
        "years": seen,
        "names": _names(reference),
        "target_years": TARGET_YEARS,
    }
    if chosen is None:
        empty: dict[str, Any] = {
            "groups": [],
            "ranked": [],
            "stocks": [],
            "avoided": None,
            "targets": [],
            "warnings": [],
        }
        return {g: {**common, "grouping": g, **empty} for g in wanted}
    rows, enterprises = _stored(session, actor, chosen)
    summed = totals(rows)
    saved = avoided(rows, reference, year=chosen)
    stocks = _records(largest_stocks(summed, enterprises, year=chosen))
    out: dict[str, dict[str, Any]] = {}
    for grouping in wanted:
        result = rates(summed, enterprises, reference, year=chosen, grouping=grouping)
        names = _group_names(grouping, enterprises)
        out[grouping] = {
            **common,
            "grouping": grouping,
            "groups": _labelled(_records(result.table), names),
            "ranked": _labelled(_records(ranked(result, BULK)), names),
            "stocks": stocks,
            "avoided": _avoided_view(saved, reference),
            "targets": _sources(reference, result.targets),
            "warnings": records([*result.warnings, *saved.warnings]),
        }
    return out


def enterprise_view(
    session: Session, actor: Actor, enterprise_id: str, year: int | None = None
) -> dict[str, Any]:
    """An enterprise's own report of a year (the latest by default): its totals by kind with
    the stock and its change, its rates against the targets in force, and the national and
    regional (its province's) rates over every report on the platform: of these only the rate
    (withheld where fewer than `MIN_OTHERS` other enterprises report the kind), the target and
    the member count (`_context`), never another enterprise's tonnes."""
    firm = get_enterprise(session, actor, enterprise_id)
    reference = library_in_force(session)
    stored = session.scalars(
        select(SolidWasteReport.year).where(SolidWasteReport.enterprise_id == enterprise_id)
    ).all()
    seen = sorted((int(y) for y in stored), reverse=True)
    chosen = year if year is not None else (seen[0] if seen else None)
    base = {
        "enterprise_id": enterprise_id,
        "name": firm.name,
        "region_code": firm.region_code,
        "year": chosen,
        "years": seen,
        "names": _names(reference),
        "target_years": TARGET_YEARS,
    }
    if chosen is None or chosen not in seen:
        return {**base, "report": None}
    every, enterprises = _stored(session, None, chosen)
    summed = totals(every)
    own = summed[summed.enterprise_id == enterprise_id]
    mine = rates(own, enterprises, reference, year=chosen, grouping="enterprise")
    province = firm.region_code[:2] + "0000"
    regional = rates(
        summed[
            summed.enterprise_id.isin(
                enterprises[enterprises.region_code.str[:2] == province[:2]].enterprise_id
            )
        ],
        enterprises,
        reference,
        year=chosen,
        grouping="province",
    )
    national = rates(summed, enterprises, reference, year=chosen, grouping="nation")
    own_kinds = {str(k) for k in mine.table.target_kind}
    context = {
        "regional": _context(regional.table, own_kinds),
        "national": _context(national.table, own_kinds),
    }
    row = session.scalars(
        select(SolidWasteReport).where(
            SolidWasteReport.enterprise_id == enterprise_id, SolidWasteReport.year == chosen
        )
    ).one()
    saved = avoided(every[every.enterprise_id == enterprise_id], reference, year=chosen)
    own_rates = _records(mine.table)
    return {
        **base,
        "report": {"file": row.file_name, "uploaded_at": row.uploaded_at.isoformat()},
        "totals": _records(own.drop(columns=["enterprise_id", "period"])),
        "rates": own_rates,
        **context,
        "comparison": _comparison(own_rates, context["regional"], context["national"]),
        "province": province,
        "avoided": _avoided_view(saved, reference),
        "targets": _sources(reference, mine.targets),
        "warnings": records([*mine.warnings, *saved.warnings]),
    }


CONTEXT_COLUMNS = ("target_kind", "members", "rate", "target_rate", "target_year", "target_area")
"""What an enterprise is told of a regional or national group: no sums."""


def _context(table: pd.DataFrame, own_kinds: set[str]) -> list[dict[str, Any]]:
    """The rows of a group an enterprise is shown beside its own: the rate (withheld, with
    the reason, where fewer than `MIN_OTHERS` other enterprises report the kind), the target
    and the member count, never the tonnes."""
    out = []
    for row in _records(table):
        kept = {c: row.get(c) for c in CONTEXT_COLUMNS}
        others = int(row["members"]) - (1 if row["target_kind"] in own_kinds else 0)
        withheld = others < MIN_OTHERS
        if withheld:
            kept["rate"] = None
        out.append({**kept, "withheld": withheld, "reason": WITHHELD if withheld else None})
    return out


def _comparison(
    own: list[dict[str, Any]], regional: list[dict[str, Any]], national: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per kind group: the enterprise's rate, its province's, the national one (each None
    where withheld, with `*_withheld`) and the target in force."""
    by_region = {r["target_kind"]: r for r in regional}
    by_nation = {r["target_kind"]: r for r in national}
    out = []
    for mine in own:
        kind = mine["target_kind"]
        there, here = by_region.get(kind, {}), by_nation.get(kind, {})
        out.append(
            {
                "kind": kind,
                "own": mine["rate"],
                "regional": there.get("rate"),
                "regional_withheld": bool(there.get("withheld", True)),
                "national": here.get("rate"),
                "national_withheld": bool(here.get("withheld", True)),
                "target": mine["target_rate"],
                "target_year": mine["target_year"],
                "gap": mine["gap"],
                "met": mine["met"],
            }
        )
    return out


def export_rates(
    session: Session,
    actor: Actor,
    kind: str,
    year: int | None = None,
    grouping: Grouping = "prefecture",
    locale: str = "zh_CN",
) -> bytes:
    """The rates of `rates_view` as a CSV or an XLSX file (`export_view`)."""
    if kind not in EXPORT_KINDS:
        raise NotFoundError(f"no export {kind}")
    return export_view(rates_view(session, actor, year, grouping), kind, locale)


def export_view(view: dict[str, Any], kind: str, locale: str = "zh_CN") -> bytes:
    """A rates view as a CSV or an XLSX file (bilingual headers, group names in both
    languages; yes / no and the warnings' text in `locale`): the rates with each target's
    source and status, the notes (how a target's years are read), the warnings, and the
    avoided CO2 with each row's source, status and note and the total's flags."""
    if kind not in EXPORT_KINDS:
        raise NotFoundError(f"no export {kind}")
    texts = [{**w, "text": warning_text(w, locale)} for w in view["warnings"]]
    shown = {**view, "warnings": texts}
    return rates_csv(shown, locale) if kind == "csv" else rates_xlsx(shown, locale)
