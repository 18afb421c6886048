"""The meters registry as a bilingual sheet (io/headers.py): its columns in Chinese and English,
the reader's mapping of a meters file's headers and choices to codes, and its template.

A meters file (sheet `计量器具 (meters)` of a workbook, or `meters` or `计量器具`; or CSV)
may name its columns `计量器具编号`, `meter_id` or `计量器具编号 (meter_id)`, and give the
carrier as an item's code or Chinese name (电力 = electricity) and the kind as
`累计值`/`cumulative` or `区间值`/`interval`. Columns it
does not know are let through, as the registry reader always has.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from carbonpeak.errors import Place, Problem
from carbonpeak.io.activity_columns import ACTIVITY_SPECS, LIST_SHEET, item_choices
from carbonpeak.io.headers import ColumnSpec, choice_label, frame_choices, frame_to_codes
from carbonpeak.io.sheet_names import sheet_ref, sheet_title
from carbonpeak.io.sheets import append_row
from carbonpeak.io.tables import atomic_path
from carbonpeak.monitoring.readings import METER_COLUMNS
from carbonpeak.reference.loader import Reference

SHEET = "meters"  # the code a reader asks for
TITLE = sheet_title(SHEET)
NOTES_SHEET = sheet_title("help")
EXAMPLE_SHEET = sheet_title("example")
KIND_LABELS = (("interval", "区间值"), ("cumulative", "累计值"))
_SPECS = (
    ColumnSpec(
        "meter_id",
        "计量器具编号",
        "计量器具（电表、流量计等）的编号，企业内唯一",
        "the meter's id, unique within the enterprise",
        example="M-001",
    ),
    ACTIVITY_SPECS[0],
    ColumnSpec(
        "carrier",
        "能源品种",
        "所计量的能源品种：中文名称或代码（见 代码表 (lists) 工作表），如 电力 或 electricity",
        "the item measured: its Chinese name or code (sheet lists), e.g. 电力 or electricity",
        example="electricity",
    ),
    ColumnSpec(
        "unit",
        "计量单位",
        "读数的单位，须与能源品种相符，如 kWh、Nm3、t",
        "the readings' unit, fitting the carrier, e.g. kWh, Nm3, t",
        example="kWh",
    ),
    ColumnSpec(
        "kind",
        "读数类型",
        "累计值 cumulative（表底读数）或 区间值 interval（每个间隔的用量）",
        "cumulative (register readings) or interval (use per interval)",
        choices=KIND_LABELS,
        example="cumulative",
    ),
    ColumnSpec(
        "interval_minutes",
        "采集间隔",
        "两次读数之间的分钟数（空白为 15）",
        "minutes between readings (blank: 15)",
        unit="min",
        example=15,
    ),
)
METER_SPECS: tuple[ColumnSpec, ...] = tuple(
    next(s for s in _SPECS if s.code == c) for c in METER_COLUMNS
)


def bilingual_meters(
    frame: pd.DataFrame, reference: Reference, file: str | None = None, sheet: str | None = None
) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    """A meters table as read, with its known columns and its carriers and kinds as codes;
    code -> header as written; the problems of its headers and of Chinese names not in the
    lists (placed at their row and column as written)."""
    coded, columns, problems = frame_to_codes(frame, METER_SPECS, file, sheet, keep_unknown=True)
    coded = coded.copy()
    place = Place(file=file, sheet=sheet)
    for code, choices in (("carrier", item_choices(reference)), ("kind", KIND_LABELS)):
        if code in columns and coded[code].dtype.kind not in "biuf":
            problems += frame_choices(coded, code, choices, columns[code], LIST_SHEET, place)
    return coded, columns, problems


def write_meters_template(path: Path, reference: Reference, rows: int = 2000) -> None:
    """The meters workbook to fill in (`meters_book`), written atomically."""
    book = meters_book(reference, rows)
    with atomic_path(path) as temporary:
        book.save(temporary)


def meters_template_bytes(reference: Reference, rows: int = 2000) -> bytes:
    """The meters workbook to fill in (`meters_book`) as the bytes of a download."""
    buffer = io.BytesIO()
    meters_book(reference, rows).save(buffer)
    return buffer.getvalue()


def meters_book(reference: Reference, rows: int = 2000) -> Workbook:
    """The meters workbook to fill in: sheet `计量器具 (meters)` with bilingual headers and
    drop-downs for carrier and kind, `代码表 (lists)` (items, kinds), `说明 (help)` (each column
    in Chinese and English) and `示例 (example)` (one meter)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = TITLE
    lists = book.create_sheet(LIST_SHEET)
    notes = book.create_sheet(NOTES_SHEET)
    example = book.create_sheet(EXAMPLE_SHEET)
    for target in (sheet, example):
        append_row(target, [s.header for s in METER_SPECS])
        target.freeze_panes = "A2"
    append_row(example, [s.example for s in METER_SPECS])
    append_row(lists, ["能源品种 (carrier)", "常用单位 (default_unit)", "读数类型 (kind)"])
    items = reference.rows("items")
    for index, (code, label) in enumerate(item_choices(reference)):
        kind = choice_label(*KIND_LABELS[index]) if index < len(KIND_LABELS) else None
        append_row(lists, [choice_label(code, label), items[index]["default_unit"], kind])
    append_row(notes, ["列 column", "字段 field", "单位 unit", "说明", "meaning"])
    for spec in METER_SPECS:
        append_row(notes, [spec.header, spec.code, spec.unit, spec.help_zh, spec.help_en])
    for target in (sheet, example, lists, notes):
        for cell in target[1]:
            cell.font = Font(bold=True)
    codes = [s.code for s in METER_SPECS]
    for code, letter, count in (("carrier", "A", len(items)), ("kind", "C", len(KIND_LABELS))):
        column = get_column_letter(codes.index(code) + 1)
        validation = DataValidation(
            type="list", formula1=f"={sheet_ref(LIST_SHEET)}!${letter}$2:${letter}${count + 1}"
        )
        validation.showErrorMessage = False  # a code or a Chinese name typed in is read too
        sheet.add_data_validation(validation)
        validation.add(f"{column}2:{column}{rows + 1}")
    return book
