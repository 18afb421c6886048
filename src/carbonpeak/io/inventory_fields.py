"""The equipment inventory workbook's words: each sheet (Chinese name, English code), each field
(Chinese label, unit, help in Chinese and English). The fields themselves, their order and their
choices come from the plant file's models (`diagnosis.plant`): this module only names them."""

from __future__ import annotations

from typing import NamedTuple


class Words(NamedTuple):
    zh: str  # the Chinese label
    unit: str  # "" when it has none
    help_zh: str
    help_en: str


# sheet code -> Chinese name; equipment sheets carry the equipment type of `diagnosis.plant`
SHEETS = {
    "plant": "企业",
    "prices": "能源价格",
    "motor": "电动机",
    "pump": "水泵",
    "fan": "风机",
    "transformer": "变压器",
    "compressor": "空压机",
    "boiler": "锅炉",
    "waste_heat": "余热回收",
    "management": "能源管理",
    "meters": "计量器具",
}
EQUIPMENT = ("motor", "pump", "fan", "transformer", "compressor", "boiler", "waste_heat")
HELP_SHEET = "说明 (help)"

FIELDS: dict[str, Words] = {
    # the plant
    "enterprise_id": Words(
        "统一社会信用代码", "", "18位，GB 32100-2015", "unified social credit code"
    ),
    "name": Words("企业名称", "", "企业或厂区名称", "name of the plant"),
    "region_code": Words("行政区划代码", "", "6位，GB/T 2260", "region code, 6 digits (GB/T 2260)"),
    "year": Words("诊断年份", "", "设备运行数据所属年份", "year of the equipment data"),
    "discount_rate": Words("折现率", "", "0-1 的小数，默认 0.08", "fraction 0-1, default 0.08"),
    "diagnosis_date": Words(
        "诊断日期", "", "YYYY-MM-DD，默认为年末", "YYYY-MM-DD (default: 31 December of the year)"
    ),
    "activity": Words(
        "活动数据文件", "", "同目录下的活动数据表（可选）", "the plant's activity table (optional)"
    ),
    # prices, management, meters
    "item": Words("能源品种", "", "如 electricity、natural_gas", "energy item, e.g. electricity"),
    "price": Words("单价", "元/单位", "每计量单位的价格（元）", "yuan per unit"),
    "unit": Words("计量单位", "", "如 kWh、Nm3、t", "unit of the price, e.g. kWh, Nm3, t"),
    "clause": Words(
        "条款", "", "ISO 50001:2018 / GB/T 23331-2020 条款号", "ISO 50001 / GB/T 23331 clause"
    ),
    "answer": Words("符合情况", "", "yes 是、partly 部分、no 否", "yes, partly or no"),
    "level": Words(
        "计量级别",
        "",
        "unit 进出用能单位、sub_unit 主要次级用能单位、equipment 主要用能设备",
        "unit, sub_unit or equipment (GB 17167)",
    ),
    "energy": Words("能源种类", "", "如 electricity", "energy, e.g. electricity"),
    "required": Words("应配数量", "台", "GB 17167 要求配备的数量", "meters required"),
    "installed": Words("实配数量", "台", "已安装的数量", "meters installed"),
    # every piece of equipment
    "type": Words("设备类型", "", "本表的设备类型", "equipment type of this sheet"),
    "id": Words("设备编号及名称", "", "唯一，最多64字", "unique id and name, up to 64 characters"),
    "lifetime_years": Words("措施寿命", "年", "节能措施的使用年限", "life of the measure"),
    # motors
    "rated_kw": Words("额定功率", "kW", "铭牌额定功率", "rated power (nameplate)"),
    "poles": Words("极数", "", "2、4、6 或 8", "poles: 2, 4, 6 or 8"),
    "load": Words("负载率", "", "输出功率/额定功率，0-1", "output over rated power, 0-1"),
    "hours": Words("年运行时间", "h/a", "每年运行小时数", "hours run a year"),
    "efficiency": Words("效率", "", "实测或铭牌效率，0-1 的小数", "measured or nameplate, 0-1"),
    "target_grade": Words("目标能效等级", "", "1、2 或 3，默认 1", "grade to reach: 1, 2 or 3"),
    "replacement_cost": Words("更换费用", "元", "更换设备的投资", "cost of the replacement"),
    # pumps and fans
    "rated_flow_m3h": Words("额定流量", "m3/h", "铭牌额定流量", "rated flow"),
    "rated_head_m": Words("额定扬程", "m", "铭牌额定扬程", "rated head"),
    "shutoff_head_m": Words("关死点扬程", "m", "零流量扬程", "head at zero flow"),
    "static_head_m": Words("静扬程", "m", "系统静扬程", "static head of the system"),
    "rated_pressure_pa": Words("额定全压", "Pa", "铭牌额定全压", "rated pressure"),
    "shutoff_pressure_pa": Words("关死点压力", "Pa", "零流量压力", "pressure at zero flow"),
    "static_pressure_pa": Words("系统静压", "Pa", "系统静压", "static pressure of the system"),
    "motor_efficiency": Words("电机效率", "", "0-1 的小数", "motor efficiency, 0-1"),
    "profile": Words(
        "运行工况",
        "",
        "相对流量:小时，分号分隔，如 1.0:2000; 0.7:4000",
        "flow over rated flow:hours, separated by ';', e.g. 1.0:2000; 0.7:4000",
    ),
    "drive_cost": Words("变频改造费用", "元", "变频调速的投资", "cost of the variable-speed drive"),
    "pump_type": Words("泵型", "", "GB 19762-2025 清水离心泵类型（可选）", "pump type (optional)"),
    "speed_rpm": Words("转速", "r/min", "额定转速（可选）", "rated speed (optional)"),
    "stages": Words("级数", "", "多级泵的级数，默认 1", "stages, default 1"),
    # transformers
    "kind": Words("类型", "", "oil_immersed 油浸式、dry 干式", "oil_immersed or dry"),
    "core": Words(
        "铁心材料",
        "",
        "electrical_steel 电工钢、amorphous 非晶合金",
        "electrical_steel or amorphous",
    ),
    "connection": Words("联结组别", "", "如 Yyn0、Dyn11", "vector group, e.g. Yyn0"),
    "insulation": Words("绝缘耐热等级", "", "干式变压器填写", "insulation class (dry)"),
    "rated_kva": Words("额定容量", "kVA", "铭牌额定容量", "rated capacity"),
    "no_load_loss_kw": Words("空载损耗", "kW", "铭牌空载损耗", "no-load loss"),
    "load_loss_kw": Words("负载损耗", "kW", "铭牌负载损耗", "load loss"),
    "load_factor": Words("负载系数", "", "平均负载/额定容量，0-1", "average load over capacity"),
    "hours_energised": Words("年带电时间", "h/a", "默认 8760", "hours energised a year"),
    "target_core": Words("目标铁心材料", "", "可选", "core of the replacement (optional)"),
    # compressors
    "pressure_mpa": Words("排气压力", "MPa", "额定排气压力", "discharge pressure"),
    "cooling": Words("冷却方式", "", "air 风冷、liquid 水冷", "air or liquid"),
    "input_kw": Words("输入功率", "kW", "实测输入比功率对应的功率", "input power"),
    "free_air_m3min": Words("排气量", "m3/min", "自由空气排气量", "free air delivery"),
    "leaks": Words(
        "泄漏点",
        "",
        "孔径mm:个数，分号分隔，如 3:4; 1.5:2",
        "diameter in mm:count, separated by ';', e.g. 3:4",
    ),
    "pressure_reduction_kpa": Words("降压幅度", "kPa", "拟降低的排气压力", "pressure reduction"),
    "leak_repair_cost": Words("堵漏费用", "元", "修复泄漏的费用", "cost of the leak repair"),
    # boilers
    "fuel": Words("燃料", "", "燃料品种代码，如 natural_gas", "fuel item, e.g. natural_gas"),
    "fuel_use": Words("年燃料消耗量", "", "按燃料计量单位", "fuel used a year, in fuel_unit"),
    "fuel_unit": Words("燃料计量单位", "", "如 Nm3、t", "unit of the fuel, e.g. Nm3"),
    "flue_temperature_c": Words("排烟温度", "°C", "实测排烟温度", "flue-gas temperature"),
    "air_temperature_c": Words("环境空气温度", "°C", "助燃空气温度", "combustion air temperature"),
    "o2_pct": Words("烟气含氧量", "%", "实测干烟气 O2", "flue-gas O2, dry"),
    "target_o2_pct": Words("目标含氧量", "%", "燃烧调整后的 O2（可选）", "O2 after tuning"),
    "siegert_a2": Words("Siegert 系数 A2", "", "排烟损失燃料常数", "Siegert fuel constant A2"),
    "siegert_b": Words("Siegert 系数 B", "", "排烟损失燃料常数", "Siegert fuel constant B"),
    "other_losses_pct": Words("其他热损失", "%", "散热、未燃尽、排污等", "other heat losses"),
    "co_ppm": Words("烟气 CO", "ppm", "可选，与 CO2 一起填写", "flue-gas CO (with co2_pct)"),
    "co2_pct": Words("烟气 CO2", "%", "可选，与 CO 一起填写", "flue-gas CO2 (with co_ppm)"),
    "tuning_cost": Words("燃烧调整费用", "元", "燃烧调整的费用", "cost of the combustion tuning"),
    "grade_fuel": Words(
        "能效分级燃料", "", "GB 24500-2020 的燃料分类（可选）", "fuel of GB 24500-2020 (optional)"
    ),
    # waste heat
    "flow_kg_h": Words("烟气流量", "kg/h", "余热介质质量流量", "mass flow of the hot gas"),
    "heat_capacity_kj_kgk": Words("比热容", "kJ/(kg·K)", "介质比热容", "specific heat capacity"),
    "inlet_c": Words("进口温度", "°C", "回收前温度", "temperature before recovery"),
    "outlet_c": Words("出口温度", "°C", "回收后温度", "temperature after recovery"),
    "boiler_efficiency": Words("锅炉效率", "", "被替代热量的锅炉效率，0-1", "boiler efficiency"),
    "capital_cost": Words("投资", "元", "余热回收装置投资", "capital cost"),
}
