"""The data-quality control plan (数据质量控制方案) of an enterprise as a document laid out after
the steel guideline's Annex B (CETS—AG—03.01—V01—2024), as a PDF and a workbook, Chinese first,
from `services.market_plans.plan_document`'s view of a filed version:

- B.1 the versions of the plan (版本号, 制定（修订）时间, 首次制定或修订原因, 修订情形, 修订说明);
- B.2 the enterprise (name, code, domicile, legal representative, filer, industry class);
- B.3 the main emission facilities, by process (名称, 编号, 规格型号, 安装位置, 使用状态,
  设施资产所属企业名称, 备注);
- B.4 the enterprise-level parameters with Annex B's columns (排放类型, 参数名称, 单位, 数据获取
  方式 and its description, 计量器具 名称及型号 / 安装位置 / 监测频次 / 准确度等级 / 规定的检定/
  校准频次, 数据记录频次, 数据缺失时的处理方式, 数据获取负责部门);
- B.5 the process-level data: not modelled by the plan;
- B.6 the meter ledger (each parameter with the meter it is measured by) and how long records
  are kept.

What Annex B asks and the stored plan does not hold (the org chart, the site plan, the boundary
description, B.5, the internal audit rules ...) is listed under its section as not held,
never filled in."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from carbonpeak.i18n import gettext_of
from carbonpeak.io.sheets import append_row
from carbonpeak.reports.market_plan_terms import (
    ACQUISITIONS,
    EMISSION_TYPES,
    FREQUENCIES,
    NOT_HELD,
    PARAMETERS,
    QUANTITIES,
    SHEETS,
    STATUSES,
    TITLES,
    TRIGGERS,
)
from carbonpeak.reports.names import warning_names
from carbonpeak.reports.render import warning_text


@dataclass
class Table:
    """A table of the document: its header, rows and, over the header, column groups (label
    and number of columns; an empty label for a column of no group)."""

    header: list[str]
    rows: list[list[Any]]
    groups: list[tuple[str, int]] = field(default_factory=list)
    caption: str = ""


@dataclass
class Section:
    code: str
    title: str
    sheet: str
    tables: list[Table]
    not_held: list[str]


def _parameter(row: dict[str, Any], _: Callable[..., str]) -> str:
    if row["parameter"] == "quantity" and row["emission_type"] in QUANTITIES:
        return _(QUANTITIES[row["emission_type"]])
    if row["parameter"] == "emissions" and row["emission_type"] == "enterprise":
        return _("Total CO2 emissions")
    return _(PARAMETERS.get(row["parameter"], row["parameter"]))


def parameter_name(row: dict[str, Any], locale: str) -> str:
    """A B.4 row's item and parameter as the document names them (`焦炭 · 净消耗量`)."""
    _ = gettext_of(locale)
    items = warning_names(locale)["items"]
    item = items.get(row.get("item", ""), row.get("item", ""))
    return " · ".join(filter(None, [item, _parameter(row, _)]))


def _label(table: dict[str, str], code: Any, _: Callable[..., str]) -> str:
    return _(table[code]) if code in table else str(code or "")


def sections(view: dict[str, Any], locale: str) -> list[Section]:
    """The document's sections B.1 to B.6 of the plan of `view` (which has one) in `locale`."""
    _ = gettext_of(locale)
    names = warning_names(locale)
    items = names["items"]
    plan = view["plan"]
    enterprise = plan["enterprise"]

    def not_held(code: str) -> list[str]:
        return [_(text) for text in NOT_HELD.get(code, ())]

    versions = Table(
        [
            _("Version number"),
            _("Date made or revised"),
            _("Reason for the first version or the revision"),
            _("Case of revision (9.3)"),
            _("Notes on the revision"),
        ],
        [
            [
                v["number"],
                v["date"],
                v.get("reason", ""),
                _label(TRIGGERS, v.get("trigger"), _),
                v.get("description", ""),
            ]
            for v in plan["versions"]
        ],
    )
    industry = enterprise.get("industry_code") or ""
    industry_name = names["industry_code"].get(industry, "")
    company = Table(
        [_("Information"), _("Content")],
        [
            [_("Enterprise name"), enterprise["name"]],
            [_("Unified social credit code"), enterprise["uscc"]],
            [_("Domicile"), enterprise.get("address", "")],
            [_("Legal representative"), enterprise.get("legal_representative", "")],
            [_("Filer and contact"), enterprise.get("contact", "")],
            [
                _("Industry class and code at the enterprise level"),
                f"{industry} {industry_name}".strip(),
            ],
            [_("Sector"), _(plan["sector"])],
            [_("Year of the plan"), plan["year"]],
        ],
    )
    facilities = Table(
        [
            _("Process"),
            _("Facility name"),
            _("Facility number"),
            _("Specification and model"),
            _("Location"),
            _("Status"),
            _("Enterprise owning the facility"),
            _("Remark"),
        ],
        [
            [
                f.get("process", ""),
                f["name"],
                f["number"],
                f.get("model", ""),
                f.get("location", ""),
                _label(STATUSES, f["status"], _),
                f.get("owner", ""),
                f.get("remark", ""),
            ]
            for f in sorted(plan["facilities"], key=lambda f: str(f.get("process", "")))
        ],
    )
    parameters = Table(
        [
            _("Emission type"),
            _("Item"),
            _("Parameter name"),
            _("Unit"),
            _("Mode"),
            _("Description"),
            _("Name and model"),
            _("Location"),
            _("Monitoring frequency"),
            _("Accuracy class"),
            _("Verification or calibration interval (months)"),
            _("Recording frequency"),
            _("Treatment of missing data"),
            _("Department responsible"),
        ],
        [
            [
                _label(EMISSION_TYPES, r["emission_type"], _),
                items.get(r.get("item", ""), r.get("item", "")),
                _parameter(r, _),
                r.get("unit", ""),
                _label(ACQUISITIONS, r["acquisition"], _),
                r.get("description", ""),
                r.get("meter", ""),
                r.get("meter_location", ""),
                _label(FREQUENCIES, r.get("monitoring_frequency"), _),
                r.get("accuracy_class", ""),
                r.get("calibration_months"),
                _label(FREQUENCIES, r.get("recording_frequency"), _),
                r.get("missing_data", ""),
                r.get("department", ""),
            ]
            for r in plan["parameters"]
        ],
        groups=[
            ("", 4),
            (_("How the data are obtained"), 2),
            (_("Meter (for measured values)"), 5),
            ("", 3),
        ],
    )
    ledger = Table(
        [
            _("Parameter"),
            _("Meter: name and model"),
            _("Location"),
            _("Monitoring frequency"),
            _("Accuracy class"),
            _("Verification or calibration interval (months)"),
        ],
        [
            [
                parameter_name(r, locale),
                r["meter"],
                r.get("meter_location", ""),
                _label(FREQUENCIES, r.get("monitoring_frequency"), _),
                r.get("accuracy_class", ""),
                r.get("calibration_months"),
            ]
            for r in plan["parameters"]
            if str(r.get("meter") or "").strip()
        ],
        caption=_("Meter ledger"),
    )
    retention = Table(
        [_("Information"), _("Content")],
        [[_("Records and ledgers kept (years)"), plan.get("record_retention_years")]],
    )
    tables = {
        "B.1": [versions],
        "B.2": [company],
        "B.3": [facilities],
        "B.4": [parameters],
        "B.5": [],
        "B.6": [ledger, retention],
    }
    return [
        Section(code, _(TITLES[code]), _(SHEETS[code]), tables[code], not_held(code))
        for code in TITLES
    ]


