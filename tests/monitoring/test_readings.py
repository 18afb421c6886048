"""Meters and readings: checks by row and column, times to UTC, counters to intervals, the lake."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.io.lake import ingest
from carbonpeak.monitoring.readings import check_meters, check_readings, to_intervals, utc_times
from carbonpeak.reference.loader import default_reference

CEMENT = "911302007A3K9C2D24"
METERS = pd.DataFrame(
    {
        "meter_id": ["e1", "g1"],
        "enterprise_id": [CEMENT, CEMENT],
        "carrier": ["electricity", "natural_gas"],
        "unit": ["kWh", "Nm3"],
        "kind": ["interval", "cumulative"],
        "interval_minutes": ["", "15"],
    }
)


def test_times_without_an_offset_are_china_standard_time() -> None:
    times = utc_times(
        pd.Series(["2024-01-01T08:00:00", "2024-01-01T08:00:00+08:00", "2024-01-01T00:00Z", "x"])
    )
    assert [str(t) for t in times[:3]] == ["2024-01-01 00:00:00+00:00"] * 3
    assert pd.isna(times[3])


def test_meters_are_checked_by_row_and_column() -> None:
    bad = pd.concat(
        [
            METERS,
            pd.DataFrame(
                {
                    "meter_id": ["e1", "x1"],
                    "enterprise_id": [CEMENT, "911302007A3K9C2D25"],
                    "carrier": ["electricity", "unobtainium"],
                    "unit": ["t", "kWh"],
                    "kind": ["interval", "sometimes"],
                    "interval_minutes": ["15", "7.5"],
                }
            ),
        ],
        ignore_index=True,
    )
    _table, problems = check_meters(bad, default_reference())
    found = {(p.place.row, p.place.column) for p in problems}
    assert found == {
        (4, "meter_id"),  # e1 repeats
        (4, "unit"),  # t is not energy
        (5, "enterprise_id"),
        (5, "carrier"),
        (5, "kind"),
        (5, "interval_minutes"),
    }
    assert check_meters(METERS, default_reference())[1] == []


def test_counters_become_intervals_through_resets_and_rollovers() -> None:
    meters, _ = check_meters(METERS, default_reference())
    readings = pd.DataFrame(
        {
            "meter_id": ["g1"] * 6 + ["e1", "e1"],
            "ts": [f"2024-01-01T0{h}:00" for h in range(6)] + ["2024-01-01T00:00"] * 2,
            "value": ["99000", "99500", "300", "500", "20", "20", "4", "5"],
        }
    )
    tidy, problems = check_readings(readings, meters)
    assert problems == []
    intervals = to_intervals(tidy, meters)
    counter = intervals[intervals["meter_id"] == "g1"]["value"].tolist()
    # 99000 -> 99500: +500; -> 300: rolled over at 100000 (+800); -> 500: +200;
    # -> 20: a reset (+20); -> 20: +0; the first reading has no interval
    assert counter == [500.0, 800.0, 200.0, 20.0, 0.0]
    assert intervals[intervals["meter_id"] == "e1"]["value"].tolist() == [4.0]  # duplicate


def _write(folder: Path) -> Callable[[str, str], Path]:
    def write(name: str, text: str) -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_the_lake_takes_a_file_once_and_nothing_from_a_bad_one(tmp_path: Path) -> None:
    write = _write(tmp_path)
    meters = tmp_path / "meters.csv"
    METERS.to_csv(meters, index=False)
    readings = write(
        "readings.csv",
        "meter_id,ts,value\n"
        "e1,2024-02-01T05:00:00,10\n"  # 31 January in UTC: the January part
        "e1,2024-02-01T09:00:00,12\n",
    )
    lake = tmp_path / "lake"
    first = ingest(readings, meters, lake, default_reference())
    assert first == {"readings": 2, "parts": 2, "new_parts": 2}
    parts = sorted(p.relative_to(lake).parent.as_posix() for p in lake.rglob("*.parquet"))
    assert parts == ["readings/year=2024/month=01", "readings/year=2024/month=02"]
    again = ingest(readings, meters, lake, default_reference())
    assert again == {"readings": 2, "parts": 2, "new_parts": 0}
    assert len(list(lake.rglob("*.parquet"))) == 2
    stored = pd.read_parquet(lake / "readings")
    assert sorted(stored["value"]) == [10.0, 12.0]

    bad = write("bad.csv", "meter_id,ts,value\ne9,2024-03-01T00:00,1\ne1,yesterday,x\n")
    with pytest.raises(InputError) as raised:
        ingest(bad, meters, lake, default_reference())
    places = {(p.place.file, p.place.row, p.place.column) for p in raised.value.problems}
    assert places == {
        (str(bad), 2, "meter_id"),
        (str(bad), 3, "ts"),
        (str(bad), 3, "value"),
    }
    assert not list((lake / "readings").glob("year=2024/month=03"))  # nothing written
    assert not [p for p in lake.iterdir() if p.name.startswith(".ingest-")]


def test_ingest_command(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    meters = tmp_path / "meters.csv"
    METERS.to_csv(meters, index=False)
    readings = _write(tmp_path)("r.csv", "meter_id,ts,value\ne1,2024-01-05T10:00,3\n")
    code, out, _ = cli(
        "monitor",
        "ingest",
        str(readings),
        "--meters",
        str(meters),
        "--lake",
        str(tmp_path / "l"),
        "--json",
    )
    assert code == 0 and json.loads(out) == {"readings": 1, "parts": 1, "new_parts": 1}
    bad = _write(tmp_path)("b.csv", "meter_id,ts,value\nzz,2024-01-05T10:00,3\n")
    code, _out, err = cli(
        "monitor", "ingest", str(bad), "--meters", str(meters), "--lake", str(tmp_path / "l")
    )
    assert code == 2 and "unknown meter 'zz'" in err


def test_the_readme_example(tmp_path: Path) -> None:
    examples = Path(__file__).parents[2] / "examples"
    written = ingest(
        examples / "readings.csv", examples / "meters.csv", tmp_path, default_reference()
    )
    assert written == {"readings": 15, "parts": 1, "new_parts": 1}  # the counter's first drops
    gas = pd.read_parquet(tmp_path / "readings").query("meter_id == 'CEM-G1'")
    assert set(gas["value"]) == {120.0}  # through the rollover at 100,000
