"""The national industrial energy statistics form 能源购进、消费与库存 (NBS form 205-1) as an
activity source, and a blank copy of it, so that an enterprise that fills the form reports once.

The layout is the one found in `docs/notes/instruments_2026.md` §5.1 [F2: it mirrors the
form's headings; the file read was a mock]: columns 甲 能源名称, 乙 计量单位, 丙 代码,
then 1 期初库存量, 2 购进量 实物量, 3 购进量 金额(千元), 4 消费量 合计,
5 工业生产消费, 6 用于原材料, 7 非工业生产消费, 8 合计中：运输工具消费, 9 期末库存量,
10 采用折标系数, and 丁 参考折标系数.
The columns are found by the row of column codes (甲 乙 丙 1 … 10 丁) under the headings, so merged
or reworded heading cells above it do not matter. Above the table, the header block gives
统一社会信用代码 and 报告期 (a label cell with the value after a colon or in a cell to its right).

**Rows are mapped by the energy name, not by the form's row code.** The current row-code list of
205-1 was looked for and not found (§5.1: NF), so column 丙 is read and ignored, and column 甲
must be the Chinese name of an item of the reference table `items` (`name_zh`; 其他 and 其它 are
taken as the same character) or its code (`raw_coal`). A name not in that list is a problem at
its row. Rows whose name says they are a total (合计, 总计, 小计: the form's 能源合计 row) are
skipped, and so are rows without a figure in columns 1-10 (left blank, or a printed row the
enterprise did not fill).

**Which column is the amount** (`io/energy_form_amounts.py`): column 4 消费量 合计 for a fuel
(column 6 用于原材料 of it as feedstock); column 2 购进量 for electricity and heat; and for
coke, coke-oven, blast-furnace and converter gas, which a works may make itself from fuels
already counted, only what it bought and drew from stock (columns 1 + 2 − 9), as the steel
reporting guides count them. Columns 3, 5, 7, 8 and 10 and 丁 are read only to refuse a cell that
is not a number.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from carbonpeak.domain.entities import PERIOD_PATTERN
from carbonpeak.domain.numbers import read_number
from carbonpeak.domain.units import compatible, is_unit
from carbonpeak.domain.uscc import check_uscc
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.energy_form_amounts import PURCHASED, RowProblem, own_made_fuels, row_amounts
from carbonpeak.io.headers import value_key
from carbonpeak.io.tables import unreadable_workbook
from carbonpeak.reference.loader import Reference

TITLE = "能源购进、消费与库存"
FORM_NUMBER = "205-1表"
# (column code, heading as the form prints it): instruments_2026.md §5.1 [F2]
COLUMNS: tuple[tuple[str, str], ...] = (
    ("甲", "能源名称"),
    ("乙", "计量单位"),
    ("丙", "代码"),
    ("1", "期初库存量"),
    ("2", "购进量 实物量"),
    ("3", "购进量 金额(千元)"),
    ("4", "消费量 合计"),
    ("5", "工业生产消费"),
    ("6", "用于原材料"),
    ("7", "非工业生产消费"),
    ("8", "合计中：运输工具消费"),
    ("9", "期末库存量"),
    ("10", "采用折标系数"),
    ("丁", "参考折标系数"),
)
HEADING = dict(COLUMNS)
NUMBERED = tuple(code for code, _ in COLUMNS[3:])
FIGURES = NUMBERED[:-1]  # columns 1-10: what the enterprise fills in (丁 is printed)
USCC_LABEL, PERIOD_LABEL = "统一社会信用代码", "报告期"
TOTAL_WORDS = ("合计", "总计", "小计")
# the form's heading each column of the activity table is read from (amount: of a fuel)
_ACTIVITY_HEADINGS = {
    "item": HEADING["甲"],
    "stream": HEADING["甲"],
    "unit": HEADING["乙"],
    "amount": HEADING["4"],
}
_PERIOD = re.compile(PERIOD_PATTERN)
# 2025年1-12月 (the annual form) and the months of a part of a year, which the form cannot be.
_CN_MONTHS = re.compile(r"^([0-9]{4})年?([0-9]{1,2})月?[-－—–~～至到]([0-9]{1,2})月?$")
_CN_PERIOD = re.compile(r"^([0-9]{4})\s*年?(?:\s*([0-9]{1,2})\s*月?)?$|^([0-9]{4})-([0-9]{1,2})$")


@dataclass(frozen=True)
class EnergyForm:
    """The activity lines of one filled form: the activity table's columns as text plus `row`
    (the line in the sheet), and the sheet they came from."""

    frame: pd.DataFrame
    sheet: str
    enterprise_id: str
    period: str
    header_rows: tuple[int | None, int | None] = (None, None)  # of 统一社会信用代码, 报告期
    purchased_rows: frozenset[int] = frozenset()  # rows whose amount is column 2 购进量

    def in_form_terms(self, problems: list[Problem]) -> list[Problem]:
        """Problems found later in the form's lines (by the store's checks) placed as the form
        has them: the enterprise and period at their header cells, the other columns of the
        activity table under the form's heading they were read from."""
        out = []
        for problem in problems:
            place, column = problem.place, problem.place.column
            if column in ("enterprise_id", "period"):
                row = self.header_rows[0 if column == "enterprise_id" else 1]
                label = USCC_LABEL if column == "enterprise_id" else PERIOD_LABEL
                place = replace(place, row=row, column=label)
            elif column in _ACTIVITY_HEADINGS:
                heading = _ACTIVITY_HEADINGS[column]
                if column == "amount" and place.row in self.purchased_rows:
                    heading = HEADING[PURCHASED]
                place = replace(place, column=heading)
            out.append(replace(problem, place=place))
        return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _load(path: Path, read_only: bool = False) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=read_only, data_only=True)
    except Exception as exc:  # a damaged or foreign file: many error types
        raise unreadable_workbook(path, exc) from None


