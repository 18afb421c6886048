"""The opportunity register: the measures of a diagnosis, stored as proposed, then accepted,
implemented on a date, and verified against the enterprise's energy baseline when its meters
are in the lake.

States move forward only: proposed → accepted → implemented → verified (or rejected from
proposed or accepted). Verification is whole-facility (IPMVP option C): the baseline model of
the enterprise's daily energy on its drivers is fitted on the days before the measure was
implemented, the savings are those of the days from the implementation on (`monitoring.enpi`),
and the annualised saving is compared with the measure's expected energy saving. Other changes
of the same days count too: the verification says so. Every change is in the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.diagnosis.plant import Motor, PlantFile, diagnose, example_text, parse
from carbonpeak.errors import InputError, NotFoundError, PermissionDenied, Place, Problem
from carbonpeak.services.access import Actor
from carbonpeak.services.directory import candidates_for, entries_named
from carbonpeak.services.enterprises import get_enterprise, reachable
from carbonpeak.services.reference import reference_of
from carbonpeak.store import audit
from carbonpeak.store.models import Enterprise, Opportunity
from carbonpeak.store.models_green import DiagnosisMotor

STATES = ("proposed", "accepted", "implemented", "verified", "rejected")
NEXT = {
    "proposed": ("accepted", "rejected"),
    "accepted": ("implemented", "rejected"),
    "implemented": ("verified",),
    "verified": (),
    "rejected": (),
}
MIN_REPORTING_DAYS = 30
CHINA = timezone(timedelta(hours=8))  # the platform's days are China Standard Time


def _as_dict(row: Opportunity) -> dict[str, Any]:
    return {
        "opportunity_id": row.opportunity_id,
        "enterprise_id": row.enterprise_id,
        "measure_id": row.measure_id,
        "measure": row.measure,
        "description": row.description,
        "expected": row.expected,
        "state": row.state,
        "implemented_on": row.implemented_on.isoformat() if row.implemented_on else None,
        "verification": row.verification,
        "technology": row.technology,
    }


def example_plant(session: Session, actor: Actor) -> str:
    """The example plant file (`carbonpeak diagnose --example`) made the caller's own: its
    first enterprise with that enterprise's region, so that the register accepts it. The plain
    example for a caller with no enterprise, or whose first one is not registered yet;
    `NotFoundError` for a registered enterprise out of the caller's reach."""
    text = example_text()
    if not actor.enterprises:
        return text
    first = sorted(actor.enterprises)[0]
    if session.get(Enterprise, first) is None:
        return text
    found = get_enterprise(session, actor, first)
    data = yaml.safe_load(text)
    return text.replace(data["enterprise_id"], first).replace(
        f'region_code: "{data["region_code"]}"', f'region_code: "{found.region_code}"'
    )


def _writer(session: Session, actor: Actor, enterprise_id: str) -> None:
    get_enterprise(session, actor, enterprise_id)  # out of reach: not found
    if actor.role not in ("admin", "enterprise"):
        raise PermissionDenied("the enterprise (or the administrator) keeps its register")


def diagnose_plant(session: Session, plant: dict[str, Any]) -> dict[str, Any]:
    """Diagnose a plant file with the library in force (`reference_of`: the shipped tables,
    the authority's metering coverage rates and the approved editions); nothing stored. With
    `technologies`: the directory's candidate entries for each measure and equipment kind."""
    result = diagnose(parse(plant), reference_of(session))
    return result | {"technologies": candidates_for(session, _links(result))}


def _links(result: dict[str, Any]) -> set[str]:
    """The platform's words of a diagnosis the directory links to: its measures and the
    equipment kinds of its findings."""
    return {str(m["measure"]) for m in result.get("measures", [])} | {
        str(f["kind"]) for f in result.get("findings", [])
    }


