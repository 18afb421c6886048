"""The figures of a project's carbon assessment (`policy.project_assessment`): its accounts
through the accounting engine, its unit-product figures against the levels the reference
has, its effect on the region's CO2 intensity, and who reviews it (Order 31 Art. 8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from carbonpeak.accounting.parameters import period_end
from carbonpeak.benchmarking.grades import grade
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.policy.verdict import Check
from carbonpeak.reference.loader import Reference

if TYPE_CHECKING:
    from carbonpeak.policy.project_assessment import ProjectAssessment

SOURCE = "ndrc_o31"  # NDRC Order 2025 No. 31, read in a secondary transcription
STATUS = "unverified"
SOURCES = ("combustion", "process", "electricity", "heat")
INDICATOR = (
    "area",
    "unit",
    "benchmark",
    "baseline",
    "grade",
    "grade_1",
    "grade_2",
    "grade_3",
    "limit_standard",
    "limit_grade",
    "level_status",
)


@dataclass
class Figures:
    """A project's accounted year: energy (tce, electricity at its equivalent value), CO2 (t),
    its output in the item's default unit, and the unit-energy indicator of its efficiency
    area (None without one)."""

    energy_tce: float
    co2_t: float
    output_amount: float | None
    indicator: dict[str, Any] | None
    structure_check: Check
    detail: dict[str, Any] = field(default_factory=dict)
    warnings: list[ResultWarning] = field(default_factory=list)
    period: str = ""


def _number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def account_project(
    project: ProjectAssessment, area: str | None, reference: Reference, activity: pd.DataFrame
) -> Figures:
    """Account the project's activity table (one pseudo-enterprise, one period) and grade its
    output against its efficiency area."""
    enterprise, period = str(activity["enterprise_id"].iloc[0]), str(activity["period"].iloc[0])
    enterprises = pd.DataFrame(
        {"enterprise_id": [enterprise], "region_code": [project.region_code]}
    )
    graded = grade(activity.drop(columns=["row"]), enterprises, reference)
    accounts = graded.accounts
    assert accounts is not None  # grade always returns its accounts
    total = accounts.totals.iloc[0]
    lines = accounts.lines
    energy_lines = lines[lines["stream"].astype(str) != "product"]
    by_source = {s: float(total[f"co2_{s}_t"]) for s in SOURCES}
    co2_t, energy_tce = float(total["co2_t"]), float(total["energy_tce"])
    output_amount = None
    if project.output is not None:
        product = lines[lines["stream"].astype(str) == "product"]
        output_amount = float(product["qty"].abs().sum())
    indicator = None
    if area is not None and not graded.table.empty:
        row = graded.table.iloc[0]
        indicator = {k: _number(row[k]) for k in INDICATOR}
        indicator["value"] = _number(float(row["indicator_value"]))
        if indicator["value"] is None:
            indicator = None
    key = (enterprise, period)
    warnings = [*accounts.warnings.get(key, []), *graded.warnings.get(key, [])]
    shares = ", ".join(
        f"{s} {v:,.0f} ({v / co2_t:.1%})" if co2_t else f"{s} {v:,.0f}"
        for s, v in by_source.items()
    )
    energy_activities = by_source["combustion"] + by_source["electricity"] + by_source["heat"]
    structure = Check(
        "CO2 total and its structure by source accounted (Order 31 Art. 12(5))",
        True,
        f"{co2_t:,.0f} t CO2 a year: {shares}; energy activities {energy_activities:,.0f}, "
        f"industrial processes {by_source['process']:,.0f}",
        SOURCE,
        STATUS,
    )
    by_stream = energy_lines.groupby(energy_lines["stream"].astype(str))["energy_tce"].sum()
    by_item = energy_lines.groupby(energy_lines["item"].astype(str))["energy_tce"].sum()
    detail = {
        "co2e_t": float(total["co2e_t"]),
        "co2_by_source_t": by_source,
        "co2_structure_t": {"energy": energy_activities, "process": by_source["process"]},
        "energy_by_stream_tce": {str(k): float(v) for k, v in by_stream.items()},
        "energy_by_item_tce": {str(k): float(v) for k, v in by_item.items()},
        "feedstock_energy_tce": float(by_stream.get("feedstock", 0.0)),
    }
    return Figures(energy_tce, co2_t, output_amount, indicator, structure, detail, warnings, period)


def unit_product_checks(
    project: ProjectAssessment, figures: Figures, reference: Reference
) -> tuple[list[Check], dict[str, Any], list[ResultWarning]]:
    """Unit-product energy and CO2; energy against the mandatory limit standard (Order 31
    Art. 16(2)) where the area maps to one. No table holds a unit-product CO2 level: it is
    reported, not judged."""
    assert project.output is not None and figures.output_amount
    item = project.output.item
    unit = next(str(r["default_unit"]) for r in reference.rows("items", item=item))
    detail: dict[str, Any] = {
        "item": item,
        "amount": figures.output_amount,
        "unit": unit,
        "energy_tce_per_unit": figures.energy_tce / figures.output_amount,
        "co2_t_per_unit": figures.co2_t / figures.output_amount,
        "indicator": figures.indicator,
        "carbon_level": None,
    }
    warnings = [warn("policy.project_assessment.no_carbon_level", item=item)]
    checks: list[Check] = []
    indicator = figures.indicator
    if indicator is None:
        warnings.append(warn("policy.project_assessment.no_energy_level", item=item))
        return checks, detail, warnings
    spec = next(r for r in reference.rows("benchmark_areas", area=indicator["area"]))
    if indicator["grade_3"] is not None and spec["limit_product"]:
        row = reference.rows(
            "limit_standards",
            as_of=period_end(figures.period),
            product=spec["limit_product"],
            indicator=spec["limit_indicator"],
        )[0]
        value = indicator["value"]
        checks.append(
            Check(
                "unit-product energy within the mandatory energy-consumption limit "
                "(Order 31 Art. 16(2))",
                bool(value <= indicator["grade_3"]),
                f"{value:g} {indicator['unit']} against the limit {indicator['grade_3']:g} of "
                f"{indicator['limit_standard']} (grade 1: {indicator['grade_1']:g})",
                str(row["source_id"]),
                str(row["status"]),
            )
        )
    return checks, detail, warnings


def intensity_check(
    project: ProjectAssessment, co2_t: float
) -> tuple[Check | None, dict[str, Any], list[ResultWarning]]:
    """The region's CO2 per value added before and after the project (Order 31 Art. 16(5));
    a check against the region's target when it is given."""
    assert project.region_value_added_10k_yuan is not None
    if project.region_co2_t is not None:
        region_co2, basis = project.region_co2_t, "region_co2_t"
    else:
        assert project.region_budget is not None
        budget = project.region_budget
        region_co2, basis = budget.used_t + budget.committed_t, "budget used + committed"
    region_va = project.region_value_added_10k_yuan
    project_va = project.value_added_10k_yuan or 0.0
    before = region_co2 / region_va
    after = (region_co2 + co2_t) / (region_va + project_va)
    target = project.region_co2_intensity_target
    detail = {
        "region_co2_t": region_co2,
        "region_co2_basis": basis,
        "region_value_added_10k_yuan": region_va,
        "before_t_per_10k_yuan": before,
        "after_t_per_10k_yuan": after,
        "change_pct": 100.0 * (after / before - 1.0) if before > 0 else None,
        "target_t_per_10k_yuan": target,
    }
    if target is None:
        return None, detail, [warn("policy.project_assessment.no_intensity_target")]
    check = Check(
        "the region's CO2 intensity after the project within its target (Order 31 Art. 16(5))",
        after <= target,
        f"{after:.4f} t CO2 per 10^4 yuan after the project ({before:.4f} before) against "
        f"the target {target:g}",
        SOURCE,
        STATUS,
    )
    return check, detail, []


