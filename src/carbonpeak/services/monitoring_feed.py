"""Meter readings over HTTP: an enterprise's collector registers its meters and posts batches
of readings; they land durably and a flush moves them into the lake.

Who: an admin, or an enterprise user (or a key narrowed to an enterprise,
`services.tokens.narrowed`) for its own enterprises. A batch is of one enterprise: the one the
caller names, or the only one it acts for. Its readings are checked against that enterprise's
registered meters, so a meter of any other enterprise is unknown, exactly like one that does
not exist.

A batch is recorded before it lands (`reading_batches`, its id unique per enterprise with the
digest of its checked readings), and the record is committed before its landing file is
written: every landing file has its record, so a flush never moves readings no collector was
told were stored. A crash between the two leaves a record without its file, and the
collector, which was told nothing, sends the batch again: the same id and content find the
record, see that the file is missing and not flushed, and land it (`"duplicate": true`). The
same id with other content is a conflict (409). A flush marks the records of its batches
flushed before it removes their files (`io.landing.flush`), so a batch sent again after its
flush is answered as a duplicate and stored nothing twice.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Engine, select, update

from carbonpeak.errors import (
    N_,
    InputError,
    PermissionDenied,
    Place,
    Problem,
    TooLarge,
)
from carbonpeak.io import batches, landing
from carbonpeak.io.commits import fault_point
from carbonpeak.io.meters import enterprise_meters, registered_meters
from carbonpeak.io.meters import register_meters as register_in_lake
from carbonpeak.monitoring.readings import check_meters
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.monitoring_feed_records import record_batch
from carbonpeak.services.reference import library_in_force
from carbonpeak.settings import settings
from carbonpeak.store.db import make_engine, opened, require_schema, transaction
from carbonpeak.store.models import Enterprise, ReadingBatch

log = logging.getLogger(__name__)


def _lake(lake: Path | None) -> Path:
    return lake if lake is not None else settings().lake_path


def _library(engine: Engine) -> Reference:
    """The library in force on the store of `engine` (the shipped tables with the approved
    editions): what the meters are checked and the landed readings flushed with."""
    with transaction(engine) as session:
        return library_in_force(session)


def check_feeder(actor: Actor) -> None:
    """Only an admin or an enterprise user registers meters and posts readings."""
    if actor.role not in ("admin", "enterprise"):
        raise PermissionDenied("only an enterprise user (or an admin) sends meter readings")


def _acts_for(engine: Engine, actor: Actor, codes: list[str]) -> set[str]:
    """The enterprises of `codes` the actor may send readings for."""
    if actor.role != "admin":
        return set(codes) & actor.enterprises
    with transaction(engine) as session:
        found = session.execute(
            select(Enterprise.enterprise_id).where(Enterprise.enterprise_id.in_(set(codes)))
        )
        return set(found.scalars())


def _not_yours(place: Place, code: str) -> Problem:
    return Problem.of(place, N_("no enterprise {} among those you can see"), code)


def register_meters(
    engine: Engine, actor: Actor, meters: list[dict[str, Any]], lake: Path | None = None
) -> dict[str, int]:
    """Register meters (`monitoring.readings.METER_COLUMNS`, each at its position from 1) of
    enterprises the actor acts for in the lake's registry; every problem at once, nothing
    written when any stands."""
    check_feeder(actor)
    table = pd.DataFrame(meters).astype(object)
    table["row"] = range(1, len(table) + 1)
    codes = [str(c) for c in table.get("enterprise_id", pd.Series(dtype=object)).fillna("")]
    allowed = _acts_for(engine, actor, codes)
    problems = [
        _not_yours(Place(row=row, column="enterprise_id"), code)
        for row, code in enumerate(codes, start=1)
        if code not in allowed
    ]
    checked, more = check_meters(table, _library(engine))
    problems = sorted([*problems, *more], key=lambda p: (p.place.row or 0, p.place.column or ""))
    if problems:
        raise InputError(problems)
    return register_in_lake(checked, _lake(lake))


def visible_meters(engine: Engine, actor: Actor, lake: Path | None = None) -> list[dict[str, Any]]:
    """The registered meters of the enterprises the actor may see, with their readings' span
    (UTC) in the lake (none for a meter without readings yet)."""
    meters = registered_meters(_lake(lake))
    if actor.role != "admin":
        with transaction(engine) as session:
            visible = set(
                session.execute(select(Enterprise.enterprise_id).where(actor.visible())).scalars()
            )
        meters = meters[meters["enterprise_id"].isin(visible)]

    def moment(epoch: object) -> str | None:
        if epoch is None or pd.isna(epoch):  # type: ignore[call-overload]
            return None
        return datetime.fromtimestamp(int(epoch), UTC).isoformat()  # type: ignore[call-overload]

    return [
        {
            "meter_id": str(row["meter_id"]),
            "enterprise_id": str(row["enterprise_id"]),
            "carrier": str(row["carrier"]),
            "unit": str(row["unit"]),
            "kind": str(row["kind"]),
            "interval_minutes": int(row["interval_minutes"]),
            "readings": int(row["readings"]),
            "first_ts": moment(row["first_epoch"]),
            "last_ts": moment(row["last_epoch"]),
        }
        for row in meters.sort_values("meter_id").to_dict("records")
    ]


def batch_enterprise(actor: Actor, enterprise_id: str | None) -> str:
    """The enterprise of a batch: the one named (which the actor must act for), else the only
    one it acts for."""
    check_feeder(actor)
    if enterprise_id is not None:
        if actor.role != "admin" and enterprise_id not in actor.enterprises:
            raise InputError(_not_yours(Place(field="enterprise_id"), enterprise_id))
        return enterprise_id
    if len(actor.enterprises) == 1:
        return next(iter(actor.enterprises))
    raise InputError(
        Problem.of(
            Place(field="enterprise_id"),
            N_("say which enterprise the batch is of (enterprise_id): you act for several"),
        )
    )


def read_readings(
    engine: Engine, body: bytes, kind: str, batch_id: str, enterprise_id: str
) -> pa.Table:
    """A batch's body read (`io.batches.read_batch`); a national upload message's data codes
    with the library in force (the other formats read no reference)."""
    reference = _library(engine) if kind == "national" else None
    return batches.read_batch(body, kind, batch_id, enterprise_id, reference)


def check_size(readings: int) -> None:
    """Refuse a batch of more than `CARBONPEAK_MAX_BATCH_READINGS` readings (413)."""
    limit = settings().max_batch_readings
    if readings > limit:
        raise TooLarge(
            f"批次包含 {readings} 条读数，超过上限 {limit} 条；请分批发送 / the batch holds "
            f"{readings} readings, more than {limit} (CARBONPEAK_MAX_BATCH_READINGS): send it "
            "as several batches"
        )


def in_background(readings: int) -> bool:
    """Whether a batch of this size is landed as a background job (202)."""
    return readings > settings().background_batch_readings


def post_readings(
    engine: Engine,
    actor: Actor,
    enterprise_id: str,
    batch_id: str,
    frame: pa.Table,
    lake: Path | None = None,
) -> dict[str, Any]:
    """Check a batch (`io.batches.read_batch`) of `enterprise_id` (`batch_enterprise`) against
    its registered meters, record it and land it (the module's order); return its record
    (`duplicate` true when the batch was already there)."""
    lake = _lake(lake)
    check_size(frame.num_rows)
    tidy, problems = _checked(frame, enterprise_id, batch_id, lake)
    if problems:
        raise InputError(problems)
    content = batches.digest(tidy)
    record = record_batch(engine, enterprise_id, batch_id, content, tidy.num_rows)
    fault_point("landing-recorded")
    path = landing.landed_path(lake, enterprise_id, content)
    if not record["flushed"] and not path.exists():
        landing.land(tidy, lake, enterprise_id, content)
    return {
        "batch_id": batch_id,
        "enterprise_id": enterprise_id,
        "readings": tidy.num_rows,
        "meters": pc.count_distinct(tidy.column("meter_id")).as_py(),
        "duplicate": record["duplicate"],
        "received_at": record["received_at"],
    }


def _checked(
    frame: pa.Table, enterprise_id: str, batch_id: str, lake: Path
) -> tuple[pa.Table, list[Problem]]:
    """The batch checked against the enterprise's meters (read again once if one seems
    unknown: another process may have registered it a moment ago)."""
    for fresh in (False, True):
        meters = enterprise_meters(lake, enterprise_id, fresh)
        tidy, problems = batches.check_batch(frame, meters, batch_id)
        if not any(p.place.column == "meter_id" for p in problems):
            break
    return tidy, problems


def flush_landed(
    engine: Engine, lake: Path | None = None, reference: Reference | None = None
) -> dict[str, int]:
    """Move the oldest landed batches (at most `io.landing.PLAN_LIMIT`) into the lake in one
    commit (`io.landing.flush`), marking their records flushed before their files go; with
    `reference` (else the library in force)."""

    def record(batches: list[tuple[str, str]]) -> None:
        by_enterprise: dict[str, list[str]] = defaultdict(list)
        for enterprise_id, content in batches:
            by_enterprise[enterprise_id].append(content)
        with transaction(engine) as session:
            for enterprise_id, digests in by_enterprise.items():
                for start in range(0, len(digests), 500):  # within any store's bound parameters
                    session.execute(
                        update(ReadingBatch)
                        .where(
                            ReadingBatch.enterprise_id == enterprise_id,
                            ReadingBatch.digest.in_(digests[start : start + 500]),
                            ReadingBatch.flushed_at.is_(None),
                        )
                        .values(flushed_at=datetime.now(UTC))
                    )

    library = reference if reference is not None else _library(engine)
    return landing.flush(_lake(lake), library, before_removal=record)


def drain_landed(engine: Engine, lake: Path | None = None) -> dict[str, int]:
    """`flush_landed` until the batches landed when it began are in the lake (batches that
    land meanwhile may wait for the next flush); the counts summed, `left` the last."""
    rounds = -(-len(landing.landed(_lake(lake))) // landing.PLAN_LIMIT) + 1  # +1: a died plan
    total = {"batches": 0, "readings": 0, "repeats": 0, "new_parts": 0, "left": 0}
    for _ in range(rounds):
        done = flush_landed(engine, lake)
        total = {k: total[k] + done[k] for k in total if k != "left"} | {"left": done["left"]}
        if not done["batches"] or not done["left"]:
            break
    return total


def flush_in_store(lake: Path | None = None) -> dict[str, int]:
    """`drain_landed` on the configured store, for `carbonpeak monitor flush`."""
    with opened() as engine:
        require_schema(engine)
        return drain_landed(engine, lake)


class Flusher:
    """A server's thread that flushes the landing area every `CARBONPEAK_FLUSH_SECONDS` (and
    once more when the server stops). A failed flush is logged and tried again next time: the
    landed batches stay where they are.

    The periodic flushes run in a child process at a lower CPU priority (`_child_flush`):
    run in the worker's own thread, a flush took the worker's interpreter lock and both cores
    for a second or more, and every batch posted meanwhile waited (`benchmarks/
    monitoring_feed.py`: p99 27 ms without flushes against 890 ms with them, at 150,000
    readings/s). The child gets the cores the posts leave. A store in memory, which no other
    process can open, is flushed in the thread as before; so is the last flush at the stop."""

    def __init__(self, engine: Engine, seconds: float | None = None) -> None:
        self.engine = engine
        self.seconds = settings().flush_seconds if seconds is None else seconds
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="carbonpeak-flush", daemon=True)
        self.url = _shared_url(engine)
        self.child: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self.seconds > 0:
            self.thread.start()

    def _run(self) -> None:
        while not self.stopping.wait(self.seconds):
            # flushes fallen behind catch up at once, a bounded plan at a time
            while self.flush(apart=self.url is not None) and not self.stopping.is_set():
                pass

    def flush(self, *, apart: bool = False) -> int:
        """One flush (in the child when `apart`); return the landed files it left."""
        lake = settings().lake_path
        try:
            if not landing.landed(lake):
                return 0
            if apart and self.url is not None:
                if self.child is None:  # started at the first flush with work: most never flush
                    self.child = ProcessPoolExecutor(
                        1, mp_context=multiprocessing.get_context("spawn"), initializer=_lowered
                    )
                return self.child.submit(_child_flush, self.url, str(lake)).result()["left"]
            return drain_landed(self.engine, lake)["left"]
        except Exception:  # logged, tried again: a failed flush loses nothing
            log.exception("flushing the landed meter readings failed")
            return 0

    def stop(self) -> None:
        if self.thread.is_alive():
            self.stopping.set()
            self.thread.join()
            if self.child is not None:
                self.child.shutdown()
            self.flush()


def _shared_url(engine: Engine) -> str | None:
    """The store's URL for another process, or None for a store only this one can open."""
    if engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return None
    return engine.url.render_as_string(hide_password=False)


def _lowered() -> None:
    """The flushing child's start: below the workers' CPU priority (its DuckDB threads,
    started later, inherit it)."""
    os.nice(10)


_CHILD_ENGINES: dict[str, Engine] = {}


def _child_flush(url: str, lake: str) -> dict[str, int]:
    """`flush_landed` in the flushing child, on its own engine for the store at `url`."""
    engine = _CHILD_ENGINES.get(url)
    if engine is None:
        engine = _CHILD_ENGINES[url] = make_engine(url)
    return flush_landed(engine, Path(lake))
