"""A catalogue's spreadsheet as the ministries publish it, read into an edition: the headers
found by their printed names, a two-row header, headings that name the sector, ranges and
units converted by hand; every entry citable, or a problem placed at its sheet, row and
column and nothing read."""

from __future__ import annotations

from datetime import date

import pytest

from carbonpeak.directory.catalogue import technologies
from carbonpeak.errors import InputError
from carbonpeak.io.directory import CatalogueInfo, read_catalogue
from carbonpeak.reference.editions import apply_edition
from carbonpeak.reference.loader import default_reference

from .conftest import workbook

INFO = CatalogueInfo(
    catalogue="test_2024",
    source_id="test_catalogue_2024",
    title="国家工业和信息化领域节能降碳技术装备推荐目录（测试）",
    issuer="test issuer",
    document_number="测试〔2024〕1号",
    valid_from=date(2024, 6, 1),
)
TITLE = ["国家工业和信息化领域节能降碳技术装备推荐目录（测试）"]
HEADER = ["序号", "技术名称", "适用范围", "技术原理", "典型案例", None, None, None, "推广前景"]
UNDER = [None, None, None, None, "投资额（万元）", "节能量（tce/a）", "碳减排量（万tCO2/a）",
         "投资回收期（年）", None]  # fmt: skip


def _book() -> bytes:
    return workbook(
        [
            TITLE,
            HEADER,
            UNDER,
            ["一、钢铁行业"],
            [1, "烧结烟气内循环技术", "烧结工序", "烟气循环回用", "1200-1500", 5000, 1.2, "2~3年",
             "推广"],
            [2, "高炉炉顶均压煤气回收", "炼铁工序", "回收均压放散煤气", 800, "3000", "0.8",
             "约1.5", None],
            ["（二）通用技术"],
            [3, "永磁电机", "电机系统", "高效电机", "", "", "", "", ""],
        ]
    )  # fmt: skip


def test_a_catalogue_with_a_two_row_header_and_sector_headings() -> None:
    edition = read_catalogue("catalogue.xlsx", _book(), INFO)
    rows = [dict(r.values) for r in edition.rows]
    assert [r["entry_no"] for r in rows] == ["1", "2", "3"]
    assert [r["sector"] for r in rows] == ["钢铁行业", "钢铁行业", "通用技术"]
    first = rows[0]
    assert (first["investment_min"], first["investment_max"]) == ("1200", "1500")
    assert first["energy_saving"] == "5000"
    assert first["co2_reduction"] == "12000"  # 1.2 万 t CO2 a year, by hand
    assert (first["payback_min"], first["payback_max"]) == ("2", "3")
    assert first["problem_zh"] == "烧结工序" and first["principle_zh"] == "烟气循环回用"
    assert first["saving_text"] == "推广"  # 推广前景, as printed
    assert rows[1]["co2_reduction"] == "8000" and rows[1]["payback_min"] == "1.5"
    assert "energy_saving" not in rows[2]  # blank figures stay blank
    assert all(r["source_id"] == "test_catalogue_2024" for r in rows)
    assert rows[0]["note"] == "imported from catalogue.xlsx, 目录, row 5"
    assert edition.rows[0].place.row == 5 and edition.rows[0].place.sheet == "目录"
    # applied over the shipped library, the entries cite the catalogue
    library = apply_edition(default_reference(), edition).reference
    found = [t for t in technologies(library) if t.catalogue == "test_2024"]
    assert [t.key for t in found] == ["test_2024:1", "test_2024:2", "test_2024:3"]
    assert found[0].figures["co2_reduction"] == 12000.0
    assert "测试〔2024〕1号" in found[0].source and found[0].status == "unverified"


def _problems(content: bytes, info: CatalogueInfo = INFO) -> list[tuple[object, ...]]:
    with pytest.raises(InputError) as caught:
        read_catalogue("bad.xlsx", content, info)
    return [
        (p.place.sheet, p.place.row, p.place.column or p.place.field, p.message)
        for p in caught.value.problems
    ]


def test_an_entry_without_its_number_is_refused_where_it_is() -> None:
    content = workbook(
        [["序号", "技术名称", "行业"], [1, "甲技术", "建材"], [None, "乙技术", "建材"]]
    )
    (problem,) = _problems(content)
    assert problem[:3] == ("目录", 3, "序号")
    assert "cannot be cited" in str(problem[3])


def test_an_entry_without_its_source_is_refused() -> None:
    content = workbook(
        [
            ["序号", "技术名称", "行业", "来源"],
            [1, "甲技术", "建材", "test_catalogue_2024"],
            [2, "乙技术", "建材", None],
        ]
    )
    (problem,) = _problems(content)
    assert problem[:3] == ("目录", 3, "来源")
    assert "source" in str(problem[3])


def test_a_catalogue_that_cannot_be_cited_is_refused() -> None:
    content = workbook([["序号", "技术名称", "行业"], [1, "甲技术", "建材"]])
    bare = CatalogueInfo(catalogue="x", source_id="x", title="", valid_from=date(2024, 1, 1))
    found = {p[2] for p in _problems(content, bare)}
    assert found == {"title", "document_number"}


