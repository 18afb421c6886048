"""The data-quality control plan's workbook read back (`io.market_plan` writes it), and the
problems of the plan's check placed in it.

`read_plan` gives the `QualityPlan` or an `InputError` with every problem placed by file,
sheet, row and the column as written; `read_plan_lines` gives it with the workbook row of each
version, facility and parameter (blank rows are skipped, so the n-th parameter is not always on
row n + 1); `place_in_workbook` places the problems of `market.plan_checks.check_plan` (Annex B
section, row from 1, field) at those rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.headers import ColumnSpec, choice_codes, choice_label, map_headers, value_key
from carbonpeak.io.market_plan import SHEETS, EnterpriseLine
from carbonpeak.io.sheet_names import sheet_title
from carbonpeak.io.tables import read_upload
from carbonpeak.market.plans import Enterprise, Facility, ParameterRow, PlanVersion, QualityPlan
from carbonpeak.reference.loader import Reference

_ENTERPRISE_FIELDS = {"sector", "year", "record_retention_years"}  # placed on B.2 by io
_NUMBERS = {"year": int, "calibration_months": int, "record_retention_years": float}

# The workbook row of each built row, by sheet code (versions, enterprises, facilities,
# parameters): the n-th row of the plan's table is on row lines[code][n - 1].
PlanLines = Mapping[str, tuple[int, ...]]


@dataclass
class _Sheet:
    code: str
    title: str
    columns: dict[str, str]  # field -> header as written
    rows: list[tuple[int, dict[str, Any]]]


def _value(
    spec: ColumnSpec, text: str, items: dict[str, str], place: Place, problems: list[Problem]
) -> Any:
    text = text.strip()
    if not text:
        return None
    if spec.choices:
        code = choice_codes(spec.choices).get(value_key(text))
        if code is None:
            problems.append(
                Problem.of(
                    place,
                    N_("{!r} is not one of: {}"),
                    text,
                    ", ".join(choice_label(c, n) for c, n in spec.choices),
                )
            )
        return code
    if spec.code == "item":
        return items.get(value_key(text), text)
    if spec.code == "date":
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            problems.append(Problem.of(place, N_("{!r} is not a date (YYYY-MM-DD)"), text))
            return None
    if spec.code in _NUMBERS:
        try:
            number = float(text)
        except ValueError:
            problems.append(Problem.of(place, N_("{!r} is not a number"), text))
            return None
        if _NUMBERS[spec.code] is int:
            if not number.is_integer():
                problems.append(Problem.of(place, N_("{!r} is not a whole number"), text))
                return None
            return int(number)
        return number
    return text


def _read_sheet(
    name: str,
    content: bytes,
    code: str,
    specs: Sequence[ColumnSpec],
    items: dict[str, str],
    problems: list[Problem],
) -> _Sheet | None:
    try:
        frame = read_upload(name, content, code)
    except InputError as exc:
        problems += exc.problems
        return None
    title = sheet_title(code)
    headers = [str(c) for c in frame.columns if c != "row"]
    columns, header_problems = map_headers(headers, specs, name, title)
    problems += header_problems
    by_code = {s.code: s for s in specs}
    rows = []
    for record in frame.to_dict("records"):
        line = int(record["row"])
        cells = {f: str(record[h]) for f, h in columns.items()}
        if not any(c.strip() for c in cells.values()):
            continue  # a blank line
        values = {}
        for field, text in cells.items():
            place = Place(file=name, sheet=title, row=line, column=columns[field])
            value = _value(by_code[field], text, items, place, problems)
            if value is not None:
                values[field] = value
        rows.append((line, values))
    return _Sheet(code, title, columns, rows)


def _build(
    model: type[BaseModel],
    sheet: _Sheet,
    line: int,
    values: dict[str, Any],
    name: str,
    problems: list[Problem],
) -> Any:
    try:
        return model(**values)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            column = sheet.columns.get(field)
            problems.append(
                Problem.of(
                    Place(
                        file=name,
                        sheet=sheet.title,
                        row=line,
                        column=column,
                        field=None if column else field,
                    ),
                    N_("{}: {}"),
                    field,
                    error["msg"],
                )
            )
        return None


def read_plan(name: str, content: bytes, reference: Reference) -> QualityPlan:
    """The plan of a workbook (the four sheets), or `InputError` with every problem placed by
    file, sheet, row and column as written."""
    return read_plan_lines(name, content, reference)[0]


def read_plan_lines(
    name: str, content: bytes, reference: Reference
) -> tuple[QualityPlan, PlanLines]:
    """The plan of a workbook and the workbook row of each of its rows (by sheet code), or
    `InputError` with every problem placed by file, sheet, row and column as written."""
    items: dict[str, str] = {}
    for record in reference.rows("items"):
        code, label = str(record["item"]), str(record["name_zh"])
        for key in (code, label, choice_label(code, label)):
            items.setdefault(value_key(str(key)), str(record["item"]))
    problems: list[Problem] = []
    sheets = {
        code: _read_sheet(name, content, code, specs, items, problems)
        for code, specs in SHEETS.values()
    }
    if problems:
        raise InputError(problems)
    built: dict[str, list[Any]] = {}
    models: dict[str, type[BaseModel]] = {
        "versions": PlanVersion,
        "enterprises": EnterpriseLine,
        "facilities": Facility,
        "parameters": ParameterRow,
    }
    lines: dict[str, tuple[int, ...]] = {}
    for code, sheet in sheets.items():
        assert sheet is not None
        built[code] = [
            _build(models[code], sheet, line, values, name, problems) for line, values in sheet.rows
        ]
        lines[code] = tuple(line for line, _ in sheet.rows)
    enterprise_sheet = sheets["enterprises"]
    assert enterprise_sheet is not None
    if len(built["enterprises"]) != 1:
        problems.append(
            Problem.of(
                Place(file=name, sheet=enterprise_sheet.title),
                N_("the sheet has {} enterprise lines; a plan has one"),
                len(built["enterprises"]),
            )
        )
    if not built["versions"]:
        problems.append(
            Problem.of(
                Place(file=name, sheet=sheet_title("versions")),
                N_("the plan has no version: give at least the first (B.1)"),
            )
        )
    if problems:
        raise InputError(problems)
    line: EnterpriseLine = built["enterprises"][0]
    plan = QualityPlan(
        enterprise=Enterprise(
            **line.model_dump(exclude={"sector", "year", "record_retention_years"})
        ),
        sector=line.sector,
        year=line.year,
        versions=tuple(built["versions"]),
        facilities=tuple(built["facilities"]),
        parameters=tuple(built["parameters"]),
        record_retention_years=line.record_retention_years,
    )
    return plan, lines


def place_in_workbook(
    problems: Sequence[Problem], name: str, lines: PlanLines | None = None
) -> list[Problem]:
    """Problems of `check_plan` (section, row from 1, field) placed in the plan's workbook: the
    sheet, the row and the column header. `lines`: the rows the plan was read from
    (`read_plan_lines`); without them, the rows as `plan_workbook_bytes` writes them (header = 1,
    no blank rows)."""
    out = []
    for problem in problems:
        section = problem.place.sheet or ""
        if problem.place.field in _ENTERPRISE_FIELDS:
            section = "B.2"  # the plan's sector, year and record retention: its B.2 line
        if section not in SHEETS:
            out.append(replace(problem, place=replace(problem.place, file=name)))
            continue
        code, specs = SHEETS[section]
        headers = {s.code: s.header for s in specs}
        field = problem.place.field
        column = headers.get(field or "")
        number = 1 if code == "enterprises" else problem.place.row
        row = None
        if number is not None:
            read = lines.get(code, ()) if lines is not None else ()
            row = read[number - 1] if 0 < number <= len(read) else number + 1
        out.append(
            replace(
                problem,
                place=Place(
                    file=name,
                    sheet=sheet_title(code),
                    row=row,
                    column=column,
                    field=None if column else field,
                ),
            )
        )
    return out
