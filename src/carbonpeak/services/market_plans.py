"""Data-quality control plans of the national carbon market in the store (issue 21, part 2).

- A plan (数据质量控制方案) comes as its workbook (`io.market_plan`): it is checked against the
  guideline's rows of the enterprise's sector for its year (and against the year's previous
  version: what the guideline fixes for the year stays fixed) and stored as a new version; a
  version after the first needs its reason, and the change (rows added, changed, removed) goes
  into the audit log with it. Refused plans write nothing.
- Where plan and activity meet: the fuels and materials the enterprise reports in its
  activity of the year that its plan has no row for (9.3 a): a new fuel or material is a
  revision of the plan).
- Monthly evidence and coverage: `services.market_evidence`.

An enterprise files its own; the administrator may file for any; regulators read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import N_, InputError, NotFoundError, PermissionDenied, Place, Problem
from carbonpeak.io.market_plan import plan_workbook_bytes
from carbonpeak.io.market_plan_reader import place_in_workbook, read_plan_lines
from carbonpeak.market.plan_checks import check_plan
from carbonpeak.market.plan_sources import sources_not_in_plan
from carbonpeak.market.plans import QualityPlan, diff_plans
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import get_enterprise
from carbonpeak.services.market import market_enterprise
from carbonpeak.services.reference import library_in_force
from carbonpeak.services.reference_impact import stored_activity
from carbonpeak.store import audit
from carbonpeak.store.models import Enterprise
from carbonpeak.store.models_market import MarketPlan


def files_for(actor: Actor, enterprise_id: str) -> None:
    if actor.role == "admin":
        return
    if actor.role == "enterprise" and enterprise_id in actor.enterprises:
        return
    raise PermissionDenied("an enterprise files its own plan and evidence")


def _sector(session: Session, actor: Actor, enterprise_id: str) -> tuple[Enterprise, str]:
    return market_enterprise(session, actor, enterprise_id)


def latest_plan(session: Session, enterprise_id: str, year: int) -> MarketPlan | None:
    return session.execute(
        select(MarketPlan)
        .where(MarketPlan.enterprise_id == enterprise_id, MarketPlan.year == year)
        .order_by(MarketPlan.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def import_plan(
    session: Session, actor: Actor, enterprise_id: str, name: str, content: bytes
) -> dict[str, Any]:
    """Check the plan of a workbook and store it as the enterprise's next version of its year;
    `InputError` with every problem placed in the workbook."""
    _, sector = _sector(session, actor, enterprise_id)  # 404 before 403: no existence leaks
    files_for(actor, enterprise_id)
    reference = library_in_force(session)
    plan, lines = read_plan_lines(name, content, reference)
    if plan.enterprise.uscc != enterprise_id:
        raise InputError(
            Problem.of(
                Place(file=name, field="uscc"),
                N_("the plan is of enterprise {}, not {}"),
                plan.enterprise.uscc,
                enterprise_id,
            )
        )
    stored = latest_plan(session, enterprise_id, plan.year)
    previous = QualityPlan.model_validate(stored.content) if stored is not None else None
    if previous is not None and plan.version.number == previous.version.number:
        raise InputError(
            Problem.of(
                Place(file=name, sheet="版本", field="number"),
                N_(
                    "version {} of the plan of {} is already filed: a revision adds its row to "
                    "the versions (B.1) with the reason of the change"
                ),
                plan.version.number,
                plan.year,
            )
        )
    checked = check_plan(
        plan,
        sector,
        plan.year,
        reference,
        previous=previous,
        earlier=_earlier_plans(session, enterprise_id, plan.year),
    )
    if checked.problems:
        raise InputError(place_in_workbook(checked.problems, name, lines))
    version = 1 if stored is None else stored.version + 1
    reason = plan.version.reason.strip()
    if version > 1 and not reason:
        raise InputError(
            Problem.of(
                Place(file=name, field="reason"),
                N_("version {} of the plan of {} needs the reason for its change (B.1)"),
                version,
                plan.year,
            )
        )
    row = MarketPlan(
        enterprise_id=enterprise_id,
        year=plan.year,
        version=version,
        reason=reason or None,
        content=plan.model_dump(mode="json"),
        created_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    change = _change(previous, plan)
    audit.record(
        session,
        actor.username,
        "market.plan",
        "market_plan",
        str(row.plan_id),
        after={
            "enterprise_id": enterprise_id,
            "year": plan.year,
            "version": version,
            "reason": reason,
            "change": change,
        },
    )
    return {
        "enterprise_id": enterprise_id,
        "year": plan.year,
        "version": version,
        "reason": reason or None,
        "guideline": checked.guideline,
        "warnings": [w.as_dict() for w in checked.warnings],
        "change": change,
    }


def _earlier_plans(session: Session, enterprise_id: str, year: int) -> list[QualityPlan]:
    """Every stored version of the enterprise's plans of the years before `year`."""
    rows = session.execute(
        select(MarketPlan.content)
        .where(MarketPlan.enterprise_id == enterprise_id, MarketPlan.year < year)
        .order_by(MarketPlan.year, MarketPlan.version)
    ).scalars()
    return [QualityPlan.model_validate(content) for content in rows]