def _heading(view: dict[str, Any], locale: str) -> list[tuple[str, Any]]:
    """The document's first lines: enterprise, code, sector, year, guideline, the version."""
    _ = gettext_of(locale)
    return [
        (_("Enterprise"), view["name"]),
        (_("Unified social credit code"), view["enterprise_id"]),
        (_("Sector"), _(view["sector"])),
        (_("Year of the plan"), view["year"]),
        (_("Guideline"), view.get("guideline") or "–"),
        (
            _("Version"),
            _(
                "filed version %(version)s of %(count)s, on %(day)s",
                version=view["version"],
                count=len(view["filings"]),
                day=str(view["filed_at"])[:10],
            ),
        ),
    ]


def plan_document_xlsx(view: dict[str, Any], locale: str) -> bytes:
    """The plan of `view` (`plan_document`) as a workbook: a first sheet with the enterprise,
    the version shown and every filing, then a sheet per section B.1 to B.6."""
    _ = gettext_of(locale)
    book = Workbook()
    first = book.worksheets[0]
    first.title = _("Data-quality control plan")
    append_row(first, [_("Data-quality control plan"), view["year"]])
    first["A1"].font = Font(bold=True, size=14)
    for label, value in _heading(view, locale):
        append_row(first, [label, value])
    append_row(first, [])
    append_row(first, [_("Filings on the platform")])
    append_row(first, [_("Version"), _("Reason"), _("Filed")])
    for filing in view["filings"]:
        append_row(first, [filing["version"], filing["reason"] or "", filing["created_at"][:10]])
    for warning in view.get("warnings", []):
        append_row(first, [warning.get("code", ""), warning_text(warning, locale)])
    first.column_dimensions["A"].width = 30
    first.column_dimensions["B"].width = 70
    for section in sections(view, locale):
        sheet = book.create_sheet(f"{section.code} {section.sheet}")
        append_row(sheet, [section.title])
        sheet["A1"].font = Font(bold=True, size=12)
        widths: dict[int, int] = {}
        for table in section.tables:
            append_row(sheet, [])
            if table.caption:
                append_row(sheet, [table.caption])
                sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            if table.groups:
                grouped: list[Any] = []
                for label, span in table.groups:
                    grouped += [label or None] + [None] * (span - 1)
                append_row(sheet, grouped)
                line, column = sheet.max_row, 1
                for label, span in table.groups:
                    if label:
                        sheet.cell(line, column, label).font = Font(bold=True)
                        sheet.cell(line, column).alignment = Alignment(horizontal="center")
                        if span > 1:
                            sheet.merge_cells(
                                start_row=line,
                                start_column=column,
                                end_row=line,
                                end_column=column + span - 1,
                            )
                    column += span
            append_row(sheet, table.header)
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
            for row in table.rows:
                append_row(sheet, row)
            for index, text in enumerate(table.header, start=1):
                widths[index] = max(widths.get(index, 0), min(40, len(str(text)) * 2 + 2))
        if section.not_held:
            append_row(sheet, [])
            append_row(sheet, [_("Not held by the platform")])
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            for text in section.not_held:
                append_row(sheet, [text, _("not held")])
        for index, width in widths.items():
            sheet.column_dimensions[get_column_letter(index)].width = max(12, width)
        if not widths:
            sheet.column_dimensions["A"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plan_document_pdf(view: dict[str, Any], locale: str) -> bytes:
    """The same document printed (A4 landscape, Chinese first)."""
    from carbonpeak.reports.render import _pdf

    return _pdf(
        "market_plan.html",
        locale,
        view=view,
        heading=_heading(view, locale),
        sections=sections(view, locale),
        notes=[warning_text(w, locale) for w in view.get("warnings", [])],
    )
