"""Data quality over the lake: the same golden readings on DuckDB and Spark give the same rows,
and the rows are the ones worked out by hand."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.engine.session import Engine
from carbonpeak.io.lake import ingest, read_lake, read_meters
from carbonpeak.monitoring.quality import QualityRules, quality
from carbonpeak.reference.loader import default_reference

CEMENT = "911302007A3K9C2D24"


def _cst(day: int, hour: int) -> str:
    """A China Standard Time timestamp without an offset, in January 2024."""
    return (datetime(2024, 1, day) + timedelta(hours=hour)).isoformat()


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hourly meters over two China Standard Time days (1-2 January 2024), which start at
    16:00 UTC the day before: e1 (interval) has a spike, a day missing its last three hours,
    a negative value and a duplicate; g1 (a counter) misses two hours; x1 has readings only
    outside the window; d1 is a daily meter for the whole of January."""
    folder = tmp_path_factory.mktemp("quality")
    meters = folder / "meters.csv"
    pd.DataFrame(
        {
            "meter_id": ["e1", "g1", "x1", "d1"],
            "enterprise_id": [CEMENT] * 4,
            "carrier": ["electricity", "natural_gas", "electricity", "electricity"],
            "unit": ["kWh", "Nm3", "kWh", "kWh"],
            "kind": ["interval", "cumulative", "interval", "interval"],
            "interval_minutes": [60, 60, 60, 1440],
        }
    ).to_csv(meters, index=False)
    rows = [("e1", _cst(1, h), 100 if h == 5 else 10) for h in range(24)]
    rows += [("e1", _cst(2, h), -1 if h == 12 else 10) for h in range(21)]
    rows += [("e1", _cst(2, 3), 10)]  # a duplicate
    rows += [("g1", _cst(d, h), 1000 + 5 * (24 * (d - 1) + h)) for d in (1, 2) for h in range(24)]
    rows = [r for r in rows if not (r[0] == "g1" and r[1] in (_cst(2, 10), _cst(2, 11)))]
    rows += [("x1", _cst(5, h), 1) for h in range(24)]
    rows += [("d1", _cst(d, 0), 100) for d in range(1, 32)]
    readings = folder / "readings.csv"
    pd.DataFrame(rows, columns=["meter_id", "ts", "value"]).to_csv(readings, index=False)
    ingest(readings, meters, folder / "lake", default_reference())
    # late data: g1's hour 10 of day 2 arrives in a later file (inside a counted span)
    late = folder / "late.csv"
    late.write_text(f"meter_id,ts,value\ng1,{_cst(2, 10)},1170\n", encoding="utf-8")
    ingest(late, meters, folder / "lake", default_reference())
    return folder / "lake"


EXPECTED = {
    "d1": {"expected": 2, "received": 2, "gaps": 0, "spikes": 0, "negatives": 0},
    "e1": {"expected": 48, "received": 45, "gaps": 1, "spikes": 1, "negatives": 1},
    "g1": {"expected": 48, "received": 46, "gaps": 1, "spikes": 1, "negatives": 0},
    "x1": {"expected": 48, "received": 0, "gaps": 1, "spikes": 0, "negatives": 0},
}


def test_quality_by_hand_and_the_same_on_both_engines(lake: Path, frames: Engine) -> None:
    rules = QualityRules.of(default_reference())
    result = quality(
        frames,
        read_lake(frames, lake),
        read_meters(lake),
        rules,
        date(2024, 1, 1),
        date(2024, 1, 2),
    )
    rows = {r["meter_id"]: r for r in result.meters}
    assert set(rows) == set(EXPECTED)
    for meter, expected in EXPECTED.items():
        assert {k: rows[meter][k] for k in expected} == expected, meter
    # e1: day 2 has 21 of 24 readings (87.5 % < 90 %), one duplicate, a negative: fails
    assert rows["e1"]["duplicates"] == 1 and rows["e1"]["days_complete"] == 1
    assert rows["e1"]["completeness"] == round(45 / 48, 6) and not rows["e1"]["passes"]
    # g1: the counter's first reading gives no interval; 23 and 22 + 1 of 24 (the late hour 10
    # counts as received): both days pass; its 15 over three hours (09:00-12:00) is a spike
    assert rows["g1"]["days_complete"] == 2 and rows["g1"]["passes"]
    assert rows["g1"]["duplicates"] == 0
    assert not rows["x1"]["passes"] and rows["x1"]["completeness"] == 0.0
    assert rows["d1"]["passes"]


