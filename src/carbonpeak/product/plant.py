"""A plant's product model built from what it already reported: the lines of its energy and
carbon account for the period (`accounting.engine.Accounts.lines` of one enterprise and
period) and a small process map (工序图) saying which production unit makes what, which share
of each account line goes into which unit, which units consume whose products, and the
materials bought from outside with their factors.

From them: the footprint's units (`product.footprint.Unit`: site emissions from the assigned
combustion and process lines; purchased electricity and heat as energy flows with the
footprint's electricity factor and the account's heat factor) and CBAM's production processes
(`product.embedded.Process`: DirEm* from the same lines, electricity in MWh with the factor the
operator or the authority gives), and the reconciliation of the two with the account: every
tonne of the account's direct emissions is in exactly one unit, and each difference between
the footprint's gate-to-gate part and the account is listed with its reason.

Problems are placed by sheet, row and column of the map (`MAP_SHEETS`), all at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from carbonpeak.domain.units import conversion_factor
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.product.embedded import Process
from carbonpeak.product.footprint import Flow, Stage, Unit
from carbonpeak.product.map_sheets import MAP_SHEETS

ENERGY_STREAMS = ("electricity", "heat")  # bought energy; every other line is the site's
ACCOUNT_ITEMS = ("site", "electricity", "heat")  # a footprint's parts from the account
OUTPUT_STREAMS = ("product", "economic")  # a plant's outputs, not inputs to divide
TOLERANCE = 1e-6


@dataclass(frozen=True)
class MapUnit:
    """A row of the units sheet, its products gathered: products (t), their CN codes, the
    CBAM category and whether its goods are of Annex II, prices for economic allocation, the
    route letter the CBAM annexes print for a product (A/B grey/white clinker, C ...), and the
    production route of the communication template the operator names for a product (a
    `cbam_routes` code, e.g. basic_oxygen; needed where its category has several)."""

    name: str
    products: Mapping[str, float]
    row: int
    category: str | None = None
    direct_only: bool = False  # without a category: its indirect emissions count, said
    cn_codes: Mapping[str, str] = field(default_factory=dict)
    prices: Mapping[str, float] | None = None
    routes: Mapping[str, str] = field(default_factory=dict)  # product -> the annex's route letter
    template_routes: Mapping[str, str] = field(default_factory=dict)  # product -> cbam_routes


@dataclass(frozen=True)
class Assignment:
    """A unit's share of the account's lines of one item (a fraction; the shares of each
    item add up to 1)."""

    unit: str
    item: str
    share: float
    row: int


@dataclass(frozen=True)
class Link:
    """A unit consumes `tonnes` of another unit's product."""

    unit: str
    product: str
    tonnes: float
    row: int


@dataclass(frozen=True)
class BoughtGood:
    """A CBAM good a unit buys as a precursor (a row of the flows sheet with a CN code): the
    tonnes, the supplier's actual SEE (direct and indirect, tCO2e/t; None: the default value
    of its country is used, said) and the country where it was made (ISO alpha-2)."""

    unit: str
    item: str
    tonnes: float
    cn_code: str
    see_direct: float | None = None
    see_indirect: float | None = None
    country: str = "CN"
    row: int = 0


@dataclass(frozen=True)
class ProductMap:
    units: tuple[MapUnit, ...]
    assignments: tuple[Assignment, ...]
    links: tuple[Link, ...] = ()
    flows: tuple[tuple[str, Flow, int], ...] = ()  # (unit, flow, row)
    bought: tuple[BoughtGood, ...] = ()  # CBAM precursors bought (their flows are in `flows`)


@dataclass(frozen=True)
class Factors:
    """The factors the model needs beyond the account: the electricity footprint factor
    (tCO2e/kWh) with its source, and the electricity factor CBAM uses (tCO2/MWh; None when
    the operator gave none: indirect emissions are then 0 and said so by the caller)."""

    electricity_pcf: float | None
    electricity_pcf_source: str | None
    electricity_cbam: float | None = None
    electricity_pcf_year: int | None = None  # the data year of the footprint factor


