"""Render the reports: HTML through WeasyPrint for PDF, openpyxl for XLSX."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from carbonpeak.domain.warnings import text
from carbonpeak.i18n import day, gettext_of, number
from carbonpeak.io.sheets import append_row
from carbonpeak.reference.loader import Reference as ReferenceData
from carbonpeak.reports.names import warning_names

TEMPLATES = Path(__file__).parent / "templates"
environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html",))
)
# Columns of the list of units below the baseline (dashboard CSV and summary workbook).
BELOW_BASELINE_COLUMNS = (
    "enterprise_id",
    "name",
    "period",
    "area",
    "indicator_value",
    "unit",
    "baseline",
    "distance_to_baseline",
    "product_amount",
    "capacity",
    "saving_potential_tce",
    "deadline",
)
# Emission categories of an account, with their column.
STREAMS = (
    ("combustion", "co2_combustion_t"),
    ("process", "co2_process_t"),
    ("electricity", "co2_electricity_t"),
    ("heat", "co2_heat_t"),
)


def stream_names(locale: str) -> dict[str, str]:
    _ = gettext_of(locale)
    return {
        "combustion": _("Fuel combustion"),
        "process": _("Industrial processes"),
        "electricity": _("Purchased electricity"),
        "heat": _("Purchased heat"),
    }


def provenance(account: dict[str, Any], reference: ReferenceData) -> list[dict[str, Any]]:
    """The reference rows the lines of an account cite, once each, with their documents."""
    seen: dict[tuple[str, int], dict[str, Any]] = {}
    for line in account.get("lines", []):
        for ref in line.get("references", []):
            if ref.get("measured"):
                continue
            key = (str(ref["table"]), int(ref["line"]))
            if key not in seen:
                source = reference.source(str(ref["source_id"]))
                seen[key] = {**ref, "document": source.cite(), "url": source.url or ""}
    return [seen[k] for k in sorted(seen)]


def _bars(rows: list[tuple[str, float]]) -> list[dict[str, Any]]:
    """Horizontal bars for an SVG chart: label, value and width as a share of the largest."""
    largest = max((abs(v) for _label, v in rows), default=0.0) or 1.0
    return [{"label": k, "value": v, "share": max(v, 0.0) / largest} for k, v in rows]


def page_html(template: str, locale: str, **context: Any) -> str:
    """A report template rendered in `locale` as a standalone HTML page."""
    return environment.get_template(template).render(
        _=gettext_of(locale),
        num=lambda value, digits=0: number(value, locale, digits),
        day=lambda value: day(value, locale),
        warning_text=lambda warning: warning_text(warning, locale),
        lang="zh-CN" if locale == "zh_CN" else "en",
        made=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        **context,
    )


def _pdf(template: str, locale: str, **context: Any) -> bytes:
    """A report template rendered in `locale` and printed to PDF."""
    from weasyprint import HTML  # imported on first use: it loads Pango

    page = page_html(template, locale, **context)
    return bytes(HTML(string=page, base_url=str(TEMPLATES)).write_pdf())


@dataclass(frozen=True)
class AccountReport:
    """What an account report shows: the enterprise (id, name, region, industry), its account
    of one period and its grades, as the services give them, in a language."""

    enterprise: dict[str, Any]
    account: dict[str, Any]
    grades: list[dict[str, Any]]
    reference: ReferenceData
    locale: str


def account_pdf(report: AccountReport) -> bytes:
    """An enterprise's energy and carbon account for one period, as PDF."""
    enterprise, account, grades = report.enterprise, report.account, report.grades
    reference, locale = report.reference, report.locale

    names = stream_names(locale)
    return _pdf(
        "account.html",
        locale,
        enterprise=enterprise,
        account=account,
        grades=grades,
        bars=_bars([(names[s], float(account[c])) for s, c in STREAMS]),
        sources=provenance(account, reference),
    )


