"""What a data-quality control plan's earlier versions and years fix (steel guideline
CETS—AG—03.01—V01—2024 6.2.2.2: "每个品种化石燃料低位发热量取值方式当年确定后不应更改，且取值方式
已选择采用实测值的不可改为采用缺省值").

For the requirement rows marked `fixed_for_year` (`market_plan_requirements`): within a year,
a later version may not change the mode of acquisition (`check_fixed`); and, the text setting
no year to its second half, a parameter measured in any earlier plan of the enterprise may not
go back to the default in a later year (`check_measured_kept`).

Pure: plans and the guideline's rows in, placed problems out.
"""

from __future__ import annotations

from collections.abc import Sequence

from carbonpeak.errors import N_, Place, Problem
from carbonpeak.market.plans import QualityPlan, Requirements

B4 = "B.4"


def check_fixed(plan: QualityPlan, previous: QualityPlan, reqs: Requirements) -> list[Problem]:
    out: list[Problem] = []
    if previous.year != plan.year:
        return out
    for number, row in enumerate(plan.parameters, 1):
        requirement = reqs.find(row.emission_type, row.item, row.parameter)
        if requirement is None or requirement.get("fixed_for_year") != "yes":
            continue
        before = previous.row(row.key)
        if before is None or before.acquisition == row.acquisition:
            continue
        out.append(
            Problem.of(
                Place(sheet=B4, row=number, field="acquisition"),
                N_(
                    "{} of {} was {} in version {}: the guideline fixes the mode for the year, "
                    "and a measured value does not go back to the default ({})"
                ),
                row.parameter,
                row.item,
                before.acquisition,
                previous.version.number,
                requirement["clause"],
            )
        )
    return out


def check_measured_kept(
    plan: QualityPlan, earlier: Sequence[QualityPlan], reqs: Requirements
) -> list[Problem]:
    """The parameters of `plan` fixed by the guideline (`fixed_for_year`) that take the default
    although a plan of an earlier year of the same enterprise (any of its versions, in
    `earlier`) measured them: "已选择采用实测值的不可改为采用缺省值" sets no year."""
    out: list[Problem] = []
    before = sorted(
        (p for p in earlier if p.year < plan.year and p.enterprise.uscc == plan.enterprise.uscc),
        key=lambda p: p.year,
    )
    for number, row in enumerate(plan.parameters, 1):
        if row.acquisition != "default":
            continue
        requirement = reqs.find(row.emission_type, row.item, row.parameter)
        if requirement is None or requirement.get("fixed_for_year") != "yes":
            continue
        measured = next(
            (
                p
                for p in before
                if (found := p.row(row.key)) is not None and found.acquisition == "measured"
            ),
            None,
        )
        if measured is None:
            continue
        out.append(
            Problem.of(
                Place(sheet=B4, row=number, field="acquisition"),
                N_(
                    "{} of {} was measured in the plan of {} (version {}): once measured, the "
                    "guideline does not let it go back to the default ({})"
                ),
                row.parameter,
                row.item,
                measured.year,
                measured.version.number,
                requirement["clause"],
            )
        )
    return out
