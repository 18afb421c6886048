"""Monthly evidence (月度信息化存证) of the national carbon market in the store (issue 21,
part 2), and the coverage of plans and evidence.

- Documents kept once by their SHA-256, and records of a parameter's value with the documents
  that prove it (or the documents of a guideline item); the month is checked as a whole with
  the new records, and a record the check refuses (a measured value without its document, a
  parameter not in the plan, a month outside the plan's year) writes nothing.
- Coverage: for each enterprise of the market's sectors the caller sees, its plan of the year
  (and the items of its activity of the year the plan has no row for) and, per month due so
  far, whether its evidence is complete, missing or overdue.

An enterprise files its own; the administrator may file for any; regulators read."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.domain.days import china_today
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.market.evidence import (
    EvidenceRecord,
    MonthEvidence,
    completeness,
    due_date,
    month_start,
)
from carbonpeak.market.plans import QualityPlan
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import get_enterprise
from carbonpeak.services.market import market_enterprise, sector_of
from carbonpeak.services.market_plans import files_for, latest_plan, missing_sources
from carbonpeak.services.reference import library_in_force
from carbonpeak.store import audit
from carbonpeak.store.models import Enterprise
from carbonpeak.store.models_market import MarketDocument, MarketEvidence, MarketPlan

MAX_DOCUMENT_BYTES = 20 * 2**20


def store_document(
    session: Session, actor: Actor, enterprise_id: str, name: str, media_type: str, content: bytes
) -> dict[str, Any]:
    """Keep a document of the evidence once by its SHA-256 (the same bytes again: the same)."""
    get_enterprise(session, actor, enterprise_id)
    files_for(actor, enterprise_id)
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
    stored = latest_plan(session, enterprise_id, month.year)
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
    market_enterprise(session, actor, enterprise_id)
    files_for(actor, enterprise_id)
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
        missing: list[str] = []
        if enterprise.enterprise_id in versions:
            stored = latest_plan(session, enterprise.enterprise_id, year)
            assert stored is not None
            plan = QualityPlan.model_validate(stored.content)
            missing = [str(p.values[0]) for p in missing_sources(session, actor, plan, reference)]
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
        else:  # the months fall due all the same, and none can be complete without a plan
            months = _unplanned(reference, sector, year, today)
        out.append(
            {
                "enterprise_id": enterprise.enterprise_id,
                "name": enterprise.name,
                "sector": sector,
                "plan_version": versions.get(enterprise.enterprise_id),
                "sources_missing": missing,
                "months": months,
                "overdue": sum(m["overdue"] for m in months),
                "complete": sum(m["complete"] for m in months),
                "due": sum(m["due"] is not None and m["due"] <= today.isoformat() for m in months),
            }
        )
    # the most overdue first, then those without a plan, then by code
    out.sort(key=lambda e: (-e["overdue"], e["plan_version"] is not None, e["enterprise_id"]))
    return {"year": year, "as_of": today.isoformat(), "enterprises": out}


def _unplanned(reference: Reference, sector: str, year: int, today: date) -> list[dict[str, Any]]:
    """The months of `year` up to `today` whose evidence falls due (`market_evidence_deadlines`)
    for an enterprise that filed no plan of the year: none complete, overdue once past due."""
    months = []
    for number in range(1, 13):
        month = date(year, number, 1)
        if month > today:
            break
        due, _ = due_date(reference, sector, month)
        if due is None:
            continue
        months.append(
            {
                "month": month.isoformat()[:7],
                "due": due.isoformat(),
                "days_left": (due - today).days,
                "complete": False,
                "overdue": due < today,
                "missing": [],
                "problems": [],
                "warnings": [],
            }
        )
    return months
