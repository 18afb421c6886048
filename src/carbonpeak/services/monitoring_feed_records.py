"""The records of posted batches of meter readings (`reading_batches`), written by group
commit: the batches waiting while one transaction commits are written together by the next
(one commit, one flush to the disk, for all of them), each answered as if alone. A store
commits a few hundred times a second; 200 batches a second from 50 collectors would otherwise
queue behind each other's commits (`services.monitoring_feed` says when a record is written).
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, tuple_
from sqlalchemy.exc import IntegrityError

from carbonpeak.errors import N_, Conflict, Place, Problem
from carbonpeak.store.models import ReadingBatch


@dataclass
class _Pending:
    """A batch's record waiting to be written, and then its outcome."""

    enterprise_id: str
    batch_id: str
    content: str
    rows: int
    done: bool = False
    outcome: dict[str, Any] = field(default_factory=dict)
    error: Exception | None = None


_queue: list[_Pending] = []
_queue_lock = threading.Lock()
_writing = threading.Lock()


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    """On SQLite, the store's writers across processes queue on a lock file beside the
    database: SQLite's own wait for its write lock polls with growing sleeps, which left some
    of 50 concurrent collectors waiting seconds (p99 1.7 s for 25 threads of one process,
    measured)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.feed-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def record_batch(
    engine: Engine, enterprise_id: str, batch_id: str, content: str, rows: int
) -> dict[str, Any]:
    """The batch's record: a new one, or the one stored (same content: a duplicate; other
    content: `Conflict`); written with the records waiting beside it (the module says how)."""
    pending = _Pending(enterprise_id, batch_id, content, rows)
    with _queue_lock:
        _queue.append(pending)
    with _writing:  # one writer of this process at a time; it takes every waiting record
        if not pending.done:
            with _queue_lock:
                group = _queue[:]
                _queue.clear()
            try:
                with _file_lock(engine):
                    _write_records(engine, group)
            except Exception as error:  # the group's transaction failed: each is told
                for member in group:
                    if not member.done:
                        member.error, member.done = error, True
    if pending.error is not None:
        raise pending.error
    return pending.outcome


def _write_records(engine: Engine, group: list[_Pending]) -> None:
    """Write a group's new records in one transaction (SQLAlchemy Core: a few hundred of these
    a second); settle every member."""
    table = ReadingBatch.__table__
    for _attempt in range(2):  # another process's first send of the same id wins the insert
        try:
            with engine.begin() as connection:
                keys = {(p.enterprise_id, p.batch_id) for p in group}
                found = connection.execute(
                    select(table).where(tuple_(table.c.enterprise_id, table.c.batch_id).in_(keys))
                )
                stored = {(r.enterprise_id, r.batch_id): dict(r._mapping) for r in found}
                new = [row for member in group if (row := _settle(stored, member))]
                if new:
                    connection.execute(insert(ReadingBatch), new)
            break
        except IntegrityError:
            continue
    else:
        for member in group:
            member.error = Conflict(
                Problem(Place(field="batch_id"), f"batch {member.batch_id} is being received")
            )
    for member in group:
        member.done = True


def _settle(stored: dict[tuple[str, str], dict[str, Any]], p: _Pending) -> dict[str, Any] | None:
    """A member's outcome against the records stored (or added by an earlier member); the
    record to add, if it is new."""
    p.error = None
    record = stored.get((p.enterprise_id, p.batch_id))
    if record is None:
        record = {
            "enterprise_id": p.enterprise_id,
            "batch_id": p.batch_id,
            "digest": p.content,
            "rows": p.rows,
            "received_at": datetime.now(UTC),
            "flushed_at": None,
        }
        stored[(p.enterprise_id, p.batch_id)] = record
        p.outcome = {"duplicate": False, "flushed": False, "received_at": None}
        return record
    if record["digest"] != p.content:
        p.error = Conflict(
            Problem.of(
                Place(file=f"batch {p.batch_id}", field="batch_id"),
                N_("batch {} was received with other content ({} readings) at {}"),
                p.batch_id,
                record["rows"],
                _utc(record["received_at"]).isoformat(),
            )
        )
    else:
        p.outcome = {
            "duplicate": True,
            "flushed": record["flushed_at"] is not None,
            "received_at": _utc(record["received_at"]).isoformat(),
        }
    return None


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
