"""Data-quality control plans and monthly evidence of the national carbon market in the store
(issue 21, part 2).

- A plan (数据质量控制方案) comes as its workbook (`io.market_plan`): it is checked against the
  guideline's rows of the enterprise's sector for its year (and against the year's previous
  version: what the guideline fixes for the year stays fixed) and stored as a new version; a
  version after the first needs its reason, and the change (rows added, changed, removed) goes
  into the audit log with it. Refused plans write nothing.
- Monthly evidence (月度信息化存证): documents kept once by their SHA-256, and records of a
  parameter's value with the documents that prove it (or the documents of a guideline item);
  the month is checked as a whole with the new records, and a record the check refuses (a
  measured value without its document, a parameter not in the plan) writes nothing.
- Coverage: for each enterprise of the market's sectors the caller sees, its plan of the year
  and, per month due so far, whether its evidence is complete, missing or overdue.

An enterprise files its own; the administrator may file for any; regulators read."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.domain.days import china_today
from carbonpeak.errors import N_, InputError, NotFoundError, PermissionDenied, Place, Problem
from carbonpeak.io.market_plan import place_in_workbook, plan_workbook_bytes, read_plan
from carbonpeak.market.evidence import EvidenceRecord, MonthEvidence, completeness, month_start
from carbonpeak.market.plans import QualityPlan, check_plan, diff_plans
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import get_enterprise
from carbonpeak.services.market import market_enterprise, sector_of
from carbonpeak.services.reference import library_in_force
from carbonpeak.store import audit
from carbonpeak.store.models import Enterprise
from carbonpeak.store.models_market import MarketDocument, MarketEvidence, MarketPlan

MAX_DOCUMENT_BYTES = 20 * 2**20


def _files_for(actor: Actor, enterprise_id: str) -> None:
    if actor.role == "admin":
        return
    if actor.role == "enterprise" and enterprise_id in actor.enterprises:
        return
    raise PermissionDenied("an enterprise files its own plan and evidence")


def _sector(session: Session, actor: Actor, enterprise_id: str) -> tuple[Enterprise, str]:
    return market_enterprise(session, actor, enterprise_id)


def _latest(session: Session, enterprise_id: str, year: int) -> MarketPlan | None:
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
    _files_for(actor, enterprise_id)
    reference = library_in_force(session)
    plan = read_plan(name, content, reference)
    if plan.enterprise.uscc != enterprise_id:
        raise InputError(
            Problem.of(
                Place(file=name, field="uscc"),
                N_("the plan is of enterprise {}, not {}"),
                plan.enterprise.uscc,
                enterprise_id,
            )
        )
    stored = _latest(session, enterprise_id, plan.year)
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
    checked = check_plan(plan, sector, plan.year, reference, previous=previous)
    if checked.problems:
        raise InputError(place_in_workbook(checked.problems, name, plan))
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
    and reason, and the check's warnings."""
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
        }
    plan = QualityPlan.model_validate(rows[-1].content)
    checked = check_plan(plan, sector, year, library_in_force(session))
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
    }


def plan_workbook(session: Session, actor: Actor, enterprise_id: str, year: int) -> bytes:
    """The latest plan of the year as its workbook (to revise it); 404 when there is none."""
    get_enterprise(session, actor, enterprise_id)
    stored = _latest(session, enterprise_id, year)
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
    stored = _latest(session, enterprise_id, year)
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


def store_document(
    session: Session, actor: Actor, enterprise_id: str, name: str, media_type: str, content: bytes
) -> dict[str, Any]:
    """Keep a document of the evidence once by its SHA-256 (the same bytes again: the same)."""
    get_enterprise(session, actor, enterprise_id)
    _files_for(actor, enterprise_id)
    if not content:
        raise InputError(Problem.of(Place(file=name), N_("the document is empty")))
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InputError(
            Problem.of(
                Place(file=name),
                N_("the document is larger than {} MB"),
                MAX_DOCUMENT_BYTES // 2**20,
            )
        )
    digest = keep_document(session, name, media_type, content, actor.user_id)
    return {"sha256": digest, "file_name": name, "size": len(content)}


