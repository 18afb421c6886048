"""Compaction of the lake: the small parts of many commits merged, no figure changed on either
engine, the same file sent again still writing nothing, and a crash at any step leaving the
lake as it was or compacted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.engine.session import Engine
from carbonpeak.io.commits import COMPACTION_PHASES, committed, live
from carbonpeak.io.compaction import compact
from carbonpeak.io.lake import ingest, read_lake
from carbonpeak.reference.loader import default_reference
from tests.io.test_lake_commits import _cli, _loose, _seen

CEMENT = "911302007A3K9C2D24"
REFERENCE = default_reference()


def _meters(folder: Path) -> Path:
    path = folder / "meters.csv"
    path.write_text(
        "meter_id,enterprise_id,carrier,unit,kind,interval_minutes\n"
        f"e1,{CEMENT},electricity,kWh,interval,15\n"
        f"g1,{CEMENT},natural_gas,Nm3,cumulative,15\n",
        encoding="utf-8",
    )
    return path


def _batches(folder: Path, count: int) -> list[Path]:
    """`count` files of an hour each (four readings a meter), crossing a month's end."""
    start = pd.Timestamp("2024-02-01T05:30:00+08:00")  # 21:30 UTC: batch 2 crosses
    paths = []
    for number in range(count):
        lines = ["meter_id,ts,value"]
        for quarter in range(4):
            moment = start + pd.Timedelta(minutes=15 * (4 * number + quarter))
            lines.append(f"e1,{moment.isoformat()},{number + quarter}")
            lines.append(f"g1,{moment.isoformat()},{100 + 7 * (4 * number + quarter)}")
        path = folder / f"batch{number}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _filled(tmp_path: Path, count: int = 10, more: int = 0) -> tuple[Path, Path, list[Path]]:
    meters, lake = _meters(tmp_path), tmp_path / "lake"
    batches = _batches(tmp_path, count + more)
    for batch in batches[:count]:
        ingest(batch, meters, lake, REFERENCE)
    return meters, lake, batches


def test_compaction_merges_the_parts_and_changes_no_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meters, lake, batches = _filled(tmp_path, 10, more=1)
    before = _seen(lake)
    parts = committed(lake)
    assert len(parts.readings) == 11 and len(parts.meters) == 10  # one file crosses the month
    done = compact(lake, min_parts=3)
    assert done == {"replaced": 10, "parts_before": 21, "parts_after": 3}
    assert _seen(lake) == before
    after = committed(lake)
    assert len(after.readings) == 2 and len(after.meters) == 1
    assert len(live(lake)) == 1
    # the merged parts stay for the retention time (readers that listed them), then go
    assert len(list(lake.rglob("part-*.parquet"))) == 21 + 3
    monkeypatch.setenv("CARBONPEAK_LAKE_RETENTION", "0")
    assert compact(lake, min_parts=3)["replaced"] == 0
    assert sorted(p.name for p in lake.rglob("part-*.parquet")) == sorted(
        p.name for p in [*after.readings, *after.meters]
    )
    # the same file again writes nothing; a new one continues the counter from the registry
    assert ingest(batches[3], meters, lake, REFERENCE)["new_parts"] == 0
    assert _seen(lake) == before
    written = ingest(batches[10], meters, lake, REFERENCE)
    assert written["readings"] == 8  # the counter's first reading of the file has an interval
    assert compact(lake, min_parts=3)["replaced"] == 0  # the month has too few parts again


def test_compaction_is_read_alike_by_both_engines(tmp_path: Path, frames: Engine) -> None:
    _meters_path, lake, _batches_paths = _filled(tmp_path, 6)
    rows = sorted(tuple(map(str, r)) for r in read_lake(frames, lake).collect())
    compact(lake, min_parts=2)
    assert sorted(tuple(map(str, r)) for r in read_lake(frames, lake).collect()) == rows


@pytest.mark.parametrize("phase", COMPACTION_PHASES)
def test_a_kill_at_any_step_of_a_compaction_leaves_the_lake_whole(
    tmp_path: Path, phase: str
) -> None:
    meters, lake, batches = _filled(tmp_path, 5)
    before = _seen(lake)
    args = ("monitor", "compact", "--lake", str(lake), "--min-parts", "2")
    assert _cli(*args, fault=phase).returncode == -9
    assert _seen(lake) == before  # before the commit: as it was; after: compacted, the same
    done = _cli(*args, "--json")  # the retry recovers first, then compacts what is left
    assert done.returncode == 0, done.stderr
    assert _seen(lake) == before
    assert len(live(lake)) == 1 and _loose(lake) == []
    assert ingest(batches[0], meters, lake, REFERENCE)["new_parts"] == 0
