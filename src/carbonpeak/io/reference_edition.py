"""An edition of the reference library as the authority writes it: an Excel workbook
(`reference/editions.py` applies it).

- Sheet `版本 (edition)`: the edition's document, one field a row: the field in column A
  (Chinese or the code: 来源代码 source_id, 标题 title, 发布机关 issuer, 文号 document_number,
  发布日期 date, 网址 url, 条款 clause, 说明 note) and its value in column B, and the date it
  takes effect, 生效日期 valid_from (YYYY-MM-DD).
- Sheet `来源 (sources)` (optional): further documents its rows cite, with the columns of the
  library's `sources` table.
- One sheet per reference table, titled by its Chinese name and its code
  (`电网排放因子 (grid_emission_factors)`, as the blank workbook titles it), by its code alone
  (`grid_emission_factors`) or by its Chinese name alone (`电网排放因子`): row 1 the table's
  columns (the code, or a Chinese name with the code in brackets), then its rows;
  `valid_from`, `valid_to`, `source_id`, `status` and `note` may be left out (the edition's
  date and document, `verified`), and an optional column 操作 (action) says 新增 add, 修改
  change or 废止 retire.

Every problem names the file, sheet, row and column; nothing is returned on error.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.headers import ColumnSpec, map_headers, split_header, value_key
from carbonpeak.io.tables import unreadable_workbook
from carbonpeak.reference.catalog import TableSpec
from carbonpeak.reference.editions import ACTIONS, SOURCE_COLUMNS, Action, Edition, EditionRow
from carbonpeak.reference.loader import Reference

EDITION_SHEET, SOURCES_SHEET = "版本 (edition)", "来源 (sources)"
FIELDS = (  # the edition sheet's fields: code, Chinese
    ("source_id", "来源代码"),
    ("title", "标题"),
    ("issuer", "发布机关"),
    ("document_number", "文号"),
    ("date", "发布日期"),
    ("url", "网址"),
    ("clause", "条款"),
    ("note", "说明"),
    ("valid_from", "生效日期"),
)
PROVENANCE = (  # columns every table may carry: code, Chinese
    ("valid_from", "生效日期"),
    ("valid_to", "失效日期"),
    ("source_id", "来源代码"),
    ("status", "核实状态"),
    ("note", "说明"),
    ("action", "操作"),
)
ACTION_NAMES: dict[str, Action] = {"新增": "add", "修改": "change", "废止": "retire"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SHEET_TITLE_MAX = 31  # Excel refuses (repairs away) a longer sheet title


def sheet_code(title: str) -> str:
    """The code a sheet's title names: the bracketed code of `中文 (code)`, else the title."""
    bare, groups = split_header(title)
    return groups[-1] if groups else bare


def table_sheet_title(spec: TableSpec) -> str:
    """The title of a table's sheet in the blank workbook, Chinese first as the other
    templates title theirs (`io.sheet_names.sheet_title`): `电网排放因子 (grid_emission_factors)`.
    When the Chinese name and the code together pass Excel's 31 characters, the code alone
    (as `sheet_title` titles a sheet without a Chinese name): a title cut short would lose the
    code or garble the name, and the code alone reads as every earlier workbook did."""
    title = f"{spec.name_zh} ({spec.name})"
    return title if len(title) <= SHEET_TITLE_MAX else spec.name[:SHEET_TITLE_MAX]


