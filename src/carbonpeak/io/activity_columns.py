"""The columns of the activity and enterprises sheets, in Chinese and English (io/headers.py):
what the template writes and what the readers accept."""

from __future__ import annotations

from carbonpeak.accounting.activity import COLUMNS
from carbonpeak.io.headers import ColumnSpec
from carbonpeak.io.sheet_names import sheet_title
from carbonpeak.reference.loader import Reference

LIST_SHEET = sheet_title("lists")
STREAM_LABELS = (
    ("fuel", "燃料"),
    ("feedstock", "原料"),
    ("process", "过程"),
    ("electricity", "电力"),
    ("heat", "热力"),
    ("product", "产品"),
    ("economic", "经济"),
)
STREAM_ALIASES = (("product", "产品产量"), ("economic", "工业增加值"))
"""Other Chinese names of a stream a reader accepts (the template's help used them)."""
DIRECTION_LABELS = (("in", "输入"), ("out", "输出"))

_ACTIVITY = (
    ColumnSpec(
        "enterprise_id",
        "统一社会信用代码",
        "统一社会信用代码（18位，GB 32100-2015）",
        "unified social credit code (18 characters, GB 32100-2015)",
        example="911302007A3K9C2D24",
    ),
    ColumnSpec("period", "统计期", "统计期：YYYY 或 YYYY-MM", "YYYY or YYYY-MM", example="2025-03"),
    ColumnSpec(
        "stream",
        "类别",
        "类别：燃料 fuel、原料 feedstock、过程 process、电力 electricity、热力 heat、"
        "产品 product（产品产量）、经济 economic（工业增加值）",
        "fuel, feedstock, process, electricity, heat, product or economic",
        choices=STREAM_LABELS,
        example="fuel",
    ),
    ColumnSpec(
        "item",
        "品种",
        "品种：中文名称或代码（见 代码表 (lists) 工作表），如 原煤 或 raw_coal",
        "item: its Chinese name or code (sheet lists), e.g. 原煤 or raw_coal",
        example="bituminous_coal",
    ),
    ColumnSpec(
        "direction",
        "方向",
        "输入 in（默认）或 输出 out（外供电、热、燃料）",
        "in (default) or out (exported electricity, heat or fuel)",
        choices=DIRECTION_LABELS,
        example="in",
    ),
    ColumnSpec("amount", "数量", "数量，不为负", "non-negative number", example=9800),
    ColumnSpec(
        "unit",
        "计量单位",
        "计量单位，如 t、10^4 Nm3、kWh、MWh、GJ；工业增加值用 10^4 yuan（万元）",
        "any unit, e.g. t, 10^4 Nm3, kWh, MWh, GJ; value added in 10^4 yuan (万元)",
        example="t",
    ),
    ColumnSpec(
        "ncv", "低位发热量", "实测低位发热量（可选）", "measured net calorific value (optional)"
    ),
    ColumnSpec(
        "ncv_unit",
        "低位发热量单位",
        "低位发热量的单位，如 GJ/t",
        "unit of ncv, e.g. GJ/t or GJ/(10^4 Nm3)",
    ),
    ColumnSpec(
        "carbon_content_tc_per_gj",
        "单位热值含碳量",
        "实测单位热值含碳量（可选）",
        "measured carbon content per unit heat (optional)",
        unit="tC/GJ",
    ),
    ColumnSpec(
        "oxidation_rate",
        "碳氧化率",
        "实测碳氧化率，0-1 的小数（可选）",
        "measured oxidation rate, fraction 0-1 (optional)",
    ),
    ColumnSpec(
        "emission_factor",
        "排放因子",
        "实测排放因子（可选），替代方法的因子",
        "measured emission factor (optional), replaces the method's factor",
    ),
    ColumnSpec(
        "emission_factor_unit",
        "排放因子单位",
        "排放因子的单位，如 tCO2/t、tCO2/MWh",
        "unit of emission_factor, e.g. tCO2/t or tCO2/MWh",
    ),
    ColumnSpec(
        "cao_fraction",
        "熟料CaO含量",
        "熟料中 CaO 质量分数，0-1（水泥）",
        "clinker CaO mass fraction, 0-1 (cement)",
    ),
    ColumnSpec(
        "mgo_fraction",
        "熟料MgO含量",
        "熟料中 MgO 质量分数，0-1（水泥）",
        "clinker MgO mass fraction, 0-1 (cement)",
    ),
    ColumnSpec(
        "cao_noncarbonate_fraction",
        "非碳酸盐CaO比例",
        "非碳酸盐来源的 CaO，占熟料的比例",
        "CaO from non-carbonate sources, fraction of clinker",
    ),
    ColumnSpec(
        "mgo_noncarbonate_fraction",
        "非碳酸盐MgO比例",
        "非碳酸盐来源的 MgO，占熟料的比例",
        "MgO from non-carbonate sources, fraction of clinker",
    ),
    ColumnSpec(
        "carbon_fraction",
        "含碳量",
        "原料或产品的含碳量（质量分数，碳平衡法）",
        "carbon mass fraction of a feedstock or product (mass balance)",
    ),
    ColumnSpec(
        "area",
        "能效领域",
        "产品所属的能效领域，如 cement_clinker、bof",
        "efficiency-level area of a product, e.g. cement_clinker, bof",
    ),
)
ACTIVITY_SPECS: tuple[ColumnSpec, ...] = tuple(
    next(s for s in _ACTIVITY if s.code == c) for c in COLUMNS
)
"""The activity sheet's columns, in the order of `accounting.activity.COLUMNS`."""

ENTERPRISE_SPECS: tuple[ColumnSpec, ...] = (
    ACTIVITY_SPECS[0],
    ColumnSpec("name", "企业名称", "企业名称", "enterprise name", example="示例水泥有限公司"),
    ColumnSpec(
        "region_code",
        "行政区划代码",
        "行政区划代码（6位，GB/T 2260）",
        "region code (6 digits, GB/T 2260)",
        example="130200",
    ),
    ColumnSpec(
        "industry_code",
        "行业代码",
        "国民经济行业代码（GB/T 4754）",
        "industry code (GB/T 4754)",
        example="3011",
    ),
)


def item_choices(reference: Reference) -> tuple[tuple[str, str], ...]:
    """(code, Chinese name) of each item of the reference table `items`."""
    return tuple((str(r["item"]), str(r["name_zh"])) for r in reference.rows("items"))


def choices_of(code: str, reference: Reference) -> tuple[tuple[str, str], ...]:
    """The choices a reader accepts in a column of the activity sheet (aliases included)."""
    if code == "item":
        return item_choices(reference)
    if code == "stream":
        return STREAM_LABELS + STREAM_ALIASES
    spec = next(s for s in ACTIVITY_SPECS if s.code == code)
    return spec.choices
