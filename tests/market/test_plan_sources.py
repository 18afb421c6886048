"""Where the plan and the activity meet (review finding 14): the fuels and materials an
enterprise reports in its activity of the plan's year that its plan (test_plans' steel plan:
coke, anthracite, natural gas, limestone, electrodes, crude steel) has no B.4 row for."""

from __future__ import annotations

import pandas as pd

from carbonpeak.errors import Place
from carbonpeak.i18n import problem_text
from carbonpeak.market.plan_sources import sources_not_in_plan
from carbonpeak.reference.loader import default_reference

from .test_plans import ENTERPRISE, plan

OTHER = "91110000000000000Y"


def activity(*lines: tuple[str, str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "enterprise_id": enterprise,
                "period": period,
                "stream": stream,
                "item": item,
                "direction": direction,
                "amount": "10",
                "unit": "t",
            }
            for enterprise, period, stream, item, direction in lines
        ]
    )


U = ENTERPRISE.uscc
LINES = activity(
    (U, "2026-01", "fuel", "coke", "in"),  # in the plan
    (U, "2026-01", "fuel", "diesel", "in"),  # a fuel without rows
    (U, "2026-02", "process", "dolomite", "in"),  # a carbonate of A.2 without rows
    (U, "2026-02", "process", "magnesite", "in"),  # not in A.2: not accounted, no rows needed
    (U, "2026-02", "electricity", "electricity", "in"),  # outside the boundary
    (U, "2026-03", "product", "crude_steel", "in"),  # in the plan
    (U, "2026-03", "product", "pig_iron", "in"),  # pig iron kept on site: not deducted
    (U, "2026-03", "product", "pig_iron", "out"),  # pig iron sold: deducted, no rows
    (U, "2026-04", "fuel", "diesel", "in"),  # said once
    (U, "2025-12", "fuel", "bituminous_coal", "in"),  # another year
    (OTHER, "2026-01", "fuel", "fuel_oil", "in"),  # another enterprise
)


def test_sources_the_plan_does_not_cover_are_placed() -> None:
    problems = sources_not_in_plan(plan(), LINES, default_reference())
    assert [p.values[:2] for p in problems] == [
        ("diesel", "fuel"),
        ("dolomite", "process"),
        ("pig_iron", "product"),
    ]
    assert {p.place for p in problems} == {Place(sheet="B.4", field="item")}
    assert "revision of the plan (9.3 a))" in problems[0].message
    assert "柴油" not in problems[0].message  # codes; the pages name them
    assert problem_text(problems[0], "zh_CN").startswith("diesel（fuel）")


def test_a_plan_covering_its_activity_and_a_sector_without_method() -> None:
    covered = LINES.loc[~LINES["item"].isin(["diesel", "dolomite", "pig_iron"])]
    assert sources_not_in_plan(plan(), covered, default_reference()) == []
    # pig iron kept on site (direction in) is not deducted: the plan needs no rows for it
    kept = LINES.loc[~LINES["item"].isin(["diesel", "dolomite"])]
    kept = kept.loc[~((kept["item"] == "pig_iron") & (kept["direction"] == "out"))]
    assert sources_not_in_plan(plan(), kept, default_reference()) == []
    cement = plan(sector="cement")
    assert sources_not_in_plan(cement, LINES, default_reference()) == []