def register_diagnosis(session: Session, actor: Actor, plant: dict[str, Any]) -> dict[str, Any]:
    """Diagnose a plant file (its equipment; no activity table) with the library in force
    (`diagnose_plant`) and store each measure as proposed; the diagnosis with the new
    opportunity ids. The plant's motors are kept too (its equipment inventory, replacing the
    motors of an earlier registration of the same year), for the green wing's motor shares."""
    parsed = parse(plant)
    _writer(session, actor, parsed.enterprise_id)
    result = diagnose(parsed, reference_of(session))
    _keep_motors(session, actor, parsed, result["findings"])
    result["technologies"] = candidates_for(session, _links(result))
    ids = []
    for measure in result["measures"]:
        expected = {
            k: measure.get(k)
            for k in (
                "energy_tce",
                "co2_t",
                "cost_saving_yuan",
                "capital_cost_yuan",
                "lifetime_years",
                "simple_payback_years",
                "npv_yuan",
                "irr",
                "mac_yuan_per_t",
                "savings",
                "name",
                "description_text",
                "description_values",
            )
        }
        row = Opportunity(
            enterprise_id=parsed.enterprise_id,
            measure_id=measure["measure_id"][:200],
            measure=measure["measure"],
            description=measure["description"],
            expected=expected,
            state="proposed",
            created_by=actor.user_id,
        )
        session.add(row)
        session.flush()
        ids.append(row.opportunity_id)
        audit.record(
            session,
            actor.username,
            "opportunity.propose",
            "opportunity",
            str(row.opportunity_id),
            after=_as_dict(row),
        )
    return {**result, "opportunity_ids": ids}


def _keep_motors(
    session: Session, actor: Actor, parsed: PlantFile, findings: list[dict[str, Any]]
) -> None:
    """The plant's motors as the calculator found them (findings are in equipment order)."""
    earlier = session.scalars(
        select(DiagnosisMotor).where(
            DiagnosisMotor.enterprise_id == parsed.enterprise_id,
            DiagnosisMotor.year == parsed.year,
        )
    ).all()
    for row in earlier:
        session.delete(row)
    kept = []
    for item, finding in zip(parsed.equipment, findings, strict=True):
        if not isinstance(item, Motor):
            continue
        state = finding["state"]
        session.add(
            DiagnosisMotor(
                enterprise_id=parsed.enterprise_id,
                year=parsed.year,
                equipment=item.id,
                rated_kw=item.rated_kw,
                poles=item.poles,
                efficiency=state["efficiency"],
                efficiency_given=item.efficiency is not None,
                grade=state["grade"],
                load=item.load,
                hours=item.hours,
                created_by=actor.user_id,
            )
        )
        kept.append({"equipment": item.id, "grade": state["grade"]})
    session.flush()
    if kept or earlier:
        audit.record(
            session,
            actor.username,
            "diagnosis.motors",
            "enterprise",
            parsed.enterprise_id,
            before={"year": parsed.year, "motors": len(earlier)},
            after={"year": parsed.year, "motors": kept},
        )


def list_opportunities(
    session: Session, actor: Actor, state: str | None = None
) -> list[dict[str, Any]]:
    """The register of the enterprises the actor can see, newest first, each with its
    `enterprise_name` (from the same query)."""
    query = (
        select(Opportunity, Enterprise.name)
        .join(Enterprise, Enterprise.enterprise_id == Opportunity.enterprise_id)
        .where(actor.visible())
        .order_by(Opportunity.opportunity_id.desc())
    )
    if state is not None:
        query = query.where(Opportunity.state == state)
    found = [_as_dict(r) | {"enterprise_name": name} for r, name in session.execute(query).all()]
    # the directory's entry a measure used, by name (labelled illustrative, or withdrawn)
    named = entries_named(session, [o["technology"] for o in found if o["technology"]])
    for o in found:
        o["technology_entry"] = named.get(o["technology"]) if o["technology"] else None
    return found


def _get(session: Session, actor: Actor, opportunity_id: int) -> Opportunity:
    row = session.get(Opportunity, opportunity_id)
    if row is None or not reachable(session, actor, row.enterprise_id):
        raise NotFoundError(f"no opportunity {opportunity_id}")
    _writer(session, actor, row.enterprise_id)
    return row


