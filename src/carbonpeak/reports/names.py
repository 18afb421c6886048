"""Codes by their names in the reader's language: the codes in a warning's data (item, region,
grid, efficiency area, industry, model term) and the terms of an energy performance model.

Names of reference codes come from the reference tables' name_zh / name_en columns; names of
the model's terms and of a budget's quantity are messages of the catalogue (`N_`). A code
without a name is shown as it is.
"""

from __future__ import annotations

from functools import cache

from carbonpeak.errors import N_
from carbonpeak.i18n import gettext_of
from carbonpeak.reference.loader import default_reference

# The terms of the energy performance model (monitoring.enpi): the intercept and the drivers
# of the meters' drivers table (demo: production_t, temperature_c).
MODEL_TERMS = {
    "intercept": N_("Intercept (base energy)"),
    "production_t": N_("Production (t)"),
    "temperature_c": N_("Temperature (°C)"),
}
# The quantities of a carbon budget (policy.budgets).
QUANTITIES = {"co2": N_("CO2 (t)"), "energy": N_("Energy (tce)")}


@cache
def term_names(locale: str) -> dict[str, str]:
    """The model's term codes to their names in `locale`."""
    _ = gettext_of(locale)
    return {code: _(text) for code, text in MODEL_TERMS.items()}


def _table(table: str, key: str, english: bool) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in default_reference().rows(table):
        name = str((row["name_en"] if english else "") or row["name_zh"] or "")
        if name:
            names.setdefault(str(row[key]), name)
    return names


@cache
def warning_names(locale: str) -> dict[str, dict[str, str]]:
    """The names of the codes a warning's data hold, by data key, in `locale`
    (`domain.warnings.text`): every key that carries a reference code is here."""
    english = locale == "en"
    items = _table("items", "item", english)
    regions = _table("regions", "region_code", english)
    areas = _table("efficiency_levels", "area", english)
    grids = _table("power_grids", "grid_region", english)
    kinds = _table("solid_waste_kinds", "kind", english)
    routes = _table("solid_waste_routes", "route", english)
    _ = gettext_of(locale)
    return {
        # the utilisation wing's kinds of solid waste, and its kind/route pairs
        "kind": kinds,
        "kinds": kinds,
        "target_kinds": kinds,
        "pairs": {
            f"{kind}/{route}": f"{k_name}/{r_name}"
            for kind, k_name in kinds.items()
            for route, r_name in routes.items()
        },
        "items": items,
        "item": items,
        "carrier": items,
        "province": regions,
        "region": regions,
        "region_code": regions,
        # an area is an efficiency area (benchmarking, two_high) or the grid area of a
        # grid factor: a regional grid, the national grid or a province (its code)
        "area": areas | grids | regions,
        "areas": areas,
        "industry_code": _table("industries", "industry_code", english),
        "driver": term_names(locale),
        "quantity": {code: _(text) for code, text in QUANTITIES.items()},
    }