@dataclass(frozen=True)
class Difference:
    """One component of the reconciliation: the account's figure, the model's, and why they
    differ (a code the reports name)."""

    component: str
    account_t: float
    model_t: float
    reason: str
    item: str | None = None  # the account's product line of an `output` row

    @property
    def difference_t(self) -> float:
        return self.model_t - self.account_t


@dataclass(frozen=True)
class Plant:
    units: tuple[Unit, ...]
    processes: tuple[Process, ...]
    reconciliation: tuple[Difference, ...]
    exported_kwh: float = 0.0  # electricity the plant sold (its account's out lines)
    exported_gas_tj: float = 0.0  # CBAM's waste gases the plant sold


Summary = list[tuple[str, str, float, float]]
"""An account summed by item and stream: (item, stream, amount, co2e_t); the amount signed by
direction (out: negative), electricity's in kWh and heat's in TJ. Energy sold is kept apart
from energy bought: its lines have the stream `electricity_out` or `heat_out`."""
EXPORTED = {f"{stream}_out": stream for stream in ENERGY_STREAMS}


def build(
    lines: pd.DataFrame,
    plan: ProductMap,
    factors: Factors,
    file: str = "",
    waste_gases: Collection[str] = (),
) -> Plant:
    """The plant's footprint units, CBAM processes and reconciliation (see the module)."""
    return build_from(summary_of(lines, waste_gases), plan, factors, file)


def summary_of(lines: pd.DataFrame, waste_gases: Collection[str] = ()) -> Summary:
    """One plant's account lines summed by item and stream."""
    return next(iter(summaries_of(lines.assign(enterprise_id=""), waste_gases).values()), [])


def summaries_of(lines: pd.DataFrame, waste_gases: Collection[str] = ()) -> dict[str, Summary]:
    """Each enterprise's account lines summed by item and stream, in one pass over all. The
    fuels among `waste_gases` (CBAM's: `product.cbam.waste_gas_items`) sold are kept apart as
    the stream `waste_gas_out`, their amount in TJ (from the account's energy)."""
    out = lines["direction"].astype(str) == "out"
    sold = lines["stream"].isin(ENERGY_STREAMS) & out
    gas = lines["item"].isin(list(waste_gases)) & (lines["stream"] == "fuel") & out
    stream = lines["stream"].astype(str)
    signed = lines.assign(
        amount=_kwh_signed(lines).where(
            ~gas, lines["energy_tce"].astype(float) * conversion_factor("tce", "TJ")
        ),
        stream=stream.where(~sold, stream + "_out").where(~gas, "waste_gas_out"),
    )
    summed = signed.groupby(["enterprise_id", "item", "stream"], sort=False)[
        ["amount", "co2e_t"]
    ].sum()
    found: dict[str, Summary] = defaultdict(list)
    for (enterprise, item, stream), amount, co2e in zip(
        summed.index, summed["amount"].astype(float), summed["co2e_t"].astype(float), strict=True
    ):
        found[str(enterprise)].append((str(item), str(stream), float(amount), float(co2e)))
    return dict(found)


