"""The columns of a plant's process map workbook (工序图; `io.product_map`), in Chinese and
English (io/headers.py), the help that explains its sheets, and its example: what the
template writes and what the reader accepts.

The example is a small cement plant (a kiln makes clinker; a mill grinds cement from part of
it, with bought gypsum). Its numbers are illustrative, made up to show how the sheets fit
together: no factor is given (a blank factor is a gap the footprint warns about), and none of
it is reference data.
"""

from __future__ import annotations

from carbonpeak.io.headers import ColumnSpec
from carbonpeak.product.map_sheets import MAP_SHEETS
from carbonpeak.reference.loader import Reference

STAGE_LABELS = (("materials", "原材料"), ("energy", "能源"), ("transport", "运输"))
FLAG_LABELS = (("yes", "是"), ("no", "否"))

_UNIT = ColumnSpec(
    "unit",
    "工序名称",
    "生产工序（装置）的名称，与 工序 (units) 工作表中的名称一致，如 回转窑",
    "the production unit's name, as in sheet units, e.g. kiln",
)
_RATING = "数据质量评级，1（最好）至 5（最差）的整数，可空白；三项评级须全填或全空"
_RATING_EN = (
    "data-quality rating, a whole number from 1 (best) to 5 (worst), optional; "
    "give all three or none"
)

