"""Which version of a report counts, and what each caller reads of the stored reports.

Regulators, roll-ups, grades and overviews use each enterprise-period's official version
(`OFFICIAL_STATES`: the latest in an official state); an enterprise sees its own latest, drafts
marked as such. The accounts, grades and submissions of an enterprise, the roll-ups and grades a
caller may see, and the official monthly and yearly accounts (for budgets) read through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Label, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from carbonpeak.accounting.economic import VALUE_ADDED_COLUMN
from carbonpeak.accounting.engine import TOTAL_COLUMNS
from carbonpeak.errors import (
    CarbonpeakError,
    InputError,
    NotFoundError,
    Place,
    Problem,
)
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import (
    enterprise_named,
    get_enterprise,
)
from carbonpeak.services.memo import kept
from carbonpeak.services.reference import library_in_force
from carbonpeak.store.models import (
    AccountResult,
    Enterprise,
    GradeResult,
    ProductionUnit,
    Site,
    Submission,
)

RESULT_COLUMNS = (*TOTAL_COLUMNS, "uncertainty_pct")


def version_of(submission: Submission) -> dict[str, Any]:
    """Which report a record is of: enterprise, period, version and its state."""
    return {
        "enterprise_id": submission.enterprise_id,
        "period": submission.period,
        "version": submission.version,
        "state": submission.state,
    }


def summary_of(submission: Submission, created: bool) -> dict[str, Any]:
    return {"submission_id": submission.submission_id, **version_of(submission), "created": created}


def _latest_results(
    session: Session,
    actor: Actor,
    model: type[AccountResult] | type[GradeResult],
    enterprise_id: str,
    period: str | None,
) -> list[Any]:
    """(result, submission) rows of `model` for the version of each period the caller is
    shown (`_counts`) of an enterprise it may see (404 otherwise), optionally of one period."""
    get_enterprise(session, actor, enterprise_id)
    query = (
        select(model, Submission)
        .join(Submission, Submission.submission_id == model.submission_id)
        .where(Submission.enterprise_id == enterprise_id, _counts(actor))
        .order_by(Submission.period)
    )
    if period:
        query = query.where(Submission.period == period)
    return list(session.execute(query).all())


def accounts_of(
    session: Session, actor: Actor, enterprise_id: str, period: str | None = None
) -> list[dict[str, Any]]:
    """The accounts of each period (or of one period): the official version's, or for the
    enterprise itself its latest, drafts included (each with its `state`)."""
    results = [
        account_record(result, submission)
        for result, submission in _latest_results(
            session, actor, AccountResult, enterprise_id, period
        )
    ]
    if period and not results:
        raise NotFoundError(f"no accounts of {enterprise_id} for {period}")
    return results


def account_record(result: AccountResult, submission: Submission) -> dict[str, Any]:
    return {
        **version_of(submission),
        **{c: getattr(result, c) for c in RESULT_COLUMNS},
        "code_version": result.code_version,
        "reference_digest": result.reference_digest,
        "computed_at": result.computed_at.isoformat(),
        # in the detail JSON (no column): None and [] for accounts stored before they were
        VALUE_ADDED_COLUMN: result.detail.get(VALUE_ADDED_COLUMN),
        "output": result.detail.get("output", []),
        "warnings": result.detail.get("warnings", []),
        "lines": result.detail.get("lines", []),
    }


def enterprise_accounts(
    session: Session, actor: Actor, enterprise_id: str, period: str | None, english: bool
) -> dict[str, Any]:
    """What the dashboard shows of an enterprise the caller may see (else `NotFoundError`):
    the enterprise by name, its periods, the chosen one (else the latest) with its account and
    grades, its submissions, and the names of the items and of the grades' areas in the
    library in force. Computed once per store state, caller scope and question."""
    return kept(
        session,
        actor,
        "enterprise_accounts",
        (enterprise_id, period, english),
        lambda: _enterprise_accounts(session, actor, enterprise_id, period, english),
    )


def _enterprise_accounts(
    session: Session, actor: Actor, enterprise_id: str, period: str | None, english: bool
) -> dict[str, Any]:
    enterprise = enterprise_named(session, actor, enterprise_id, english)
    accounts = accounts_of(session, actor, enterprise_id)
    grades = grades_of(session, actor, enterprise_id)
    _count, submissions = list_submissions(session, actor, enterprise_id=enterprise_id, limit=200)
    periods = [a["period"] for a in accounts]
    chosen = period if period in periods else (periods[-1] if periods else None)
    shown = next((a for a in accounts if a["period"] == chosen), None)
    from carbonpeak.services.reference_restate import restated_account  # it reads this module

    reference = library_in_force(session)
    name = "name_en" if english else "name_zh"
    return {
        "enterprise": enterprise,
        "periods": periods,
        "period": chosen,
        "account": shown,
        # the same report accounted with the library in force, when an edition changed it
        "restated": restated_account(session, actor, shown),
        "grades": [g for g in grades if g["period"] == chosen],
        "submissions": sorted(submissions, key=lambda s: (s["period"], s["version"])),
        "items": {str(r["item"]): str(r[name]) for r in reference.rows("items")},
        # the grades' areas by name, as the industry page names them
        "areas": {str(r["area"]): str(r[name]) for r in reference.rows("efficiency_levels")},
        # the directory's candidate technologies of the areas graded below the benchmark level
        "technologies": _candidates(reference, [g for g in grades if g["period"] == chosen]),
    }


def _candidates(reference: Reference, grades: list[dict[str, Any]]) -> dict[str, Any]:
    from carbonpeak.services.benchmarking import below_benchmark_candidates  # it reads us

    return below_benchmark_candidates(reference, grades)


def account_line(
    session: Session, actor: Actor, enterprise_id: str, period: str, row: int
) -> dict[str, Any] | None:
    """One line of a period's account (its methods and the reference rows it cites), or None
    if there is none the caller may see."""
    try:
        accounts = accounts_of(session, actor, enterprise_id, period)
    except CarbonpeakError:
        return None
    return next((x for a in accounts for x in a["lines"] if x["row"] == row), None)


OFFICIAL_STATES = ("submitted", "verified", "approved")
"""The states whose figures count as an enterprise's report. A draft is work in progress that
only its enterprise sees; a returned version was sent back by the regulator to be corrected,
so until it is sent again the enterprise's figures are its latest version in one of these
states (a report submitted and under review counts as reported, as the statistics offices
count a report on receipt)."""


# a later version of the same enterprise-period, in the conditions below: built once (building
# an alias and its columns costs more than the query it serves)
_NEWER = aliased(Submission, name="newer")


def _official() -> ColumnElement[bool]:
    """SQL condition: the `Submission` row is its enterprise-period's official version, the
    latest in an official state (what regulators, roll-ups, grades and overviews count)."""
    newer = _NEWER
    return Submission.state.in_(OFFICIAL_STATES) & ~exists().where(
        newer.enterprise_id == Submission.enterprise_id,
        newer.period == Submission.period,
        newer.version > Submission.version,
        newer.state.in_(OFFICIAL_STATES),
    )


def _counts(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: the version of an enterprise-period this caller is shown. An enterprise
    sees its own latest version whatever its state (marked by `state`, so a draft reads as a
    draft); everyone else sees the official version only."""
    if not _sees_drafts(actor):
        return _official()
    newer = _NEWER
    return ~exists().where(
        newer.enterprise_id == Submission.enterprise_id,
        newer.period == Submission.period,
        newer.version > Submission.version,
    )


