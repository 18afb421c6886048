"""The plan's workbook (io.market_plan): written and read back, Chinese headers and names, and
problems placed by file, sheet, row and column."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from carbonpeak.errors import InputError, Place
from carbonpeak.io.market_plan import plan_workbook_bytes
from carbonpeak.io.market_plan_reader import place_in_workbook, read_plan, read_plan_lines
from carbonpeak.market.plan_checks import check_plan
from carbonpeak.market.plans import PlanVersion
from carbonpeak.reference.loader import Reference, default_reference

from .test_plans import plan, replaced

NAME = "方案.xlsx"


@pytest.fixture(scope="module")
def reference() -> Reference:
    return default_reference()


def test_round_trip(reference):
    original = plan()
    content = plan_workbook_bytes(original, reference)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        "版本 (versions)",
        "企业 (enterprises)",
        "设施 (facilities)",
        "参数 (parameters)",
    ]
    headers = [c.value for c in book["参数 (parameters)"][1]]
    assert headers[:5] == [
        "排放类型 (emission_type)",
        "品种 (item)",
        "参数名称 (parameter)",
        "单位 (unit)",
        "获取方式 (acquisition)",
    ]
    assert "规定的检定/校准频次 (calibration_months) [月]" in headers
    first = [c.value for c in book["参数 (parameters)"][2]]
    assert first[:5] == [
        "化石燃料 (fuel)",
        "焦炭 (coke)",
        "净消耗量 (net_consumption)",
        "t",
        "实测值 (measured)",
    ]
    assert read_plan(NAME, content, reference) == original


def _edited(content: bytes, sheet: str, cell: str, value) -> bytes:
    book = load_workbook(io.BytesIO(content))
    book[sheet][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_chinese_names_alone_are_read(reference):
    content = plan_workbook_bytes(plan(), reference)
    content = _edited(content, "参数 (parameters)", "A2", "化石燃料")
    content = _edited(content, "参数 (parameters)", "B2", "焦炭")
    content = _edited(content, "参数 (parameters)", "E2", "measured")
    assert read_plan(NAME, content, reference) == plan()


def test_bad_cells_placed(reference):
    content = plan_workbook_bytes(plan(), reference)
    content = _edited(content, "参数 (parameters)", "E3", "估算值")  # not an acquisition mode
    content = _edited(content, "参数 (parameters)", "K2", "十二")  # not a number
    content = _edited(content, "版本 (versions)", "B2", "2025/13/01")
    content = _edited(content, "设施 (facilities)", "E2", "报废")
    with pytest.raises(InputError) as caught:
        read_plan(NAME, content, reference)
    places = [p.place for p in caught.value.problems]
    assert places == [
        Place(file=NAME, sheet="版本 (versions)", row=2, column="制定或修订时间 (date)"),
        Place(file=NAME, sheet="设施 (facilities)", row=2, column="使用状态 (status)"),
        Place(
            file=NAME,
            sheet="参数 (parameters)",
            row=2,
            column="规定的检定/校准频次 (calibration_months) [月]",
        ),
        Place(file=NAME, sheet="参数 (parameters)", row=3, column="获取方式 (acquisition)"),
    ]


def test_unknown_header_and_missing_sheet(reference):
    content = plan_workbook_bytes(plan(), reference)
    with_header = _edited(content, "设施 (facilities)", "I1", "颜色")
    with pytest.raises(InputError) as caught:
        read_plan(NAME, with_header, reference)
    [problem] = caught.value.problems
    assert problem.place == Place(file=NAME, sheet="设施 (facilities)", row=1, column="颜色")
    book = load_workbook(io.BytesIO(content))
    del book["版本 (versions)"]
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InputError) as caught:
        read_plan(NAME, out.getvalue(), reference)
    assert "版本 (versions)" in str(caught.value)


def test_required_field_missing_placed(reference):
    content = _edited(plan_workbook_bytes(plan(), reference), "参数 (parameters)", "E4", None)
    with pytest.raises(InputError) as caught:
        read_plan(NAME, content, reference)
    [problem] = caught.value.problems
    assert problem.place == Place(
        file=NAME, sheet="参数 (parameters)", row=4, column="获取方式 (acquisition)"
    )


def test_check_problems_placed_in_the_workbook(reference):
    rows = replaced(("fuel", "coke", "ncv"), acquisition="measured", monitoring_frequency="monthly")
    bad = plan(rows, record_retention_years=3)
    result = check_plan(bad, "steel", 2026, reference)
    placed = [p.place for p in place_in_workbook(result.problems, NAME)]
    assert placed == [
        Place(file=NAME, sheet="参数 (parameters)", row=3, column="获取方式 (acquisition)"),
        Place(
            file=NAME,
            sheet="企业 (enterprises)",
            row=2,
            column="记录保存年限 (record_retention_years) [年]",
        ),
    ]


def test_year_out_of_range_placed(reference):
    content = _edited(plan_workbook_bytes(plan(), reference), "企业 (enterprises)", "H2", 2019)
    with pytest.raises(InputError) as caught:
        read_plan(NAME, content, reference)
    [problem] = caught.value.problems
    assert problem.place == Place(
        file=NAME, sheet="企业 (enterprises)", row=2, column="方案年度 (year)"
    )


def test_problems_after_a_blank_row_are_placed_on_their_row(reference):
    """A blank row between parameter rows (and between versions): the n-th parameter is no
    longer on row n + 1, and the check's problems are placed on the rows as read (review
    finding 16)."""
    rows = replaced(("fuel", "coke", "ncv"), acquisition="measured", monitoring_frequency="monthly")
    versions = (
        PlanVersion(number="V1", date=date(2025, 12, 20), reason="首次制定"),
        PlanVersion(number="V2", date=date(2026, 2, 1)),  # a revision without its reason
    )
    content = plan_workbook_bytes(plan(rows, versions=versions), reference)
    book = load_workbook(io.BytesIO(content))
    book["参数 (parameters)"].insert_rows(3)  # blank row 3: the coke NCV row moves to row 4
    book["版本 (versions)"].insert_rows(2, amount=2)  # V1 on row 4, V2 on row 5
    out = io.BytesIO()
    book.save(out)
    found, lines = read_plan_lines(NAME, out.getvalue(), reference)
    assert lines["parameters"][:3] == (2, 4, 5) and lines["versions"] == (4, 5)
    result = check_plan(found, "steel", 2026, reference)
    placed = [
        (p.place.sheet, p.place.row, p.place.column)
        for p in place_in_workbook(result.problems, NAME, lines)
    ]
    assert placed == [
        ("版本 (versions)", 5, "首次制定或修订原因 (reason)"),
        ("参数 (parameters)", 4, "获取方式 (acquisition)"),
    ]
