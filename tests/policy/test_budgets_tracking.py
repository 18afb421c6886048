"""Budgets tracked and judged: elapsed and used shares, projections, reported against nowcast,
region sums and intensities worked by hand; alert levels under an authority's thresholds and
the alerts raised and cleared along a sequence of levels; the projection equals the cap when
use follows the profile (property)."""

from __future__ import annotations

import itertools
import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.domain.uscc import make_uscc
from carbonpeak.errors import InputError
from carbonpeak.policy.budgets import (
    MONTH_FRAME_COLUMNS,
    Budget,
    crossings,
    levels,
    month_allowances,
    track,
)
from carbonpeak.reference.loader import Reference, default_reference

REFERENCE = default_reference()
A = make_uscc("91130100MA0000001")  # in Shijiazhuang 130100
B = make_uscc("91130200MA0000002")  # in Tangshan 130200
C = make_uscc("91140100MA0000003")  # in Taiyuan 140100, Shanxi
REGIONS = {A: "130102", B: "130203", C: "140105"}


def _budget(**fields: object) -> Budget:
    base: dict[str, object] = {"year": 2026, "quantity": "co2", "scope": "enterprise", "code": A}
    return Budget.model_validate({**base, **fields})


def _use(rows: list[tuple[str, str, float | None, float | None]]) -> pd.DataFrame:
    """(enterprise, period, co2_t, value added) rows; energy is a tenth of the CO2."""
    return pd.DataFrame(
        {
            "enterprise_id": [r[0] for r in rows],
            "period": [r[1] for r in rows],
            "co2_t": [r[2] for r in rows],
            "energy_tce": [None if r[2] is None else r[2] / 10 for r in rows],
            "value_added_10k_yuan": [r[3] for r in rows],
        }
    )


