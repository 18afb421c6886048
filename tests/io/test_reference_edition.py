"""An edition workbook as an authority fills it (io/reference_edition.py): the blank template
filled in Excel's way (Chinese field names, dates as dates, numbers as numbers), read and
applied; layout problems placed by sheet, row and column. The document is a test fixture."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from carbonpeak.errors import InputError
from carbonpeak.io.reference_edition import (
    read_edition_book,
    table_sheet_title,
    write_edition_template,
)
from carbonpeak.reference.editions import apply_edition
from carbonpeak.reference.loader import default_reference

GRID = "电网排放因子 (grid_emission_factors)"  # the table's sheet, titled Chinese first
FIELDS = {
    "来源代码 (source_id)": "test_fixture_notice",
    "标题 (title)": "关于调整电网排放因子的测试通知（test fixture, not a real rule）",
    "发布机关 (issuer)": "测试机关",
    "文号 (document_number)": "测试〔2026〕7号",
    "发布日期 (date)": datetime(2026, 11, 30),
    "生效日期 (valid_from)": datetime(2024, 1, 1),
}


def _filled(path: Path, rows: list[list[object]], fields: dict[str, object] = FIELDS) -> Path:
    write_edition_template(path, default_reference(), ["grid_emission_factors"])
    book = load_workbook(path)
    sheet = book["版本 (edition)"]
    for line in range(2, sheet.max_row + 1):
        label = sheet.cell(line, 1).value
        if label in fields:
            sheet.cell(line, 2, fields[label])
    table = book[GRID]
    for row in rows:
        table.append(row)
    book.save(path)
    return path


def test_a_filled_template_is_read_and_applied(tmp_path: Path) -> None:
    # area, kind, value, unit, valid_from, valid_to, source_id, status, note, action
    path = _filled(
        tmp_path / "e.xlsx",
        [["national", "ets", 0.5555, "kgCO2/kWh", None, None, None, None, "第二条", "修改"]],
    )
    edition = read_edition_book(path, default_reference())
    assert edition.valid_from == date(2024, 1, 1) and edition.source_id == "test_fixture_notice"
    assert edition.document["date"] == "2026-11-30"
    [row] = edition.rows
    assert row.action == "change" and row.values["value"] == "0.5555"
    assert (row.place.sheet, row.place.row) == (GRID, 2)
    new = apply_edition(default_reference(), edition).reference
    value = new.lookup("grid_emission_factors", as_of=date(2024, 3, 1), area="national", kind="ets")
    assert value.value == 0.5555 and value.provenance.note == "第二条"


def test_layout_problems_are_placed(tmp_path: Path) -> None:
    fields = {**FIELDS, "生效日期 (valid_from)": "next year"}
    path = _filled(
        tmp_path / "e.xlsx",
        [["national", "ets", 0.5555, "kgCO2/kWh", None, None, None, None, None, "改一下"]],
        fields,
    )
    book = load_workbook(path)
    book[GRID].cell(1, 3, "排放因子 (colour)")  # a column the table lacks
    book.create_sheet("no_such_table")
    book.save(path)
    with pytest.raises(InputError) as raised:
        read_edition_book(path, default_reference())
    said = {(p.place.sheet, p.place.row, p.place.column): p.message for p in raised.value.problems}
    assert "must be a date" in said[("版本 (edition)", None, "valid_from")]
    assert "unknown column" in said[(GRID, 1, "排放因子 (colour)")]
    assert "not a reference table" in said[("no_such_table", None, None)]


def test_an_action_the_reader_does_not_know(tmp_path: Path) -> None:
    path = _filled(
        tmp_path / "e.xlsx",
        [["national", "ets", 0.5555, "kgCO2/kWh", None, None, None, None, None, "改一下"]],
    )
    with pytest.raises(InputError) as raised:
        read_edition_book(path, default_reference())
    [problem] = raised.value.problems
    assert (problem.place.sheet, problem.place.row, problem.place.column) == (GRID, 2, "action")
    assert "新增 (add), 修改 (change) or 废止 (retire)" in problem.message


def test_two_sheets_of_one_table_are_refused(tmp_path: Path) -> None:
    """Review 21 #9: the second sheet's rows were dropped without a word."""
    path = _filled(
        tmp_path / "e.xlsx", [["national", "ets", 0.55, "kgCO2/kWh", None, None, None, None]]
    )
    book = load_workbook(path)
    book.create_sheet("电网因子 (grid_emission_factors)").append(["area", "kind", "value", "unit"])
    book.save(path)
    with pytest.raises(InputError) as raised:
        read_edition_book(path, default_reference())
    assert "are both table grid_emission_factors" in str(raised.value)


def test_each_table_sheet_is_titled_chinese_first_within_excels_limit(tmp_path: Path) -> None:
    reference = default_reference()
    path = tmp_path / "all.xlsx"
    write_edition_template(path, reference, list(reference.table_names))
    titles = load_workbook(path).sheetnames[2:]  # after 版本 (edition) and 来源 (sources)
    assert GRID in titles
    for table, title in zip(reference.table_names, titles, strict=True):
        assert len(title) <= 31, title
        chinese_first = f"{reference.spec(table).name_zh} ({table})"
        # the code alone when both do not fit: pump_efficiency_coefficients, 42 characters
        assert title == (chinese_first if len(chinese_first) <= 31 else table)
    assert "pump_efficiency_coefficients" in titles
    assert table_sheet_title(reference.spec("pump_efficiency_coefficients")) == (
        "pump_efficiency_coefficients"
    )


@pytest.mark.parametrize(
    "title",
    [
        "grid_emission_factors",  # the code alone, as every earlier workbook titled it
        "电网排放因子",  # the Chinese name alone
        "电网排放因子（grid_emission_factors）",  # full-width brackets
        "电网因子 (grid_emission_factors)",  # another Chinese label: the code decides
    ],
)
def test_a_table_sheet_titled_otherwise_reads_the_same(tmp_path: Path, title: str) -> None:
    row = ["national", "ets", 0.5555, "kgCO2/kWh", None, None, None, None, "第二条", "修改"]
    written = read_edition_book(_filled(tmp_path / "a.xlsx", [row]), default_reference())
    path = _filled(tmp_path / "b.xlsx", [row])
    book = load_workbook(path)
    book[GRID].title = title
    book.save(path)
    edition = read_edition_book(path, default_reference())
    [again], [first] = edition.rows, written.rows
    assert (again.table, again.values, again.action) == (first.table, first.values, first.action)
    assert (again.place.sheet, again.place.row) == (title, 2)
