"""The forms of the capacity swap (`policy.capacity_swap`: the location nested, the lines
built and the lines that exit, `reaches_benchmark` yes/no/not stated) and the project carbon
assessment (`policy.project_assessment`: the energy lines, the main product and the region's
budget nested), in the file formats' own field names."""

from __future__ import annotations

from carbonpeak.io.application_specs import REGION, Form, FormField, Group
from carbonpeak.policy.capacity_swap import EQUIPMENT, STATUSES

_EQUIPMENT = tuple(dict.fromkeys(e for sector in EQUIPMENT.values() for e in sector))
_STAGES = tuple(dict.fromkeys(s for sector in EQUIPMENT.values() for s in sector.values()))


def _number(name: str, zh: str, en: str, unit: str = "", **extra: object) -> FormField:
    return FormField(name, zh, en, "number", unit, step="any", **extra)  # type: ignore[arg-type]


def _line_fields() -> tuple[FormField, ...]:
    return (
        FormField("equipment", "设备", "Equipment", "choice", choices=_EQUIPMENT, required=True),
        _number(
            "capacity_t",
            "年产能",
            "Annual capacity",
            "t",
            min=0,
            required=True,
            help_zh="大于 0",
            help_en="above 0",
        ),
        FormField("stage", "工序", "Stage", "choice", choices=_STAGES),
        FormField(
            "source",
            "来源",
            "Source",
            "choice",
            choices=("own", "merger", "purchase", "transfer"),
            help_zh="空白：自有（own）",
            help_en="blank: own",
        ),
        FormField(
            "region_code",
            "所在行政区划代码",
            "Region code",
            pattern=r"\d{6}",
            help_zh=REGION.help_zh,
            help_en=REGION.help_en,
        ),
        FormField(
            "status",
            "状态",
            "Status",
            "choice",
            choices=STATUSES,
            help_zh="空白：在产（operating）",
            help_en="blank: operating",
        ),
        FormField("on_2016_list", "列入 2016 年清单", "On the 2016 list", "tristate"),
        FormField("built_year", "建成年份", "Year built", "whole", min=1950, max=2100, step="1"),
    )


SWAP = Form(
    "swap",
    (
        FormField(
            "sector",
            "行业",
            "Sector",
            "choice",
            choices=("steel", "cement", "flat_glass", "aluminium"),
            required=True,
        ),
        FormField("application_date", "申请日期", "Application date", "date", required=True),
        FormField(
            "location_region_code",
            "建设地行政区划代码",
            "Location region code",
            required=True,
            pattern=r"\d{6}",
            help_zh=REGION.help_zh,
            help_en=REGION.help_en,
        ),
        FormField("in_site_upgrade", "原址升级改造", "In-site upgrade", "flag"),
        FormField("stainless_rkef", "不锈钢 RKEF", "Stainless RKEF", "flag"),
        FormField("gypsum_cement", "石膏水泥", "Gypsum cement", "flag"),
        FormField("same_site", "同一厂区", "Same site", "flag"),
        FormField("pv_rolled_glass", "光伏压延玻璃", "PV rolled glass", "flag"),
        FormField(
            "reaches_benchmark",
            "达到能效标杆水平",
            "Reaches the benchmark",
            "tristate",
            help_zh="是、否或未说明",
            help_en="yes, no or not stated",
        ),
        _number("national_capacity_t", "全国产能", "National capacity", "t", min=0),
        _number(
            "ac_power_kwh_per_t",
            "交流电耗",
            "AC power consumption",
            "kWh/t",
            min=0,
            help_zh="大于 0",
            help_en="above 0",
        ),
    ),
    (
        Group("built", "新建产能", "Capacity built", _line_fields(), min_rows=1),
        Group("exit", "退出产能", "Capacity that exits", _line_fields()),
    ),
    nest=(("location_region_code", "location", "region_code"),),
)

