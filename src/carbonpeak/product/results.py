"""A plant's product results for a year: from its account's lines and its process map, every
product's cradle-to-gate footprint, every unit's CBAM SEE, and for each good with a CN code
the comparison an exporter needs: its actual SEE against the default value for its country
marked up for the year, and the certificates per tonne either way (research22 §3).

The CBAM good's category decides whether its indirect emissions count (Annex II), whatever the
map says: a unit whose products have a CN code takes its category from `cbam_goods`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from carbonpeak.accounting.engine import account
from carbonpeak.domain.units import conversion_factor
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.product.cbam import (
    Good,
    benchmark,
    cbam_factor,
    cscf,
    default_value,
    good,
    markup,
)
from carbonpeak.product.certificates import Obligation, marked_up, obligation
from carbonpeak.product.embedded import Embedded, embedded
from carbonpeak.product.footprint import Footprint, Omission, footprints
from carbonpeak.product.plant import Difference, Factors, ProductMap, build
from carbonpeak.reference.loader import Reference, Value


@dataclass(frozen=True)
class CbamGood:
    """A product as a CBAM good in a year: its actual SEE (the part the period counts), the
    default value for its country with the year's mark-up, the benchmarks, and the
    certificates per tonne with actual values and with default values."""

    product: str
    unit: str
    good: Good
    route: str | None
    see: Embedded
    default: Value
    default_country: str
    markup: float | None
    default_marked_up: float
    benchmark_actual: Value | None
    benchmark_default: Value | None
    actual: Obligation | None
    by_default: Obligation | None


@dataclass(frozen=True)
class ProductResults:
    year: int
    footprints: dict[str, Footprint]
    see: dict[str, Embedded]
    goods: tuple[CbamGood, ...]
    reconciliation: tuple[Difference, ...]
    warnings: tuple[ResultWarning, ...]


def product_results(
    lines: pd.DataFrame,
    plan: ProductMap,
    factors: Factors,
    reference: Reference,
    year: int,
    country: str = "CN",
    omitted: tuple[Omission, ...] = (),
    basis: str = "adopted",
    round_to: int | None = None,
    import_year: int | None = None,
) -> ProductResults:
    """The footprints, SEE and CBAM goods of a plant's year (see the module). The goods are
    priced for `import_year` (default: the data's year): its default values, mark-up, CBAM
    factor and benchmarks; a year before the definitive period has none, said by a warning."""
    goods = {
        product: good(reference, cn) for unit in plan.units for product, cn in unit.cn_codes.items()
    }
    units = []
    for unit in plan.units:
        own = [goods[p] for p in unit.products if p in goods]
        if own:
            unit = replace(
                unit, category=own[0].category, direct_only=all(g.direct_only for g in own)
            )
        units.append(unit)
    plant = build(lines, replace(plan, units=tuple(units)), factors)
    found = footprints(list(plant.units), omitted)
    see = embedded(list(plant.processes), [])
    on = date(import_year or year, 7, 1)
    rows = []
    warnings: list[ResultWarning] = []
    if (
        goods
        and factors.electricity_cbam is None
        and any(p.electricity_mwh for p in plant.processes)
    ):
        warnings.append(warn("product.cbam.no_electricity_factor"))
    priced = bool(reference.rows("cbam_default_values", as_of=on))
    if goods and not priced:
        warnings.append(warn("product.cbam.no_default_values", year=on.year))
    for unit in units:
        for product in unit.products:
            if product not in goods or not priced:
                continue
            rows.append(
                _good(
                    reference,
                    unit.name,
                    product,
                    goods[product],
                    unit.routes.get(product),
                    see[unit.name],
                    country,
                    on,
                    basis,
                    round_to,
                )
            )
    return ProductResults(year, found, see, tuple(rows), plant.reconciliation, tuple(warnings))


def _good(
    reference: Reference,
    unit: str,
    product: str,
    item: Good,
    route: str | None,
    see: Embedded,
    country: str,
    on: date,
    basis: str,
    round_to: int | None,
) -> CbamGood:
    dv = default_value(reference, country, item.cn_code, on, route)
    rate = markup(reference, item.sector, on)
    up = marked_up(dv.total.value, rate.value if rate else 0.0, round_to)
    factor = cbam_factor(reference, on, basis).value
    correction = cscf(reference).value
    column_a = benchmark(reference, item.cn_code, on, "column_a", route)
    column_b = benchmark(reference, item.cn_code, on, "column_b", route)
    actual = (
        obligation(1.0, see.counted, "actual", factor, correction, column_a.value)
        if column_a is not None
        else None
    )
    default = (
        obligation(1.0, up, "default", factor, correction, column_b.value)
        if column_b is not None
        else None
    )
    return CbamGood(
        product,
        unit,
        item,
        route,
        see,
        dv.total,
        dv.country,
        rate.value if rate else None,
        up,
        column_a,
        column_b,
        actual,
        default,
    )


def factors_for(reference: Reference, year: int, electricity_cbam: float | None = None) -> Factors:
    """The model's factors for a year: the electricity footprint factor of that year (the
    latest before it when the year has none), in tCO2e/kWh, with its source; and the CBAM
    electricity factor the operator gives (tCO2/MWh), if any."""
    rows = [
        r
        for r in reference.rows("footprint_factors", factor="electricity_grid_average")
        if r.valid_from is not None and r.valid_from <= date(year, 12, 31)
    ]
    if not rows:
        return Factors(None, None, electricity_cbam)
    latest = max(rows, key=lambda r: r.valid_from or date.min)
    value = reference.lookup(
        "footprint_factors", "value", as_of=latest.valid_from, factor="electricity_grid_average"
    )
    per_kwh = value.value * conversion_factor(value.unit, "t/kWh")
    source = f"{value.provenance.source} ({value.provenance.status})"
    return Factors(per_kwh, source, electricity_cbam)


def year_results(
    activity: pd.DataFrame,
    enterprises: pd.DataFrame | None,
    plan: ProductMap,
    enterprise_id: str,
    year: int,
    reference: Reference,
    electricity_cbam: float | None = None,
    import_year: int | None = None,
) -> ProductResults:
    """An enterprise's product results of a year from an activity table (its rows of every
    period of the year, accounted by the accounting engine) and its process map; its CBAM
    goods priced for `import_year` (default: `year`)."""
    rows = activity.loc[
        (activity["enterprise_id"].astype(str).str.strip() == enterprise_id)
        & activity["period"].astype(str).str.strip().str.startswith(str(year))
    ]
    if rows.empty:
        raise InputError(
            Problem.of(
                Place(field="year"),
                N_("enterprise {} has no activity of {}: the process map divides its account"),
                enterprise_id,
                year,
            )
        )
    lines = account(rows.reset_index(drop=True), enterprises, reference=reference).lines
    return product_results(
        lines,
        plan,
        factors_for(reference, year, electricity_cbam),
        reference,
        year,
        import_year=import_year,
    )
