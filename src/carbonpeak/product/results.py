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
from functools import lru_cache

import numpy as np
import pandas as pd

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.product.boundary import gate_rows
from carbonpeak.product.cbam import (
    DefaultValue,
    Good,
    benchmark,
    cbam_factor,
    cscf,
    default_value,
    good,
    markup,
    waste_gas,
    waste_gas_items,
)
from carbonpeak.product.certificates import Obligation, marked_up, obligation
from carbonpeak.product.chain import ChainError, solve
from carbonpeak.product.embedded import Embedded, Process, Purchased, embedded
from carbonpeak.product.footprint import Footprint, Omission, footprints
from carbonpeak.product.map_sheets import MAP_SHEETS
from carbonpeak.product.plant import (
    BoughtGood,
    Difference,
    Factors,
    MapUnit,
    ProductMap,
    Summary,
    build_from,
    summary_of,
)
from carbonpeak.reference.loader import Reference, Value


@dataclass(frozen=True)
class CbamGood:
    """A product as a CBAM good in a year: its actual SEE (the part the period counts), the
    default value for its country with the year's mark-up, the benchmarks (Column A of its
    own process, and along its chain of precursors, which actual values are measured
    against; Column B of the whole good for default values), and the certificates per tonne
    with actual values and with default values."""

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
    benchmark_actual_chain: float | None
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
    processes: tuple[Process, ...] = ()  # CBAM's production processes the SEE are solved from
    purchased: tuple[Purchased, ...] = ()  # and the CBAM precursors bought, as SEE nodes


def product_results(
    lines: pd.DataFrame | Summary,
    plan: ProductMap,
    factors: Factors,
    reference: Reference,
    year: int,
    country: str = "CN",
    omitted: tuple[Omission, ...] = (),
    basis: str = "adopted",
    round_to: int | None = None,
    import_year: int | None = None,
    map_file: str = "",
) -> ProductResults:
    """The footprints, SEE and CBAM goods of a plant's year (see the module); the map's
    problems are placed in `map_file` when given. The goods are
    priced for `import_year` (default: the data's year): its default values, mark-up, CBAM
    factor and benchmarks; a year before the definitive period has none, said by a warning."""
    goods = {
        product: _good_of(reference, cn)
        for unit in plan.units
        for product, cn in unit.cn_codes.items()
    }
    units = []
    for unit in plan.units:
        own = [goods[p] for p in unit.products if p in goods]
        if own:
            unit = replace(
                unit, category=own[0].category, direct_only=all(g.direct_only for g in own)
            )
        units.append(unit)
    summary = lines if isinstance(lines, list) else summary_of(lines, waste_gas_items(reference))
    on = date(import_year or year, 7, 1)
    warnings: list[ResultWarning] = []
    purchased = _purchased(plan.bought, reference, on, warnings, map_file)
    try:
        plant = build_from(summary, replace(plan, units=tuple(units)), factors, map_file)
        found = footprints(list(plant.units), omitted)
        see = embedded(list(plant.processes), purchased, waste_gas(reference))
    except ChainError as error:
        raise InputError(
            [replace(p, place=replace(p.place, file=map_file or None)) for p in error.problems]
        ) from None
    rows = []
    if (  # said only where an indirect emission counts (not for Annex II goods alone)
        goods
        and factors.electricity_cbam is None
        and any(p.electricity_mwh and not p.direct_only for p in plant.processes)
    ):
        warnings.append(warn("product.cbam.no_electricity_factor"))
    if factors.electricity_pcf_year is not None and factors.electricity_pcf_year < year:
        warnings.append(
            warn(
                "product.footprint.earlier_factor",
                factor_year=factors.electricity_pcf_year,
                year=year,
            )
        )
    if plant.exported_gas_tj:
        warnings.append(
            warn("product.footprint.exported_waste_gas", tj=round(plant.exported_gas_tj, 3))
        )
    if plant.exported_kwh:
        sold = round(plant.exported_kwh / 1000, 3)
        warnings.append(warn("product.footprint.exported_electricity", mwh=sold))
        if goods:
            warnings.append(warn("product.cbam.exported_electricity", mwh=sold))
    unknown = [u.name for u in units if not u.category]
    if goods and unknown:
        warnings.append(warn("product.cbam.no_category", units=unknown))
    priced = _priced_on(reference, on)
    if goods and not priced:
        warnings.append(warn("product.cbam.no_default_values", year=on.year))
    chain_a = _chain_benchmarks(see, units, goods, reference, country, on, basis) if priced else {}
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
                    chain_a.get(unit.name),
                    country,
                    on,
                    basis,
                    round_to,
                )
            )
    warnings += [
        warn("product.cbam.no_benchmark", product=row.product, cn_code=row.good.cn_code)
        for row in rows
        if row.benchmark_actual is None and row.benchmark_default is None
    ]
    warnings += [
        warn(
            "product.cbam.default_other_route",
            product=row.product,
            cn_code=row.good.cn_code,
            route=row.route,
            default_route=other,
        )
        for row in rows
        if row.route and (other := other_route(row)) not in (None, row.route)
    ]
    reconciliation = plant.reconciliation + gate_rows(plan, found, plant.reconciliation)
    return ProductResults(
        year,
        found,
        see,
        tuple(rows),
        reconciliation,
        tuple(warnings),
        plant.processes,
        tuple(purchased),
    )