def review_of(
    project: ProjectAssessment, energy_tce: float, reference: Reference
) -> dict[str, Any] | None:
    """Who reviews the project by Order 31 Art. 8 (the thresholds in `policy_parameters`),
    or None before the order's rows are in force. The NDRC's own review (Art. 9, key fields
    from 500,000 tce) is not decided here: its field list was not found."""
    values: dict[str, float] = {}
    for name in ("province_review_tce", "province_review_coal_t", "no_report_tce"):
        rows = reference.rows(
            "policy_parameters", as_of=project.application_date, parameter=f"o31_{name}"
        )
        if rows:
            values[name] = float(rows[0]["value"])  # type: ignore[arg-type]
    coal_rows = reference.rows(
        "policy_parameters", as_of=project.application_date, parameter="o31_no_report_coal_t"
    )
    if len(values) < 3 or not coal_rows:
        return None
    no_report_coal = float(coal_rows[0]["value"])  # type: ignore[arg-type]
    coal = project.annual_coal_t
    if energy_tce >= values["province_review_tce"] or (
        coal is not None and coal >= values["province_review_coal_t"]
    ):
        authority, reason = "province", "at or above the provincial threshold"
    elif energy_tce < values["no_report_tce"] and coal is not None and coal < no_report_coal:
        authority, reason = "no separate review", "below both no-report thresholds"
    elif energy_tce < values["no_report_tce"] and coal is None:
        authority, reason = None, "give annual_coal_t: below the energy no-report threshold"
    else:
        authority, reason = "as the province decides", "between the thresholds"
    return {
        "authority": authority,
        "reason": reason,
        "energy_tce": energy_tce,
        "coal_t": coal,
        "thresholds": {**values, "no_report_coal_t": no_report_coal},
        "source": SOURCE,
        "status": STATUS,
    }
