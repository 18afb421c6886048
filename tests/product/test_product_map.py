"""The process map workbook (工序图): the template, its example filled in and read back into
the product model's map, the map built against a real account, and every bad input placed by
file, sheet, row and column."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from carbonpeak.accounting.engine import account
from carbonpeak.errors import InputError, Problem
from carbonpeak.i18n import problem_text
from carbonpeak.io.product_map import read_product_map, write_product_map_template
from carbonpeak.io.product_map_columns import EXAMPLE, SPECS, example_title
from carbonpeak.io.sheet_names import sheet_title
from carbonpeak.product.embedded import embedded
from carbonpeak.product.footprint import Flow, Stage, footprints
from carbonpeak.product.plant import (
    Assignment,
    Factors,
    Link,
    MapUnit,
    ProductMap,
    build,
    map_from_dict,
    map_to_dict,
)
from carbonpeak.product.results import product_results
from carbonpeak.reference.loader import Reference, default_reference

CEMENT = "911302007A3K9C2D24"
PCF = 0.0006205  # tCO2e/kWh, a test value for the arithmetic
CBAM_EF = 0.5  # tCO2/MWh, a test value

# the template's example as the model's map: items and products as codes, shares as fractions
EXPECTED = ProductMap(
    units=(
        MapUnit(
            "回转窑",
            {"clinker": 800.0},
            2,
            "cement_clinker",
            False,
            {"clinker": "2523100090"},
            routes={"clinker": "A"},
        ),
        MapUnit("水泥磨", {"cement": 1000.0}, 3, "cement", False, {"cement": "25232900"}),
    ),
    assignments=(
        Assignment("回转窑", "raw_coal", 1.0, 2),
        Assignment("回转窑", "limestone", 1.0, 3),
        Assignment("回转窑", "electricity", 0.6, 4),
        Assignment("水泥磨", "electricity", 0.4, 5),
    ),
    links=(Link("水泥磨", "clinker", 750.0, 2),),
    flows=(("水泥磨", Flow("石膏", 50.0, "t", Stage.materials, None), 2),),
)


@pytest.fixture(scope="module")
def reference() -> Reference:
    return default_reference()


def _filled(path: Path, reference: Reference) -> Path:
    """The template with each example sheet's rows copied into the sheet to fill in."""
    write_product_map_template(path, reference)
    book = load_workbook(path)
    for code in SPECS:
        example, sheet = book[example_title(code)], book[sheet_title(code)]
        for row in example.iter_rows(min_row=2, values_only=True):
            sheet.append(list(row))
    book.save(path)
    return path


