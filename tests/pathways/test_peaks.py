"""Peak detection: the definitions of the issue worked on small series, and a back-test on the
CEADs provincial inventories (Beijing's CO2 fell after 2010)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbonpeak.pathways.peaks import peak, peaks


def test_a_peak_with_a_plateau() -> None:
    years = np.arange(2020, 2061)
    values = np.where(years <= 2028, 100 + 2 * (years - 2020), 116 - 0.5 * (years - 2028))
    found = peak(years, values)
    assert (found["peak_year"], found["peak_value"]) == (2028, 116.0)
    assert not found["already_peaked"] and not found["not_yet_peaked"]
    assert found["plateau_years"] == [2027, 2028, 2029, 2030, 2031, 2032]  # >= 116 x 0.98
    assert found["values"] == {"2025": 110.0, "2030": 115.0, "2060": 100.0}


def test_already_and_not_yet() -> None:
    assert peak(np.array([2020, 2021, 2022]), np.array([3.0, 2.0, 1.0]))["already_peaked"]
    rising = peak(np.array([2022, 2020, 2021]), np.array([3.0, 1.0, 2.0]))  # any order
    assert rising["not_yet_peaked"] and rising["peak_year"] == 2022


def test_groups() -> None:
    table = pd.DataFrame(
        {
            "region": ["a"] * 3 + ["b"] * 3,
            "year": [2020, 2021, 2022] * 2,
            "co2": [1, 3, 2, 5, 4, 3],
        }
    )
    found = {r["region"]: r["peak_year"] for r in peaks(table, "co2", ["region"])}
    assert found == {"a": 2021, "b": 2020}


def test_beijing_has_peaked_in_the_ceads_history() -> None:
    """Beijing's total CO2 (CEADs, shipped as `ceads_history`) fell after 2010: its peak is
    not in the last year."""
    from carbonpeak.pathways.history import ceads_history
    from carbonpeak.reference.loader import default_reference

    history = ceads_history(default_reference())
    beijing = history[(history["region_code"] == "110000") & (history["key_sector"] == "total")]
    found = peak(beijing["year"].to_numpy(), beijing["co2"].to_numpy())
    assert 2005 <= found["peak_year"] <= 2012 and not found["not_yet_peaked"]
    assert found["values"] == {}  # no report year (2025, 2030, 2060) in 1997-2019