def keep_document(
    session: Session, name: str, media_type: str, content: bytes, user_id: int
) -> str:
    """Store a document once by its SHA-256 (checked bytes) and return the hash."""
    digest = hashlib.sha256(content).hexdigest()
    if session.get(MarketDocument, digest) is None:
        session.add(
            MarketDocument(
                sha256=digest,
                file_name=name[:255],
                media_type=(media_type or "application/octet-stream")[:100],
                size=len(content),
                content=content,
                uploaded_by=user_id,
            )
        )
        session.flush()
    return digest


def keep_records(session: Session, records: list[EvidenceRecord], user_id: int) -> None:
    """Store checked evidence records (`record_evidence` checks them; the demo makes them)."""
    for record in records:
        session.add(
            MarketEvidence(
                enterprise_id=record.enterprise,
                month=record.month,
                emission_type=record.emission_type,
                item=record.item,
                parameter=record.parameter,
                clause=record.clause,
                value=record.value,
                documents=list(record.documents),
                created_by=user_id,
            )
        )
    session.flush()


def _records(session: Session, enterprise_id: str, month: date) -> list[EvidenceRecord]:
    rows = (
        session.execute(
            select(MarketEvidence)
            .where(MarketEvidence.enterprise_id == enterprise_id, MarketEvidence.month == month)
            .order_by(MarketEvidence.evidence_id)
        )
        .scalars()
        .all()
    )
    latest: dict[tuple[str, str, str, str], EvidenceRecord] = {}
    for r in rows:  # the latest record of a key counts
        latest[(r.emission_type, r.item, r.parameter, r.clause)] = EvidenceRecord(
            enterprise=r.enterprise_id,
            month=r.month,
            emission_type=r.emission_type,
            item=r.item,
            parameter=r.parameter,
            clause=r.clause,
            value=r.value,
            documents=tuple(r.documents or ()),
        )
    return list(latest.values())


def _key(record: EvidenceRecord) -> tuple[str, str, str, str]:
    return (record.emission_type, record.item, record.parameter, record.clause)


def _plan_for(session: Session, enterprise_id: str, month: date) -> QualityPlan:
    stored = _latest(session, enterprise_id, month.year)
    if stored is None:
        raise InputError(
            Problem.of(
                Place(field="month"),
                N_("enterprise {} has no data-quality control plan for {}: file it first"),
                enterprise_id,
                month.year,
            )
        )
    return QualityPlan.model_validate(stored.content)


def record_evidence(
    session: Session, actor: Actor, enterprise_id: str, records: list[dict[str, Any]]
) -> dict[str, Any]:
    """Store a month's records (all of one month) after checking the month with them; every
    document named must be stored first."""
    _sector(session, actor, enterprise_id)
    _files_for(actor, enterprise_id)
    problems: list[Problem] = []
    parsed: list[EvidenceRecord] = []
    for number, fields in enumerate(records, start=1):
        try:
            parsed.append(EvidenceRecord.model_validate({**fields, "enterprise": enterprise_id}))
        except ValueError as error:
            problems.append(
                Problem.of(Place(row=number, field="records"), N_("not a record: {}"), str(error))
            )
    if problems:
        raise InputError(problems)
    months = {r.month for r in parsed}
    if len(months) != 1:
        raise InputError(
            Problem.of(Place(field="month"), N_("the records of one filing are of one month"))
        )
    (month,) = months
    for number, record in enumerate(parsed, start=1):
        for digest in record.documents:
            if session.get(MarketDocument, digest) is None:
                problems.append(
                    Problem.of(
                        Place(row=number, field="documents"),
                        N_("no document {} is stored: upload it first"),
                        digest,
                    )
                )
    if problems:
        raise InputError(problems)
    plan = _plan_for(session, enterprise_id, month)
    filed = {_key(r) for r in parsed}  # a new record of a key replaces the stored one
    before = [r for r in _records(session, enterprise_id, month) if _key(r) not in filed]
    state = completeness(plan, month, [*before, *parsed], library_in_force(session), china_today())
    new = [p for p in state.problems if (p.place.row or 0) > len(before)]
    if new:
        raise InputError(
            [
                Problem(
                    Place(row=(p.place.row or 0) - len(before), field=p.place.field),
                    p.message,
                    p.template,
                    p.values,
                )
                for p in new
            ]
        )
    keep_records(session, parsed, actor.user_id)
    audit.record(
        session,
        actor.username,
        "market.evidence",
        "market_evidence",
        f"{enterprise_id}/{month.isoformat()[:7]}",
        after={"records": len(parsed)},
    )
    return month_evidence(session, actor, enterprise_id, month)


