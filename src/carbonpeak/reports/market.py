"""The annual emissions report of the national carbon market as a workbook (issue 21, part 5),
laid out after the steel guideline's Annex C as far as the platform holds its data:

- 基本信息 (C.1): the enterprise, its code, the sector and the guideline followed;
- 排放量汇总 (C.5): the enterprise's emissions in whole tonnes, its output and intensity;
- 月度数据 (C.3): per source stream and item, the quantity (net, in the item's unit) and the
  CO2 of each month and of the year (quantities to 2 decimals, emissions to 2, as C.3's notes
  round them);
- 工序数据 (C.4), when the enterprise's process sheet of the year is stored: per process, the
  quantities into and out of it as reported, its CO2, its product's output and the intensity
  of each month and of the year (quantities and emissions to 2 decimals, intensity to 4, as
  C.4's notes round them);
- 对照 (the reconciliation with the MIIT accounts by source stream and named step);
- 说明: the warnings of the account and the guideline's source.

- 辅助报告项 (C.6) and 其他信息 (C.7): what the platform holds of them (`annex_c6_c7`), and
  what it does not, said there.

C.4 is left out when no process sheet of the year is stored, which the 说明 sheet says."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from carbonpeak.errors import N_
from carbonpeak.i18n import gettext_of
from carbonpeak.io.sheets import append_row
from carbonpeak.reports.market_plan import parameter_name
from carbonpeak.reports.market_plan_terms import FREQUENCIES
from carbonpeak.reports.names import warning_names
from carbonpeak.reports.render import warning_text

STEPS = ("method", "measured", "factors", "boundary")


def market_report_xlsx(view: dict[str, Any], locale: str) -> bytes:
    """The workbook of `services.market.market_accounts`'s answer, in `locale`."""
    _ = gettext_of(locale)
    items = warning_names(locale)["items"]
    method = view.get("method") or {}
    book = Workbook()
    info = book.worksheets[0]
    info.title = _("Basic information")
    append_row(info, [_("Annual emissions report of the national carbon market"), view["year"]])
    info["A1"].font = Font(bold=True, size=14)
    for label, value in (
        (_("Enterprise"), view["name"]),
        (_("Unified social credit code"), view["enterprise_id"]),
        (_("Sector"), _(view["sector"])),
        (_("Guideline"), method.get("guideline", "")),
        (_("Year"), view["year"]),
    ):
        append_row(info, [label, value])
    info.column_dimensions["A"].width = 30
    info.column_dimensions["B"].width = 70

    total = view.get("total") or {}
    summary = book.create_sheet(_("Emissions summary"))
    append_row(summary, [_("Item"), _("Value"), _("Unit")])
    for label, value, unit, digits in (
        (_("Enterprise emissions"), total.get("co2_t"), "tCO2", 0),
        (_("Fuels"), total.get("fuel_co2_t"), "tCO2", 0),
        (_("Processes"), total.get("process_co2_t"), "tCO2", 0),
        (_("Products deducted"), total.get("product_co2_t"), "tCO2", 0),
        (_("Output"), total.get("output_t"), "t", 2),
        (_("Emissions per tonne of product"), total.get("intensity_t_per_t"), "tCO2/t", 4),
    ):
        append_row(summary, [label, None if value is None else round(float(value), digits), unit])
    summary.column_dimensions["A"].width = 30

    monthly = book.create_sheet(_("Monthly data"))
    periods = sorted({line["period"] for line in view.get("lines", [])})
    keys = sorted({(line["stream"], line["item"]) for line in view.get("lines", [])})
    header = [_("Stream"), _("Item"), _("Measure"), *periods, _("Whole year")]
    append_row(monthly, header)
    found = {(line["period"], line["stream"], line["item"]): line for line in view["lines"]}
    for stream, item in keys:
        for measure, column in ((_("Amount (net)"), "qty"), (_("CO2 (t)"), "co2_t")):
            values = [found.get((period, stream, item), {}).get(column) for period in periods]
            year = round(sum(v for v in values if v is not None), 2)
            append_row(
                monthly,
                [
                    _(stream),
                    items.get(item, item),
                    measure,
                    *(None if v is None else round(v, 2) for v in values),
                    year,
                ],
            )
    monthly.column_dimensions["B"].width = 24
    if view.get("processes"):
        _process_sheet(book, view, periods, locale)

    compared = book.create_sheet(_("Reconciliation"))
    append_row(
        compared,
        [
            _("Stream"),
            _("Item"),
            _("MIIT (t CO2e)"),
            _("Method"),
            _("Measured values"),
            _("Factor edition"),
            _("Boundary"),
            _("Market (t CO2)"),
        ],
    )
    for row in view.get("reconciliation", []):
        append_row(
            compared,
            [
                _(row["stream"]),
                items.get(row["item"], row["item"]),
                *(round(float(row[c]), 2) for c in ("miit_co2e_t", *STEPS, "market_co2_t")),
            ],
        )
    for step in STEPS:
        append_row(compared, [_(view["steps"][step])])

    annex_c6_c7(book, view, locale)
    notes = book.create_sheet(_("Notes"))
    provenance = method.get("provenance", {})
    append_row(notes, [_("Source of the guideline"), provenance.get("source", "")])
    append_row(notes, [_("Status"), _(provenance.get("status", ""))])
    shown: set[str] = set()
    for period in view.get("periods", []):
        for warning in period.get("warnings", []):
            text = warning_text(warning, locale)
            if text not in shown:
                shown.add(text)
                append_row(notes, [warning.get("code", ""), text])
    missing = missing_tables(view)
    if missing:
        append_row(notes, [_("Not in this report"), _(missing)])
    notes.column_dimensions["A"].width = 36
    notes.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def missing_tables(view: dict[str, Any]) -> str | None:
    """What of Annex C's tables the report leaves out (a msgid), if anything: C.4 without a
    stored process sheet (C.6 and C.7 say in their own sheet what they do not hold)."""
    if view.get("processes"):
        return None
    if view.get("process_sheet"):  # stored, but refused against the reports as they are now
        return N_(
            "process-level tables (C.4): the stored process sheet of the year does not agree "
            "with the year's reports (the market page says why)"
        )
    return N_("process-level tables (C.4): no process sheet of the year is stored")