def _sees_drafts(actor: Actor) -> bool:
    """Drafts are seen by the enterprise users that made them (and by the platform's admin in
    the list of submissions, never in any figure)."""
    return actor.role in ("enterprise", "automaker")


def roll_up_visible(
    session: Session, actor: Actor, by: str = "region_code", year: str | None = None
) -> list[dict[str, Any]]:
    """Latest accounts of every visible enterprise, summed by region, province or industry."""
    keys: dict[str, ColumnElement[str] | InstrumentedAttribute[str]] = {
        "region_code": Enterprise.region_code,
        "province_code": func.substr(Enterprise.region_code, 1, 2),
        "industry_code": Enterprise.industry_code,
        "industry_division": func.substr(Enterprise.industry_code, 1, 2),
    }
    if by not in keys:
        raise InputError(Problem(Place(field="by"), f"choose one of {', '.join(keys)}"))
    key: Label[str] = keys[by].label("group")
    query = (
        select(
            key,
            Submission.period,
            func.count(func.distinct(Submission.enterprise_id)),
            *(func.sum(getattr(AccountResult, c)) for c in TOTAL_COLUMNS),
        )
        .select_from(AccountResult)
        .join(Submission, Submission.submission_id == AccountResult.submission_id)
        .where(_official())
        .join(Enterprise, Enterprise.enterprise_id == Submission.enterprise_id)
        .where(actor.visible())
        .group_by(key, Submission.period)
        .order_by(key, Submission.period)
    )
    if year:
        query = query.where(Submission.period.startswith(year))
    rows = []
    for group, period, count, *sums in session.execute(query).all():
        value = str(group) + ("0000" if by == "province_code" else "")
        rows.append(
            {
                by: value,
                "period": period,
                "enterprises": int(count),
                **dict(zip(TOTAL_COLUMNS, (float(s or 0) for s in sums), strict=True)),
            }
        )
    return rows


