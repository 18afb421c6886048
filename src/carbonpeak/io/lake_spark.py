"""The lake ingest's runner on Spark (a national backfill over landing files): the dialect and
the table operations of `io.lake_runners.Runner` in Spark SQL (that module says how the two
engines differ)."""

from __future__ import annotations

import bisect
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from carbonpeak.engine.session import Engine
from carbonpeak.io.lake_runners import Runner, require_columns
from carbonpeak.io.lake_sources import header, kind_of
from carbonpeak.io.tables import read_table


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
                require_columns(path, [str(c) for c in table.columns])
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
                    require_columns(path, header(path))
                    read = self.spark.read.option("header", True).csv(str(path))
                    first = 2
                names = read.columns
                require_columns(path, names)
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
        frame.select("meter_id", "ts", "counter", "counted").createOrReplaceTempView(name)
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
