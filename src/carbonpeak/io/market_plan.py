"""The data-quality control plan (数据质量控制方案) as a workbook, Chinese first, and its reader.

The sheets mirror the steel guideline's Annex B: `版本 (versions)` is table B.1 (版本号,
制定或修订时间, 首次制定或修订原因, 修订情形, 修订说明), `企业 (enterprises)` the plan's B.2 line
(one row: the enterprise, its sector and the plan's year), `设施 (facilities)` the facility
table of B.3, `参数 (parameters)` table B.4 (排放类型, 品种, 参数名称, 单位, 获取方式, 具体描述,
计量器具名称及型号, 安装位置, 监测频次, 准确度等级, 规定的检定/校准频次 [月], 数据记录频次,
数据缺失时的处理方式, 数据获取负责部门). Headers are read in Chinese, English or both; choices as
codes, Chinese names or `实测值 (measured)`; an item by its code or its Chinese name.

`read_plan` gives the `QualityPlan` or an `InputError` with every problem placed by file,
sheet, row and the column as written; `place_in_workbook` places the problems of
`market.plans.check_plan` (Annex B section, row from 1, field) in the same coordinates.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, Field, ValidationError

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.headers import ColumnSpec, choice_codes, choice_label, map_headers, value_key
from carbonpeak.io.sheet_names import sheet_title
from carbonpeak.io.sheets import append_row
from carbonpeak.io.tables import read_upload
from carbonpeak.market.plans import (
    Enterprise,
    Facility,
    ParameterRow,
    PlanVersion,
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
_ENTERPRISE_FIELDS = {"sector", "year", "record_retention_years"}  # placed on B.2 by io
_NUMBERS = {"year": int, "calibration_months": int, "record_retention_years": float}


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


class _EnterpriseLine(BaseModel):
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
    line = _EnterpriseLine(
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


# --------------------------------------------------------------------------------------------
# Reading


@dataclass
class _Sheet:
    code: str
    title: str
    columns: dict[str, str]  # field -> header as written
    rows: list[tuple[int, dict[str, Any]]]


def _value(
    spec: ColumnSpec, text: str, items: dict[str, str], place: Place, problems: list[Problem]
) -> Any:
    text = text.strip()
    if not text:
        return None
    if spec.choices:
        code = choice_codes(spec.choices).get(value_key(text))
        if code is None:
            problems.append(
                Problem.of(
                    place,
                    N_("{!r} is not one of: {}"),
                    text,
                    ", ".join(choice_label(c, n) for c, n in spec.choices),
                )
            )
        return code
    if spec.code == "item":
        return items.get(value_key(text), text)
    if spec.code == "date":
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            problems.append(Problem.of(place, N_("{!r} is not a date (YYYY-MM-DD)"), text))
            return None
    if spec.code in _NUMBERS:
        try:
            number = float(text)
        except ValueError:
            problems.append(Problem.of(place, N_("{!r} is not a number"), text))
            return None
        if _NUMBERS[spec.code] is int:
            if not number.is_integer():
                problems.append(Problem.of(place, N_("{!r} is not a whole number"), text))
                return None
            return int(number)
        return number
    return text


def _read_sheet(
    name: str,
    content: bytes,
    code: str,
    specs: Sequence[ColumnSpec],
    items: dict[str, str],
    problems: list[Problem],
) -> _Sheet | None:
    try:
        frame = read_upload(name, content, code)
    except InputError as exc:
        problems += exc.problems
        return None
    title = sheet_title(code)
    headers = [str(c) for c in frame.columns if c != "row"]
    columns, header_problems = map_headers(headers, specs, name, title)
    problems += header_problems
    by_code = {s.code: s for s in specs}
    rows = []
    for record in frame.to_dict("records"):
        line = int(record["row"])
        cells = {f: str(record[h]) for f, h in columns.items()}
        if not any(c.strip() for c in cells.values()):
            continue  # a blank line
        values = {}
        for field, text in cells.items():
            place = Place(file=name, sheet=title, row=line, column=columns[field])
            value = _value(by_code[field], text, items, place, problems)
            if value is not None:
                values[field] = value
        rows.append((line, values))
    return _Sheet(code, title, columns, rows)


def _build(
    model: type[BaseModel],
    sheet: _Sheet,
    line: int,
    values: dict[str, Any],
    name: str,
    problems: list[Problem],
) -> Any:
    try:
        return model(**values)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            column = sheet.columns.get(field)
            problems.append(
                Problem.of(
                    Place(
                        file=name,
                        sheet=sheet.title,
                        row=line,
                        column=column,
                        field=None if column else field,
                    ),
                    N_("{}: {}"),
                    field,
                    error["msg"],
                )
            )
        return None


def read_plan(name: str, content: bytes, reference: Reference) -> QualityPlan:
    """The plan of a workbook (the four sheets), or `InputError` with every problem placed by
    file, sheet, row and column as written."""
    items: dict[str, str] = {}
    for record in reference.rows("items"):
        code, label = str(record["item"]), str(record["name_zh"])
        for key in (code, label, choice_label(code, label)):
            items.setdefault(value_key(str(key)), str(record["item"]))
    problems: list[Problem] = []
    sheets = {
        code: _read_sheet(name, content, code, specs, items, problems)
        for code, specs in SHEETS.values()
    }
    if problems:
        raise InputError(problems)
    built: dict[str, list[Any]] = {}
    models: dict[str, type[BaseModel]] = {
        "versions": PlanVersion,
        "enterprises": _EnterpriseLine,
        "facilities": Facility,
        "parameters": ParameterRow,
    }
    for code, sheet in sheets.items():
        assert sheet is not None
        built[code] = [
            _build(models[code], sheet, line, values, name, problems) for line, values in sheet.rows
        ]
    enterprise_sheet = sheets["enterprises"]
    assert enterprise_sheet is not None
    if len(built["enterprises"]) != 1:
        problems.append(
            Problem.of(
                Place(file=name, sheet=enterprise_sheet.title),
                N_("the sheet has {} enterprise lines; a plan has one"),
                len(built["enterprises"]),
            )
        )
    if not built["versions"]:
        problems.append(
            Problem.of(
                Place(file=name, sheet=sheet_title("versions")),
                N_("the plan has no version: give at least the first (B.1)"),
            )
        )
    if problems:
        raise InputError(problems)
    line: _EnterpriseLine = built["enterprises"][0]
    return QualityPlan(
        enterprise=Enterprise(
            **line.model_dump(exclude={"sector", "year", "record_retention_years"})
        ),
        sector=line.sector,
        year=line.year,
        versions=tuple(built["versions"]),
        facilities=tuple(built["facilities"]),
        parameters=tuple(built["parameters"]),
        record_retention_years=line.record_retention_years,
    )


def place_in_workbook(problems: Sequence[Problem], name: str, plan: QualityPlan) -> list[Problem]:
    """Problems of `check_plan` (section, row from 1, field) placed in the plan's workbook as
    `plan_workbook_bytes` writes it: the sheet, the row (header = 1) and the column header."""
    out = []
    for problem in problems:
        section = problem.place.sheet or ""
        if problem.place.field in _ENTERPRISE_FIELDS:
            section = "B.2"  # the plan's sector, year and record retention: its B.2 line
        if section not in SHEETS:
            out.append(replace(problem, place=replace(problem.place, file=name)))
            continue
        code, specs = SHEETS[section]
        headers = {s.code: s.header for s in specs}
        field = problem.place.field
        column = headers.get(field or "")
        row = problem.place.row + 1 if problem.place.row is not None else None
        if code == "enterprises":
            row = 2
        out.append(
            replace(
                problem,
                place=Place(
                    file=name,
                    sheet=sheet_title(code),
                    row=row,
                    column=column,
                    field=None if column else field,
                ),
            )
        )
    return out
