"""The solid-waste report as people fill it in: a bilingual workbook (and CSV) for the
utilisation wing (issue 23), and its reader.

Sheet `工业固废 (solid_waste)` has the report's columns (`utilisation.report.COLUMNS`) with
bilingual headers and drop-down lists for kind, flow and route (`粉煤灰 (fly_ash)`; the code or
the Chinese name alone is read as well), from the library in force; `代码表 (lists)` the
codes with their Chinese and English names; `说明 (help)` what each column and flow means;
`示例 (example)` a filled-in enterprise-year to copy from. A CSV with the same headers (or
the codes) is read the same way. Every problem is placed by file, sheet, row and column as
the user wrote them; nothing is kept when any stands.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from carbonpeak.errors import InputError, Place
from carbonpeak.io.headers import (
    ColumnSpec,
    choice_label,
    frame_choices,
    frame_to_codes,
    place_as_written,
)
from carbonpeak.io.sheet_names import sheet_ref, sheet_title
from carbonpeak.io.sheets import append_row, csv_text
from carbonpeak.io.tables import EXCEL_SUFFIXES, read_upload
from carbonpeak.reference.loader import Reference
from carbonpeak.utilisation.report import COLUMNS, FLOWS, Report, check_report, kinds, routes

SHEET = sheet_title("solid_waste")
LIST_SHEET = sheet_title("lists")
NOTES_SHEET = sheet_title("help")
EXAMPLE_SHEET = sheet_title("example")
TEMPLATE_ROWS = 1000
EXAMPLE_ENTERPRISE = "911302007A3K9C2D24"  # the demo's example cement enterprise (synthetic)
# Sheet `example`: one synthetic enterprise-year of fly ash (made-up tonnes that balance: the
# year's own utilisation 7 500 t + stored 400 t + own disposal 100 t = generated 8 000 t).
EXAMPLE_ROWS = (
    ("fly_ash", "opening_stock", "", 1200),
    ("fly_ash", "generated", "", 8000),
    ("fly_ash", "utilised", "building_materials", 7000),
    ("fly_ash", "utilised", "backfill", 900),
    ("fly_ash", "utilised_from_stock", "backfill", 400),
    ("fly_ash", "stored", "", 400),
    ("fly_ash", "disposed", "", 400),
    ("fly_ash", "disposed_from_stock", "", 300),
)


def specs(reference: Reference) -> tuple[ColumnSpec, ...]:
    """The report's columns, the choices from the library in force."""
    kind_rows, route_rows = kinds(reference), routes(reference)
    return (
        ColumnSpec(
            "enterprise_id",
            "统一社会信用代码",
            "企业的统一社会信用代码（18位）",
            "the enterprise's unified social credit code (18 characters)",
            example=EXAMPLE_ENTERPRISE,
        ),
        ColumnSpec("period", "年份", "报告年份 YYYY", "the year reported, YYYY", example=2025),
        ColumnSpec(
            "kind",
            "固废种类",
            "工业固体废物种类，见代码表；同一吨数填在冶炼渣下，或填在钢渣/高炉渣下，不得重复",
            "the kind of industrial solid waste (see the lists); a tonnage goes under "
            "smelting_slag or under steel_slag / blast_furnace_slag, never both",
            choices=tuple((k, v["name_zh"]) for k, v in kind_rows.items()),
        ),
        ColumnSpec(
            "flow",
            "指标",
            "产生量、综合利用量（其中往年贮存量）、贮存量、处置量（其中往年贮存量）、倾倒丢弃量、上年末贮存量",
            "generated, utilised (of which from stock), stored, disposed of (of which from "
            "stock), dumped, stock at the start of the year",
            choices=tuple((k, v[0]) for k, v in FLOWS.items()),
        ),
        ColumnSpec(
            "route",
            "利用途径",
            "综合利用量及其往年贮存量须填利用途径，其他指标留空",
            "the route of utilisation: for the utilisation flows only, blank otherwise",
            choices=tuple((k, v["name_zh"]) for k, v in route_rows.items()),
        ),
        ColumnSpec("amount_t", "数量", "吨，非负数", "tonnes, not negative", unit="t"),
    )