def account_xlsx(report: AccountReport) -> bytes:
    """The same account as a workbook: totals with a chart, lines, grades, provenance."""
    enterprise, account, grades = report.enterprise, report.account, report.grades
    reference, locale = report.reference, report.locale
    _ = gettext_of(locale)
    names = stream_names(locale)
    book = Workbook()
    totals = book.worksheets[0]
    totals.title = "account"
    append_row(totals, [enterprise["name"], enterprise["enterprise_id"], account["period"]])
    totals["A1"].font = Font(bold=True, size=14)
    append_row(totals, [])
    for label, value in (
        (_("Comprehensive energy consumption") + " (tce)", account["energy_tce"]),
        (_("CO2 emissions") + " (tCO2)", account["co2_t"]),
        (_("Greenhouse gases") + " (tCO2e)", account["co2e_t"]),
        (_("Uncertainty (95%)") + " (%)", account["uncertainty_pct"]),
    ):
        append_row(totals, [label, round(float(value), 3)])
    if account.get("value_added_10k_yuan") is not None:
        label = _("Industrial value added") + " (" + _("10^4 yuan") + ")"
        append_row(totals, [label, round(float(account["value_added_10k_yuan"]), 3)])
    for made in account.get("output", []):
        label = _("Output") + f": {made['item']} ({made['unit']})"
        append_row(totals, [label, None if made["amount"] is None else round(made["amount"], 3)])
    append_row(totals, [])
    first = totals.max_row + 1
    append_row(totals, [_("Emissions by source stream"), "tCO2"])
    for stream, column in STREAMS:
        append_row(totals, [names[stream], round(float(account[column]), 3)])
    chart = BarChart()
    chart.type = "bar"
    chart.title = _("Emissions by source stream")
    chart.legend = None
    data = Reference(totals, min_col=2, min_row=first, max_row=first + len(STREAMS))
    categories = Reference(totals, min_col=1, min_row=first + 1, max_row=first + len(STREAMS))
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    totals.add_chart(chart, "D3")
    totals.column_dimensions["A"].width = 36

    lines = book.create_sheet("lines")
    columns = (
        "row",
        "stream",
        "item",
        "direction",
        "amount",
        "unit",
        "energy_tce",
        "co2_t",
        "co2e_t",
        "uncertainty_pct",
    )
    append_row(lines, [*columns, "methods"])
    for line in account.get("lines", []):
        append_row(lines, [line.get(c) for c in columns] + [", ".join(line.get("methods", []))])

    graded = book.create_sheet("grades")
    grade_columns = (
        "area",
        "product",
        "indicator_value",
        "unit",
        "benchmark",
        "baseline",
        "grade",
        "saving_potential_tce",
        "saving_potential_co2_t",
        "percentile",
    )
    append_row(graded, list(grade_columns))
    for row in grades:
        append_row(graded, [row.get(c) for c in grade_columns])

    cited = book.create_sheet("provenance")
    append_row(cited, ["table", "line", "parameter", "source_id", "status", "document", "url"])
    for ref in provenance(account, reference):
        append_row(
            cited,
            [
                ref["table"],
                ref["line"],
                ref["parameter"],
                ref["source_id"],
                ref["status"],
                ref["document"],
                ref["url"],
            ],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class RegionReport:
    """What a regional summary shows: the caller's scope, the overview tables (by year,
    industry and region, as the dashboard builds them), the efficiency grades by area and the
    units below the baseline, in a language."""

    scope: str
    year: str
    tables: dict[str, list[dict[str, Any]]]
    grades: list[dict[str, Any]]
    below: list[dict[str, Any]]
    reference: ReferenceData
    locale: str


def _region_sources(report: RegionReport) -> list[dict[str, Any]]:
    """The cited documents behind a summary: the efficiency levels and deadlines used."""
    areas = {str(row["area"]) for row in report.grades}
    seen: dict[str, dict[str, Any]] = {}
    for table in ("efficiency_levels", "upgrade_deadlines"):
        for row in report.reference.rows(table):
            if str(row["area"]) in areas and str(row["source_id"]) not in seen:
                source = report.reference.source(str(row["source_id"]))
                seen[str(row["source_id"])] = {
                    "table": table,
                    "source_id": source.source_id,
                    "status": str(row["status"]),
                    "document": source.cite(),
                    "url": source.url or "",
                }
    return sorted(seen.values(), key=lambda s: (s["table"], s["source_id"]))


def region_pdf(report: RegionReport) -> bytes:
    """The regional summary as PDF."""
    return _pdf(
        "region.html",
        report.locale,
        report=report,
        latest=report.tables["year"][-1] if report.tables["year"] else None,
        bars=_bars([(row["label"], float(row["co2e_t"])) for row in report.tables["industry"]]),
        sources=_region_sources(report),
    )


def region_xlsx(report: RegionReport) -> bytes:
    """The regional summary as a workbook: a sheet per table, a chart of the industries."""
    book = Workbook()
    first = True
    figures = ("key", "label", "enterprises", "energy_tce", "co2_t", "co2e_t")
    for view in ("year", "industry", "region"):
        sheet = book.worksheets[0] if first else book.create_sheet()
        first = False
        sheet.title = view
        append_row(sheet, list(figures))
        for row in report.tables[view]:
            append_row(sheet, [row.get(c) for c in figures])
        if view == "industry" and report.tables[view]:
            chart = BarChart()
            chart.type = "bar"
            chart.title = "CO2e (t)"
            rows = len(report.tables[view])
            chart.add_data(
                Reference(sheet, min_col=6, min_row=1, max_row=rows + 1), titles_from_data=True
            )
            chart.set_categories(Reference(sheet, min_col=2, min_row=2, max_row=rows + 1))
            sheet.add_chart(chart, "H2")
    graded = book.create_sheet("grades")
    grade_columns = ("area", "name", "benchmark", "baseline", "below_baseline", "total")
    append_row(graded, list(grade_columns))
    for row in report.grades:
        append_row(graded, [row.get(c) for c in grade_columns])
    below = book.create_sheet("below_baseline")
    append_row(below, list(BELOW_BASELINE_COLUMNS))
    for row in report.below:
        append_row(below, [table_cell(row.get(c)) for c in BELOW_BASELINE_COLUMNS])
    cited = book.create_sheet("provenance")
    append_row(cited, ["table", "source_id", "status", "document", "url"])
    for source in _region_sources(report):
        append_row(cited, [source[c] for c in ("table", "source_id", "status", "document", "url")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_cell(value: Any) -> Any:
    """A value for a table cell: a capacity given per unit ({"t/a": 1e6}) as text."""
    if isinstance(value, dict):
        return "; ".join(f"{v:g} {k}" for k, v in value.items())
    return value


def warning_text(warning: Mapping[str, Any] | str, locale: str) -> str:
    """A result warning in the reader's language: the catalogue's text of its code (English or
    Chinese) filled from its data, each code in the data (item, region, grid, efficiency area,
    industry, model term) by its name in that language (`reports.names.warning_names`); the
    stored warning keeps its codes. A code the catalogue does not know, or data that do not
    fill its text, keeps the engine's message; a bare string (a result stored before the
    catalogue) is shown as it is."""
    if isinstance(warning, str):
        return warning
    filled = text(warning, locale, warning_names(locale))
    return str(warning.get("message", "")) if filled is None else filled