def _change(previous: QualityPlan | None, plan: QualityPlan) -> dict[str, Any] | None:
    if previous is None:
        return None
    diff = diff_plans(previous, plan)
    return {
        "from_version": diff.from_version,
        "to_version": diff.to_version,
        "added": [list(r.key) for r in diff.added],
        "changed": [
            {"key": list(c.key), "fields": [[f, str(a), str(b)] for f, a, b in c.fields]}
            for c in diff.changed
        ],
        "removed": [list(r.key) for r in diff.removed],
        "facilities_added": [f.number for f in diff.facilities_added],
        "facilities_removed": [f.number for f in diff.facilities_removed],
        "facilities_changed": [n for n, _ in diff.facilities_changed],
    }


def plan_of(session: Session, actor: Actor, enterprise_id: str, year: int) -> dict[str, Any]:
    """The enterprise's plan of `year` (its latest version) with every version's number, date
    and reason, the check's warnings, and the source streams of its activity of the year the
    plan has no row for (`sources_missing`: placed problems, said in the reader's language by
    the surface)."""
    _, sector = _sector(session, actor, enterprise_id)
    rows = (
        session.execute(
            select(MarketPlan)
            .where(MarketPlan.enterprise_id == enterprise_id, MarketPlan.year == year)
            .order_by(MarketPlan.version)
        )
        .scalars()
        .all()
    )
    if not rows:
        return {
            "enterprise_id": enterprise_id,
            "year": year,
            "sector": sector,
            "plan": None,
            "versions": [],
            "warnings": [],
            "sources_missing": [],
        }
    plan = QualityPlan.model_validate(rows[-1].content)
    reference = library_in_force(session)
    checked = check_plan(plan, sector, year, reference)
    return {
        "enterprise_id": enterprise_id,
        "year": year,
        "sector": sector,
        "plan": rows[-1].content,
        "versions": [
            {"version": r.version, "reason": r.reason, "created_at": r.created_at.isoformat()}
            for r in rows
        ],
        "warnings": [w.as_dict() for w in checked.warnings],
        "sources_missing": missing_sources(session, actor, plan, reference),
    }


def missing_sources(
    session: Session, actor: Actor, plan: QualityPlan, reference: Reference
) -> list[Problem]:
    """The fuels and materials of the enterprise's official activity of the plan's year that
    the plan has no row for (`market.plan_sources`)."""
    activity, _ = stored_activity(session, actor, plan.enterprise.uscc)
    return sources_not_in_plan(plan, activity, reference)


def plan_workbook(session: Session, actor: Actor, enterprise_id: str, year: int) -> bytes:
    """The latest plan of the year as its workbook (to revise it); 404 when there is none."""
    get_enterprise(session, actor, enterprise_id)
    stored = latest_plan(session, enterprise_id, year)
    if stored is None:
        raise NotFoundError(f"no plan of {enterprise_id} for {year}")
    return plan_workbook_bytes(
        QualityPlan.model_validate(stored.content), library_in_force(session)
    )


def plan_document(
    session: Session, actor: Actor, enterprise_id: str, year: int, version: int | None = None
) -> dict[str, Any]:
    """The enterprise's plan of `year` as filed (its latest version, or the filed version
    `version`), for the plan document (`reports.market_plan`): the plan as Annex B holds it
    (`plan`, None when no such version is filed), every filing of the year (version, reason,
    day), the guideline it is checked against and the check's warnings."""
    enterprise, sector = _sector(session, actor, enterprise_id)
    rows = (
        session.execute(
            select(MarketPlan)
            .where(MarketPlan.enterprise_id == enterprise_id, MarketPlan.year == year)
            .order_by(MarketPlan.version)
        )
        .scalars()
        .all()
    )
    chosen = rows[-1] if rows and version is None else None
    if version is not None:
        chosen = next((r for r in rows if r.version == version), None)
    out: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "name": enterprise.name,
        "industry_code": enterprise.industry_code,
        "year": year,
        "sector": sector,
        "asked_version": version,
        "version": None,
        "filed_at": None,
        "filings": [
            {"version": r.version, "reason": r.reason, "created_at": r.created_at.isoformat()}
            for r in rows
        ],
        "plan": None,
        "guideline": None,
        "warnings": [],
    }
    if chosen is None:
        return out
    plan = QualityPlan.model_validate(chosen.content)
    checked = check_plan(plan, sector, year, library_in_force(session))
    return out | {
        "version": chosen.version,
        "filed_at": chosen.created_at.isoformat(),
        "plan": plan.model_dump(mode="json"),
        "guideline": checked.guideline,
        "warnings": [w.as_dict() for w in checked.warnings],
    }


def year_meters(session: Session, actor: Actor, enterprise_id: str, year: int) -> dict[str, Any]:
    """The meters of the enterprise's latest plan of `year` (its B.4 rows that name a meter),
    one entry per meter, location, accuracy class and calibration interval (months) with the
    parameters it measures and its monitoring frequency; `version` None
    when no plan of the year is filed."""
    get_enterprise(session, actor, enterprise_id)
    stored = latest_plan(session, enterprise_id, year)
    if stored is None:
        return {"version": None, "meters": []}
    plan = QualityPlan.model_validate(stored.content)
    meters: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in plan.parameters:
        if not row.meter.strip():
            continue
        entry = meters.setdefault(
            (row.meter, row.meter_location, row.accuracy_class, row.calibration_months),
            {
                "meter": row.meter,
                "location": row.meter_location,
                "accuracy_class": row.accuracy_class,
                "calibration_months": row.calibration_months,
                "monitoring_frequency": row.monitoring_frequency,
                "parameters": [],
            },
        )
        entry["parameters"].append(
            {"emission_type": row.emission_type, "item": row.item, "parameter": row.parameter}
        )
    return {"version": stored.version, "meters": list(meters.values())}