def _state(evidence: MonthEvidence) -> dict[str, Any]:
    return {
        "month": evidence.month.isoformat()[:7],
        "due": evidence.due.isoformat() if evidence.due else None,
        "days_left": evidence.days_left,
        "complete": evidence.complete,
        "overdue": evidence.overdue,
        "missing": list(evidence.missing),
        "problems": [p.message for p in evidence.problems],
        "warnings": [w.as_dict() for w in evidence.warnings],
    }


def month_evidence(
    session: Session, actor: Actor, enterprise_id: str, month: date, as_of: date | None = None
) -> dict[str, Any]:
    """The state of an enterprise's month: due date, days left, what is missing."""
    get_enterprise(session, actor, enterprise_id)
    month = month_start(month)
    plan = _plan_for(session, enterprise_id, month)
    state = completeness(
        plan,
        month,
        _records(session, enterprise_id, month),
        library_in_force(session),
        as_of or china_today(),
    )
    return {"enterprise_id": enterprise_id, **_state(state)}


def coverage(
    session: Session, actor: Actor, year: int, as_of: date | None = None
) -> dict[str, Any]:
    """Each enterprise of the market's sectors the caller sees: its plan of `year` (version),
    and per month of the year up to `as_of` whose evidence is due or filed, its state."""
    today = as_of or china_today()
    reference = library_in_force(session)
    enterprises = (
        session.execute(
            select(Enterprise).where(actor.visible()).order_by(Enterprise.enterprise_id)
        )
        .scalars()
        .all()
    )
    versions = dict(
        session.execute(
            select(MarketPlan.enterprise_id, func.max(MarketPlan.version))
            .where(MarketPlan.year == year)
            .group_by(MarketPlan.enterprise_id)
        ).all()
    )
    out = []
    for enterprise in enterprises:
        sector = sector_of(reference, enterprise.industry_code)
        if sector is None:
            continue
        months: list[dict[str, Any]] = []
        if enterprise.enterprise_id in versions:
            stored = _latest(session, enterprise.enterprise_id, year)
            assert stored is not None
            plan = QualityPlan.model_validate(stored.content)
            for number in range(1, 13):
                month = date(year, number, 1)
                if month > today:
                    break
                state = completeness(
                    plan,
                    month,
                    _records(session, enterprise.enterprise_id, month),
                    reference,
                    today,
                )
                if state.due is not None:
                    months.append(_state(state))
        out.append(
            {
                "enterprise_id": enterprise.enterprise_id,
                "name": enterprise.name,
                "sector": sector,
                "plan_version": versions.get(enterprise.enterprise_id),
                "months": months,
                "overdue": sum(m["overdue"] for m in months),
                "complete": sum(m["complete"] for m in months),
                "due": sum(m["due"] is not None and m["due"] <= today.isoformat() for m in months),
            }
        )
    return {"year": year, "as_of": today.isoformat(), "enterprises": out}
