"""The carbon assessment of a fixed-asset investment project (碳排放评价), the carbon section of
its energy review under NDRC Order 2025 No. 31 (in force 2025-09-01; source `ndrc_o31`, read
in a secondary transcription, so unverified): the project's CO2 total and its structure by
source, its unit-product energy and CO2 against the levels the reference has, its CO2 per
value added, its effect on the region's CO2 budget and CO2 intensity, who reviews it, and the
two-high screen (`policy.two_high`) as one part. It is the `project` instrument.

Energy use is given as activity lines (stream, item, amount, unit: the accounting engine's
words) and accounted through `carbonpeak.benchmarking.grades.grade` (which runs
`accounting.engine.account` with electricity at its equivalent value, as Order 31 Art. 8 counts
it) for one pseudo-enterprise (a synthetic USCC in the project's region) and one period, the
application's month. A project given as a two-high body (`annual_energy_tce`, no lines) is
judged as the two-high screen judged it, with warnings for what the assessment misses.

The verdict's detail names the figures other parts read: `co2_t` (the project's CO2 a year,
t; None when neither lines nor `annual_co2_t` are given), `energy_tce`, `co2_by_source_t`,
`region_budget` (remaining before and after), `region_intensity`, `unit_product`, `review`.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from carbonpeak.accounting.activity import check_activity
from carbonpeak.domain.schema import Real, problems_of
from carbonpeak.domain.uscc import make_uscc
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.policy import two_high
from carbonpeak.policy.project_figures import (
    SOURCE,
    Figures,
    account_project,
    intensity_check,
    review_of,
    unit_product_checks,
)
from carbonpeak.policy.verdict import Check, Verdict
from carbonpeak.reference.loader import Reference


class EnergyLine(BaseModel):
    """One energy carrier the project uses a year, in the activity table's words."""

    model_config = ConfigDict(extra="forbid")
    stream: Literal["fuel", "electricity", "heat", "feedstock", "process"]
    item: str
    amount: Real = Field(ge=0)
    unit: str = Field(default="", description="blank: the item's default unit")
    direction: Literal["in", "out"] = "in"
    ncv: Real | None = Field(default=None, gt=0)
    ncv_unit: str | None = None
    carbon_content_tc_per_gj: Real | None = Field(default=None, gt=0)
    oxidation_rate: Real | None = Field(default=None, gt=0, le=1)


class Output(BaseModel):
    """The project's main product a year."""

    model_config = ConfigDict(extra="forbid")
    item: str
    amount: Real = Field(gt=0)
    unit: str = Field(default="", description="blank: the item's default unit")


class RegionBudget(BaseModel):
    """The region's CO2 budget of the year: its cap, what is used and already committed."""

    model_config = ConfigDict(extra="forbid")
    cap_t: Real = Field(ge=0)
    used_t: Real = Field(ge=0)
    committed_t: Real = Field(default=0.0, ge=0)


class ProjectAssessment(two_high.Project):
    """A two-high project body plus what the carbon assessment reads (all optional)."""

    annual_energy_tce: Real | None = Field(  # type: ignore[assignment]
        default=None, ge=0, description="new energy use a year, tce (or give `energy`)"
    )
    energy: list[EnergyLine] = Field(default_factory=list)
    output: Output | None = None
    annual_coal_t: Real | None = Field(default=None, ge=0, description="coal used a year, t")
    value_added_10k_yuan: Real | None = Field(default=None, gt=0)
    region_budget: RegionBudget | None = None
    region_value_added_10k_yuan: Real | None = Field(default=None, gt=0)
    region_co2_t: Real | None = Field(default=None, ge=0)
    region_co2_intensity_target: Real | None = Field(
        default=None, gt=0, description="t CO2 per 10^4 yuan of value added"
    )