def grades_visible(session: Session, actor: Actor, year: str) -> list[dict[str, Any]]:
    """The stored grades of the official version of every visible enterprise's periods of a
    year, each with the enterprise's name and region and the capacity of its production units
    making the graded product (summed per unit of capacity)."""
    rows = session.execute(
        select(GradeResult, Submission, Enterprise)
        .join(Submission, Submission.submission_id == GradeResult.submission_id)
        .where(Submission.period.startswith(year), _official())
        .join(Enterprise, Enterprise.enterprise_id == Submission.enterprise_id)
        .where(actor.visible())
        .order_by(GradeResult.area, Submission.enterprise_id, Submission.period)
    ).all()
    codes = sorted({enterprise.enterprise_id for _g, _s, enterprise in rows})
    capacity: dict[tuple[str, str], dict[str, float]] = {}
    for unit, site in session.execute(
        select(ProductionUnit, Site)
        .join(Site, Site.site_id == ProductionUnit.site_id)
        .where(Site.enterprise_id.in_(codes))
    ).all():
        per_unit = capacity.setdefault((site.enterprise_id, unit.product), {})
        per_unit[unit.capacity_unit] = per_unit.get(unit.capacity_unit, 0.0) + unit.capacity
    out = []
    for graded, submission, enterprise in rows:
        detail = graded.detail
        out.append(
            {
                **detail,
                "name": enterprise.name,
                "region_code": enterprise.region_code,
                "state": submission.state,
                "capacity": capacity.get((enterprise.enterprise_id, str(detail["product"])), {}),
            }
        )
    return out


# The review queue's orders: a column of the page to the store's column it sorts by.
SUBMISSION_ORDERS = {
    "submission_id": Submission.submission_id,
    "enterprise_id": Submission.enterprise_id,
    "period": Submission.period,
    "version": Submission.version,
}


def list_submissions(
    session: Session,
    actor: Actor,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
    enterprise_id: str | None = None,
    *,
    search: str = "",
    sort: str | None = None,
    descending: bool = False,
) -> tuple[int, list[dict[str, Any]]]:
    """Visible submissions, optionally in one state or of one enterprise: (total, page), paged
    in SQL, each with its `enterprise_name`. `search` is found (case-insensitive) in the
    enterprise's code or name, the period or the comment; `sort` a key of `SUBMISSION_ORDERS`
    (the report's number by default)."""
    query = (
        select(Submission)
        .join(Enterprise, Enterprise.enterprise_id == Submission.enterprise_id)
        .where(actor.visible())
    )
    if actor.role == "regulator":  # a draft is its enterprise's own until it is submitted
        query = query.where(Submission.state != "draft")
    if state:
        query = query.where(Submission.state == state)
    if enterprise_id:
        query = query.where(Submission.enterprise_id == enterprise_id)
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            func.lower(Submission.enterprise_id).like(pattern, escape="\\")
            | func.lower(Enterprise.name).like(pattern, escape="\\")
            | func.lower(Submission.period).like(pattern, escape="\\")
            | func.lower(func.coalesce(Submission.comment, "")).like(pattern, escape="\\")
        )
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    order = SUBMISSION_ORDERS[sort] if sort else Submission.submission_id
    rows = session.execute(
        query.add_columns(Enterprise.name)
        .order_by(order.desc() if descending else order.asc(), Submission.submission_id)
        .limit(limit)
        .offset(offset)
    ).all()
    # with the enterprise's name, from the same query: a reader knows a plant by its name
    return int(total), [
        summary_of(s, created=False) | {"comment": s.comment, "enterprise_name": name}
        for s, name in rows
    ]