def test_every_problem_at_once() -> None:
    content = workbook(
        [
            ["序号", "技术名称", "投资额（万元）", "节能量（tce/a）", "行业"],
            [1, "甲", "很多", "10-20", "建材"],
            [1, "乙", 5, 5, "建材"],
            [2, None, 5, 5, None],
            [3, "丙", "20-10", 5, "建材"],
        ]
    )
    found = _problems(content)
    assert [(p[1], p[2]) for p in found] == [
        (2, "投资额（万元）"),  # not a number
        (2, "节能量（tce/a）"),  # a range where one figure is asked
        (3, "序号"),  # entry 1 twice
        (4, "技术名称"),  # no name
        (4, None),  # no sector: no column value, no heading
        (5, "投资额（万元）"),  # a range that ends below its start
    ]
    assert "row 2" in str(found[2][3])


def test_a_header_unit_that_is_not_one_is_refused() -> None:
    content = workbook([["序号", "技术名称", "行业", "节能量（千瓦）"], [1, "甲", "建材", 3]])
    (problem,) = _problems(content)
    assert problem[1:3] == (1, "节能量（千瓦）")


def test_a_file_that_is_no_catalogue() -> None:
    assert "技术名称" in str(_problems(workbook([["a", "b"], [1, 2]]))[0][3])
    with pytest.raises(InputError, match="Excel workbook"):
        read_catalogue("list.csv", b"a,b\n", INFO)
    with pytest.raises(InputError, match="readable"):
        read_catalogue("broken.xlsx", b"not a zip", INFO)


def test_the_ends_of_a_range_in_columns_of_their_own() -> None:
    """As the directory's export writes them: investment_min and investment_max."""
    content = workbook(
        [
            ["entry_no", "name_zh", "sector", "investment_min", "investment_max"],
            [1, "甲", "建材", 10, 20],
            [2, "乙", "建材", 30, 20],
        ]
    )
    (problem,) = _problems(content)
    assert problem[1] == 3 and "above" in str(problem[3])
    good = workbook([["entry_no", "name_zh", "sector", "investment_min"], [1, "甲", "建材", 10]])
    (row,) = read_catalogue("good.xlsx", good, INFO).rows
    assert row.values["investment_min"] == "10" and "investment_max" not in row.values


# The Ministry of Transport's catalogue as its table prints it (docs/notes/directory.md §2):
# a two-row header, 典型项目 merged over its three columns; the first three entries' cells as
# the shipped edition 0002_directory_2026_12 transcribes them (推广建议 left blank: the edition
# does not carry it)
MOT_HEADER = ["序号", "所属领域", "技术名称", "推荐单位", "申报单位", "技术内容", "适用范围",
              "典型项目", None, None, "推广建议"]  # fmt: skip
MOT_UNDER = [None] * 7 + ["应用规模", "节能量/替代燃料量（年）", "CO2减排量（年）", None]
MOT_CASES = {
    "1": ("浙江省交通运输厅", "嘉兴市港航管理服务中心", "海宁提升（中分桥至吴家新桥段）改造工程",
          "255.4 tce/公里", "486t/公里"),
    "2": ("交通运输部东海航海保障中心", "交通运输部东海航海保障中心上海航标处", "134 座滚塑浮标",
          "49.43tce", "93.93t"),
    "3": ("交通运输部天津水运工程科学研究所", "交通运输部天津水运工程科学研究所",
          "在天津港太平洋国际集装箱码头应用", "160.8 tce", "361.37t"),
}  # fmt: skip
COMPARED = ("catalogue", "entry_no", "name_zh", "sector", "problem_zh", "principle_zh",
            "saving_text", "energy_saving", "co2_reduction", "source_id", "status")  # fmt: skip


def _mot_book(shipped: dict[str, dict[str, str]]) -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["交通运输行业节能低碳技术推广目录（2021年度）"])
    sheet.append(MOT_HEADER)
    sheet.append(MOT_UNDER)
    sheet.merge_cells("H2:J2")  # 典型项目 over its three columns
    for column in "ABCDEFGK":
        sheet.merge_cells(f"{column}2:{column}3")
    for number, (recommends, applies, scale, saving, co2) in MOT_CASES.items():
        row = shipped[number]
        texts = [row["sector"], row["name_zh"], recommends, applies, row["principle_zh"]]
        sheet.append([int(number), *texts, row["problem_zh"], scale, saving, co2, None])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_ministry_of_transport_layout_reproduces_the_shipped_edition() -> None:
    import csv
    from pathlib import Path

    import carbonpeak.reference as reference_package

    folder = Path(reference_package.__file__).parent / "data/editions/0002_directory_2026_12"
    with open(folder / "directory_technologies.csv", encoding="utf-8") as handle:
        shipped = {r["entry_no"]: r for r in csv.DictReader(handle)}
    info = CatalogueInfo(
        catalogue="mot_2021",
        source_id="mot_21_tech_catalogue",
        title="交通运输行业节能低碳技术推广目录（2021 年度）",
        url="https://github.com/yeahqiona/Dual-carbon-policies",
        valid_from=date(2026, 12, 7),
        status="verified",
    )
    warnings: list = []
    edition = read_catalogue("mot_2021.xlsx", _mot_book(shipped), info, warnings)
    read = {r.values["entry_no"]: r.values for r in edition.rows}
    assert sorted(read) == ["1", "2", "3"]
    for number, row in read.items():
        for column in COMPARED:
            want, got = shipped[number][column], row.get(column, "")
            if column in ("energy_saving", "co2_reduction") and want:
                assert float(got) == float(want), (number, column)
            else:
                assert got == want, (number, column, got, want)
    # entry 1's per-kilometre figures are kept as text, each with a warning placed at its cell
    kept = [w for w in warnings if w.code == "directory.catalogue.figure_as_text"]
    assert sorted(w.data["text"] for w in kept) == ["255.4 tce/公里", "486t/公里"]
    assert all("row 4" in w.data["place"] for w in kept)
    assert [w.data["count"] for w in warnings if w.code.endswith("without_links")] == [3]


