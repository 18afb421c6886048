"""The input files of a lake ingest, staged into a DuckDB table of text cells with their place.

Each file's rows become rows of `staged`: `file` (its index in the ingest), `line` (its row in
the file: a CSV file's line, the header being line 1; a sheet's row; a Parquet file's row from
1), `meter`, `ts` and `value` as text, and `said` (the optional `enterprise_id` column: whose
readings the sender says these are). CSV (also gzip'd, `.csv.gz`) is read by DuckDB's own
reader, in parallel and never whole in memory; Parquet by DuckDB too, every column as text (a
zoneless timestamp reads as a time without offset, which the ingest takes as China Standard
Time, as `monitoring.readings.utc_times` does); an Excel sheet through `io.tables.read_table`
(workbooks are small).

The digest of an ingest is the SHA-256 of the files' bytes and of the meters they were checked
against, so the same file twice is found without reading it into an engine. The same pass finds
a CSV file's empty lines, which DuckDB skips, so every row keeps its real line number.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.lake_files import PARQUET_SUFFIXES
from carbonpeak.io.tables import EXCEL_SUFFIXES, read_table

REQUIRED = ("meter_id", "ts", "value")
CHUNK = 8 * 1024 * 1024


def kind_of(path: Path) -> str:
    """`parquet`, `excel` or `csv` (also `.csv.gz`, `.gz`)."""
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    return "csv"


def _opened(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def scan(path: Path, digest: hashlib._Hash) -> list[int]:
    """Feed the file's bytes to `digest`; for a CSV file return the numbers of its empty lines
    (line 1 is the header), which DuckDB's reader skips. One pass over a plain file; a gzip'd
    one is read again, unpacked, for its lines."""
    if not path.is_file():
        raise InputError(Problem.of(Place(file=str(path)), N_("file not found")))
    csv_file = kind_of(path) == "csv"
    packed = path.suffix.lower() == ".gz"
    lines = _Lines()
    with path.open("rb") as raw:
        for chunk in iter(lambda: raw.read(CHUNK), b""):
            digest.update(chunk)
            if csv_file and not packed:
                lines.feed(chunk)
    if csv_file and packed:
        try:
            with gzip.open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(CHUNK), b""):
                    lines.feed(chunk)
        except (OSError, EOFError) as exc:
            raise InputError(
                Problem.of(Place(file=str(path)), N_("cannot read the file: {}"), exc)
            ) from None
    return sorted(set(lines.empty))


class _Lines:
    """The empty lines of a text read in chunks (a line break is `\\n` or `\\r\\n`), found from
    the positions of its line breaks (vectorised: a file's worth costs a few passes of numpy).
    Line 1, the header, is never counted empty here (an empty header fails on its columns)."""

    def __init__(self) -> None:
        self.empty: list[int] = []
        self.count = 0  # line breaks before this chunk
        self.offset = 0  # bytes before this chunk
        self.last = -1  # where the last line break was (-1: the start, as if one were there)
        self.last_byte = -1

    def feed(self, chunk: bytes) -> None:
        data = np.frombuffer(chunk, dtype=np.uint8)
        local = np.flatnonzero(data == 10)
        if local.size:
            positions = local + self.offset
            gaps = np.diff(positions, prepend=self.last)
            before = np.where(local > 0, data[np.maximum(local - 1, 0)], self.last_byte)
            blank = (gaps == 1) | ((gaps == 2) & (before == 13))
            numbers = self.count + np.flatnonzero(blank) + 1  # break j ends line j + 1
            self.empty.extend(int(n) for n in numbers if n >= 2)
            self.count += int(local.size)
            self.last = int(positions[-1])
        self.offset += len(chunk)
        if chunk:
            self.last_byte = chunk[-1]


def header(path: Path) -> list[str]:
    """A CSV file's column names (stripped)."""
    try:
        with _opened(path) as raw:
            first = raw.readline().decode("utf-8-sig")
    except (OSError, EOFError, UnicodeDecodeError):
        raise InputError(
            Problem.of(Place(file=str(path)), N_("not UTF-8 text; save the CSV as UTF-8"))
        ) from None
    try:
        return [c.strip() for c in next(csv.reader([first]), [])]
    except csv.Error as exc:  # e.g. a file whose lines end in a lone CR (old Mac)
        raise InputError(
            Problem.of(Place(file=str(path)), N_("cannot read the file: {}"), exc)
        ) from None


def _columns_problems(path: Path, names: Sequence[str]) -> list[Problem]:
    counts = Counter(n for n in names if n)  # not pandas: a flush asks of thousands of files
    problems = [
        Problem.of(Place(file=str(path), row=1, column=str(n)), N_("column {!r} appears twice"), n)
        for n, count in counts.items()
        if count > 1
    ]
    problems += [
        Problem.of(Place(file=str(path), row=1, column=c), N_("required column is missing"))
        for c in REQUIRED
        if c not in names
    ]
    return problems


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _said(names: Sequence[str]) -> str:
    return "enterprise_id" if "enterprise_id" in names else "CAST(NULL AS STRING)"


def stage(
    connection: duckdb.DuckDBPyConnection,
    paths: Sequence[Path],
    empty_lines: Callable[[], Sequence[list[int]]],
    parse: str,
) -> None:
    """The view `parsed_rows` of every row of `paths`: `file`, `line` and the columns the
    SELECT list `parse` makes of a file's text columns `meter_id, ts, value, said`, of which a
    `blank` row (every cell empty) is left out. Each file is read and parsed in one pass into a
    table that keeps its order, so a row's place is its rowid (past the empty lines the reader
    skipped, which `empty_lines` gives once the files are read: another thread finds them); a
    file that cannot be read, lacks a required column or names one twice is refused, naming
    it."""
    loaded: list[tuple[int, str, str, str]] = []  # file, kind, line expression, extra column
    parquet = [(n, p) for n, p in enumerate(paths) if kind_of(p) == "parquet"]
    if parquet:  # all in one table: a flush hands over thousands of small landed files
        _stage_parquet(connection, parquet, parse)
    for number, path in enumerate(paths):
        kind = kind_of(path)
        if kind == "parquet":
            continue
        extra = ""
        if kind == "excel":
            source, line, extra = _sheet(connection, number, path), "line", ", line"
        else:
            source, line = csv_source(path), "rowid + 2"
        try:
            connection.execute(f"CREATE TABLE rows_{number} AS SELECT {parse}{extra} FROM {source}")
        except duckdb.Error as exc:
            raise _unreadable(path, exc) from None
        loaded.append((number, kind, line, extra))
    views = (
        ["SELECT file, line, * EXCLUDE (file, line, blank) FROM parquet_rows WHERE NOT blank"]
        if parquet
        else []
    )
    empty_of = empty_lines()
    for number, kind, line, extra in loaded:
        if empty_of[number] and kind == "csv":
            line += " + " + _shift(connection, number, sorted(empty_of[number]))
        views.append(
            f"SELECT {number} AS file, {line} AS line, * EXCLUDE (blank{extra}) "
            f"FROM rows_{number} WHERE NOT blank"
        )
    connection.execute("CREATE VIEW parsed_rows AS " + " UNION ALL ".join(views))


def _stage_parquet(
    connection: duckdb.DuckDBPyConnection, files: list[tuple[int, Path]], parse: str
) -> None:
    """The table `parquet_rows` of every Parquet file's rows (`file`, `line` from 1, the
    columns of `parse`), read by one scan; a file that cannot be read or lacks a required
    column is refused, naming it."""
    problems: list[Problem] = []
    said = False
    for _number, path in files:
        try:
            names = pq.ParquetFile(path).schema_arrow.names
        except (OSError, pa.ArrowException) as exc:
            problems.append(
                Problem.of(Place(file=str(path)), N_("not a readable Parquet file: {}"), exc)
            )
            continue
        problems += _columns_problems(path, names)
        said = said or "enterprise_id" in names
    if problems:
        raise InputError(problems)
    connection.register(
        "parquet_files",
        pd.DataFrame({"file": [n for n, _p in files], "filename": [str(p) for _n, p in files]}),
    )
    listed = "[" + ", ".join(_quoted(p) for _n, p in files) + "]"
    source = (
        "(SELECT CAST(meter_id AS STRING) AS meter_id, CAST(ts AS STRING) AS ts, "
        "CAST(value AS STRING) AS value, "
        f"CAST({'enterprise_id' if said else 'NULL'} AS STRING) AS said, "
        "filename, file_row_number FROM read_parquet("
        f"{listed}, filename = true, file_row_number = true, union_by_name = true, "
        "hive_partitioning = false)) AS source"
    )
    try:
        connection.execute(
            f"CREATE TABLE parquet_rows AS SELECT f.file, source.file_row_number + 1 AS line, "
            f"{parse} FROM {source} JOIN parquet_files f ON f.filename = source.filename"
        )
    except duckdb.Error as exc:
        raise InputError(
            Problem.of(Place(file=str(files[0][1])), N_("not a readable Parquet file: {}"), exc)
        ) from None
    connection.unregister("parquet_files")


def _shift(connection: duckdb.DuckDBPyConnection, number: int, empty: list[int]) -> str:
    """How far a row (by rowid) moves down past the empty lines before it: the rows from
    the one after the k-th empty line on move by k."""
    first_rows = [b - 2 - k for k, b in enumerate(empty)]
    if len(first_rows) <= 64:
        return "(" + " + ".join(f"CAST(rowid >= {r} AS BIGINT)" for r in first_rows) + ")"
    shifts = pd.DataFrame({"first_row": first_rows})
    connection.register(f"shift_frame_{number}", shifts)
    connection.execute(f"CREATE TABLE shifts_{number} AS SELECT * FROM shift_frame_{number}")
    connection.unregister(f"shift_frame_{number}")
    return f"(SELECT count(*) FROM shifts_{number} s WHERE s.first_row <= rows_{number}.rowid)"


def csv_source(path: Path) -> str:
    names = header(path)
    problems = _columns_problems(path, names)
    if problems:
        raise InputError(problems)
    return (
        f"(SELECT meter_id, ts, value, {_said(names)} AS said FROM read_csv({_quoted(path)}, "
        "header = true, all_varchar = true, normalize_names = false, hive_partitioning = false, "
        "delim = ',', quote = '\"', escape = '\"', null_padding = true, strict_mode = false)) "
        "AS source"
    )


def _sheet(connection: duckdb.DuckDBPyConnection, number: int, path: Path) -> str:
    frame = read_table(path, "readings")
    problems = _columns_problems(path, [str(c) for c in frame.columns if c != "row"])
    if problems:
        raise InputError(problems)
    rows = pd.DataFrame(
        {
            "meter_id": frame["meter_id"].astype(str),
            "ts": frame["ts"].astype(str),
            "value": frame["value"].astype(str),
            "said": frame["enterprise_id"].astype(str) if "enterprise_id" in frame else None,
            "line": frame["row"].astype("int64"),
        }
    ).astype({"said": "string"})
    connection.register(f"sheet_frame_{number}", rows)
    connection.execute(f"CREATE TABLE sheet_{number} AS SELECT * FROM sheet_frame_{number}")
    connection.unregister(f"sheet_frame_{number}")
    return f"sheet_{number}"


def _unreadable(path: Path, exc: duckdb.Error) -> InputError:
    text = str(exc)
    if "utf-8" in text.lower() or "unicode" in text.lower():
        return InputError(
            Problem.of(Place(file=str(path)), N_("not UTF-8 text; save the CSV as UTF-8"))
        )
    return InputError(
        Problem.of(Place(file=str(path)), N_("cannot read the file: {}"), text.splitlines()[0])
    )