def _form_sheet(book: Any) -> Any | None:
    """The sheet holding the form: one named like it, else the first sheet if its title block
    names the form."""
    for sheet in book.worksheets:
        if TITLE in sheet.title or "205-1" in sheet.title:
            return sheet
    first = book.worksheets[0]
    for row in first.iter_rows(min_row=1, max_row=6, values_only=True):
        if any(TITLE in _text(v) or FORM_NUMBER in _text(v) for v in row):
            return first
    return None


def is_energy_form(path: Path) -> bool:
    """True if `path` is a workbook holding form 205-1 (by its sheet name or title)."""
    if path.suffix.lower() != ".xlsx":
        return False
    try:
        book = _load(path, read_only=True)  # an activity workbook may be large: stream it
    except InputError:
        return False
    try:
        return _form_sheet(book) is not None
    except Exception:  # a damaged part: not the form; the activity reader names the fault
        return False
    finally:
        book.close()


def _header_value(cells: list[list[str]], label: str) -> tuple[str, int] | None:
    """The value given for `label` in the header block and its row (1-based)."""
    for r, row in enumerate(cells, start=1):
        for c, text in enumerate(row):
            if not text.startswith(label):
                continue
            rest = text[len(label) :].lstrip(":： ")
            if rest:
                return rest, r
            after = [t for t in row[c + 1 :] if t]
            return (after[0] if after else ""), r
    return None


def _period(text: str) -> str | None:
    """YYYY or YYYY-MM from 报告期; months 1 to 12 (2025年1-12月) are the year."""
    compact = text.replace(" ", "")
    months = _CN_MONTHS.match(compact)
    if months:
        whole = (int(months.group(2)), int(months.group(3))) == (1, 12)
        return months.group(1) if whole and _PERIOD.match(months.group(1)) else None
    match = _CN_PERIOD.match(compact)
    if not match:
        return None
    year = match.group(1) or match.group(3)
    month = match.group(2) or match.group(4)
    period = f"{year}-{int(month):02d}" if month else year
    return period if _PERIOD.match(period) else None


def _item_names(reference: Reference) -> dict[str, Any]:
    """The items by code and Chinese name, keyed through `headers.value_key` (NFKC, no blanks,
    lower case) as the form's cells are looked up: 纯碱（碳酸钠） matches 纯碱(碳酸钠)."""
    names: dict[str, Any] = {}
    for row in reference.rows("items"):
        names[_name_key(str(row["item"]))] = row
        names[_name_key(str(row["name_zh"]))] = row
    return names


