"""The activity reader on Chinese, English and combined headers and Chinese names of items,
streams and directions (io/activity.py, io/activity_columns.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from carbonpeak.accounting.engine import account
from carbonpeak.errors import InputError
from carbonpeak.io.activity import read_activity, read_enterprises
from carbonpeak.reference.loader import default_reference

CODE = "911302007A3K9C2D24"
CHINESE = ["统一社会信用代码", "统计期", "类别", "品种", "方向", "数量", "计量单位"]
COMBINED = [
    "统一社会信用代码 (enterprise_id)",
    "统计期（period）",
    "类别 (stream)",
    "品种 (item)",
    "方向 (direction)",
    "数量 (amount)",
    "计量单位 (unit)",
]


def _workbook(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "activity"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("header", [CHINESE, COMBINED], ids=["chinese", "combined"])
def test_chinese_or_combined_headers_and_chinese_names(tmp_path: Path, header: list[str]) -> None:
    path = _workbook(
        tmp_path / "a.xlsx",
        header,
        [
            [CODE, "2025", "燃料", "原煤", "输入", 100, "t"],
            [CODE, "2025", "fuel", "diesel", "in", 2, "t"],
            [CODE, "2025", "电力", "电力 (electricity)", "输入", 1000, "kWh"],
        ],
    )
    frame, _ = read_activity(path, default_reference())
    assert frame["item"].tolist() == ["raw_coal", "diesel", "electricity"]
    assert frame["stream"].tolist() == ["fuel", "fuel", "electricity"]
    assert frame["direction"].tolist() == ["in", "in", "in"]
    (result,) = account(frame, reference=default_reference()).results(with_lines=False)
    assert result["energy_tce"] > 0


def test_unknown_chinese_item_names_row_and_header_as_written(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "a.xlsx",
        COMBINED,
        [
            [CODE, "2025", "燃料", "原煤", "输入", 100, "t"],
            [CODE, "2025", "燃料", "神仙煤", "输入", 100, "t"],
        ],
    )
    with pytest.raises(InputError) as caught:
        read_activity(path, default_reference())
    [problem] = caught.value.problems
    assert (problem.place.file, problem.place.sheet) == (str(path), "activity")
    assert (problem.place.row, problem.place.column) == (3, "品种 (item)")
    assert "神仙煤" in problem.message and "lists" in problem.message


def test_engine_problems_name_the_header_as_written(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "a.xlsx", CHINESE, [[CODE, "2025-13", "燃料", "原煤", "", 1, "t"]])
    with pytest.raises(InputError) as caught:
        read_activity(path, default_reference())
    assert [(p.place.row, p.place.column) for p in caught.value.problems] == [(2, "统计期")]


def test_unknown_header_is_named_as_written(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "a.xlsx",
        [*CHINESE, "备注（说明）"],
        [[CODE, "2025", "燃料", "原煤", "", 1, "t", "x"]],
    )
    with pytest.raises(InputError) as caught:
        read_activity(path, default_reference())
    [problem] = caught.value.problems
    assert (problem.place.sheet, problem.place.row, problem.place.column) == (
        "activity",
        1,
        "备注（说明）",
    )


def test_gbk_csv_with_full_width_digits(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        ",".join(CHINESE) + "\n" + f'{CODE},２０２５,燃料,原煤,输入,"１，０００",ｔ\n',
        encoding="gbk",
    )
    frame, _ = read_activity(path, default_reference())
    (result,) = account(frame, reference=default_reference()).results(with_lines=False)
    # 1,000 t of raw coal: the same as an ASCII file with 1000
    ascii_path = tmp_path / "b.csv"
    ascii_path.write_text(
        f"enterprise_id,period,stream,item,amount,unit\n{CODE},2025,fuel,raw_coal,1000,t\n",
        encoding="utf-8-sig",
    )
    ascii_frame, _ = read_activity(ascii_path, default_reference())
    (expected,) = account(ascii_frame, reference=default_reference()).results(with_lines=False)
    assert result["energy_tce"] == pytest.approx(expected["energy_tce"])
    assert result["co2_t"] == pytest.approx(expected["co2_t"])


def test_enterprises_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        f"统一社会信用代码,企业名称,行政区划代码,行业代码\n{CODE},示例,130200,3011\n", "gbk"
    )
    frame = read_enterprises(path, default_reference())
    assert frame[["enterprise_id", "region_code"]].values.tolist() == [[CODE, "130200"]]


def test_template_headers_notes_and_lists(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from carbonpeak.io.activity_columns import ACTIVITY_SPECS, ENTERPRISE_SPECS
    from carbonpeak.io.template import write_activity_template

    path = tmp_path / "t.xlsx"
    write_activity_template(path, default_reference())
    book = load_workbook(path)
    assert [c.value for c in book["活动数据 (activity)"][1]] == [s.header for s in ACTIVITY_SPECS]
    assert [c.value for c in book["企业 (enterprises)"][1]] == [s.header for s in ENTERPRISE_SPECS]
    assert "单位热值含碳量 (carbon_content_tc_per_gj) [tC/GJ]" in [
        c.value for c in book["活动数据 (activity)"][1]
    ]
    notes = {r[1]: r for r in book["说明 (help)"].iter_rows(min_row=2, values_only=True)}
    assert set(notes) == {s.code for s in (*ACTIVITY_SPECS, *ENTERPRISE_SPECS)}
    assert all(r[3] and r[4] for r in notes.values())  # help in Chinese and English
    assert "原煤 (raw_coal)" in [c.value for c in book["代码表 (lists)"]["H"]]
    formulas = sorted(
        v.formula1 for v in book["活动数据 (activity)"].data_validations.dataValidation
    )
    # the lists sheet's title quoted (it has a space and brackets), as Excel reads a formula
    assert formulas == [
        "='代码表 (lists)'!$F$2:$F$8",
        "='代码表 (lists)'!$G$2:$G$3",
        f"='代码表 (lists)'!$H$2:$H${len(default_reference().rows('items')) + 1}",
    ]


def test_filled_template_round_trip(tmp_path: Path) -> None:
    """Each drop-down's first choices, typed as the drop-down writes them, read back as codes;
    the enterprises sheet of the same workbook reads back too."""
    from openpyxl import load_workbook

    from carbonpeak.io.template import write_activity_template

    path = tmp_path / "t.xlsx"
    write_activity_template(path, default_reference())
    book = load_workbook(path)
    header = [c.value for c in book["活动数据 (activity)"][1]]
    book["活动数据 (activity)"].append(
        [CODE, "2025-01", "燃料 (fuel)", "原煤 (raw_coal)", 10, "t", "输入 (in)"]
        + [None] * (len(header) - 7)
    )
    book["企业 (enterprises)"].append([CODE, "示例", "130200", "3011"])
    book.save(path)
    frame, enterprises = read_activity(path, default_reference(), path)
    assert frame[["stream", "item", "direction", "amount"]].values.tolist() == [
        ["fuel", "raw_coal", "in", "10"]
    ]
    assert enterprises is not None and enterprises["region_code"].tolist() == ["130200"]
