"""Screening of "two-high" (高耗能、高排放) projects: is the project in a two-high industry; does
its designed unit energy consumption reach the benchmark level (标杆) in force for its area; who
decides on it (NDRC window guidance from a threshold of new energy use, else the province); do
its energy use and CO2 fit the region's remaining budgets. The verdict lists every check with
its source; a project outside the two-high industries is not screened further.

Rules: `two_high_industries` (by GB/T 4754-2017 code prefix), `efficiency_levels` (benchmark
and baseline of each area, by edition), `policy_parameters` (the window-guidance threshold).
New projects (planned or under construction) are to be designed to the benchmark level; an
existing unit below the baseline must be upgraded or closed by its area's deadline
(`upgrade_deadlines`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from carbonpeak.domain.schema import Day, Real, problems_of
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.policy.verdict import Check, Verdict
from carbonpeak.reference.loader import Reference, ReferenceLookupError


class Project(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = ""
    region_code: str = Field(pattern=r"^\d{6}$")
    industry_code: str = Field(pattern=r"^\d{2,4}$")
    application_date: Day
    status: Literal["planned", "under_construction", "existing"] = "planned"
    area: str | None = Field(default=None, description="efficiency area (efficiency_levels)")
    unit_energy: Real | None = Field(
        default=None, gt=0, description="designed unit energy, in the area's unit"
    )
    annual_energy_tce: Real = Field(ge=0, description="new energy use a year, tce")
    annual_co2_t: Real | None = Field(default=None, ge=0)
    # a remaining budget may be below 0 (a region past its allowance)
    remaining_energy_budget_tce: Real | None = Field(default=None, description="the region's")
    remaining_co2_budget_t: Real | None = None


def parse(data: Any, reference: Reference) -> Project:
    problems: list[Problem] = []
    project = None
    try:
        project = Project.model_validate(data)
    except ValidationError as error:
        problems = problems_of(error)
    if project is not None:
        problems = known_problems(project, reference)
    if problems or project is None:
        raise InputError(problems)
    return project


def known_problems(
    project: Project, reference: Reference, unit_energy_needed: bool = True
) -> list[Problem]:
    """The problems of a valid project against the reference: an unknown region, industry or
    efficiency area, and (`unit_energy_needed`) an area without the designed unit energy."""
    problems: list[Problem] = []
    known = {str(r["region_code"]) for r in reference.rows("regions")}
    code = project.region_code
    if not ({code, code[:4] + "00", code[:2] + "0000"} & known):
        problems.append(Problem(Place(field="region_code"), f"unknown region code {code!r}"))
    industries = {str(r["industry_code"]) for r in reference.rows("industries")}
    if project.industry_code not in industries:
        problems.append(
            Problem(
                Place(field="industry_code"),
                f"{project.industry_code!r} is not a GB/T 4754-2017 code",
            )
        )
    if project.area is not None:
        areas = {str(r["area"]) for r in reference.rows("efficiency_levels")}
        if project.area not in areas:
            problems.append(
                Problem(Place(field="area"), f"unknown efficiency area {project.area!r}")
            )
        if project.unit_energy is None and unit_energy_needed:
            problems.append(Problem(Place(field="unit_energy"), "give the designed unit energy"))
    return problems


def judge(project: Project, reference: Reference) -> Verdict:
    """The verdict (`approve`, `refuse`, or `not screened` outside the two-high industries;
    compliant unless `refuse`), the route, and every check with its source."""
    rows = reference.rows("two_high_industries")
    code = project.industry_code
    match = next((r for r in rows if code.startswith(str(r["industry_code"]))), None)
    checks: list[Check] = []
    warnings: list[ResultWarning] = []
    if match is None:
        return Verdict(
            True,
            [],
            [warn("policy.two_high.not_two_high")],
            {"name": project.name, "two_high": False, "verdict": "not screened", "route": None},
        )
    checks.append(
        Check(
            "two-high industry",
            True,
            f"{code} falls in {match['industry_code']} {match['name_zh']}",
            str(match["source_id"]),
        )
    )
    day = project.application_date
    if project.area is not None and project.unit_energy is not None:
        try:
            benchmark = reference.lookup(
                "efficiency_levels", "benchmark", as_of=day, area=project.area
            )
            baseline = reference.lookup(
                "efficiency_levels", "baseline", as_of=day, area=project.area
            )
        except ReferenceLookupError as missing:
            raise InputError([Problem(Place(field="area"), str(missing))]) from None
        edition = benchmark.provenance
        if not edition.verified:
            warnings.append(
                warn("policy.two_high.levels_unverified", area=project.area, day=day.isoformat())
            )
        if project.status == "existing":
            passed = project.unit_energy <= baseline.value
            deadline = reference.rows("upgrade_deadlines", area=project.area)
            detail = (
                f"{project.unit_energy:g} {baseline.unit} against the baseline {baseline.value:g}"
            )
            if not passed and deadline:
                detail += f": upgrade or close by {deadline[0]['deadline']}"
            checks.append(
                Check(
                    "an existing unit at least at the baseline level",
                    passed,
                    detail,
                    edition.source_id,
                )
            )
        else:
            checks.append(
                Check(
                    "a new project designed to the benchmark level",
                    project.unit_energy <= benchmark.value,
                    f"designed {project.unit_energy:g} {benchmark.unit} against the "
                    f"benchmark {benchmark.value:g}",
                    edition.source_id,
                )
            )
    else:
        warnings.append(warn("policy.two_high.no_area"))
    threshold_rows = reference.rows(
        "policy_parameters", as_of=day, parameter="two_high_window_guidance_tce"
    )
    route = "province"
    if threshold_rows:
        threshold = float(threshold_rows[0]["value"])  # type: ignore[arg-type]
        if project.annual_energy_tce >= threshold:
            route = "NDRC window guidance"
    for budget, use, label, unit in (
        (project.remaining_energy_budget_tce, project.annual_energy_tce, "energy", "tce"),
        (project.remaining_co2_budget_t, project.annual_co2_t, "CO2", "t"),
    ):
        if budget is None:
            warnings.append(warn("policy.two_high.no_budget", budget=label))
        elif use is not None:
            checks.append(
                Check(
                    f"{label} use within the region's remaining budget",
                    use <= budget,
                    f"{use:,.0f} {unit} against {budget:,.0f} {unit} remaining",
                    "input",
                )
            )
    approved = all(c.passed for c in checks)
    return Verdict(
        approved,
        checks,
        warnings,
        {
            "name": project.name,
            "two_high": True,
            "verdict": "approve" if approved else "refuse",
            "route": route,
        },
    )
