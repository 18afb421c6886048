"""NBS form 205-1 (能源购进、消费与库存) read as activity lines: a hand-worked form, names not in
the item list, blank and total rows, a header without its codes, and the CLI."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from carbonpeak.accounting.activity import check_activity
from carbonpeak.errors import InputError
from carbonpeak.io.energy_form import (
    COLUMNS,
    TITLE,
    is_energy_form,
    read_energy_form,
    write_energy_form,
)
from carbonpeak.reference.loader import default_reference

Cli = Callable[..., tuple[int, str, str]]
CEMENT = "911302007A3K9C2D24"  # an enterprise of examples/enterprises.csv
FIRST = 8  # the blank form: title, 表号, USCC, 报告期, a blank line, headings, codes, then rows
CODES = [code for code, _ in COLUMNS]

# (甲 name, 乙 unit, {column code: number}); columns 1 期初库存量, 2 购进量 实物量,
# 4 消费量 合计, 5 工业生产消费, 6 用于原材料, 7 非工业生产消费, 9 期末库存量
COAL = ("原煤", "吨", {"1": 200, "2": 12000, "4": 11800, "5": 11500, "6": 1000, "7": 300, "9": 400})
POWER = ("电力", "万千瓦时", {"2": 850, "4": 1000, "5": 1000})
GAS = ("天然气", "万立方米", {"2": 120, "4": 120, "5": 120})
Row = tuple[str, str, dict[str, float | str]] | None


def _form(
    path: Path, rows: Sequence[Row], uscc: str | None = CEMENT, period: str | None = "2025年"
) -> Path:
    """A form written by `write_energy_form`, filled in as an enterprise would (None: a row
    left blank)."""
    write_energy_form(path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    sheet.cell(3, 2, uscc)
    sheet.cell(4, 2, period)
    for offset, row in enumerate(rows):
        if row is None:
            continue
        name, unit, numbers = row
        sheet.cell(FIRST + offset, 1, name)
        sheet.cell(FIRST + offset, 2, unit)
        for code, value in numbers.items():
            sheet.cell(FIRST + offset, CODES.index(code) + 1, value)
    book.save(path)
    return path


def _lines(path: Path, period: str | None = None) -> list[tuple[str, str, str, float, str, int]]:
    form = read_energy_form(path, default_reference(), period)
    return [
        (r.period, r.stream, r.item, float(r.amount), r.unit, int(r.row))
        for r in form.frame.itertuples()
    ]


def _problems(path: Path, period: str | None = None) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_energy_form(path, default_reference(), period)
    return [str(p) for p in caught.value.problems]


def test_a_hand_worked_form(tmp_path: Path) -> None:
    path = _form(
        tmp_path / "f.xlsx",
        [COAL, None, POWER, GAS, ("能源合计", "吨标准煤", {"1": 142.86, "4": 9999})],
    )
    assert is_energy_form(path)
    # 原煤 (row 8): 消费量 合计 11 800 t, of which 用于原材料 1 000 t -> feedstock 1 000 t and
    #   fuel 11 800 - 1 000 = 10 800 t (the form's own checks: 4 = 5 + 7 = 11 500 + 300;
    #   9 = 1 + 2 - 4 = 200 + 12 000 - 11 800 = 400);
    # row 9 left blank: skipped;
    # 电力 (row 10): 购进量 850 万kWh (of the 1 000 consumed, 150 came from a captive plant,
    #   counted in its fuel) -> electricity 850 万千瓦时;
    # 天然气 (row 11): 消费量 合计 120 万m3 -> fuel 120 万立方米;
    # 能源合计 (row 12): a total, skipped.
    assert _lines(path) == [
        ("2025", "fuel", "raw_coal", 10800.0, "吨", 8),
        ("2025", "feedstock", "raw_coal", 1000.0, "吨", 8),
        ("2025", "electricity", "electricity", 850.0, "万千瓦时", 10),
        ("2025", "fuel", "natural_gas", 120.0, "万立方米", 11),
    ]
    form = read_energy_form(path, default_reference())
    assert form.enterprise_id == CEMENT and form.sheet == TITLE
    assert check_activity(form.frame, default_reference()) == []


def test_a_month_and_full_width_digits(tmp_path: Path) -> None:
    path = _form(tmp_path / "f.xlsx", [("天然气", "万m³", {"4": "１２０"})], period="2025年6月")
    # NFKC, as for the digits: 万m³ is read as 万m3
    assert _lines(path) == [("2025-06", "fuel", "natural_gas", 120.0, "万m3", 8)]


def test_every_problem_at_once_placed_by_the_form_headings(tmp_path: Path) -> None:
    path = _form(
        tmp_path / "f.xlsx",
        [
            COAL,
            ("其他焦化产品", "吨", {"4": 5}),  # on the form, not in the platform's item list
            ("柴油", "吨", {"4": "十吨"}),
            ("焦炭", "万千瓦时", {"4": 3}),
            ("洗精煤", "吨", {"4": 5, "6": 8}),
        ],
    )
    where = f"{path}, sheet {TITLE}"
    assert _problems(path) == [
        f"{where}, row 9, column 能源名称: energy '其他焦化产品' is not in the platform's "
        "item list",
        f"{where}, row 10, column 消费量 合计: '十吨' is not a number",
        f"{where}, row 11, column 计量单位: '万千瓦时' is not a unit of 焦炭",
        f"{where}, row 12, column 用于原材料: larger than 消费量 合计 (5.0)",
    ]


def test_header_without_period_or_code(tmp_path: Path) -> None:
    path = _form(tmp_path / "f.xlsx", [GAS], uscc=None, period=None)
    where = f"{path}, sheet {TITLE}"
    assert _problems(path) == [
        f"{where}, row 3, column 统一社会信用代码: 统一社会信用代码 is missing",
        f"{where}, row 4, column 报告期: 报告期 is missing: write it in the header or give "
        "the period",
    ]
    # the period given as a parameter stands in for the header's; the code never does
    assert _problems(path, period="2024") == [
        f"{where}, row 3, column 统一社会信用代码: 统一社会信用代码 is missing",
    ]
    filled = _form(tmp_path / "g.xlsx", [GAS], period=None)
    assert _lines(filled, period="2024")[0][0] == "2024"
    wrong = _form(tmp_path / "h.xlsx", [GAS], uscc="911302007A3K9C2D2X", period="25年")
    problems = _problems(wrong)
    assert [p.split(": ")[0].rsplit("column ", 1)[1] for p in problems] == [
        "统一社会信用代码",
        "报告期",
    ]


def test_the_printed_rows_filled_where_the_enterprise_uses_them(tmp_path: Path) -> None:
    path = tmp_path / "printed.xlsx"
    write_energy_form(path, default_reference())
    book = load_workbook(path)
    sheet = book.worksheets[0]
    names = {sheet.cell(r, 1).value: r for r in range(FIRST, sheet.max_row + 1)}
    # the 20 rows of reference table energy_form_rows, in order, then blank rows, then the total
    assert list(names)[:3] == ["原煤", "洗精煤", "其他洗煤"] and "其他焦化产品" in names
    assert sheet.cell(names["原煤"], CODES.index("丁") + 1).value == 0.7143
    sheet.cell(3, 2, CEMENT)
    sheet.cell(4, 2, "2025")
    sheet.cell(names["原煤"], CODES.index("4") + 1, 500)  # 消费量 合计 500 t
    sheet.cell(names["电力"], CODES.index("2") + 1, 30)  # 购进量 30 万kWh
    book.save(path)
    # printed rows left unfilled (其他焦化产品, not an item, among them) are no problem
    assert _lines(path) == [
        ("2025", "fuel", "raw_coal", 500.0, "t", names["原煤"]),
        ("2025", "electricity", "electricity", 30.0, "万kWh", names["电力"]),
    ]


def test_later_problems_are_placed_as_the_form_has_them(tmp_path: Path) -> None:
    from carbonpeak.errors import Place, Problem

    form = read_energy_form(_form(tmp_path / "f.xlsx", [COAL, POWER]), default_reference())
    later = [
        Problem(Place(row=8, column="amount"), "too large"),  # 原煤: a fuel, column 4
        Problem(Place(row=9, column="amount"), "too large"),  # 电力: purchased, column 2
        Problem(Place(row=9, column="item"), "not allowed"),
        Problem(Place(row=8, column="period"), "already approved"),
    ]
    assert [(p.place.row, p.place.column) for p in form.in_form_terms(later)] == [
        (8, "消费量 合计"),
        (9, "购进量 实物量"),
        (9, "能源名称"),
        (4, "报告期"),
    ]


def test_a_workbook_that_is_not_the_form(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.worksheets[0].title = "activity"
    book.save(tmp_path / "a.xlsx")
    assert not is_energy_form(tmp_path / "a.xlsx")
    (tmp_path / "a.csv").write_text("enterprise_id\n", encoding="utf-8")
    assert not is_energy_form(tmp_path / "a.csv")


@settings(max_examples=25, deadline=None)
@given(
    total=st.integers(min_value=1, max_value=10**9),
    share=st.fractions(min_value=0, max_value=1),
)
def test_fuel_and_feedstock_add_up_to_the_consumption(total: int, share: object) -> None:
    import tempfile

    raw = int(total * share)  # type: ignore[operator]
    with tempfile.TemporaryDirectory() as directory:
        path = _form(Path(directory) / "f.xlsx", [("原煤", "吨", {"4": total, "6": raw})])
        lines = _lines(path)
    assert sum(line[3] for line in lines) == pytest.approx(total)
    assert [line[1] for line in lines] == [
        s for s, a in (("fuel", total - raw), ("feedstock", raw)) if a
    ]


def test_the_cli_writes_the_form_and_submits_it(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blank = tmp_path / "blank.xlsx"
    code, out, _ = cli("accounting", "form-template", str(blank))
    assert code == 0 and "form 205-1" in out and is_energy_form(blank)
    assert load_workbook(blank).worksheets[0].cell(FIRST, 1).value == "原煤"
    assert cli("accounting", "form-template", str(tmp_path / "f.csv"))[0] == 2
    monkeypatch.setenv("CARBONPEAK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CARBONPEAK_DATABASE_URL", raising=False)
    assert cli("store", "upgrade")[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert cli("users", "add", "root", "--role", "admin", "--password-stdin")[0] == 0
    bad = _form(tmp_path / "bad.xlsx", [COAL, ("其他焦化产品", "吨", {"4": 5})])
    code, _, err = cli("accounting", "submit", str(bad), "--as", "root")
    assert code == 2
    assert f"{bad}, sheet {TITLE}, row 9, column 能源名称: energy '其他焦化产品'" in err
    # a good form reaches the store's checks: the empty store knows no enterprise, and the
    # problem is placed in the form's sheet at the header cell of the code
    good = _form(tmp_path / "good.xlsx", [GAS])
    code, _, err = cli("accounting", "submit", str(good), "--as", "root")
    assert code == 2
    assert f"{good}, sheet {TITLE}, row 3, column 统一社会信用代码: {CEMENT}: no such" in err


def test_a_decimal_comma_is_refused_and_thousands_are_read(tmp_path: Path) -> None:
    """review19 #2: 1,5 was read as 15 (and 0,75 as 75). Now only thousands in threes."""
    bad = _form(
        tmp_path / "f.xlsx",
        [("天然气", "万立方米", {"4": "1,5"}), ("原煤", "吨", {"4": "1,234.5", "6": "0,75"})],
    )
    where = f"{bad}, sheet {TITLE}"
    assert _problems(bad) == [
        f"{where}, row 8, column 消费量 合计: '1,5' is not a number",
        f"{where}, row 9, column 用于原材料: '0,75' is not a number",
    ]
    good = _form(
        tmp_path / "g.xlsx",
        [
            ("原煤", "吨", {"4": "1,234.5", "6": "１，２３４"}),
            ("天然气", "万立方米", {"4": "12,000"}),
        ],
    )
    # 原煤: 1,234.5 consumed of which 1,234 raw material: fuel 1234.5 - 1234 = 0.5
    assert _lines(good) == [
        ("2025", "fuel", "raw_coal", 0.5, "吨", 8),
        ("2025", "feedstock", "raw_coal", 1234.0, "吨", 8),
        ("2025", "fuel", "natural_gas", 12000.0, "万立方米", 9),
    ]


