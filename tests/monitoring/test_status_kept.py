"""The monitoring status kept by the service (services.monitoring_region.computed): once per
state of the lake's commits; after a new commit the previous state's status answers at once
while the new one is computed in the background; a failure there reaches the next caller."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.io.commits import commit_state
from carbonpeak.io.lake import ingest
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.monitoring_region import computed, options_of, status_at_hand

from .test_status import build_lake


def _settled(lake: Path) -> tuple[tuple[object, ...], object]:
    """The status once the background computation of the lake's current state is done."""
    deadline = time.monotonic() + 60
    while True:
        state, found = computed(lake, options_of(), default_reference())
        if state[1] == commit_state(lake):
            return state, found
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_kept_per_commit_state_and_recomputed_behind_the_answer(tmp_path: Path) -> None:
    lake = build_lake(tmp_path)
    state, first = computed(lake, options_of(), default_reference())
    assert state[1] == commit_state(lake) and first is not None
    assert computed(lake, options_of(), default_reference()) == (
        state,
        first,
    )  # kept: the same object
    silent = [m.meter_id for m in first.meters if m.silent]
    assert silent == ["A-S60"]
    pd.DataFrame({"meter_id": ["A-S60"], "ts": ["2024-01-10T11:00:00"], "value": [20.0]}).to_csv(
        tmp_path / "late.csv", index=False
    )
    ingest(tmp_path / "late.csv", tmp_path / "meters.csv", lake, default_reference())
    before, answered = computed(lake, options_of(), default_reference())
    if before == state:  # the background has not finished: the previous state's status
        assert answered is first
    newer, fresh = _settled(lake)
    assert newer != state and fresh is not None
    assert [m.meter_id for m in fresh.meters if m.silent] == []
    # another silence allowed is another status of the same state
    assert computed(lake, options_of(36), default_reference())[1] is not fresh


def test_a_failure_in_the_background_reaches_the_next_caller(tmp_path: Path) -> None:
    lake = build_lake(tmp_path)
    computed(lake, options_of(), default_reference())
    pd.DataFrame({"meter_id": ["A-S60"], "ts": ["2024-01-10T11:00:00"], "value": [20.0]}).to_csv(
        tmp_path / "late.csv", index=False
    )
    ingest(tmp_path / "late.csv", tmp_path / "meters.csv", lake, default_reference())
    for part in (lake / "readings").rglob("part-*.parquet"):
        part.write_bytes(b"not parquet")
    deadline = time.monotonic() + 60
    with pytest.raises(InputError):  # named as a damaged part of the lake, not a crash
        while time.monotonic() < deadline:
            computed(lake, options_of(), default_reference())
            time.sleep(0.05)


def test_a_compaction_moves_the_state_and_changes_no_figure(tmp_path: Path) -> None:
    from dataclasses import asdict

    from carbonpeak.io.compaction import compact

    lake = build_lake(tmp_path)
    state, before = computed(lake, options_of(), default_reference())
    assert before is not None
    compact(lake, min_parts=1)
    after_state, after = _settled(lake)
    assert after_state != state and after is not None
    assert [asdict(m) for m in after.meters] == [asdict(m) for m in before.meters]
    assert after.anomalies == before.anomalies


def test_a_status_is_at_hand_once_its_lineage_was_computed(tmp_path: Path) -> None:
    """`status_at_hand`: whether a page may ask for the status on the event loop (no caller
    would wait for a computation): not before the first, yes after it, and yes after a new
    commit too (the previous status answers while the new one is computed)."""
    lake = build_lake(tmp_path)
    assert not status_at_hand(lake, default_reference())
    computed(lake, options_of(), default_reference())
    assert status_at_hand(lake, default_reference()) and not status_at_hand(
        lake, default_reference(), 36
    )  # other options: not yet
    pd.DataFrame({"meter_id": ["A-S60"], "ts": ["2024-01-10T11:00:00"], "value": [20.0]}).to_csv(
        tmp_path / "late.csv", index=False
    )
    ingest(tmp_path / "late.csv", tmp_path / "meters.csv", lake, default_reference())
    assert status_at_hand(lake, default_reference())
    _settled(lake)