def _name_key(name: str) -> str:
    return value_key(name.replace("它", "他"))


def read_energy_form(path: Path, reference: Reference, period: str | None = None) -> EnergyForm:
    """The activity lines of a filled form 205-1 workbook; `period` (YYYY or YYYY-MM) is used
    when the header gives no 报告期. Raise `InputError` with every problem placed in file,
    sheet, row and the form's column heading; nothing is returned on error."""
    book = _load(path)
    sheet = _form_sheet(book)
    if sheet is None:
        raise InputError(
            Problem.of(Place(file=str(path)), N_("no sheet holds form 205-1 ({})"), TITLE)
        )
    cells = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    place = Place(file=str(path), sheet=sheet.title)
    problems: list[Problem] = []

    def at(row: int | None, column: str, template: str, *values: Any) -> None:
        problems.append(Problem.of(Place(place.file, place.sheet, row, column), template, *values))

    code_row = next(
        (i for i, row in enumerate(cells) if "甲" in row and "4" in row and "乙" in row), None
    )
    if code_row is None:
        raise InputError(
            Problem.of(place, N_("no row of column codes (甲 乙 丙 1 … 10 丁) under the headings"))
        )
    index = {code: cells[code_row].index(code) for code, _ in COLUMNS if code in cells[code_row]}
    for code in ("甲", "乙", "2", "4", "6"):
        if code not in index:
            at(code_row + 1, HEADING[code], N_("column {} is missing"), code)
    head = cells[:code_row]
    found_id = _header_value(head, USCC_LABEL)
    enterprise_id = found_id[0] if found_id else ""
    if not enterprise_id:
        at(found_id[1] if found_id else None, USCC_LABEL, N_("{} is missing"), USCC_LABEL)
    else:
        reason = check_uscc(enterprise_id, reference).reason
        if reason:
            at(found_id[1] if found_id else None, USCC_LABEL, "{}", reason)
    found_period = _header_value(head, PERIOD_LABEL)
    period_text = found_period[0] if found_period and found_period[0] else (period or "")
    chosen = _period(period_text) if period_text else None
    if not period_text:
        at(
            found_period[1] if found_period else None,
            PERIOD_LABEL,
            N_("{} is missing: write it in the header or give the period"),
            PERIOD_LABEL,
        )
    elif chosen is None and _CN_MONTHS.match(period_text.replace(" ", "")):
        at(
            found_period[1] if found_period else None,
            PERIOD_LABEL,
            N_(
                "{!r} is a part of a year: the form's period must be a month (2025年6月) "
                "or the whole year (2025年 or 2025年1-12月)"
            ),
            period_text,
        )
    elif chosen is None:
        at(
            found_period[1] if found_period else None,
            PERIOD_LABEL,
            N_("{!r} is not a period (YYYY or YYYY-MM, or 2025年6月)"),
            period_text,
        )

    names = _item_names(reference)
    own_made = own_made_fuels(reference)
    purchased: set[int] = set()  # rows whose amount is read from column 2
    lines: list[dict[str, Any]] = []
    for r in range(code_row + 1, len(cells)):
        row = cells[r]
        line = r + 1

        def cell(code: str, row: list[str] = row) -> str:
            i = index.get(code)
            return row[i] if i is not None and i < len(row) else ""

        name = cell("甲")
        if not any(cell(c) for c in FIGURES):
            continue  # no figure: a blank row, or a printed row (name, unit, 丁) not filled in
        if any(word in name for word in TOTAL_WORDS):
            continue  # 能源合计 and other totals: the sum of rows already read
        numbers: dict[str, float | None] = {}
        for code in NUMBERED:
            text = cell(code)
            numbers[code] = read_number(text) if text else None
            if text and numbers[code] is None:
                at(line, HEADING[code], N_("{!r} is not a number"), text)
            elif numbers[code] is not None and numbers[code] < 0:  # type: ignore[operator]
                at(line, HEADING[code], N_("{} is negative"), text)
        item = names.get(_name_key(name))
        if not name:
            at(line, HEADING["甲"], N_("the energy name is blank"))
            continue
        if item is None:
            at(line, HEADING["甲"], N_("energy {!r} is not in the platform's item list"), name)
            continue
        category = str(item["category"])
        if category not in ("fuel", "secondary"):
            at(line, HEADING["甲"], N_("{!r} is not an energy this form reports"), name)
            continue
        unit = cell("乙")
        if not unit:
            at(line, HEADING["乙"], N_("the unit is blank"))
            continue
        if not is_unit(unit) or not compatible(unit, str(item["default_unit"])):
            at(line, HEADING["乙"], N_("{!r} is not a unit of {}"), unit, name)
            continue
        got = row_amounts(str(item["item"]), category, numbers, own_made, HEADING)
        if isinstance(got, RowProblem):
            at(line, HEADING[got.column], got.template, *got.values)
            continue
        if got.column == PURCHASED:
            purchased.add(line)
        for stream, amount in got.lines:
            lines.append(
                {
                    "stream": stream,
                    "item": str(item["item"]),
                    "amount": repr(amount),
                    "unit": unit,
                    "row": line,
                }
            )
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(lines, columns=["stream", "item", "amount", "unit", "row"])
    frame.insert(0, "enterprise_id", enterprise_id)
    frame.insert(1, "period", chosen or "")
    frame.insert(5, "direction", "in")
    rows = (found_id[1] if found_id else None, found_period[1] if found_period else None)
    return EnergyForm(frame, sheet.title, enterprise_id, chosen or "", rows, frozenset(purchased))