def test_names_with_full_width_brackets_match_their_items(tmp_path: Path) -> None:
    """review19 #9: cells are NFKC'd, so the item names must be too (value_key both sides)."""
    path = _form(
        tmp_path / "f.xlsx",
        [("绿色电力（绿证对应电量）", "万千瓦时", {"2": 30}), ("纯碱（碳酸钠）", "吨", {"4": 5})],
    )
    where = f"{path}, sheet {TITLE}"
    # 纯碱 is found (a material, so not this form's): no longer "not in the item list"
    assert _problems(path) == [
        f"{where}, row 9, column 能源名称: '纯碱(碳酸钠)' is not an energy this form reports",
    ]
    green = _form(tmp_path / "g.xlsx", [("绿色电力（绿证对应电量）", "万千瓦时", {"2": 30})])
    assert _lines(green) == [("2025", "electricity", "green_electricity", 30.0, "万千瓦时", 8)]


@pytest.mark.parametrize(
    ("written", "period"),
    [
        ("2025年1-12月", "2025"),
        ("2025年1—12月", "2025"),
        ("２０２５年１－１２月", "2025"),
        ("2025年6月", "2025-06"),
        ("2025年", "2025"),
    ],
)
def test_the_annual_form_period(tmp_path: Path, written: str, period: str) -> None:
    path = _form(tmp_path / "f.xlsx", [GAS], period=written)
    assert _lines(path)[0][0] == period


