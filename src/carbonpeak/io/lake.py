"""The lake of meter readings: hive-partitioned Parquet (`year=YYYY/month=MM/`, by the UTC
time), written once per input file.

Each row is an interval value: `meter_id, enterprise_id, carrier, unit, ts` (UTC), `value`,
`counter` (a cumulative meter's raw reading, else NULL), `copies` (how many readings of that
timestamp the file had) and `counted` (the value counts toward energy). A reading of a
(meter, ts) the lake already holds is kept as a repeat, not counted; so is a cumulative
meter's reading older than the lake's latest for that meter (late data: the lake already
counted the energy of that span in its next interval). A counter continues from the lake's
latest reading before the file's first one.

A file's part is named by the hash of its checked content, so ingesting the same file again
writes nothing new; a file with any problem writes nothing at all. A file's parts become
visible all at once, when its manifest is committed (`carbonpeak.io.commits`): readers read
only committed parts, and ingesting a file again after a crash completes it.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from carbonpeak.engine.local import connect
from carbonpeak.engine.session import Engine
from carbonpeak.errors import N_, CarbonpeakError, InputError, Place, Problem
from carbonpeak.io.commits import (
    STAGING_PREFIX,
    commit,
    committed,
    fault_point,
    locked,
    manifest_path,
    sync,
)
from carbonpeak.io.drivers import DRIVER_KEYS as DRIVER_KEYS
from carbonpeak.io.drivers import ingest_drivers as ingest_drivers
from carbonpeak.io.drivers import read_drivers as read_drivers
from carbonpeak.io.lake_files import (
    finite_columns,
    named_damage,
    read_parquet,
    require_rows,
)
from carbonpeak.io.lake_files import read_any as read_any
from carbonpeak.io.lake_files import write_rows as write_rows
from carbonpeak.io.tables import place_problems
from carbonpeak.monitoring.readings import check_meters, check_readings, to_intervals
from carbonpeak.reference.loader import Reference
from carbonpeak.settings import settings

REGISTRY_COLUMNS = (
    "meter_id",
    "enterprise_id",
    "carrier",
    "unit",
    "kind",
    "interval_minutes",
    "first_epoch",
    "last_epoch",
    "readings",
)
LAKE_COLUMNS = (
    "meter_id",
    "enterprise_id",
    "carrier",
    "unit",
    "interval_minutes",
    "ts",
    "value",
    "counter",
    "copies",
    "counted",
)


def default_lake() -> Path:
    """`CARBONPEAK_LAKE`, by default the folder `lake` in `CARBONPEAK_HOME`."""
    return settings().lake_path


def read_lake(engine: Engine, lake: Path) -> Any:
    """The lake's committed readings as a DataFrame of `engine` (the columns `LAKE_COLUMNS`)."""
    files = [str(p) for p in committed(lake).readings]
    if not files:
        raise CarbonpeakError(f"{lake}: no readings in this lake (carbonpeak monitor ingest)")
    reader = engine.session.read
    if engine.name == "spark":
        reader = reader.option("basePath", str(lake / "readings"))
        return reader.parquet(*files).select(*LAKE_COLUMNS)
    return reader.parquet(files).select(*LAKE_COLUMNS)


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


class _Stored:
    """What the lake already holds (committed) for the meters of a file."""

    def __init__(self, lake: Path, meter_ids: list[str]):
        files = committed(lake).readings
        self.connection: duckdb.DuckDBPyConnection | None = None
        if files:
            self.connection = connect()
            self.connection.register("wanted", pd.DataFrame({"meter_id": meter_ids}))
            self.connection.execute(
                "CREATE TEMP VIEW stored AS SELECT * FROM read_parquet("
                f"{_sql_list(files)}, union_by_name = true) "
                "SEMI JOIN wanted USING (meter_id)"
            )

    def query(self, sql: str, **frames: pd.DataFrame) -> pd.DataFrame | None:
        if self.connection is None:
            return None
        for name, frame in frames.items():
            self.connection.register(name, frame)
        frame = self.connection.execute(sql).df()
        for column in ("ts", "latest"):  # as the readings: nanoseconds, UTC
            if column in frame.columns:
                times = pd.to_datetime(frame[column])
                times = times.dt.tz_localize("UTC") if times.dt.tz is None else times
                frame[column] = times.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
        return frame

    def latest(self) -> pd.DataFrame | None:
        """Per meter: the latest stored time and, for a counter, its reading then."""
        return self.query(
            "SELECT meter_id, max(ts) AS latest, arg_max(counter, ts) AS counter "
            "FROM stored GROUP BY meter_id"
        )

    def before(self, first: pd.DataFrame) -> pd.DataFrame | None:
        """The last stored counter reading of each meter before its time in `first`."""
        return self.query(
            "SELECT s.meter_id, max(s.ts) AS ts, arg_max(s.counter, s.ts) AS counter "
            "FROM stored s JOIN first_ts f ON s.meter_id = f.meter_id AND s.ts < f.ts "
            "WHERE s.counter IS NOT NULL GROUP BY s.meter_id",
            first_ts=first,
        )

    def repeats(self, keys: pd.DataFrame) -> pd.DataFrame | None:
        return self.query(
            "SELECT DISTINCT k.meter_id, k.ts FROM keys k JOIN stored s "
            "ON s.meter_id = k.meter_id AND s.ts = k.ts",
            keys=keys,
        )


