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

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from carbonpeak.errors import InputError, Place
from carbonpeak.i18n import gettext_of
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
from carbonpeak.utilisation.rates import TARGET_YEARS
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
    ("name_zh", "名称 (name_zh)"),
    ("name_en", "英文名称 (name_en)"),
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
    ("target_source_id", "目标出处 (target_source_id)"),
    ("target_status", "目标核实状态 (target_status)"),
    ("gap", "距目标年份全国目标的差距 (gap to the national target of its year)"),
    ("met", "达标（仅在目标年份判定） (met, in the target's year only)"),
)
"""The rates' export columns: code, bilingual header. Rates are fractions (0.57 = 57 %)."""
AVOIDED_COLUMNS = (
    ("route", "利用途径 (route)"),
    ("kind", "固废种类 (kind)"),
    ("utilised_t", "综合利用量 (utilised_t) [t]"),
    ("has_factor", "有因子 (has_factor)"),
    ("factor_tco2_per_t", "因子 (factor) [tCO2/t]"),
    ("co2_avoided_t", "避免的二氧化碳 (co2_avoided_t) [t]"),
    ("source_id", "出处 (source_id)"),
    ("status", "核实状态 (status)"),
    ("note", "说明 (note)"),
    ("illustrative", "示例因子 (illustrative)"),
)
"""The avoided CO2's export columns (a sheet of the workbook, a section of the CSV)."""
FLAGS = ("met", "has_factor", "illustrative")
"""Columns of yes / no, written in the reader's language (是 / 否, yes / no)."""
RATES_TITLE = "综合利用率 (rates)"
NOTES_TITLE = "说明 (notes)"
WARNINGS_TITLE = "警告 (warnings)"
AVOIDED_TITLE = "避免的二氧化碳 (avoided CO2)"
TOTAL_LABEL = "合计 (total) [tCO2]"


def _word(value: object, locale: str) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if locale == "en":
        return "yes" if value else "no"
    return "是" if value else "否"


def _cells(
    records: Sequence[Mapping[str, object]],
    columns: Sequence[tuple[str, str]],
    locale: str,
) -> list[list[object]]:
    return [
        [
            _word(r.get(code), locale) if code in FLAGS else _plain(r.get(code))
            for code, _ in columns
        ]
        for r in records
    ]


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _notes(view: Mapping[str, Any]) -> list[list[Any]]:
    """The notes of an export: the year, grouping, the rate's definition and how a target's
    years are read (in Chinese and in English)."""
    zh, en = gettext_of("zh_CN"), gettext_of("en")
    years = str(view.get("target_years") or TARGET_YEARS)
    return [
        ["年份 year", view.get("year")],
        ["分组 grouping", view.get("grouping")],
        [
            "综合利用率 rate",
            "综合利用量 ÷ (产生量 + 综合利用往年贮存量); utilised / (generated + utilised "
            "from earlier years' stock), the ratio of the sums",
        ],
        ["目标年份 target year", zh(years)],
        ["target year", en(years)],
        *[
            [
                "目标出处 target source",
                f"{t.get('source_id')}: {t.get('source')} ({t.get('status')})",
            ]
            for t in view.get("targets") or []
        ],
    ]


def _warnings(view: Mapping[str, Any]) -> list[list[object]]:
    return [[w.get("code"), w.get("text", w.get("message"))] for w in view.get("warnings") or []]


def _avoided(view: Mapping[str, Any], locale: str) -> tuple[list[list[object]], list[object]]:
    """The avoided CO2's rows and its total line (total, then whether any factor is
    unverified, illustrative)."""
    saved = view.get("avoided") or {}
    rows = _cells(saved.get("rows") or [], AVOIDED_COLUMNS, locale)
    total: list[object] = [
        TOTAL_LABEL,
        saved.get("co2_avoided_t"),
        "未经核实 (unverified)",
        _word(saved.get("unverified", False), locale),
        "示例 (illustrative)",
        _word(saved.get("illustrative", False), locale),
    ]
    return rows, total


def rates_csv(view: Mapping[str, Any], locale: str = "zh_CN") -> bytes:
    """The rates of a view as CSV (UTF-8 with a byte-order mark, so that Excel reads Chinese):
    the rates table, then after a blank line each a section under its title: the notes, the
    warnings (code, text in `locale`) and the avoided CO2 by route and kind with each row's
    source, status and note and the total with its flags. Yes / no in `locale`."""
    rows = _cells(view.get("groups") or [], EXPORT_COLUMNS, locale)
    parts = [csv_text([h for _, h in EXPORT_COLUMNS], rows)]
    parts.append(csv_text([NOTES_TITLE], _notes(view)))
    parts.append(csv_text([WARNINGS_TITLE], [["代码 (code)", "说明 (text)"], *_warnings(view)]))
    avoided_rows, total = _avoided(view, locale)
    header = [h for _, h in AVOIDED_COLUMNS]
    parts.append(csv_text([AVOIDED_TITLE], [header, *avoided_rows, total]))
    return ("\ufeff" + "\r\n".join(parts)).encode()


def rates_xlsx(view: Mapping[str, Any], locale: str = "zh_CN") -> bytes:
    """The rates of a view as a workbook: sheets `综合利用率 (rates)`, `说明 (help)` (the
    notes of `rates_csv`), `警告 (warnings)` and `避免的二氧化碳 (avoided CO2)`."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = RATES_TITLE
    append_row(sheet, [h for _, h in EXPORT_COLUMNS])
    for row in _cells(view.get("groups") or [], EXPORT_COLUMNS, locale):
        append_row(sheet, row)
    notes = workbook.create_sheet(NOTES_SHEET)
    for line in _notes(view):
        append_row(notes, line)
    warned = workbook.create_sheet(WARNINGS_TITLE)
    append_row(warned, ["代码 (code)", "说明 (text)"])
    for line in _warnings(view):
        append_row(warned, line)
    saved = workbook.create_sheet(AVOIDED_TITLE)
    append_row(saved, [h for _, h in AVOIDED_COLUMNS])
    avoided_rows, total = _avoided(view, locale)
    for line in [*avoided_rows, [], total]:
        append_row(saved, line)
    for each in (sheet, warned, saved):
        for cell in each[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_sections(content: bytes) -> list[list[list[str]]]:
    """An exported rates CSV as its sections (split at blank lines), each a list of rows."""
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sections: list[list[list[str]]] = [[]]
    for line in lines:
        if not any(cell.strip() for cell in line):
            if sections[-1]:
                sections.append([])
            continue
        sections[-1].append(line)
    return [s for s in sections if s]


def read_rates_csv(content: bytes) -> pd.DataFrame:
    """The rates table of an exported CSV read back (its first section), columns by code, every
    cell as text ("" where empty): a round trip's other half."""
    first = csv_sections(content)[0]
    frame = pd.DataFrame(first[1:], columns=first[0], dtype=str)
    return frame.rename(columns={h: c for c, h in EXPORT_COLUMNS})
