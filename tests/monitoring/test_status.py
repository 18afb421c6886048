"""The monitoring status as of a moment, on a lake worked out by hand: completeness yesterday
and over the history, the upload rate, the silent meter, today against the same weekday last
week, the spike; the same figures on DuckDB and on Spark."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.domain.uscc import make_uscc
from carbonpeak.engine.session import Engine
from carbonpeak.io.lake import ingest, read_lake, read_meters
from carbonpeak.monitoring.status import StatusOptions, latest_time, status
from carbonpeak.reference.loader import default_reference

A = "911302007A3K9C2D24"
B = make_uscc("91130200MNTRB0001")
NOW = datetime(2024, 1, 10, 4, 0, tzinfo=UTC)  # 12:00 China Standard Time, a Wednesday
KWH_TCE = 0.1229e-3  # the equivalent-value coefficient, 0.1229 kgce/kWh
GAS_TCE = 1.2143e-3  # natural gas, 12.143 t per 10^4 m3 (standard_coal_coefficients)


def _cst(day: int, hour: int, minute: int = 0) -> str:
    """A China Standard Time timestamp (no offset: the lake reads them as CST) in January
    2024."""
    return (datetime(2024, 1, day) + timedelta(hours=hour, minutes=minute)).isoformat()


def hand_readings(a: str = A, b: str = B) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The meters and readings of the hand-worked lake, from 1 January 2024 00:00 (CST) to
    10 January 12:00:

    - A-E15 (A, electricity, 15 min, 10 kWh each): misses 02:00-03:45 of 9 January (8);
    - A-G60 (A, natural gas, hourly, 5 Nm3 each): 500 Nm3 at 09:00 on 10 January (a spike);
    - A-S60 (A, electricity, hourly, 20 kWh each): its last reading is 06:00 on 9 January;
    - B-E60 (B, electricity, hourly, 100 kWh each): from 5 January on."""
    meters = pd.DataFrame(
        {
            "meter_id": ["A-E15", "A-G60", "A-S60", "B-E60"],
            "enterprise_id": [a, a, a, b],
            "carrier": ["electricity", "natural_gas", "electricity", "electricity"],
            "unit": ["kWh", "Nm3", "kWh", "kWh"],
            "kind": ["interval"] * 4,
            "interval_minutes": [15, 60, 60, 60],
        }
    )
    rows = []
    for day in range(1, 11):
        for minute in range(0, 24 * 60, 15):
            hour, rest = divmod(minute, 60)
            if day == 10 and minute > 12 * 60:
                break
            if day == 9 and 2 <= hour < 4:
                continue
            rows.append(("A-E15", _cst(day, hour, rest), 10.0))
        for hour in range(24):
            if day == 10 and hour > 12:
                break
            rows.append(("A-G60", _cst(day, hour), 500.0 if (day, hour) == (10, 9) else 5.0))
            if day < 9 or (day == 9 and hour <= 6):
                rows.append(("A-S60", _cst(day, hour), 20.0))
            if day >= 5:
                rows.append(("B-E60", _cst(day, hour), 100.0))
    return meters, pd.DataFrame(rows, columns=["meter_id", "ts", "value"])


def build_lake(folder: Path, a: str = A, b: str = B) -> Path:
    """The hand-worked lake, ingested as two files: the second repeats four of A-E15's
    readings of 9 January (repeats, received once)."""
    meters, readings = hand_readings(a, b)
    meters.to_csv(folder / "meters.csv", index=False)
    readings.to_csv(folder / "readings.csv", index=False)
    lake = folder / "lake"
    ingest(folder / "readings.csv", folder / "meters.csv", lake, default_reference())
    again = readings[
        (readings["meter_id"] == "A-E15") & readings["ts"].str.startswith("2024-01-09")
    ]
    again.head(4).to_csv(folder / "again.csv", index=False)
    ingest(folder / "again.csv", folder / "meters.csv", lake, default_reference())
    return lake


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_lake(tmp_path_factory.mktemp("status"))