def build_from(by_item: Summary, plan: ProductMap, factors: Factors, file: str = "") -> Plant:
    """`build` from the account's summary (`summaries_of` gives a province's at once)."""
    optional = {  # an output line carrying no emissions is not an input to divide
        item for item, stream, _amount, co2e in by_item if stream in OUTPUT_STREAMS and not co2e
    }
    items = {item for item, *_ in by_item}
    problems = _check(items, items - optional, plan, file)
    if problems:
        raise InputError(problems)
    shares: dict[str, dict[str, float]] = defaultdict(dict)
    for a in plan.assignments:
        shares[a.unit][a.item] = shares[a.unit].get(a.item, 0.0) + a.share
    consumed: dict[str, dict[str, float]] = defaultdict(dict)
    for link in plan.links:
        consumed[link.unit][link.product] = consumed[link.unit].get(link.product, 0.0) + link.tonnes
    bought: dict[str, list[Flow]] = defaultdict(list)
    for unit_name, flow, _row in plan.flows:
        bought[unit_name].append(flow)
    maker = {p: u.name for u in plan.units for p in u.products}
    units, processes = [], []
    site_total = electricity_kwh = heat_t = exported_kwh = exported_gas_tj = 0.0
    for mu in plan.units:
        site = kwh = kwh_out = heat_co2 = heat_tj = heat_out_co2 = heat_out_tj = 0.0
        gas_tj = gas_credit = 0.0
        for item, stream, amount, co2e in by_item:
            share = shares[mu.name].get(item, 0.0)
            if not share:
                continue
            if stream == "waste_gas_out":
                # the account credits the gas sold at its carbon; CBAM keeps that in the
                # process and deducts the gas's natural-gas equivalent x the exported share
                site += share * co2e
                gas_credit -= share * co2e
                gas_tj -= share * amount
            elif stream not in ENERGY_STREAMS and stream not in EXPORTED:
                site += share * co2e
            elif stream == "electricity":
                kwh += share * amount
            elif stream == "electricity_out":
                kwh_out -= share * amount
            elif stream == "heat":
                heat_co2 += share * co2e
                heat_tj += share * amount
            else:
                heat_out_co2 -= share * co2e
                heat_out_tj -= share * amount
        site_total += site
        electricity_kwh += kwh - kwh_out
        exported_kwh += kwh_out
        exported_gas_tj += gas_tj
        heat_t += heat_co2 - heat_out_co2
        flows = list(bought[mu.name])
        if kwh - kwh_out:
            # the footprint nets what the unit sells at the footprint's factor (system
            # expansion, ISO 14067 6.4.6.1; the results say so)
            flows.append(
                Flow(
                    "electricity",
                    kwh - kwh_out,
                    "kWh",
                    Stage.energy,
                    factors.electricity_pcf,
                    factors.electricity_pcf_source,
                )
            )
        if heat_co2 - heat_out_co2:
            flows.append(
                Flow("heat", heat_co2 - heat_out_co2, "tCO2e", Stage.energy, 1.0, "accounting")
            )
        units.append(Unit(mu.name, mu.products, site, tuple(flows), consumed[mu.name], mu.prices))
        by_maker: dict[str, float] = defaultdict(float)
        for product, tonnes in consumed[mu.name].items():  # CBAM's nodes are the processes
            by_maker[maker[product]] += tonnes
        for good in plan.bought:  # and the precursors bought, each a node of its own
            if good.unit == mu.name:
                by_maker[good.item] += good.tonnes
        processes.append(
            Process(
                mu.name,
                mu.category or "",
                sum(mu.products.values()),
                site + gas_credit,
                mu.direct_only,
                dict(by_maker),
                # consumed gross; what is sold is deducted at its own generation's factor,
                # which the operator gives (none here: not deducted, the results say so)
                electricity_mwh=kwh / 1000,
                electricity_factor=factors.electricity_cbam or 0.0,
                electricity_exported_mwh=kwh_out / 1000,
                # measurable heat bought and sold, at the account's factors (D_Processes (h))
                heat_imported_tj=heat_tj,
                heat_imported_factor=heat_co2 / heat_tj if heat_tj > 0 else 0.0,
                heat_exported_tj=heat_out_tj,
                heat_exported_factor=heat_out_co2 / heat_out_tj if heat_out_tj > 0 else 0.0,
                waste_gas_exported_tj=gas_tj,
            )
        )
    return Plant(
        tuple(units),
        tuple(processes),
        _reconcile(by_item, site_total, electricity_kwh, heat_t, factors) + _outputs(by_item, plan),
        exported_kwh,
        exported_gas_tj,
    )


