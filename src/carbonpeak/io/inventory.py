"""The plant equipment inventory workbook: what a diagnosis team fills in Excel instead of the
plant file (YAML). Chinese-first: every sheet and header is `中文 (code)`, with its unit in
brackets (`额定功率 (rated_kw) [kW]`); a `说明 (help)` sheet says what each field means in
Chinese and English; choice fields have drop-downs.

Sheets: `企业 (plant)` the plant's own fields, one per row (字段 / 值); `能源价格 (prices)`;
one sheet per equipment type of `diagnosis.plant` (their fields differ), one piece of equipment
a row; `能源管理 (management)` and `计量器具 (meters)`. A pump's or fan's load profile is one
cell `flow:hours; flow:hours`, a compressor's leaks `diameter_mm:count; ...`.

`read_inventory` gives exactly the mapping the plant file (YAML) gives, so both go through the
same `diagnosis.plant.parse`; every problem of the workbook is raised at once, placed by file,
sheet, row and the header as the user wrote it. Headers are read by their code in brackets, their
Chinese label or the bare code; full-width characters are read as half-width."""

from __future__ import annotations

import io
import re
import typing
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, ValidationError

from carbonpeak.diagnosis import management as mgmt
from carbonpeak.diagnosis import plant as model
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.inventory_fields import EQUIPMENT, FIELDS, HELP_SHEET, SHEETS
from carbonpeak.io.sheets import append_row
from carbonpeak.io.tables import atomic_path

MODELS: dict[str, type[BaseModel]] = {
    "motor": model.Motor,
    "pump": model.Pump,
    "fan": model.Fan,
    "transformer": model.Transformer,
    "compressor": model.Compressor,
    "boiler": model.Boiler,
    "waste_heat": model.WasteHeat,
    "meters": mgmt.MeterCount,
    "prices": model.Price,
}
TABLES: dict[str, list[str]] = {
    "prices": ["item", "price", "unit"],
    "management": ["clause", "answer"],
    "meters": list(mgmt.MeterCount.model_fields),
    **{
        kind: ["type", "id", *[f for f in MODELS[kind].model_fields if f not in ("type", "id")]]
        for kind in EQUIPMENT
    },
}
PLANT_FIELDS = [
    "enterprise_id",
    "name",
    "region_code",
    "year",
    "discount_rate",
    "diagnosis_date",
    "activity",
]
PAIRS = {"profile": ("flow", "hours"), "leaks": ("diameter_mm", "count")}
KEY_HEADER, VALUE_HEADER = "字段 (field)", "值 (value)"
EXAMPLE_FILL = PatternFill("solid", fgColor="FFF2CC")


def header(code: str) -> str:
    words = FIELDS[code]
    return f"{words.zh} ({code})" + (f" [{words.unit}]" if words.unit else "")


def title(code: str) -> str:
    return f"{SHEETS[code]} ({code})"


def _annotation(kind: str, field: str) -> Any:
    if kind == "plant":
        return model.PlantFile.model_fields[field].annotation
    if kind == "management":
        return mgmt.Answer if field == "answer" else str
    if field == "item":
        return str
    return MODELS[kind].model_fields[field].annotation


def choices(kind: str, field: str) -> list[Any]:
    """The values a field takes, when it is a choice (a `Literal`), for its drop-down."""
    found: list[Any] = []

    def walk(annotation: Any) -> None:
        if typing.get_origin(annotation) is typing.Literal:
            found.extend(typing.get_args(annotation))
        for inner in typing.get_args(annotation):
            if not isinstance(inner, str | int | float):
                walk(inner)

    walk(_annotation(kind, field))
    return [] if field == "type" else found


def _text_field(kind: str, field: str) -> bool:
    annotation = _annotation(kind, field)
    return annotation is str or annotation == (str | None) or field in ("item", "clause")


# -- writing ---------------------------------------------------------------------------------


