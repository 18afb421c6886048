"""read_table on the files Excel in China writes: GBK and BOM CSV, full-width cells, merged
header cells, a missing sheet (io/tables.py)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from carbonpeak.accounting.activity import normalise
from carbonpeak.errors import InputError
from carbonpeak.io.tables import normal_cell, read_table

LINE = "911302007A3K9C2D24,2025-03,燃料,原煤,9800,t\n"
HEADER = "统一社会信用代码,统计期,类别,品种,数量,单位\n"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_or_utf8_with_or_without_bom(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text(HEADER + LINE, encoding=encoding)
    frame = read_table(path, "activity")
    assert list(frame.columns) == [*HEADER.strip().split(","), "row"]
    assert frame.iloc[0]["品种"] == "原煤"
    assert frame.iloc[0]["row"] == 2


def test_text_neither_utf8_nor_gbk_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n\xff\xff\xff,1\n")  # 0xFF starts no GB18030 or UTF-8 character
    with pytest.raises(InputError) as caught:
        read_table(path, "activity")
    [problem] = caught.value.problems
    assert problem.place.file == str(path)
    assert "UTF-8" in problem.message and "GBK/GB18030" in problem.message


def test_full_width_digits_letters_and_separators_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "enterprise_id,period,amount,unit\n"
        '９１１３０２００７Ａ３Ｋ９Ｃ２Ｄ２４,２０２５－０３,"９，８００．５",ｔ\n',
        encoding="gbk",
    )
    frame = read_table(path, "activity")
    row = frame.iloc[0]
    assert (row["enterprise_id"], row["period"], row["unit"]) == (
        "911302007A3K9C2D24",
        "2025-03",
        "t",
    )
    assert row["amount"] == "9,800.5"
    # 9,800.5 with its thousands grouped is 9800.5 where the amount is parsed
    assert normalise(frame)["amount_value"].tolist() == [9800.5]


def test_names_keep_their_full_width_brackets(tmp_path: Path) -> None:
    """A registered name is text a person wrote: its （集团） and ，stay as written, only its
    full-width digits and letters become ASCII (review19 #10); a code beside it is NFKC."""
    path = tmp_path / "e.csv"
    path.write_text(
        "enterprise_id,name,period\n"
        "９１１３０２００７Ａ３Ｋ９Ｃ２Ｄ２４,河北某某钢铁（集团）有限公司，第２分厂,２０２５年３月\n",
        encoding="gbk",
    )
    row = read_table(path, "enterprises").iloc[0]
    assert row["enterprise_id"] == "911302007A3K9C2D24"
    assert row["name"] == "河北某某钢铁（集团）有限公司，第2分厂"
    assert row["period"] == "2025年3月"


@given(st.text(max_size=30))
def test_a_normal_cell_is_stable(text: str) -> None:
    once = normal_cell(text)
    assert normal_cell(once) == once
    if not re.search("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]", text):
        assert once == unicodedata.normalize(
            "NFKC", text.replace("\u2212", "-").replace("\u3000", " ")
        )


def test_grouped_thousands_only_where_grouped() -> None:
    frame = pd.DataFrame({"amount": ["1,234,567", "-1,000.25", "12,34", "1,2345"]})
    values = normalise(frame)["amount_value"].tolist()
    assert values[:2] == [1234567.0, -1000.25]
    assert all(pd.isna(v) for v in values[2:])  # not grouped by thousands: not a number


def test_merged_header_cells_name_sheet_and_cell(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "activity"
    sheet.append(["能源", None, "数量"])
    sheet.append(["raw_coal", "t", 5])
    sheet.merge_cells("A1:B1")
    path = tmp_path / "m.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_table(path, "activity")
    [problem] = caught.value.problems
    assert (problem.place.sheet, problem.place.row, problem.place.column) == (
        "activity",
        1,
        "A1:B1",
    )
    assert "merged" in problem.message


def test_merged_cells_below_the_header_are_read(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "activity"
    sheet.append(["a", "b"])
    sheet.append(["x", None])
    sheet.merge_cells("A2:B2")
    path = tmp_path / "m.xlsx"
    book.save(path)
    assert read_table(path, "activity").iloc[0]["a"] == "x"


def test_missing_sheet_names_the_expected_and_the_present(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "活动"  # not the activity sheet's Chinese name (活动数据)
    book.create_sheet("说明")
    path = tmp_path / "s.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_table(path, "activity")
    [problem] = caught.value.problems
    assert "'活动数据 (activity)' (or 'activity')" in problem.message
    assert "活动, 说明" in problem.message