def _purchased(
    bought: tuple[BoughtGood, ...],
    reference: Reference,
    on: date,
    warnings: list[ResultWarning],
    map_file: str,
) -> list[Purchased]:
    """Each CBAM precursor bought as a node of the SEE: the supplier's actual SEE, else the
    default value of its country in force on `on` (said); none in force (before 2026):
    counted as 0, said. One node per item: the same item bought twice must be the same
    good with the same values."""
    nodes: dict[str, Purchased] = {}
    seen: dict[str, BoughtGood] = {}
    for b in bought:
        first = seen.setdefault(b.item, b)
        if (first.cn_code, first.see_direct, first.see_indirect, first.country) != (
            b.cn_code,
            b.see_direct,
            b.see_indirect,
            b.country,
        ):
            place = Place(file=map_file or None, sheet=MAP_SHEETS["flows"], row=b.row)
            raise InputError(
                Problem.of(
                    place, N_("{!r} is bought twice with different CN codes or values"), b.item
                )
            )
        if b.item in nodes:
            continue
        item = _good_of(reference, b.cn_code)
        if b.see_direct is not None:
            direct, indirect, values = b.see_direct, b.see_indirect or 0.0, "actual"
        elif _priced_on(reference, on):
            found = default_value(reference, b.country, item.cn_code, on)
            direct = found.direct if found.direct is not None else found.total.value
            indirect = found.indirect or 0.0
            values = "default"
            warnings.append(
                warn(
                    "product.cbam.precursor_default",
                    item=b.item,
                    cn_code=item.cn_code,
                    country=found.country,
                    value=found.total.value,
                )
            )
        else:
            direct = indirect = 0.0
            values = "none"
            warnings.append(
                warn("product.cbam.precursor_unvalued", item=b.item, cn_code=item.cn_code)
            )
        nodes[b.item] = Purchased(
            b.item, item.category, direct, indirect, item.direct_only, values=values
        )
    return list(nodes.values())


def other_route(row: CbamGood) -> str | None:
    """The route letter of the default value's row (None for a row of no route)."""
    return dict(row.default.provenance.key).get("route") or None


@lru_cache(maxsize=4096)
def _good_of(reference: Reference, cn_code: str) -> Good:
    return good(reference, cn_code)


@lru_cache(maxsize=64)
def _priced_on(reference: Reference, on: date) -> bool:
    """Whether default values are in force on `on` (none before the definitive period)."""
    return bool(reference.rows("cbam_default_values", as_of=on))


@lru_cache(maxsize=4096)
def _priced(
    reference: Reference,
    cn_code: str,
    sector: str,
    route: str | None,
    country: str,
    on: date,
    basis: str,
) -> tuple[DefaultValue, Value | None, float, float, Value | None, Value | None]:
    """A good's default value, the year's mark-up, CBAM factor and CSCF, and its benchmarks:
    the same for every plant that makes the good (a province's plants look them up once)."""
    return (
        default_value(reference, country, cn_code, on, route),
        markup(reference, sector, on),
        cbam_factor(reference, on, basis).value,
        cscf(reference).value,
        benchmark(reference, cn_code, on, "column_a", route),
        benchmark(reference, cn_code, on, "column_b", route),
    )


def _good(
    reference: Reference,
    unit: str,
    product: str,
    item: Good,
    route: str | None,
    see: Embedded,
    chain_a: float | None,
    country: str,
    on: date,
    basis: str,
    round_to: int | None,
) -> CbamGood:
    dv, rate, factor, correction, column_a, column_b = _priced(
        reference, item.cn_code, item.sector, route, country, on, basis
    )
    up = marked_up(dv.total.value, rate.value if rate else 0.0, round_to)
    actual = (
        obligation(1.0, see.counted, "actual", factor, correction, chain_a)
        if chain_a is not None
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
        chain_a,
        actual,
        default,
    )


def _chain_benchmarks(
    see: dict[str, Embedded],
    units: list[MapUnit],
    goods: dict[str, Good],
    reference: Reference,
    country: str,
    on: date,
    basis: str,
) -> dict[str, float | None]:
    """Each process's benchmark for actual values along its chain: its own good's Column A
    plus, for each precursor, the tonnes per tonne times the precursor's (Impl. Reg. (EU)
    2025/2620, SEFA of a complex good = its process's + the sum of m_i x SEFA_i; research22
    §3.6 [F2]), solved like the SEE. A process whose good has no Column A benchmark has none
    (its certificates with actual values are not shown); a process making no CBAM good adds
    nothing of its own."""
    names = list(see)
    index = {name: i for i, name in enumerate(names)}
    own = np.zeros((1, len(names)))
    missing: set[str] = set()
    for unit in units:
        made = [(p, goods[p]) for p in unit.products if p in goods]
        if not made:
            continue
        product, item = made[0]
        column_a = _priced(
            reference, item.cn_code, item.sector, unit.routes.get(product), country, on, basis
        )[4]
        if column_a is None:
            missing.add(unit.name)
        else:
            own[0, index[unit.name]] = column_a.value
    share = np.zeros((len(names), len(names)))
    for name, node in see.items():
        for part in node.contributions:
            share[index[name], index[part.source]] = part.tonnes_per_t
    chain = solve(share, own)[0]
    return {name: None if name in missing else float(chain[index[name]]) for name in names}
