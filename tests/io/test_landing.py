"""The landing area of posted readings: a real process killed (SIGKILL) while it lands a batch
or flushes the landing area leaves nothing half-written, and the retry stores every reading
once (issue 17, item 2)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, select

from carbonpeak.engine.session import open_engine
from carbonpeak.io.batches import body_format, digest, read_batch, tidy_table
from carbonpeak.io.commits import committed
from carbonpeak.io.lake import ingest, read_lake, read_meters
from carbonpeak.io.landing import PLAN, landed, landing
from carbonpeak.monitoring.quality import span_days
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.monitoring_feed import (
    Flusher,
    drain_landed,
    flush_landed,
    post_readings,
    register_meters,
)
from carbonpeak.services.tokens import OPERATOR
from carbonpeak.store.db import make_engine, transaction, upgrade
from carbonpeak.store.models import Enterprise, ReadingBatch

CEMENT = "911302007A3K9C2D24"
SRC = Path(__file__).parents[2] / "src"
METERS = [
    {
        "meter_id": "E-1",
        "enterprise_id": CEMENT,
        "carrier": "electricity",
        "unit": "kWh",
        "kind": "interval",
        "interval_minutes": 15,
    },
    {
        "meter_id": "G-1",
        "enterprise_id": CEMENT,
        "carrier": "natural_gas",
        "unit": "Nm3",
        "kind": "cumulative",
        "interval_minutes": 15,
    },
]


def _csv(day: str, start: float = 0) -> bytes:
    times = pd.date_range(day, periods=96, freq="15min")
    lines = ["meter_id,ts,value"]
    for number, moment in enumerate(times):
        lines.append(f"E-1,{moment:%Y-%m-%dT%H:%M},{1 + number % 5}")
        lines.append(f"G-1,{moment:%Y-%m-%dT%H:%M},{start + 10 * number}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Engine, Path]]:
    """A SQLite store with the cement enterprise and a lake with its two meters registered."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    lake = tmp_path / "lake"
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", url)
    monkeypatch.setenv("CARBONPEAK_LAKE", str(lake))
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        session.add(
            Enterprise(enterprise_id=CEMENT, name="x", region_code="130200", industry_code="3011")
        )
    assert register_meters(engine, OPERATOR, METERS, lake) == {"registered": 2, "known": 0}
    yield engine, lake
    engine.dispose()


def _post(engine: Engine, lake: Path, batch: str, body: bytes) -> dict[str, object]:
    frame = read_batch(body, "csv", batch)
    return post_readings(engine, OPERATOR, CEMENT, batch, frame, lake)


