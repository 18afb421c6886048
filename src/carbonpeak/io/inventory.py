"""The plant equipment inventory workbook (written here, read by `io.inventory_read`): what a
diagnosis team fills in Excel instead of the plant file (YAML). Chinese-first: every sheet and
header is `中文 (code)`, with its unit in brackets (`额定功率 (rated_kw) [kW]`); a `说明 (help)`
sheet says what each field means in Chinese and English; choice fields have drop-downs.

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
from collections.abc import Collection
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from carbonpeak.diagnosis import management as mgmt
from carbonpeak.diagnosis import plant as model
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
        kind: [
            "type",
            "id",
            *[f for f in MODELS[kind].model_fields if f not in ("type", "id", "lifetime_years")],
            "lifetime_years",
        ]
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


def text_field(kind: str, field: str) -> bool:
    annotation = _annotation(kind, field)
    return annotation is str or annotation == (str | None) or field in ("item", "clause")


# -- writing ---------------------------------------------------------------------------------


def write_inventory(path: Path, plant: dict[str, Any] | None = None) -> None:
    """The inventory workbook, filled with `plant` (a plant file's mapping; the example plant's
    rows are the template's example rows) or blank but for its headers."""
    book = inventory_book(plant)
    with atomic_path(path) as temporary:
        book.save(temporary)


def inventory_bytes(plant: dict[str, Any] | None = None) -> bytes:
    """The inventory workbook as the bytes of an .xlsx file (for a download)."""
    buffer = io.BytesIO()
    inventory_book(plant).save(buffer)
    return buffer.getvalue()


def inventory_book(plant: dict[str, Any] | None = None) -> Workbook:
    """The inventory workbook of `write_inventory`."""
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
    return book


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
        if text_field(kind, field):
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


# -- cells ---------------------------------------------------------------------------------


def plain(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip()


def code_of(written: Any, known: Collection[str], names: dict[str, str]) -> str | None:
    """The code a sheet name or header means: `中文 (code) [unit]`, the Chinese label or the
    code itself."""
    text = plain(written)
    bracket = re.findall(r"\(([A-Za-z0-9_]+)\)", text)
    if bracket and bracket[-1] in known:
        return str(bracket[-1])
    bare = re.sub(r"\[.*?\]", "", text).strip()
    for code in known:
        if bare in (code, names.get(code)):
            return code
    return None


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def cell_value(raw: Any, text: bool) -> Any:
    """A cell's value: text fields as text (a number as its digits), numbers as numbers (with
    full-width digits, thousands separators and 4.0 as 4)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, bool | date):
        return raw
    if text:
        if isinstance(raw, float) and raw.is_integer():
            return str(int(raw))
        return plain(raw)
    if isinstance(raw, str):
        candidate = plain(raw).replace(",", "").replace("，", "")
        if not _NUMBER.match(candidate):
            return plain(raw)
        raw = float(candidate)
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


def pairs(raw: Any, names: tuple[str, str]) -> list[dict[str, Any]] | None:
    parts = [p for p in re.split(r"[;；]", plain(raw)) if p.strip()]
    out = []
    for part in parts:
        pair = [cell_value(v, False) for v in re.split(r"[:：×x*]", part.strip())]
        if len(pair) != 2 or not all(isinstance(v, int | float) for v in pair):
            return None
        out.append(dict(zip(names, pair, strict=True)))
    return out