def write_inventory(path: Path, plant: dict[str, Any] | None = None) -> None:
    """The inventory workbook, filled with `plant` (a plant file's mapping; the example plant's
    rows are the template's example rows) or blank but for its headers."""
    book = Workbook()
    help_sheet = book.worksheets[0]
    help_sheet.title = HELP_SHEET
    _help(help_sheet)
    plant = plant or {}
    sheet = book.create_sheet(title("plant"))
    append_row(sheet, [KEY_HEADER, VALUE_HEADER, "单位 (unit)", "说明 (help)"])
    for field in PLANT_FIELDS:
        value = plant.get(field)
        append_row(sheet, [header(field), _cell(value), FIELDS[field].unit, FIELDS[field].help_zh])
        if field in ("enterprise_id", "region_code", "name"):
            sheet.cell(sheet.max_row, 2).number_format = "@"
    _widths(sheet, [34, 30, 10, 40])
    rows: dict[str, list[dict[str, Any]]] = {
        "prices": [{"item": k, **v} for k, v in (plant.get("prices") or {}).items()],
        "management": [
            {"clause": k, "answer": _answer(v)} for k, v in (plant.get("management") or {}).items()
        ],
        "meters": list(plant.get("meters") or []),
    }
    for item in plant.get("equipment") or []:
        rows.setdefault(item["type"], []).append(item)
    for kind in ("prices", *EQUIPMENT, "management", "meters"):
        _table(book.create_sheet(title(kind)), kind, rows.get(kind, []))
    with atomic_path(path) as temporary:
        book.save(temporary)


def _answer(value: Any) -> Any:
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


def _cell(value: Any) -> Any:
    if isinstance(value, list):  # a profile or leaks: pairs in one cell
        return "; ".join(":".join(f"{v:g}" for v in pair.values()) for pair in value)
    return value


