"""Reading the plant equipment inventory workbook (`io.inventory`) into the plant file's
mapping: every problem at once, placed by file, sheet, row and the header as the user wrote it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from carbonpeak.diagnosis import plant as model
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.inventory import (
    KEY_HEADER,
    PAIRS,
    PLANT_FIELDS,
    TABLES,
    VALUE_HEADER,
    cell_value,
    code_of,
    header,
    pairs,
    plain,
    text_field,
    title,
)
from carbonpeak.io.inventory_fields import EQUIPMENT, FIELDS, HELP_SHEET, SHEETS


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.places: dict[tuple[Any, ...], Place] = {}
        self.columns: dict[tuple[Any, ...], dict[str, str]] = {}

    def problem(self, message: str, *args: Any, **place: Any) -> None:
        self.problems.append(Problem.of(Place(file=self.file, **place), message, *args))

    def headers(self, sheet: Worksheet, kind: str, known: list[str]) -> dict[int, str] | None:
        """Column number -> field code of a table's header row; None when it cannot be read."""
        merged = [r for r in sheet.merged_cells.ranges if r.min_row <= 1]
        for block in merged:
            self.problem(
                N_("merged header cells ({}): give each column its own header"),
                block.coord,
                sheet=sheet.title,
                row=1,
                column=plain(sheet.cell(1, block.min_col).value or block.coord),
            )
        if merged:
            return None
        names = {f: FIELDS[f].zh for f in known}
        found: dict[int, str] = {}
        for cell in sheet[1]:
            if cell.value is None or not plain(cell.value):
                continue
            code = code_of(cell.value, known, names)
            if code is None:
                self.problem(
                    N_("unknown column; this sheet's columns are {}"),
                    ", ".join(known),
                    sheet=sheet.title,
                    row=1,
                    column=plain(cell.value),
                )
            else:
                found[cell.column] = code
        return found


def read_inventory(source: Path | bytes, name: str | None = None) -> dict[str, Any]:
    """The plant file's mapping from an inventory workbook (a path, or its bytes named `name`);
    `InputError` with every problem placed by file, sheet, row and column."""
    file = name or str(source)
    reader = _Reader(file)
    try:
        book = load_workbook(
            io.BytesIO(source) if isinstance(source, bytes) else source, data_only=True
        )
    except FileNotFoundError:
        raise InputError([Problem.of(Place(file=file), N_("file not found"))]) from None
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(
            [Problem.of(Place(file=file), N_("not an Excel workbook (.xlsx)"))]
        ) from None
    sheets: dict[str, Worksheet] = {}
    for sheet in book.worksheets:
        code = code_of(sheet.title, SHEETS, SHEETS)
        if code is None and plain(sheet.title) not in (HELP_SHEET, "说明", "help"):
            reader.problem(
                N_("unknown sheet; the sheets are {}"),
                ", ".join(title(k) for k in SHEETS),
                sheet=sheet.title,
            )
        elif code is not None:
            sheets[code] = sheet
    for code in ("plant", "prices"):
        if code not in sheets:
            reader.problem(N_("the sheet is missing"), sheet=title(code))
    data: dict[str, Any] = {}
    if "plant" in sheets:
        data |= _plant(reader, sheets["plant"])
    if "prices" in sheets:
        data["prices"] = {
            row.pop("item", ""): row for row in _rows(reader, sheets["prices"], "prices", "prices")
        }
    equipment: list[dict[str, Any]] = []
    for kind in EQUIPMENT:
        if kind in sheets:
            equipment += _rows(reader, sheets[kind], kind, "equipment", len(equipment))
    data["equipment"] = equipment
    if "management" in sheets:
        data["management"] = {
            str(r.get("clause", "")): r.get("answer")
            for r in _rows(reader, sheets["management"], "management", "management")
        }
    if "meters" in sheets:
        data["meters"] = _rows(reader, sheets["meters"], "meters", "meters")
    if reader.problems:
        raise InputError(reader.problems)
    try:
        model.PlantFile.model_validate(data)
    except ValidationError as error:
        raise InputError([_placed(reader, e) for e in error.errors()]) from None
    return data


