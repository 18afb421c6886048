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

Auxiliary items (C.6) and meters (C.7) are not in the platform's data yet and are left out,
and so is C.4 when no process sheet is stored, which the 说明 sheet says."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from carbonpeak.errors import N_
from carbonpeak.i18n import gettext_of
from carbonpeak.io.sheets import append_row
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
    append_row(notes, [_("Not in this report"), _(missing_tables(view))])
    notes.column_dimensions["A"].width = 36
    notes.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def missing_tables(view: dict[str, Any]) -> str:
    """What of Annex C the report leaves out (a msgid)."""
    if view.get("processes"):
        return N_(
            "auxiliary items (C.6) and meters (C.7): the platform does not hold their data yet"
        )
    return N_(
        "process-level tables (C.4): no process sheet of the year is stored; auxiliary items "
        "(C.6) and meters (C.7): the platform does not hold their data yet"
    )


def _process_sheet(book: Workbook, view: dict[str, Any], periods: list[str], locale: str) -> None:
    """C.4: per process, each quantity into or out of it (as reported, in its unit), its CO2,
    its product's output and the intensity, by month and for the year."""
    _ = gettext_of(locale)
    items = warning_names(locale)["items"]
    sheet = book.create_sheet(_("Process data"))
    periods = sorted({p["period"] for p in view["processes"]} | set(periods))
    append_row(sheet, [_("Process"), _("Item"), _("Measure"), *periods, _("Whole year")])
    levels = {(p["period"], p["process"]): p for p in view["processes"]}
    names = {p["process"]: p["name_zh"] or p["process"] for p in view["processes"]}
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
            way = _("Product output") if stream == "product" else _(direction or "in")
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
        missing=missing_tables(view),
    )