def _nowcast(rows: list[tuple[str, str, float, float, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows, columns=["enterprise_id", "period", "co2_t", "co2_low_t", "co2_high_t"]
    )
    for column in ("energy_tce", "energy_low_tce", "energy_high_tce"):
        frame[column] = frame[column.replace("energy", "co2").replace("tce", "t")] / 10
    frame["metered_share"] = 1.0
    return frame


JAN_MAR = [(A, "2026-01", 100.0, None), (A, "2026-02", 120.0, None), (A, "2026-03", 130.0, None)]


def test_three_reported_months_by_hand() -> None:
    tracked = track([_budget(budget_id="a", cap=1200)], _use(JAN_MAR), None, None,
                    date(2026, 3, 31), REGIONS, REFERENCE)  # fmt: skip
    s = tracked.status("a")
    # 31 + 28 + 31 = 90 days of 365 elapsed; 100 + 120 + 130 = 350 t used of 1,200
    assert s.elapsed_share == pytest.approx(90 / 365)
    assert s.used_to_date == 350 and s.reported_to_date == 350 and s.nowcast_to_date == 0
    assert s.used_share == pytest.approx(350 / 1200)
    # run rate along the profile: 350 / (90/365) = 1,419.4 t, 118.3 % of the cap
    assert s.projected == pytest.approx(1419.444, abs=1e-3)
    assert s.projected_share == pytest.approx(1419.444 / 1200, abs=1e-6)
    assert s.months_reported == ("2026-01", "2026-02", "2026-03") and s.months_missing == ()
    assert s.region_code == "130102" and s.warnings == ()
    months = tracked.months
    assert tuple(months.columns) == MONTH_FRAME_COLUMNS and len(months) == 12
    march = months.iloc[2]
    assert march["cumulative_used"] == 350
    assert march["cumulative_allowed"] == pytest.approx(1200 * 90 / 365)
    assert months.iloc[3]["status"] == "future" and math.isnan(months.iloc[3]["used"])
    assert tracked.as_dict()["budgets"][0]["projected"] == pytest.approx(1419.444, abs=1e-3)


def test_a_month_not_yet_reported_is_nowcast_with_its_bounds() -> None:
    nowcast = _nowcast([
        (A, "2026-03", 999.0, 999.0, 999.0),  # reported: the report wins
        (A, "2026-04", 110.0, 100.0, 125.0),
    ])  # fmt: skip
    tracked = track([_budget(budget_id="a", cap=1200)], _use(JAN_MAR), None, nowcast,
                    date(2026, 4, 30), REGIONS, REFERENCE)  # fmt: skip
    s = tracked.status("a")
    # 350 reported + 110 nowcast = 460 t; bounds 350 + 100 = 450 and 350 + 125 = 475
    assert (s.reported_to_date, s.nowcast_to_date, s.used_to_date) == (350, 110, 460)
    assert (s.used_low, s.used_high) == (450, 475)
    # 120 of 365 days elapsed; the recent pace is that of Feb-Apr (28 + 31 + 30 = 89 days,
    # allowed 1,200 x 89/365 = 292.60 t): 120 + 130 + 110 = 360 t, 1.2303 x the profile; the
    # rest of the year allows 1,200 x 245/365 = 805.48 t, so projected = 460 + 1.2303 x 805.48
    # = 1,451.01 t (low 450 + 350/292.60 x 805.48 = 1,413.48; high 475 + 375/292.60 x 805.48
    # = 1,507.30). The year so far (pace 460/1,200 / (120/365) = 1.166) runs slower.
    rest = 1200 * 245 / 365
    recent = 1200 * 89 / 365
    assert s.projected == pytest.approx(460 + 360 / recent * rest)
    assert s.projected == pytest.approx(1451.011, abs=1e-3)
    assert s.projected_low == pytest.approx(450 + 350 / recent * rest)
    assert s.projected_high == pytest.approx(475 + 375 / recent * rest)
    assert s.months_nowcast == ("2026-04",)
    assert tracked.months.iloc[3]["status"] == "nowcast"


def test_a_mid_month_day_counts_part_of_the_month() -> None:
    # as of 2026-02-14: January (31 days) and 14 of February's 28: 45 of 365 elapsed
    tracked = track([_budget(budget_id="a", cap=1200)], _use(JAN_MAR[:2]), None, None,
                    date(2026, 2, 14), REGIONS, REFERENCE)  # fmt: skip
    s = tracked.status("a")
    assert s.elapsed_share == pytest.approx(45 / 365)
    assert s.used_to_date == 220 and s.projected == pytest.approx(220 * 365 / 45)


def test_a_region_sums_the_platform_s_enterprises_inside_it() -> None:
    use = _use([*JAN_MAR, (B, "2026-01", 50.0, None), (B, "2026-02", 60.0, None),
                (C, "2026-01", 1000.0, None)])  # fmt: skip
    budgets = [
        _budget(budget_id="hebei", scope="region", code="130000", cap=10000),
        _budget(budget_id="tangshan", scope="region", code="130200", cap=2000),
        _budget(budget_id="energy", scope="region", code="130000", quantity="energy", cap=500),
    ]
    tracked = track(budgets, use, None, None, date(2026, 3, 31), REGIONS, REFERENCE)
    hebei = tracked.status("hebei")
    # A: 350, B: 50 + 60 = 110, C is in Shanxi: 460 t; B has no March figure
    assert hebei.used_to_date == 460 and hebei.enterprises == 2
    assert hebei.months_reported == ("2026-01", "2026-02") and hebei.months_missing == ("2026-03",)
    assert [w.code for w in hebei.warnings] == [
        "policy.budgets.platform_enterprises_only",
        "policy.budgets.months_missing",
    ]
    assert tracked.months.iloc[2]["status"] == "incomplete"
    assert tracked.months.iloc[2]["enterprises_missing"] == 1
    assert tracked.status("tangshan").used_to_date == 110
    assert tracked.status("energy").used_to_date == pytest.approx(46)  # tce: a tenth


def test_an_intensity_budget_by_value_added_and_by_product(tmp_path: Path) -> None:
    use = _use(
        [(A, "2026-01", 100.0, 200.0), (A, "2026-02", 120.0, None), (A, "2026-03", 130.0, 300.0)]
    )
    # 0.5 t per 10^4 yuan x 2,400 planned = 1,200 t
    by_va = _budget(budget_id="va", intensity=0.5, basis="value_added", planned=2400)
    # February has no value added: (100 + 130) / (200 + 300) = 0.46 t per 10^4 yuan
    output = pd.DataFrame(
        {
            "enterprise_id": [A, A, A],
            "period": ["2026-01", "2026-02", "2026-02"],
            "item": ["clinker", "clinker", "lime"],
            "amount": [1000.0, 1500.0, 9.0],
        }
    )
    by_product = _budget(
        budget_id="clinker",
        quantity="co2",
        code=A,
        intensity=0.9,
        basis="product",
        item="clinker",
        planned=12000,
        year=2027,
    )
    tracked = track([by_va, by_product.model_copy(update={"year": 2026})], use, output, None,
                    date(2026, 3, 31), REGIONS, REFERENCE)  # fmt: skip
    s = tracked.status("va")
    assert s.cap == pytest.approx(1200) and s.intensity_cap == 0.5
    assert s.denominator_to_date == 500 and s.intensity_actual == pytest.approx(0.46)
    assert tracked.months.iloc[1]["denominator"] != tracked.months.iloc[1]["denominator"]  # NaN
    # clinker: (100 + 120) t / (1,000 + 1,500) t = 0.088 t per t (lime is another item)
    p = tracked.status("clinker")
    assert p.denominator_to_date == 2500 and p.intensity_actual == pytest.approx(220 / 2500)
    assert [r["key"] for r in tracked.reference_rows] == [{"item": "clinker"}]
    # no denominator at all: a warning, no intensity
    bare = track([by_va], use.assign(value_added_10k_yuan=None), None, None,
                 date(2026, 3, 31), REGIONS, REFERENCE)  # fmt: skip
    assert bare.status("va").intensity_actual is None
    assert [w.code for w in bare.status("va").warnings] == ["policy.budgets.denominator_missing"]


def test_bad_frames_are_refused_with_every_problem() -> None:
    use = _use(JAN_MAR).assign(period=["2026-01", "2026/02", "2026-13"]).drop(columns="co2_t")
    with pytest.raises(InputError) as raised:
        track([_budget(budget_id="a", cap=1)], use, None, _use(JAN_MAR).assign(period="x"),
              date(2026, 3, 31), REGIONS, REFERENCE)  # fmt: skip
    found = [(p.place.file, p.place.row, p.place.column) for p in raised.value.problems]
    assert ("use", None, "co2_t") in found
    assert ("nowcast", None, "co2_low_t") in found  # the nowcast's columns are checked too
    periods = _use(JAN_MAR).assign(period=["2026-01", "2026/02", "2026-13"])
    with pytest.raises(InputError) as raised:
        track([_budget(budget_id="a", cap=1)], periods, None, None, date(2026, 3, 31),
              REGIONS, REFERENCE)  # fmt: skip
    assert [(p.place.row, p.message) for p in raised.value.problems] == [
        (3, "'2026/02' is not YYYY-MM"),
        (4, "'2026-13' is not YYYY-MM"),
    ]


@settings(max_examples=40, deadline=None)
@given(
    profile=st.sampled_from(["even", "monthly", "quarterly"]),
    raw=st.lists(st.floats(0.05, 10), min_size=12, max_size=12),
    cap=st.floats(10, 1e7),
    month=st.integers(1, 12),
)
def test_use_along_the_profile_projects_the_cap(
    profile: str, raw: list[float], cap: float, month: int
) -> None:
    count = {"even": 0, "monthly": 12, "quarterly": 4}[profile]
    shares = None
    if count:
        shares = tuple(s / math.fsum(raw[:count]) for s in raw[:count])
        if abs(math.fsum(shares) - 1) > 1e-9:
            return
    budget = _budget(budget_id="a", cap=cap, profile=profile, shares=shares)
    allowed = month_allowances(budget)
    use = _use([(A, f"2026-{m:02d}", allowed[m - 1], None) for m in range(1, month + 1)])
    last_day = pd.Timestamp(2026, month, 1).days_in_month
    s = track([budget], use, None, None, date(2026, month, last_day), REGIONS, REFERENCE).status(
        "a"
    )
    assert s.projected == pytest.approx(cap, rel=1e-9)
    assert s.used_share == pytest.approx(s.elapsed_share, rel=1e-9)
    if month < 12:  # a month later, before that month's report: the same pace and projection
        later = date(2026, month + 1, pd.Timestamp(2026, month + 1, 1).days_in_month)
        lag = track([budget], use, None, None, later, REGIONS, REFERENCE).status("a")
        assert lag.judged_share == pytest.approx(s.elapsed_share, rel=1e-9)
        assert lag.judged_share < lag.elapsed_share
        assert lag.projected == pytest.approx(cap, rel=1e-9)


# -- alerts ----------------------------------------------------------------------------------


def _thresholds(tmp_path: Path, rows: list[str]) -> Reference:
    """An authority's thresholds (test values, not any authority's)."""
    path = tmp_path / "thresholds.csv"
    header = (
        "authority,quantity,indicator,level,threshold,valid_from,valid_to,source_id,status,note"
    )
    note = "rg_ys2025,unverified,test values"
    path.write_text("\n".join([header, *(f"{r},{note}" for r in rows)]) + "\n", encoding="utf-8")
    return REFERENCE.with_rows("budget_alert_thresholds", path)


def test_without_thresholds_no_level() -> None:
    tracked = track([_budget(budget_id="a", cap=1200)], _use(JAN_MAR), None, None,
                    date(2026, 3, 31), REGIONS, REFERENCE)  # fmt: skip
    [judged] = levels(tracked, REFERENCE, date(2026, 3, 31))
    assert judged.level is None and judged.projection == pytest.approx(1419.444 / 1200, abs=1e-6)
    assert [w.code for w in judged.warnings] == ["policy.budgets.no_alert_thresholds"]


def test_the_strictest_threshold_of_the_containing_authorities_applies(tmp_path: Path) -> None:
    # Hebei (130000) sets pace yellow 1.0 and projection red 1.2; Shijiazhuang (130100) a
    # stricter projection red 1.15 (it applies to its budgets); Tangshan (130200) laxer ones
    # (pace yellow 50, projection red 99: they never replace the province's)
    reference = _thresholds(tmp_path, [
        "130000,co2,pace,yellow,1.0,2026-01-01,",
        "130000,co2,projection,red,1.2,2026-01-01,",
        "130100,co2,projection,red,1.15,2026-01-01,",
        "130200,co2,pace,yellow,50,2026-01-01,",
        "130200,co2,projection,red,99,2026-01-01,",
        "130000,energy,pace,red,0.5,2026-01-01,",
    ])  # fmt: skip
    budgets = [
        _budget(budget_id="a", cap=1200),  # in 130102: Hebei's and Shijiazhuang's
        _budget(budget_id="b", code=B, cap=1200),  # in 130203: Hebei's and Tangshan's
        _budget(budget_id="c", code=C, cap=1200),  # in Shanxi: none
    ]
    use = _use([*JAN_MAR, *((B, p, v, None) for _, p, v, _ in JAN_MAR)])
    tracked = track(budgets, use, None, None, date(2026, 3, 31), REGIONS, REFERENCE)
    a, b, c = levels(tracked, reference, date(2026, 3, 31))
    # pace = projection = (350/1,200) / (90/365) = 1.1829
    assert a.level == "red" and (a.indicator, a.threshold) == ("projection", 1.15)
    assert [(t.authority, t.indicator, t.threshold) for t in a.thresholds] == [
        ("130000", "pace", 1.0),
        ("130100", "projection", 1.15),
    ]
    # 1.18 >= 1.0 (Hebei's, not Tangshan's 50) and < 1.2 (Hebei's, not Tangshan's 99)
    assert b.level == "yellow" and (b.indicator, b.threshold) == ("pace", 1.0)
    assert [(t.authority, t.threshold) for t in b.thresholds] == [("130000", 1.0), ("130000", 1.2)]
    assert c.level is None and c.warnings[0].code == "policy.budgets.no_alert_thresholds"
    # before the thresholds are in force: none
    assert levels(tracked, reference, date(2025, 12, 31))[0].level is None


def test_no_figure_is_no_use_not_zero(tmp_path: Path) -> None:
    reference = _thresholds(tmp_path, ["130000,co2,pace,yellow,1.0,2026-01-01,"])
    use = _use([JAN_MAR[0], JAN_MAR[2]])  # February missing
    budgets = [_budget(budget_id="a", cap=1200), _budget(budget_id="b", code=B, cap=1200)]
    tracked = track(budgets, use, None, None, date(2026, 3, 31), REGIONS, REFERENCE)
    a, b = tracked.statuses
    # 100 + 130 = 230 t counted; February is blank, not 0, and named
    assert a.used_to_date == 230 and a.months_missing == ("2026-02",)
    assert math.isnan(tracked.months.iloc[1]["used"])
    assert tracked.months.iloc[2]["cumulative_used"] == 230
    assert math.isnan(b.used_to_date) and math.isnan(b.projected)
    # February has no figure: it is not judged (a month that used nothing would be a report
    # of 0). Judged share = (31 + 31)/365 = 62/365 of the 90/365 elapsed; pace = (230/1,200)
    # / (62/365) = 1.1284; the recent months through March with a figure are January and
    # March (allowed 1,200 x 62/365 = 203.84 t), so projected = 230 + 230/203.84 x 1,200 x
    # 303/365 = 230 x 365/62 = 1,354.03 t, projection 1.1284 too
    assert a.elapsed_share == pytest.approx(90 / 365)
    assert a.judged_share == pytest.approx(62 / 365)
    assert a.projected == pytest.approx(230 * 365 / 62)
    judged = levels(tracked, reference, date(2026, 3, 31))
    assert judged[0].level == "yellow" and judged[0].pace == pytest.approx(1.128, abs=1e-3)
    assert judged[1].level is None
    assert [w.code for w in judged[1].warnings] == ["policy.budgets.no_use"]
    assert tracked.as_dict()["budgets"][1]["used_to_date"] is None  # JSON-ready


def test_crossings_along_a_sequence_of_levels() -> None:
    sequence = ["green", "yellow", "yellow", "red", "yellow", "green", "red", None]
    raised = []
    for before, after in itertools.pairwise(sequence):
        raised.append([(a.kind, a.level) for a in crossings({"a": before}, {"a": after})])
    assert raised == [
        [("raised", "yellow")],
        [],  # the same level again
        [("raised", "red")],
        [("cleared", "red")],
        [("cleared", "yellow")],
        [("raised", "red")],  # green to red: one alert
        [("cleared", "red")],  # no level counts as green
    ]
    # a budget judged for the first time starts from green
    assert [(a.kind, a.level) for a in crossings({}, {"new": "yellow", "calm": "green"})] == [
        ("raised", "yellow")
    ]


# -- the reporting lag -----------------------------------------------------------------------


def _steady(months: int) -> pd.DataFrame:
    """An enterprise 10 % over an even 3,650 t budget (10 t a day): 11 t a day, reported."""
    days = [31, 28, 31, 30]
    return _use([(A, f"2026-{m + 1:02d}", 11.0 * days[m], None) for m in range(months)])


@pytest.mark.parametrize(
    ("as_of", "reported", "judged_days"),
    [
        (date(2026, 3, 31), 3, 90),  # every month in: judged = elapsed
        (date(2026, 4, 10), 2, 59),  # March's report not yet due: January and February
        (date(2026, 4, 15), 3, 90),  # March in, April without a figure
    ],
)
def test_the_reporting_lag_does_not_bias_the_pace_low(
    tmp_path: Path, as_of: date, reported: int, judged_days: int
) -> None:
    # Used = 11 t x judged days, allowed over the judged months = 10 t x judged days:
    # pace = (11 d / 3,650) / (d / 365) = 1.10 on each day (before: 0.649 on 10 April, 11 x 59
    # = 649 t against 100/365 elapsed, and 0.943 on 15 April), so the yellow alert (1.0)
    # stays raised. Projection: the recent judged months run at 1.1 too, and the months not
    # judged (365 - d days, 10 t a day allowed) are carried at 1.1: 11 d + 1.1 x 10 x
    # (365 - d) = 4,015 t = 1.1 x 3,650 (on 10 April: 649 + 1.1 x 3,060 = 4,015).
    reference = _thresholds(tmp_path, ["130000,co2,pace,yellow,1.0,2026-01-01,"])
    tracked = track([_budget(budget_id="a", cap=3650)], _steady(reported), None, None,
                    as_of, REGIONS, REFERENCE)  # fmt: skip
    s = tracked.status("a")
    assert s.elapsed_share == pytest.approx((as_of - date(2025, 12, 31)).days / 365)
    assert s.judged_share == pytest.approx(judged_days / 365)
    assert s.used_to_date == pytest.approx(11 * judged_days)
    assert s.projected == pytest.approx(4015)
    [judged] = levels(tracked, reference, as_of)
    assert judged.pace == pytest.approx(1.1) and judged.level == "yellow"


def test_a_nowcast_month_counts_its_elapsed_days_and_its_metered_part() -> None:
    # As of 10 April: January-March reported (350 t), April nowcast to the 10th: 110 t, of
    # which the meters measured 80 t (the rest, 30 t, estimated). Judged share = (90 + 10)/365
    # = the elapsed share. A second enterprise's nowcast (B, in a region budget) has no
    # metered figure given: its metered part is unknown (NaN), not 0.
    nowcast = _nowcast([(A, "2026-04", 110.0, 100.0, 125.0)])
    nowcast["co2_metered_t"] = [80.0]
    nowcast["energy_metered_tce"] = [8.0]
    budgets = [_budget(budget_id="a", cap=1200), _budget(budget_id="e", cap=120, quantity="energy")]
    tracked = track(budgets, _use(JAN_MAR), None, nowcast, date(2026, 4, 10), REGIONS, REFERENCE)
    a, e = tracked.statuses
    assert a.judged_share == pytest.approx(100 / 365) == pytest.approx(a.elapsed_share)
    assert (a.nowcast_to_date, a.nowcast_metered_to_date, a.nowcast_estimated_to_date) == (
        pytest.approx(110), pytest.approx(80), pytest.approx(30))  # fmt: skip
    assert (e.nowcast_metered_to_date, e.nowcast_estimated_to_date) == (
        pytest.approx(8), pytest.approx(3))  # fmt: skip
    april = tracked.months[(tracked.months["budget_id"] == "a")].iloc[3]
    assert (april["nowcast_metered"], april["nowcast_estimated"]) == (80, pytest.approx(30))
    january = tracked.months.iloc[0]  # reported: no nowcast, nothing metered or estimated
    assert (january["nowcast_metered"], january["nowcast_estimated"]) == (0, 0)
    # metered above the calibrated nowcast (coverage ratio below 1): at most the nowcast
    nowcast["co2_metered_t"] = [130.0]
    over = track(budgets[:1], _use(JAN_MAR), None, nowcast, date(2026, 4, 10), REGIONS,
                 REFERENCE).status("a")  # fmt: skip
    assert (over.nowcast_metered_to_date, over.nowcast_estimated_to_date) == (110, 0)
    # a nowcast frame without the metered columns: the split is unknown
    plain = track(budgets[:1], _use(JAN_MAR), None, _nowcast([(A, "2026-04", 110.0, 100.0,
                  125.0)]), date(2026, 4, 10), REGIONS, REFERENCE)  # fmt: skip
    assert math.isnan(plain.status("a").nowcast_metered_to_date)
    assert math.isnan(plain.months.iloc[3]["nowcast_metered"])
    assert plain.as_dict()["budgets"][0]["nowcast_metered_to_date"] is None