def _plant(reader: _Reader, sheet: Worksheet) -> dict[str, Any]:
    names = {f: FIELDS[f].zh for f in PLANT_FIELDS}
    value_header = plain(sheet.cell(1, 2).value or VALUE_HEADER)
    out: dict[str, Any] = {}
    for row in sheet.iter_rows(min_row=2):
        key, raw = row[0].value, row[1].value if len(row) > 1 else None
        if key is None or not plain(key):
            continue
        code = code_of(key, PLANT_FIELDS, names)
        if code is None:
            reader.problem(
                N_("unknown field; the fields are {}"),
                ", ".join(PLANT_FIELDS),
                sheet=sheet.title,
                row=row[0].row,
                column=plain(sheet.cell(1, 1).value or KEY_HEADER),
            )
            continue
        place = Place(reader.file, sheet.title, row[0].row, value_header)
        reader.places[(code,)] = place
        if raw is not None and plain(raw):
            out[code] = cell_value(raw, text_field("plant", code))
    return out


def _rows(
    reader: _Reader, sheet: Worksheet, kind: str, key: str, start: int = 0
) -> list[dict[str, Any]]:
    """The filled rows of a table sheet as mappings of field code to value."""
    columns = reader.headers(sheet, kind, TABLES[kind])
    if columns is None:
        return []
    written = {code: plain(sheet.cell(1, n).value) for n, code in columns.items()}
    out: list[dict[str, Any]] = []
    for line in sheet.iter_rows(min_row=2):
        cells = {columns[c.column]: c.value for c in line if c.column in columns}
        if all(v is None or not plain(v) for v in cells.values()):
            continue
        number = line[0].row
        row: dict[str, Any] = {}
        for field, raw in cells.items():
            if raw is None or not plain(raw):
                continue
            if field in PAIRS:
                found = pairs(raw, PAIRS[field])
                if found is None:
                    reader.problem(
                        N_("write it as {}:{}; {}:{} (numbers)"),
                        *PAIRS[field],
                        *PAIRS[field],
                        sheet=sheet.title,
                        row=number,
                        column=written[field],
                    )
                    continue
                row[field] = found
            elif field == "type":
                typed = code_of(raw, SHEETS, SHEETS)
                if typed != kind:
                    reader.problem(
                        N_("unknown equipment type {!r}: this sheet holds {}"),
                        plain(raw),
                        title(kind),
                        sheet=sheet.title,
                        row=number,
                        column=written[field],
                    )
                    continue
            else:
                row[field] = cell_value(raw, text_field(kind, field))
        if kind in EQUIPMENT:
            row = {"type": kind, **row}
        index: Any = start + len(out)
        if key == "prices":
            index = str(row.get("item", ""))
        elif key == "management":
            index = str(row.get("clause", ""))
        reader.places[(key, index)] = Place(reader.file, sheet.title, number)
        reader.columns[(key, index)] = written
        out.append(row)
    return out


def _placed(reader: _Reader, error: Any) -> Problem:
    """A validation error of the plant's mapping, at its sheet, row and column."""
    loc = tuple(error["loc"])
    message = str(error["msg"])
    if len(loc) == 1 and (loc[0],) in reader.places:
        return Problem(reader.places[(loc[0],)], message)
    if len(loc) >= 2 and (loc[0], loc[1]) in reader.places:
        place = reader.places[(loc[0], loc[1])]
        rest = [str(p) for p in loc[2:]]
        if loc[0] == "equipment" and rest and rest[0] in EQUIPMENT:
            rest = rest[1:]
        if loc[0] == "management" and not rest:
            rest = ["answer"]
        written = reader.columns[(loc[0], loc[1])]
        if rest:
            column = written.get(rest[0], header(rest[0]) if rest[0] in FIELDS else rest[0])
            nested = ".".join(rest) if len(rest) > 1 else None
            return Problem(Place(place.file, place.sheet, place.row, column, nested), message)
        return Problem(place, message)
    field = ".".join(str(p) for p in loc)
    sheet = title("plant") if len(loc) == 1 and loc[0] in PLANT_FIELDS else None
    return Problem(Place(reader.file, sheet, field=field or None), message)