def _table_of_sheet(title: str, reference: Reference) -> str:
    """The table a sheet's title names: the code (alone or in the brackets of `中文 (code)`), or
    a table's Chinese name alone; else the title's code as read (not a table: said so)."""
    code = sheet_code(title)
    if code in reference.catalog.tables:
        return code
    by_name = {value_key(s.name_zh): s.name for s in reference.catalog.tables.values()}
    return by_name.get(value_key(code), code)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def read_edition_book(path: Path, reference: Reference) -> Edition:
    """The edition a workbook holds, checked for its layout (the edition's rows are checked
    against the library when applied); `InputError` with every problem placed."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # damaged or not a workbook: many error types
        raise unreadable_workbook(path, exc) from None
    file = str(path)
    problems: list[Problem] = []
    sheets: dict[str, str] = {}
    for title in book.sheetnames:
        code = _table_of_sheet(title, reference)
        if code in sheets:
            problems.append(
                Problem.of(
                    Place(file=file, sheet=title),
                    N_("sheets {!r} and {!r} are both table {}: put its rows on one sheet"),
                    sheets[code],
                    title,
                    code,
                )
            )
            continue
        sheets[code] = title
    try:
        if "edition" not in sheets and "版本" not in sheets:
            raise InputError(
                Problem.of(
                    Place(file=file),
                    N_("no sheet {!r} (the edition's document and date); sheets: {}"),
                    EDITION_SHEET,
                    ", ".join(book.sheetnames),
                )
            )
        edition_sheet = sheets.get("edition") or sheets["版本"]
        document, valid_from = _document(
            book[edition_sheet], Place(file=file, sheet=edition_sheet), problems
        )
        sources: list[dict[str, str]] = []
        rows: list[EditionRow] = []
        for code, title in sheets.items():
            place = Place(file=file, sheet=title)
            if code in ("edition", "版本"):
                continue
            if code in ("sources", "来源"):
                sources += [
                    values for values, _ in _table(book[title], _sources_specs(), place, problems)
                ]
                continue
            if code not in reference.catalog.tables:
                problems.append(
                    Problem.of(
                        place,
                        N_("sheet {!r} is not a reference table; the tables: {}"),
                        title,
                        ", ".join(reference.table_names),
                    )
                )
                continue
            specs = _table_specs(reference, code)
            for values, row_place in _table(book[title], specs, place, problems):
                action = _action(values.pop("action", ""), row_place, problems)
                rows.append(EditionRow(code, values, action, row_place))
    finally:
        book.close()
    if not rows and not problems:
        problems.append(Problem.of(Place(file=file), N_("the edition has no table rows")))
    if problems or valid_from is None:
        raise InputError(problems)
    place = Place(file=file, sheet=edition_sheet)
    return Edition(document, valid_from, tuple(rows), tuple(sources), place)


def _document(
    sheet: Any, place: Place, problems: list[Problem]
) -> tuple[dict[str, str], date | None]:
    names = {value_key(n): code for code, zh in FIELDS for n in (code, zh, f"{zh} ({code})")}
    found: dict[str, str] = {}
    for line, row in enumerate(sheet.iter_rows(values_only=True), 1):
        cells = [_text(v) for v in row[:2]] + ["", ""]
        if not cells[0] or sheet_code(cells[0]) in ("field", "字段"):
            continue  # a blank row, or the heading row 字段 (field) | 内容 (value)
        code = names.get(value_key(sheet_code(cells[0]))) or names.get(value_key(cells[0]))
        if code is None:
            problems.append(
                Problem.of(
                    replace_place(place, line, "A"),
                    N_("{!r} is not a field of the edition; the fields: {}"),
                    cells[0],
                    ", ".join(f"{zh} ({code})" for code, zh in FIELDS),
                )
            )
            continue
        found[code] = cells[1]
    valid_from = None
    text = found.pop("valid_from", "")
    if not _DATE.match(text):
        problems.append(
            Problem.of(
                replace_place(place, None, "valid_from"),
                N_("the date it takes effect, valid_from, must be a date YYYY-MM-DD, not {!r}"),
                text,
            )
        )
    else:
        try:
            valid_from = date.fromisoformat(text)
        except ValueError:
            problems.append(
                Problem.of(replace_place(place, None, "valid_from"), N_("{!r} is not a date"), text)
            )
    for code in ("source_id", "title"):
        if not found.get(code):
            problems.append(
                Problem.of(
                    replace_place(place, None, code), N_("the edition's {} is missing"), code
                )
            )
    return {k: v for k, v in found.items() if v}, valid_from


def replace_place(place: Place, row: int | None, column: str) -> Place:
    return Place(file=place.file, sheet=place.sheet, row=row, column=column)


def _sources_specs() -> list[ColumnSpec]:
    return [ColumnSpec(code, code) for code in SOURCE_COLUMNS]


def _table_specs(reference: Reference, table: str) -> list[ColumnSpec]:
    spec = reference.spec(table)
    own = [ColumnSpec(c.name, c.name) for c in spec.columns]
    extra = [
        ColumnSpec(code, zh) for code, zh in PROVENANCE if spec.temporal or "valid" not in code
    ]
    return [*own, *extra]


def _table(
    sheet: Any, specs: list[ColumnSpec], place: Place, problems: list[Problem]
) -> list[tuple[dict[str, str], Place]]:
    """The rows of a table sheet by column code, each with its place (row 1: the header)."""
    rows = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    columns, found = map_headers(header, specs, place.file, place.sheet)
    problems += found
    if found:
        return []
    where = {h: i for i, h in enumerate(header)}
    out = []
    for line, row in enumerate(rows, 2):
        cells = {
            code: _text(row[where[h]]) if where[h] < len(row) else "" for code, h in columns.items()
        }
        if any(cells.values()):
            out.append((cells, Place(file=place.file, sheet=place.sheet, row=line)))
    return out


def _action(text: str, place: Place, problems: list[Problem]) -> Action | None:
    if not text:
        return None
    action = ACTION_NAMES.get(text) or (text if text in ACTIONS else None)
    if action is None:
        problems.append(
            Problem.of(
                replace_place(place, place.row, "action"),
                N_("{!r} is not an action: 新增 (add), 修改 (change) or 废止 (retire)"),
                text,
            )
        )
    return action


def write_edition_template(path: Path, reference: Reference, tables: list[str]) -> None:
    """A blank edition workbook: the edition sheet with its fields, the sources sheet, and a
    sheet for each of `tables` (`table_sheet_title`) with its columns (the table's own first,
    then the dates, the source, the status, the note and the action)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from carbonpeak.io.sheets import append_row

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = EDITION_SHEET
    append_row(sheet, ["字段 (field)", "内容 (value)"])
    for code, zh in FIELDS:
        append_row(sheet, [f"{zh} ({code})", None])
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 60
    sources = book.create_sheet(SOURCES_SHEET)
    append_row(sources, list(SOURCE_COLUMNS))
    for table in tables:
        spec = reference.spec(table)
        made = book.create_sheet(table_sheet_title(spec))
        headers = [c.name for c in spec.columns]
        headers += [
            f"{zh} ({code})" for code, zh in PROVENANCE if spec.temporal or "valid" not in code
        ]
        append_row(made, headers)
        for cell in made[1]:
            cell.font = Font(bold=True)
    book.save(path)


def read_edition_upload(name: str, content: bytes, reference: Reference) -> Edition:
    """`read_edition_book` of an uploaded workbook; problems placed in the file by the name it
    was uploaded with."""
    import tempfile
    from dataclasses import replace

    if Path(name).suffix.lower() != ".xlsx":
        raise InputError(
            Problem.of(Place(file=name), N_("an edition is an Excel workbook (.xlsx)"))
        )
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "edition.xlsx"
        path.write_bytes(content)
        try:
            edition = read_edition_book(path, reference)
        except InputError as exc:
            raise InputError(
                [replace(p, place=replace(p.place, file=name)) for p in exc.problems]
            ) from None
    return replace(
        edition,
        place=replace(edition.place, file=name),
        rows=tuple(replace(r, place=replace(r.place, file=name)) for r in edition.rows),
    )
