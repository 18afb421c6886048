"""The application workbooks: Chinese-first headers, the example rows, and a filled workbook
read into the same application as the form and the file give; problems placed by sheet, row
and column."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from carbonpeak.errors import InputError
from carbonpeak.io.application_book import read_application_book, write_application_template


def _filled(kind: str, edit: dict[tuple[str, int, int], object] | None = None) -> bytes:
    """The template with its example rows copied into the sheets the reader reads."""
    book = load_workbook(io.BytesIO(write_application_template(kind)))
    for name in list(book.sheetnames):
        if name.startswith("example_"):
            target = book[name.removeprefix("example_")]
            for row in book[name].iter_rows(min_row=2, values_only=True):
                target.append(list(row))
    for (sheet, row, column), value in (edit or {}).items():
        book[sheet].cell(row, column).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_is_chinese_first_with_notes_and_drop_downs() -> None:
    book = load_workbook(io.BytesIO(write_application_template("datacentre")))
    assert book.sheetnames[0] == "说明"
    headers = [c.value for c in book["months"][1]]
    assert headers == ["月份 (month)", "总耗电量 (total_kwh) [kWh]", "IT 设备耗电量 (it_kwh) [kWh]"]
    assert book["application"].data_validations.dataValidation  # 是/否 for the flags
    assert book["example_months"].max_row == 4  # three example months


def test_the_data_centre_workbook_gives_the_file_mapping() -> None:
    # the example of tests/policy/test_data_centre.py, three months of PUE 1.25
    assert read_application_book("datacentre", _filled("datacentre")) == {
        "name": "示例数据中心 example",
        "region_code": "330100",
        "evaluation_date": "2025-06-30",
        "racks": 5000,
        "new_or_expanded": True,
        "large": True,
        "months": [
            {"month": f"2024-{m:02d}", "total_kwh": 1_250_000.0, "it_kwh": 1_000_000.0}
            for m in (1, 2, 3)
        ],
    }


def test_the_factory_workbook_gives_the_sheet() -> None:
    data = read_application_book("factory", _filled("factory"))
    assert data["basic"] == [{"item": "合法合规", "met": True}]
    assert data["sections"]["infrastructure"][1] == {
        "item": "infrastructure-2",
        "kind": "optional",
        "points": 10.0,
        "score": 5.0,
    }


def test_bad_cells_are_placed_by_sheet_row_and_column() -> None:
    content = _filled("factory", {("indicators", 3, 3): "sometimes", ("indicators", 2, 4): -1})
    with pytest.raises(InputError) as raised:
        read_application_book("factory", content, "f.xlsx")
    places = {(p.place.sheet, p.place.row, p.place.column) for p in raised.value.problems}
    assert places == {
        ("indicators", 3, "类型 (kind)"),
        ("indicators", 2, "分值 (points) [分]"),
    }


def test_the_swap_workbook_gives_the_file_mapping_and_its_verdict() -> None:
    from carbonpeak.policy import INSTRUMENTS
    from carbonpeak.reference.loader import default_reference
    from tests.io.test_application_form import FLAGS_OFF
    from tests.policy.test_capacity_swap import _steel

    # `_steel(TANGSHAN, 12_500_000)`: ratio 1.5 in 唐山, 15,000,000 t needed, 2,500,000 short
    data = read_application_book("swap", _filled("swap"))
    assert data == {**_steel("130200", 12_500_000), **FLAGS_OFF}
    verdict = INSTRUMENTS["swap"].run(data, default_reference()).as_dict()
    assert not verdict["compliant"] and verdict["shortfall_t"] == 2.5e6


def test_the_swap_workbook_reads_yes_no_and_not_stated() -> None:
    # column 9 of `application` is reaches_benchmark, after 3 fields and 5 flags
    book = load_workbook(io.BytesIO(write_application_template("swap")))
    assert book["application"].cell(1, 9).value == "达到能效标杆水平 (reaches_benchmark)"
    assert "reaches_benchmark" not in read_application_book("swap", _filled("swap"))
    said = {
        cell: read_application_book("swap", _filled("swap", {("application", 2, 9): cell}))
        for cell in ("是", "否")
    }
    assert said["是"]["reaches_benchmark"] is True and said["否"]["reaches_benchmark"] is False
    with pytest.raises(InputError) as raised:
        read_application_book("swap", _filled("swap", {("application", 2, 9): "也许"}), "s.xlsx")
    assert [(p.place.sheet, p.place.row) for p in raised.value.problems] == [("application", 2)]


def test_the_project_workbook_gives_the_file_mapping() -> None:
    from tests.policy.test_project_assessment import _line

    # `_line()`: 7,143 + 1,229 = 8,372 tce for 100,000 t clinker, approved
    assert read_application_book("project", _filled("project")) == _line()


def test_bad_swap_and_project_cells_are_placed() -> None:
    # exit row 2: capacity (column 2) below 0, status (column 6) unknown; the built sheet empty
    content = _filled(
        "swap", {("exit", 2, 2): -1, ("exit", 2, 6): "retired", ("built", 2, 1): None}
    )
    content = _filled_without(content, "built")
    with pytest.raises(InputError) as raised:
        read_application_book("swap", content, "s.xlsx")
    places = {(p.place.sheet, p.place.row, p.place.column) for p in raised.value.problems}
    assert places == {
        ("exit", 2, "年产能 (capacity_t) [t]"),
        ("exit", 2, "状态 (status)"),
        ("built", None, None),
    }
    missing = _filled("project", {("application", 2, 3): None})  # industry_code required
    with pytest.raises(InputError) as raised:
        read_application_book("project", missing)
    assert [(p.place.sheet, p.place.column) for p in raised.value.problems] == [
        ("application", "行业代码 (industry_code)")
    ]


def _filled_without(content: bytes, sheet: str) -> bytes:
    """The workbook with a sheet's rows emptied, its header kept."""
    book = load_workbook(io.BytesIO(content))
    book[sheet].delete_rows(2, book[sheet].max_row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
