"""The files around the lake: an input file read as a table with the checks every input gets (no
column twice, at least one row, a Parquet file pandas can hold), and the naming of a damaged
part of the lake when an engine fails on it.

These checks stand in for the shared input reader of issue 15 item 8: when it exists,
`read_any` becomes a call to it and `require_rows` goes with it.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from carbonpeak.errors import N_, CarbonpeakError, InputError, Place, Problem
from carbonpeak.io.commits import committed
from carbonpeak.io.tables import EXCEL_SUFFIXES, place_problems, read_table

PARQUET_SUFFIXES = (".parquet", ".pq")


def read_any(path: Path, sheet: str) -> pd.DataFrame:
    """A CSV or workbook sheet as text (`read_table`), or a Parquet file as it is; a column
    named twice, or a Parquet file that cannot be read, is refused naming the file."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        if not path.exists():
            return read_table(path, sheet)  # the same "file not found" problem
        frame = read_parquet(path)
        frame["row"] = range(1, len(frame) + 1)  # Parquet has no header line: rows from 1
    else:
        frame = read_table(path, sheet)
    twice = _duplicated(path, frame)
    if twice:
        raise InputError(
            [
                Problem.of(
                    Place(file=str(path), row=1, column=c), N_("column {!r} appears twice"), c
                )
                for c in twice
            ]
        )
    return frame


def read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file as pandas; one that is damaged, not Parquet, or holds times beyond pandas'
    range is refused naming the file."""
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise InputError(
            Problem.of(Place(file=str(path)), N_("not a readable Parquet file: {}"), exc)
        ) from None


def _duplicated(path: Path, frame: pd.DataFrame) -> list[str]:
    """The columns named more than once (pandas renames a CSV file's second `x` to `x.1`, so a
    CSV file's own header line is read)."""
    names = [str(c) for c in frame.columns]
    if path.suffix.lower() not in (*PARQUET_SUFFIXES, *EXCEL_SUFFIXES):
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            names = [c.strip() for c in next(csv.reader(handle), [])]
    counts = pd.Series([n for n in names if n], dtype=object).value_counts(sort=False)
    return [str(n) for n in counts[counts > 1].index]


def require_rows(frame: pd.DataFrame, path: Path, template: str) -> None:
    """Refuse a table with a header and no rows (`template` names what is missing, e.g.
    `no readings in {}`)."""
    if not len(frame):
        raise InputError(Problem.of(Place(file=str(path)), template, path))


def damaged_parts(lake: Path) -> list[Problem]:
    """The committed parts of the lake that cannot be read whole, each named."""
    found = []
    parts = committed(lake)
    for part in [*parts.readings, *parts.meters]:
        try:
            pq.ParquetFile(part).read()
        except (OSError, pa.ArrowException) as exc:
            found.append(
                Problem.of(Place(file=str(part)), N_("a damaged part of the lake: {}"), exc)
            )
    return found


@contextmanager
def named_damage(lake: Path) -> Iterator[None]:
    """Run an engine's work on the lake; when it fails and a part of the lake is damaged, the
    failure is an `InputError` naming the part (exit 2, HTTP 4xx), not an internal error."""
    try:
        yield
    except CarbonpeakError:
        raise
    except Exception:
        damaged = damaged_parts(lake)
        if damaged:
            raise InputError(damaged) from None
        raise


def finite_columns(table: pa.Table, first_row: int = 2) -> list[Problem]:
    """Every infinite value of a float column of `table`, by row (the first data row numbered
    `first_row`, as in the CSV file written) and column. (NaN is a missing value here, as a
    blank reading is; it is written as one.)"""
    problems: list[Problem] = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        if not pa.types.is_floating(column.type):
            continue
        values = column.to_numpy(zero_copy_only=False)
        bad = np.flatnonzero(np.isinf(values))
        problems.extend(
            Problem.of(
                Place(row=int(number) + first_row, column=name),
                N_("{} is not a finite number: nothing written"),
                values[number],
            )
            for number in bad
        )
    return problems


def write_rows(table: pa.Table, path: Path) -> int:
    """Write an Arrow table to `path` (.csv with a UTF-8 BOM, which Excel needs for Chinese
    text, or .parquet) through a temporary file in the same folder, so a failed write leaves
    nothing behind; return the number of rows."""
    import pyarrow.csv as pacsv

    problems = finite_columns(table)
    if problems:  # a figure that is not finite is never written
        raise InputError(place_problems(problems, path, None))
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".write-", delete=False) as handle:
        staged = Path(handle.name)
    try:
        if path.suffix.lower() == ".parquet":
            pq.write_table(table, staged)
        else:
            with staged.open("wb") as sink:
                sink.write("\ufeff".encode())
                pacsv.write_csv(table, sink)
        staged.replace(path)
    finally:
        staged.unlink(missing_ok=True)
    return int(table.num_rows)
