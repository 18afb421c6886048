"""Compaction of the lake: the many small parts a live feed commits (a flush every few seconds)
merged into one part per month and one meter registry part, so that readers open a few files
and not thousands.

Under the lake's lock, the months with at least `min_parts` parts are rewritten, each into one
part sorted by meter and time (so a reader of some meters skips most row groups); the meter
registry is rewritten into one row per meter as `io.lake.read_meters` reads it. The new parts
are staged, moved into place and committed by one manifest that replaces every live manifest
whose parts it absorbed and keeps their digests (the same file sent again still writes
nothing). The replaced manifests and their parts stay for `CARBONPEAK_LAKE_RETENTION` seconds,
for readers that listed the lake before (`io.commits.expire` removes them at a later
compaction or ingest). A crash before the commit leaves the lake as it was (the next recovery
removes the staged and moved parts). Rows are copied as they are: a
compaction changes no figure, which the tests check on both engines.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.commits import (
    COMMITS,
    STAGING_PREFIX,
    commit,
    expire,
    fault_point,
    is_lake,
    live,
    locked,
    sync,
)
from carbonpeak.io.lake_files import named_damage
from carbonpeak.io.lake_runners import quoted
from carbonpeak.settings import settings

MIN_PARTS = 8
"""A month is merged once it has this many parts: fewer cost a reader little."""


def compact(lake: Path, min_parts: int = MIN_PARTS) -> dict[str, int]:
    """Merge the lake's small parts (the module says how); return the manifests replaced, the
    parts before and after. A folder that holds no lake is refused, not made one."""
    if not is_lake(lake):
        raise InputError(
            Problem.of(Place(file=str(lake)), N_("not a lake: no {} folder nor parts"), COMMITS)
        )
    with locked(lake), named_damage(lake):
        return _compact(lake, min_parts)


def _month(part: Path, lake: Path) -> str:
    return "/".join(part.relative_to(lake).parts[:-1])  # readings/year=YYYY/month=MM


def _compact(lake: Path, min_parts: int) -> dict[str, int]:
    from carbonpeak.io.lake import REGISTRY_COLUMNS, read_meters

    alive = live(lake)
    by_month: dict[str, int] = {}
    for manifest in alive:
        for part in manifest.parts:
            if part.relative_to(lake).parts[0] == "readings":
                by_month[_month(part, lake)] = by_month.get(_month(part, lake), 0) + 1
    crowded = {month for month, count in by_month.items() if count >= min_parts}
    # a manifest is absorbed when every reading part it lists lies in a crowded month (one
    # that only registered meters has none); the parts of the others stay as they are
    absorbed = [
        m
        for m in alive
        if all(
            _month(p, lake) in crowded
            for p in m.parts
            if p.relative_to(lake).parts[0] == "readings"
        )
    ]
    if len(absorbed) < 2:
        return {"replaced": 0, "parts_before": 0, "parts_after": 0}
    months: dict[str, list[Path]] = {}
    for manifest in absorbed:
        for part in manifest.parts:
            if part.relative_to(lake).parts[0] == "readings":
                months.setdefault(_month(part, lake), []).append(part)
    registry_parts = [
        p for m in absorbed for p in m.parts if p.relative_to(lake).parts[0] == "meters"
    ]
    name = (
        "compact-"
        + hashlib.sha256("\n".join(sorted(m.path.stem for m in absorbed)).encode()).hexdigest()[:16]
    )
    with tempfile.TemporaryDirectory(dir=lake, prefix=STAGING_PREFIX) as folder:
        staging = Path(folder)
        connection = duckdb.connect(
            ":memory:",
            config={
                "memory_limit": settings().ingest_memory,
                "temp_directory": str(staging / "spill"),
            },
        )
        try:
            connection.execute("SET TimeZone = 'UTC'")
            moves = []
            for month, parts in sorted(months.items()):
                target = lake / month / f"part-{name}.parquet"
                staged = staging / month / target.name
                staged.parent.mkdir(parents=True, exist_ok=True)
                listed = "[" + ", ".join(quoted(p) for p in parts) + "]"
                connection.execute(
                    f"COPY (SELECT * FROM read_parquet({listed}, union_by_name = true, "
                    "hive_partitioning = false) ORDER BY meter_id, ts) "
                    f"TO {quoted(staged)} (FORMAT parquet)"
                )
                moves.append((staged, target))
        finally:
            connection.close()
        if registry_parts:
            registry = read_meters(lake, registry_parts)[list(REGISTRY_COLUMNS)]
            staged_registry = staging / "meters.parquet"
            table = pa.Table.from_pandas(registry, preserve_index=False)
            pq.write_table(table, staged_registry)
            moves.append((staged_registry, lake / "meters" / f"part-{name}.parquet"))
        for staged, _target in moves:
            sync(staged)
        fault_point("compaction-staged")
        for staged, target in moves:
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.replace(target)
        for place in {target.parent for _s, target in moves}:
            sync(place)
        digests = sorted({d for m in absorbed for d in m.digests})
        commit(
            lake,
            name,
            [target for _s, target in moves],
            replaces=sorted(m.path.stem for m in absorbed),
            digests=digests,
        )
        fault_point("compaction-committed")
    before = sum(len(m.parts) for m in absorbed)
    expire(lake)  # those replaced long enough ago (these too when the retention is 0)
    return {"replaced": len(absorbed), "parts_before": before, "parts_after": len(moves)}