def _owner_problems(meters: pd.DataFrame, lake: Path) -> list[Problem]:
    if not committed(lake).meters:
        return []
    owners = read_meters(lake)[["meter_id", "enterprise_id"]]
    known = meters.merge(owners, on="meter_id", suffixes=("", "_stored"))
    other = known[known["enterprise_id"] != known["enterprise_id_stored"]]
    return [
        Problem.of(
            Place(row=int(row), column="enterprise_id"),
            N_("meter {!r} is in the lake for enterprise {}"),
            meter,
            owner,
        )
        for row, meter, owner in zip(
            other["row"], other["meter_id"], other["enterprise_id_stored"], strict=True
        )
    ]


def _intervals(readings: pd.DataFrame, meters: pd.DataFrame, stored: _Stored) -> pd.DataFrame:
    """The file's interval values with `counted`, against what the lake holds."""
    latest = stored.latest()
    if latest is None or not len(latest):
        return to_intervals(readings, meters).assign(counted=True)
    kinds = meters.set_index("meter_id")["kind"]
    cumulative = readings["meter_id"].map(kinds).eq("cumulative")
    last = readings["meter_id"].map(latest.set_index("meter_id")["latest"])
    late = cumulative & last.notna() & (readings["ts"] <= last)
    fresh = readings[cumulative & ~late]
    previous = latest.dropna(subset=["counter"])[["meter_id", "latest", "counter"]]
    previous = previous.rename(columns={"latest": "ts"})
    parts = [
        to_intervals(fresh, meters, previous[previous["meter_id"].isin(fresh["meter_id"])]).assign(
            counted=True
        )
    ]
    if late.any():
        first = readings[late].groupby("meter_id")["ts"].min().reset_index()
        parts.append(
            to_intervals(readings[late], meters, stored.before(first)).assign(counted=False)
        )
    plain = to_intervals(readings[~cumulative], meters)
    seen = stored.repeats(plain[["meter_id", "ts"]])
    if seen is not None and len(seen):
        key = pd.MultiIndex.from_frame(plain[["meter_id", "ts"]])
        plain["counted"] = ~key.isin(pd.MultiIndex.from_frame(seen[["meter_id", "ts"]]))
    else:
        plain["counted"] = True
    parts.append(plain)
    return pd.concat([p for p in parts if len(p)] or parts[-1:], ignore_index=True)


def ingest(
    readings_path: Path, meters_path: Path, lake: Path, reference: Reference
) -> dict[str, int]:
    """Check a readings file against its meters and add it to the lake; return what was
    written (`readings`, `repeats`, `parts`, `new_parts`)."""
    table = read_any(meters_path, "meters")
    require_rows(table, meters_path, N_("no meters in {}"))
    meters, problems = check_meters(table, reference)
    if problems:
        raise InputError(place_problems(problems, meters_path, "meters"))
    table = read_any(readings_path, "readings")
    require_rows(table, readings_path, N_("no readings in {}"))
    with locked(lake), named_damage(lake):
        return _ingest(readings_path, table, meters_path, meters, lake)


