"""The lake's commit protocol: a real `monitor ingest` killed (SIGKILL) at each step leaves a
lake whose readers see the file wholly or not at all, and a retry makes it equal to a clean
ingest."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.engine.session import Engine, open_engine
from carbonpeak.io.commits import PHASES, locked
from carbonpeak.io.lake import ingest, read_lake, read_meters
from carbonpeak.reference.loader import default_reference

CEMENT = "911302007A3K9C2D24"
SRC = Path(__file__).parents[2] / "src"


def _files(folder: Path) -> tuple[Path, Path, Path]:
    """Meters, a first file (one day) and a file of 13 months, as in the issue."""
    meters = folder / "meters.csv"
    meters.write_text(
        "meter_id,enterprise_id,carrier,unit,kind,interval_minutes\n"
        f"e1,{CEMENT},electricity,kWh,interval,15\n"
        f"g1,{CEMENT},natural_gas,Nm3,cumulative,15\n",
        encoding="utf-8",
    )
    first = folder / "first.csv"
    first.write_text(
        "meter_id,ts,value\ne1,2023-01-01T10:00,1\ng1,2023-01-01T10:00,100\n", encoding="utf-8"
    )
    year = folder / "year.csv"
    lines = ["meter_id,ts,value"]
    for number, month in enumerate(pd.period_range("2023-01", "2024-01", freq="M")):
        lines.append(f"e1,{month.start_time:%Y-%m}-15T12:00,{number + 2}")
        lines.append(f"g1,{month.start_time:%Y-%m}-15T12:00,{110 + 10 * number}")
    year.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return meters, first, year


def _env(fault: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARBONPEAK_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    if fault is not None:
        env["CARBONPEAK_FAULT_POINT"] = fault
    return env


def _cli(*args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carbonpeak", *args],
        capture_output=True,
        text=True,
        check=False,
        env=_env(fault),
        timeout=120,
    )


def _waits_for_the_lock(lake: Path, *args: str) -> None:
    """The command `args` started while the lake is locked waits, then ends well."""
    with locked(lake):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "carbonpeak", *args],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(3)
        assert waiting.poll() is None  # still waiting for the lock
        assert not list(lake.rglob("part-*.parquet"))
    assert waiting.wait(timeout=120) == 0


def _seen(lake: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """What a reader of the lake sees: its readings and its meter registry, sorted."""
    engine = open_engine("duckdb")
    try:
        rows = read_lake(engine, lake).collect()
    finally:
        engine.stop()
    readings = sorted(tuple(str(v) for v in row) for row in rows)
    meters = sorted(map(tuple, read_meters(lake).astype(str).to_numpy().tolist()))
    return readings, meters


def _loose(lake: Path) -> list[str]:
    """Staging folders and temporary manifests a crash may leave behind."""
    return sorted(p.name for p in lake.rglob(".*") if p.name != ".")


@pytest.mark.parametrize("phase", PHASES)
def test_a_kill_at_any_step_of_an_ingest_is_repaired_by_a_retry(tmp_path: Path, phase: str) -> None:
    meters, first, year = _files(tmp_path)
    reference = default_reference()
    clean = tmp_path / "clean"
    ingest(first, meters, clean, reference)
    before = _seen(clean)
    ingest(year, meters, clean, reference)
    after = _seen(clean)

    lake = tmp_path / "lake"
    ingest(first, meters, lake, reference)
    args = ("monitor", "ingest", str(year), "--meters", str(meters), "--lake", str(lake))
    crashed = _cli(*args, fault=phase)
    assert crashed.returncode == -9, crashed.stderr  # killed where asked
    assert _seen(lake) == (after if phase == "committed" else before)  # all or nothing
    retried = _cli(*args, "--json")
    assert retried.returncode == 0, retried.stderr
    assert _seen(lake) == after
    assert _loose(lake) == []  # staging and temporary manifests are gone
    parts = sorted(p.relative_to(lake) for p in lake.rglob("part-*.parquet"))
    assert parts == sorted(p.relative_to(clean) for p in clean.rglob("part-*.parquet"))


def test_an_ingest_waits_for_the_lake_lock(tmp_path: Path) -> None:
    meters, first, _year = _files(tmp_path)
    lake = tmp_path / "lake"
    _waits_for_the_lock(
        lake, "monitor", "ingest", str(first), "--meters", str(meters), "--lake", str(lake)
    )
    assert len(list(lake.rglob("part-*.parquet"))) == 2


def test_drivers_wait_for_the_lake_lock(tmp_path: Path) -> None:
    """Two driver files ingested at once would take the same `sequence` (which decides which
    file's value wins): they are serialised by the lake's lock."""
    drivers = tmp_path / "drivers.csv"
    drivers.write_text(f"enterprise_id,day,production_t\n{CEMENT},2024-01-01,5\n", "utf-8")
    lake = tmp_path / "lake"
    _waits_for_the_lock(lake, "monitor", "drivers", str(drivers), "--lake", str(lake))
    assert len(list((lake / "drivers").glob("part-*.parquet"))) == 1


def test_a_lake_from_before_manifests_is_read_and_adopted(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    meters, first, year = _files(tmp_path)
    lake = tmp_path / "lake"
    ingest(first, meters, lake, default_reference())
    for manifest in (lake / "_commits").iterdir():
        manifest.unlink()
    (lake / "_commits").rmdir()  # as the lake was written before manifests
    seen = _seen(lake)
    assert len(seen[0]) == 1
    ingest(year, meters, lake, default_reference())
    assert (lake / "_commits" / "legacy.json").exists()
    # the counter continues from the first file's reading (kept in the meter registry), though
    # that reading, a counter's first, gave no interval of its own
    assert len(_seen(lake)[0]) == 1 + 13 + 13


def test_both_engines_read_only_committed_parts(tmp_path: Path, frames: Engine) -> None:
    meters, first, year = _files(tmp_path)
    lake = tmp_path / "lake"
    ingest(first, meters, lake, default_reference())
    args = ("monitor", "ingest", str(year), "--meters", str(meters), "--lake", str(lake))
    assert _cli(*args, fault="moved").returncode == -9
    assert len(list(lake.rglob("part-*.parquet"))) == 2 + 14  # the year's parts are in place
    rows = read_lake(frames, lake).collect()
    assert [(r["meter_id"], r["value"]) for r in rows] == [("e1", 1.0)]  # but not committed
