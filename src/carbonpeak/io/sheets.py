"""Floor 3: every CSV and Excel file the platform writes goes through here, so that no cell
written from data (an enterprise's name, a label, an item) is read as a formula by a
spreadsheet ("CSV injection", OWASP).

In a workbook every text cell is written as text, whatever it starts with. In a CSV, which has
no types, text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
single quote, as OWASP recommends; numbers (and text that is a plain number, such as "-5")
stay as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutral(value: Any) -> Any:
    """A CSV cell: text a spreadsheet would take for a formula, quoted; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _plain_number(value):
        return "'" + value
    return value


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]], line_end: str = "\r\n") -> str:
    """A CSV table, every cell neutral; lines end as RFC 4180 says unless told otherwise."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow([neutral(v) for v in header])
    writer.writerows([neutral(v) for v in row] for row in rows)
    return buffer.getvalue()


def frame_to_csv(frame: pd.DataFrame, path: Path) -> None:
    """A frame as a CSV file (UTF-8, no index, missing values empty), every cell neutral."""
    values = frame.astype(object).where(frame.notna(), None)
    rows = ([_plain(v) for v in row] for row in values.itertuples(index=False))
    path.write_bytes(csv_text([str(c) for c in frame.columns], rows).encode("utf-8"))


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """A row at the bottom of a worksheet (as `Worksheet.append`); text cells are text, never
    formulas."""
    cells: list[Any] = []
    for value in values:
        if isinstance(value, str):
            cell = Cell(sheet, row=1, column=1, value=value)  # append places it
            cell.data_type = "s"  # openpyxl would make "=..." a formula
            cells.append(cell)
        else:
            cells.append(value)
    sheet.append(cells)


def frame_to_excel(frame: pd.DataFrame, path: Path, sheet_name: str = "data") -> None:
    """A frame as a workbook of one sheet (a header row, then its rows), text as text."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = sheet_name
    append_row(sheet, [_plain(c) for c in frame.columns])
    for values in frame.itertuples(index=False):
        append_row(sheet, [None if _missing(v) else _plain(v) for v in values])
    book.save(path)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _plain(value: Any) -> Any:
    """A value openpyxl writes: numpy scalars as Python numbers."""
    return value.item() if hasattr(value, "item") else value