def _ingest(
    readings_path: Path, table: pd.DataFrame, meters_path: Path, meters: pd.DataFrame, lake: Path
) -> dict[str, int]:
    """`ingest` with the lake locked and recovered."""
    problems = _owner_problems(meters, lake)
    if problems:
        raise InputError(place_problems(problems, meters_path, "meters"))
    readings, problems = check_readings(table, meters)
    if problems:
        raise InputError(place_problems(problems, readings_path, "readings"))
    meta = meters.set_index("meter_id")
    content = readings[["meter_id", "ts", "value"]].assign(
        enterprise_id=readings["meter_id"].map(meta["enterprise_id"]),
        carrier=readings["meter_id"].map(meta["carrier"]),
        unit=readings["meter_id"].map(meta["unit"]),
        kind=readings["meter_id"].map(meta["kind"]),
    )
    digest = hashlib.sha256(
        pd.util.hash_pandas_object(content, index=False).to_numpy().tobytes()
    ).hexdigest()[:16]
    root = lake / "readings"
    months = readings["ts"].dt.year * 100 + readings["ts"].dt.month
    targets = {
        (int(m) // 100, int(m) % 100): root
        / f"year={int(m) // 100}"
        / f"month={int(m) % 100:02d}"
        / f"part-{digest}.parquet"
        for m in pd.unique(months)
    }
    if manifest_path(lake, digest).exists():  # this very file is in the lake
        return {"readings": 0, "repeats": 0, "parts": len(targets), "new_parts": 0}
    stored = _Stored(lake, meters["meter_id"].tolist())
    intervals = _intervals(readings, meters, stored)
    for column in ("enterprise_id", "carrier", "unit", "interval_minutes"):
        intervals[column] = intervals["meter_id"].map(meta[column])
    intervals["year"] = intervals["ts"].dt.year.astype("int32")
    intervals["month"] = intervals["ts"].dt.month.astype("int32")
    problems = finite_columns(pa.Table.from_pandas(intervals[["value", "counter"]]))
    if problems:  # a computed figure that is not finite is never stored
        raise InputError(place_problems(problems, readings_path, "readings"))
    with tempfile.TemporaryDirectory(dir=lake, prefix=STAGING_PREFIX) as staging:
        moves = []
        for (year, month), group in intervals.groupby(["year", "month"], sort=True):
            target = targets[(int(str(year)), int(str(month)))]
            staged = Path(staging) / target.relative_to(lake)
            staged.parent.mkdir(parents=True, exist_ok=True)
            frame = group[list(LAKE_COLUMNS)].sort_values(["meter_id", "ts"])
            table = pa.Table.from_pandas(frame, preserve_index=False)
            pq.write_table(table, staged, coerce_timestamps="us")  # Spark reads no ns
            moves.append((staged, target))
        registry = lake / "meters" / f"part-{digest}.parquet"
        staged_registry = Path(staging) / "meters.parquet"
        pq.write_table(_registry(readings, meters), staged_registry)
        moves.append((staged_registry, registry))
        for staged, _target in moves:
            sync(staged)
        fault_point("staged")
        for number, (staged, target) in enumerate(moves):
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.replace(target)
            if number == 0:
                fault_point("moved-one")
        for folder in {target.parent for _staged, target in moves}:
            sync(folder)
        fault_point("moved")
        commit(lake, digest, [target for _staged, target in moves])
        fault_point("committed")
    counted = int(intervals["counted"].sum())
    return {
        "readings": counted,
        "repeats": len(intervals) - counted,
        "parts": len(moves) - 1,
        "new_parts": len(moves) - 1,
    }


def _registry(readings: pd.DataFrame, meters: pd.DataFrame) -> pa.Table:
    """The file's meters (`REGISTRY_COLUMNS`): those with readings in it, with the first and
    last time (UTC epoch seconds) and the number of its readings."""
    times = (readings["ts"] - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    span = (
        pd.DataFrame({"meter_id": readings["meter_id"], "t": times})
        .groupby("meter_id")["t"]
        .agg(first_epoch="min", last_epoch="max", readings="size")
        .reset_index()
    )
    table = meters.merge(span, on="meter_id")[list(REGISTRY_COLUMNS)]
    return pa.Table.from_pandas(table, preserve_index=False)


def read_meters(lake: Path) -> pd.DataFrame:
    """The lake's meters (`REGISTRY_COLUMNS`), one row each: the attributes of its latest file,
    its first and last time over all files and its number of readings."""
    files = committed(lake).meters
    if not files:
        raise CarbonpeakError(f"{lake}: no readings in this lake (carbonpeak monitor ingest)")
    table = pd.concat([read_parquet(f) for f in files], ignore_index=True)
    # a meter registered before its readings (no last_epoch) sorts first: attributes of files win
    table = table.sort_values(["meter_id", "last_epoch"], kind="stable", na_position="first")
    spans = table.groupby("meter_id").agg(
        first_epoch=("first_epoch", "min"),
        last_epoch=("last_epoch", "max"),
        readings=("readings", "sum"),
    )
    latest = table.drop_duplicates("meter_id", keep="last").set_index("meter_id")
    columns = [c for c in REGISTRY_COLUMNS if c not in spans.columns and c != "meter_id"]
    return latest[columns].join(spans).reset_index()[list(REGISTRY_COLUMNS)]
