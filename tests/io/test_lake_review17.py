"""Review of the lake ingest's single pass (issue 17): cases found by running the single pass
and the slow path side by side on random files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.io import lake_ingest
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
METERS = pd.DataFrame(
    {
        "meter_id": ["e1", "g1"],
        "enterprise_id": ["911302007A3K9C2D24"] * 2,
        "carrier": ["electricity", "natural_gas"],
        "unit": ["kWh", "Nm3"],
        "kind": ["interval", "cumulative"],
        "interval_minutes": ["15", "15"],
    }
)
HEADER = "meter_id,ts,value\n"


def _ingest(folder: Path, name: str, text: str) -> dict[str, int]:
    path = folder / f"{name}.csv"
    path.write_text(HEADER + text)
    return lake_ingest.ingest(path, METERS, folder / "lake", REFERENCE)


def test_a_counter_continues_from_the_lakes_reading_not_from_a_late_repeat_of_it(
    tmp_path: Path,
) -> None:
    """The lake holds g1 100 at 00:00 and 110 at 00:15 (10 counted), then a repeat of 00:15
    reading 150 (kept, not counted). A file reaching back into the lake (00:00 again) and
    going on to 120 at 00:30 continues from the lake's reading at 00:15, 110: an interval of
    10, counted. Both stored rows of 00:15 share the time; which one the file continued from
    was left to the order of the rows (120 counted, the 150 taken for a reset, in about two
    runs of five), so each run is made afresh."""
    for run in range(8):
        folder = tmp_path / str(run)
        folder.mkdir()
        _ingest(folder, "a", "g1,2024-04-01T00:00:00+08:00,100\ng1,2024-04-01T00:15:00+08:00,110\n")
        _ingest(folder, "b", "g1,2024-04-01T00:15:00+08:00,150\n")
        _ingest(folder, "c", "g1,2024-04-01T00:00:00+08:00,100\ng1,2024-04-01T00:30:00+08:00,120\n")
        files = sorted((folder / "lake" / "readings").rglob("part-*.parquet"))
        rows = pd.concat([pd.read_parquet(f) for f in files])
        last = rows[rows["ts"] == pd.Timestamp("2024-03-31T16:30:00Z")]
        assert last["value"].tolist() == [10.0], run
        assert last["counted"].tolist() == [True]


def test_files_with_problems_are_refused_as_the_slow_path_refuses_them(tmp_path: Path) -> None:
    """The first file not UTF-8 in a row, the second lacking a column: the slow path, reading
    the files in order, names the first; the single pass, which read every file's header
    first, named the second's missing column."""
    first = tmp_path / "a.csv"
    first.write_bytes(HEADER.encode() + b"g1,2024-04-01T00:00:00+08:00,1\xe9\n")
    second = tmp_path / "b.csv"
    second.write_text("meter_id,value\ng1,3\n")
    with pytest.raises(InputError) as refused:
        lake_ingest.ingest([first, second], METERS, tmp_path / "lake", REFERENCE)
    assert [p.place.file for p in refused.value.problems] == [str(first)]
    assert "UTF-8" in str(refused.value.problems[0])