def grades_of(
    session: Session, actor: Actor, enterprise_id: str, period: str | None = None
) -> list[dict[str, Any]]:
    """Grades of the products of each period's version the caller is shown, as stored when the
    report was accounted (with the code version and reference digest that made them)."""
    rows = _latest_results(session, actor, GradeResult, enterprise_id, period)
    rows.sort(key=lambda r: (r[1].period, r[0].area))
    if period and not rows:
        raise NotFoundError(f"no grades of {enterprise_id} for {period}")
    return [
        {
            **stored.detail,
            "version": submission.version,
            "state": submission.state,
            "code_version": stored.code_version,
            "reference_digest": stored.reference_digest,
        }
        for stored, submission in rows
    ]


def official_months(
    session: Session, year: int, enterprise_ids: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The official monthly accounts (periods `YYYY-MM` of `year`) of the enterprises named
    (all when None): energy, CO2, and the value added and output each report carries (None
    where a report did not give them). What budget tracking counts; no caller filter: the
    services that use it check what their caller may see."""
    query = (
        select(AccountResult, Submission.enterprise_id, Submission.period)
        .join(Submission, Submission.submission_id == AccountResult.submission_id)
        .where(_official(), Submission.period.like(f"{year:04d}-__"))
        .order_by(Submission.enterprise_id, Submission.period)
    )
    if enterprise_ids is not None:
        query = query.where(Submission.enterprise_id.in_(sorted(set(enterprise_ids))))
    rows = []
    for result, enterprise_id, period in session.execute(query).all():
        detail = result.detail or {}
        rows.append(
            {
                "enterprise_id": enterprise_id,
                "period": period,
                "energy_tce": result.energy_tce,
                "co2_t": result.co2_t,
                "value_added_10k_yuan": detail.get("value_added_10k_yuan"),
                "output": detail.get("output") or [],
            }
        )
    return rows


def official_year(session: Session, year: int) -> list[dict[str, Any]]:
    """Each enterprise's CO2 and value added of `year` from its official accounts, for
    intensities per value added: the annual report where there is one, else the months that
    report a value added (their CO2 and value added summed, `months` saying how many)."""
    query = (
        select(AccountResult, Submission.enterprise_id, Submission.period, Enterprise)
        .join(Submission, Submission.submission_id == AccountResult.submission_id)
        .join(Enterprise, Enterprise.enterprise_id == Submission.enterprise_id)
        .where(_official(), Submission.period.startswith(f"{year:04d}"))
    )
    annual: dict[str, dict[str, Any]] = {}
    monthly: dict[str, dict[str, Any]] = {}
    for result, enterprise_id, period, enterprise in session.execute(query).all():
        added = (result.detail or {}).get("value_added_10k_yuan")
        base = {
            "enterprise_id": enterprise_id,
            "region_code": enterprise.region_code,
            "industry_code": enterprise.industry_code,
            "year": year,
        }
        if period == f"{year:04d}":
            annual[enterprise_id] = {
                **base,
                "co2_t": result.co2_t,
                "value_added_10k_yuan": added,
                "months": 12,
            }
        elif added is not None:
            row = monthly.setdefault(
                enterprise_id, {**base, "co2_t": 0.0, "value_added_10k_yuan": 0.0, "months": 0}
            )
            row["co2_t"] += result.co2_t
            row["value_added_10k_yuan"] += float(added)
            row["months"] += 1
    return [annual.get(e) or monthly[e] for e in sorted({*annual, *monthly})]