def _table(sheet: Worksheet, kind: str, rows: list[dict[str, Any]]) -> None:
    fields = TABLES[kind]
    append_row(sheet, [header(f) for f in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, [_cell(kind if f == "type" else row.get(f)) for f in fields])
        for cell in sheet[sheet.max_row]:
            cell.fill = EXAMPLE_FILL
    last = 500
    for number, field in enumerate(fields, start=1):
        letter = get_column_letter(number)
        listed = [kind] if field == "type" else choices(kind, field)
        if listed:
            check = DataValidation(type="list", formula1='"' + ",".join(map(str, listed)) + '"')
            check.error = f"{FIELDS[field].help_zh} / {FIELDS[field].help_en}"
            check.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(check)
        if _text_field(kind, field):
            for line in range(2, last + 1):
                sheet.cell(line, number).number_format = "@"
        sheet.cell(1, number).comment = None
    _widths(sheet, [max(14, len(header(f)) + 4) for f in fields])
    sheet.freeze_panes = "A2"


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width


def _help(sheet: Worksheet) -> None:
    append_row(sheet, ["工作表 (sheet)", "表头 (header)", "单位 (unit)", "说明", "help"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    append_row(
        sheet,
        [
            "",
            "",
            "",
            "每台设备填一行，黄色行为示例，请改写或删除；空白单元格取默认值。",
            "One row per piece of equipment; the yellow rows are the example: overwrite or delete "
            "them. An empty cell takes the default.",
        ],
    )
    for kind in ("plant", "prices", *EQUIPMENT, "management", "meters"):
        for field in PLANT_FIELDS if kind == "plant" else TABLES[kind]:
            words = FIELDS[field]
            listed = choices(kind, field)
            extra = f" ({', '.join(map(str, listed))})" if listed else ""
            append_row(
                sheet,
                [title(kind), header(field), words.unit, words.help_zh, words.help_en + extra],
            )
    _widths(sheet, [22, 34, 10, 50, 60])


# -- reading ---------------------------------------------------------------------------------


def _plain(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip()


def _code(written: Any, known: typing.Iterable[str], names: dict[str, str]) -> str | None:
    """The code a sheet name or header means: `中文 (code) [unit]`, the Chinese label or the
    code itself."""
    text = _plain(written)
    bracket = re.findall(r"\(([A-Za-z0-9_]+)\)", text)
    if bracket and bracket[-1] in known:
        return bracket[-1]
    bare = re.sub(r"\[.*?\]", "", text).strip()
    for code in known:
        if bare in (code, names.get(code)):
            return code
    return None


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _value(raw: Any, text: bool) -> Any:
    """A cell's value: text fields as text (a number as its digits), numbers as numbers (with
    full-width digits, thousands separators and 4.0 as 4)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, bool | date):
        return raw
    if text:
        if isinstance(raw, float) and raw.is_integer():
            return str(int(raw))
        return _plain(raw)
    if isinstance(raw, str):
        candidate = _plain(raw).replace(",", "").replace("，", "")
        if not _NUMBER.match(candidate):
            return _plain(raw)
        raw = float(candidate)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


def _pairs(raw: Any, names: tuple[str, str]) -> list[dict[str, Any]] | None:
    parts = [p for p in re.split(r"[;；]", _plain(raw)) if p.strip()]
    out = []
    for part in parts:
        pair = [_value(v, False) for v in re.split(r"[:：×x*]", part.strip())]
        if len(pair) != 2 or not all(isinstance(v, int | float) for v in pair):
            return None
        out.append(dict(zip(names, pair, strict=True)))
    return out


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
                column=_plain(sheet.cell(1, block.min_col).value or block.coord),
            )
        if merged:
            return None
        names = {f: FIELDS[f].zh for f in known}
        found: dict[int, str] = {}
        for cell in sheet[1]:
            if cell.value is None or not _plain(cell.value):
                continue
            code = _code(cell.value, known, names)
            if code is None:
                self.problem(
                    N_("unknown column; this sheet's columns are {}"),
                    ", ".join(known),
                    sheet=sheet.title,
                    row=1,
                    column=_plain(cell.value),
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
        code = _code(sheet.title, SHEETS, SHEETS)
        if code is None and _plain(sheet.title) not in (HELP_SHEET, "说明", "help"):
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
    value_header = _plain(sheet.cell(1, 2).value or VALUE_HEADER)
    out: dict[str, Any] = {}
    for row in sheet.iter_rows(min_row=2):
        key, raw = row[0].value, row[1].value if len(row) > 1 else None
        if key is None or not _plain(key):
            continue
        code = _code(key, PLANT_FIELDS, names)
        if code is None:
            reader.problem(
                N_("unknown field; the fields are {}"),
                ", ".join(PLANT_FIELDS),
                sheet=sheet.title,
                row=row[0].row,
                column=_plain(sheet.cell(1, 1).value or KEY_HEADER),
            )
            continue
        place = Place(reader.file, sheet.title, row[0].row, value_header)
        reader.places[(code,)] = place
        if raw is not None and _plain(raw):
            out[code] = _value(raw, _text_field("plant", code))
    return out


def _rows(
    reader: _Reader, sheet: Worksheet, kind: str, key: str, start: int = 0
) -> list[dict[str, Any]]:
    """The filled rows of a table sheet as mappings of field code to value."""
    columns = reader.headers(sheet, kind, TABLES[kind])
    if columns is None:
        return []
    written = {code: _plain(sheet.cell(1, n).value) for n, code in columns.items()}
    out: list[dict[str, Any]] = []
    for line in sheet.iter_rows(min_row=2):
        cells = {columns[c.column]: c.value for c in line if c.column in columns}
        if all(v is None or not _plain(v) for v in cells.values()):
            continue
        number = line[0].row
        row: dict[str, Any] = {}
        for field, raw in cells.items():
            if raw is None or not _plain(raw):
                continue
            if field in PAIRS:
                pairs = _pairs(raw, PAIRS[field])
                if pairs is None:
                    reader.problem(
                        N_("write it as {}:{}; {}:{} (numbers)"),
                        *PAIRS[field],
                        *PAIRS[field],
                        sheet=sheet.title,
                        row=number,
                        column=written[field],
                    )
                    continue
                row[field] = pairs
            elif field == "type":
                typed = _code(raw, SHEETS, SHEETS)
                if typed != kind:
                    reader.problem(
                        N_("unknown equipment type {!r}: this sheet holds {}"),
                        _plain(raw),
                        title(kind),
                        sheet=sheet.title,
                        row=number,
                        column=written[field],
                    )
                    continue
            else:
                row[field] = _value(raw, _text_field(kind, field))
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
