"""Write the activity template: an Excel workbook people fill in and upload, Chinese first.

Sheets are titled Chinese first with their code (`io.sheet_names`). Sheet `活动数据 (activity)`
has the activity columns with bilingual headers (`品种 (item)`, a fixed unit after it:
`单位热值含碳量 (carbon_content_tc_per_gj) [tC/GJ]`) and drop-down lists for stream, item and
direction (`燃料 (fuel)`, `原煤 (raw_coal)`; the code or the Chinese name alone is read as well);
`企业 (enterprises)` the enterprise columns; `代码表 (lists)` the codes (items with their names
and usual units, streams, directions); `说明 (help)` what each column means, in Chinese and
English; `示例 (example)` a few filled-in lines (a fuel, purchased electricity, a product's
output and the period's value added) to copy from: the reader reads the activity sheet only,
found as `activity`, `活动数据` or `活动数据 (activity)` (`io.tables.sheet_named`).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from carbonpeak.io.activity_columns import (
    ACTIVITY_SPECS,
    DIRECTION_LABELS,
    ENTERPRISE_SPECS,
    LIST_SHEET,
    STREAM_LABELS,
    item_choices,
)
from carbonpeak.io.headers import ColumnSpec, choice_label
from carbonpeak.io.sheet_names import sheet_ref, sheet_title
from carbonpeak.io.sheets import append_row
from carbonpeak.io.tables import atomic_path
from carbonpeak.reference.loader import Reference

ACTIVITY_SHEET = sheet_title("activity")
ENTERPRISE_SHEET = sheet_title("enterprises")
NOTES_SHEET = sheet_title("help")
EXAMPLE_SHEET = sheet_title("example")
SHEETS = (ACTIVITY_SHEET, ENTERPRISE_SHEET, LIST_SHEET, NOTES_SHEET, EXAMPLE_SHEET)
LIST_HEADERS = (
    "品种代码 (item)",
    "中文名称 (name_zh)",
    "英文名称 (name_en)",
    "分类 (category)",
    "常用单位 (default_unit)",
    "类别 (stream)",
    "方向 (direction)",
    "品种选项 (item_choice)",
)
# Sheet `example`: synthetic lines of one enterprise-month (a code with valid check
# characters, not a real enterprise), one per kind a report usually has.
EXAMPLE_ROWS = (
    {"stream": "燃料", "item": "烟煤", "amount": 9800, "unit": "t"},
    {"stream": "电力", "item": "电力", "amount": 5500000, "unit": "kWh"},
    {"stream": "产品", "item": "水泥熟料", "amount": 83000, "unit": "t"},
    {"stream": "经济", "item": "工业增加值", "amount": 4200, "unit": "10^4 yuan"},
)
EXAMPLE_ENTERPRISE = {
    "enterprise_id": "911302007A3K9C2D24",
    "period": "2025-03",
    "direction": "输入",
}


def _headed(sheet: Worksheet, specs: tuple[ColumnSpec, ...]) -> None:
    append_row(sheet, [s.header for s in specs])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, spec in enumerate(specs, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(spec.header) + 4)


def _drop_down(
    sheet: Worksheet, specs: tuple[ColumnSpec, ...], code: str, source: str, last: int
) -> None:
    letter = get_column_letter([s.code for s in specs].index(code) + 1)
    validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
    validation.error = f"请从列表中选择 choose from the list ({LIST_SHEET})"
    validation.showErrorMessage = False  # a code or a Chinese name typed in is read as well
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{last}")


def write_activity_template(path: Path, reference: Reference, rows: int = 2000) -> None:
    """Write the template workbook to `path` (atomically)."""
    workbook = Workbook()
    activity = workbook.active
    assert activity is not None
    activity.title = ACTIVITY_SHEET
    _headed(activity, ACTIVITY_SPECS)
    enterprises = workbook.create_sheet(ENTERPRISE_SHEET)
    _headed(enterprises, ENTERPRISE_SPECS)
    lists = workbook.create_sheet(LIST_SHEET)
    append_row(lists, list(LIST_HEADERS))
    items = reference.rows("items")
    choices = item_choices(reference)
    for index, row in enumerate(items):
        append_row(
            lists,
            [
                row["item"],
                row["name_zh"],
                row["name_en"],
                row["category"],
                row["default_unit"],
                choice_label(*STREAM_LABELS[index]) if index < len(STREAM_LABELS) else None,
                choice_label(*DIRECTION_LABELS[index]) if index < len(DIRECTION_LABELS) else None,
                choice_label(*choices[index]),
            ],
        )
    notes = workbook.create_sheet(NOTES_SHEET)
    append_row(notes, ["列 column", "字段 field", "单位 unit", "说明", "meaning"])
    for spec in (*ACTIVITY_SPECS, *ENTERPRISE_SPECS[1:]):
        append_row(notes, [spec.header, spec.code, spec.unit, spec.help_zh, spec.help_en])
    example = workbook.create_sheet(EXAMPLE_SHEET)
    _headed(example, ACTIVITY_SPECS)
    for line in EXAMPLE_ROWS:
        values = EXAMPLE_ENTERPRISE | line
        append_row(example, [values.get(s.code) for s in ACTIVITY_SPECS])
    for sheet in (lists, notes):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    last = rows + 1
    for code, letter, count in (
        ("stream", "F", len(STREAM_LABELS)),
        ("direction", "G", len(DIRECTION_LABELS)),
        ("item", "H", len(items)),
    ):
        source = f"{sheet_ref(LIST_SHEET)}!${letter}$2:${letter}${count + 1}"
        _drop_down(activity, ACTIVITY_SPECS, code, source, last)
    with atomic_path(path) as temporary:
        workbook.save(temporary)
