"""The data-quality control plan (数据质量控制方案) as a workbook, Chinese first, and its reader.

The sheets mirror the steel guideline's Annex B: `版本 (versions)` is table B.1 (版本号,
制定或修订时间, 首次制定或修订原因, 修订情形, 修订说明), `企业 (enterprises)` the plan's B.2 line
(one row: the enterprise, its sector and the plan's year), `设施 (facilities)` the facility
table of B.3, `参数 (parameters)` table B.4 (排放类型, 品种, 参数名称, 单位, 获取方式, 具体描述,
计量器具名称及型号, 安装位置, 监测频次, 准确度等级, 规定的检定/校准频次 [月], 数据记录频次,
数据缺失时的处理方式, 数据获取负责部门). Headers are read in Chinese, English or both; choices as
codes, Chinese names or `实测值 (measured)`; an item by its code or its Chinese name.

`plan_workbook_bytes` writes the plan; `io.market_plan_reader` reads it back and places the
problems of the plan's check in it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, Field

from carbonpeak.io.headers import ColumnSpec, choice_label
from carbonpeak.io.sheet_names import sheet_title
from carbonpeak.io.sheets import append_row
from carbonpeak.market.plans import (
    QualityPlan,
    Sector,
)
from carbonpeak.reference.loader import Reference

FREQUENCIES = (
    ("continuous", "实时"),
    ("every_batch", "每批次"),
    ("daily", "每日"),
    ("weekly", "每周"),
    ("monthly", "每月"),
    ("quarterly", "每季度"),
    ("yearly", "每年"),
)

VERSION_SPECS = (
    ColumnSpec("number", "版本号", example="V1"),
    ColumnSpec("date", "制定或修订时间", "YYYY-MM-DD", "the day", example="2025-12-20"),
    ColumnSpec("reason", "首次制定或修订原因", "首次之后的版本必填", "required after the first"),
    ColumnSpec(
        "trigger",
        "修订情形",
        "指南9.3 a)-f)",
        "the case of 9.3",
        choices=(
            ("facility_change", "排放设施发生变化或新增燃料物料"),
            ("better_method", "采用新的测量仪器和方法"),
            ("data_incorrect", "原数据不正确"),
            ("accuracy", "提高数据准确度"),
            ("non_compliant", "方案不符合要求"),
            ("mee_other", "生态环境部规定的其他情形"),
        ),
    ),
    ColumnSpec("description", "修订说明"),
)
ENTERPRISE_SPECS = (
    ColumnSpec("name", "企业名称"),
    ColumnSpec("uscc", "统一社会信用代码"),
    ColumnSpec("address", "地址"),
    ColumnSpec("legal_representative", "法定代表人"),
    ColumnSpec("contact", "填报负责人及联系方式"),
    ColumnSpec("industry_code", "行业分类及代码"),
    ColumnSpec(
        "sector",
        "行业",
        choices=(("steel", "钢铁"), ("cement", "水泥"), ("aluminium", "铝冶炼")),
    ),
    ColumnSpec("year", "方案年度"),
    ColumnSpec("record_retention_years", "记录保存年限", unit="年"),
)
FACILITY_SPECS = (
    ColumnSpec("name", "设施名称"),
    ColumnSpec("number", "设施编号"),
    ColumnSpec("model", "规格型号"),
    ColumnSpec("location", "安装位置"),
    ColumnSpec("status", "使用状态", choices=(("in_use", "在用"), ("stopped", "停用"))),
    ColumnSpec("process", "所属工序"),
    ColumnSpec("owner", "设施资产所属企业名称"),
    ColumnSpec("remark", "备注"),
)
PARAMETER_SPECS = (
    ColumnSpec(
        "emission_type",
        "排放类型",
        choices=(
            ("fuel", "化石燃料"),
            ("carbonate", "碳酸盐"),
            ("electrode", "电极"),
            ("raw_material", "含碳原料"),
            ("product", "含碳产品"),
            ("enterprise", "企业"),
        ),
    ),
    ColumnSpec("item", "品种", "燃料、物料或产品（代码或名称）", "item code or Chinese name"),
    ColumnSpec(
        "parameter",
        "参数名称",
        choices=(
            ("net_consumption", "净消耗量"),
            ("ncv", "低位发热量"),
            ("carbon_content", "单位热值含碳量"),
            ("quantity", "消耗量或产量"),
            ("emission_factor", "排放因子"),
            ("emissions", "排放量"),
            ("crude_steel_output", "粗钢产量"),
            ("intensity", "单位粗钢碳排放量"),
        ),
    ),
    ColumnSpec("unit", "单位"),
    ColumnSpec(
        "acquisition",
        "获取方式",
        choices=(
            ("measured", "实测值"),
            ("calculated", "计算值"),
            ("design", "设计值"),
            ("default", "缺省值"),
        ),
    ),
    ColumnSpec("description", "具体描述"),
    ColumnSpec("meter", "计量器具名称及型号"),
    ColumnSpec("meter_location", "安装位置"),
    ColumnSpec("monitoring_frequency", "监测频次", choices=FREQUENCIES),
    ColumnSpec("accuracy_class", "准确度等级"),
    ColumnSpec("calibration_months", "规定的检定/校准频次", unit="月"),
    ColumnSpec("recording_frequency", "数据记录频次", choices=FREQUENCIES),
    ColumnSpec("missing_data", "数据缺失时的处理方式"),
    ColumnSpec("department", "数据获取负责部门"),
)

SHEETS: dict[str, tuple[str, tuple[ColumnSpec, ...]]] = {
    # Annex B section -> (sheet code, columns)
    "B.1": ("versions", VERSION_SPECS),
    "B.2": ("enterprises", ENTERPRISE_SPECS),
    "B.3": ("facilities", FACILITY_SPECS),
    "B.4": ("parameters", PARAMETER_SPECS),
}


# --------------------------------------------------------------------------------------------
# Writing


def _cell(spec: ColumnSpec, value: Any, names: dict[str, str]) -> Any:
    if value is None or value == "":
        return None
    if spec.choices:
        labels = dict(spec.choices)
        return choice_label(str(value), labels[str(value)])
    if spec.code == "item" and value in names:
        return choice_label(str(value), names[str(value)])
    if isinstance(value, date):
        return value.isoformat()
    return value


def _sheet(
    book: Workbook,
    code: str,
    specs: Sequence[ColumnSpec],
    rows: list[BaseModel],
    names: dict[str, str],
) -> None:
    sheet = book.create_sheet(sheet_title(code))
    append_row(sheet, [s.header for s in specs])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, spec in enumerate(specs, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(spec.header) + 4)
    for row in rows:
        data = row.model_dump()
        append_row(sheet, [_cell(s, data.get(s.code), names) for s in specs])


class EnterpriseLine(BaseModel):
    """The plan's line of the enterprises sheet: table B.2 and the plan's sector, year and
    record retention."""

    name: str
    uscc: str
    address: str = ""
    legal_representative: str = ""
    contact: str = ""
    industry_code: str = ""
    sector: Sector
    year: int = Field(ge=2024, le=2100)
    record_retention_years: float | None = None


def plan_workbook_bytes(plan: QualityPlan, reference: Reference | None = None) -> bytes:
    """The plan as a workbook of the four sheets (items named `焦炭 (coke)` when `reference`
    is given)."""
    names = (
        {str(r["item"]): str(r["name_zh"]) for r in reference.rows("items")} if reference else {}
    )
    book = Workbook()
    default = book.active
    assert default is not None
    book.remove(default)
    line = EnterpriseLine(
        **plan.enterprise.model_dump(),
        sector=plan.sector,
        year=plan.year,
        record_retention_years=plan.record_retention_years,
    )
    _sheet(book, "versions", VERSION_SPECS, list(plan.versions), names)
    _sheet(book, "enterprises", ENTERPRISE_SPECS, [line], names)
    _sheet(book, "facilities", FACILITY_SPECS, list(plan.facilities), names)
    _sheet(book, "parameters", PARAMETER_SPECS, list(plan.parameters), names)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