SPECS: dict[str, tuple[ColumnSpec, ...]] = {
    "units": (
        _UNIT,
        ColumnSpec(
            "product",
            "产品",
            "工序的产品：品种代码或中文名称（见 代码表 (lists) 工作表），如 水泥熟料 或 clinker；"
            "联产品每个一行",
            "the unit's product: an item code or its Chinese name (sheet lists), e.g. clinker; "
            "one row per co-product",
        ),
        ColumnSpec(
            "amount",
            "产量",
            "核算期内该产品的产量（吨）",
            "the product's output in the account's period (t)",
            unit="t",
        ),
        ColumnSpec(
            "cn_code",
            "CN编码",
            "欧盟 CN 编码（8 位或 10 位数字，可含空格），可空白",
            "the EU CN code (8 or 10 digits, spaces allowed), optional",
        ),
        ColumnSpec(
            "category",
            "CBAM类别",
            "CBAM 汇总货物类别（下拉选择），可空白；同一工序只有一个类别。填了 CN 编码的产品，"
            "其类别按 CN 编码确定",
            "the CBAM aggregated goods category (drop-down), optional; one per unit. A product "
            "with a CN code takes the category of its code",
        ),
        ColumnSpec(
            "route",
            "CBAM路线",
            "CBAM 缺省值和基准值旁印出的路线字母（如 A、B），可空白；仅当该 CN 编码有多个路线"
            "的缺省值或基准值时需要填写",
            "the route letter printed beside CBAM default values and benchmarks (e.g. A, B), "
            "optional; needed only where the CN code has values for several routes",
        ),
        ColumnSpec(
            "price",
            "价格",
            "产品单价（每吨，同一工序各产品用同一货币），按经济价值分配联产品时填写；"
            "同一工序的产品要么都填，要么都不填（都不填时按质量分配）",
            "price per tonne (one currency within a unit), for allocating co-products by "
            "economic value; give it for every product of the unit or for none (none: by mass)",
        ),
        ColumnSpec(
            "template_route",
            "CBAM模板路线",
            "欧盟 CBAM 通报模板（面向装置）的生产路线（下拉选择，模板原文），可空白；仅当产品的"
            "CBAM 类别在模板中有多条路线（粗钢、生铁、氢、氨、未锻轧铝）时，导出 CBAM 通报工作簿"
            "需要填写。与 CBAM路线 (route) 的字母不同",
            "the production route of the EU CBAM communication template for installations "
            "(drop-down, the template's own words), optional; needed to export the CBAM "
            "communication workbook only where the product's CBAM category has several routes "
            "in the template (crude steel, pig iron, hydrogen, ammonia, unwrought aluminium). "
            "Not the route letter of column route",
        ),
    ),
    "assignments": (
        _UNIT,
        ColumnSpec(
            "item",
            "品种",
            "核算中的品种：代码或中文名称（见 代码表 (lists) 工作表），如 原煤 或 raw_coal",
            "an item of the account: its code or Chinese name (sheet lists), e.g. raw_coal",
        ),
        ColumnSpec(
            "share",
            "份额",
            "该品种进入本工序的份额：小数（0.6）或带 % 的百分数（60%），大于 0、不超过 1；"
            "同一品种各工序的份额合计为 1",
            "the unit's share of the item: a fraction (0.6) or a percent with % (60%), above "
            "0 and at most 1; each item's shares add up to 1",
        ),
    ),
    "links": (
        _UNIT,
        ColumnSpec(
            "product",
            "消耗的产品",
            "本工序消耗的、由本厂另一工序生产的产品：代码或中文名称，如 水泥熟料",
            "a product of another unit that this unit consumes: code or Chinese name",
        ),
        ColumnSpec(
            "tonnes",
            "消耗量",
            "核算期内的消耗量（吨）",
            "tonnes consumed in the account's period",
            unit="t",
        ),
    ),
    "flows": (
        _UNIT,
        ColumnSpec(
            "item",
            "外购物料",
            "从厂外购入的物料、能源或运输：品种代码、中文名称或自由文字，如 石膏",
            "a material, energy or transport bought from outside: item code, Chinese name or "
            "free text",
        ),
        ColumnSpec(
            "amount",
            "数量",
            "核算期内的数量，单位见 计量单位 列",
            "the amount in the account's period, in the unit of measure",
        ),
        ColumnSpec(
            "unit_of_measure",
            "计量单位",
            "数量的计量单位，如 t、kWh、t*km",
            "the amount's unit of measure, e.g. t, kWh, t*km",
        ),
        ColumnSpec(
            "stage",
            "阶段",
            "原材料 materials、能源 energy 或 运输 transport",
            "materials, energy or transport",
            choices=STAGE_LABELS,
        ),
        ColumnSpec(
            "factor",
            "因子",
            "从摇篮到大门的排放因子（tCO2e/计量单位）；空白表示未找到，足迹中列为缺口并提示",
            "cradle-to-gate factor (tCO2e per unit of measure); blank: not found, a gap the "
            "footprint warns about",
        ),
        ColumnSpec(
            "source",
            "因子来源",
            "因子的来源（文献、数据库或供应商）",
            "where the factor comes from (document, database or supplier)",
        ),
        ColumnSpec(
            "primary",
            "供应商实测",
            "因子是否为供应商的实测（初级）数据：是/否，空白为否",
            "whether the factor is the supplier's own (primary) data: yes/no, blank: no",
            choices=FLAG_LABELS,
        ),
        ColumnSpec(
            "default",
            "缺省值",
            "因子是否为缺省值：是/否，空白为否",
            "whether the factor is a default value: yes/no, blank: no",
            choices=FLAG_LABELS,
        ),
        ColumnSpec("dqr_technological", "技术代表性评级", _RATING, _RATING_EN),
        ColumnSpec("dqr_geographical", "地理代表性评级", _RATING, _RATING_EN),
        ColumnSpec("dqr_temporal", "时间代表性评级", _RATING, _RATING_EN),
        ColumnSpec(
            "uncertainty",
            "不确定度",
            "相对不确定度（95% 置信区间半宽）：小数（0.1）或带 % 的百分数（10%），可空白",
            "relative uncertainty (95 % half-width): a fraction (0.1) or a percent with % "
            "(10%), optional",
        ),
        ColumnSpec(
            "cn_code",
            "CBAM商品编码",
            "外购的 CBAM 前体（如熟料、生铁、粗钢）的 8 位或 10 位 CN 编码，计量单位须为 t；"
            "非 CBAM 商品留空",
            "a CBAM precursor bought (clinker, pig iron, crude steel...): its CN code of 8 or "
            "10 digits, the unit of measure t; blank for other flows",
        ),
        ColumnSpec(
            "see_direct",
            "供应商直接SEE",
            "供应商提供的该前体直接单位隐含排放（tCO2e/t，经核查的实际值）；空白则采用原产国缺省值并提示",
            "the supplier's direct SEE of the precursor (tCO2e/t, verified actual value); "
            "blank: its country's default value is used, said",
        ),
        ColumnSpec(
            "see_indirect",
            "供应商间接SEE",
            "供应商提供的间接单位隐含排放（tCO2e/t）；只在填写直接SEE时填写",
            "the supplier's indirect SEE (tCO2e/t); only with the direct SEE",
        ),
        ColumnSpec(
            "origin",
            "原产国",
            "前体生产国的 ISO 两字母代码，如 CN；空白为 CN",
            "the ISO alpha-2 code of the country where the precursor was made, e.g. CN; blank: CN",
        ),
    ),
}
"""sheet code -> its columns, in the order the template writes them."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "units": ("unit", "product", "amount"),
    "assignments": ("unit", "item", "share"),
    "links": ("unit", "product", "tonnes"),
    "flows": ("unit", "item", "amount", "unit_of_measure", "stage"),
}
"""sheet code -> the columns every row fills in (the other columns may be left out)."""

SHEET_HELP: dict[str, tuple[str, str]] = {
    "units": (
        "每个生产工序（装置）及其产品，每个（工序, 产品）一行：有联产品的工序占多行。",
        "each production unit and its products, one row per (unit, product): a unit with "
        "co-products has several rows.",
    ),
    "assignments": (
        "核算中每个品种（燃料、原料、过程、外购电力和热力）分到各工序的份额。同一品种各工序的"
        "份额合计必须为 1：核算中的每一行恰好进入各工序一次。",
        "the share of each item of the account (fuels, feedstocks, processes, bought "
        "electricity and heat) that goes into each unit. Each item's shares add up to 1: every "
        "line of the account goes into the units exactly once.",
    ),
    "links": (
        "一个工序消耗另一工序的产品（如水泥磨消耗窑的熟料）。消耗量不能超过产量；不足部分作为外购。",
        "a unit consumes another unit's product (the mill, the kiln's clinker). Units cannot "
        "consume more than is made: buy the rest as a flow.",
    ),
    "flows": (
        "从厂外购入、不在能源和碳排放核算中的物料、能源和运输，及其从摇篮到大门的排放因子。",
        "materials, energy and transport bought from outside and not in the energy and carbon "
        "account, with their cradle-to-gate factors.",
    ),
}

EXAMPLE_NOTE = (
    "示例工作表是一家小型水泥厂（回转窑生产熟料，水泥磨用部分熟料和外购石膏生产水泥），"
    "数字仅为说明而编造，不是参考数据；石膏的因子空白，表示未找到因子的缺口。示例工作表不被"
    "读取：在 工序、分摊、工序间、外购 四个工作表中填写本厂的数据。",
    "The example sheets are a small cement plant (the kiln makes clinker, the mill grinds "
    "cement from part of it and bought gypsum); the numbers are made up to illustrate, not "
    "reference data; gypsum's blank factor shows a gap where no factor was found. The "
    "example sheets are not read: fill in the plant's own data in sheets units, assignments, "
    "links and flows.",
)

EXAMPLE: dict[str, tuple[dict[str, object], ...]] = {
    "units": (
        {
            "unit": "回转窑",
            "product": "水泥熟料",
            "amount": 800,
            "cn_code": "2523 10 00 90",
            "category": "水泥熟料",
            "route": "A",
        },
        {
            "unit": "水泥磨",
            "product": "水泥",
            "amount": 1000,
            "cn_code": "2523 29 00",
            "category": "水泥",
        },
    ),
    "assignments": (
        {"unit": "回转窑", "item": "原煤", "share": 1},
        {"unit": "回转窑", "item": "石灰石", "share": 1},
        {"unit": "回转窑", "item": "电力", "share": "60%"},
        {"unit": "水泥磨", "item": "电力", "share": "40%"},
    ),
    "links": ({"unit": "水泥磨", "product": "水泥熟料", "tonnes": 750},),
    "flows": (
        {
            "unit": "水泥磨",
            "item": "石膏",
            "amount": 50,
            "unit_of_measure": "t",
            "stage": "原材料",
            "primary": "否",
            "default": "否",
        },
    ),
}
"""sheet code -> the example's rows (illustrative, `EXAMPLE_NOTE`)."""