def test_a_part_of_a_year_is_refused_with_its_reason(tmp_path: Path) -> None:
    path = _form(tmp_path / "f.xlsx", [GAS], period="2025年1-6月")
    assert _problems(path) == [
        f"{path}, sheet {TITLE}, row 4, column 报告期: '2025年1-6月' is a part of a year: the "
        "form's period must be a month (2025年6月) or the whole year (2025年 or 2025年1-12月)"
    ]


def test_a_steelworks_counts_its_own_coke_and_gases_once(tmp_path: Path) -> None:
    """Coke and the coke-oven, blast-furnace and converter gas a works makes from coal it
    already reports count only as bought and drawn from stock (columns 1 + 2 - 9): Guangdong
    粤环函〔2021〕103号 steel chapter §6.2.2.1, Shandong 鲁环发〔2022〕4号 附录2 formula (4)."""
    steel = [
        # 洗精煤 for the coke ovens, all of it raw material: counted whole, as feedstock
        ("洗精煤", "吨", {"1": 1000, "2": 50000, "4": 50500, "5": 50500, "6": 50500, "9": 500}),
        # 焦炭: 40 000 t consumed, of which 2 000 + 5 000 - 1 000 = 6 000 t bought and drawn
        ("焦炭", "吨", {"1": 2000, "2": 5000, "4": 40000, "5": 40000, "9": 1000}),
        # 高炉煤气: all made on site, none bought: no line
        ("高炉煤气", "万立方米", {"4": 300000, "5": 300000}),
        # 焦炉煤气: 100 bought of 20 000 consumed
        ("焦炉煤气", "万立方米", {"2": 100, "4": 20000, "5": 20000}),
        # 转炉煤气: 500 of 1 000 bought; column 6 (200) keeps its share: fuel 400, feedstock 100
        ("转炉煤气", "万立方米", {"2": 500, "4": 1000, "5": 1000, "6": 200}),
    ]
    assert _lines(_form(tmp_path / "s.xlsx", steel)) == [
        ("2025", "feedstock", "cleaned_coal", 50500.0, "吨", 8),
        ("2025", "fuel", "coke", 6000.0, "吨", 9),
        ("2025", "fuel", "coke_oven_gas", 100.0, "万立方米", 11),
        ("2025", "fuel", "converter_gas", 400.0, "万立方米", 12),
        ("2025", "feedstock", "converter_gas", 100.0, "万立方米", 12),
    ]
    # a problem found later in the coke line's amount is placed at 购进量, where it was read
    from carbonpeak.errors import Place, Problem

    form = read_energy_form(tmp_path / "s.xlsx", default_reference())
    placed = form.in_form_terms([Problem(Place(row=9, column="amount"), "too large")])
    assert placed[0].place.column == "购进量 实物量"


