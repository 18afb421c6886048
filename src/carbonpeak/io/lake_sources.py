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
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import duckdb
import pandas as pd

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
    """The empty lines of a text read in chunks (a line break is `\\n` or `\\r\\n`)."""

    def __init__(self) -> None:
        self.empty: list[int] = []
        self.lines = 0  # line breaks before the text kept
        self.tail = b""

    def feed(self, chunk: bytes) -> None:
        text = (self.tail + chunk).replace(b"\r\n", b"\n")
        start = 0
        while (found := text.find(b"\n\n", start)) != -1:
            self.empty.append(self.lines + text.count(b"\n", 0, found + 1) + 1)
            start = found + 1
        self.lines += text.count(b"\n", 0, len(text) - 1)
        self.tail = text[-1:]


def header(path: Path) -> list[str]:
    """A CSV file's column names (stripped)."""
    try:
        with _opened(path) as raw:
            first = raw.readline().decode("utf-8-sig")
    except (OSError, EOFError, UnicodeDecodeError):
        raise InputError(
            Problem.of(Place(file=str(path)), N_("not UTF-8 text; save the CSV as UTF-8"))
        ) from None
    return [c.strip() for c in next(csv.reader([first]), [])]


def _columns_problems(path: Path, names: Sequence[str]) -> list[Problem]:
    counts = pd.Series([n for n in names if n], dtype=object).value_counts(sort=False)
    problems = [
        Problem.of(Place(file=str(path), row=1, column=str(n)), N_("column {!r} appears twice"), n)
        for n in counts[counts > 1].index
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
    return "CAST(enterprise_id AS VARCHAR)" if "enterprise_id" in names else "NULL"


def stage(connection: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Create the table `staged` of every row of `paths` (the module says how); a file that
    cannot be read, lacks a required column or names one twice is refused, naming it."""
    connection.execute(
        "CREATE TABLE staged (file INTEGER, line BIGINT, meter VARCHAR, ts VARCHAR, "
        "value VARCHAR, said VARCHAR)"
    )
    for number, path in enumerate(paths):
        kind = kind_of(path)
        if kind == "excel":
            _stage_frame(connection, number, path, read_table(path, "readings"))
        elif kind == "parquet":
            _stage_parquet(connection, number, path)
        else:
            _stage_csv(connection, number, path)


def _stage_csv(connection: duckdb.DuckDBPyConnection, number: int, path: Path) -> None:
    names = header(path)
    problems = _columns_problems(path, names)
    if problems:
        raise InputError(problems)
    said = _said(names)
    connection.execute("CREATE TEMP TABLE one AS SELECT * FROM staged LIMIT 0")
    try:  # a table keeps the file's order: its rowid is the row's place among non-empty lines
        connection.execute(
            f"INSERT INTO one SELECT {number}, NULL, trim(CAST(meter_id AS VARCHAR)), "
            "CAST(ts AS VARCHAR), CAST(value AS VARCHAR), " + said + " FROM read_csv("
            f"{_quoted(path)}, header = true, all_varchar = true, normalize_names = false)"
        )
    except duckdb.Error as exc:
        connection.execute("DROP TABLE one")
        raise _unreadable(path, exc) from None
    connection.execute(
        "INSERT INTO staged SELECT file, rowid + 2, meter, ts, value, said FROM one "
        "WHERE coalesce(meter, '') <> '' OR coalesce(trim(ts), '') <> '' "
        "OR coalesce(trim(value), '') <> ''"
    )
    connection.execute("DROP TABLE one")


def renumber(connection: duckdb.DuckDBPyConnection, number: int, empty: list[int]) -> None:
    """Shift the line numbers of file `number` past its empty lines (rare: only then is this
    called)."""
    # in ascending order, each shift leaves the numbers before the next empty line right
    for blank in sorted(empty):
        connection.execute(
            "UPDATE staged SET line = line + 1 WHERE file = ? AND line >= ?", [number, blank]
        )


def _stage_parquet(connection: duckdb.DuckDBPyConnection, number: int, path: Path) -> None:
    try:
        names = [
            str(r[0])
            for r in connection.execute(
                f"DESCRIBE SELECT * FROM read_parquet({_quoted(path)})"
            ).fetchall()
        ]
        problems = _columns_problems(path, names)
        if problems:
            raise InputError(problems)
        connection.execute(
            f"INSERT INTO staged SELECT {number}, file_row_number + 1, "
            "trim(CAST(meter_id AS VARCHAR)), CAST(ts AS VARCHAR), CAST(value AS VARCHAR), "
            f"{_said(names)} FROM read_parquet({_quoted(path)}, file_row_number = true)"
        )
    except duckdb.Error as exc:
        raise InputError(
            Problem.of(Place(file=str(path)), N_("not a readable Parquet file: {}"), exc)
        ) from None


def _stage_frame(
    connection: duckdb.DuckDBPyConnection, number: int, path: Path, frame: pd.DataFrame
) -> None:
    problems = _columns_problems(path, [str(c) for c in frame.columns if c != "row"])
    if problems:
        raise InputError(problems)
    rows = pd.DataFrame(
        {
            "file": number,
            "line": frame["row"].astype("int64"),
            "meter": frame["meter_id"].astype(str).str.strip(),
            "ts": frame["ts"].astype(str),
            "value": frame["value"].astype(str),
            "said": frame["enterprise_id"].astype(str) if "enterprise_id" in frame else None,
        }
    )
    connection.register("sheet_rows", rows)
    connection.execute("INSERT INTO staged SELECT * FROM sheet_rows")
    connection.unregister("sheet_rows")


def _unreadable(path: Path, exc: duckdb.Error) -> InputError:
    text = str(exc)
    if "utf-8" in text.lower() or "unicode" in text.lower():
        return InputError(
            Problem.of(Place(file=str(path)), N_("not UTF-8 text; save the CSV as UTF-8"))
        )
    return InputError(
        Problem.of(Place(file=str(path)), N_("cannot read the file: {}"), text.splitlines()[0])
    )