def write_template(reference: Reference) -> bytes:
    """The blank report workbook (module doc), as bytes."""
    columns = specs(reference)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    example = workbook.create_sheet(EXAMPLE_SHEET)
    for each in (sheet, example):
        append_row(each, [s.header for s in columns])
        for cell in each[1]:
            cell.font = Font(bold=True)
        each.freeze_panes = "A2"
        for index, spec in enumerate(columns, start=1):
            each.column_dimensions[get_column_letter(index)].width = max(16, len(spec.header) + 6)
    for kind, flow, route, amount in EXAMPLE_ROWS:
        append_row(example, [EXAMPLE_ENTERPRISE, 2025, kind, flow, route, amount])
    lists = workbook.create_sheet(LIST_SHEET)
    listed = [s for s in columns if s.choices]
    names = {
        "kind": {k: v["name_en"] for k, v in kinds(reference).items()},
        "flow": {k: v[1] for k, v in FLOWS.items()},
        "route": {k: v["name_en"] for k, v in routes(reference).items()},
    }
    header: list[str] = []
    for spec in listed:
        header += [spec.header, f"English ({spec.code})"]
    append_row(lists, header)
    longest = max(len(s.choices) for s in listed)
    for index in range(longest):
        line: list[object] = []
        for spec in listed:
            if index < len(spec.choices):
                code, label = spec.choices[index]
                line += [choice_label(code, label), names[spec.code][code]]
            else:
                line += [None, None]
        append_row(lists, line)
    for position, spec in enumerate(listed):
        letter = get_column_letter(2 * position + 1)
        source = f"{sheet_ref(LIST_SHEET)}!${letter}$2:${letter}${len(spec.choices) + 1}"
        validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
        validation.showErrorMessage = False  # a code or a Chinese name typed in is read too
        sheet.add_data_validation(validation)
        target = get_column_letter([s.code for s in columns].index(spec.code) + 1)
        validation.add(f"{target}2:{target}{TEMPLATE_ROWS + 1}")
    notes = workbook.create_sheet(NOTES_SHEET)
    append_row(notes, ["列 column", "字段 field", "单位 unit", "说明", "meaning"])
    for spec in columns:
        append_row(notes, [spec.header, spec.code, spec.unit, spec.help_zh, spec.help_en])
    append_row(notes, [])
    append_row(
        notes,
        [
            "综合利用率",
            "rate",
            "%",
            "综合利用量 ÷ (产生量 + 综合利用往年贮存量) × 100%",
            "utilised / (generated + utilised from earlier years' stock)",
        ],
    )
    for each in (lists, notes):
        for cell in each[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_report(name: str, content: bytes, reference: Reference) -> Report:
    """The checked report of an uploaded file (CSV or workbook, sheet `SHEET`), or
    `InputError` with every problem placed (file as named, sheet, row, column as written)."""
    frame = read_upload(name, content, SHEET)
    in_sheet = SHEET if Path(name).suffix.lower() in EXCEL_SUFFIXES else None
    place = Place(file=name, sheet=in_sheet)
    columns = specs(reference)
    coded, written, problems = frame_to_codes(frame, columns, name, in_sheet)
    if problems:  # the header row: nothing below can be read
        raise InputError(problems)
    if "route" not in coded.columns:  # a report of flows without routes may leave it out
        coded["route"] = ""
    for spec in columns:
        if spec.choices and spec.code in written:
            problems += frame_choices(
                coded, spec.code, spec.choices, written[spec.code], LIST_SHEET, place
            )
    report, found = check_report(coded, reference, name, in_sheet)
    # a cell no list names is said once, by the list's problem
    said = {(p.place.row, p.place.column) for p in problems}
    problems += [
        p for p in place_as_written(found, written) if (p.place.row, p.place.column) not in said
    ]
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.place.row or 0, p.place.column or "")))
    assert report is not None
    return report


def report_frame(report: Report) -> pd.DataFrame:
    """A report's rows in the columns of the file, amounts as numbers."""
    return report.rows[list(COLUMNS)].copy()


EXPORT_COLUMNS = (
    ("group", "分组 (group)"),
    ("target_kind", "固废种类 (kind)"),
    ("members", "企业数 (enterprises)"),
    ("opening_stock_t", "上年末贮存量 (opening_stock_t) [t]"),
    ("generated_t", "产生量 (generated_t) [t]"),
    ("utilised_t", "综合利用量 (utilised_t) [t]"),
    ("utilised_from_stock_t", "其中：综合利用往年贮存量 (utilised_from_stock_t) [t]"),
    ("stored_t", "贮存量 (stored_t) [t]"),
    ("disposed_t", "处置量 (disposed_t) [t]"),
    ("disposed_from_stock_t", "其中：处置往年贮存量 (disposed_from_stock_t) [t]"),
    ("dumped_t", "倾倒丢弃量 (dumped_t) [t]"),
    ("closing_stock_t", "年末贮存量 (closing_stock_t) [t]"),
    ("stock_change_t", "贮存量变化 (stock_change_t) [t]"),
    ("rate", "综合利用率 (rate)"),
    ("target_rate", "目标 (target_rate)"),
    ("target_year", "目标年份 (target_year)"),
    ("target_area", "目标范围 (target_area)"),
    ("gap", "差距 (gap)"),
    ("met", "达标 (met)"),
)
"""The rates' export columns: code, bilingual header. Rates are fractions (0.57 = 57 %)."""


def _export_rows(frame: pd.DataFrame) -> list[list[object]]:
    rows = []
    for record in frame.to_dict("records"):
        rows.append([_plain(record.get(code)) for code, _ in EXPORT_COLUMNS])
    return rows


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def rates_csv(frame: pd.DataFrame) -> bytes:
    """The rates table as CSV (UTF-8 with a byte-order mark, so that Excel reads Chinese)."""
    return ("\ufeff" + csv_text([h for _, h in EXPORT_COLUMNS], _export_rows(frame))).encode()


def rates_xlsx(frame: pd.DataFrame, view: dict[str, object]) -> bytes:
    """The rates table as a workbook: sheet `综合利用率 (rates)`, and `说明 (help)` naming the
    year, the grouping and the definition."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "综合利用率 (rates)"
    append_row(sheet, [h for _, h in EXPORT_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _export_rows(frame):
        append_row(sheet, row)
    notes = workbook.create_sheet(NOTES_SHEET)
    for line in (
        ["年份 year", view.get("year")],
        ["分组 grouping", view.get("grouping")],
        [
            "综合利用率 rate",
            "综合利用量 ÷ (产生量 + 综合利用往年贮存量); utilised / (generated + utilised "
            "from earlier years' stock), the ratio of the sums",
        ],
    ):
        append_row(notes, line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_rates_csv(content: bytes) -> pd.DataFrame:
    """An exported rates CSV read back, columns by code (a round trip's other half)."""
    frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    return frame.rename(columns={h: c for c, h in EXPORT_COLUMNS})