def parse(data: Any, reference: Reference) -> ProjectAssessment:
    """The project, every problem at once (`InputError`), each at its field."""
    try:
        project = ProjectAssessment.model_validate(data)
    except ValidationError as error:
        raise InputError(problems_of(error)) from None
    computed = _computed_area(project, reference)
    problems = two_high.known_problems(project, reference, unit_energy_needed=computed is None)
    if project.energy and project.annual_energy_tce is not None:
        problems.append(
            Problem(
                Place(field="annual_energy_tce"),
                "give the energy use as lines (energy) or as annual_energy_tce, not both",
            )
        )
    if not project.energy and project.annual_energy_tce is None:
        problems.append(
            Problem(
                Place(field="annual_energy_tce"),
                "give the energy use: energy lines or annual_energy_tce",
            )
        )
    if project.energy and project.annual_co2_t is not None:
        problems.append(
            Problem(
                Place(field="annual_co2_t"),
                "computed from the energy lines: leave it out",
            )
        )
    if computed is not None and project.unit_energy is not None:
        problems.append(
            Problem(
                Place(field="unit_energy"),
                "computed from the energy lines and the output: leave it out",
            )
        )
    if project.area is not None and project.output is not None:
        product = _area_products(reference).get(project.area)
        if product is not None and product != project.output.item:
            problems.append(
                Problem(
                    Place(field="output.item"),
                    f"area {project.area!r} measures {product!r}, not {project.output.item!r}",
                )
            )
    if project.energy:
        problems += _placed(check_activity(_activity(project, reference), reference), project)
    if project.region_budget is not None and not project.energy and project.annual_co2_t is None:
        problems.append(
            Problem(
                Place(field="region_budget"),
                "give the energy lines or annual_co2_t to weigh the project against the budget",
            )
        )
    if (
        project.region_value_added_10k_yuan is not None
        and project.region_co2_t is None
        and project.region_budget is None
    ):
        problems.append(
            Problem(Place(field="region_co2_t"), "give the region's CO2 (or its budget)")
        )
    if problems:
        raise InputError(problems)
    return project


def _area_products(reference: Reference) -> dict[str, str]:
    return {str(r["area"]): str(r["product"]) for r in reference.rows("benchmark_areas")}


def _computed_area(project: ProjectAssessment, reference: Reference) -> str | None:
    """The efficiency area whose unit energy the lines give (the project's, or the output's
    default), or None when the lines and output cannot give it."""
    if not project.energy or project.output is None:
        return None
    if project.area is not None:
        return project.area if project.area in _area_products(reference) else None
    defaults = {
        str(r["product"]): str(r["area"])
        for r in reference.rows("benchmark_areas")
        if r["is_default"] == "yes"
    }
    return defaults.get(project.output.item)


def _enterprise(project: ProjectAssessment) -> str:
    """The pseudo-enterprise the project is accounted as: a synthetic USCC of its region."""
    return make_uscc(f"91{project.region_code}PR0000000")


def _activity(
    project: ProjectAssessment, reference: Reference, area: str | None = None
) -> pd.DataFrame:
    """The activity table of the project: one row per energy line, then the output (rows
    numbered from 0, the output last); a blank unit is the item's default unit."""
    enterprise, period = _enterprise(project), project.application_date.strftime("%Y-%m")
    units = {str(r["item"]): str(r["default_unit"]) for r in reference.rows("items")}
    records = []
    for line in project.energy:
        record = {k: v for k, v in line.model_dump().items() if v is not None}
        records.append({**record, "area": area or ""})
    if project.output is not None:
        records.append({**project.output.model_dump(), "stream": "product", "direction": "out"})
        records[-1]["area"] = area or ""
    for record in records:
        record["unit"] = record["unit"] or units.get(str(record["item"]), "")
    frame = pd.DataFrame(records).astype(str).replace({"nan": "", "None": ""})
    return frame.assign(enterprise_id=enterprise, period=period, row=range(len(frame)))


def _placed(problems: list[Problem], project: ProjectAssessment) -> list[Problem]:
    """Problems of the activity table, placed at the project's fields."""
    out = []
    for problem in problems:
        row, column = problem.place.row, problem.place.column
        if row is None:
            field = column
        elif row >= len(project.energy):
            field = "area" if column == "area" else f"output.{column}"
        else:
            field = f"energy.{row}.{column}"
        out.append(Problem(Place(field=field), problem.message))
    return out


