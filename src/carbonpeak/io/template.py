"""Write the activity template: an Excel workbook people fill in and upload.

Sheet `activity` has the columns of the activity table with drop-down lists for stream,
direction and item; `enterprises` the enterprise columns; `lists` the codes (items with their
names and usual units, streams); `readme` what each column means, in English and Chinese;
`example` a few filled-in lines (a fuel, purchased electricity, a product's output and the
period's value added) to copy from: the reader reads sheet `activity` only.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from carbonpeak.accounting.activity import COLUMNS, DIRECTIONS, STREAMS
from carbonpeak.io.activity import ENTERPRISE_COLUMNS
from carbonpeak.io.sheets import append_row
from carbonpeak.io.tables import atomic_path
from carbonpeak.reference.loader import Reference

COLUMN_HELP = {
    "enterprise_id": "unified social credit code (18 characters, GB 32100-2015)",
    "period": "YYYY or YYYY-MM",
    "stream": "fuel, feedstock, process, electricity, heat, product or economic",
    "item": "item code (sheet lists)",
    "direction": "in (default) or out (exported electricity, heat or fuel)",
    "amount": "non-negative number",
    "unit": "any unit, e.g. t, 10^4 Nm3, kWh, MWh, GJ; value added in 10^4 yuan (万元)",
    "ncv": "measured net calorific value (optional)",
    "ncv_unit": "unit of ncv, e.g. GJ/t or GJ/(10^4 Nm3)",
    "carbon_content_tc_per_gj": "measured carbon content per unit heat, tC/GJ (optional)",
    "oxidation_rate": "measured oxidation rate, fraction 0-1 (optional)",
    "emission_factor": "measured emission factor (optional), replaces the method's factor",
    "emission_factor_unit": "unit of emission_factor, e.g. tCO2/t or tCO2/MWh",
    "cao_fraction": "clinker CaO mass fraction, 0-1 (cement)",
    "mgo_fraction": "clinker MgO mass fraction, 0-1 (cement)",
    "cao_noncarbonate_fraction": "CaO from non-carbonate sources, fraction of clinker",
    "mgo_noncarbonate_fraction": "MgO from non-carbonate sources, fraction of clinker",
    "carbon_fraction": "carbon mass fraction of a feedstock or product (mass balance)",
    "area": "efficiency-level area of a product, e.g. cement_clinker, bof",
}
COLUMN_HELP_ZH = {
    "enterprise_id": "统一社会信用代码（18位，GB 32100-2015）",
    "period": "统计期：YYYY 或 YYYY-MM",
    "stream": "类别：fuel 燃料、feedstock 原料、process 过程、electricity 电力、heat 热力、"
    "product 产品产量、economic 工业增加值",
    "item": "品种代码（见 lists 表）",
    "direction": "in 输入（默认）或 out 输出（外供电、热、燃料）",
    "amount": "数量，不为负",
    "unit": "计量单位，如 t、10^4 Nm3、kWh、MWh、GJ；工业增加值用 10^4 yuan（万元）",
    "ncv": "实测低位发热量（可选）",
    "ncv_unit": "低位发热量的单位，如 GJ/t",
    "carbon_content_tc_per_gj": "实测单位热值含碳量 tC/GJ（可选）",
    "oxidation_rate": "实测碳氧化率，0-1 的小数（可选）",
    "emission_factor": "实测排放因子（可选），替代方法的因子",
    "emission_factor_unit": "排放因子的单位，如 tCO2/t、tCO2/MWh",
    "cao_fraction": "熟料中 CaO 质量分数，0-1（水泥）",
    "mgo_fraction": "熟料中 MgO 质量分数，0-1（水泥）",
    "cao_noncarbonate_fraction": "非碳酸盐来源的 CaO，占熟料的比例",
    "mgo_noncarbonate_fraction": "非碳酸盐来源的 MgO，占熟料的比例",
    "carbon_fraction": "原料或产品的含碳量（质量分数，碳平衡法）",
    "area": "产品所属的能效领域，如 cement_clinker、bof",
}
# Sheet `example`: synthetic lines of one enterprise-month (a code with valid check
# characters, not a real enterprise), one per kind a report usually has.
EXAMPLE_ROWS = (
    {"stream": "fuel", "item": "bituminous_coal", "amount": 9800, "unit": "t"},
    {"stream": "electricity", "item": "electricity", "amount": 5500000, "unit": "kWh"},
    {"stream": "product", "item": "clinker", "amount": 83000, "unit": "t"},
    {"stream": "economic", "item": "value_added", "amount": 4200, "unit": "10^4 yuan"},
)
EXAMPLE_ENTERPRISE = {"enterprise_id": "911302007A3K9C2D24", "period": "2025-03", "direction": "in"}


def write_activity_template(path: Path, reference: Reference, rows: int = 2000) -> None:
    """Write the template workbook to `path` (atomically)."""
    workbook = Workbook()
    activity = workbook.active
    assert activity is not None
    activity.title = "activity"
    append_row(activity, list(COLUMNS))
    enterprises = workbook.create_sheet("enterprises")
    append_row(enterprises, list(ENTERPRISE_COLUMNS))
    lists = workbook.create_sheet("lists")
    append_row(
        lists, ["item", "name_zh", "name_en", "category", "default_unit", "stream", "direction"]
    )
    items = reference.rows("items")
    for index, row in enumerate(items):
        append_row(
            lists,
            [
                row["item"],
                row["name_zh"],
                row["name_en"],
                row["category"],
                row["default_unit"],
                STREAMS[index] if index < len(STREAMS) else None,
                DIRECTIONS[index] if index < len(DIRECTIONS) else None,
            ],
        )
    readme = workbook.create_sheet("readme")
    append_row(readme, ["column", "meaning", "说明"])
    for column in COLUMNS:
        append_row(readme, [column, COLUMN_HELP.get(column, ""), COLUMN_HELP_ZH.get(column, "")])
    example = workbook.create_sheet("example")
    append_row(example, list(COLUMNS))
    for line in EXAMPLE_ROWS:
        values = EXAMPLE_ENTERPRISE | line
        append_row(example, [values.get(column) for column in COLUMNS])
    for sheet in (activity, enterprises, lists, readme, example):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    last = rows + 1
    for column, source in (
        ("stream", f"lists!$F$2:$F${len(STREAMS) + 1}"),
        ("direction", f"lists!$G$2:$G${len(DIRECTIONS) + 1}"),
        ("item", f"lists!$A$2:$A${len(items) + 1}"),
    ):
        letter = get_column_letter(COLUMNS.index(column) + 1)
        validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
        validation.error = f"choose a {column} from the list"
        activity.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last}")
    with atomic_path(path) as temporary:
        workbook.save(temporary)