# a process line's direction as C.4 says it (not the bare "in", which the pathways form's
# "in [year]" translates 年份)
DIRECTIONS = {
    "in": N_("Into the process"),
    "": N_("Into the process"),
    "out": N_("Out of the process"),
}


def _process_sheet(book: Workbook, view: dict[str, Any], periods: list[str], locale: str) -> None:
    """C.4: per process, each quantity into or out of it (as reported, in its unit), its CO2,
    its product's output and the intensity, by month and for the year."""
    _ = gettext_of(locale)
    items = warning_names(locale)["items"]
    sheet = book.create_sheet(_("Process data"))
    periods = sorted({p["period"] for p in view["processes"]} | set(periods))
    append_row(sheet, [_("Process"), _("Item"), _("Measure"), *periods, _("Whole year")])
    levels = {(p["period"], p["process"]): p for p in view["processes"]}
    name = "name_zh" if locale == "zh_CN" else "name_en"
    names = {p["process"]: p.get(name) or p["process"] for p in view["processes"]}
    lines: dict[tuple[str, str, str, str, str], dict[str, float | None]] = {}
    for line in view.get("process_lines", []):
        key = (line["process"], line["stream"], line["item"], line["direction"], line["unit"])
        lines.setdefault(key, {})[line["period"]] = line["amount"]

    def row(process: str, item: str, measure: str, values: list[Any], year: Any) -> None:
        append_row(sheet, [names[process], item, measure, *values, year])

    for process in names:
        for (code, stream, item, direction, unit), found in sorted(lines.items()):
            if code != process:
                continue
            values = [found.get(period) for period in periods]
            way = DIRECTIONS.get(direction, direction)
            way = _("Product output") if stream == "product" else _(way)
            row(
                process,
                items.get(item, item),
                f"{way} ({unit})",
                [None if v is None else round(v, 2) for v in values],
                round(sum(v for v in values if v is not None), 2),
            )
        shown = [levels.get((period, process)) for period in periods]
        co2 = [None if p is None else p.get("co2_t") for p in shown]
        output = [None if p is None else p.get("output_t") for p in shown]
        intensity = [None if p is None else p.get("intensity_t_per_t") for p in shown]
        co2_year = sum(v for v in co2 if v is not None)
        output_year = sum(v for v in output if v is not None)
        row(process, "", _("CO2 (t)"), [_round(v, 2) for v in co2], round(co2_year, 2))
        if any(v is not None for v in output):
            row(process, "", _("Output (t)"), [_round(v, 2) for v in output], round(output_year, 2))
            row(
                process,
                "",
                _("Emissions per tonne of product"),
                [_round(v, 4) for v in intensity],
                round(co2_year / output_year, 4) if output_year > 0 else None,
            )
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 20
    sheet.column_dimensions["C"].width = 24


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def market_report_pdf(view: dict[str, Any], locale: str) -> bytes:
    """The same report printed (A4, Chinese first): summary, months, reconciliation, notes."""
    from carbonpeak.reports.render import _pdf

    notes: list[str] = []
    for period in view.get("periods", []):
        for warning in period.get("warnings", []):
            text = warning_text(warning, locale)
            if text not in notes:
                notes.append(text)
    return _pdf(
        "market.html",
        locale,
        view=view,
        items=warning_names(locale)["items"],
        notes=notes,
        annex=c6_c7(view, locale),
        missing=missing_tables(view),
    )


