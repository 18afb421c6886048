"""Green products and efficient motors: the registries of certified green building materials
and of the green manufacturing lists (reference tables written by editions, `green.registry`)
linked to the platform's enterprises by unified social credit code, and the motors of the
registered diagnoses by GB 18613-2020 grade against the motor plan's target
(`green.motors`).

- A published list is imported as a draft edition of the reference library
  (`import_list`: `io.green_lists` reads it, `services.reference_editions.keep_edition` keeps
  it); it joins the library in force once another person approves it, as every edition.
- An enterprise sees its own certifications; a regulator those of the enterprises of its
  regions, the counts and shares by region and industry, the certificates expiring within N
  days and the entries that match no enterprise of the platform (published lists give names,
  rarely codes).
- The motors are those the diagnoses registered (`services.diagnosis.register_diagnosis`),
  each enterprise's latest year."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.domain.days import china_today
from carbonpeak.domain.warnings import text
from carbonpeak.errors import N_, InputError, NotFoundError, Place, Problem
from carbonpeak.green import motors as motor_shares
from carbonpeak.green import registry
from carbonpeak.io.green_lists import (
    LIST_KINDS,
    certificate_table,
    motor_table,
    read_green_list,
    summary_table,
    table_bytes,
)
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import get_enterprise, industry_name, region_name
from carbonpeak.services.reference import reference_of
from carbonpeak.services.reference_editions import keep_edition
from carbonpeak.store.models import Enterprise, User
from carbonpeak.store.models_green import DiagnosisMotor

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_NAMES = registry.KIND_NAMES  # the registries' names, translated where they are shown
STAR_NAMES = registry.STAR_NAMES
MAX_WITHIN_DAYS = 3660  # ten years: a window longer than any certificate runs
WINDOW_WORDS = N_("a number of days from 0 to {}")
GROUPING_WORDS = N_("group by region, province or industry")
GROUPINGS = registry.GROUPINGS
UNMATCHED_SHOWN = 50  # the unmatched entries a summary lists (their count, and all in the export)
EXPORTS = ("certificates", "expiring", "summary", "motors")
Format = Literal["csv", "xlsx"]


def _checked_window(within_days: int) -> None:
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise InputError(
            [
                Problem.of(
                    Place(field="within_days"),
                    WINDOW_WORDS,
                    MAX_WITHIN_DAYS,
                )
            ]
        )


def _named(groups: list[dict[str, Any]], by: str, english: bool) -> list[dict[str, Any]]:
    """The groups with the name of each (the region's, or the industry division's)."""
    name = industry_name if by == "industry" else region_name
    return [{**g, "name": name(g["code"], english)} for g in groups]


def _enterprises(session: Session, actor: Actor) -> dict[str, tuple[str, str, str]]:
    """The enterprises the actor sees: code -> (region, industry, name)."""
    rows = session.execute(
        select(
            Enterprise.enterprise_id,
            Enterprise.region_code,
            Enterprise.industry_code,
            Enterprise.name,
        ).where(actor.visible())
    ).all()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _all_codes(session: Session) -> set[str]:
    return set(session.scalars(select(Enterprise.enterprise_id)))


def _entries(
    session: Session, actor: Actor, on: date, within_days: int
) -> tuple[list[registry.Entry], dict[str, tuple[str, str, str]]]:
    """The entries the actor may see: those of its enterprises, and, for an administrator or a
    regulator, the published entries that match no enterprise of the platform."""
    _checked_window(within_days)
    visible = _enterprises(session, actor)
    found = registry.entries(reference_of(session), _all_codes(session), on, within_days)
    public = actor.role in ("admin", "regulator")
    return [
        e for e in found if (e.enterprise_id in visible) or (public and e.enterprise_id is None)
    ], visible


def certifications(
    session: Session,
    actor: Actor,
    *,
    enterprise_id: str | None = None,
    on: date | None = None,
    within_days: int = 90,
    limit: int | None = None,
    offset: int = 0,
) -> dict[str, Any]:
    """The entries of the registries the actor sees (of one enterprise when given: not
    found when out of reach), with their status on `on` (today in China by default); `limit`
    entries from `offset` when given (`total`: how many in all)."""
    if (limit is not None and limit < 1) or offset < 0:
        raise InputError([Problem.of(Place(field="limit"), N_("a page of 1 or more entries"))])
    day = on or china_today()
    if enterprise_id is not None:
        get_enterprise(session, actor, enterprise_id)
    found, _ = _entries(session, actor, day, within_days)
    if enterprise_id is not None:
        found = [e for e in found if e.enterprise_id == enterprise_id]
    kind_order = {k: i for i, k in enumerate(registry.KINDS)}
    found.sort(key=lambda e: (kind_order.get(e.kind, 9), e.enterprise_name, e.key))
    return {
        "on": day.isoformat(),
        "within_days": within_days,
        "enterprise_id": enterprise_id,
        "total": len(found),
        "offset": offset,
        "entries": [e.as_dict() for e in found[offset : None if limit is None else offset + limit]],
        # the expiring certificates of the platform's enterprises, as the pages show them (an
        # unmatched entry is nobody's to renew)
        "expiring": [e.as_dict() for e in registry.expiring([e for e in found if e.enterprise_id])],
    }


def summary(
    session: Session,
    actor: Actor,
    *,
    by: registry.Grouping = "region",
    on: date | None = None,
    within_days: int = 90,
    english: bool = False,
) -> dict[str, Any]:
    """For a regulator: counts and shares by region or industry division of the enterprises
    it sees, the certificates expiring within `within_days`, the unmatched entries."""
    if by not in registry.GROUPINGS:
        raise InputError([Problem.of(Place(field="by"), GROUPING_WORDS)])
    day = on or china_today()
    found, visible = _entries(session, actor, day, within_days)
    groups = registry.counts(found, {k: (v[0], v[1]) for k, v in visible.items()}, by)
    mine = [e for e in found if e.enterprise_id is not None]
    unmatched = registry.unmatched(found)
    total = registry.counts(mine, {k: (v[0], "") for k, v in visible.items()}, "industry")
    return {
        "on": day.isoformat(),
        "within_days": within_days,
        "by": by,
        "groups": _named([g.as_dict() for g in groups], by, english),
        "total": total[0].as_dict() if total else registry.Group("", 0).as_dict(),
        "expiring": [e.as_dict() for e in registry.expiring(mine)],
        # the first of the unmatched entries (a published list may hold thousands); all of
        # them download with the certificates
        "unmatched_count": len(unmatched),
        "unmatched": [e.as_dict() for e in unmatched[:UNMATCHED_SHOWN]],
    }


def stored_motors(session: Session, actor: Actor) -> list[motor_shares.Motor]:
    """The motors of the registered diagnoses of the enterprises the actor sees, each
    enterprise's latest year."""
    latest = (
        select(DiagnosisMotor.enterprise_id, func.max(DiagnosisMotor.year).label("year"))
        .group_by(DiagnosisMotor.enterprise_id)
        .subquery()
    )
    rows = session.execute(
        select(DiagnosisMotor, Enterprise.region_code, Enterprise.industry_code)
        .join(Enterprise, Enterprise.enterprise_id == DiagnosisMotor.enterprise_id)
        .join(
            latest,
            (latest.c.enterprise_id == DiagnosisMotor.enterprise_id)
            & (latest.c.year == DiagnosisMotor.year),
        )
        .where(actor.visible())
        .order_by(DiagnosisMotor.enterprise_id, DiagnosisMotor.motor_row_id)
    ).all()
    return [
        motor_shares.Motor(
            enterprise_id=m.enterprise_id,
            region_code=region,
            industry_code=industry,
            equipment=m.equipment,
            rated_kw=m.rated_kw,
            poles=m.poles,
            efficiency=m.efficiency,
            grade=m.grade,
            load=m.load,
            hours=m.hours,
            efficiency_given=m.efficiency_given,
            year=m.year,
        )
        for m, region, industry in rows
    ]


