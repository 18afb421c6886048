"""Where a plant's products stand nationally (issue 22 §5): the benchmarking wing's grade of
the account's product (its unit energy against the national benchmark and baseline levels of
its efficiency area, `benchmarking.grades`) put on the process map's unit that makes it, with
the distance to the benchmark level in tCO2 per tonne.

The tCO2 distance is DERIVED [D], not a published level: the distance in the level's unit
(kgce/t, or kWh/t for electrolytic aluminium) times the graded boundary's own CO2 per unit
of that indicator (its CO2 over its indicator times its output), as the wing prices its
saving potential; none where the unit energy is not above 0 (a converter recovering more energy
than it uses) or the boundary emits nothing. Only the energy boundary's CO2 is in it: a
process emission (the clinker's calcination, the anodes) is not moved by energy efficiency and
is not in the distance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from carbonpeak.product.plant import ProductMap


@dataclass(frozen=True)
class Standing:
    """A map unit's product graded against its area's national levels (see the module)."""

    unit: str
    products: tuple[str, ...]
    item: str  # the account's product line graded
    area: str
    grade: str | None
    indicator: float
    indicator_unit: str
    benchmark: float | None
    baseline: float | None
    distance: float | None  # indicator minus benchmark, in the indicator's unit
    distance_tco2_per_t: float | None  # [D]
    level_status: str | None


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def standings(plan: ProductMap, grades: Iterable[Mapping[str, Any]]) -> list[Standing]:
    """Each grade of the plant's year on the unit the map gives the graded product line to
    (the one with the largest share of it); a grade whose line is in no unit is left out."""
    shares: dict[str, dict[str, float]] = {}
    for a in plan.assignments:
        by_unit = shares.setdefault(a.item, {})
        by_unit[a.unit] = by_unit.get(a.unit, 0.0) + a.share
    products = {u.name: tuple(u.products) for u in plan.units}
    found = []
    for g in grades:
        item = str(g["product"])
        if item not in shares:
            continue
        unit = max(shares[item], key=lambda name: shares[item][name])
        indicator = float(g["indicator_value"])
        distance = _float(g.get("distance_to_benchmark"))
        amount = float(g.get("product_amount") or 0.0)
        co2 = _float(g.get("co2_t"))
        # CO2 per unit of the indicator only where the boundary uses energy and emits (as the
        # wing prices its saving potential): a net energy exporter's (a converter's negative
        # unit energy) is no emission factor of energy, so its distance is not priced
        per_indicator = (
            co2 / (indicator * amount)
            if co2 is not None and co2 > 0 and indicator > 0 and amount > 0
            else None
        )
        found.append(
            Standing(
                unit,
                products.get(unit, ()),
                item,
                str(g["area"]),
                g.get("grade"),
                indicator,
                str(g.get("unit") or ""),
                _float(g.get("benchmark")),
                _float(g.get("baseline")),
                distance,
                distance * per_indicator
                if distance is not None and per_indicator is not None
                else None,
                g.get("level_status"),
            )
        )
    return found
