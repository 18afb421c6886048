"""GB/T 2260 regions and GB/T 4754-2017 industries resolve to names, or say why not."""

from __future__ import annotations

import pytest

from carbonpeak.domain.codes import industries, industry_by_code, region_by_code, regions
from carbonpeak.errors import CodeError


def test_every_province_is_there() -> None:
    provinces = regions(level="province")
    assert len(provinces) == 34
    names = {r.region_code: r.name_en for r in provinces}
    assert names["130000"] == "Hebei"
    assert names["610000"] == "Shaanxi"
    assert names["140000"] == "Shanxi"


def test_prefecture_resolves_with_its_province() -> None:
    tangshan = region_by_code("130200")
    assert (tangshan.name_zh, tangshan.name_en, tangshan.level) == (
        "唐山市",
        "Tangshan",
        "prefecture",
    )
    assert tangshan.parent_code == "130000"
    assert tangshan.province_code == "130000"
    hebei = regions(level="prefecture", parent_code="130000")
    assert len(hebei) == 11
    assert all(r.region_code.startswith("13") for r in hebei)


def test_every_prefecture_sits_in_its_province() -> None:
    for region in regions(level="prefecture"):
        assert region.parent_code == region.region_code[:2] + "0000"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("13020", "region code '13020' is not 6 digits"),
        (
            "130299",
            "unknown region code 130299: not a province or prefecture of GB/T 2260; "
            "its prefecture 130200 is 唐山市",
        ),
        ("139900", "130000 is 河北省, but it has no prefecture 139900"),
        ("990000", "no province has code 990000"),
    ],
)
def test_unknown_regions_say_why(code: str, message: str) -> None:
    with pytest.raises(CodeError) as raised:
        region_by_code(code)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("3110", "炼铁"),
        ("3120", "炼钢"),
        ("3011", "水泥制造"),
        ("3041", "平板玻璃制造"),
        ("3216", "铝冶炼"),
        ("2511", "原油加工及石油制品制造"),
        ("4411", "火力发电"),
    ],
)
def test_industry_anchors(code: str, name: str) -> None:
    assert industry_by_code(code).name_zh == name


def test_industry_hierarchy() -> None:
    steel = industry_by_code("3120")
    assert steel.level == "class"
    assert steel.parent_code == "312"
    assert industry_by_code("31").name_en == "Smelting and Pressing of Ferrous Metals"
    assert steel.section == "C"
    assert industry_by_code("4411").section == "D"
    assert industry_by_code("c").industry_code == "C"
    divisions = {i.industry_code for i in industries(level="division")}
    assert divisions == {f"{n:02d}" for n in range(6, 47)} - {"05"}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("31200", "is not a section letter or a 2-, 3- or 4-digit code"),
        ("0111", "unknown industry code 0111: not in GB/T 4754-2017 sections B (mining)"),
        ("A", "unknown industry code A"),
    ],
)
def test_unknown_industries_say_why(code: str, message: str) -> None:
    with pytest.raises(CodeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        industry_by_code(code)
