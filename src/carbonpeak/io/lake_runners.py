"""Where the lake's ingest runs: DuckDB in a database of its own (the default) or Spark (a
national backfill over landing files). The ingest's SQL is the same text on both; the few
functions the two dialects spell differently are said once here, and so are the ways each one
stages files, keeps a table and writes partitioned Parquet.

Spark keeps a table as a cached temporary view (memory, then disk), writes microsecond
timestamps (not its default INT96, which other readers take differently); its parts are
renamed `part-<digest>-<n>.parquet`, as DuckDB names them. Spark's runner is `io.lake_spark`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.lake_sources import REQUIRED, stage
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

    def month_label(self, time: str) -> str:
        """The month of `time` as the lake's folders name it (`01` to `12`)."""
        return f"lpad(CAST({self.month(time)} AS STRING), 2, '0')"

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
        """A view `name` of the lake's committed reading parts (`meter_id, ts, counter,
        counted`)."""
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

    def month_label(self, time: str) -> str:
        # picked from a list as an ENUM: the same folders (month=01 to month=12), and the
        # partitioned write about a fifth cheaper in CPU than with a text made by lpad per row
        names = ", ".join(f"'{month:02d}'" for month in range(1, 13))
        if "lake_month" not in self.types:
            self.connection.execute(f"CREATE TYPE lake_month AS ENUM ({names})")
            self.types.add("lake_month")
        return f"CAST([{names}][{self.month(time)}] AS lake_month)"

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
            f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT meter_id, ts, counter, counted "
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


def require_columns(path: Path, names: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InputError(
            [
                Problem.of(Place(file=str(path), row=1, column=c), N_("required column is missing"))
                for c in missing
            ]
        )