def motors(
    session: Session,
    actor: Actor,
    *,
    by: registry.Grouping = "industry",
    to_grade: int = 2,
    on: date | None = None,
    english: bool = False,
) -> dict[str, Any]:
    """The motors by GB 18613-2020 grade by industry division or region, against the
    in-service target in force on `on`, with the saving of replacing the grade-3 ones."""
    if by not in registry.GROUPINGS:
        raise InputError([Problem.of(Place(field="by"), GROUPING_WORDS)])
    found = stored_motors(session, actor)
    reference = reference_of(session)
    result = motor_shares.shares(found, reference, by, on=on or china_today(), to_grade=to_grade)
    shown = result.as_dict()
    return {
        **shown,
        "groups": _named(shown["groups"], by, english),
        "targets": [t.as_dict() for t in motor_shares.targets(reference)],
        "enterprises": len({m.enterprise_id for m in found}),
    }


def import_list(
    session: Session,
    actor: Actor,
    kind: str,
    name: str,
    content: bytes,
    document: Mapping[str, str],
    *,
    valid_from: date | None = None,
    year: int | None = None,
    batch: int | None = None,
    status: str = "verified",
    note: str = "",
) -> dict[str, Any]:
    """A published list kept as a draft edition (every problem placed, nothing stored on
    error), with the rows that match an enterprise of the platform and those that do not."""
    reference = reference_of(session)
    read = read_green_list(
        name,
        content,
        kind,
        document,
        valid_from or china_today(),
        reference,
        year=year,
        batch=batch,
        status=status,
        note=note,
    )
    kept = keep_edition(session, actor, name, read.edition, reference, accounts=False)
    codes = set(_enterprises(session, actor))  # what the importer may see, not the nation's
    matched = [r for r in read.edition.rows if r.values.get("uscc") in codes]
    unmatched = [
        {
            "row": r.place.row,
            "enterprise_name": r.values.get("enterprise_name"),
            "uscc": r.values.get("uscc") or None,
        }
        for r in read.edition.rows
        if r.values.get("uscc") not in codes
    ]
    return {
        **kept,
        "kind": kind,
        "rows": len(read.edition.rows),
        "matched": len(matched),
        "unmatched": unmatched,
        "left_out": list(read.left_out),
        "changed": list(read.changed),
        "retired": list(read.retired),
    }