def test_a_bracketed_year_after_a_figure_is_a_year_and_payback_in_years_is_years() -> None:
    book = workbook(
        [
            ["序号", "行业", "技术名称", "节能量（年）", "CO2减排量（年度）", "投资回收期（年）"],
            [1, "钢铁", "烧结烟气内循环", "5000", "1.2万t", "2-3"],
        ]
    )
    (row,) = read_catalogue("c.xlsx", book, INFO).rows
    assert row.values["energy_saving"] == "5000"  # tce a year, the table's unit
    assert row.values["co2_reduction"] == "12000"  # 1.2 万 t a year, by hand
    assert (row.values["payback_min"], row.values["payback_max"]) == ("2", "3")


def test_a_figure_per_unit_outside_a_case_is_kept_as_text() -> None:
    book = workbook(
        [
            ["序号", "行业", "技术名称", "节能量", "节能效果"],
            [1, "电机", "永磁电机", "12tce/台", "节电"],
        ]
    )
    warnings: list = []
    (row,) = read_catalogue("c.xlsx", book, INFO, warnings).rows
    assert "energy_saving" not in row.values
    assert row.values["saving_text"] == "节电；节能量12tce/台"
    assert [w.data["text"] for w in warnings if w.code.endswith("figure_as_text")] == ["12tce/台"]


def test_a_two_row_header_of_text_sub_headers() -> None:
    """技术主要内容 over 技术原理 and 关键技术 (no figure in the lower row): read as one header,
    both texts the entry's principle."""
    book = workbook(
        [
            ["序号", "技术名称", "行业", "技术主要内容", None],
            [None, None, None, "技术原理", "关键技术"],
            [1, "烧结烟气内循环", "钢铁", "烟气循环回用", "循环风机"],
        ]
    )
    (row,) = read_catalogue("c.xlsx", book, INFO).rows
    assert row.values["entry_no"] == "1"
    assert row.values["principle_zh"] == "烟气循环回用；循环风机"


def test_numbering_that_starts_again_under_each_heading() -> None:
    """一、钢铁 1, 2; 二、建材 1: each entry known by its section and number; a number twice
    under one heading is still refused."""
    book = workbook(
        [
            ["序号", "技术名称"],
            ["一、钢铁行业"],
            [1, "烧结烟气内循环"],
            [2, "高炉煤气回收"],
            ["二、建材行业"],
            [1, "第四代篦冷机"],
        ]
    )
    rows = [r.values for r in read_catalogue("c.xlsx", book, INFO).rows]
    assert [r["entry_no"] for r in rows] == ["钢铁行业-1", "钢铁行业-2", "建材行业-1"]
    twice = workbook([["序号", "技术名称"], ["一、钢铁行业"], [1, "甲"], [1, "乙"],
                      ["二、建材行业"], [1, "丙"]])  # fmt: skip
    with pytest.raises(InputError) as caught:
        read_catalogue("c.xlsx", twice, INFO)
    assert [p.place.row for p in caught.value.problems] == [4]


def test_figures_with_thousands_ten_thousands_and_bounds() -> None:
    """1,200 is 1200; 100万-200万 of money is 100-200 万元, 1.5万 tce is 15000; ≥100 is a
    bound, not a figure: kept as text with a warning."""
    book = workbook(
        [
            ["序号", "行业", "技术名称", "投资额", "节能量", "碳减排量", "节能效果"],
            [1, "钢铁", "甲", "100万-200万", "1,200", "≥100", "节电"],
            [2, "钢铁", "乙", "1,500", "1.5万", "3万t", ""],
        ]
    )
    warnings: list = []
    first, second = (r.values for r in read_catalogue("c.xlsx", book, INFO, warnings).rows)
    assert (first["investment_min"], first["investment_max"]) == ("100", "200")
    assert first["energy_saving"] == "1200"
    assert "co2_reduction" not in first and first["saving_text"] == "节电；碳减排量≥100"
    assert [w.data["text"] for w in warnings if w.code.endswith("figure_as_text")] == ["≥100"]
    assert second["investment_min"] == second["investment_max"] == "1500"
    assert (second["energy_saving"], second["co2_reduction"]) == ("15000", "30000")