def advance(
    session: Session,
    actor: Actor,
    opportunity_id: int,
    state: str,
    implemented_on: date | None = None,
) -> dict[str, Any]:
    """Move a measure to its next state (`implemented` needs the date it was implemented);
    `verified` only by `verify`."""
    row = _get(session, actor, opportunity_id)
    if state == "verified":
        raise InputError([Problem(Place(field="state"), "a measure is verified by its meters")])
    if state not in NEXT[row.state]:
        allowed = ", ".join(s for s in NEXT[row.state] if s != "verified") or "none"
        raise InputError(
            [
                Problem(
                    Place(field="state"), f"{row.state} → {state} is not allowed (next: {allowed})"
                )
            ]
        )
    if state == "implemented":
        if implemented_on is None:
            raise InputError([Problem(Place(field="implemented_on"), "give the date")])
        if implemented_on > datetime.now(CHINA).date():
            raise InputError([Problem(Place(field="implemented_on"), "in the future")])
    before = _as_dict(row)
    row.state = state
    row.implemented_on = implemented_on if state == "implemented" else row.implemented_on
    row.updated_at = datetime.now(UTC)
    session.flush()
    after = _as_dict(row)
    audit.record(
        session,
        actor.username,
        f"opportunity.{state}",
        "opportunity",
        str(opportunity_id),
        before=before,
        after=after,
    )
    return after


def verify(session: Session, actor: Actor, opportunity_id: int, lake: Path) -> dict[str, Any]:
    """Verify an implemented measure against the enterprise's daily energy baseline."""
    from carbonpeak.services.monitoring import enterprise_monitoring

    row = _get(session, actor, opportunity_id)
    if row.state != "implemented" or row.implemented_on is None:
        raise InputError(
            [Problem(Place(field="state"), f"the measure is {row.state}, not implemented")]
        )
    view = enterprise_monitoring(
        session,
        actor,
        row.enterprise_id,
        lake,
        baseline=(date(1900, 1, 1), row.implemented_on - timedelta(days=1)),
    )
    if view.model is None or view.start is None or view.end is None:
        raise InputError(
            [Problem(Place(field="lake"), "no meter readings and drivers of the enterprise")]
        )
    if view.refused:
        raise InputError(
            [Problem(Place(field="baseline"), f"baseline model refused: {view.refused}")]
        )
    # the days with energy and drivers since the implementation, not the calendar days
    reporting_days = int(view.savings["n"]) if view.savings is not None else 0
    if view.savings is None or reporting_days < MIN_REPORTING_DAYS:
        raise InputError(
            [
                Problem(
                    Place(field="implemented_on"),
                    f"{reporting_days} days with readings since the implementation: "
                    f"at least {MIN_REPORTING_DAYS} are needed",
                )
            ]
        )
    saved = float(view.savings["savings"])
    annual = saved * 365 / reporting_days
    expected = float(row.expected.get("energy_tce") or 0.0)
    verification = {
        "method": "whole facility (IPMVP option C): daily energy_tce on " + ", ".join(view.drivers),
        "baseline": [view.start.isoformat(), (row.implemented_on - timedelta(days=1)).isoformat()],
        "reporting": [row.implemented_on.isoformat(), view.end.isoformat()],
        "reporting_days": reporting_days,
        "saved_tce": saved,
        "annualised_tce": annual,
        "expected_tce": expected,
        "realisation": annual / expected if expected > 0 else None,
        "fsu": view.savings.get("fsu"),
        "model": {k: view.model.get(k) for k in ("r2", "cvrmse", "nmbe", "valid")},
        "note": "every change of the reporting days counts, not this measure alone",
    }
    before = _as_dict(row)
    row.verification = verification
    row.state = "verified"
    row.updated_at = datetime.now(UTC)
    session.flush()
    after = _as_dict(row)
    audit.record(
        session,
        actor.username,
        "opportunity.verify",
        "opportunity",
        str(opportunity_id),
        before=before,
        after=after,
    )
    return after
