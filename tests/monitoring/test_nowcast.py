"""The nowcast of unreported months from the meters, against hand-worked numbers."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.monitoring.nowcast import nowcast

AS_OF = date(2026, 4, 10)


def _days(
    enterprise: str, start: date, end: date, co2: float, skip: frozenset[date] = frozenset()
) -> list[tuple[str, date, float, float]]:
    days = []
    day = start
    while day <= end:
        if day not in skip:
            days.append((enterprise, day, co2 / 2, co2))
        day += timedelta(days=1)
    return days


def _daily(rows: list[tuple[str, date, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["enterprise_id", "day", "energy_tce", "co2_t"])


def _reported(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["enterprise_id", "period", "co2_t"])
    return frame.assign(energy_tce=frame["co2_t"] / 2)


def test_a_month_is_scaled_by_the_reports_and_bounded_by_their_spread() -> None:
    # E1 meters 10 t CO2 a day. Reports: Jan 341 = 1.1 x 310, Feb 336 = 1.2 x 280,
    # Mar 310 = 1.0 x 310: k = 1.1, s = 0.1. April to the 10th: 9 days metered (the 5th
    # missing) = 90 t, filled to 10 days = 100 t; nowcast 100 x 1.1 = 110 t;
    # low 100 x (1.1 - 0.2) = 90 t, high 100 x 1.3 = 130 t;
    # metered share 90 / 110. Energy is half of CO2 throughout.
    # E2 meters 1 t a day, never reported: 10 t, k = 1, no bounds. E3 reported April.
    daily = _daily(
        _days("E1", date(2026, 1, 1), date(2026, 4, 11), 10.0, frozenset({date(2026, 4, 5)}))
        + _days("E2", date(2026, 4, 1), date(2026, 4, 10), 1.0)
        + _days("E3", date(2026, 4, 1), date(2026, 4, 10), 1.0)
    )
    reported = _reported(
        [
            ("E1", "2026-01", 341.0),
            ("E1", "2026-02", 336.0),
            ("E1", "2026-03", 310.0),
            ("E3", "2026-04", 12.0),
        ]
    )
    result = nowcast(daily, reported, AS_OF)
    table = result.table.set_index("enterprise_id")
    assert list(table.index) == ["E1", "E2"]
    e1 = table.loc["E1"]
    assert e1["period"] == "2026-04"
    assert (e1["days_elapsed"], e1["days_metered"], e1["calibration_months"]) == (10, 9, 3)
    assert e1["co2_metered_t"] == pytest.approx(90.0)
    assert e1["co2_t"] == pytest.approx(110.0)
    assert e1["co2_low_t"] == pytest.approx(90.0)
    assert e1["co2_high_t"] == pytest.approx(130.0)
    assert (e1["energy_tce"], e1["energy_high_tce"]) == pytest.approx((55.0, 65.0))
    assert e1["metered_share"] == pytest.approx(90 / 110)
    e2 = table.loc["E2"]
    assert e2["co2_t"] == pytest.approx(10.0) and e2["calibration_months"] == 0
    assert np.isnan(e2["co2_low_t"]) and np.isnan(e2["co2_high_t"])
    assert [w.code for w in result.warnings] == ["monitoring.nowcast.uncalibrated"]
    assert result.warnings[0].data["enterprises"] == "E2"


def test_months_that_are_not_full_do_not_calibrate() -> None:
    # March lacks a day: only Jan and Feb calibrate (2 months: no bounds, a warning)
    gap = frozenset({date(2026, 3, 9)})
    daily = _daily(_days("E1", date(2026, 1, 1), date(2026, 4, 10), 10.0, gap))
    months = [("E1", "2026-01", 310.0), ("E1", "2026-02", 280.0), ("E1", "2026-03", 1.0)]
    reported = _reported(months)
    result = nowcast(daily, reported, AS_OF)
    (row,) = result.table.to_dict(orient="records")
    assert row["calibration_months"] == 2 and row["co2_t"] == pytest.approx(100.0)
    assert [w.code for w in result.warnings] == ["monitoring.nowcast.no_bounds"]


@settings(max_examples=40, deadline=None)
@given(
    ratio=st.floats(0.5, 3.0),
    per_day=st.floats(0.1, 1e4),
    day=st.integers(1, 30),
)
def test_meters_that_follow_a_steady_ratio_give_that_ratio_exactly(
    ratio: float, per_day: float, day: int
) -> None:
    # steady use and a steady ratio: the nowcast is the ratio times the month's use to date,
    # and the bounds close on it (s = 0)
    as_of = date(2026, 6, day)
    daily = _daily(_days("E", date(2026, 1, 1), as_of, per_day))
    months = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    lengths = [31, 28, 31, 30, 31]
    use = [("E", m, ratio * per_day * n) for m, n in zip(months, lengths, strict=True)]
    reported = _reported(use)
    (row,) = nowcast(daily, reported, as_of).table.to_dict(orient="records")
    assert row["co2_t"] == pytest.approx(ratio * per_day * day, rel=1e-9)
    assert row["co2_low_t"] == pytest.approx(row["co2_t"], rel=1e-9)
    assert row["co2_high_t"] == pytest.approx(row["co2_t"], rel=1e-9)
