"""The application workbooks, one per instrument with a form (`io.application_form.FORMS`),
Chinese first: sheet `application` one row of the form's fields, one sheet per repeating part
(`months`, `basic`, `indicators`, `built`, `exit`, `energy`), headers `中文 (code) [unit]`
(`io.headers.ColumnSpec`), drop-downs for choices, flags (是/否) and yes/no/not stated
(是/否/blank), `说明` the columns in Chinese and English, and
`example` sheets (`example_<sheet>`) with the hand-worked example of tests/policy, labelled as
examples: the reader reads the unprefixed sheets only.

`read_application_book` reads a filled workbook through the form reader, so that the workbook
and the form give the same application; problems are placed by sheet, row and column.
"""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.application_form import FORMS, read_form
from carbonpeak.io.application_specs import FormField
from carbonpeak.io.headers import ColumnSpec, choice_codes, map_headers, value_key
from carbonpeak.io.sheets import append_row
from carbonpeak.io.tables import sheet_named

MAIN = "application"
NOTES = "说明"
FLAG = (("yes", "是"), ("no", "否"))
TRISTATE = (("true", "是"), ("false", "否"))  # blank: not stated
UNITS = {"架": "rack", "分": "points"}
_FIELD = re.compile(r"^([a-z_]+)\.(\d+)\.([a-z0-9_]+)$")

# The examples: tests/policy/test_data_centre.py `_centre(1.25)` (PUE 1.25 in Hangzhou, shown
# for three of its twelve months), tests/policy/test_green_factory.py's sheet,
# tests/policy/test_capacity_swap.py `_steel(TANGSHAN, 12_500_000)` (refused: 1.5 x 10,000,000 t
# needed, 2,500,000 t short) and tests/policy/test_project_assessment.py `_line()` (approved,
# 8,372 tce, 83.72 kgce/t clinker).
EXAMPLES: dict[str, dict[str, list[dict[str, Any]]]] = {
    "datacentre": {
        MAIN: [
            {
                "name": "示例数据中心 example",
                "region_code": "330100",
                "evaluation_date": "2025-06-30",
                "racks": 5000,
                "new_or_expanded": "是",
                "large": "是",
            }
        ],
        "months": [
            {"month": f"2024-{m:02d}", "total_kwh": 1_250_000, "it_kwh": 1_000_000}
            for m in (1, 2, 3)
        ],
    },
    "factory": {
        MAIN: [{"factory": "示例工厂 example", "edition": "GB/T 36132-2018"}],
        "basic": [{"item": "合法合规", "met": "是"}],
        "indicators": [
            {
                "section": "infrastructure",
                "item": "infrastructure-1",
                "kind": "mandatory",
                "points": 10,
                "score": 10,
            },
            {
                "section": "infrastructure",
                "item": "infrastructure-2",
                "kind": "optional",
                "points": 10,
                "score": 5,
            },
        ],
    },
    "swap": {
        MAIN: [
            {
                "sector": "steel",
                "application_date": "2022-03-01",
                "location_region_code": "130200",
                "in_site_upgrade": "否",
            }
        ],
        "built": [{"equipment": "blast_furnace", "capacity_t": 10_000_000, "stage": "iron"}],
        "exit": [
            {
                "equipment": "blast_furnace",
                "capacity_t": 12_500_000,
                "stage": "iron",
                "source": "own",
                "region_code": "130200",
                "status": "operating",
            }
        ],
    },
    "project": {
        MAIN: [
            {
                "name": "熟料线",
                "region_code": "130200",
                "industry_code": "3011",
                "application_date": "2025-10-01",
                "area": "cement_clinker",
                "output_item": "clinker",
                "output_amount": 100_000,
            }
        ],
        "energy": [
            {"stream": "fuel", "item": "raw_coal", "amount": 10_000, "unit": "t"},
            {"stream": "electricity", "item": "electricity", "amount": 10_000_000, "unit": "kWh"},
        ],
    },
}


def _spec(field: FormField) -> ColumnSpec:
    choices = {"flag": FLAG, "tristate": TRISTATE}.get(
        field.type, tuple((c, c) for c in field.choices)
    )
    help_zh = field.help_zh + ("（必填）" if field.required else "")
    help_en = field.help_en + (" (required)" if field.required else "")
    if field.type == "tristate":
        help_zh, help_en = help_zh + "（空白：未说明）", help_en + " (blank: not stated)"
    return ColumnSpec(field.name, field.zh, help_zh, help_en, field.unit or None, choices)


def sheets_of(kind: str) -> dict[str, tuple[FormField, ...]]:
    """The workbook's sheets of a kind and their fields, `application` first."""
    form = FORMS[kind]
    return {MAIN: form.fields, **{g.name: g.fields for g in form.groups}}