# By hand. Yesterday is 9 January; the 30 days are 11 December to 9 January, and each meter is
# expected from its first day (A's 1 January: 9 days; B's 5 January: 5 days).
METERS = {
    # meter: expected/received yesterday, over the history, in the 24 h to now (11:00 CST of
    # the 9th exclusive), hours since the last reading, silent, value today, last week
    "A-E15": (96, 88, 864, 856, 96, 96, 0.0, False, 49 * 10.0, 49 * 10.0),
    "A-G60": (24, 24, 216, 216, 24, 24, 0.0, False, 12 * 5.0 + 500, 13 * 5.0),
    "A-S60": (24, 7, 216, 199, 24, 0, 30.0, True, 0.0, 13 * 20.0),
    "B-E60": (24, 24, 120, 120, 24, 24, 0.0, False, 13 * 100.0, 0.0),
}


def test_status_by_hand_and_the_same_on_both_engines(lake: Path, frames: Engine) -> None:
    reference = default_reference()
    gas = GAS_TCE
    result = status(frames, read_lake(frames, lake), read_meters(lake), reference, NOW)
    assert (result.today, result.yesterday, result.history_start) == (
        date(2024, 1, 10),
        date(2024, 1, 9),
        date(2023, 12, 11),
    )
    got = {
        m.meter_id: (
            m.expected_yesterday,
            m.received_yesterday,
            m.expected_history,
            m.received_history,
            m.expected_24h,
            m.received_24h,
            m.hours_since_last,
            m.silent,
            m.value_today,
            m.value_last_week,
        )
        for m in result.meters
    }
    assert got == METERS
    meters = {m.meter_id: m for m in result.meters}
    assert meters["A-E15"].completeness_yesterday == round(88 / 96, 6)
    assert meters["A-S60"].completeness_history == round(199 / 216, 6)
    assert meters["A-S60"].upload_rate == 0.0
    assert meters["A-E15"].energy_tce_today == pytest.approx(490 * KWH_TCE)
    assert meters["A-G60"].energy_tce_today == pytest.approx(560 * gas)
    assert meters["A-G60"].energy_change == round((560 - 65) / 65, 6)
    assert meters["B-E60"].energy_change is None  # nothing last week to compare with
    a, b = result.enterprises
    assert (a.enterprise_id, a.meters, a.silent_meters, b.silent_meters) == (A, 3, 1, 0)
    assert (a.expected_yesterday, a.received_yesterday) == (144, 119)
    assert a.completeness_yesterday == round(119 / 144, 6) and not a.passes_yesterday
    assert (a.expected_history, a.received_history) == (1296, 1271)
    assert b.completeness_yesterday == 1.0 and b.passes_yesterday
    today_a = 490 * KWH_TCE + 560 * gas
    before_a = 490 * KWH_TCE + 65 * gas + 260 * KWH_TCE
    assert a.energy_tce_today == pytest.approx(today_a)
    assert a.energy_tce_last_week == pytest.approx(before_a)
    assert a.energy_change == pytest.approx((today_a - before_a) / before_a, abs=1e-6)
    # the spike: the other six days at 09:00 read 5, so the spread is its floor 0.01 x 5
    [spike] = result.anomalies
    assert (spike.meter_id, spike.enterprise_id, spike.ts) == (
        "A-G60",
        A,
        "2024-01-10T09:00:00+08:00",
    )
    assert (spike.value, spike.usual, spike.score) == (500.0, 5.0, 9900.0)
    assert (a.anomalies, b.anomalies) == (1, 0)
    assert result.only({A}).anomalies == [spike] and result.only({B}).anomalies == []
    assert [e.enterprise_id for e in result.only({B}).enterprises] == [B]
    totals = result.totals()
    assert totals["enterprises"] == 2 and totals["meters"] == 4 and totals["silent_meters"] == 1
    assert totals["completeness_yesterday"] == round(143 / 168, 6)
    assert totals["enterprises_below"] == 1
    assert result.threshold.value == 0.9 and result.threshold.status == "unverified"
    assert "monitoring.status.threshold_unverified" in {w["code"] for w in result.warnings}


