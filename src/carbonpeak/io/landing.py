"""The landing area of posted meter readings: a batch's checked readings (`io.batches`)
written durably into `<lake>/landing/<enterprise_id>/<digest>.parquet`, and the flush that
moves every landed batch into the lake in one ingest commit.

A landed file is written under a temporary name, flushed to the disk and renamed into place
(`os.replace`), so a file under its own name is always whole. Its name is the digest of its
checked readings (`io.batches.digest`): the same readings land in the same file.

The flush (`flush`), holding `<landing>/_lock`:

1. **plan**: the landed files, oldest first and at most `PLAN_LIMIT` of them (a flush's memory
   and time stay bounded when the flushes fell behind; the rest wait for the next flush, as
   batches landed after a flush do), listed in `<landing>/_flush.json` (written atomically). A
   plan left by a flush that died is carried out as it is, never re-made.
2. **ingest**: the plan's files, in the plan's order, are the files of one lake ingest
   (`carbonpeak.io.lake.ingest`), with their registered meters. The lake names a commit by
   its files' bytes and meters and writes nothing for a commit it holds: a retried plan is the
   same files, so it is never counted twice.
3. **record**: the caller's `before_removal` is told the batches (the service marks them
   flushed in the store).
4. **remove** the plan's files, then the plan.

A crash at any step is repaired by the next flush. Once a file of a plan is removed, the plan's
ingest was committed: the rest of the plan is only recorded and removed.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from carbonpeak.io.commits import fault_point, sync
from carbonpeak.io.lake import ingest
from carbonpeak.io.meters import registered_meters
from carbonpeak.monitoring.readings import METER_COLUMNS
from carbonpeak.reference.loader import Reference

LANDING = "landing"
PLAN = "_flush.json"
PLAN_LIMIT = 1_000  # landed files a flush moves at most (1,000 batches of 1,000 readings)
_LANDED_SCHEMA = pa.schema(
    [("meter_id", pa.string()), ("ts", pa.timestamp("ns", tz="UTC")), ("value", pa.float64())]
)


def landing(lake: Path) -> Path:
    return lake / LANDING


def landed_path(lake: Path, enterprise_id: str, content: str) -> Path:
    return landing(lake) / enterprise_id / f"{content}.parquet"


def land(tidy: pa.Table, lake: Path, enterprise_id: str, content: str) -> Path:
    """Write checked readings (`io.batches.TIDY_SCHEMA`) into their landing file, whole or
    not at all."""
    target = landed_path(lake, enterprise_id, content)
    target.parent.mkdir(parents=True, exist_ok=True)
    table = tidy.select(_LANDED_SCHEMA.names).cast(_LANDED_SCHEMA)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=".landing-", suffix=".parquet")
    staged = Path(name)
    try:
        with os.fdopen(handle, "wb") as sink:
            pq.write_table(table, sink)
            sink.flush()
            os.fsync(sink.fileno())
        fault_point("landing-staged")
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    sync(target.parent)
    return target


def landed(lake: Path) -> list[Path]:
    """Every landed file, by enterprise and digest (not a file being written, `.landing-*`)."""
    return sorted(
        p
        for p in landing(lake).glob("*/*.parquet")
        if not p.name.startswith(".") and not p.parent.name.startswith(".")
    )


def batch_of(path: Path) -> tuple[str, str]:
    """The enterprise and the digest of a landed file."""
    return path.parent.name, path.stem


@contextmanager
def _flushing(lake: Path) -> Iterator[None]:
    """Hold the landing area's flush lock (one flush at a time, in any process)."""
    landing(lake).mkdir(parents=True, exist_ok=True)
    with (landing(lake) / "_lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_json(path: Path, data: object) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    sync(path.parent)


def _plan(lake: Path) -> list[Path]:
    """The plan of a flush that died, else a new one of the oldest landed files (by the time
    each was landed, then by name), at most `PLAN_LIMIT`."""
    plan = landing(lake) / PLAN
    if plan.exists():
        return [landing(lake) / p for p in json.loads(plan.read_text(encoding="utf-8"))]
    files = [path for _, path in sorted(_aged(landed(lake)))][:PLAN_LIMIT]
    if files:
        _write_json(plan, [p.relative_to(landing(lake)).as_posix() for p in files])
    return files


def _aged(files: list[Path]) -> Iterator[tuple[int, Path]]:
    """Each file with the time it was landed (a file flushed meanwhile by no one is left out:
    only a flush removes them, and this one holds the lock)."""
    for path in files:
        try:
            yield path.stat().st_mtime_ns, path
        except FileNotFoundError:
            continue


Recorder = Callable[[list[tuple[str, str]]], None]


def flush(
    lake: Path, reference: Reference, *, before_removal: Recorder | None = None
) -> dict[str, int]:
    """Move the oldest landed batches (at most `PLAN_LIMIT`) into the lake in one ingest commit
    (the module's steps); return `batches`, `readings` (counted by the lake), `repeats`,
    `new_parts` and `left` (landed files left for the next flush)."""
    with _flushing(lake):
        files = _plan(lake)
        if not files:
            return {"batches": 0, "readings": 0, "repeats": 0, "new_parts": 0, "left": 0}
        fault_point("flush-planned")
        present = [f for f in files if f.exists()]
        written = {"readings": 0, "repeats": 0, "new_parts": 0}
        if len(present) == len(files):  # no file removed yet: the ingest may not be committed
            written = _ingest(files, lake, reference)
        fault_point("flush-ingested")
        if before_removal is not None:
            before_removal([batch_of(f) for f in files])
        fault_point("flush-recorded")
        for file in present:
            file.unlink()
        for folder in {f.parent for f in present}:
            sync(folder)
        (landing(lake) / PLAN).unlink()
        return {"batches": len(files), **written, "left": len(landed(lake))}


def _ingest(files: list[Path], lake: Path, reference: Reference) -> dict[str, int]:
    """The lake's ingest of the files, in their order, as one commit, with their registered
    meters (the lake names the commit by the files' bytes and the meters: a retried plan is
    found in the lake and writes nothing)."""
    registry = registered_meters(lake, fresh=True)
    # one dataset of all the files: read one by one, their meter ids cost 0.7 ms a file
    column = ds.dataset(files, format="parquet").to_table(columns=["meter_id"]).column("meter_id")
    wanted = set(pc.unique(column).to_pylist())
    meters = registry[registry["meter_id"].isin(wanted)][list(METER_COLUMNS)]
    result = ingest(files, meters.sort_values("meter_id").reset_index(drop=True), lake, reference)
    return {k: int(result[k]) for k in ("readings", "repeats", "new_parts")}
