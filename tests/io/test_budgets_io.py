"""Reading budgets workbooks: a header's unit note is read, never left out (`总量上限（万吨）` is
10^4 t), an unknown note is refused at row 1 of its column; a formula cell without a computed
value (a workbook written by a program, not Excel) is refused at its cell, not read as blank."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from carbonpeak.errors import InputError
from carbonpeak.io.budgets import read_budgets
from carbonpeak.io.tables import read_table

HEAD = ["范围", "代码", "年度", "指标"]


def _book(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "预算"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("note", "cap"),
    [
        ("", 85_000),
        ("（万吨）", 85_000 * 1e4),  # 85,000 x 10^4 t = 8.5e8 t
        ("(万 t CO2)", 85_000 * 1e4),
        ("（t CO2 或 tce）", 85_000),  # the note the export's notes give
        ("（吨）", 85_000),
        ("（tCO2）", 85_000),
    ],
)
def test_a_cap_s_unit_note_is_read(tmp_path: Path, note: str, cap: float) -> None:
    path = _book(
        tmp_path / "b.xlsx",
        [*HEAD, f"总量上限{note}"],
        [["地区", "130000", 2026, "二氧化碳", 85000]],
    )
    [row] = read_budgets(path).rows
    assert float(row["cap"]) == pytest.approx(cap)


def test_energy_units_and_a_reserve_in_percent(tmp_path: Path) -> None:
    # 1,200 万tce = 1.2e7 tce; reserve 5 % = 0.05
    headers = [*HEAD, "总量上限（万tce）", "预留比例（%）"]
    path = _book(tmp_path / "e.xlsx", headers, [["地区", "130000", 2026, "能源", 1200, 5]])
    [row] = read_budgets(path).rows
    assert float(row["cap"]) == pytest.approx(1.2e7)
    assert float(row["reserve"]) == pytest.approx(0.05)


def test_an_unknown_note_or_the_other_quantity_s_unit_is_refused(tmp_path: Path) -> None:
    path = _book(
        tmp_path / "u.xlsx",
        [*HEAD, "总量上限（亿吨）"],
        [["地区", "130000", 2026, "二氧化碳", 8.5]],
    )
    with pytest.raises(InputError) as raised:
        read_budgets(path, "河北.xlsx")
    [problem] = raised.value.problems
    assert (problem.place.file, problem.place.sheet, problem.place.row, problem.place.column) == (
        "河北.xlsx", "预算", 1, "总量上限（亿吨）")  # fmt: skip
    # a tce unit on a CO2 row: refused at that row
    path = _book(
        tmp_path / "q.xlsx",
        [*HEAD, "总量上限（万吨标准煤）"],
        [["地区", "130000", 2026, "能源", 100], ["地区", "130100", 2026, "二氧化碳", 50]],
    )
    with pytest.raises(InputError) as raised:
        read_budgets(path)
    assert [(p.place.row, p.place.column) for p in raised.value.problems] == [
        (3, "总量上限（万吨标准煤）")
    ]


def test_a_formula_without_a_computed_value_is_refused_at_its_cell(tmp_path: Path) -> None:
    # openpyxl writes the formula and no cached value: read with data_only it is None, which
    # was read as a blank reserve (0) rather than 0.1
    headers = [*HEAD, "总量上限", "预留比例"]
    path = _book(
        tmp_path / "f.xlsx",
        headers,
        [
            ["地区", "130000", 2026, "二氧化碳", 10000, "=0.05*2"],
            ["地区", "130100", 2026, "二氧化碳", 100, None],
        ],
    )
    with pytest.raises(InputError) as raised:
        read_budgets(path, "b.xlsx")
    [problem] = raised.value.problems
    assert (problem.place.file, problem.place.sheet, problem.place.row, problem.place.column) == (
        "b.xlsx", "预算", 2, "预留比例")  # fmt: skip
    assert "open and save the file in Excel" in problem.message
    # the same through the generic reader; a blank cell (row 3) stays a blank
    with pytest.raises(InputError, match="formula without a computed value"):
        read_table(path, "预算")
    plain = _book(tmp_path / "p.xlsx", headers, [["地区", "130000", 2026, "二氧化碳", 10000, None]])
    assert read_table(plain, "预算")["预留比例"].tolist() == [""]