def _kwh_signed(lines: pd.DataFrame) -> pd.Series:
    """Each line's amount with its direction's sign (out: negative); electricity in kWh and
    heat in TJ (the account's lines keep the unit they were reported in)."""
    to = {  # the units of energy bought: electricity in kWh, heat in TJ
        (stream, str(unit)): conversion_factor(
            str(unit), "kWh" if stream == "electricity" else "TJ"
        )
        for stream, unit in lines.loc[lines["stream"].isin(ENERGY_STREAMS), ["stream", "unit"]]
        .drop_duplicates()
        .itertuples(index=False)
    }
    factor = [
        to.get((stream, str(unit)), 1.0)
        for stream, unit in zip(lines["stream"], lines["unit"], strict=True)
    ]
    amount = lines["amount"].astype(float) * factor
    return amount.where(lines["direction"].astype(str) != "out", -amount)


def _reconcile(
    by_item: Summary, site: float, kwh: float, heat: float, factors: Factors
) -> tuple[Difference, ...]:
    """The account against the model, by component, each difference with its reason."""
    by_stream: dict[str, float] = defaultdict(float)
    for _item, stream, _amount, co2e in by_item:
        by_stream[EXPORTED.get(stream, stream)] += co2e
    direct = sum(v for k, v in by_stream.items() if k not in ENERGY_STREAMS)
    electricity = by_stream.get("electricity", 0.0)
    pcf = kwh * factors.electricity_pcf if factors.electricity_pcf is not None else 0.0
    return (
        Difference("direct", direct, site, "same_boundary"),
        Difference(
            "electricity",
            electricity,
            pcf,
            "electricity_factor"
            if factors.electricity_pcf is not None
            else "no_electricity_factor",
        ),
        Difference("heat", by_stream.get("heat", 0.0), heat, "same_factor"),
    )


def _outputs(by_item: Summary, plan: ProductMap) -> tuple[Difference, ...]:
    """Each product line of the account against the tonnes of the unit the map gives it to:
    compared when it goes wholly to a unit of one product (`same_output` to rounding, else
    `output_differs`); otherwise said not compared."""
    units = {u.name: u for u in plan.units}
    given: dict[str, list[Assignment]] = defaultdict(list)
    for a in plan.assignments:
        given[a.item].append(a)
    rows = []
    for item, stream, amount, _co2e in by_item:
        if stream != "product":
            continue
        owners = given.get(item, [])
        unit = units.get(owners[0].unit) if len(owners) == 1 else None
        if unit is None or len(unit.products) != 1:
            rows.append(Difference("output", abs(amount), 0.0, "output_not_compared", item))
            continue
        made, amount = sum(unit.products.values()), abs(amount)
        same = abs(made - amount) <= TOLERANCE * max(amount, 1.0)  # equal but for rounding
        rows.append(
            Difference("output", amount, made, "same_output" if same else "output_differs", item)
        )
    return tuple(rows)