ROUTE_TABLES = ("cbam_default_values", "cbam_country_unknown_defaults", "cbam_benchmarks")
"""The CBAM tables whose values are printed with a route letter."""


def category_choices(reference: Reference) -> tuple[tuple[str, str], ...]:
    """(code, Chinese name) of each CBAM aggregated goods category (`cbam_categories`)."""
    return tuple((str(r["category"]), str(r["name_zh"])) for r in reference.rows("cbam_categories"))


def direct_only(reference: Reference) -> dict[str, bool]:
    """Each CBAM category -> whether only its direct emissions count (an Annex II good: the
    table's `indirect` is no)."""
    return {str(r["category"]): r["indirect"] == "no" for r in reference.rows("cbam_categories")}


def route_letters(reference: Reference) -> tuple[str, ...]:
    """The route letters the CBAM tables print (their `route` column's choices)."""
    letters: set[str] = set()
    for table in ROUTE_TABLES:
        letters |= set(reference.spec(table).column("route").choices or ())
    return tuple(sorted(letters))


def template_route_choices(reference: Reference) -> tuple[tuple[str, str], ...]:
    """(code, the template's English name) of each production route of the CBAM
    communication template (`cbam_routes`), once each."""
    found: dict[str, str] = {}
    for r in reference.rows("cbam_routes"):
        found.setdefault(str(r["route"]), str(r["name_en"]))
    return tuple(found.items())


def template_routes(reference: Reference) -> dict[str, tuple[str, ...]]:
    """Each CBAM category -> the codes of its routes in the template, in the template's order
    (`cbam_routes`; `all` alone where the template offers "All production routes" only)."""
    found: dict[str, list[str]] = {}
    for r in reference.rows("cbam_routes"):
        found.setdefault(str(r["category"]), []).append(str(r["route"]))
    return {category: tuple(routes) for category, routes in found.items()}


def example_title(code: str) -> str:
    """The title of the example of sheet `code`: `示例-工序 (example_units)` (not read)."""
    return f"示例-{MAP_SHEETS[code]} (example_{code})"
