"""The diagnosis report of a plant (HTML and PDF, Chinese or English): profile, energy flow
(a Sankey chart from the energy carriers to the equipment that uses them), benchmark position,
equipment findings, management findings, the measures and their MAC curve, sources. The charts
are SVG drawn here, so that the PDF needs no browser."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from carbonpeak.errors import N_
from carbonpeak.i18n import gettext_of, number
from carbonpeak.reference.loader import Reference
from carbonpeak.reports.render import _pdf, page_html

WIDTH, GAP = 170.0, 2.0  # mm
# Words the template translates from data: kinds of equipment, metering levels, answers, carriers
WORDS = (
    N_("motor"),
    N_("pump"),
    N_("fan"),
    N_("transformer"),
    N_("compressor"),
    N_("boiler"),
    N_("waste_heat"),
    N_("unit"),
    N_("sub_unit"),
    N_("equipment"),
    N_("yes"),
    N_("partly"),
    N_("no"),
    N_("natural_gas"),
    N_("electricity"),
    N_("meets"),
    N_("below"),
)


@dataclass(frozen=True)
class Band:
    """One flow of the Sankey chart: from a carrier (left) to a piece of equipment (right)."""

    carrier: str
    equipment: str
    value: float
    left_top: float
    right_top: float
    height: float


def sankey(
    flows: list[dict[str, Any]], height: float = 90.0
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Band]]:
    """Node boxes (label, value, top, height) on the left (carriers) and right (equipment) and
    the bands between them; the heights are proportional to the energy (tce) and each node's
    bands fill it exactly."""
    positive = [f for f in flows if f["energy_tce"] > 0]
    total = sum(f["energy_tce"] for f in positive)
    if not positive or total <= 0:
        return [], [], []
    carriers = list(dict.fromkeys(f["carrier"] for f in positive))
    equipment = list(dict.fromkeys(f["equipment"] for f in positive))
    usable = height - GAP * (max(len(carriers), len(equipment)) - 1)
    scale = usable / total

    def column(names: list[str], key: str) -> list[dict[str, Any]]:
        top, out = 0.0, []
        for name in names:
            value = sum(f["energy_tce"] for f in positive if f[key] == name)
            out.append({"label": name, "value": value, "top": top, "height": value * scale})
            top += value * scale + GAP
        return out

    left, right = column(carriers, "carrier"), column(equipment, "equipment")
    used_left = {n["label"]: n["top"] for n in left}
    used_right = {n["label"]: n["top"] for n in right}
    bands = []
    for f in positive:
        h = f["energy_tce"] * scale
        bands.append(
            Band(
                f["carrier"],
                f["equipment"],
                f["energy_tce"],
                used_left[f["carrier"]],
                used_right[f["equipment"]],
                h,
            )
        )
        used_left[f["carrier"]] += h
        used_right[f["equipment"]] += h
    return left, right, bands


def mac_bars(curve: list[dict[str, Any]], height: float = 60.0) -> dict[str, Any]:
    """Bars of the MAC curve: x from the cumulative abatement, y from the MAC (yuan/t), with
    the zero line; widths are proportional to each measure's abatement."""
    if not curve:
        return {"bars": [], "zero": 0.0}
    span = max(c["to_t"] for c in curve) or 1.0
    top = max(max(c["mac_yuan_per_t"] for c in curve), 0.0)
    bottom = min(min(c["mac_yuan_per_t"] for c in curve), 0.0)
    scale = height / ((top - bottom) or 1.0)
    zero = top * scale
    bars = []
    for c in curve:
        y = zero - max(c["mac_yuan_per_t"], 0.0) * scale
        bars.append(
            {
                **c,
                "x": 25 + (WIDTH - 30) * c["from_t"] / span,
                "width": max((WIDTH - 30) * c["abatement_t"] / span, 0.3),
                "y": y,
                "height": abs(c["mac_yuan_per_t"]) * scale,
            }
        )
    return {"bars": bars, "zero": zero, "top": top, "bottom": bottom, "span": span}


