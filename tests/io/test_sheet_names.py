"""Sheet names (io/sheet_names.py, io.tables.sheet_named): every template's sheets are titled
Chinese first with their code (`活动数据 (activity)`); a reader finds a sheet by its code (as
earlier versions wrote it), its Chinese name or both, with ASCII or full-width brackets and any
spacing; the drop-downs point at the lists sheet by its quoted title, over exactly its list."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.workbook.workbook import Workbook as Book

from carbonpeak.errors import InputError
from carbonpeak.io.activity import read_activity
from carbonpeak.io.budgets import read_budgets
from carbonpeak.io.fleet import fleet_template_bytes
from carbonpeak.io.meter_sheet import meters_book
from carbonpeak.io.pathways_book import scenario_book
from carbonpeak.io.sheet_names import SHEET_NAMES, sheet_ref, sheet_title
from carbonpeak.io.tables import read_table, read_upload, sheet_named
from carbonpeak.io.template import write_activity_template
from carbonpeak.pathways.builder import example_plan
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
CODE = "911302007A3K9C2D24"
CHOICES = {
    "regions": [{"code": "130000", "name_zh": "河北省"}, {"code": "150000", "name_zh": "内蒙古"}],
    "sectors": ["steel", "cement", "industry"],
    "base_year": 2020,
}
CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff]+ \([a-z_]+\)$")
REFERENCE_FORMULA = re.compile(r"^=(?:'((?:[^']|'')+)'|(\w+))!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)$")


def _activity_book(tmp_path: Path) -> Book:
    path = tmp_path / "t.xlsx"
    write_activity_template(path, REFERENCE, rows=20)
    return load_workbook(path)


def _books(tmp_path: Path) -> dict[str, Book]:
    return {
        "activity": _activity_book(tmp_path),
        "fleet": load_workbook(io.BytesIO(fleet_template_bytes(rows=20))),
        "meters": meters_book(REFERENCE, rows=20),
        "pathways": scenario_book(CHOICES, [example_plan(2020)]),
    }


def test_every_template_is_chinese_first(tmp_path: Path) -> None:
    titles = {kind: book.sheetnames for kind, book in _books(tmp_path).items()}
    assert titles == {
        "activity": [
            *("活动数据 (activity)", "企业 (enterprises)", "代码表 (lists)", "说明 (help)"),
            "示例 (example)",
        ],
        "fleet": ["车队 (fleet)", "代码表 (lists)", "说明 (help)", "示例 (example)"],
        "meters": ["计量器具 (meters)", "代码表 (lists)", "说明 (help)", "示例 (example)"],
        "pathways": ["说明 (help)", "情景 (scenarios)", "路径 (paths)", "代码表 (lists)"],
    }
    assert all(CHINESE_FIRST.match(t) for names in titles.values() for t in names)


def test_every_drop_down_points_at_its_list(tmp_path: Path) -> None:
    """Each validation's formula names a sheet of the workbook (quoted: the titles hold a space
    and brackets) and, on the lists sheet, exactly the filled cells of one column: its first
    row is the header's next, its last the list's last (the cell under it is empty)."""
    seen = 0
    for kind, book in _books(tmp_path).items():
        for sheet in book.worksheets:
            for validation in sheet.data_validations.dataValidation:
                found = REFERENCE_FORMULA.match(validation.formula1)
                assert found, (kind, validation.formula1)
                quoted, plain, first, top, last, bottom = found.groups()
                title = quoted.replace("''", "'") if quoted else plain
                assert title in book.sheetnames, (kind, validation.formula1)
                assert first == last and top == "2"
                seen += 1
                if title != sheet_title("lists"):
                    continue  # the pathways book's scenario names: the rows to fill
                lists = book[title]
                cells = [lists[f"{first}{r}"].value for r in range(2, int(bottom) + 1)]
                assert all(c not in (None, "") for c in cells), (kind, validation.formula1)
                assert lists[f"{first}{int(bottom) + 1}"].value is None
    assert seen == 3 + 2 + 2 + 3  # activity, fleet, meters, pathways


def _one_sheet(path: Path, title: str) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(["统一社会信用代码", "统计期", "类别", "品种", "数量", "计量单位"])
    sheet.append([CODE, "2025-01", "燃料", "原煤", 10, "t"])
    book.create_sheet("说明")
    book.save(path)
    return path


@pytest.mark.parametrize(
    "title",
    [
        "activity",
        "活动数据",
        "活动数据 (activity)",
        "活动数据（activity）",
        " 活动数据 （ activity ） ",
    ],
)
def test_the_activity_sheet_reads_by_any_of_its_names(tmp_path: Path, title: str) -> None:
    path = _one_sheet(tmp_path / "a.xlsx", title)
    expected = read_table(_one_sheet(tmp_path / "old.xlsx", "activity"), "activity")
    assert read_table(path, "activity").equals(expected)
    assert read_upload("活动.xlsx", path.read_bytes(), "activity").equals(expected)
    frame, _ = read_activity(path, REFERENCE)
    assert frame[["stream", "item", "amount"]].values.tolist() == [["fuel", "raw_coal", "10"]]


def test_a_wrong_name_names_the_file_and_the_sheets(tmp_path: Path) -> None:
    path = _one_sheet(tmp_path / "a.xlsx", "活动数据 (activities)")
    with pytest.raises(InputError) as caught:
        read_table(path, "activity")
    [problem] = caught.value.problems
    assert problem.place.file == str(path) and problem.place.sheet is None
    assert problem.message == (
        "no sheet '活动数据 (activity)' (or 'activity'); sheets: 活动数据 (activities), 说明"
    )
    with pytest.raises(InputError) as caught:
        read_upload("企业报送.xlsx", path.read_bytes(), "activity")
    assert caught.value.problems[0].place.file == "企业报送.xlsx"
    with pytest.raises(InputError, match=r"no sheet 'regions'; sheets: "):
        read_table(path, "regions")  # a sheet without a Chinese name: named by its code


def test_the_template_filled_under_its_old_titles_reads_the_same(tmp_path: Path) -> None:
    """A template of an earlier version (sheets `activity`, `enterprises`) reads as the one of
    this version does."""
    book = _activity_book(tmp_path)
    row = [CODE, "2025-01", "燃料 (fuel)", "原煤 (raw_coal)", 10, "t", "输入 (in)"]
    book["活动数据 (activity)"].append(row)
    book["企业 (enterprises)"].append([CODE, "示例", "130200", "3011"])
    new = tmp_path / "new.xlsx"
    book.save(new)
    book["活动数据 (activity)"].title = "activity"
    book["企业 (enterprises)"].title = "enterprises"
    old = tmp_path / "old.xlsx"
    book.save(old)
    (a, e), (b, f) = read_activity(new, REFERENCE, new), read_activity(old, REFERENCE, old)
    assert a.equals(b) and e is not None and f is not None and e.equals(f)
    assert a[["item", "amount"]].values.tolist() == [["raw_coal", "10"]]


@pytest.mark.parametrize("title", ["预算", "budgets", "预算 (budgets)", "预算（budgets）"])
def test_budgets_read_by_any_of_their_names(tmp_path: Path, title: str) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(["范围", "代码", "年度", "指标", "总量上限"])
    sheet.append(["地区", "130000", 2026, "二氧化碳", 10000])
    path = tmp_path / "b.xlsx"
    book.save(path)
    [row] = read_budgets(path).rows
    assert row["cap"] == "10000" and read_budgets(path).sheet == title


def test_the_chinese_names_are_one_each() -> None:
    assert len(set(SHEET_NAMES.values())) == len(SHEET_NAMES)
    assert sheet_title("activity") == "活动数据 (activity)" and sheet_title("data") == "data"
    assert sheet_ref("lists") == "lists" and sheet_ref("代码表 (lists)") == "'代码表 (lists)'"
    assert sheet_ref("it's") == "'it''s'"


_SPACE = st.sampled_from(["", " ", "  ", "\u3000"])


@given(
    code=st.sampled_from(sorted(SHEET_NAMES)),
    other=st.sampled_from(sorted(SHEET_NAMES)),
    form=st.sampled_from(["code", "chinese", "both"]),
    wide=st.booleans(),
    spaces=st.tuples(_SPACE, _SPACE, _SPACE, _SPACE),
)
def test_any_spelling_finds_its_sheet_and_no_other(
    code: str, other: str, form: str, wide: bool, spaces: tuple[str, str, str, str]
) -> None:
    chinese = SHEET_NAMES[code]
    left, right = ("（", "）") if wide else ("(", ")")
    a, b, c, d = spaces
    title = {
        "code": f"{a}{code}{d}",
        "chinese": f"{a}{chinese}{d}",
        "both": f"{a}{chinese}{b}{left}{c}{code}{c}{right}{d}",
    }[form]
    names = ["Sheet1", title, "说明 (help)" if code != "help" else "示例 (example)"]
    assert sheet_named(names, code) == title
    assert sheet_named(names, sheet_title(code)) == title  # asked for by its title, too
    if other != code and other not in ("help", "example"):
        assert sheet_named(names, other) is None
