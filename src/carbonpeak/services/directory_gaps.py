"""The directory's links to the register and the grades: the register's measures of an
entry's links (the open ones are gaps; done ones may record their use), the units whose latest
grade is below the benchmark level, and the measures that used an entry with what their meters
verified (`services.directory`'s entry page)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.diagnosis.equipment import MEASURE_NAMES
from carbonpeak.directory.catalogue import Technology
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting_versions import grades_visible, roll_up_visible
from carbonpeak.store.models import Enterprise, Opportunity

OPEN = ("proposed", "accepted")  # a register's measure not yet done: a gap
BELOW_BENCHMARK = ("baseline", "below_baseline")


def _register(session: Session, actor: Actor) -> Any:
    return (
        select(Opportunity, Enterprise.name)
        .join(Enterprise, Enterprise.enterprise_id == Opportunity.enterprise_id)
        .where(actor.visible())
        .order_by(Opportunity.enterprise_id, Opportunity.opportunity_id)
    )


def measures_of(
    session: Session, actor: Actor, entry: Technology, states: tuple[str, ...] = OPEN
) -> list[dict[str, Any]]:
    """The register's measures of the entry's links in `states` (open ones: the gaps)."""
    query = _register(session, actor).where(
        Opportunity.measure.in_(entry.links), Opportunity.state.in_(states)
    )
    return [
        {
            "opportunity_id": o.opportunity_id,
            "enterprise_id": o.enterprise_id,
            "enterprise_name": name,
            "measure": o.measure,
            "measure_name": MEASURE_NAMES.get(o.measure, o.measure),
            "measure_id": o.measure_id,
            "state": o.state,
            "technology": o.technology,
            "expected_tce": (o.expected or {}).get("energy_tce"),
        }
        for o, name in session.execute(query).all()
    ]


def latest_grades(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The latest stored grade of each visible enterprise and area, whatever its year (as the
    home page's units below the baseline: a unit graded below the benchmark level stays there
    until a newer report grades it again; a year of accounts without grades changes nothing)."""
    years = sorted({str(r["period"])[:4] for r in roll_up_visible(session, actor)})
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for year in years:
        for row in grades_visible(session, actor, year):
            key = (str(row.get("enterprise_id")), str(row.get("area")))
            if key not in latest or str(row.get("period")) >= str(latest[key].get("period")):
                latest[key] = row
    return sorted(latest.values(), key=lambda r: (str(r.get("area")), str(r["enterprise_id"])))


def gaps_of(session: Session, actor: Actor, entry: Technology) -> list[dict[str, Any]]:
    """The enterprises with an open measure of the entry's links, or a unit of one of its
    areas whose latest grade is below the benchmark level (`latest_grades`)."""
    gaps: dict[str, dict[str, Any]] = {}
    for measure in measures_of(session, actor, entry):
        gap = gaps.setdefault(
            measure["enterprise_id"],
            {"enterprise_id": measure["enterprise_id"], "name": measure["enterprise_name"],
             "measures": [], "units": []},
        )  # fmt: skip
        gap["measures"].append(measure["measure"])
        gap.setdefault("measure_names", []).append(measure["measure_name"])
    for row in latest_grades(session, actor):
        if row.get("area") in entry.links and row.get("grade") in BELOW_BENCHMARK:
            gap = gaps.setdefault(
                str(row["enterprise_id"]),
                {"enterprise_id": str(row["enterprise_id"]), "name": row.get("name"),
                 "measures": [], "units": []},
            )  # fmt: skip
            gap["units"].append(
                {
                    "area": row["area"],
                    "period": row.get("period"),
                    "grade": row["grade"],
                    "indicator_value": row.get("indicator_value"),
                    "unit": row.get("unit"),
                }
            )
    for gap in gaps.values():
        gap["measures"] = sorted(set(gap["measures"]))
        gap["measure_names"] = sorted(set(gap.get("measure_names", [])))
    return sorted(gaps.values(), key=lambda g: str(g["enterprise_id"]))


def uses(session: Session, actor: Actor, entry: Technology) -> list[dict[str, Any]]:
    query = _register(session, actor).where(Opportunity.technology == entry.key)
    out = []
    for o, name in session.execute(query).all():
        verification = o.verification or {}
        out.append(
            {
                "opportunity_id": o.opportunity_id,
                "enterprise_id": o.enterprise_id,
                "enterprise_name": name,
                "measure": o.measure,
                "measure_name": MEASURE_NAMES.get(o.measure, o.measure),
                "measure_id": o.measure_id,
                "state": o.state,
                "implemented_on": o.implemented_on.isoformat() if o.implemented_on else None,
                "expected_tce": (o.expected or {}).get("energy_tce"),
                "verified_tce": verification.get("annualised_tce"),
                "realisation": verification.get("realisation"),
                "verification_method": verification.get("method"),
            }
        )
    return out
