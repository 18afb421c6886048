"""The regulator's monitoring view: the online-monitoring status (`monitoring.status`) of the
enterprises in the caller's scope, from the lake (`CARBONPEAK_LAKE`), and of one enterprise's
meters for its own page.

The status is computed with the library in force (`services.reference.library_in_force`)
once per lake state, options and library, for every meter of the lake, and kept
(`commit_state`: the committed manifests' names and times; an ingest's commit moves it the
moment its parts become visible). When the lake has moved on, the status of its previous
state is answered while the new one is computed in the background (`computed`). Each caller
sees that result restricted to the enterprises it may see (admin: all of the lake's;
regulator: the store's enterprises of its regions; enterprise user: its own), kept per scope
and store state (the audit head), so a page for thousands of monitored enterprises answers
from memory until the lake or the store changes. The results are shared between callers:
read them, never change them.

`now` is the lake's latest reading by default (`CARBONPEAK_MONITORING_CLOCK=lake`: the same
lake gives the same figures), or the wall clock to the quarter hour (`wall`, for a live
installation, where a lake that stops receiving must show its meters silent; the quarter
hour is the national system's real-time interval, and the view is computed once in it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.engine.session import open_engine
from carbonpeak.io.commits import commit_state, committed
from carbonpeak.io.lake import read_lake, read_meters
from carbonpeak.io.lake_files import named_damage
from carbonpeak.monitoring.status import (
    MeterStatus,
    Status,
    StatusOptions,
    Threshold,
    latest_time,
    status,
    threshold_of,
)
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import get_enterprise, region_name
from carbonpeak.services.reference import library_in_force
from carbonpeak.settings import settings
from carbonpeak.store.models import AuditHead, Enterprise

COMPUTED_SIZE = 8  # lake states x options kept
SCOPED_SIZE = 256  # caller scopes x languages x store states kept
QUARTER_HOUR = 900

_COMPUTED: OrderedDict[tuple[Any, ...], Status | None] = OrderedDict()
_NEWEST: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # by lake, clock, options: latest state
_REFRESHING: set[tuple[Any, ...]] = set()
_FAILED: dict[tuple[Any, ...], Exception] = {}
_SCOPED: OrderedDict[tuple[Any, ...], RegionMonitoring] = OrderedDict()
_LOCK = threading.Lock()
_COMPUTING = threading.Lock()  # one computation at a time: a cold cache under load waits


@dataclass
class RegionMonitoring:
    """What the regional page and the API show: the status restricted to the caller's
    enterprises (`status` None when the lake has no readings), each enterprise's name and
    region, and the totals."""

    threshold: Threshold
    options: StatusOptions
    status: Status | None = None
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    totals: dict[str, Any] = field(default_factory=dict)
    lake_state: tuple[Any, ...] = ()
    clock: str = "lake"  # what `now` is: the lake's latest reading, or the wall clock

    @property
    def empty(self) -> bool:
        return self.status is None or not self.status.enterprises


def options_of(silent_hours: float | None = None) -> StatusOptions:
    """The view's options: `silent_hours` given, else the setting."""
    hours = silent_hours if silent_hours is not None else settings().monitoring_silent_hours
    return StatusOptions(silent_hours=float(hours))


def lake_key(lake: Path) -> tuple[Any, ...]:
    """The lake's state (its committed manifests), and with the wall clock the quarter hour:
    what a computed status depends on."""
    clock = settings().monitoring_clock
    quarter = None
    if clock == "wall":
        quarter = int(datetime.now(UTC).timestamp()) // QUARTER_HOUR * QUARTER_HOUR
    return (str(lake.resolve()), commit_state(lake), clock, quarter)


def _now(key: tuple[Any, ...], meters: Any) -> datetime:
    if key[2] == "wall":
        return datetime.fromtimestamp(int(key[3]), UTC)
    return latest_time(meters)


def status_library(sessions: Callable[[], AbstractContextManager[Session]]) -> Reference:
    """The library the status is computed with: the library in force of the store (the
    shipped tables with the approved editions)."""
    with sessions() as session:
        return library_in_force(session)


def computed(
    lake: Path, options: StatusOptions, reference: Reference
) -> tuple[tuple[Any, ...], Status | None]:
    """The status of every meter of the lake as of the configured `now`, computed with
    `reference` (the library in force) once per lake state, options and library (None for a
    lake without readings), with the state it is of. A library changed (an edition approved)
    starts a lineage of its own: its first status is computed while the caller waits.

    When the lake has moved on since its latest computed status, that status is answered at
    once and the new one computed in the background (one at a time): a live lake takes a
    commit every few seconds and a province's status seconds to compute, and a page that
    waited for each would never answer in time. The page says the moment its figures are of.
    A lake never computed yet is computed while the caller waits, once however many ask."""
    state = lake_key(lake)
    key = (state, options, reference.digest)
    lineage = _lineage(state, options, reference)  # the same lake, clock, options and library
    with _LOCK:
        if key in _FAILED:
            raise _FAILED.pop(key)
        if key in _COMPUTED:
            _COMPUTED.move_to_end(key)
            return state, _COMPUTED[key]
        newest = _NEWEST.get(lineage)
        if newest is not None and (newest, options, reference.digest) in _COMPUTED:
            if lineage not in _REFRESHING:
                _REFRESHING.add(lineage)
                threading.Thread(
                    target=_refresh,
                    args=(lake, key, lineage, reference),
                    daemon=True,
                    name="monitoring",
                ).start()
            return newest, _COMPUTED[(newest, options, reference.digest)]
    return state, _once(lake, key, lineage, reference)


