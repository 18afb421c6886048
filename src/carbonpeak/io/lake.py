"""The lake of meter readings: hive-partitioned Parquet (`year=YYYY/month=MM/`, by the UTC
time), written once per input file.

Each row is an interval value: `meter_id, enterprise_id, carrier, unit, ts` (UTC), `value`,
`counter` (a cumulative meter's raw reading, else NULL), `copies` (how many readings of that
timestamp the file had) and `counted` (the value counts toward energy). A reading of a
(meter, ts) the lake already holds is kept as a repeat, not counted; so is a cumulative
meter's reading within the lake's span of that meter, after its first reading and not after
its latest (late data: the lake already counted the energy of that span in its next interval).
Readings before a counter's first reading in the lake are a backfill, which no stored interval
covers: counted, and chained into that first reading. A counter continues from the lake's
latest reading before the file's first one.

A file's parts are named by the hash of its bytes and its meters, so ingesting the same file
again writes nothing new; a file with any problem writes nothing at all. A file's parts become
visible all at once, when its manifest is committed (`carbonpeak.io.commits`): readers read
only committed parts, and ingesting a file again after a crash completes it. The ingest itself,
in SQL on DuckDB, is `carbonpeak.io.lake_ingest`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from carbonpeak.engine.session import Engine
from carbonpeak.errors import CarbonpeakError
from carbonpeak.io.commits import committed
from carbonpeak.io.drivers import DRIVER_KEYS as DRIVER_KEYS
from carbonpeak.io.drivers import ingest_drivers as ingest_drivers
from carbonpeak.io.drivers import read_drivers as read_drivers
from carbonpeak.io.lake_files import read_any as read_any
from carbonpeak.io.lake_files import read_parquet
from carbonpeak.io.lake_files import write_rows as write_rows
from carbonpeak.io.lake_ingest import ingest as ingest
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
    "last_counter",
    "first_us",
    "first_counter",
)
"""`last_counter`: a counter's reading at `last_epoch` (NULL for an interval meter, a blank
reading, or a part written before it was kept): the next file continues from it, even when
that reading gave no interval of its own (a counter's first). `first_us`: the exact first time
(microseconds since 1970; `first_epoch` is whole seconds); `first_counter`: a counter's reading
then, into which a backfill (readings before it, which no stored interval covers) chains (both
NULL in parts written before they were kept)."""
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


def read_meters(lake: Path, parts: list[Path] | None = None) -> pd.DataFrame:
    """The lake's meters (`REGISTRY_COLUMNS`), one row each: the attributes of its latest file,
    its first and last time over all files and its number of readings (of the registry parts
    `parts` only, when given: a compaction merges some)."""
    files = committed(lake).meters if parts is None else parts
    if not files:
        raise CarbonpeakError(f"{lake}: no readings in this lake (carbonpeak monitor ingest)")
    table = pd.concat([read_parquet(f) for f in files], ignore_index=True)
    for column in ("last_counter", "first_us", "first_counter"):
        if column not in table.columns:  # parts written before it was kept
            table[column] = float("nan")
    exact_first = table["first_us"].fillna(table["first_epoch"] * 1_000_000)
    # of the parts with a meter's first time, one that kept its counter reading
    firsts = (
        table.assign(first_us=exact_first, kept=table["first_counter"].notna())
        .sort_values(["meter_id", "first_us", "kept"], ascending=[True, True, False])
        .drop_duplicates("meter_id", keep="first")
        .set_index("meter_id")[["first_us", "first_counter"]]
    )
    # a meter registered before its readings (no last_epoch) sorts first: attributes of files win
    table = table.sort_values(["meter_id", "last_epoch"], kind="stable", na_position="first")
    spans = table.groupby("meter_id").agg(
        first_epoch=("first_epoch", "min"),
        last_epoch=("last_epoch", "max"),
        readings=("readings", "sum"),
    )
    # of the parts with a meter's latest time, one that kept its counter reading (a late repeat
    # of that reading keeps none)
    table = table.assign(kept=table["last_counter"].notna()).sort_values(
        ["meter_id", "last_epoch", "kept"], kind="stable", na_position="first"
    )
    latest = table.drop_duplicates("meter_id", keep="last").set_index("meter_id")
    known = {"meter_id", *spans.columns, *firsts.columns}
    columns = [c for c in REGISTRY_COLUMNS if c not in known]
    joined = latest[columns].join(spans).join(firsts).reset_index()
    return joined.astype({"first_us": "Int64"})[list(REGISTRY_COLUMNS)]
