"""The regulator's overview: energy and emissions within a caller's scope, by year, by industry
division and by region, from each enterprise-period's official accounts: restated with the
reference library in force (the approved editions included), or as reported (the stored
results, each with the library it was computed with); `services.reference_restate`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import industry_name, region_name
from carbonpeak.services.memo import kept
from carbonpeak.services.reference import library_in_force
from carbonpeak.services.reference_restate import (
    Basis,
    computed_otherwise,
    restated_totals,
    roll_up,
)

OVERVIEW_FIGURES = ("energy_tce", "co2_t", "co2e_t")


def overview_tables(
    session: Session, actor: Actor, english: bool, basis: Basis = "restated"
) -> dict[str, list[dict[str, Any]]]:
    """Energy and emissions within the caller's scope: by year; by industry division and by
    region in the latest year (each row with a key, a label, its enterprises and figures).

    Computed once per store state (`services.memo.kept`: per caller scope, language and audit
    head; every write to the store moves the head), so a regulator's home answers from memory
    until the figures change. Each caller gets its own copy."""
    return kept(
        session,
        actor,
        "overview",
        (english, basis),
        lambda: _compute(session, actor, english, basis),
    )


def _compute(
    session: Session, actor: Actor, english: bool, basis: Basis
) -> dict[str, list[dict[str, Any]]]:
    reference = library_in_force(session)
    restating = basis == "restated" and computed_otherwise(session, actor, reference.digest) > 0
    # one accounting of the reports for the three roll-ups, when they are restated
    restated = restated_totals(session, actor, reference) if restating else None

    def roll_up_visible(
        session: Session, actor: Actor, by: str, year: str | None = None
    ) -> list[dict[str, Any]]:
        return roll_up(session, actor, reference, by=by, year=year, basis=basis, restated=restated)

    by_year: dict[str, dict[str, Any]] = {}
    reporting: dict[tuple[str, str], int] = {}  # enterprises per (year, period), all provinces
    for row in roll_up_visible(session, actor, by="province_code"):
        year = str(row["period"])[:4]
        entry = by_year.setdefault(year, {"key": year, "label": year})
        reporting[(year, str(row["period"]))] = reporting.get((year, str(row["period"])), 0) + int(
            row["enterprises"]
        )
        for figure in OVERVIEW_FIGURES:
            entry[figure] = entry.get(figure, 0.0) + float(row[figure])
    for (year, _period), count in reporting.items():
        by_year[year]["enterprises"] = max(by_year[year].get("enterprises", 0), count)
    years = [by_year[y] for y in sorted(by_year)]
    latest = years[-1]["key"] if years else None
    out: dict[str, list[dict[str, Any]]] = {"year": years, "industry": [], "region": []}
    if latest is None:
        return out
    names: tuple[tuple[str, str, Callable[[str, bool], str]], ...] = (
        ("industry", "industry_division", industry_name),
        ("region", "region_code", region_name),
    )
    for view, by, name in names:
        groups: dict[str, dict[str, Any]] = {}
        for row in roll_up_visible(session, actor, by=by, year=latest):
            code = str(row[by])
            entry = groups.setdefault(
                code, {"key": code, "label": name(code, english), "enterprises": 0}
            )
            entry["enterprises"] = max(entry["enterprises"], int(row["enterprises"]))
            for figure in OVERVIEW_FIGURES:
                entry[figure] = entry.get(figure, 0.0) + float(row[figure])
        out[view] = sorted(groups.values(), key=lambda e: -e["co2e_t"])
    return out
