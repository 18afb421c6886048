"""Budgets workbooks (issue 18): read a table of budgets with Chinese headers (the English
field names of `policy.budgets.Budget` are read too), and write the export workbook, Chinese
first and bilingual.

Reading: a CSV file, or sheet 预算 (or `budgets`) of a workbook. Row 1 holds the headers; a
row 2 that repeats the English field names under them (as the export writes) is skipped. A
header may carry a note in brackets (`总量上限（t CO2 或 tce）`). On the columns with a unit
(`UNIT_NOTES`: cap, intensity, planned, reserve) the note is read, never left out: a known
unit is converted to the field's (`总量上限（万吨）` multiplies by 10^4; `预留比例（%）` divides by
100), a unit of the other quantity than the row's (万吨标准煤 on a CO2 row) is a problem at that
row, and an unknown note is a problem at row 1 of its column. Labels of the choice columns
are read in Chinese or English (范围 地区/企业 = region/enterprise, 指标 二氧化碳/能源 =
co2/energy, 强度基准 增加值/产品 = value_added/product, 月度分布 均匀/按月/按季 =
even/monthly/quarterly); 分配比例 is the shares separated by semicolons. An unknown header is a
problem at row 1 of its column. The rows go to `services.budgets.save_budgets` as they are,
each with its `row`; `BudgetSheet.place` puts that service's problems back at the file, sheet,
row and column (by the header as the file spells it).

Writing (`write_budgets`): sheet 预算 (the budgets, with the headers in Chinese on row 1 and
in English on row 2, so that an export imports back unchanged), sheet 跟踪 tracking (each
budget's status as of a day and its alert level) and sheet 说明 notes (each column in both
languages). `write_template`: the blank workbook to fill in (预算 with its headers, 说明).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.budget_units import convert, read_units
from carbonpeak.io.sheets import append_row
from carbonpeak.io.tables import EXCEL_SUFFIXES, read_table, sheet_named

SHEET, SHEET_EN = "预算", "budgets"
TRACKING_SHEET = "跟踪"
NOTES_SHEET = "说明"

HEADERS: dict[str, str] = {
    "budget_id": "预算编号",
    "scope": "范围",
    "code": "代码",
    "year": "年度",
    "quantity": "指标",
    "cap": "总量上限",
    "intensity": "强度上限",
    "basis": "强度基准",
    "item": "产品",
    "planned": "计划分母",
    "profile": "月度分布",
    "shares": "分配比例",
    "reserve": "预留比例",
    "parent_id": "上级预算",
}
"""Field -> Chinese header, in the export's order. `parent_id` is written for the reader and
ignored when read (a parent is inferred, never typed)."""
READ_ONLY = ("parent_id",)
NOTES: dict[str, str] = {
    "budget_id": "blank for a new budget; the stored budget's id to change it",
    "scope": "地区 region (GB/T 2260 code) | 企业 enterprise (USCC)",
    "code": "6-digit region code or 18-character unified social credit code",
    "year": "calendar year",
    "quantity": "二氧化碳 co2 (t CO2) | 能源 energy (tce)",
    "cap": "total for the year, t CO2 or tce (optional with an intensity)",
    "intensity": "cap per 10^4 yuan value added or per unit of product",
    "basis": "增加值 value_added | 产品 product",
    "item": "product item of the items table (basis product)",
    "planned": "planned value added (10^4 yuan) or output (the item's unit)",
    "profile": "均匀 even (by days) | 按月 monthly (12 shares) | 按季 quarterly (4 shares)",
    "shares": "the profile's shares separated by semicolons, summing to 1",
    "reserve": "share held back from the children (0 <= reserve < 1)",
    "parent_id": "the budget it is cascaded from (inferred; ignored on import)",
}
LABELS: dict[str, dict[str, str]] = {
    "scope": {"地区": "region", "区域": "region", "企业": "enterprise"},
    "quantity": {
        "二氧化碳": "co2",
        "碳排放": "co2",
        "CO2": "co2",
        "能源": "energy",
        "能耗": "energy",
    },
    "basis": {"增加值": "value_added", "工业增加值": "value_added", "产品": "product"},
    "profile": {"均匀": "even", "按月": "monthly", "按季": "quarterly"},
}
"""Chinese labels of the choice columns -> the field's value (English values pass as they are)."""
_WRITTEN = {field: {v: k for k, v in reversed(labels.items())} for field, labels in LABELS.items()}
LEVEL_LABELS = {"green": "绿 green", "yellow": "黄 yellow", "red": "红 red"}
TRACKING_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("budget_id", "预算编号", "budget_id"),
    ("code", "代码", "code"),
    ("name", "名称", "name"),
    ("quantity", "指标", "quantity"),
    ("unit", "单位", "unit"),
    ("cap", "上限", "cap"),
    ("used_to_date", "累计使用", "used to date"),
    ("used_share", "使用比例", "used share"),
    ("elapsed_share", "时间进度", "elapsed share"),
    ("projected", "预计全年", "projected year-end"),
    ("level", "预警等级", "level"),
)
_BRACKET = re.compile(r"\s*[(（].*$")