def test_now_defaults_to_the_latest_reading_and_the_options_move_the_figures(
    lake: Path,
) -> None:
    from carbonpeak.engine.session import open_engine

    engine = open_engine("duckdb")
    meters = read_meters(lake)
    assert latest_time(meters) == NOW
    longer = status(
        engine,
        read_lake(engine, lake),
        meters,
        default_reference(),
        NOW,
        StatusOptions(silent_hours=36, history_days=3, anomaly_count=0),
    )
    rows = {m.meter_id: m for m in longer.meters}
    assert not rows["A-S60"].silent and longer.anomalies == []
    # 3 days: 7 to 9 January; B from its first day (the 5th) on: all 3
    assert (rows["A-E15"].expected_history, rows["A-E15"].received_history) == (288, 280)
    assert rows["B-E60"].expected_history == 72
    # before B's first reading B is not under monitoring at all
    early = status(
        engine,
        read_lake(engine, lake),
        meters,
        default_reference(),
        datetime(2024, 1, 3, 4, tzinfo=UTC),
    )
    assert {e.enterprise_id for e in early.enterprises} == {A}
    # a moment before the lake's latest: A-S60's last reading is found the same
    assert {m.meter_id: m.hours_since_last for m in early.meters}["A-S60"] == 0.0


def test_a_counters_late_reading_is_received_once(tmp_path: Path, frames: Engine) -> None:
    """A cumulative meter misses 10:00 of 2 January; it arrives in a later file (late: not
    counted, the energy of that span is in 11:00's interval) and again in a third (a repeat).
    Yesterday (the 2nd, as of 3 January 00:00 CST) has all 24 readings."""
    pd.DataFrame(
        {
            "meter_id": ["C-G60"],
            "enterprise_id": [A],
            "carrier": ["natural_gas"],
            "unit": ["Nm3"],
            "kind": ["cumulative"],
            "interval_minutes": [60],
        }
    ).to_csv(tmp_path / "meters.csv", index=False)
    rows = [
        ("C-G60", _cst(day, hour), 1000 + 5 * (24 * (day - 1) + hour))
        for day in (1, 2)
        for hour in range(24)
        if (day, hour) != (2, 10)
    ]
    pd.DataFrame(rows, columns=["meter_id", "ts", "value"]).to_csv(
        tmp_path / "readings.csv", index=False
    )
    lake = tmp_path / "lake"
    ingest(tmp_path / "readings.csv", tmp_path / "meters.csv", lake, default_reference())
    for name in ("late.csv", "again.csv"):
        (tmp_path / name).write_text(
            f"meter_id,ts,value\nC-G60,{_cst(2, 10)},{1000 + 5 * 34}\n"
            + (f"C-G60,{_cst(2, 9)},{1000 + 5 * 33}\n" if name == "again.csv" else ""),
            encoding="utf-8",
        )
        ingest(tmp_path / name, tmp_path / "meters.csv", lake, default_reference())
    now = datetime(2024, 1, 2, 16, tzinfo=UTC)
    result = status(frames, read_lake(frames, lake), read_meters(lake), default_reference(), now)
    [meter] = result.meters
    assert (meter.expected_yesterday, meter.received_yesterday) == (24, 24)
    # a counter's first reading is where it starts, not an interval: the 1st has 23
    assert (meter.expected_history, meter.received_history) == (48, 47)
    assert meter.value_today == 0.0  # nothing on the 3rd yet


def test_status_command(lake: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    code, printed, _err = cli("monitoring", "status", "--lake", str(lake), "--json")
    assert code == 0
    body = json.loads(printed)
    assert body["now"].startswith("2024-01-10 04:00:00")  # the latest reading, UTC
    assert body["totals"]["completeness_yesterday"] == round(143 / 168, 6)
    assert [m["meter_id"] for m in body["meters"] if m["silent"]] == ["A-S60"]
    # as of 10:00 CST (offset given the same way): A-S60 silent 28 h; 36 h allowed: none
    code, printed, _err = cli(
        "monitor", "status", "--lake", str(lake), "--at", "2024-01-10T10:00+08:00", "--json"
    )
    hours = {m["meter_id"]: m["hours_since_last"] for m in json.loads(printed)["meters"]}
    assert code == 0 and hours["A-S60"] == 28.0 and hours["A-E15"] == 0.0
    code, printed, _err = cli(
        "monitoring",
        "status",
        "--lake",
        str(lake),
        "--at",
        "2024-01-10T10:00",
        "--silent-hours",
        "36",
    )
    assert code == 0 and "as of 2024-01-10 10:00" in printed.replace("\n", " ")
    code, _out, err = cli("monitoring", "status", "--lake", str(lake), "--at", "noon")
    assert code == 2 and "--at" in err
