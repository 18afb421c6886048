"""The product carbon footprint report of an enterprise's year (issue 22), in Chinese or
English, as PDF and as a workbook, from `services.product.product_report`'s view (the product
view with the enterprise's carbon market position):

- the method: GB/T 24067-2024 (ISO 14067:2018), cradle to gate, declared unit 1 t of product,
  the map's allocation, the factors with their sources and status;
- each product's footprint: its total, by stage (a bar chart), its parts, primary data share,
  data-quality ratings and uncertainty where every part is rated, its gaps and warnings;
- where each graded unit stands against its national benchmark level ([D] derived);
- the CBAM goods: SEE, default values with their mark-up, certificates per tonne;
- the carbon price paid in China: the enterprise's position in the national carbon market's
  ledger for the year and its purchases at the prices recorded, as evidence. No deduction is
  computed: the rule converting a price paid abroad (Art. 9(4) of Reg. (EU) 2023/956) is a
  draft implementing act, and free allocation must be netted from it;
- the reconciliation with the account, each difference with its reason.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from carbonpeak.errors import N_
from carbonpeak.i18n import gettext_of
from carbonpeak.io.sheets import append_row
from carbonpeak.reports.render import _bars, warning_text

STAGES = {
    "site": N_("Site (combustion and process)"),
    "energy": N_("Purchased energy"),
    "materials": N_("Materials bought"),
    "transport": N_("Transport"),
}
REASONS = {
    "same_boundary": N_("Same boundary: every line of the account is in exactly one unit"),
    "electricity_factor": N_(
        "The footprint counts purchased electricity at the national electricity carbon-"
        "footprint factor, the account at the accounting factor"
    ),
    "no_electricity_factor": N_(
        "No electricity carbon-footprint factor in force: the footprint leaves electricity out"
    ),
    "same_factor": N_("Purchased heat at the account's own factor"),
    "gate_to_gate": N_(
        "The products leaving the gate, each its net output times its gate-to-gate part: the "
        "difference is the rows' above when the allocation keeps every tonne"
    ),
    "outside_account": N_("Upstream of what the plant buys: outside the enterprise's account"),
    "outside_gaps": N_(
        "Upstream of what the plant buys, outside the account, without the flows that have no "
        "factor (the footprints' gaps): incomplete"
    ),
    "same_output": N_("The unit makes what the account reports"),
    "output_differs": N_("The unit's tonnes differ from the account's product line: check the map"),
    "output_not_compared": N_(
        "Not compared: the line is not given wholly to a unit that makes one product"
    ),
}
COMPONENTS = {
    "direct": N_("Direct emissions"),
    "electricity": N_("Purchased electricity"),
    "heat": N_("Purchased heat"),
    "gate_to_gate": N_("Products leaving the gate"),
    "outside_account": N_("From outside the account"),
    "output": N_("Output"),
}


def carbon_price(position: dict[str, Any] | None) -> dict[str, Any] | None:
    """The evidence of the carbon price paid in China from a ledger position with its entries
    (`services.market_ledger.position_of`) for its compliance year: the year's obligation,
    allocation and surrender, and the allowances of the year's vintage bought at a recorded
    price (their volume and volume-weighted price); None when no entry is of that year (the
    enterprise was not in the market, or nothing of the year is recorded)."""
    if position is None:
        return None
    year = position["year"]
    own = [e for e in position.get("entries") or () if year in (e.get("vintage"), e.get("year"))]
    if not own:
        return None
    bought = [
        e
        for e in own
        if e["kind"] == "bought" and e["price"] is not None and e.get("vintage") == year
    ]
    volume = sum(float(e["amount"]) for e in bought)
    paid = sum(float(e["amount"]) * float(e["price"]) for e in bought)

    def tonnes(key: str) -> float | None:  # the ledger keeps decimals as text
        value = position.get(key)
        return None if value is None else float(value)

    return {
        "year": year,
        "sector": position.get("sector"),
        "obligation_t": tonnes("obligation_t"),
        "allocated_t": tonnes("allocated_t"),
        "surrendered_t": tonnes("surrendered_t"),
        "shortfall_t": tonnes("shortfall_t"),
        "bought": bought,
        "bought_t": volume,
        "paid_yuan": paid,
        "price_yuan_per_t": paid / volume if volume else None,
    }


def _stage_bars(footprint: dict[str, Any], _: Any) -> list[dict[str, Any]]:
    return _bars(
        [(_(label), float(footprint["by_stage"].get(s) or 0.0)) for s, label in STAGES.items()]
    )


def product_report_pdf(view: dict[str, Any], locale: str) -> bytes:
    """The report printed (A4, `locale`)."""
    from carbonpeak.reports.render import _pdf

    _ = gettext_of(locale)
    results = view["results"]
    return _pdf(
        "product.html",
        locale,
        view=view,
        results=results,
        bars={f["product"]: _stage_bars(f, _) for f in results["footprints"]},
        stages=STAGES,
        reasons=REASONS,
        components=COMPONENTS,
        sources=_sources(results),
        method=METHOD,
        price_note=PRICE_NOTE,
    )


def _sources(results: dict[str, Any]) -> list[str]:
    """Every source a part of a footprint names, once."""
    found: list[str] = []
    for f in results["footprints"]:
        for part in f["parts"]:
            if part["source"] and part["source"] not in found:
                found.append(part["source"])
    return found


def product_report_xlsx(view: dict[str, Any], locale: str) -> bytes:
    """The report as a workbook (`locale`): summary, parts, standing, CBAM goods, carbon
    price, reconciliation, notes; numbers as numbers."""
    _ = gettext_of(locale)
    results = view["results"]
    book = Workbook()
    summary = book.worksheets[0]
    summary.title = _("Footprints")
    append_row(summary, [_("Product carbon footprint report"), view["name"], view["year"]])
    summary["A1"].font = Font(bold=True, size=14)
    append_row(summary, [_("Unified social credit code"), view["enterprise_id"]])
    append_row(summary, [_("Process map"), (view.get("map") or {}).get("file", "")])
    append_row(summary, [])
    append_row(
        summary,
        [
            _("Product"),
            _("Production unit"),
            *(_(label) for label in STAGES.values()),
            _("Total") + " (tCO2e/t)",
            _("Primary data") + " (%)",
            "DQR",
            _("Uncertainty (95%)"),
        ],
    )
    for f in results["footprints"]:
        append_row(
            summary,
            [
                f["product"],
                f["unit"],
                *(f["by_stage"].get(s) or 0.0 for s in STAGES),
                f["total_tco2e_per_t"],
                round(100 * f["primary_share"], 2),
                " / ".join(map(str, f["dqr"])) if f["dqr"] else None,
                f["uncertainty"],
            ],
        )
    parts = book.create_sheet(_("Contributions"))
    append_row(
        parts,
        [_("Product"), _("Production unit"), _("Item"), _("Stage"), "tCO2e/t", _("Primary data"),
         _("Source")],
    )  # fmt: skip
    for f in results["footprints"]:
        for p in f["parts"]:
            stage = _(STAGES[p["stage"]]) if p["stage"] in STAGES else p["stage"]
            append_row(
                parts,
                [f["product"], p["unit"], p["item"], stage, p["tco2e_per_t"],
                 _("yes") if p["primary"] else _("no"), p["source"]],
            )  # fmt: skip
    _standing_sheet(book, view.get("standing") or [], locale)
    _goods_sheet(book, view, locale)
    _price_sheet(book, view.get("carbon_price"), locale)
    rec = book.create_sheet(_("Reconciliation"))
    append_row(
        rec, [_("Component"), _("Account (t)"), _("Products (t)"), _("Difference (t)"), _("Why")]
    )
    for d in results["reconciliation"]:
        component = _(COMPONENTS.get(d["component"], d["component"]))
        if d.get("item"):
            component += f": {d['item']}"
        append_row(
            rec,
            [component, d["account_t"], d["model_t"], d["difference_t"],
             _(REASONS.get(d["reason"], d["reason"]))],
        )  # fmt: skip
    notes = book.create_sheet(_("Notes"))
    append_row(notes, [_("Method"), _(METHOD)])
    for f in results["footprints"]:
        for w in f["warnings"]:
            append_row(notes, [f["product"], warning_text(w, locale)])
    for w in results["warnings"]:
        append_row(notes, ["", warning_text(w, locale)])
    for source in _sources(results):
        append_row(notes, [_("Source"), source])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


METHOD = N_(
    "GB/T 24067-2024 (ISO 14067:2018): cradle to gate, declared unit 1 t of product; the "
    "site's emissions from the enterprise's account of the year, shared between the units by "
    "its process map; purchased electricity at the national electricity carbon-footprint "
    "factor; a flow without a factor is a gap, said, not counted."
)


def _standing_sheet(book: Workbook, standing: list[dict[str, Any]], locale: str) -> None:
    _ = gettext_of(locale)
    sheet = book.create_sheet(_("Standing"))
    append_row(
        sheet,
        [_("Production unit"), _("Area"), _("Grade"), _("Unit energy"), _("Benchmark"),
         _("Baseline"), _("Distance to the benchmark"), _("Distance, tCO2/t [D]")],
    )  # fmt: skip
    for s in standing:
        append_row(
            sheet,
            [s["unit"], s["area_zh"] if locale == "zh_CN" else s["area_en"],
             _(s["grade"]) if s["grade"] else None, s["indicator"], s["benchmark"],
             s["baseline"], s["distance"], s["distance_tco2_per_t"]],
        )  # fmt: skip


def _goods_sheet(book: Workbook, view: dict[str, Any], locale: str) -> None:
    _ = gettext_of(locale)
    goods = view["results"]["goods"]
    sheet = book.create_sheet("CBAM")
    append_row(
        sheet,
        [_("Priced for imports of %(year)s", year=view["import_year"]),
         _("Electricity emission factor (tCO2/MWh)"), view["electricity_factor"]],
    )  # fmt: skip
    append_row(
        sheet,
        [_("Product"), _("CN code"), _("Route"), _("SEE direct"), _("SEE indirect"),
         _("SEE counted"), _("Default value with mark-up"), _("Certificates per t, actual"),
         _("Certificates per t, default"), _("Status"), _("Country of the default value")],
    )  # fmt: skip
    for g in goods:
        append_row(
            sheet,
            [g["product"], g["cn_code"], g["route"], g["see_direct"], g["see_indirect"],
             g["see_counted"], g["default_marked_up"],
             (g["actual"] or {}).get("certificates_per_t"),
             (g["by_default"] or {}).get("certificates_per_t"), g["default"]["status"],
             g["default_country"]],
        )  # fmt: skip


def _price_sheet(book: Workbook, price: dict[str, Any] | None, locale: str) -> None:
    _ = gettext_of(locale)
    sheet = book.create_sheet(_("Carbon price"))
    append_row(sheet, [_(PRICE_NOTE)])
    if price is None:
        append_row(sheet, [_(NO_ENTRY)])
        return
    for label, value in (
        (_("Compliance year"), price["year"]),
        (_("Obligation (t)"), price["obligation_t"]),
        (_("Allocated (t)"), price["allocated_t"]),
        (_("Surrendered (t)"), price["surrendered_t"]),
        (_("Allowances of the year's vintage bought at a recorded price (t)"), price["bought_t"]),
        (_("Paid for them (yuan)"), price["paid_yuan"]),
        (_("Volume-weighted price (yuan/t)"), price["price_yuan_per_t"]),
    ):
        append_row(sheet, [label, value])


NO_ENTRY = N_("The national carbon market's ledger holds no entry of the enterprise for the year.")
PRICE_NOTE = N_(
    "Evidence of the carbon price paid in China, not a deduction: the rule converting it "
    "under Art. 9(4) of Reg. (EU) 2023/956 is a draft implementing act, and the free "
    "allocation must be netted from it."
)
