"""The diagnosis report of a plant (HTML and PDF, Chinese or English): profile, energy flow
(a Sankey chart from the energy carriers to the equipment that uses them), benchmark position,
equipment findings, management findings, the measures and their MAC curve, sources. The charts
are SVG drawn here, so that the PDF needs no browser."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from carbonpeak.errors import N_
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


def _context(result: dict[str, Any], reference: Reference) -> dict[str, Any]:
    left, right, bands = sankey(result.get("energy_flow", []))
    return {
        "result": result,
        "left": left,
        "right": right,
        "bands": bands,
        "mac": mac_bars(result["mac_curve"]),
        "sources": _sources(result, reference),
    }


def diagnosis_html(result: dict[str, Any], reference: Reference, locale: str) -> str:
    """The report as a standalone HTML page (the same page the PDF prints)."""
    return page_html("diagnosis.html", locale, **_context(result, reference))


def diagnosis_pdf(result: dict[str, Any], reference: Reference, locale: str) -> bytes:
    """The report printed to PDF."""
    return _pdf("diagnosis.html", locale, **_context(result, reference))
