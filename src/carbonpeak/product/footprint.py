"""Cradle-to-gate product carbon footprints (产品碳足迹) per declared unit of 1 t, by the
platform's reading of GB/T 24067-2024 and the product rules (GB/T 44905-2024 for electrolytic
aluminium; docs/notes/research22.md §4).

The model is the plant's production units, each with its products (co-products allowed),
its site emissions (primary data, from the plant's accounts), the flows it takes from outside
(materials, energy, transport; each with its cradle-to-gate factor, the factor's source, its
data-quality ratings and uncertainty) and the products of other units it consumes. A unit's
burden is shared among its co-products by mass, or by economic value when the rule or the user
says so (the allocation is recorded with the result). The footprint of each product is solved
along the chain like CBAM's SEE (`product.chain`), but with every flow's whole upstream in the
boundary, and kept apart by stage and by flow so the report shows where it comes from.

What the clauses of GB/T 24067 say about allocation order, data quality and the report was not
read (research22 §0.3): the engine follows the practice the product rule read (GB/T 44905:
cradle-to-gate, a natural year's data, an omitted item under 1 % of the footprint and all
omissions together at most 5 %) and PACT v3's data-quality ratings (1 best to 5 worst, per
technology, geography and time). A flow without a factor is not counted and is listed as a
gap with a warning; a default factor is used only where the caller found one, with a warning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_
from carbonpeak.product.chain import ChainError, solve

CUT_OFF_ITEM = 0.01  # GB/T 44905-2024: an omitted item below 1 % of the footprint
CUT_OFF_TOTAL = 0.05  # and all omitted items together at most 5 % [F2]


class Stage(StrEnum):
    """Where a part of the footprint arises."""

    materials = "materials"  # raw and ancillary materials bought
    energy = "energy"  # purchased electricity, heat and fuels' upstream
    transport = "transport"
    site = "site"  # the units' own emissions (combustion, process)


@dataclass(frozen=True)
class Flow:
    """A flow into a unit from outside the model: `amount` in `unit`, its cradle-to-gate
    `factor` in tCO2e per `unit` (None when none was found), where the factor comes from,
    whether it is the supplier's own (primary) data or a default, its data-quality ratings
    (technological, geographical, temporal; 1 to 5) and its relative uncertainty (the 95 %
    half-width as a fraction)."""

    item: str
    amount: float
    unit: str
    stage: Stage
    factor: float | None
    source: str | None = None
    primary: bool = False
    default: bool = False
    dqr: tuple[int, int, int] | None = None
    uncertainty: float | None = None


@dataclass(frozen=True)
class Unit:
    """A production unit: its products (t each), site emissions (tCO2e, with their ratings
    and uncertainty), outside flows, the products of other units it consumes (t), and the
    price of each product when its burden is allocated by economic value."""

    name: str
    products: Mapping[str, float]
    site_t: float
    flows: tuple[Flow, ...] = ()
    consumed: Mapping[str, float] = field(default_factory=dict)
    prices: Mapping[str, float] | None = None
    site_dqr: tuple[int, int, int] | None = None
    site_uncertainty: float | None = None


@dataclass(frozen=True)
class Part:
    """One flow's (or one unit's site emissions') share of a product's footprint."""

    unit: str
    item: str
    stage: Stage
    tco2e_per_t: float
    primary: bool
    source: str | None


@dataclass(frozen=True)
class Footprint:
    """A product's cradle-to-gate footprint (tCO2e per t, the declared unit 1 t), its parts,
    the share from primary data, the data-quality ratings weighted by contribution and the
    relative uncertainty of the parts combined (each None unless every part of the footprint
    carries it: a rating of a few parts is no rating of the whole), the allocation used, and
    its warnings."""

    product: str
    unit: str
    total: float
    parts: tuple[Part, ...]
    primary_share: float
    dqr: tuple[float, float, float] | None
    uncertainty: float | None
    allocation: str
    warnings: tuple[ResultWarning, ...]

    def by_stage(self) -> dict[Stage, float]:
        stages = dict.fromkeys(Stage, 0.0)
        for part in self.parts:
            stages[part.stage] += part.tco2e_per_t
        return stages


@dataclass(frozen=True)
class Omission:
    """An item left out of the model, with its estimated share of the footprint."""

    item: str
    share: float


def footprints(units: list[Unit], omitted: tuple[Omission, ...] = ()) -> dict[str, Footprint]:
    """Every product's footprint (see the module's text)."""
    owner: dict[str, Unit] = {}
    for unit in units:
        for product, tonnes in unit.products.items():
            if product in owner:
                raise ChainError(
                    "units",
                    N_("product {!r} is made by {!r} and {!r}: one unit per product"),
                    product,
                    owner[product].name,
                    unit.name,
                )
            if not tonnes > 0:
                raise ChainError("units", N_("unit {!r} makes no {!r} (0 t)"), unit.name, product)
            owner[product] = unit
    names = list(owner)
    index = {name: i for i, name in enumerate(names)}
    # the quantities followed: each unit's site emissions and each of its flows
    columns: list[tuple[Unit, Flow | None]] = []
    for unit in units:
        columns.append((unit, None))
        columns.extend((unit, f) for f in unit.flows)
    share = np.zeros((len(names), len(names)))
    own = np.zeros((len(columns), len(names)))
    allocation = {}
    for unit in units:
        shares, allocation[unit.name] = _allocation(unit)
        for product, tonnes in unit.products.items():
            k = index[product]
            per_t = shares[product] / tonnes
            for source, used in unit.consumed.items():
                if source not in index:
                    raise ChainError(
                        "links",
                        N_("unit {!r} consumes {!r}, which no unit makes and no flow supplies"),
                        unit.name,
                        source,
                    )
                share[k, index[source]] += used * per_t
            for c, (owner_unit, flow) in enumerate(columns):
                if owner_unit is unit:
                    burden = unit.site_t if flow is None else flow.amount * (flow.factor or 0.0)
                    own[c, k] = burden * per_t
    chain = solve(share, own)
    # which products each product's chain reaches (itself included): its gaps are theirs
    reach = solve(share, np.eye(len(names))) if names else np.zeros((0, 0))
    result = {}
    for product, k in index.items():
        upstream = {owner[names[j]].name for j in range(len(names)) if reach[j, k] > 0}
        warnings = _flow_warnings([u for u in units if u.name in upstream]) + (
            _omission_warnings(omitted)
        )
        parts = tuple(
            _part(unit, flow, float(chain[c, k]))
            for c, (unit, flow) in enumerate(columns)
            if chain[c, k] != 0
        )
        result[product] = _footprint(
            product,
            owner[product].name,
            parts,
            columns,
            chain[:, k],
            allocation[owner[product].name],
            warnings,
        )
    return result


def _allocation(unit: Unit) -> tuple[dict[str, float], str]:
    """Each product's share of the unit's burden: all of it for a single product, by mass,
    or by economic value (tonnes x price) when prices are given."""
    if len(unit.products) == 1:
        return {p: 1.0 for p in unit.products}, "none"
    if unit.prices is not None:
        missing = sorted(set(unit.products) - set(unit.prices))
        if missing:
            raise ChainError(
                "units", N_("unit {!r}: no price for {}"), unit.name, ", ".join(missing)
            )
        value = {p: t * unit.prices[p] for p, t in unit.products.items()}
        total = sum(value.values())
        if not total > 0:
            raise ChainError("units", N_("unit {!r}: its products have no value"), unit.name)
        return {p: v / total for p, v in value.items()}, "economic"
    mass = sum(unit.products.values())
    return {p: t / mass for p, t in unit.products.items()}, "mass"


def _part(unit: Unit, flow: Flow | None, value: float) -> Part:
    if flow is None:
        return Part(unit.name, "site", Stage.site, value, True, None)
    return Part(unit.name, flow.item, flow.stage, value, flow.primary, flow.source)


def _footprint(
    product: str,
    unit: str,
    parts: tuple[Part, ...],
    columns: list[tuple[Unit, Flow | None]],
    values: np.ndarray,
    allocation: str,
    warnings: tuple[ResultWarning, ...],
) -> Footprint:
    total = float(values.sum())
    primary = sum(p.tco2e_per_t for p in parts if p.primary)
    rated: list[tuple[float, tuple[int, int, int]]] = []
    spread = 0.0
    all_rated = all_uncertain = True  # a claim about the whole footprint needs every part
    for (owner, flow), value in zip(columns, values, strict=True):
        if not value:
            continue
        dqr = owner.site_dqr if flow is None else flow.dqr
        u = owner.site_uncertainty if flow is None else flow.uncertainty
        if dqr is None:
            all_rated = False
        else:
            rated.append((abs(float(value)), dqr))
        if u is None:
            all_uncertain = False
        else:
            spread += (u * float(value)) ** 2
    weight = sum(w for w, _ in rated)
    dqr_mean = None
    if weight and all_rated:
        means = [sum(w * d[i] for w, d in rated) / weight for i in range(3)]
        dqr_mean = (means[0], means[1], means[2])
    uncertain = all_uncertain and bool(parts)
    return Footprint(
        product,
        unit,
        total,
        parts,
        primary / total if total else 0.0,
        dqr_mean,
        math.sqrt(spread) / abs(total) if uncertain and total else None,
        allocation,
        warnings,
    )


def _flow_warnings(units: list[Unit]) -> tuple[ResultWarning, ...]:
    missing = sorted({f.item for u in units for f in u.flows if f.factor is None})
    defaults = sorted(
        {f.item for u in units for f in u.flows if f.factor is not None and f.default}
    )
    found = []
    if missing:
        found.append(warn("product.footprint.no_factor", items=missing))
    if defaults:
        found.append(warn("product.footprint.default_factor", items=defaults))
    return tuple(found)


def _omission_warnings(omitted: tuple[Omission, ...]) -> tuple[ResultWarning, ...]:
    """GB/T 44905-2024's cut-off: each omitted item under 1 %, all together at most 5 %."""
    found = []
    large = sorted(o.item for o in omitted if o.share >= CUT_OFF_ITEM)
    if large:
        found.append(warn("product.footprint.cut_off_item", items=large))
    together = sum(o.share for o in omitted)
    if together > CUT_OFF_TOTAL:
        found.append(warn("product.footprint.cut_off_total", share=together))
    return tuple(found)