def judge(project: ProjectAssessment, reference: Reference) -> Verdict:
    """The assessment: the two-high screen's checks, then the carbon checks, each with its
    source; compliant when every check passes."""
    warnings: list[ResultWarning] = [
        warn("policy.project_assessment.rules_unverified", source=SOURCE)
    ]
    figures: Figures | None = None
    area = _computed_area(project, reference)
    if project.energy:
        figures = account_project(project, area, reference, _activity(project, reference, area))
        warnings += figures.warnings
    else:
        warnings.append(warn("policy.project_assessment.no_energy_lines"))
    energy_tce = figures.energy_tce if figures else float(project.annual_energy_tce or 0.0)
    co2_t = figures.co2_t if figures else project.annual_co2_t
    screen_body = {
        name: getattr(project, name)
        for name in two_high.Project.model_fields
        if name not in ("annual_energy_tce", "annual_co2_t", "unit_energy", "area")
    }
    unit_energy = project.unit_energy
    if figures is not None and figures.indicator is not None:
        unit_energy = figures.indicator["value"]
    screen = two_high.judge(
        two_high.Project.model_validate(
            {
                **screen_body,
                "annual_energy_tce": energy_tce,
                "annual_co2_t": co2_t,
                "area": area or project.area,
                "unit_energy": unit_energy,
            }
        ),
        reference,
    )
    checks = list(screen.checks)
    budget_given = project.region_budget is not None
    warnings += [
        w
        for w in screen.warnings
        if not (
            budget_given and w.code == "policy.two_high.no_budget" and w.data["budget"] == "CO2"
        )
    ]
    if any(w.code == "policy.two_high.levels_unverified" for w in screen.warnings):
        # the screen says it of the same levels
        warnings = [w for w in warnings if w.code != "benchmarking.level_unverified"]
    detail: dict[str, Any] = {
        **screen.detail,
        "energy_tce": energy_tce,
        "co2_t": co2_t,
        "period": project.application_date.strftime("%Y-%m") if figures else None,
        "two_high_screen": {
            "two_high": screen.detail["two_high"],
            "verdict": screen.detail["verdict"],
            "checks": len(screen.checks),
        },
        **(figures.detail if figures else {}),
    }
    if figures is not None:
        checks.append(figures.structure_check)
    if project.output is None:
        warnings.append(warn("policy.project_assessment.no_output"))
    elif figures is not None:
        unit_checks, unit_detail, unit_warnings = unit_product_checks(project, figures, reference)
        checks += unit_checks
        detail["unit_product"] = unit_detail
        warnings += unit_warnings
    if project.value_added_10k_yuan is not None:
        detail["per_value_added"] = {
            "energy_tce_per_10k_yuan": energy_tce / project.value_added_10k_yuan,
            "co2_t_per_10k_yuan": None if co2_t is None else co2_t / project.value_added_10k_yuan,
        }
    elif project.region_value_added_10k_yuan is not None:
        warnings.append(warn("policy.project_assessment.no_value_added"))
    detail["region_budget"] = None
    if project.region_budget is not None and co2_t is not None:
        check, detail["region_budget"] = _budget(project.region_budget, co2_t)
        checks.append(check)
    elif project.region_budget is None:
        warnings.append(warn("policy.project_assessment.no_region_budget"))
    detail["region_intensity"] = None
    if project.region_value_added_10k_yuan is not None and co2_t is not None:
        check_or_none, detail["region_intensity"], more = intensity_check(project, co2_t)
        checks += [check_or_none] if check_or_none else []
        warnings += more
    detail["review"] = review_of(project, energy_tce, reference)
    compliant = all(c.passed for c in checks)
    if not compliant:
        detail["verdict"] = "refuse"
    elif len(checks) > len(screen.checks) or screen.detail["verdict"] == "approve":
        detail["verdict"] = "approve"
    return Verdict(compliant, checks, warnings, detail)


def _budget(budget: RegionBudget, co2_t: float) -> tuple[Check, dict[str, Any]]:
    """The project against what is left of the region's CO2 budget of the year."""
    before = budget.cap_t - budget.used_t - budget.committed_t
    after = before - co2_t
    share = co2_t / before if before > 0 else None
    figures = {
        "cap_t": budget.cap_t,
        "used_t": budget.used_t,
        "committed_t": budget.committed_t,
        "remaining_before_t": before,
        "remaining_after_t": after,
        "share_of_remaining": share,
    }
    shown = "-" if share is None else f"{share:.1%}"
    check = Check(
        "CO2 within the region's remaining CO2 budget (Order 31 Art. 16(5))",
        co2_t <= before,
        f"{co2_t:,.0f} t CO2 against {before:,.0f} t remaining (cap {budget.cap_t:,.0f}, "
        f"used {budget.used_t:,.0f}, committed {budget.committed_t:,.0f}); "
        f"{after:,.0f} t after, the project takes {shown} of the remaining",
        SOURCE,
        "unverified",
    )
    return check, figures