def _lineage(
    state: tuple[Any, ...], options: StatusOptions, reference: Reference
) -> tuple[Any, ...]:
    return (state[0], state[2], options, reference.digest)


def _once(
    lake: Path, key: tuple[Any, ...], lineage: tuple[Any, ...], reference: Reference
) -> Status | None:
    """Compute the status of `key` unless another thread did while this one waited."""
    with _COMPUTING:
        with _LOCK:
            if key in _COMPUTED:
                return _COMPUTED[key]
        found = _compute(lake, key[0], key[1], reference)
        with _LOCK:
            _COMPUTED[key] = found
            _NEWEST[lineage] = key[0]
            while len(_COMPUTED) > COMPUTED_SIZE:
                _COMPUTED.popitem(last=False)
        return found


def _refresh(
    lake: Path, key: tuple[Any, ...], lineage: tuple[Any, ...], reference: Reference
) -> None:
    """`_once` in the background; a failure (a damaged part) is raised to the next caller."""
    try:
        _once(lake, key, lineage, reference)
    except Exception as error:  # kept for the next caller, not lost in the thread
        with _LOCK:
            _FAILED[key] = error
    finally:
        with _LOCK:
            _REFRESHING.discard(lineage)


def _compute(
    lake: Path, state: tuple[Any, ...], options: StatusOptions, reference: Reference
) -> Status | None:
    if not committed(lake).meters:  # no file ingested whole yet
        return None
    with named_damage(lake):
        meters = read_meters(lake)
        engine = open_engine()
        try:
            readings = read_lake(engine, lake)
            return status(engine, readings, meters, reference, _now(state, meters), options)
        finally:
            engine.stop()


def region_monitoring(
    session: Session,
    actor: Actor,
    lake: Path,
    english: bool,
    silent_hours: float | None = None,
) -> RegionMonitoring:
    """The monitoring status of the enterprises of the lake the actor may see, with their
    names (shared between callers of the same scope: do not change it)."""
    options = options_of(silent_hours)
    head = session.execute(
        select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.head_id == 1)
    ).one()
    reference = library_in_force(session)
    state, found = computed(lake, options, reference)
    key = (
        state,
        options,
        str(session.get_bind().engine.url),
        tuple(head),
        actor.role,
        actor.regions,
        actor.enterprises,
        english,
    )
    with _LOCK:
        view = _SCOPED.get(key)
    if view is not None:
        return view
    view = RegionMonitoring(threshold_of(reference), options, lake_state=state, clock=str(state[2]))
    if found is not None:
        names = _visible(session, actor, {e.enterprise_id for e in found.enterprises}, english)
        view.status = found.only(set(names))
        view.names = names
        view.totals = view.status.totals()
    with _LOCK:
        _SCOPED[key] = view
        while len(_SCOPED) > SCOPED_SIZE:
            _SCOPED.popitem(last=False)
    return view


def _visible(
    session: Session, actor: Actor, monitored: set[str], english: bool
) -> dict[str, dict[str, str]]:
    """The monitored enterprises the actor may see, by id: name, region code and name. An
    admin sees the lake's enterprises the store does not know too (without a name)."""
    rows = session.execute(
        select(Enterprise.enterprise_id, Enterprise.name, Enterprise.region_code).where(
            actor.visible()
        )
    ).all()
    names = {
        str(e): {"name": str(n), "region_code": str(r), "region": region_name(str(r), english)}
        for e, n, r in rows
        if e in monitored
    }
    if actor.role == "admin":
        for enterprise_id in monitored - set(names):
            names[enterprise_id] = {"name": "", "region_code": "", "region": ""}
    return names


def meter_status(
    session: Session, actor: Actor, enterprise_id: str, lake: Path
) -> tuple[Status | None, list[MeterStatus]]:
    """The lake's status (`computed`) and the status of an enterprise's meters (an
    enterprise the actor can see, else `NotFoundError`)."""
    get_enterprise(session, actor, enterprise_id)
    _state, found = computed(lake, options_of(), library_in_force(session))
    if found is None:
        return None, []
    return found, [m for m in found.meters if m.enterprise_id == enterprise_id]


def status_at_hand(lake: Path, reference: Reference, silent_hours: float | None = None) -> bool:
    """Whether `computed` answers at once with `reference` (a status of this lake state, or
    of an earlier one of its lineage, is kept; a failure is at hand too): no computation while
    the caller waits, so a page may ask on the event loop."""
    options = options_of(silent_hours)
    state = lake_key(lake)
    key = (state, options, reference.digest)
    with _LOCK:
        newest = _NEWEST.get(_lineage(state, options, reference))
        return (
            key in _FAILED
            or key in _COMPUTED
            or (newest is not None and (newest, options, reference.digest) in _COMPUTED)
        )


def served_state(
    lake: Path, reference: Reference, silent_hours: float | None = None
) -> tuple[Any, ...]:
    """The lake state whose status `region_monitoring` answers with now, with `reference`
    (the library in force, `status_library`): what a page made from it is kept by."""
    return computed(lake, options_of(silent_hours), reference)[0]