def test_own_made_fuel_bounds(tmp_path: Path) -> None:
    # bought and drawn from stock more than consumed (a sale not on this form): at most column 4
    # stock grew by more than was bought (the rest made on site): nothing
    rows: list[Row] = [
        ("焦炭", "吨", {"1": 800, "2": 1000, "4": 1500, "9": 0}),
        ("高炉煤气", "万立方米", {"1": 0, "2": 10, "4": 5000, "9": 40}),
    ]
    assert _lines(_form(tmp_path / "b.xlsx", rows)) == [("2025", "fuel", "coke", 1500.0, "吨", 8)]


@settings(max_examples=40, deadline=None)
@given(
    opening=st.integers(min_value=0, max_value=10**6),
    bought=st.integers(min_value=0, max_value=10**6),
    closing=st.integers(min_value=0, max_value=10**6),
    consumed=st.integers(min_value=1, max_value=10**6),
    share=st.fractions(min_value=0, max_value=1),
)
def test_own_made_fuel_counts_purchases_within_consumption(
    opening: int, bought: int, closing: int, consumed: int, share: object
) -> None:
    from carbonpeak.io.energy_form import HEADING
    from carbonpeak.io.energy_form_amounts import RowAmounts, row_amounts

    raw = int(consumed * share)  # type: ignore[operator]
    numbers: dict[str, float | None] = dict.fromkeys(("1", "2", "5", "7", "8", "9"), None)
    numbers.update({"1": opening, "2": bought, "9": closing, "4": consumed, "6": raw})
    got = row_amounts("coke", "fuel", numbers, frozenset({"coke"}), HEADING)
    assert isinstance(got, RowAmounts) and got.column == "2"
    expected = min(max(opening + bought - closing, 0), consumed)
    assert sum(a for _, a in got.lines) == pytest.approx(expected)
    feed = sum(a for s, a in got.lines if s == "feedstock")
    assert feed == pytest.approx(raw * expected / consumed)
    # the same row of a fuel the works does not make: column 4, whatever was bought
    plain = row_amounts("coke", "fuel", numbers, frozenset(), HEADING)
    assert isinstance(plain, RowAmounts) and sum(a for _, a in plain.lines) == consumed