def write_application_template(kind: str) -> bytes:
    """The workbook of `kind`, empty but for its example sheets."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    notes_rows: list[list[Any]] = []
    for sheet_name, fields in sheets_of(kind).items():
        specs = [_spec(f) for f in fields]
        for name in (sheet_name, f"example_{sheet_name}"):
            sheet = workbook.create_sheet(name)
            append_row(sheet, [s.header for s in specs])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            sheet.freeze_panes = "A2"
            for index, spec in enumerate(specs, start=1):
                width = max(14, len(spec.header) + 4)
                sheet.column_dimensions[get_column_letter(index)].width = width
                if spec.choices:
                    listed = ",".join(label for _, label in spec.choices)
                    validation = DataValidation(
                        type="list", formula1=f'"{listed}"', allow_blank=True
                    )
                    sheet.add_data_validation(validation)
                    letter = get_column_letter(index)
                    validation.add(f"{letter}2:{letter}500")
        example = workbook[f"example_{sheet_name}"]
        for row in EXAMPLES[kind][sheet_name]:
            append_row(example, [row.get(s.code) for s in specs])
        for spec in specs:
            unit = spec.unit or ""
            notes_rows.append(
                [sheet_name, spec.header, spec.code, unit, spec.help_zh, spec.help_en]
            )
    notes = workbook.create_sheet(NOTES, 0)
    append_row(notes, ["工作表 sheet", "列 column", "字段 field", "单位 unit", "说明", "meaning"])
    append_row(
        notes,
        [
            "example_*",
            "示例（不读取）",
            "",
            "",
            "以 example_ 开头的工作表是示例，上传时不读取",
            "sheets named example_* are examples, not read on upload",
        ],
    )
    for note in notes_rows:
        append_row(notes, note)
    for cell in notes[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_application_book(kind: str, content: bytes, file: str = "") -> dict[str, Any]:
    """The application mapping of a filled workbook of `kind`; `InputError` with every problem
    placed by sheet, row and column."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a file that is not a workbook
        raise InputError(
            [Problem.of(Place(file=file or None), N_("not an Excel workbook ({})"), error)]
        ) from None
    form: dict[str, str] = {}
    problems: list[Problem] = []
    columns: dict[tuple[str, str], str] = {}
    for sheet_name, fields in sheets_of(kind).items():
        title = sheet_named(workbook.sheetnames, sheet_name)  # `申请 (application)` too
        if title is None:
            problems.append(
                Problem.of(Place(file=file or None, sheet=sheet_name), N_("the sheet is missing"))
            )
            continue
        rows = list(workbook[title].iter_rows(values_only=True))
        if not rows:
            continue
        specs = [_spec(f) for f in fields]
        mapped, found = map_headers([_text(h) for h in rows[0]], specs, file or None, sheet_name)
        problems.extend(found)
        position = {_text(h): i for i, h in enumerate(rows[0])}
        for field in fields:
            if field.name in mapped:
                columns[(sheet_name, field.name)] = mapped[field.name]
        flags, tristate = choice_codes(FLAG), choice_codes(TRISTATE)
        for number, row in enumerate(rows[1:], start=2):
            for field in fields:
                header = mapped.get(field.name)
                cell = row[position[header]] if header is not None else None
                text = _text(cell)
                if field.type == "flag":
                    text = "on" if flags.get(value_key(text)) == "yes" else ""
                elif field.type == "tristate" and text:
                    text = tristate.get(value_key(text), text)
                if sheet_name == MAIN:
                    if number == 2:
                        form[field.name] = text
                else:
                    form[f"{sheet_name}.{number}.{field.name}"] = text
    if problems:
        raise InputError(problems)
    try:
        return read_form(kind, form)
    except InputError as error:
        raise InputError([_placed(p, file, columns) for p in error.problems]) from None


def _placed(problem: Problem, file: str, columns: dict[tuple[str, str], str]) -> Problem:
    """A form reader's problem at its sheet, row and column."""
    name = problem.place.field or ""
    match = _FIELD.match(name)
    if match:
        sheet, row, code = match.group(1), int(match.group(2)), match.group(3)
    elif "." not in name and name in {f.name for f in sheets_of_any()}:
        sheet, row, code = MAIN, 2, name
    else:
        return Problem(Place(file=file or None, sheet=name or None), *_rest(problem))
    column = columns.get((sheet, code), code)
    return Problem(Place(file or None, sheet, row, column), *_rest(problem))


def _rest(problem: Problem) -> tuple[str, str, tuple[Any, ...]]:
    return problem.message, problem.template, problem.values


def sheets_of_any() -> list[FormField]:
    """The fields of every form's `application` sheet."""
    return [f for form in FORMS.values() for f in form.fields]