def test_reported_months_agree_within_five_percent(lake: Path, frames: Engine) -> None:
    rules = QualityRules.of(default_reference())
    monthly = pd.DataFrame(
        {"meter_id": ["d1", "e1"], "month": ["2024-01", "2024-01"], "value": [3100.0, 3300.0]}
    )
    result = quality(
        frames,
        read_lake(frames, lake),
        read_meters(lake),
        rules,
        date(2024, 1, 1),
        date(2024, 1, 31),
        monthly=monthly,
    )
    months = {m["meter_id"]: m for m in result.months}
    assert months["d1"]["daily_total"] == 3100.0 and months["d1"]["passes"]
    # e1: 240 + 100 - 90 + 200 - 1 ... summed by day: 330 + 199 = 529, far from 3300
    assert months["e1"]["daily_total"] == 330.0 + 199.0 and not months["e1"]["passes"]
    assert not {r["meter_id"]: r for r in result.meters}["e1"]["passes"]


def test_the_window_defaults_to_the_days_of_the_lake(lake: Path) -> None:
    from carbonpeak.engine.session import open_engine

    engine = open_engine("duckdb")
    result = quality(
        engine, read_lake(engine, lake), read_meters(lake), QualityRules.of(default_reference())
    )
    assert (result.start, result.end) == (date(2024, 1, 1), date(2024, 1, 31))
    assert {r["meter_id"]: r["expected"] for r in result.meters}["d1"] == 31


def test_quality_command(lake: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = cli(
        "monitor",
        "quality",
        "--lake",
        str(lake),
        "--from",
        "2024-01-01",
        "--to",
        "2024-01-02",
        "--json",
    )
    assert code == 0, err
    meters = {m["meter_id"]: m for m in json.loads(out)["meters"]}
    assert meters["e1"]["received"] == 45 and meters["g1"]["passes"] is True
    assert set(meters["e1"]) >= {
        "meter_id",
        "expected",
        "received",
        "completeness",
        "duplicates",
        "gaps",
        "negatives",
        "spikes",
        "passes",
    }
    code, _out, err = cli("monitor", "quality", "--lake", str(lake), "--from", "2024-13-01")
    assert code == 2 and "--from" in err
    code, _out, err = cli(
        "monitor", "quality", "--lake", str(lake), "--from", "2024-01-05", "--to", "2024-01-01"
    )
    assert code == 2 and "before it starts" in err
    monthly = lake.parent / "monthly.csv"
    monthly.write_text("meter_id,month,value\nd1,2024-01,3100\nd1,2024-1,x\n", encoding="utf-8")
    code, _out, err = cli("monitor", "quality", "--lake", str(lake), "--monthly", str(monthly))
    assert code == 2 and "row 3, column month" in err and "row 3, column value" in err
    code, _out, err = cli("monitor", "quality", "--lake", str(lake.parent / "nowhere"))
    assert code == 2 and "no readings" in err


def test_reported_monthly_totals_must_be_finite_and_plausible() -> None:
    from carbonpeak.monitoring.quality import check_monthly

    monthly = pd.DataFrame(
        {"meter_id": ["e1"] * 4, "month": ["2024-01"] * 4, "value": ["inf", "1e400", "2e15", "7"]}
    )
    tidy, problems = check_monthly(monthly)
    assert [(p.place.row, p.place.column) for p in problems] == [(r, "value") for r in (2, 3, 4)]
    assert tidy["value"].iloc[3] == 7.0


def test_reported_months_lie_in_the_times_of_readings() -> None:
    from carbonpeak.monitoring.quality import check_monthly

    monthly = pd.DataFrame(
        {"meter_id": ["e1"] * 3, "month": ["1677-01", "2024-02", "9999-12"], "value": ["1"] * 3}
    )
    _tidy, problems = check_monthly(monthly)
    assert [(p.place.row, p.place.column) for p in problems] == [(2, "month"), (4, "month")]