def sankey_svg(flows: list[dict[str, Any]], name: Any, number: Any) -> str:
    """The energy flow as SVG (170 x 96 mm): carriers left, equipment right, bands between;
    `name` translates a carrier, `number` formats a value."""
    left, right, bands = sankey(flows)
    if not bands:
        return ""
    parts = [
        '<svg class="chart" id="sankey" width="170mm" height="96mm" viewBox="0 0 170 96" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for b in bands:
        a, c, h = b.left_top + 3, b.right_top + 3, b.height
        parts.append(
            f'<path d="M 40 {a:.3f} C 85 {a:.3f}, 85 {c:.3f}, 110 {c:.3f} L 110 {c + h:.3f} '
            f'C 85 {c + h:.3f}, 85 {a + h:.3f}, 40 {a + h:.3f} Z" fill="#1b7f5b" '
            f'fill-opacity="0.25"><title>{escape(b.carrier)} → {escape(b.equipment)}: '
            f"{number(b.value, 1)} tce</title></path>"
        )
    for n in left:
        middle = n["top"] + 3 + n["height"] / 2 + 1
        parts.append(
            f'<rect x="36" y="{n["top"] + 3:.3f}" width="4" height="{max(n["height"], 0.3):.3f}" '
            f'fill="#1b7f5b"/><text x="34" y="{middle:.3f}" font-size="3" text-anchor="end">'
            f"{escape(name(n['label']))} {number(n['value'])} tce</text>"
        )
    for n in right:
        middle = n["top"] + 3 + n["height"] / 2 + 1
        parts.append(
            f'<rect x="110" y="{n["top"] + 3:.3f}" width="4" height="{max(n["height"], 0.3):.3f}" '
            f'fill="#3f8fc4"/><text x="116" y="{middle:.3f}" font-size="2.8">'
            f"{escape(n['label'])} {number(n['value'], 1)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def mac_svg(curve: list[dict[str, Any]], number: Any, axis: str) -> str:
    """The MAC curve as SVG (170 x 76 mm); `axis` labels the abatement axis."""
    mac = mac_bars(curve)
    if not mac["bars"]:
        return ""
    zero = mac["zero"] + 4
    parts = [
        '<svg class="chart" id="mac" width="170mm" height="76mm" viewBox="0 0 170 76" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="25" y1="{zero:.3f}" x2="165" y2="{zero:.3f}" stroke="#5b6b70" '
        'stroke-width="0.3"/>',
        f'<text x="23" y="{zero + 1:.3f}" font-size="2.6" text-anchor="end">0</text>',
        f'<text x="23" y="6" font-size="2.6" text-anchor="end">{number(mac["top"])}</text>',
        f'<text x="23" y="64" font-size="2.6" text-anchor="end">{number(mac["bottom"])}</text>',
    ]
    for b in mac["bars"]:
        colour = "#c0392b" if b["mac_yuan_per_t"] > 0 else "#1b7f5b"
        parts.append(
            f'<rect x="{b["x"]:.3f}" y="{b["y"] + 4:.3f}" width="{b["width"]:.3f}" '
            f'height="{max(b["height"], 0.3):.3f}" fill="{colour}" stroke="#fff" '
            f'stroke-width="0.2"><title>{escape(b["measure_id"])}: '
            f"{number(b['mac_yuan_per_t'])} yuan/t, {number(b['abatement_t'], 1)} t</title></rect>"
        )
    parts.append(
        f'<text x="165" y="72" font-size="2.6" text-anchor="end">{escape(axis)}: '
        f"{number(mac['span'], 1)} t</text></svg>"
    )
    return "".join(parts)


def _sources(result: dict[str, Any], reference: Reference) -> list[dict[str, str]]:
    """The documents behind the reference tables the diagnosis used."""
    tables = ["diagnosis_parameters", "enms_clauses"]
    kinds = {f["kind"] for f in result["findings"]}
    tables += [
        t
        for k, t in (
            ("motor", "motor_efficiency_grades"),
            ("transformer", "transformer_loss_grades"),
            ("compressor", "compressor_specific_power"),
        )
        if k in kinds
    ]
    seen: dict[str, dict[str, str]] = {}
    for table in tables:
        for row in reference.rows(table):
            source_id = str(row["source_id"])
            if source_id not in seen:
                source = reference.source(source_id)
                seen[source_id] = {
                    "table": table,
                    "document": source.cite(),
                    "url": source.url or "",
                }
    return list(seen.values())


def charts(result: dict[str, Any], locale: str) -> tuple[str, str]:
    """The energy flow and the MAC curve of a diagnosis as SVG, in `locale`."""
    _ = gettext_of(locale)

    def num(value: float, digits: int = 0) -> str:
        return number(value, locale, digits)

    return (
        sankey_svg(result.get("energy_flow", []), _, num),
        mac_svg(result["mac_curve"], num, _("CO2 abated a year")),
    )


def _context(result: dict[str, Any], reference: Reference, locale: str) -> dict[str, Any]:
    flow, mac = charts(result, locale)
    return {"result": result, "flow": flow, "mac": mac, "sources": _sources(result, reference)}


def diagnosis_html(result: dict[str, Any], reference: Reference, locale: str) -> str:
    """The report as a standalone HTML page (the same page the PDF prints)."""
    return page_html("diagnosis.html", locale, **_context(result, reference, locale))


def diagnosis_pdf(result: dict[str, Any], reference: Reference, locale: str) -> bytes:
    """The report printed to PDF."""
    return _pdf("diagnosis.html", locale, **_context(result, reference, locale))