def _env(fault: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["CARBONPEAK_FAULT_POINT"] = fault
    return env


POST_SCRIPT = """
import sys
from pathlib import Path
from carbonpeak.io.batches import read_batch
from carbonpeak.services.monitoring_feed import post_readings
from carbonpeak.services.tokens import OPERATOR
from carbonpeak.store.db import make_engine
from carbonpeak.settings import settings
body = Path(sys.argv[1]).read_bytes()
post_readings(make_engine(), OPERATOR, sys.argv[2], sys.argv[3], read_batch(body, "csv", "b"),
              settings().lake_path)
"""


def _lake_rows(lake: Path) -> pd.DataFrame:
    rows = read_lake(open_engine("duckdb"), lake).collect()
    return pd.DataFrame([r.asDict() for r in rows])


def _flushed(engine: Engine) -> list[bool]:
    with transaction(engine) as session:
        return [
            at is not None
            for at in session.execute(select(ReadingBatch.flushed_at).order_by("batch_id"))
            .scalars()
            .all()
        ]


def test_bodies_of_each_format_read_the_same_readings() -> None:
    csv = b"meter_id,ts,value\nE-1,2024-01-01T00:00,1.5\n"
    jsonl = b'{"meter_id": "E-1", "ts": "2024-01-01T00:00", "value": 1.5}\n'
    assert body_format("text/csv; charset=utf-8") == "csv"
    assert body_format("application/x-ndjson") == "jsonl" and body_format("text/plain") is None
    meters = pd.DataFrame({"meter_id": ["E-1"], "enterprise_id": [CEMENT], "kind": ["interval"]})
    from carbonpeak.io.batches import check_batch

    digests = set()
    for body, kind in ((csv, "csv"), (jsonl, "jsonl")):
        tidy, problems = check_batch(read_batch(body, kind, "b"), meters, "b")
        assert problems == []
        digests.add(digest(tidy))
    assert len(digests) == 1
    # blank lines keep each line's number
    spaced = b'\n{"meter_id": "E-1", "ts": "2024-01-01", "value": 1}\n\n{"meter_id": 7}\n'
    frame = read_batch(spaced, "jsonl", "b")
    assert frame["row"].to_pylist() == [2, 4] and frame["meter_id"].to_pylist() == ["E-1", "7"]


def test_a_registered_meter_without_readings_counts_for_nothing(
    place: tuple[Engine, Path], tmp_path: Path
) -> None:
    _engine, lake = place
    registry = read_meters(lake)
    with pytest.raises(Exception, match="no readings"):
        span_days(registry)
    readings = tmp_path / "r.csv"
    readings.write_bytes(_csv("2024-03-01"))
    meters = tmp_path / "m.csv"
    pd.DataFrame(METERS).to_csv(meters, index=False)
    ingest(readings, meters, lake, default_reference())
    registry = read_meters(lake).set_index("meter_id")
    assert registry.loc["E-1", "readings"] == 96 and registry.loc["G-1", "readings"] == 96
    first, last = span_days(registry.reset_index())
    assert (str(first), str(last)) == ("2024-03-01", "2024-03-01")


@pytest.mark.parametrize("fault", ["landing-recorded", "landing-staged"])
def test_a_crash_while_landing_is_repaired_by_the_retry(
    place: tuple[Engine, Path], tmp_path: Path, fault: str
) -> None:
    engine, lake = place
    body = tmp_path / "batch.csv"
    body.write_bytes(_csv("2024-03-01"))
    died = subprocess.run(
        [sys.executable, "-c", POST_SCRIPT, str(body), CEMENT, "b-1"],
        env=_env(fault),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert died.returncode == -9, died.stderr
    assert landed(lake) == []  # recorded, but no landing file under its own name
    assert flush_landed(engine)["batches"] == 0  # a flush moves nothing half-landed
    retried = _post(engine, lake, "b-1", body.read_bytes())
    assert retried["duplicate"] is True and retried["readings"] == 192
    assert len(landed(lake)) == 1
    assert flush_landed(engine)["batches"] == 1
    assert len(_lake_rows(lake)) == 96 + 95  # the counter's first reading gives no interval
    assert _flushed(engine) == [True]


@pytest.mark.parametrize(
    "fault",
    [
        "flush-planned",
        "staged",
        "moved",
        "manifest-written",
        "committed",
        "flush-ingested",
        "flush-recorded",
    ],
)
def test_a_crash_while_flushing_is_completed_once_by_the_next_flush(
    place: tuple[Engine, Path], fault: str
) -> None:
    engine, lake = place
    _post(engine, lake, "a", _csv("2024-03-01"))
    _post(engine, lake, "b", _csv("2024-03-02", start=10_000))
    died = subprocess.run(
        [sys.executable, "-m", "carbonpeak", "monitor", "flush"],
        env=_env(fault),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert died.returncode == -9, died.stdout + died.stderr
    assert (landing(lake) / PLAN).exists()
    # readers see both batches whole, or neither
    rows = _lake_rows(lake) if committed(lake).readings else pd.DataFrame()
    assert len(rows) in (0, 4 * 96 - 1)
    # a batch sent again meanwhile stores nothing twice
    assert _post(engine, lake, "a", _csv("2024-03-01"))["duplicate"] is True
    again = flush_landed(engine)
    assert again["batches"] == 2
    rows = _lake_rows(lake)
    assert len(rows) == 4 * 96 - 1 and rows["counted"].all()
    assert landed(lake) == [] and not (landing(lake) / PLAN).exists()
    assert _flushed(engine) == [True, True]
    assert flush_landed(engine)["batches"] == 0


@pytest.mark.parametrize(
    "body",
    [
        b"meter_id,ts,value\nE-1,2024-01-01T00:00,1.5\nG-1,2024-01-01T00:15:00+08:00,2\n",
        b"meter_id,ts,value\nE-1,2024-01-01T00:00Z,0\nE-1,2024-01-01,-3e5\n",
        b"meter_id,ts,value\nE-1,2024-06-30T16:00:00.250-05:30,7\n",
    ],
)
def test_the_quick_check_takes_a_batch_as_check_readings_does(body: bytes) -> None:
    """A batch of the common shape skips `check_readings`' text work, with the same result."""
    from carbonpeak.io.batches import _plainly_valid
    from carbonpeak.monitoring.readings import check_readings

    meters = pd.DataFrame({"meter_id": ["E-1", "G-1"], "enterprise_id": CEMENT})
    frame = read_batch(body, "csv", "b")
    quick = _plainly_valid(frame, meters)
    tidy, problems = check_readings(frame.to_pandas(), meters)
    assert problems == [] and quick is not None
    # the same values (check_readings keeps a CSV file's whole numbers as integers and its
    # times in pandas' resolution; the landing file holds floats and nanoseconds)
    pd.testing.assert_frame_equal(quick.to_pandas(), tidy, check_dtype=False)
    assert digest(quick) == digest(tidy_table(tidy)) == _pandas_digest(tidy)


def _pandas_digest(tidy: pd.DataFrame) -> str:
    """The digest as it was computed on pandas frames before the feed kept batches in Arrow
    (issue 17): the records stored then must still match a batch sent again."""
    import hashlib

    hashed = hashlib.sha256()
    hashed.update("\x1f".join(tidy["meter_id"].tolist()).encode())
    hashed.update(tidy["ts"].to_numpy(dtype="datetime64[ns]").view("int64").tobytes())
    hashed.update(tidy["value"].to_numpy(dtype="float64").tobytes())
    return hashed.hexdigest()[:32]


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_a_blank_value_lands_null_and_is_digested_as_before(kind: str) -> None:
    """A blank value (CSV: empty, JSON: null) is null in the checked table (the landing file),
    hashed as NaN like the pandas frames were; a value of 2 and 2.0 are one reading."""
    from carbonpeak.io.batches import check_batch

    meters = pd.DataFrame({"meter_id": ["E-1", "G-1"], "enterprise_id": CEMENT})
    body = {
        "csv": b"meter_id,ts,value\nE-1,2024-01-01T00:00,\nG-1,2024-01-01T00:15Z,2\n",
        "jsonl": b'{"meter_id":"E-1","ts":"2024-01-01T00:00","value":null}\n'
        b'{"meter_id":"G-1","ts":"2024-01-01T00:15Z","value":2.0}\n',
    }[kind]
    tidy, problems = check_batch(read_batch(body, kind, "b"), meters, "b")
    assert problems == [] and tidy["value"].to_pylist() == [None, 2.0]
    # 00:00 China Standard Time is 16:00 UTC the day before
    assert str(tidy["ts"][0].as_py()) == "2023-12-31 16:00:00+00:00"
    frame = pd.DataFrame(
        {
            "meter_id": ["E-1", "G-1"],
            "ts": pd.to_datetime(["2023-12-31T16:00Z", "2024-01-01T00:15Z"], utc=True),
            "value": [np.nan, 2.0],
        }
    )
    assert digest(tidy) == _pandas_digest(frame)


@pytest.mark.parametrize(
    "line",
    [
        "X-1,2024-01-01T00:00,1",
        " E-1,2024-01-01T00:00,1",
        "E-1,10:30,1",
        "E-1,2024-01-01,abc",
        "E-1,2024-01-01,1e300",
        "E-1,1969-12-31T00:00Z,1",
        "E-1,,1",
    ],
)
def test_the_quick_check_leaves_any_doubt_to_check_readings(line: str) -> None:
    from carbonpeak.io.batches import _plainly_valid

    meters = pd.DataFrame({"meter_id": ["E-1"], "enterprise_id": CEMENT})
    frame = read_batch(f"meter_id,ts,value\n{line}\n".encode(), "csv", "b")
    assert _plainly_valid(frame, meters) is None


def test_a_compacted_lake_keeps_registered_meters_and_stores_nothing_twice(
    place: tuple[Engine, Path],
) -> None:
    """The lake's compaction (main's `io.compaction`) merges the registration's part with the
    flushes' parts; a registered meter stays, and a batch sent again stores nothing twice."""
    from carbonpeak.io.compaction import compact

    engine, lake = place
    _post(engine, lake, "a", _csv("2024-03-01"))
    flush_landed(engine)
    _post(engine, lake, "b", _csv("2024-03-02", start=10_000))
    flush_landed(engine)
    compact(lake, min_parts=2)
    registry = read_meters(lake).set_index("meter_id")
    assert sorted(registry.index) == ["E-1", "G-1"] and registry.loc["E-1", "readings"] == 192
    assert _post(engine, lake, "a", _csv("2024-03-01"))["duplicate"] is True
    assert flush_landed(engine)["batches"] == 0
    assert len(_lake_rows(lake)) == 4 * 96 - 1


def test_a_flush_moves_the_oldest_landed_batches_and_leaves_the_rest_for_the_next(
    place: tuple[Engine, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flushes fallen behind stay bounded: at most PLAN_LIMIT files a plan, oldest landed
    first, so a counter's readings still reach the lake in the order they were sent."""
    engine, lake = place
    monkeypatch.setattr("carbonpeak.io.landing.PLAN_LIMIT", 2)
    for number, day in enumerate(("2024-03-01", "2024-03-02", "2024-03-03")):
        _post(engine, lake, f"b{number}", _csv(day, start=10_000 * number))
    ages = sorted((p.stat().st_mtime_ns, p) for p in landed(lake))
    newest = ages[-1][1]
    first = flush_landed(engine)
    assert (first["batches"], first["left"]) == (2, 1)
    assert landed(lake) == [newest]
    rows = _lake_rows(lake)
    assert set(
        pd.to_datetime(rows["ts"]).dt.tz_localize("UTC").dt.tz_convert("Asia/Shanghai").dt.day
    ) == {1, 2}
    second = flush_landed(engine)
    assert (second["batches"], second["left"]) == (1, 0)
    rows = _lake_rows(lake)
    # the counter continued from the first flush's last reading: every interval counted
    assert len(rows) == 6 * 96 - 1 and rows["counted"].all()
    assert _flushed(engine) == [True, True, True]


def test_a_drain_flushes_every_landed_batch_a_plan_at_a_time(
    place: tuple[Engine, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, lake = place
    monkeypatch.setattr("carbonpeak.io.landing.PLAN_LIMIT", 2)
    for number, day in enumerate(
        ("2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04", "2024-03-05")
    ):
        _post(engine, lake, f"b{number}", _csv(day, start=10_000 * number))
    plans: list[int] = []

    def counted(engine: Engine, lake: Path | None = None) -> dict[str, int]:
        done = flush_landed(engine, lake)
        plans.append(done["batches"])
        return done

    monkeypatch.setattr("carbonpeak.services.monitoring_feed.flush_landed", counted)
    done = drain_landed(engine)
    assert (done["batches"], done["left"], done["readings"]) == (5, 0, 10 * 96 - 1)
    assert plans == [2, 2, 1]
    assert landed(lake) == [] and _flushed(engine) == [True] * 5


def test_the_server_flushes_in_a_child_process_below_its_priority(
    place: tuple[Engine, Path],
) -> None:
    """The periodic flush runs in a spawned child (own interpreter, lower CPU priority): its
    readings reach the lake and the store marks the batch flushed."""
    engine, lake = place
    _post(engine, lake, "a", _csv("2024-03-01"))
    flusher = Flusher(engine, seconds=0.2)
    assert flusher.url is not None
    flusher.start()
    try:
        deadline = time.monotonic() + 90
        while landed(lake) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert landed(lake) == []
        assert flusher.child is not None  # the flush ran there, not in this process
        niceness = flusher.child.submit(os.nice, 0).result()
        assert niceness >= os.nice(0) + 10
    finally:
        flusher.stop()
    assert len(_lake_rows(lake)) == 2 * 96 - 1
    assert _flushed(engine) == [True]


def test_a_store_in_memory_is_flushed_in_the_thread() -> None:
    memory = create_engine("sqlite://")
    assert Flusher(memory, seconds=1).url is None
    memory.dispose()


def test_after_a_commit_one_thread_reads_the_meters_and_the_others_take_its_reading(
    place: tuple[Engine, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flush's commit makes every busy request find the meter cache stale at once: one
    reads the registry, the rest wait for its reading (forty reading together held the
    posts for a second)."""
    from carbonpeak.io import meters as meter_module

    _engine, lake = place
    reads: list[int] = []
    real = meter_module.read_meters

    def slow(where: Path) -> pd.DataFrame:
        reads.append(1)
        time.sleep(0.3)
        return real(where)

    monkeypatch.setattr(meter_module, "read_meters", slow)
    meter_module._cache.clear()
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda _: meter_module.registered_meters(lake), range(8)))
    assert len(reads) == 1
    assert all(f is found[0] for f in found) and len(found[0]) == 2
    meter_module.registered_meters(lake, fresh=True)  # asked fresh: read again
    assert len(reads) == 2