def _check(
    account_items: set[str], required: set[str], plan: ProductMap, file: str
) -> list[Problem]:
    """Every problem of the map against the account, placed: every line in `required` is
    divided among the units exactly once, the other account items at most once."""
    problems: list[Problem] = []

    def flag(sheet: str, row: int | None, column: str, template: str, *values: object) -> None:
        place = Place(file=file or None, sheet=MAP_SHEETS[sheet], row=row, column=column)
        problems.append(Problem.of(place, template, *values))

    names = [u.name for u in plan.units]
    makers = {p: u.name for u in plan.units for p in u.products}
    for u in plan.units:
        if names.count(u.name) > 1:
            flag("units", u.row, "unit", N_("unit {!r} is named twice"), u.name)
        for product, tonnes in u.products.items():
            if not tonnes > 0:
                flag("units", u.row, "amount", N_("unit {!r} makes no {!r} (0 t)"), u.name, product)
    named = [
        *(("assignments", a.row, a.unit) for a in plan.assignments),
        *(("links", link.row, link.unit) for link in plan.links),
        *(("flows", row, unit_name) for unit_name, _flow, row in plan.flows),
    ]
    for _unit, flow, row in plan.flows:
        if flow.item in ACCOUNT_ITEMS:  # the names the model gives the account's own parts
            flag(
                "flows",
                row,
                "item",
                N_("{!r} names a part the account gives: name the bought flow apart"),
                flow.item,
            )
    for good in plan.bought:
        if good.item in names or good.item in makers:
            flag(
                "flows",
                good.row,
                "item",
                N_("{!r} is bought and made here: name the bought one apart"),
                good.item,
            )
        if not good.tonnes > 0:
            flag(
                "flows",
                good.row,
                "amount",
                N_("{!r}: a precursor bought is in t, above 0"),
                good.item,
            )
    for sheet, row, unit_name in named:
        if unit_name not in names:
            flag(sheet, row, "unit", N_("no unit {!r} in the units sheet"), unit_name)
    totals: dict[str, float] = defaultdict(float)
    for a in plan.assignments:
        if a.item not in account_items:
            flag("assignments", a.row, "item", N_("the account has no line of {!r}"), a.item)
        if not 0 < a.share <= 1:
            flag("assignments", a.row, "share", N_("share {} is not in (0, 1]"), a.share)
        totals[a.item] += a.share
    for item in sorted(required | set(totals)):
        if abs(totals.get(item, 0.0) - 1) > TOLERANCE:
            flag(
                "assignments",
                None,
                "share",
                N_(
                    "the shares of {!r} add up to {}, not 1: every line of the account "
                    "goes into the units exactly once"
                ),
                item,
                f"{totals.get(item, 0.0):.4g}",  # a catalog's template takes plain fields
            )
    used: dict[str, float] = defaultdict(float)
    for link in plan.links:
        if link.product not in makers:
            flag(
                "links",
                link.row,
                "product",
                N_("no unit makes {!r}: buy it as a flow"),
                link.product,
            )
        used[link.product] += link.tonnes
    made = {p: t for u in plan.units for p, t in u.products.items()}
    for product, tonnes in sorted(used.items()):
        if product in made and tonnes > made[product] * (1 + TOLERANCE):
            flag(
                "links",
                None,
                "tonnes",
                N_(
                    "the units consume {} t of {!r} but make {} t: outputs do not "
                    "balance (buy the rest as a flow)"
                ),
                f"{tonnes:,.6g}",
                product,
                f"{made[product]:,.6g}",
            )
    return problems


def map_to_dict(plan: ProductMap) -> dict[str, Any]:
    """The map as JSON-ready data (the store keeps it so); `map_from_dict` reads it back."""
    return {
        "units": [asdict(u) for u in plan.units],
        "assignments": [asdict(a) for a in plan.assignments],
        "links": [asdict(link) for link in plan.links],
        "flows": [{"map_unit": u, "map_row": row, **asdict(f)} for u, f, row in plan.flows],
        "bought": [asdict(b) for b in plan.bought],
    }


def map_from_dict(data: Mapping[str, Any]) -> ProductMap:
    def flow(d: Mapping[str, Any]) -> tuple[str, Flow, int]:
        fields = {k: v for k, v in d.items() if k not in ("map_unit", "map_row")}
        fields["stage"] = Stage(fields["stage"])
        if fields.get("dqr") is not None:
            fields["dqr"] = tuple(fields["dqr"])
        return str(d["map_unit"]), Flow(**fields), int(d["map_row"])

    return ProductMap(
        tuple(MapUnit(**u) for u in data["units"]),
        tuple(Assignment(**a) for a in data["assignments"]),
        tuple(Link(**link) for link in data.get("links", [])),
        tuple(flow(f) for f in data.get("flows", [])),
        tuple(BoughtGood(**b) for b in data.get("bought", [])),
    )
