"""Meters and readings: checks by row and column, times to UTC, counters to intervals, the lake."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.io.lake import ingest, read_meters
from carbonpeak.monitoring.readings import check_meters, check_readings, to_intervals, utc_times
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
CEMENT = "911302007A3K9C2D24"
OTHER = "91110108551385082Q"
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
    assert first == {"readings": 2, "repeats": 0, "parts": 2, "new_parts": 2, "committed": 1}
    parts = sorted(p.relative_to(lake).parent.as_posix() for p in lake.rglob("*.parquet"))
    assert parts == ["meters", "readings/year=2024/month=01", "readings/year=2024/month=02"]
    registry = read_meters(lake)
    assert registry[
        ["meter_id", "enterprise_id", "interval_minutes", "readings"]
    ].values.tolist() == [["e1", CEMENT, 15, 2]]
    assert registry["first_epoch"].tolist() == [1706734800]  # 2024-01-31T21:00:00Z
    again = ingest(readings, meters, lake, default_reference())
    assert again == {"readings": 0, "repeats": 0, "parts": 2, "new_parts": 0, "committed": 0}
    assert len(list(lake.rglob("*.parquet"))) == 3
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
    assert code == 0 and json.loads(out) == {
        "readings": 1,
        "repeats": 0,
        "parts": 1,
        "new_parts": 1,
        "committed": 1,
    }
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
    assert written == {
        "readings": 15,
        "repeats": 0,
        "parts": 1,
        "new_parts": 1,
        "committed": 1,
    }  # the counter's first drops
    gas = pd.read_parquet(tmp_path / "readings").query("meter_id == 'CEM-G1'")
    assert set(gas["value"]) == {120.0}  # through the rollover at 100,000


def _stored(lake: Path) -> pd.DataFrame:
    return pd.read_parquet(lake / "readings").sort_values(
        ["meter_id", "ts", "counted"], ascending=[True, True, False]
    )


def test_files_continue_counters_and_repeats_are_kept_but_not_counted(tmp_path: Path) -> None:
    write = _write(tmp_path)
    meters = tmp_path / "meters.csv"
    METERS.to_csv(meters, index=False)
    lake = tmp_path / "lake"
    reference = default_reference()
    day1 = write(
        "d1.csv",
        "meter_id,ts,value\n"
        "g1,2024-01-01T00:00,100\ng1,2024-01-01T00:15,110\ng1,2024-01-01T00:30,125\n"
        "e1,2024-01-01T00:15,4\ne1,2024-01-01T00:15,4\n",  # a duplicate within the file
    )
    assert ingest(day1, meters, lake, reference)["readings"] == 3
    # the next file continues the counter from 125; e1 00:15 comes again (a repeat)
    day2 = write(
        "d2.csv",
        "meter_id,ts,value\ng1,2024-01-01T00:45,130\ne1,2024-01-01T00:15,4\n"
        "e1,2024-01-01T00:30,6\n",
    )
    assert ingest(day2, meters, lake, reference) == {
        "readings": 2,
        "repeats": 1,
        "parts": 1,
        "new_parts": 1,
        "committed": 1,
    }
    # late counter data inside a span the lake has counted: kept, not counted
    late = write("late.csv", "meter_id,ts,value\ng1,2024-01-01T00:20,115\n")
    assert ingest(late, meters, lake, reference)["repeats"] == 1
    stored = _stored(lake)
    gas = stored[stored["meter_id"] == "g1"]
    assert gas[gas["counted"]]["value"].tolist() == [10.0, 15.0, 5.0]
    assert gas[~gas["counted"]]["value"].tolist() == [5.0]  # 110 -> 115, already in 15
    assert gas["counter"].tolist() == [110.0, 115.0, 125.0, 130.0]
    power = stored[stored["meter_id"] == "e1"]
    assert power[["value", "copies", "counted"]].values.tolist() == [
        [4.0, 2, True],
        [4.0, 1, False],
        [6.0, 1, True],
    ]
    assert gas["counted"].sum() + power["counted"].sum() == 5


def test_a_meter_cannot_change_enterprise_or_take_foreign_readings(tmp_path: Path) -> None:
    write = _write(tmp_path)
    meters = tmp_path / "meters.csv"
    METERS.to_csv(meters, index=False)
    lake = tmp_path / "lake"
    reference = default_reference()
    ingest(write("a.csv", "meter_id,ts,value\ne1,2024-01-01T00:15,4\n"), meters, lake, reference)
    moved = tmp_path / "moved.csv"
    METERS.assign(enterprise_id=OTHER).to_csv(moved, index=False)
    with pytest.raises(InputError) as raised:
        ingest(write("b.csv", "meter_id,ts,value\ne1,2024-01-02T00:15,4\n"), moved, lake, reference)
    assert {(p.place.row, p.place.column) for p in raised.value.problems} == {(2, "enterprise_id")}
    foreign = write("c.csv", "meter_id,ts,value,enterprise_id\ne1,2024-01-03T00:15,4,{OTHER}\n")
    with pytest.raises(InputError) as raised:
        ingest(foreign, meters, lake, reference)
    assert [(p.place.row, p.place.column) for p in raised.value.problems] == [(2, "enterprise_id")]
    assert len(_stored(lake)) == 1  # nothing written by either


def test_readings_must_be_finite_plausible_and_in_the_time_range() -> None:
    readings = pd.DataFrame(
        {
            "meter_id": ["e1"] * 8,
            "ts": [
                "2024-01-01T00:15",
                "2024-01-01T00:30",
                "2024-01-01T00:45",
                "2024-01-01T01:00",
                "2024-01-01T01:15",
                "1677-09-22T00:00Z",  # inside pandas' range, outside the lake's
                "1969-12-31T23:00Z",
                "2262-04-01T00:00Z",
            ],
            "value": ["inf", "1e400", "-Infinity", "2e15", "-5", "1", "1", "1"],
        }
    )
    tidy, problems = check_readings(readings, METERS)
    assert [(p.place.row, p.place.column) for p in problems] == [
        (2, "value"),
        (3, "value"),
        (4, "value"),
        (5, "value"),
        (7, "ts"),
        (8, "ts"),
        (9, "ts"),
    ]
    assert "finite" in problems[0].message and "1e+15" in problems[3].message
    assert "1970-01-01" in problems[4].message
    assert tidy["value"].iloc[4] == -5.0  # a negative interval is the quality check's business


def test_interval_minutes_are_bounded() -> None:
    _table, problems = check_meters(METERS.assign(interval_minutes=["1e20", "15"]), REFERENCE)
    assert [(p.place.row, p.place.column) for p in problems] == [(2, "interval_minutes")]


def test_ingest_refuses_an_infinite_reading(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    meters = tmp_path / "meters.csv"
    METERS.to_csv(meters, index=False)
    readings = _write(tmp_path)("r.csv", "meter_id,ts,value\ne1,2024-01-05T10:00,1e400\n")
    lake = tmp_path / "l"
    code, _out, err = cli(
        "monitor", "ingest", str(readings), "--meters", str(meters), "--lake", str(lake)
    )
    assert code == 2 and "r.csv" in err and "finite" in err
    assert not list(lake.rglob("*.parquet"))