def _book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A workbook of the given sheets (title -> rows, the header first)."""
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _example_sheets(header: str) -> dict[str, list[list[object]]]:
    """The example as sheets with headers given as `header` says: label, code or both."""
    out: dict[str, list[list[object]]] = {}
    for code, specs in SPECS.items():
        name = {"label": lambda s: s.label, "code": lambda s: s.code, "both": lambda s: s.header}
        title = {"label": sheet_title(code).split(" ")[0], "code": code}.get(header)
        out[title or sheet_title(code)] = [
            [name[header](s) for s in specs],
            *([line.get(s.code) for s in specs] for line in EXAMPLE[code]),
        ]
    return out


def _problems(path: Path, reference: Reference) -> list[Problem]:
    with pytest.raises(InputError) as refused:
        read_product_map(path, reference)
    return list(refused.value.problems)


def test_the_template_explains_itself(tmp_path: Path, reference: Reference) -> None:
    path = tmp_path / "map.xlsx"
    write_product_map_template(path, reference)
    book = load_workbook(path)
    assert book.sheetnames[:5] == [
        "说明 (help)",
        "工序 (units)",
        "分摊 (assignments)",
        "工序间 (links)",
        "外购 (flows)",
    ]
    assert "示例-工序 (example_units)" in book.sheetnames
    help_text = " ".join(
        str(c) for row in book["说明 (help)"].iter_rows(values_only=True) for c in row if c
    )
    assert "合计为 1" in help_text and "add up to 1" in help_text
    assert "not reference data" in help_text and "不是参考数据" in help_text
    units = book["工序 (units)"]
    assert [c.value for c in units[1]] == [s.header for s in SPECS["units"]]
    assert units["C1"].value == "产量 (amount) [t]"
    lists = {str(v.sqref): v.formula1 for v in units.data_validations.dataValidation}
    assert "代码表 (lists)" in lists["B2:B501"] and "$B$2" in lists["E2:E501"]


def test_the_example_reads_back_as_the_model_map(tmp_path: Path, reference: Reference) -> None:
    plan = read_product_map(_filled(tmp_path / "map.xlsx", reference), reference)
    assert plan == EXPECTED
    assert map_from_dict(json.loads(json.dumps(map_to_dict(plan)))) == plan  # as the store keeps it


@pytest.mark.parametrize("header", ["label", "code", "both"])
def test_chinese_only_and_code_only_headers_read(
    tmp_path: Path, reference: Reference, header: str
) -> None:
    path = _book(tmp_path / "map.xlsx", _example_sheets(header))
    assert read_product_map(path, reference) == EXPECTED


def test_shares_as_percent_text_or_excel_percent_cells(
    tmp_path: Path, reference: Reference
) -> None:
    sheets = _example_sheets("both")
    sheets["分摊 (assignments)"][3][2] = 0.6  # a cell Excel shows as 60 %
    sheets["分摊 (assignments)"][4][2] = "４０％"  # typed with a Chinese input method
    path = _book(tmp_path / "map.xlsx", sheets)
    book = load_workbook(path)
    book["分摊 (assignments)"]["C4"].number_format = "0%"
    book.save(path)
    assert read_product_map(path, reference) == EXPECTED


def _lines() -> tuple[pd.DataFrame, pd.Series]:
    activity = pd.DataFrame(
        [
            {"stream": "fuel", "item": "raw_coal", "amount": "100", "unit": "t"},
            {"stream": "process", "item": "limestone", "amount": "1000", "unit": "t"},
            {"stream": "electricity", "item": "electricity", "amount": "500", "unit": "MWh"},
        ]
    ).assign(enterprise_id=CEMENT, period="2023", direction="in")
    accounts = account(activity)
    return accounts.lines, accounts.totals.iloc[0]


def test_the_example_map_builds_against_a_real_account(
    tmp_path: Path, reference: Reference
) -> None:
    plan = read_product_map(_filled(tmp_path / "map.xlsx", reference), reference)
    lines, totals = _lines()
    direct = float(totals["co2_combustion_t"] + totals["co2_process_t"])
    plant = build(lines, plan, Factors(PCF, "test", CBAM_EF), "map.xlsx")
    found = footprints(list(plant.units))
    clinker = (direct + 300_000 * PCF) / 800  # the kiln's coal, limestone and 60 % of the power
    assert found["clinker"].total == pytest.approx(clinker)
    assert found["cement"].total == pytest.approx(200_000 * PCF / 1000 + 0.75 * clinker)
    assert any(w.code == "product.footprint.no_factor" for w in found["cement"].warnings)
    see = embedded(list(plant.processes), [])
    assert see["回转窑"].indirect_counted == pytest.approx(300 * CBAM_EF / 800)  # not Annex II
    rows = {d.component: d for d in plant.reconciliation}
    assert rows["direct"].difference_t == pytest.approx(0, abs=1e-9)


def test_every_bad_cell_is_placed(tmp_path: Path, reference: Reference) -> None:
    sheets = _example_sheets("both")
    units, shares = sheets["工序 (units)"], sheets["分摊 (assignments)"]
    links, flows = sheets["工序间 (links)"], sheets["外购 (flows)"]
    units[1][2] = "八百"  # row 2: not a number
    units[1][3] = "2523 10"  # not 8 or 10 digits
    units.append(["回转窑", "窑灰", 20, "8703 23 19", None, "Z"])  # row 4: not an item
    units.append(["水泥磨", "lime", 10, None, "水泥", None, 300])  # row 5: the mill's price only
    shares[2][2] = 1.5  # row 3: share above 1
    shares[3][2] = "六成"  # row 4: not a number
    links[1][2] = None  # row 2: a blank required cell
    flows[1][3] = "吨公里"  # unit of measure pint cannot read
    flows[1][4] = "空运"  # unknown stage
    flows[1][9] = 6  # rating outside 1-5
    flows[1][10:12] = [3, 3]
    flows[1][12] = -0.1  # negative uncertainty
    problems = _problems(_book(tmp_path / "map.xlsx", sheets), reference)
    placed = {(p.place.sheet, p.place.row, (p.place.column or "").split(" ")[0]) for p in problems}
    assert placed == {
        ("工序 (units)", 2, "产量"),
        ("工序 (units)", 2, "CN编码"),
        ("工序 (units)", 4, "产品"),
        ("工序 (units)", 4, "CN编码"),
        ("工序 (units)", 4, "CBAM路线"),
        ("工序 (units)", 3, "价格"),
        ("分摊 (assignments)", 3, "份额"),
        ("分摊 (assignments)", 4, "份额"),
        ("工序间 (links)", 2, "消耗量"),
        ("外购 (flows)", 2, "计量单位"),
        ("外购 (flows)", 2, "阶段"),
        ("外购 (flows)", 2, "技术代表性评级"),
        ("外购 (flows)", 2, "不确定度"),
    }, problems
    assert all(p.place.file == str(tmp_path / "map.xlsx") for p in problems)
    text = "\n".join(str(p) for p in problems)
    for said in (
        "'八百' is not a number",
        "'2523 10' is not a CN code of 8 or 10 digits",
        "87032319 is not a good of the CBAM",
        "'Z' is not one of A, B, C",
        "'窑灰' is not in the list",
        "unit '水泥磨' has prices for some of its products only",
        "share 1.5 is not in (0, 1]",
        "is empty",
        "unknown unit '吨公里'",
        "'空运' is not one of",
        "'6' is not a rating from 1 to 5",
        "must not be negative",
    ):
        assert said in text, (said, text)
    [cn] = [p for p in problems if "CN" in (p.place.column or "") and p.place.row == 2]
    assert problem_text(cn, "zh_CN") == "“2523 10” 不是 8 位或 10 位数字的 CN 编码"


def test_the_units_sheet_is_consistent(tmp_path: Path, reference: Reference) -> None:
    sheets = _example_sheets("code")
    sheets["units"] += [
        ["回转窑", "clinker", 5, None, None, None, None],  # row 4: listed twice
        ["水泥磨", "水泥熟料", 5, None, None, None, None],  # row 5: made by two units
        ["水泥磨", "lime", 5, None, "烧结矿", None, None],  # row 6: a second category
    ]
    sheets["flows"][1][9:12] = [2, None, None]  # one rating of three
    problems = _problems(_book(tmp_path / "map.xlsx", sheets), reference)
    said = {(p.place.sheet, p.place.row, p.message) for p in problems}
    assert said == {
        ("工序 (units)", 4, "unit '回转窑' lists 'clinker' twice"),
        (
            "工序 (units)",
            5,
            "'clinker' is made by units '回转窑' and '水泥磨': one unit makes each product",
        ),
        ("工序 (units)", 6, "unit '水泥磨' is of two CBAM categories: cement and sintered_ore"),
        ("外购 (flows)", 2, "give all three data-quality ratings or none"),
    }
    assert {p.place.column for p in problems} == {"product", "category", "dqr_technological"}


def test_missing_sheets_and_columns_and_unknown_columns(
    tmp_path: Path, reference: Reference
) -> None:
    sheets = _example_sheets("both")
    del sheets["外购 (flows)"]
    sheets["工序间 (links)"] = [
        ["工序名称 (unit)", "消耗的产品", "备注"],
        ["水泥磨", "水泥熟料", "x"],
    ]
    problems = _problems(_book(tmp_path / "map.xlsx", sheets), reference)
    text = [str(p) for p in problems]
    assert len(problems) == 3, text
    assert any("no sheet '外购 (flows)'" in t for t in text), text
    assert any("sheet 工序间 (links), row 1, column 备注: unknown column" in t for t in text)
    assert any(
        "sheet 工序间 (links), row 1, column 消耗量 (tonnes) [t]: required column is missing" in t
        for t in text
    ), text


def test_a_csv_file_is_not_a_map(tmp_path: Path, reference: Reference) -> None:
    path = tmp_path / "map.csv"
    path.write_text("工序名称,产品,产量\n回转窑,水泥熟料,800\n", encoding="utf-8")
    [problem] = _problems(path, reference)
    assert "Excel workbook" in problem.message and "工序 (units)" in problem.message


def test_the_blank_template_asks_for_units(tmp_path: Path, reference: Reference) -> None:
    path = tmp_path / "map.xlsx"
    write_product_map_template(path, reference)
    [problem] = _problems(path, reference)
    assert problem.place.sheet == "工序 (units)" and problem.place.row is None
    assert problem.message.startswith("no unit: give each production unit")


def test_annex_ii_goods_count_direct_emissions_only(tmp_path: Path, reference: Reference) -> None:
    sheets = _example_sheets("both")
    sheets["工序 (units)"][1][4] = "粗钢"  # crude steel: Annex II of Reg. (EU) 2023/956
    kiln, mill = read_product_map(_book(tmp_path / "map.xlsx", sheets), reference).units
    assert (kiln.category, kiln.direct_only) == ("crude_steel", True)
    assert (mill.category, mill.direct_only) == ("cement", False)


def test_the_example_gives_cbam_goods_and_a_route_is_read(
    tmp_path: Path, reference: Reference
) -> None:
    plan = read_product_map(_filled(tmp_path / "map.xlsx", reference), reference)
    lines, _ = _lines()
    results = product_results(lines, plan, Factors(PCF, "test", CBAM_EF), reference, 2026)
    assert {(g.product, g.good.cn_code, g.good.category) for g in results.goods} == {
        ("clinker", "2523100090", "cement_clinker"),
        ("cement", "25232900", "cement"),
    }
    sheets = _example_sheets("code")
    sheets["units"][1][3:6] = ["2523 10 00", None, " b "]  # clinker, white or grey: route B
    [kiln, _] = read_product_map(_book(tmp_path / "route.xlsx", sheets), reference).units
    assert kiln.routes == {"clinker": "B"} and kiln.cn_codes == {"clinker": "25231000"}


def _with_flows(rows: list[dict[str, object]]) -> dict[str, list[list[object]]]:
    """The example with these rows in the flows sheet (by column code)."""
    sheets = _example_sheets("code")
    columns = [s.code for s in SPECS["flows"]]
    sheets["flows"] = [columns, *([row.get(c) for c in columns] for row in rows)]
    return sheets


def test_a_precursor_bought_is_read_from_the_flows_sheet(
    tmp_path: Path, reference: Reference
) -> None:
    """A flows row with a CN code is a CBAM precursor bought (review H2): the supplier's SEE
    when given, its country (CN when blank); the mill's SEE then carries it."""
    clinker = {"unit": "水泥磨", "item": "外购熟料", "amount": 500, "unit_of_measure": "t",
               "stage": "materials", "cn_code": "2523 10 00 90", "see_direct": 0.9,
               "see_indirect": 0.05, "origin": "vn"}  # fmt: skip
    gypsum = {"unit": "水泥磨", "item": "石膏", "amount": 50, "unit_of_measure": "t",
              "stage": "materials"}  # fmt: skip
    path = _book(tmp_path / "bought.xlsx", _with_flows([gypsum, clinker]))
    plan = read_product_map(path, reference)
    (bought,) = plan.bought
    assert (bought.unit, bought.item, bought.tonnes, bought.cn_code) == (
        "水泥磨", "外购熟料", 500.0, "2523100090"
    )  # fmt: skip
    assert (bought.see_direct, bought.see_indirect, bought.country, bought.row) == (
        0.9, 0.05, "VN", 3
    )  # fmt: skip
    lines, _ = _lines()
    results = product_results(lines, plan, Factors(PCF, "test", CBAM_EF), reference, 2026)
    assert results.see["外购熟料"].counted == pytest.approx(0.95)
    assert {c.source for c in results.see["水泥磨"].contributions} >= {"外购熟料"}


def test_a_precursors_bad_cells_are_placed(tmp_path: Path, reference: Reference) -> None:
    rows = [
        {"unit": "水泥磨", "item": "a", "amount": 5, "unit_of_measure": "kg",
         "stage": "materials", "cn_code": "2523 10 00 90", "origin": "China"},
        {"unit": "水泥磨", "item": "b", "amount": 5, "unit_of_measure": "t",
         "stage": "materials", "cn_code": "8703 80 10"},
        {"unit": "水泥磨", "item": "c", "amount": 5, "unit_of_measure": "t",
         "stage": "materials", "cn_code": "2523 10 00 90", "see_indirect": 0.1},
        {"unit": "水泥磨", "item": "d", "amount": 5, "unit_of_measure": "t",
         "stage": "materials", "see_direct": 0.5},
    ]  # fmt: skip
    found = {
        (p.place.row, p.place.column)
        for p in _problems(_book(tmp_path / "x.xlsx", _with_flows(rows)), reference)
    }
    assert found == {
        (2, "unit_of_measure"),
        (2, "origin"),
        (3, "cn_code"),
        (4, "see_indirect"),
        (5, "see_direct"),
    }
