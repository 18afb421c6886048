"""Roll-ups: enterprise -> industry -> region -> total, whose parts add up to the whole."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.accounting.engine import TOTAL_COLUMNS, account
from carbonpeak.accounting.rollup import GROUPINGS, roll_up
from carbonpeak.errors import CarbonpeakError

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture(scope="module")
def accounts_and_enterprises() -> tuple[pd.DataFrame, pd.DataFrame]:
    activity = pd.read_csv(EXAMPLES / "activity.csv", dtype=str, keep_default_na=False)
    enterprises = pd.read_csv(EXAMPLES / "enterprises.csv", dtype=str)
    return account(activity, enterprises).totals, enterprises


@pytest.mark.parametrize(
    "by", [list(c) for r in range(3) for c in itertools.combinations(GROUPINGS, r)]
)
def test_parts_sum_to_the_whole(
    accounts_and_enterprises: tuple[pd.DataFrame, pd.DataFrame], by: list[str]
) -> None:
    totals, enterprises = accounts_and_enterprises
    whole = roll_up(totals, enterprises, by=[])
    parts = roll_up(totals, enterprises, by=by).groupby("period")[list(TOTAL_COLUMNS)].sum()
    pd.testing.assert_frame_equal(
        parts.reset_index(), whole[["period", *TOTAL_COLUMNS]], check_exact=False, rtol=1e-12
    )


def test_levels_of_the_hierarchy(
    accounts_and_enterprises: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    totals, enterprises = accounts_and_enterprises
    by_province = roll_up(totals, enterprises, by=["province_code"])
    assert set(by_province["province_code"]) == {"130000", "150000"}
    hebei_2023 = by_province[
        (by_province["province_code"] == "130000") & (by_province["period"] == "2023")
    ]
    assert int(hebei_2023["enterprises"].iloc[0]) == 2
    as_reported = roll_up(totals, enterprises, by=["enterprise_id"], freq="as_reported")
    assert "2024-01" in set(as_reported["period"])
    total = roll_up(totals)
    assert total["uncertainty_pct"].iloc[0] < totals["uncertainty_pct"].max()


def test_bad_groupings_are_refused(
    accounts_and_enterprises: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    totals, _ = accounts_and_enterprises
    with pytest.raises(CarbonpeakError, match="cannot group by colour"):
        roll_up(totals, None, by=["colour"])
    with pytest.raises(CarbonpeakError, match="needs the enterprises table"):
        roll_up(totals, None, by=["region_code"])