@dataclass(frozen=True)
class BudgetSheet:
    """The rows read (field -> text, with `row`), and where they came from: the file name to
    place problems in, the sheet (a workbook's) and each field's header as the file spells it."""

    rows: list[dict[str, Any]]
    file: str
    sheet: str | None
    columns: Mapping[str, str]

    def place(self, problems: Sequence[Problem]) -> list[Problem]:
        """Problems of `save_budgets` (placed by row and field) placed in this file: sheet,
        row and the column of the field, the field kept."""
        placed = []
        for p in problems:
            if p.place.file:
                placed.append(p)
                continue
            column = self.columns.get(p.place.field or "") or HEADERS.get(p.place.field or "")
            placed.append(
                replace(
                    p,
                    place=Place(
                        file=self.file,
                        sheet=self.sheet,
                        row=p.place.row,
                        column=column if p.place.row is not None else p.place.column,
                        field=p.place.field,
                    ),
                )
            )
        return placed


def _field(header: str) -> str | None:
    """The field a header names: a Chinese header or an English field name, any note in
    brackets left out."""
    bare = _BRACKET.sub("", header).strip()
    for field, chinese in HEADERS.items():
        if bare in (chinese, field):
            return field
    return None


def _sheet_of(path: Path) -> str:
    """The sheet to read: 预算, else budgets or `预算 (budgets)` (`sheet_named`; else 预算, which
    read_table reports missing)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # read_table names what is wrong with the file
        return SHEET
    try:
        names = book.sheetnames
    finally:
        book.close()
    return sheet_named(names, SHEET) or SHEET


def read_budgets(path: Path, name: str | None = None) -> BudgetSheet:
    """The budgets of a CSV file or workbook (see the module); `name` is the file's name in
    problems (an upload's), else the path. Every header problem at once (`InputError`)."""
    shown = name or str(path)
    excel = path.suffix.lower() in EXCEL_SUFFIXES
    sheet = _sheet_of(path) if excel and path.exists() else SHEET
    in_sheet = sheet if excel else None
    try:
        frame = read_table(path, sheet)
    except InputError as error:
        raise InputError(
            [
                replace(
                    p,
                    place=replace(p.place, file=shown, sheet=in_sheet if p.place.row else None),
                )
                if p.place.file == str(path)
                else p
                for p in error.problems
            ]
        ) from None
    columns: dict[str, str] = {}
    problems = []
    for header in (str(c) for c in frame.columns if c != "row"):
        field = _field(header)
        if field is None:
            if header.strip():
                problems.append(
                    Problem.of(
                        Place(file=shown, sheet=in_sheet, row=1, column=header),
                        N_("unknown column {!r}; the columns are: {}"),
                        header,
                        ", ".join(f"{c} ({f})" for f, c in HEADERS.items()),
                    )
                )
            continue
        if field in columns:
            problems.append(
                Problem.of(
                    Place(file=shown, sheet=in_sheet, row=1, column=header),
                    N_("column {!r} names {} as column {!r} does"),
                    header,
                    field,
                    columns[field],
                )
            )
            continue
        columns[field] = header
    units, unit_problems = read_units(columns, shown, in_sheet)
    problems += unit_problems
    if problems:
        raise InputError(problems)
    records = frame.to_dict("records")
    if records and all(
        str(records[0][header]).strip() in ("", field) for field, header in columns.items()
    ):
        records = records[1:]  # the English header line under the Chinese one
    rows = []
    for record in records:
        row: dict[str, Any] = {"row": int(record["row"])}
        for field, header in columns.items():
            text = str(record[header]).strip()
            if text == "" or field in READ_ONLY:
                continue
            if field in LABELS:
                text = LABELS[field].get(text, LABELS[field].get(text.upper(), text))
            if field == "shares":
                text = text.replace("；", ";").replace("，", ",")
            row[field] = text
        problems += convert(row, units, columns, shown, in_sheet)
        rows.append(row)
    if problems:
        raise InputError(problems)
    return BudgetSheet(rows, shown, in_sheet, columns)


def read_budget_upload(name: str, content: bytes) -> BudgetSheet:
    """An uploaded budgets table (CSV or workbook), problems placed by the uploader's name."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(content)
        return read_budgets(path, Path(name).name)


# -- writing ---------------------------------------------------------------------------------


def _cell(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in _WRITTEN:
        return _WRITTEN[field].get(str(value), value)
    if field == "shares":
        return ";".join(repr(float(s)) for s in value)
    return value


def _header(sheet: Any, chinese: Sequence[str], english: Sequence[str]) -> None:
    append_row(sheet, chinese)
    append_row(sheet, english)
    for cell in (*sheet[1], *sheet[2]):
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A3"


def _budgets_book(budgets: Sequence[Mapping[str, Any]]) -> Workbook:
    """Sheet 预算 with `budgets` under its two header lines, and sheet 说明 with the columns."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = SHEET
    _header(sheet, list(HEADERS.values()), list(HEADERS))
    for budget in budgets:
        append_row(sheet, [_cell(f, budget.get(f)) for f in HEADERS])
    notes = book.create_sheet(NOTES_SHEET)
    append_row(notes, ["列 column", "字段 field", "说明 note"])
    for field, chinese in HEADERS.items():
        append_row(notes, [chinese, field, NOTES[field]])
    return book


def write_template(target: Path | Any) -> None:
    """The blank budgets workbook to fill in, at `target` (a path or a binary file): sheet 预算
    with its headers in Chinese and, on row 2, in English (which the reader skips), and sheet
    说明 with each column's note; the export less its budgets and its tracking sheet."""
    _budgets_book([]).save(target)


def write_budgets(
    target: Path | Any,
    budgets: Sequence[Mapping[str, Any]],
    tracking: Sequence[Mapping[str, Any]] = (),
    as_of: str | None = None,
) -> None:
    """The export workbook at `target` (a path or a binary file): sheet 预算 with the budgets
    (the fields of `services.budgets.list_budgets`), sheet 跟踪 with `tracking` (mappings
    with the keys of `TRACKING_COLUMNS`; level green|yellow|red or None), sheet 说明."""
    book = _budgets_book(budgets)
    track = book.create_sheet(TRACKING_SHEET, 1)
    _header(
        track,
        [c for _, c, _ in TRACKING_COLUMNS],
        [
            e + (f" (as of {as_of})" if e == "used to date" and as_of else "")
            for _, _, e in TRACKING_COLUMNS
        ],
    )
    for status in tracking:
        values = []
        for key, _, _ in TRACKING_COLUMNS:
            value = status.get(key)
            if key == "level":
                value = LEVEL_LABELS.get(str(value), "") if value else "—"
            elif key == "quantity":
                value = _cell("quantity", value)
            values.append(value)
        append_row(track, values)
    notes = book[NOTES_SHEET]
    append_row(notes, [])
    append_row(
        notes,
        [
            TRACKING_SHEET,
            "tracking",
            f"each budget as of {as_of or '-'}: use to date from the official monthly accounts "
            "(and the nowcast of monitored enterprises); level from the authority's thresholds "
            "(— none apply)",
        ],
    )
    book.save(target)
