"""The measuring rules of a data-quality control plan: its meters (calibration interval,
accuracy class of the guideline's meter annex), the columns the guideline blanks, and how long
records are kept (steel guideline CETS—AG—03.01—V01—2024 6.2.1.4, 9.2, Annex B table B.4 and
Annex F; the limits are rows of `market_plan_rules` and `market_meter_classes`).

Pure: a plan row and the guideline's rows in, placed problems out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from carbonpeak.errors import N_, Place, Problem
from carbonpeak.market.plans import ParameterRow, QualityPlan, Requirements

# The meter annex groups carbonates, electrodes, raw materials and products with the solids.
_SOLID_TYPES = ("carbonate", "electrode", "raw_material", "product", "enterprise")

B4 = "B.4"


def _medium(row: ParameterRow, reqs: Requirements) -> str | None:
    if row.emission_type in _SOLID_TYPES:
        return "solid"
    fuel_class = reqs.fuel_classes.get(row.item)
    if fuel_class is None:
        return None
    return "solid" if fuel_class == "coke" else fuel_class


def _g(number: float) -> str:
    """A number as the messages show it (12, 0.5)."""
    return f"{number:g}"


def _accuracy(text: str) -> float | None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:级|%)?\s*", text)
    return float(match.group(1)) if match else None


def check_meter(
    row: ParameterRow,
    reqs: Requirements,
    used: list[tuple[str, int]],
    place: Callable[[str], Place],
) -> list[Problem]:
    out: list[Problem] = []
    if not row.meter.strip():
        return out
    limit = reqs.rules.get("calibration_interval_max")
    if limit is not None:
        used.append(("market_plan_rules", limit.line))
        months = float(limit["value"])  # type: ignore[arg-type]
        if row.calibration_months is None:
            out.append(
                Problem.of(
                    place("calibration_months"),
                    N_(
                        "meter {} has no verification or calibration interval "
                        "({}: at most {} months)"
                    ),
                    row.meter,
                    limit["clause"],
                    _g(months),
                )
            )
        elif row.calibration_months > months:
            out.append(
                Problem.of(
                    place("calibration_months"),
                    N_(
                        "meter {} is calibrated every {} months; the guideline asks at most {} ({})"
                    ),
                    row.meter,
                    row.calibration_months,
                    _g(months),
                    limit["clause"],
                )
            )
    medium = _medium(row, reqs)
    kinds = [m for m in reqs.meters if m["medium"] == medium and str(m["meter"]) in row.meter]
    if not kinds:
        return out
    kind = max(kinds, key=lambda m: len(str(m["meter"])))
    required = kind.get("accuracy_class")
    if not isinstance(required, float):
        return out
    used.append(("market_meter_classes", kind.line))
    declared = _accuracy(row.accuracy_class)
    if declared is None:
        out.append(
            Problem.of(
                place("accuracy_class"),
                N_("meter {}: give its accuracy class (the guideline asks {} or better)"),
                row.meter,
                _g(required),
            )
        )
    elif declared > required:
        out.append(
            Problem.of(
                place("accuracy_class"),
                N_("meter {} is of class {}; the guideline asks {} or better for a {}"),
                row.meter,
                _g(declared),
                _g(required),
                kind["meter"],
            )
        )
    return out


def check_retention(
    plan: QualityPlan, reqs: Requirements, used: list[tuple[str, int]]
) -> list[Problem]:
    rule = reqs.rules.get("record_retention_min")
    if rule is None or plan.record_retention_years is None:
        return []
    used.append(("market_plan_rules", rule.line))
    years = float(rule["value"])  # type: ignore[arg-type]
    if plan.record_retention_years >= years:
        return []
    return [
        Problem.of(
            Place(sheet="B.6", field="record_retention_years"),
            N_("records are kept {} years; the guideline asks at least {} ({})"),
            _g(plan.record_retention_years),
            _g(years),
            rule["clause"],
        )
    ]
