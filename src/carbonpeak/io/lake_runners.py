"""Where the lake's ingest runs: DuckDB in a database of its own (the default) or Spark (a
national backfill over landing files). The ingest's SQL is the same text on both; the few
functions the two dialects spell differently are said once here, and so are the ways each one
stages files, keeps a table and writes partitioned Parquet.

Spark keeps a table as a cached temporary view (memory, then disk), writes microsecond
timestamps (not its default INT96, which other readers take differently) and names its parts
itself (`part-NNNNN-<uuid>...parquet`); DuckDB names them `part-<digest>-<i>.parquet`.
"""

from __future__ import annotations

import bisect
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from carbonpeak.engine.session import Engine
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.lake_sources import REQUIRED, header, kind_of, stage
from carbonpeak.io.tables import read_table
from carbonpeak.settings import settings


def quoted(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class Runner:
    """The SQL functions and the table operations of one engine."""

    name = ""

    def full_match(self, text: str, pattern: str) -> str:
        raise NotImplementedError

    def matches(self, text: str, pattern: str) -> str:
        raise NotImplementedError

    def to_time(self, text: str) -> str:
        """A text as a UTC timestamp (an offset applied; none read as UTC), NULL if it is not
        one."""
        raise NotImplementedError

    def to_number(self, text: str) -> str:
        """A text as a double, NULL if it is not one."""
        return f"try_cast({text} AS DOUBLE)"

    def is_finite(self, number: str) -> str:
        raise NotImplementedError

    def epoch(self, time: str) -> str:
        raise NotImplementedError

    def from_epoch(self, seconds: str) -> str:
        raise NotImplementedError

    def micros(self, time: str) -> str:
        """A timestamp as whole microseconds since 1970 (BIGINT): exact, unlike `epoch`."""
        raise NotImplementedError

    def from_micros(self, micros: str) -> str:
        raise NotImplementedError

    def year(self, time: str) -> str:
        raise NotImplementedError

    def month(self, time: str) -> str:
        raise NotImplementedError

    def labels(self, column: str, of: str) -> str:
        """`column`, whose values are those of the meters table's column `of`, as the engine
        writes such a column fastest (DuckDB: an ENUM, written to Parquet as plain text)."""
        return column

    def run(self, sql: str) -> None:
        raise NotImplementedError

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def keep(self, name: str, sql: str) -> None:
        """Make `sql` a table `name` that later statements read without computing it again."""
        raise NotImplementedError

    def register(self, name: str, frame: pd.DataFrame) -> None:
        raise NotImplementedError

    def stage(
        self, paths: list[Path], empty_lines: Callable[[], list[list[int]]], parse: str
    ) -> None:
        """The table `parsed_rows` of the files' rows: `file, line` and the columns of the
        SELECT list `parse` over a file's text columns `meter_id, ts, value, said` (of which
        `blank` rows are left out); `empty_lines` gives each CSV file's empty lines, when
        they are found (another thread reads for them)."""
        raise NotImplementedError

    def view(self, name: str, sql: str) -> None:
        """A view `name` of `sql`, computed where it is read."""
        raise NotImplementedError

    def parts(self, name: str, files: list[Path]) -> None:
        """A view `name` of the lake's committed reading parts."""
        raise NotImplementedError

    def view_of(self, name: str, files: list[Path]) -> None:
        """A view `name` of every column of Parquet files this ingest wrote."""
        raise NotImplementedError

    def write(self, sql: str, out: Path, name: str, partitioned: bool) -> list[Path]:
        """Write the rows of `sql` as Parquet into the folder `out` (by `year` and `month`
        when `partitioned`); the files written."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class DuckDBRunner(Runner):
    name = "duckdb"

    def __init__(self, staging: Path):
        configured = settings()
        self.connection = duckdb.connect(
            ":memory:",
            config={
                "memory_limit": configured.ingest_memory,
                "temp_directory": str(staging / "spill"),
                **({"threads": configured.threads} if configured.threads else {}),
            },
        )
        self.connection.execute("SET TimeZone = 'UTC'")
        self.types: set[str] = set()

    def full_match(self, text: str, pattern: str) -> str:
        return f"regexp_full_match({text}, '{pattern}')"

    def matches(self, text: str, pattern: str) -> str:
        return f"regexp_matches({text}, '{pattern}')"

    def to_time(self, text: str) -> str:
        return f"TRY_CAST({text} AS TIMESTAMPTZ)"

    def is_finite(self, number: str) -> str:
        return f"isfinite({number})"

    def epoch(self, time: str) -> str:
        return f"epoch({time})"

    def from_epoch(self, seconds: str) -> str:
        return f"to_timestamp({seconds})"

    def micros(self, time: str) -> str:
        return f"epoch_us({time})"

    def from_micros(self, micros: str) -> str:
        return f"(to_timestamp(0) + to_microseconds(CAST({micros} AS BIGINT)))"

    def year(self, time: str) -> str:  # by the epoch: no time-zone library, several times faster
        return f"CAST(date_part('year', make_timestamp(epoch_us({time}))) AS INTEGER)"

    def month(self, time: str) -> str:
        return f"CAST(date_part('month', make_timestamp(epoch_us({time}))) AS INTEGER)"

    def labels(self, column: str, of: str) -> str:
        name = f"meters_{of}"
        if name not in self.types:
            self.connection.execute(
                f"CREATE TYPE {name} AS ENUM (SELECT DISTINCT {of} FROM meters WHERE {of} "
                "IS NOT NULL ORDER BY 1)"
            )
            self.types.add(name)
        return f"CAST({column} AS {name})"

    def run(self, sql: str) -> None:
        self.connection.execute(sql)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql).fetchall()

    def keep(self, name: str, sql: str) -> None:
        self.connection.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")

    def register(self, name: str, frame: pd.DataFrame) -> None:
        self.connection.register(f"{name}_frame", frame)
        self.connection.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_frame")
        self.connection.unregister(f"{name}_frame")

    def stage(
        self, paths: list[Path], empty_lines: Callable[[], list[list[int]]], parse: str
    ) -> None:
        stage(self.connection, paths, empty_lines, parse)

    def view(self, name: str, sql: str) -> None:
        self.connection.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")

    def parts(self, name: str, files: list[Path]) -> None:
        listed = "[" + ", ".join(quoted(p) for p in files) + "]"
        self.connection.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT meter_id, ts, counter "
            f"FROM read_parquet({listed}, union_by_name = true, hive_partitioning = false)"
        )

    def view_of(self, name: str, files: list[Path]) -> None:
        listed = "[" + ", ".join(quoted(p) for p in files) + "]"
        self.connection.execute(
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet({listed}, "
            "hive_partitioning = false)"
        )

    def write(self, sql: str, out: Path, name: str, partitioned: bool) -> list[Path]:
        self.connection.execute("SET preserve_insertion_order = false")
        if partitioned:
            self.connection.execute(
                f"COPY ({sql}) TO {quoted(out)} (FORMAT parquet, PARTITION_BY (year, month), "
                f"FILENAME_PATTERN 'part-{name}-{{i}}', OVERWRITE_OR_IGNORE)"
            )
            return sorted(out.rglob("*.parquet"))
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"part-{name}.parquet"
        self.connection.execute(f"COPY ({sql}) TO {quoted(target)} (FORMAT parquet)")
        return [target]

    def close(self) -> None:
        self.connection.close()


class SparkRunner(Runner):
    name = "spark"

    def __init__(self, engine: Engine, staging: Path):
        self.spark = engine.session
        self.staging = staging
        self.views: list[str] = []
        self.spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")

    def full_match(self, text: str, pattern: str) -> str:
        return self.matches(text, f"^(?:{pattern})$")

    def matches(self, text: str, pattern: str) -> str:
        escaped = pattern.replace("\\", "\\\\")  # Spark's string literals take escapes
        return f"({text} RLIKE '{escaped}')"

    def to_time(self, text: str) -> str:
        # Spark reads no offset after a time to the minute (`00:45+08:00`) nor one of hours
        # alone (`+08`, as DuckDB writes a zone-aware time): seconds and minutes added
        minute = r"^(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2})(?=[Z+-])"
        hours = r"(:\\d{2}(\\.\\d+)?[+-]\\d{2})$"
        text = f"regexp_replace(regexp_replace({text}, '{minute}', '$1:00'), '{hours}', '$1:00')"
        return f"try_cast({text} AS TIMESTAMP)"

    def is_finite(self, number: str) -> str:
        return f"(NOT isnan({number}) AND abs({number}) < double('Infinity'))"

    def epoch(self, time: str) -> str:
        return f"unix_seconds({time})"

    def from_epoch(self, seconds: str) -> str:
        return f"timestamp_seconds({seconds})"

    def micros(self, time: str) -> str:
        return f"unix_micros({time})"

    def from_micros(self, micros: str) -> str:
        return f"timestamp_micros(CAST({micros} AS BIGINT))"

    def year(self, time: str) -> str:
        return f"year({time})"

    def month(self, time: str) -> str:
        return f"month({time})"

    def run(self, sql: str) -> None:
        self.spark.sql(sql).collect()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.spark.sql(sql).collect()]

    def keep(self, name: str, sql: str) -> None:
        from pyspark import StorageLevel

        frame = self.spark.sql(sql).persist(StorageLevel.MEMORY_AND_DISK)
        frame.createOrReplaceTempView(name)
        self.views.append(name)

    def register(self, name: str, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        table = pa.Table.from_pandas(frame, preserve_index=False)
        self.spark.createDataFrame(table).createOrReplaceTempView(name)
        self.views.append(name)

    def stage(
        self, paths: list[Path], empty_lines: Callable[[], list[list[int]]], parse: str
    ) -> None:
        from pyspark.sql import functions as F
        from pyspark.sql.types import (
            LongType,
            StringType,
            StructField,
            StructType,
            TimestampType,
        )

        frames = []
        for number, (path, empty) in enumerate(zip(paths, empty_lines(), strict=True)):
            kind = kind_of(path)
            if kind == "excel":
                table = read_table(path, "readings")
                _require_columns(path, [str(c) for c in table.columns])
                data = pd.DataFrame(
                    {
                        "meter_id": table["meter_id"],
                        "ts": table["ts"],
                        "value": table["value"],
                        "enterprise_id": table.get("enterprise_id"),
                        "line": table["row"].astype("int64"),
                    }
                ).astype({"meter_id": str, "ts": str, "value": str})
                self.register(f"sheet_{number}", data)
                frame = self.spark.table(f"sheet_{number}")
            else:
                if kind == "parquet":
                    read = self.spark.read.parquet(str(path))
                    first = 1
                else:
                    _require_columns(path, header(path))
                    read = self.spark.read.option("header", True).csv(str(path))
                    first = 2
                names = read.columns
                _require_columns(path, names)
                said = F.col("enterprise_id") if "enterprise_id" in names else F.lit(None)
                stamp = F.col("ts").cast("string")
                if isinstance(read.schema["ts"].dataType, TimestampType):  # an instant: its offset
                    stamp = F.date_format(F.col("ts"), "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
                read = read.select(
                    F.col("meter_id").cast("string"),
                    stamp.alias("ts"),
                    F.col("value").cast("string"),
                    said.cast("string").alias("enterprise_id"),
                )
                thresholds = [b - first - j for j, b in enumerate(sorted(empty))]

                def numbered(pair: Any, first: int = first, cuts: list[int] = thresholds) -> Any:
                    row, index = pair
                    return (*row, index + first + bisect.bisect_right(cuts, index))

                schema = StructType(
                    [StructField(c, StringType()) for c in read.columns]
                    + [StructField("line", LongType())]
                )
                frame = self.spark.createDataFrame(read.rdd.zipWithIndex().map(numbered), schema)
            frames.append(
                frame.select(
                    F.lit(number).alias("file"),
                    F.col("line").cast("bigint"),
                    F.col("meter_id"),
                    F.col("ts"),
                    F.col("value"),
                    F.col("enterprise_id").cast("string").alias("said"),
                )
            )
        staged = frames[0]
        for frame in frames[1:]:
            staged = staged.unionByName(frame)
        staged.createOrReplaceTempView("staged_files")
        self.keep(
            "parsed_rows",
            "SELECT file, line, meter, t, v, raw_ts, raw_value, said FROM (SELECT file, line, "
            f"{parse} FROM staged_files) AS p WHERE NOT blank",
        )

    def view(self, name: str, sql: str) -> None:
        self.spark.sql(sql).createOrReplaceTempView(name)
        self.views.append(name)

    def parts(self, name: str, files: list[Path]) -> None:
        lake = files[0].parents[2] if files else self.staging
        frame = self.spark.read.option("basePath", str(lake)).parquet(*[str(p) for p in files])
        frame.select("meter_id", "ts", "counter").createOrReplaceTempView(name)
        self.views.append(name)

    def view_of(self, name: str, files: list[Path]) -> None:
        self.spark.read.parquet(*[str(p) for p in files]).createOrReplaceTempView(name)
        self.views.append(name)

    def write(self, sql: str, out: Path, name: str, partitioned: bool) -> list[Path]:
        frame = self.spark.sql(sql)
        scratch = self.staging / f"spark-{uuid.uuid4().hex}"
        writer = frame.write.mode("overwrite")
        if partitioned:
            writer = writer.partitionBy("year", "month")
        else:
            frame = frame.coalesce(1)
            writer = frame.write.mode("overwrite")
        writer.parquet(str(scratch))
        written = []
        for number, part in enumerate(sorted(scratch.rglob("part-*.parquet"))):
            target = out / part.parent.relative_to(scratch) / f"part-{name}-{number}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            part.replace(target)
            written.append(target)
        _keep_side_folders(scratch, out)
        shutil.rmtree(scratch, ignore_errors=True)
        return written

    def close(self) -> None:
        for view in self.views:
            self.spark.catalog.dropTempView(view)
        self.spark.catalog.clearCache()


def _keep_side_folders(scratch: Path, out: Path) -> None:
    """The partition folders Spark wrote, made in `out` too (the ingest looks for its side
    folder by name)."""
    for folder in scratch.rglob("year=*"):
        if folder.is_dir():
            (out / folder.relative_to(scratch)).mkdir(parents=True, exist_ok=True)


def _require_columns(path: Path, names: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InputError(
            [
                Problem.of(Place(file=str(path), row=1, column=c), N_("required column is missing"))
                for c in missing
            ]
        )