# What C.6 asks that the platform does not hold (Annex C, table C.6).
C6_NOT_HELD = (
    N_("Net consumption of each purchased solid fossil fuel on a dry basis (t)"),
    N_("Monthly mean moisture of each purchased solid fossil fuel (%)"),
    N_(
        "Electricity and heat consumed by each main process (coking, sintering, pelletising, "
        "ironmaking, converter and electric-furnace steelmaking)"
    ),
    N_(
        "Operating hours, load factor, and the CO2 intensity of generation and of heat supply "
        "of the co-firing generating facility"
    ),
)
AUXILIARY = {
    "electricity": N_("Net purchased electricity, whole enterprise"),
    "heat": N_("Net purchased heat, whole enterprise"),
}


def c6_c7(view: dict[str, Any], locale: str) -> dict[str, Any]:
    """Tables C.6 and C.7 of `view` (`services.market_report.annual_report`) in `locale`:
    C.6's rows the platform holds (purchased electricity and heat by month) and those it does
    not; C.7's meters from the year's plan, with what is not held."""
    _ = gettext_of(locale)
    items = warning_names(locale)["items"]
    auxiliary = view.get("auxiliary") or {"periods": [], "rows": []}
    periods = list(auxiliary["periods"])
    rows = [
        [
            f"{_(AUXILIARY[r['stream']])}: {items.get(r['item'], r['item'])}",
            r["unit"],
            *(r["values"].get(p) for p in periods),
            r["year"],
            _("official reports on the platform (activity data)"),
        ]
        for r in auxiliary["rows"]
    ]
    meters = view.get("meters") or {"version": None, "meters": []}
    not_held = _("not held")
    ledger = [
        [
            number,
            m["meter"],
            m["location"],
            "; ".join(parameter_name(p, locale) for p in m["parameters"]),
            _(FREQUENCIES[m["monitoring_frequency"]]) if m["monitoring_frequency"] else "",
            m["accuracy_class"],
            m["calibration_months"],
            not_held,
            not_held,
        ]
        for number, m in enumerate(meters["meters"], start=1)
    ]
    # printed, the months run down the page: a column per item
    printed = [
        [period, *(r["values"].get(period) for r in auxiliary["rows"])] for period in periods
    ]
    printed.append([_("Whole year"), *(r["year"] for r in auxiliary["rows"])])
    return {
        "c6_header": [_("Item"), _("Unit"), *periods, _("Whole year"), _("Data source")],
        "c6_rows": rows,
        "c6_printed": {
            "header": [_("Period"), *(f"{row[0]} ({row[1]})" for row in rows)],
            "rows": printed,
            "digits": [3 if r["unit"] == "MWh" else 2 for r in auxiliary["rows"]],
        },
        "c6_not_held": [_(text) for text in C6_NOT_HELD],
        "c7_header": [
            _("No."),
            _("Meter: name and model"),
            _("Location"),
            _("Parameters measured"),
            _("Monitoring frequency"),
            _("Accuracy class"),
            _("Verification or calibration interval (months)"),
            _("Verification or calibration: own or external"),
            _("Date of verification or calibration"),
        ],
        "c7_rows": ledger,
        "c7_source": (
            _("No data-quality control plan of this year has been filed.")
            if meters["version"] is None
            else _(
                "From version %(version)s of the year's data-quality control plan.",
                version=meters["version"],
            )
        ),
        "c7_not_held": [
            _("Calibration method (own or external) and date of each meter"),
            _("Training of the staff in charge of greenhouse gas emissions"),
        ],
    }


def annex_c6_c7(book: Workbook, view: dict[str, Any], locale: str) -> None:
    """The sheets 辅助报告项 (C.6) and 其他信息 (C.7) of the report's workbook."""
    _ = gettext_of(locale)
    tables = c6_c7(view, locale)
    auxiliary = book.create_sheet(_("Auxiliary items"))
    append_row(auxiliary, tables["c6_header"])
    for row in tables["c6_rows"]:
        append_row(auxiliary, row)
    append_row(auxiliary, [])
    append_row(auxiliary, [_("Not held by the platform")])
    for text in tables["c6_not_held"]:
        append_row(auxiliary, [text, _("not held")])
    auxiliary.column_dimensions["A"].width = 60
    other = book.create_sheet(_("Other information"))
    append_row(other, [_("Meters: verification and calibration")])
    other["A1"].font = Font(bold=True)
    append_row(other, [tables["c7_source"]])
    append_row(other, tables["c7_header"])
    for row in tables["c7_rows"]:
        append_row(other, row)
    append_row(other, [])
    append_row(other, [_("Not held by the platform")])
    for text in tables["c7_not_held"]:
        append_row(other, [text, _("not held")])
    other.column_dimensions["B"].width = 30
    other.column_dimensions["D"].width = 40
