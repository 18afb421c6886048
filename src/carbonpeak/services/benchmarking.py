"""The industry view of a regulator, from the stored grades: how the graded units of each
efficiency area stand against the benchmark and baseline levels, which are below the baseline
and by when they must be upgraded, and every unit of an area ranked; and the regional summary
that puts these beside the overview."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak.benchmarking.carbon_efficiency import REQUIRED
from carbonpeak.benchmarking.carbon_efficiency import grade as carbon_grade
from carbonpeak.domain.days import china_today
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting_versions import (
    grades_of,
    grades_visible,
    official_year,
    roll_up_visible,
)
from carbonpeak.services.directory import candidates_in
from carbonpeak.services.memo import kept
from carbonpeak.services.overview import overview_tables
from carbonpeak.services.reference import library_in_force

GRADES = ("benchmark", "baseline", "below_baseline")
INDUSTRY_DIGITS = 2  # the industry of the mean: a GB/T 4754 division (DB33/T 1347's press: 38)


def carbon_efficiency(session: Session, actor: Actor, year: int) -> dict[str, Any]:
    """The carbon-efficiency grade (碳效码, the Zhejiang method) of each enterprise the caller
    may see for `year`, from the official accounts that carry a value added. The industry
    means are taken over every enterprise of the platform in the division, seen or not (the
    grade of one enterprise must not depend on who looks at it); only the caller's
    enterprises are listed."""
    rows = official_year(session, year)
    if not rows:
        return {"year": year, "mean": "weighted", "results": [], "industries": [],
                "warnings": [], "references": []}  # fmt: skip
    frame = pd.DataFrame(rows)
    graded = carbon_grade(
        frame.loc[:, list(REQUIRED)], library_in_force(session), industry_digits=INDUSTRY_DIGITS
    )
    regions = dict(zip(frame["enterprise_id"], frame["region_code"], strict=True))
    result = graded.as_dict()
    result["results"] = [
        r for r in result["results"]
        if actor.can_see(str(r["enterprise_id"]), regions[str(r["enterprise_id"])])
    ]  # fmt: skip
    shown = {str(r["industry_code"]) for r in result["results"]}
    # an industry's mean is shown with an enterprise of it the caller sees (a division of
    # one enterprise would otherwise show another's intensity)
    result["industries"] = [i for i in result["industries"] if str(i["industry_code"]) in shown]
    return {"year": year, **result}


def industry_view(
    session: Session, actor: Actor, year: str | None, area: str | None, english: bool
) -> dict[str, Any]:
    """`industry_tables` of a year with accounts (the chosen one, else the latest), with the
    years to choose from; computed once per store state, caller scope and question."""
    return kept(
        session,
        actor,
        "industry_view",
        (year, area, english),
        lambda: _industry_view(session, actor, year, area, english),
    )


def _industry_view(
    session: Session, actor: Actor, year: str | None, area: str | None, english: bool
) -> dict[str, Any]:
    years = sorted({str(r["period"])[:4] for r in roll_up_visible(session, actor)})
    chosen = year if year in years else (years[-1] if years else None)
    graded = grades_visible(session, actor, chosen) if chosen else []
    reference = library_in_force(session)
    return industry_tables(graded, area, english, reference) | {"years": years, "year": chosen}


def region_summary(session: Session, actor: Actor, english: bool) -> dict[str, Any]:
    """What the regional summary report holds: the overview tables, their latest year, and the
    grades by area with the units below the baseline in that year."""
    tables = overview_tables(session, actor, english)
    year = tables["year"][-1]["key"] if tables["year"] else ""
    graded = grades_visible(session, actor, year) if year else []
    industry = industry_tables(graded, None, english, library_in_force(session))
    return {
        "tables": tables,
        "year": year,
        "grades": industry["counts"],
        "below": industry["below"],
    }


def below_benchmark_candidates(
    reference: Reference, grades: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """The directory's entries (`candidates_in`) for the areas of the grades below the
    benchmark level (baseline or below the baseline): an enterprise's candidate technologies."""
    below = {str(g["area"]) for g in grades if g.get("grade") in ("baseline", "below_baseline")}
    return candidates_in(reference, below)


def enterprise_grades(
    session: Session, actor: Actor, enterprise_id: str, period: str | None = None
) -> dict[str, Any]:
    """An enterprise's grades (`grades_of`) with the directory's candidate technologies of the
    areas graded below the benchmark level, by area."""
    results = grades_of(session, actor, enterprise_id, period)
    return {
        "results": results,
        "technologies": below_benchmark_candidates(library_in_force(session), results),
    }


def industry_tables(
    graded: list[dict[str, Any]], area: str | None, english: bool, reference: Reference
) -> dict[str, Any]:
    """Counts by area and grade (the area with the most units first), the units below the
    baseline with their deadlines (`upgrade_deadlines` of `reference`, the library in force),
    and the ranking of one area (the chosen one, else the one with the most units)."""
    names = {
        str(r["area"]): str(r["name_en"] if english else r["name_zh"])
        for r in reference.rows("efficiency_levels")
    }
    deadlines = {str(r["area"]): r["deadline"] for r in reference.rows("upgrade_deadlines")}
    counts: dict[str, dict[str, int]] = {}
    for row in graded:
        if row.get("grade") in GRADES:
            by_grade = counts.setdefault(str(row["area"]), dict.fromkeys(GRADES, 0))
            by_grade[str(row["grade"])] += 1
    areas = sorted(counts, key=lambda a: -sum(counts[a].values()))
    today = china_today()
    below = []
    for row in graded:
        if row.get("grade") != "below_baseline":
            continue
        deadline = deadlines.get(str(row["area"]))
        below.append(
            {
                **row,
                "area_name": names.get(str(row["area"]), str(row["area"])),
                "deadline": deadline.isoformat() if isinstance(deadline, date) else None,
                "days_left": (deadline - today).days if isinstance(deadline, date) else None,
            }
        )
    below.sort(key=lambda r: -(r.get("saving_potential_tce") or 0.0))
    chosen = area if area in counts else (areas[0] if areas else None)
    ranked = sorted(
        (r for r in graded if r["area"] == chosen and r.get("indicator_value") is not None),
        key=lambda r: float(r["indicator_value"]),
    )
    gaps = {str(r["area"]) for r in below} | {
        str(r["area"]) for r in ranked if r.get("grade") in ("baseline", "below_baseline")
    }
    return {
        "counts": [
            {"area": a, "name": names.get(a, a), **counts[a], "total": sum(counts[a].values())}
            for a in areas
        ],
        "technologies": candidates_in(reference, gaps),
        "below": below,
        "area": chosen,
        "area_name": names.get(chosen or "", chosen),
        "ranked": ranked,
    }