PROJECT = Form(
    "project",
    (
        FormField("name", "项目名称", "Name"),
        REGION,
        FormField(
            "industry_code",
            "行业代码",
            "Industry code",
            required=True,
            pattern=r"\d{2,4}",
            help_zh="国民经济行业分类，2 至 4 位数字，如 3011",
            help_en="2 to 4 digits of GB/T 4754, e.g. 3011",
        ),
        FormField("application_date", "申请日期", "Application date", "date", required=True),
        FormField(
            "status",
            "项目状态",
            "Status",
            "choice",
            choices=("planned", "under_construction", "existing"),
            help_zh="空白：拟建（planned）",
            help_en="blank: planned",
        ),
        FormField(
            "area",
            "能效领域",
            "Efficiency area",
            help_zh="如 cement_clinker",
            help_en="e.g. cement_clinker",
        ),
        _number("unit_energy", "单位产品能耗", "Unit-product energy"),
        _number("annual_energy_tce", "年综合能耗", "Annual energy use", "tce", min=0),
        _number("annual_co2_t", "年二氧化碳排放", "Annual CO2", "t", min=0),
        _number("annual_coal_t", "年煤炭消费", "Annual coal use", "t", min=0),
        _number("value_added_10k_yuan", "工业增加值", "Value added", "万元", min=0),
        FormField("output_item", "主要产品", "Main product"),
        _number("output_amount", "年产量", "Annual output", min=0),
        FormField("output_unit", "产量单位", "Output unit", help_zh="空白：默认单位"),
        _number("region_budget_cap_t", "地区碳排放预算", "Region's CO2 cap", "t", min=0),
        _number("region_budget_used_t", "地区已用排放", "Region's CO2 used", "t", min=0),
        _number(
            "region_budget_committed_t", "地区已承诺排放", "Region's CO2 committed", "t", min=0
        ),
        _number("region_value_added_10k_yuan", "地区增加值", "Region's value added", "万元", min=0),
        _number("region_co2_t", "地区二氧化碳排放", "Region's CO2", "t", min=0),
        _number(
            "region_co2_intensity_target",
            "地区碳排放强度目标",
            "Region's CO2 intensity target",
            "t/万元",
            min=0,
        ),
        _number(
            "remaining_energy_budget_tce", "地区剩余能耗预算", "Remaining energy budget", "tce"
        ),
        _number("remaining_co2_budget_t", "地区剩余碳排放预算", "Remaining CO2 budget", "t"),
    ),
    (
        Group(
            "energy",
            "能源消费",
            "Energy used",
            (
                FormField(
                    "stream",
                    "类别",
                    "Stream",
                    "choice",
                    choices=("fuel", "electricity", "heat", "feedstock", "process"),
                    required=True,
                ),
                FormField(
                    "item",
                    "品种",
                    "Item",
                    required=True,
                    help_zh="如 raw_coal",
                    help_en="e.g. raw_coal",
                ),
                _number("amount", "年用量", "Annual amount", min=0, required=True),
                FormField(
                    "unit", "单位", "Unit", help_zh="空白：默认单位", help_en="blank: default"
                ),
                FormField("direction", "方向", "Direction", "choice", choices=("in", "out")),
                _number("ncv", "低位发热量", "Net calorific value", min=0),
                FormField("ncv_unit", "发热量单位", "NCV unit"),
                _number(
                    "carbon_content_tc_per_gj", "单位热值含碳量", "Carbon content", "tC/GJ", min=0
                ),
                _number("oxidation_rate", "碳氧化率", "Oxidation rate", min=0, max=1),
            ),
        ),
    ),
    nest=(
        ("output_item", "output", "item"),
        ("output_amount", "output", "amount"),
        ("output_unit", "output", "unit"),
        ("region_budget_cap_t", "region_budget", "cap_t"),
        ("region_budget_used_t", "region_budget", "used_t"),
        ("region_budget_committed_t", "region_budget", "committed_t"),
    ),
)