def export(
    session: Session,
    actor: Actor,
    what: str,
    fmt: Format,
    *,
    enterprise_id: str | None = None,
    by: registry.Grouping = "region",
    on: date | None = None,
    within_days: int = 90,
    to_grade: int = 2,
) -> tuple[bytes, str]:
    """A table as CSV or XLSX bytes, and its file name: the certificates (of one enterprise
    when given), the expiring ones, the summary by region or industry, the motors."""
    if fmt not in ("csv", "xlsx"):
        raise InputError([Problem.of(Place(field="format"), N_("csv or xlsx"))])
    if what in ("certificates", "expiring"):
        view = certifications(
            session, actor, enterprise_id=enterprise_id, on=on, within_days=within_days
        )
    elif what == "summary":
        view = summary(session, actor, by=by, on=on, within_days=within_days)
    elif what == "motors":
        view = motors(session, actor, by=by, to_grade=to_grade, on=on)
    else:
        raise InputError(
            [
                Problem.of(
                    Place(field="what"), N_("{!r}: the tables are {}"), what, ", ".join(EXPORTS)
                )
            ]
        )
    return table_of(what, view, fmt), f"green-{what}.{fmt}"


def table_of(what: str, view: Mapping[str, Any], fmt: Format) -> bytes:
    """The table `what` of a view already made (`certifications` for certificates and
    expiring, `summary`, `motors`) as CSV or XLSX bytes, its provenance after it: what the
    CLI writes of the view it printed, without asking the store again."""
    if what in ("certificates", "expiring"):
        header, rows = certificate_table(view["entries" if what == "certificates" else "expiring"])
        notes = _view_notes(view)
    elif what == "summary":
        header, rows = summary_table(view)
        notes = _view_notes(view)
    else:
        header, rows = motor_table(view)
        notes = _motor_notes(view)
    return table_bytes(header, rows, fmt, what, notes)


def _view_notes(view: Mapping[str, Any]) -> list[list[Any]]:
    """The provenance of a table of the registries: the day, the window, the grouping."""
    notes: list[list[Any]] = [
        ["说明 (notes)"],
        ["日期 (on)", view["on"]],
        ["即将到期天数 (within_days)", view["within_days"]],
    ]
    if view.get("by"):
        notes.append(["分组 (by)", view["by"]])
    if view.get("enterprise_id"):
        notes.append(["企业 (enterprise_id)", view["enterprise_id"]])
    notes.append(["来源 (source)", "每行的来源编号见“来源 (source_id)”列 / each row's source_id"])
    return notes


def _motor_notes(view: Mapping[str, Any]) -> list[list[Any]]:
    """The provenance of the motors table: the target, its basis, source and status, and the
    warnings (English and Chinese)."""
    target = view["target"]
    notes: list[list[Any]] = [
        ["说明 (notes)"],
        ["目标 (target)", target["plan"], target["scope"], target["year"], target["share"]],
        ["高效等级 (high_efficiency_grade)", target["high_efficiency_grade"]],
        ["目标口径 (basis)", target["basis"]],
        ["来源 (source)", target["source_id"], target["source"]],
        ["核实状态 (status)", target["status"], target["note"]],
        ["更换为 (to_grade)", view["to_grade"]],
    ]
    for warning in view["warnings"]:
        notes.append(
            ["提示 (warning)", warning["code"], text(warning, "zh_CN", {}), warning["message"]]
        )
    return notes


def as_user(username: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`function(session, actor, *args, **kwargs)` in the configured store as the user named
    (the CLI's), committed when it returns."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise NotFoundError(f"no user {username!r}")
        return function(session, Actor.of(user), *args, **kwargs)


__all__ = [
    "EXPORTS",
    "LIST_KINDS",
    "as_user",
    "certifications",
    "export",
    "import_list",
    "motors",
    "stored_motors",
    "summary",
    "table_of",
]
