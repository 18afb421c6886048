"""The lake's meter registry written on its own: meters registered before any of their
readings (a collector's meters, through the API), so that posted readings can be checked
against them.

There is one registry: the `meters/` parts of the lake that its manifests list, read by
`carbonpeak.io.lake.read_meters`. A registration is one such part, committed like an ingest
(`carbonpeak.io.commits`: the lake's lock, a staged part, its manifest as the commit point),
its meters with no readings yet (`first_epoch`, `last_epoch` and `last_counter` empty,
`readings` 0). The part
is named by the digest of the registration, so registering the same meters again writes
nothing.

A meter the lake holds for another enterprise is refused, as an ingest refuses it; so is a
meter registered again with other attributes (carrier, unit, kind, interval): the lake's
readings of it were counted in its registered unit, and a change would silently alter what
they mean.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.commits import (
    COMMITS,
    STAGING_PREFIX,
    commit,
    committed,
    fault_point,
    locked,
    manifest_path,
    sync,
)
from carbonpeak.io.lake import REGISTRY_COLUMNS, read_meters
from carbonpeak.monitoring.readings import METER_COLUMNS

ATTRIBUTES = ("carrier", "unit", "kind", "interval_minutes")
_TYPES = {
    "interval_minutes": pa.int64(),
    "first_epoch": pa.int64(),
    "last_epoch": pa.int64(),
    "readings": pa.int64(),
    "last_counter": pa.float64(),
    "first_us": pa.int64(),
    "first_counter": pa.float64(),
}
_SCHEMA = pa.schema([(c, _TYPES.get(c, pa.string())) for c in REGISTRY_COLUMNS])
_cache: dict[Path, tuple[tuple[int, int], pd.DataFrame]] = {}
_by_enterprise: dict[tuple[Path, str], tuple[pd.DataFrame, pd.DataFrame]] = {}
_cache_lock = threading.Lock()
_loading: dict[Path, threading.Lock] = {}


def _stamp(lake: Path) -> tuple[int, int]:
    """What changes whenever a manifest is committed: the time and size of `_commits/`."""
    try:
        found = (lake / COMMITS).stat()
    except FileNotFoundError:
        return (0, 0)
    return (found.st_mtime_ns, found.st_size)


def registered_meters(lake: Path, fresh: bool = False) -> pd.DataFrame:
    """The lake's meters (`REGISTRY_COLUMNS`; none when it has none), read again only when a
    commit changed the lake (a posted batch is checked against them, 200 times a second) or
    when `fresh` (a folder's time has a coarse grain: a caller that finds a meter missing asks
    again with `fresh`)."""
    stamp = _stamp(lake)
    with _cache_lock:
        cached = _cache.get(lake)
        if not fresh and cached is not None and cached[0] == stamp and stamp != (0, 0):
            return cached[1]
        loading = _loading.setdefault(lake, threading.Lock())
    # one thread reads a changed lake's meters; the others wait for it and take its reading
    # (after a flush's commit every request of a busy server found the cache stale at once,
    # and forty threads reading the registry together held the posts for a second)
    with loading:
        with _cache_lock:
            cached = _cache.get(lake)
            if not fresh and cached is not None and cached[0] == stamp and stamp != (0, 0):
                return cached[1]
        if committed(lake).meters:
            meters = read_meters(lake)
        else:
            meters = pd.DataFrame({c: pd.Series(dtype=object) for c in REGISTRY_COLUMNS})
        with _cache_lock:
            _cache[lake] = (stamp, meters)
    return meters


def enterprise_meters(lake: Path, enterprise_id: str, fresh: bool = False) -> pd.DataFrame:
    """`registered_meters` of one enterprise (kept while the registry is the same)."""
    registry = registered_meters(lake, fresh)
    with _cache_lock:
        cached = _by_enterprise.get((lake, enterprise_id))
        if cached is not None and cached[0] is registry:
            return cached[1]
    mine = registry[registry["enterprise_id"] == enterprise_id].reset_index(drop=True)
    mine["meter_id"] = mine["meter_id"].astype(str)
    with _cache_lock:
        _by_enterprise[(lake, enterprise_id)] = (registry, mine)
    return mine


def _conflicts(meters: pd.DataFrame, stored: pd.DataFrame) -> list[Problem]:
    """Meters of the registration the lake holds for another enterprise, or with other
    attributes; each placed at its row."""
    known = meters.merge(stored, on="meter_id", suffixes=("", "_stored"))
    problems = [
        Problem.of(
            Place(row=int(row), column="enterprise_id"),
            N_("meter {!r} is in the lake for enterprise {}"),
            meter,
            owner,
        )
        for row, meter, owner, mine in zip(
            known["row"],
            known["meter_id"],
            known["enterprise_id_stored"],
            known["enterprise_id"],
            strict=True,
        )
        if owner != mine
    ]
    same = known[known["enterprise_id"] == known["enterprise_id_stored"]]
    for column in ATTRIBUTES:
        ours = same[column].astype(str)
        theirs = same[f"{column}_stored"].map(
            lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
        )
        for row, meter, value in zip(
            same.loc[ours != theirs, "row"],
            same.loc[ours != theirs, "meter_id"],
            same.loc[ours != theirs, f"{column}_stored"],
            strict=True,
        ):
            problems.append(
                Problem.of(
                    Place(row=int(row), column=column),
                    N_("meter {!r} is registered with {} {}: a registered meter keeps it"),
                    meter,
                    column,
                    value,
                )
            )
    problems.sort(key=lambda p: (p.place.row or 0, p.place.column or ""))
    return problems


def register_meters(meters: pd.DataFrame, lake: Path) -> dict[str, int]:
    """Add meters (checked by `monitoring.readings.check_meters`, with their `row`) to the
    lake's registry; return how many were new (`registered`) and already there (`known`). A
    conflict with the registry writes nothing (`InputError`, each meter placed)."""
    with locked(lake):
        stored = registered_meters(lake)
        problems = _conflicts(meters, stored)
        if problems:
            raise InputError(problems)
        new = meters[~meters["meter_id"].isin(stored["meter_id"])]
        if new.empty:
            return {"registered": 0, "known": len(meters)}
        table = new[list(METER_COLUMNS)].sort_values("meter_id").reset_index(drop=True)
        table = table.assign(
            first_epoch=None,
            last_epoch=None,
            readings=0,
            last_counter=None,
            first_us=None,
            first_counter=None,
        )
        part = pa.Table.from_pandas(table[list(REGISTRY_COLUMNS)], _SCHEMA, preserve_index=False)
        digest = (
            "meters-"
            + hashlib.sha256(
                pd.util.hash_pandas_object(table[list(METER_COLUMNS)], index=False)
                .to_numpy()
                .tobytes()
            ).hexdigest()[:16]
        )
        if not manifest_path(lake, digest).exists():
            target = lake / "meters" / f"part-{digest}.parquet"
            with tempfile.TemporaryDirectory(dir=lake, prefix=STAGING_PREFIX) as staging:
                staged = Path(staging) / target.name
                pq.write_table(part, staged)
                sync(staged)
                fault_point("staged")
                target.parent.mkdir(parents=True, exist_ok=True)
                staged.replace(target)
                sync(target.parent)
                fault_point("moved")
                commit(lake, digest, [target])
                fault_point("committed")
        registered_meters(lake, fresh=True)
    return {"registered": len(new), "known": len(meters) - len(new)}
