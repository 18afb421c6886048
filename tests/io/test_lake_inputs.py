"""Bad files around the lake end in exit 2 naming the file (and the column), never exit 70: a
corrupt part in the lake, a duplicated column, a file with a header and no rows, a Parquet
file with times pandas cannot hold, a figure that is not finite on its way to a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from carbonpeak.errors import InputError
from carbonpeak.io.lake import ingest, write_rows
from carbonpeak.reference.loader import default_reference

Cli = Callable[..., tuple[int, str, str]]
CEMENT = "911302007A3K9C2D24"
METERS = (
    "meter_id,enterprise_id,carrier,unit,kind,interval_minutes\n"
    f"e1,{CEMENT},electricity,kWh,interval,15\n"
)
READINGS = "meter_id,ts,value\ne1,2024-01-01T10:00,1\ne1,2024-02-01T10:00,2\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    meters = _write(tmp_path, "meters.csv", METERS)
    ingest(_write(tmp_path, "r.csv", READINGS), meters, tmp_path / "lake", default_reference())
    return tmp_path / "lake"


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
@pytest.mark.parametrize(
    "command",
    [("quality",), ("rollup", "--json"), ("anomalies",), ("rollup", "--freq", "month")],
)
def test_a_corrupt_part_in_the_lake_is_named(
    lake: Path, cli: Cli, damage: str, command: tuple[str, ...]
) -> None:
    part = sorted((lake / "readings").rglob("part-*.parquet"))[1]
    data = part.read_bytes()
    part.write_bytes(b"not parquet at all" if damage == "garbage" else data[: len(data) // 2])
    code, out, err = cli("monitor", *command, "--lake", str(lake))
    assert (code, out) == (2, "")
    assert str(part) in err and "internal error" not in err


def test_a_corrupt_meter_registry_is_named(lake: Path, cli: Cli) -> None:
    registry = next((lake / "meters").glob("part-*.parquet"))
    registry.write_bytes(b"PAR1 garbage")
    code, _out, err = cli("monitor", "rollup", "--lake", str(lake))
    assert code == 2 and str(registry) in err


def test_a_corrupt_parquet_input_is_named(tmp_path: Path, cli: Cli) -> None:
    data = tmp_path / "data.parquet"
    data.write_bytes(b"garbage")
    code, _out, err = cli("monitor", "enpi", str(data), "--energy", "e", "--drivers", "p")
    assert code == 2 and str(data) in err
    meters = _write(tmp_path, "meters.csv", METERS)
    code, _out, err = cli(
        "monitor", "ingest", str(data), "--meters", str(meters), "--lake", str(tmp_path / "l")
    )
    assert code == 2 and str(data) in err


def test_parquet_times_pandas_cannot_hold_are_refused(tmp_path: Path, cli: Cli) -> None:
    data = tmp_path / "old.parquet"
    times = pa.array([-9_000_000_000_000_000], type=pa.timestamp("us", tz="UTC"))  # 1684 BC
    pq.write_table(pa.table({"meter_id": ["e1"], "ts": times, "value": [1.0]}), data)
    meters = _write(tmp_path, "meters.csv", METERS)
    lake = tmp_path / "lake"
    code, _out, err = cli("monitor", "ingest", str(data), "--meters", str(meters), "--lake", lake)
    assert code == 2 and str(data) in err
    assert not lake.exists() or not list(lake.rglob("*.parquet"))


@pytest.mark.parametrize("name", ["readings", "meters"])
def test_a_duplicated_column_is_refused_by_name(tmp_path: Path, cli: Cli, name: str) -> None:
    readings = _write(tmp_path, "r.csv", "meter_id,ts,value,value\ne1,2024-01-01T10:00,1,2\n")
    meters = _write(tmp_path, "m.csv", METERS)
    if name == "meters":
        readings = _write(tmp_path, "r.csv", READINGS)
        meters = _write(tmp_path, "m.csv", METERS.replace("kind,", "kind,unit,", 1))
    lake = tmp_path / "lake"
    code, _out, err = cli(
        "monitor", "ingest", str(readings), "--meters", str(meters), "--lake", str(lake)
    )
    column = "value" if name == "readings" else "unit"
    assert code == 2 and f"column {column!r} appears twice" in err
    assert str(readings if name == "readings" else meters) in err
    assert not list(lake.rglob("*.parquet"))


def test_enpi_refuses_a_duplicated_column(tmp_path: Path, cli: Cli) -> None:
    data = _write(tmp_path, "d.csv", "period,energy,energy,p\n2024-01,1,2,3\n")
    code, _out, err = cli("monitor", "enpi", str(data), "--energy", "energy", "--drivers", "p")
    assert code == 2 and "column 'energy' appears twice" in err and str(data) in err


@pytest.mark.parametrize("which", ["readings", "meters"])
def test_a_header_only_file_is_refused(tmp_path: Path, cli: Cli, which: str) -> None:
    readings = _write(tmp_path, "r.csv", "meter_id,ts,value\n" if which == "readings" else READINGS)
    meters = _write(tmp_path, "m.csv", METERS if which == "readings" else METERS.split("\n")[0])
    lake = tmp_path / "lake"
    code, out, err = cli(
        "monitor", "ingest", str(readings), "--meters", str(meters), "--lake", str(lake)
    )
    empty = readings if which == "readings" else meters
    assert (code, out) == (2, "") and f"no {which} in {empty}" in err
    assert not list(lake.rglob("*.parquet"))


def test_enpi_refuses_a_header_only_file(tmp_path: Path, cli: Cli) -> None:
    data = _write(tmp_path, "d.csv", "period,energy,p\n")
    code, _out, err = cli("monitor", "enpi", str(data), "--energy", "energy", "--drivers", "p")
    assert code == 2 and f"no rows in {data}" in err


def test_a_figure_that_is_not_finite_is_not_written(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    table = pa.table({"day": ["2024-01-01", "2024-01-02"], "energy_tce": [1.0, float("inf")]})
    with pytest.raises(InputError) as raised:
        write_rows(table, target)
    assert "energy_tce" in str(raised.value) and "row 3" in str(raised.value)
    assert not target.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "args",
    [
        ("quality", "--from", "0001-01-01"),
        ("anomalies", "--level", "day", "--to", "9999-12-31"),
        ("rollup", "--to", "9999-12-31"),
        ("rollup", "--from", "1600-01-01", "--json"),
    ],
)
def test_days_outside_the_times_of_readings_are_refused(
    lake: Path, cli: Cli, args: tuple[str, ...]
) -> None:
    code, out, err = cli("monitor", *args, "--lake", str(lake))
    assert (code, out) == (2, "")
    assert err.startswith("error: ") and "1970-01-01" in err and "2199-12-31" in err


def test_a_lake_that_is_a_file_is_refused(tmp_path: Path, cli: Cli) -> None:
    meters = _write(tmp_path, "meters.csv", METERS)
    readings = _write(tmp_path, "r.csv", READINGS)
    drivers = _write(tmp_path, "d.csv", f"enterprise_id,day,production_t\n{CEMENT},2024-01-01,5\n")
    for command in (("ingest", str(readings), "--meters", str(meters)), ("drivers", str(drivers))):
        code, out, err = cli("monitor", *command, "--lake", str(meters))
        assert (code, out) == (2, "") and f"{meters}: not a folder" in err


def test_a_drivers_file_without_its_day_column_is_refused(tmp_path: Path, cli: Cli) -> None:
    drivers = _write(tmp_path, "d.csv", f"enterprise_id,production_t\n{CEMENT},5\n")
    code, out, err = cli("monitor", "drivers", str(drivers), "--lake", str(tmp_path / "lake"))
    assert (code, out) == (2, "") and "column day: required column is missing" in err