def write_energy_form(path: Path, reference: Reference | None = None, rows: int = 30) -> None:
    """A blank form 205-1 workbook in the layout `read_energy_form` reads: title, form number,
    the header block (统一社会信用代码, 报告期), the headings, the column codes, then the energy
    rows printed on the form (reference table `energy_form_rows`: name, unit and the reference
    coefficient 丁) when a reference is given, `rows` empty rows, and the 能源合计 row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from carbonpeak.io.sheets import append_row

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = TITLE
    append_row(sheet, [TITLE])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].alignment = Alignment(horizontal="center")
    append_row(sheet, [f"表号：{FORM_NUMBER}"])
    append_row(sheet, [USCC_LABEL, None])
    append_row(sheet, [PERIOD_LABEL, None])
    help_text = (
        "（报告期填 YYYY 或 YYYY-MM，如 2025 或 2025-06；每种能源一行；"
        "自产自用的焦炭、焦炉煤气、高炉煤气、转炉煤气只计购进的部分："
        "其碳已计入炼制它们的煤和焦炭）"
    )
    append_row(sheet, [help_text])
    append_row(sheet, [heading for _, heading in COLUMNS])
    append_row(sheet, [code for code, _ in COLUMNS])
    for cell in sheet[6]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center")
    printed = [] if reference is None else reference.rows("energy_form_rows")
    for row in sorted(printed, key=lambda r: int(str(r["position"]))):
        empty = [None] * (len(COLUMNS) - 4)
        append_row(sheet, [row["energy"], row["unit"], None, *empty, row["reference_coefficient"]])
    for _ in range(rows):
        append_row(sheet, [None] * len(COLUMNS))
    append_row(sheet, ["能源合计", "吨标准煤"])
    sheet.column_dimensions["A"].width = 18
    book.save(path)


def read_energy_form_upload(
    name: str, content: bytes, reference: Reference, period: str | None = None
) -> EnergyForm | None:
    """An uploaded workbook read as form 205-1, or None if it is not one; problems are placed
    in the file by the name the uploader gave it."""
    if Path(name).suffix.lower() != ".xlsx":
        return None
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "upload.xlsx"
        path.write_bytes(content)
        if not is_energy_form(path):
            return None
        try:
            form = read_energy_form(path, reference, period)
        except InputError as exc:
            raise InputError(
                [replace(p, place=replace(p.place, file=name)) for p in exc.problems]
            ) from None
    return form
