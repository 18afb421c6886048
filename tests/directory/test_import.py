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
