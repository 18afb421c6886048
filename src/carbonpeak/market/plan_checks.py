"""The check of a data-quality control plan (数据质量控制方案) against its guideline's rows.

`check_plan` checks a plan (`market.plans`) against the rows of the reference library
(`market_plan_requirements`, `market_fuel_classes`, `market_plan_rules`,
`market_meter_classes`): every problem is placed at the Annex B section (`Place.sheet` "B.1",
"B.3", "B.4"), its row (from 1) and field. The structure and the parameters are checked here,
the meters and the records in `market.plan_meters`, what the plan's earlier versions and years
fix in `market.plan_history`. A sector without requirement rows (cement and aluminium: their
guidelines' texts were not found) is checked for its structure only, with a warning that names
the missing text.

Pure: data and a reference in, results with provenance out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, Place, Problem
from carbonpeak.market.plan_history import check_fixed, check_measured_kept
from carbonpeak.market.plan_meters import B4, check_meter, check_retention
from carbonpeak.market.plans import (
    GUIDELINE_TEXTS,
    ParameterRow,
    QualityPlan,
    Requirements,
    requirements,
)
from carbonpeak.reference.loader import Reference

# Which declared monitoring frequencies meet a guideline's least frequency (a requirement row's
# measured_frequency): "at least once a month" is met by monthly or more often; "every batch"
# only by every batch (a batch is not a time span).
MEETS: dict[str, frozenset[str]] = {
    "monthly": frozenset({"continuous", "daily", "weekly", "monthly"}),
    "every_batch": frozenset({"every_batch"}),
}

B1, B2, B3 = "B.1", "B.2", "B.3"


@dataclass(frozen=True)
class PlanCheck:
    """The check of a plan: the problems (placed), warnings, the guideline and the reference
    rows it used (table and CSV line)."""

    guideline: str | None
    problems: tuple[Problem, ...]
    warnings: tuple[ResultWarning, ...]
    used: tuple[tuple[str, int], ...]
    digest: str

    @property
    def ok(self) -> bool:
        return not self.problems


def check_plan(
    plan: QualityPlan,
    sector: str,
    year: int,
    reference: Reference,
    previous: QualityPlan | None = None,
    earlier: Sequence[QualityPlan] = (),
) -> PlanCheck:
    """Every problem of `plan` against the guideline of `sector` for `year`: versions (a later
    version without a reason, dates out of order), facilities (numbers repeated), parameters
    (a required source or parameter missing, an acquisition mode or frequency the guideline
    does not allow, a meter calibrated less often or of a lower class than it asks, rows
    repeated), records kept too short a time. With `previous` (the plan's earlier version of
    the same year), a parameter the guideline fixes for the year may not change its mode; with
    `earlier` (the enterprise's plans of earlier years, any version), one measured there may not
    go back to the default."""
    problems: list[Problem] = []
    warnings: list[ResultWarning] = []
    used: list[tuple[str, int]] = []

    if plan.sector != sector:
        problems.append(
            Problem.of(
                Place(sheet=B2, field="sector"),
                N_("the plan is for sector {} but is checked as {}"),
                plan.sector,
                sector,
            )
        )
    if plan.year != year:
        problems.append(
            Problem.of(
                Place(sheet=B2, field="year"),
                N_("the plan is for {} but is checked for {}"),
                plan.year,
                year,
            )
        )
    problems += _check_versions(plan)
    problems += _check_facilities(plan)

    reqs = requirements(reference, sector, year)
    if reqs.guideline is None:
        warnings.append(
            warn(
                "market.plans.guideline_not_in_library",
                sector=sector,
                guideline=GUIDELINE_TEXTS.get(sector, sector),
            )
        )
        problems += _check_duplicates(plan)
        return PlanCheck(None, tuple(problems), tuple(warnings), (), reference.digest)

    problems += _check_duplicates(plan)
    problems += _check_sources(plan, reqs, used)
    unlisted = _not_in_guideline(plan, reference, reqs.guideline)
    if unlisted:
        warnings.append(warn("market.plans.not_in_guideline", items=unlisted))
    for number, row in enumerate(plan.parameters, 1):
        problems += _check_row(number, row, reqs, used)
    problems += check_retention(plan, reqs, used)
    if previous is not None:
        problems += check_fixed(plan, previous, reqs)
    problems += check_measured_kept(plan, earlier, reqs)
    return PlanCheck(
        reqs.guideline, tuple(problems), tuple(warnings), tuple(sorted(set(used))), reference.digest
    )


def _check_versions(plan: QualityPlan) -> list[Problem]:
    out = []
    seen: set[str] = set()
    for number, version in enumerate(plan.versions, 1):
        if version.number in seen:
            out.append(
                Problem.of(
                    Place(sheet=B1, row=number, field="number"),
                    N_("version {} appears twice"),
                    version.number,
                )
            )
        seen.add(version.number)
        if number > 1 and not version.reason.strip():
            out.append(
                Problem.of(
                    Place(sheet=B1, row=number, field="reason"),
                    N_("version {} revises the plan without a reason (9.3 lists the cases)"),
                    version.number,
                )
            )
        if number > 1 and version.date < plan.versions[number - 2].date:
            out.append(
                Problem.of(
                    Place(sheet=B1, row=number, field="date"),
                    N_("version {} is dated {}, before the version it revises"),
                    version.number,
                    version.date.isoformat(),
                )
            )
    return out


def _check_facilities(plan: QualityPlan) -> list[Problem]:
    out = []
    seen: set[str] = set()
    for number, facility in enumerate(plan.facilities, 1):
        if facility.number in seen:
            out.append(
                Problem.of(
                    Place(sheet=B3, row=number, field="number"),
                    N_("facility number {} appears twice"),
                    facility.number,
                )
            )
        seen.add(facility.number)
    return out


def _check_duplicates(plan: QualityPlan) -> list[Problem]:
    out = []
    first: dict[tuple[str, str, str], int] = {}
    for number, row in enumerate(plan.parameters, 1):
        if row.key in first:
            out.append(
                Problem.of(
                    Place(sheet=B4, row=number, field="parameter"),
                    N_("{} of {} is already in row {}"),
                    row.parameter,
                    row.item or row.emission_type,
                    first[row.key],
                )
            )
        else:
            first[row.key] = number
        if row.emission_type != "enterprise" and not row.item.strip():
            out.append(
                Problem.of(
                    Place(sheet=B4, row=number, field="item"),
                    N_("a {} row must name its fuel, material or product"),
                    row.emission_type,
                )
            )
    return out


def _check_sources(
    plan: QualityPlan, reqs: Requirements, used: list[tuple[str, int]]
) -> list[Problem]:
    """Each source the plan declares has every required parameter; the enterprise rows are
    always required; a fuel must be one of the guideline's fuels."""
    out = []
    sources: dict[tuple[str, str], int] = {}
    for number, row in enumerate(plan.parameters, 1):
        if row.emission_type != "enterprise":
            sources.setdefault((row.emission_type, row.item), number)
    sources_needed = list(sources.items())
    for (emission_type, item), number in sources_needed:
        if emission_type == "fuel" and item not in reqs.fuel_classes:
            out.append(
                Problem.of(
                    Place(sheet=B4, row=number, field="item"),
                    N_(
                        "{} is not a fuel of the guideline's default table "
                        "(market_fuel_classes): its carbon content has no default"
                    ),
                    item,
                )
            )
            continue
        for parameter in _required_parameters(reqs, emission_type, item):
            requirement = reqs.find(emission_type, item, parameter)
            if requirement is None or plan.row((emission_type, item, parameter)) is not None:
                continue
            used.append(("market_plan_requirements", requirement.line))
            out.append(
                Problem.of(
                    Place(sheet=B4, row=number, field="parameter"),
                    N_("{} has no {} row (the guideline requires it: {})"),
                    item,
                    parameter,
                    requirement["clause"],
                )
            )
    for requirement in reqs.rows:
        if requirement["emission_type"] != "enterprise" or requirement["required"] != "yes":
            continue
        key = ("enterprise", "", str(requirement["parameter"]))
        if plan.row(key) is None:
            used.append(("market_plan_requirements", requirement.line))
            out.append(
                Problem.of(
                    Place(sheet=B4, field="parameter"),
                    N_("the plan has no {} row of the enterprise (the guideline requires it: {})"),
                    requirement["parameter"],
                    requirement["clause"],
                )
            )
    return out


def _not_in_guideline(plan: QualityPlan, reference: Reference, guideline: str) -> list[str]:
    """The carbonates, electrodes, raw materials and products of the plan without a factor of
    the guideline (process_emission_factors of the process and product bases its
    market_methods row names, else of the guideline's code): 6.2.4 does not account them."""
    method = next(
        (
            r
            for r in reference.rows("market_methods", as_of=dt.date(plan.year, 1, 1))
            if r["method"] == guideline
        ),
        None,
    )
    bases = {
        "product": str(method["product_basis"]) if method else guideline,
        "other": str(method["process_basis"]) if method else guideline,
    }
    listed = {
        kind: {str(r["item"]) for r in reference.rows("process_emission_factors", basis=basis)}
        for kind, basis in bases.items()
    }
    out: list[str] = []
    for row in plan.parameters:
        if row.emission_type in ("fuel", "enterprise") or row.item in out:
            continue
        if row.item not in listed["product" if row.emission_type == "product" else "other"]:
            out.append(row.item)
    return out


def _required_parameters(reqs: Requirements, emission_type: str, item: str) -> list[str]:
    item_class = reqs.fuel_classes.get(item) if emission_type == "fuel" else None
    out = []
    for row in reqs.rows:
        if (
            row["emission_type"] == emission_type
            and row["required"] == "yes"
            and row["item_class"] in ("any", item_class)
            and row["parameter"] not in out
        ):
            out.append(str(row["parameter"]))
    return out


def _check_row(
    number: int, row: ParameterRow, reqs: Requirements, used: list[tuple[str, int]]
) -> list[Problem]:
    out: list[Problem] = []
    label = row.item or row.emission_type

    def place(field: str) -> Place:
        return Place(sheet=B4, row=number, field=field)

    requirement = reqs.find(row.emission_type, row.item, row.parameter)
    if requirement is None:
        if row.emission_type == "fuel" and row.item not in reqs.fuel_classes:
            return out  # the unknown fuel is reported once, by _check_sources
        out.append(
            Problem.of(
                place("parameter"),
                N_("the guideline has no parameter {} for {} ({})"),
                row.parameter,
                label,
                row.emission_type,
            )
        )
        return out
    used.append(("market_plan_requirements", requirement.line))
    allowed = str(requirement["acquisition"]).split()
    clause = requirement["clause"]
    if row.acquisition not in allowed:
        out.append(
            Problem.of(
                place("acquisition"),
                N_("{} of {}: the guideline allows {} ({}), not {}"),
                row.parameter,
                label,
                " / ".join(allowed),
                clause,
                row.acquisition,
            )
        )
    least = requirement.get("measured_frequency")
    if row.acquisition == "measured" and least:
        if row.monitoring_frequency is None:
            out.append(
                Problem.of(
                    place("monitoring_frequency"),
                    N_("{} of {} is measured: give its monitoring frequency ({}: {})"),
                    row.parameter,
                    label,
                    clause,
                    least,
                )
            )
        elif row.monitoring_frequency not in MEETS[str(least)]:
            out.append(
                Problem.of(
                    place("monitoring_frequency"),
                    N_("{} of {} is measured {}; the guideline asks {} ({})"),
                    row.parameter,
                    label,
                    row.monitoring_frequency,
                    least,
                    clause,
                )
            )
    out += check_meter(row, reqs, used, place)
    return out
