"""Results per unit of amount of each distinct kind of activity line.

Every computed figure of a line is linear in its amount once the line's other fields are fixed
(stream, item, unit, direction, period, the enterprise's province and any measured
parameters): energy, emissions by category and their variance are `amount x factor`, and the
method, the reference rows cited, the relative uncertainty and the warnings do not depend on
the amount at all. So the methods run here once per distinct kind of line (a *key*), on arrays,
and the engine multiplies and sums over the rows (`engine.py`).

Methods (each is a row of the reference table `methods`, cited by every line):

- comprehensive energy consumption, GB/T 2589: sum over fuel, feedstock, electricity and heat of
  (in - out) x standard-coal coefficient; a measured NCV replaces the coefficient of a fuel
  (NCV / 29 307 kJ per kgce); electricity by the equivalent-value method or, year by year, the
  coal-for-generation method;
- fuel combustion, GB/T 32150-2015 and the NDRC guidelines: AD x NCV x CC x OF x 44/12, each
  parameter measured where reported, else the default (with a warning);
- process emissions: carbonates and other materials (AD x EF), cement clinker by the oxide
  method (CaO, MgO) or a default factor, carbon fixed in steel products (deducted), aluminium
  anode consumption and PFCs, feedstock carbon mass balance for chemicals, direct non-CO2 gases;
- net purchased electricity x grid factor of the enterprise's province, regional grid or the
  nation, for the period's year (location-based), or the residual factor with certified green
  power at zero (market-based); net purchased heat x the heat factor;
- non-CO2 gases to CO2e with a chosen GWP set;
- uncertainty by IPCC Approach 1: each line's relative uncertainty from its data tier
  (measured or default).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from carbonpeak.accounting.activity import ELECTRICITY_ITEMS, categorical_from_codes, numbers
from carbonpeak.accounting.parameters import MEASURED, NONE, Param, Parameters, period_end
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.reference.loader import ReferenceLookupError

CATEGORIES = ("combustion", "process", "electricity", "heat")
# Method codes of the reference table `methods` that lines carry (as a categorical).
METHODS = (
    "",
    "combustion.fuel",
    "process.material",
    "process.gas",
    "process.mass_balance",
    "process.clinker_oxide",
    "process.clinker_default",
    "process.fixed_carbon",
    "process.aluminium_anode",
    "indirect.electricity",
    "indirect.heat",
)
M = {name: index for index, name in enumerate(METHODS)}
# Columns that scale with the amount.
SCALED = (
    "qty",
    "energy_tce",
    "co2_combustion_t",
    "co2_process_t",
    "co2_electricity_t",
    "co2_heat_t",
    "co2_t",
    "co2e_t",
)
REF_COLUMNS = (
    "ref_coefficient",
    "ref_ncv",
    "ref_carbon_content",
    "ref_oxidation_rate",
    "ref_factor",
    "ref_gwp",
)
# The warnings table (`LineFactors.warnings`) stores a warning's kind as its index here. Each
# kind is a code of the warning catalogue (domain/warnings.yaml), except `accounting.electricity`:
# a grid cell, which becomes the electricity codes (national, regional, grid-year fallback).
WARNING_KINDS = (
    "accounting.fuel.default_ncv_used",
    "accounting.fuel.default_carbon_content_used",
    "accounting.fuel.default_oxidation_rate_used",
    "accounting.fuel.parameter_set_fallback",
    "accounting.process.default_clinker_factor",
    "accounting.uncertainty.factor_unknown",
    "accounting.heat.steam_by_coefficient",
    "accounting.electricity",
    "accounting.factor.unverified",
    "accounting.process.no_factor",
)


@dataclass(frozen=True)
class AccountingOptions:
    """Choices of an accounting run."""

    electricity_method: Literal["equivalent", "coal"] = "equivalent"
    electricity_basis: Literal["location", "market"] = "location"
    grid_year: int | None = None
    gwp: str = "AR5"
    parameter_sets: tuple[str, ...] = ("guideline_2013", "reference_b118")
    process_bases: tuple[str, ...] = ("guideline_2013", "stoichiometric", "ipcc_2006")
    # "rate": a fuel's carbon is oxidised at its oxidation rate (the 2013 guidelines);
    # "complete": all of it, as a mass balance without an oxidation factor counts (the
    # national carbon market's steel guideline CETS-AG-03.01-V01-2024, formula (1))
    oxidation: Literal["rate", "complete"] = "rate"
    # The bases (of `process_emission_factors`) of the carbon fixed in products that leave the
    # site (crude steel, sold pig iron, tar, crude benzene), deducted by the method
    # `process.fixed_carbon`: a product with no row in them is not deducted. Kept apart from
    # `process_bases`, whose later bases hold emission factors, not fixed carbon.
    product_bases: tuple[str, ...] = ("guideline_2013",)
    monte_carlo: int = 0
    seed: int = 2030


@dataclass(frozen=True)
class GridNote:
    """Which grid factor a (province, period) cell got, and which year was asked for."""

    province: str
    area: str
    year: int
    wanted: int


@dataclass
class LineFactors:
    """Per key (row of `table`): the `SCALED` results of one unit of amount, `variance`
    (of the CO2e of one unit, t^2), `uncertainty_pct`, `category`, `method`,
    `energy_method` and the reference ids `REF_COLUMNS`; `warnings`: (key, code, subject)
    integers, the subject being an item index, a reference id or a grid cell;
    `items`: item names by index; `grid_notes`: by grid cell."""

    table: pd.DataFrame
    warnings: pd.DataFrame
    items: list[str]
    grid_notes: dict[int, GridNote]


class _Table:
    """A parameter resolved per category code, with its reference id."""

    def __init__(self, size: int):
        self.value = np.full(size, np.nan)
        self.ref = np.full(size, NONE, dtype=np.int64)

    def set(self, index: int | tuple[int, int], param: Param | None) -> None:
        if param is not None:
            self.value[index] = param.value
            self.ref[index] = param.ref


def _no_coefficient(data: pd.DataFrame, rows: np.ndarray, item: str, on: date) -> None:
    """An item the library has no standard-coal coefficient for on the date (GB/T 2589 has
    none for it, an edition added it without one, or a year's coal-method value is not in the
    library): its first line is refused, saying what a fuel line can give instead."""
    lines = data["row"].to_numpy() if "row" in data.columns else np.arange(2, len(data) + 2)
    first = int(np.flatnonzero(rows)[0])
    fuel = str(data["stream"].to_numpy()[first]) in ("fuel", "feedstock")
    raise InputError(
        Problem.of(
            Place(row=int(lines[first]), column="item"),
            N_(
                "the reference library has no standard-coal coefficient of {!r} in force on "
                "{}: give the line's measured net calorific value (ncv, ncv_unit)"
            )
            if fuel
            else N_(
                "the reference library has no standard-coal coefficient of {!r} in force on {}"
            ),
            item,
            on.isoformat(),
        )
    )


def _numbers(series: pd.Series) -> np.ndarray:
    return numbers(series).to_numpy(dtype=float)  # as the check read them: 1,234.5 too


def line_factors(data: pd.DataFrame, options: AccountingOptions, params: Parameters) -> LineFactors:
    """The results of each row of `data` (distinct lines, as `activity.normalise` leaves them,
    with `amount_value` and a `province` column: the GB/T 2260 province code or '')."""
    ref = params.ref
    n = len(data)

    item_cat = pd.Categorical(data["item"])
    items = [str(i) for i in item_cat.categories]
    icode = item_cat.codes.astype(np.int64)
    period_cat = pd.Categorical(data["period"])
    periods = [str(p) for p in period_cat.categories]
    pcode = period_cat.codes.astype(np.int64)
    ends = [period_end(p) for p in periods]
    stream = data["stream"].to_numpy()
    is_fuel, is_feed = stream == "fuel", stream == "feedstock"
    is_process, is_product = stream == "process", stream == "product"
    is_elec, is_heat = stream == "electricity", stream == "heat"

    # Quantity in the item's default unit, signed: out (exports) counts negative.
    unit_cat = pd.Categorical(data["unit"])
    unit_table = np.full((len(items), len(unit_cat.categories)), np.nan)
    present = np.unique(icode * len(unit_cat.categories) + unit_cat.codes)
    for code in present:
        i, u = divmod(int(code), len(unit_cat.categories))
        unit_table[i, u] = params.unit_factor(
            str(unit_cat.categories[u]), params.default_unit(items[i])
        )
    amount = data["amount_value"].to_numpy()
    sign = np.where(data["direction"].to_numpy() == "out", -1.0, 1.0)
    magnitude = amount * unit_table[icode, unit_cat.codes]
    qty = magnitude * sign

    def per_item_unit(values: np.ndarray, unit_column: str, per: str) -> np.ndarray:
        """Measured values in `per` per default unit of the line's item."""
        cat = pd.Categorical(data[unit_column])
        width = len(cat.categories)
        table = np.full((len(items), width), np.nan)
        for code in np.unique(icode[~np.isnan(values)] * width + cat.codes[~np.isnan(values)]):
            i, u = divmod(int(code), width)
            text = str(cat.categories[u])
            if text:
                table[i, u] = params.unit_factor(text, f"{per}/({params.default_unit(items[i])})")
        result: np.ndarray = values * table[icode, cat.codes]
        return result

    def to_default(target: str, names: tuple[str, ...]) -> np.ndarray:
        """Per item: factor from the item's default unit to `target` (NaN for other items)."""
        return np.array(
            [
                params.unit_factor(params.default_unit(name), target) if name in names else np.nan
                for name in items
            ]
        )[icode]

    ncv_m = per_item_unit(_numbers(data["ncv"]), "ncv_unit", "GJ")
    ef_m = per_item_unit(_numbers(data["emission_factor"]), "emission_factor_unit", "tCO2")
    cc_m = _numbers(data["carbon_content_tc_per_gj"])
    of_m = _numbers(data["oxidation_rate"])

    # -- energy (GB/T 2589) ------------------------------------------------------------------
    energy_rows = is_fuel | is_feed | is_elec | is_heat
    use_ncv = (is_fuel | is_feed) & ~np.isnan(ncv_m)
    coef = _Table(len(items) * len(periods))
    needed = energy_rows & ~use_ncv  # a measured NCV needs no standard-coal coefficient
    for code in np.unique(icode[needed] * len(periods) + pcode[needed]):
        i, p = divmod(int(code), len(periods))
        coefficient_method = (
            "coal"
            if options.electricity_method == "coal" and items[i] in ELECTRICITY_ITEMS
            else "equivalent"
        )
        try:
            coef.set(int(code), params.coefficient(items[i], coefficient_method, ends[p]))
        except ReferenceLookupError:
            _no_coefficient(data, needed & (icode == i) & (pcode == p), items[i], ends[p])
    cell = icode * len(periods) + pcode
    tce_per_gj = params.unit_factor("GJ", "tce")
    energy = np.where(
        energy_rows, qty * np.where(use_ncv, ncv_m * tce_per_gj, coef.value[cell]), 0.0
    )
    ref_coefficient = np.where(energy_rows, np.where(use_ncv, MEASURED, coef.ref[cell]), NONE)

    # -- fuel combustion and feedstock carbon ---------------------------------------------
    c_to_co2 = params.constant("c_to_co2")
    fuel_like = is_fuel | is_feed
    ncv_d, cc_d, of_d = (_Table(len(items)) for _ in range(3))
    fallback_items: set[str] = set()
    complete = options.oxidation == "complete"
    for i in np.unique(icode[fuel_like]):
        for table, parameter in (
            (ncv_d, "ncv"),
            (cc_d, "carbon_content"),
            *(() if complete else ((of_d, "oxidation_rate"),)),
        ):
            param = params.fuel_parameter(items[i], parameter, options.parameter_sets)
            table.set(int(i), param)
            if param is not None and param.note:
                fallback_items.add(items[i])
    ncv_used = np.where(np.isnan(ncv_m), ncv_d.value[icode], ncv_m)
    cc_used = np.where(np.isnan(cc_m), cc_d.value[icode], cc_m)
    of_used = np.ones(n) if complete else np.where(np.isnan(of_m), of_d.value[icode], of_m)
    has_ef = ~np.isnan(ef_m)
    combustion = np.where(
        is_fuel,
        np.where(has_ef, qty * ef_m, qty * ncv_used * cc_used * of_used * c_to_co2.value),
        0.0,
    )
    carbon_fraction = _numbers(data["carbon_fraction"])
    feed_carbon = np.where(np.isnan(carbon_fraction), ncv_used * cc_used, carbon_fraction)
    mass_balance = np.where(is_feed, qty * feed_carbon * c_to_co2.value, 0.0)
    mass_balance -= np.where(
        is_product & ~np.isnan(carbon_fraction), magnitude * carbon_fraction * c_to_co2.value, 0.0
    )

    def param_ref(measured_values: np.ndarray, table: _Table, rows: np.ndarray) -> np.ndarray:
        return np.where(
            rows & ~has_ef, np.where(np.isnan(measured_values), table.ref[icode], MEASURED), NONE
        )

    ref_ncv = param_ref(ncv_m, ncv_d, fuel_like)
    ref_cc = param_ref(cc_m, cc_d, fuel_like)
    ref_of = np.full(n, NONE, dtype=np.int64) if complete else param_ref(of_m, of_d, is_fuel)

    # -- process emissions -------------------------------------------------------------------
    factor = _Table(len(items))
    for i in np.unique(icode[is_process]):
        if params.items[items[i]]["category"] == "material":
            factor.set(int(i), params.process_factor(items[i], options.process_bases))
    gwp = _Table(len(items))
    gas_rows = is_process & np.isin(
        icode, [i for i, name in enumerate(items) if params.items[name]["category"] == "gas"]
    )
    for i in np.unique(icode[gas_rows]):
        gwp.set(int(i), params.gwp(options.gwp, items[i]))
    # a material none of the run's bases has a factor for counts nothing, and says so
    no_factor = is_process & ~gas_rows & ~has_ef & np.isnan(factor.value[icode])
    process = np.where(
        is_process & ~gas_rows & ~no_factor,
        qty * np.where(has_ef, ef_m, factor.value[icode]),
        0.0,
    )
    gas_co2e = np.where(gas_rows, qty * gwp.value[icode], 0.0)
    ref_factor = np.where(
        is_process & ~gas_rows, np.where(has_ef, MEASURED, factor.ref[icode]), NONE
    )
    ref_gwp = np.where(gas_rows, gwp.ref[icode], NONE)
    method: np.ndarray = np.where(
        is_process, np.where(gas_rows, M["process.gas"], M["process.material"]), M[""]
    )
    method = np.where(is_fuel, M["combustion.fuel"], method)
    method = np.where(is_feed, M["process.mass_balance"], method)

    # Products that trigger process methods (reference table product_methods).
    product_methods: dict[str, dict[str, str]] = {}
    for row in ref.rows("product_methods"):
        product_methods.setdefault(str(row["product"]), {})[str(row["method"])] = str(
            row["direction"]
        )
    leaving = data["direction"].to_numpy() == "out"
    product_process = np.zeros(n)
    product_gas = np.zeros(n)
    product_ref = np.full(n, NONE, dtype=np.int64)
    product_gwp_ref = np.full(n, NONE, dtype=np.int64)
    default_clinker = np.zeros(n, dtype=bool)
    for i in np.unique(icode[is_product]):
        name = items[i]
        for code, direction in sorted(product_methods.get(name, {}).items()):
            rows = is_product & (icode == i) & (leaving if direction == "out" else True)
            if code == "process.clinker_oxide":
                cao = _numbers(data["cao_fraction"])
                oxide = (
                    cao - np.nan_to_num(_numbers(data["cao_noncarbonate_fraction"]))
                ) * params.constant("cao_to_co2").value + (
                    np.nan_to_num(_numbers(data["mgo_fraction"]))
                    - np.nan_to_num(_numbers(data["mgo_noncarbonate_fraction"]))
                ) * params.constant("mgo_to_co2").value
                # the default factor of the run's first basis that has one (the 2013 run's
                # bases end with IPCC 2006's; a market guideline names its own basis)
                fallback = params.process_factor(name, options.process_bases)
                # none of them has one: the clinker counts 0 and says so, like a material
                fallback_value = fallback.value if fallback else 0.0
                unfactored = rows & np.isnan(cao) & ~has_ef
                if fallback is None:
                    no_factor = no_factor | unfactored
                per_unit = np.where(has_ef, ef_m, np.where(np.isnan(cao), fallback_value, oxide))
                product_process += np.where(rows, magnitude * per_unit, 0.0)
                product_ref = np.where(
                    rows,
                    np.where(
                        has_ef | ~np.isnan(cao),
                        MEASURED,
                        fallback.ref if fallback else NONE,
                    ),
                    product_ref,
                )
                if fallback is not None:
                    default_clinker |= unfactored
                method = np.where(
                    rows,
                    np.where(
                        np.isnan(cao) & ~has_ef,
                        M["process.clinker_default"],
                        M["process.clinker_oxide"],
                    ),
                    method,
                )
            elif code == "process.fixed_carbon":
                fixed = params.process_factor(name, options.product_bases)
                if fixed is not None:
                    product_process -= np.where(rows, magnitude * fixed.value, 0.0)
                    product_ref = np.where(rows, fixed.ref, product_ref)
                    method = np.where(rows, M[code], method)
            elif code == "process.aluminium_anode":
                nc = params.process_parameter("aluminium_anode", "net_anode_consumption")
                s = params.process_parameter("aluminium_anode", "sulphur_fraction")
                a = params.process_parameter("aluminium_anode", "ash_fraction")
                per_t = nc.value * (1 - s.value - a.value) * c_to_co2.value
                anode = per_t * params.unit_factor("1/t", f"1/({params.default_unit(name)})")
                product_process += np.where(rows, magnitude * np.where(has_ef, ef_m, anode), 0.0)
                product_ref = np.where(rows, np.where(has_ef, MEASURED, nc.ref), product_ref)
                method = np.where(rows, M[code], method)
            elif code == "process.aluminium_pfc":
                pfc_per_unit = 0.0
                basis = params.gas_basis(name, options.process_bases)
                if basis is None:  # none of the run's bases has them: 0, and said
                    no_factor = no_factor | rows
                    continue
                for gas in ("cf4", "c2f6"):
                    g = params.gas_factor(name, gas, basis)
                    weight = params.gwp(options.gwp, gas)
                    pfc_per_unit += g.value * weight.value
                    product_gwp_ref = np.where(rows, weight.ref, product_gwp_ref)
                product_gas += np.where(rows, magnitude * pfc_per_unit, 0.0)

    # -- purchased electricity and heat ------------------------------------------------------
    province_cat = pd.Categorical(data["province"])
    province_list = [str(p) for p in province_cat.categories]
    prov_code = province_cat.codes.astype(np.int64)
    grid_of = {str(r["region_code"]): str(r["grid_region"]) for r in ref.rows("grid_regions")}
    years = [options.grid_year if options.grid_year is not None else int(p[:4]) for p in periods]
    green = is_elec & (data["item"].to_numpy() == "green_electricity")
    grid = _Table(len(province_list) * len(periods))
    residual = _Table(len(periods))
    grid_notes: dict[int, GridNote] = {}
    elec_cells = np.unique(prov_code[is_elec] * len(periods) + pcode[is_elec])
    for code in elec_cells:
        pi, p = divmod(int(code), len(periods))
        province = province_list[pi]
        if options.electricity_basis == "market":
            param, area, year = params.grid_factor(("national",), "residual", years[p])
            residual.set(p, param)
        else:
            areas = (*(a for a in (province, grid_of.get(province, "")) if a), "national")
            param, area, year = params.grid_factor(areas, "average", years[p])
        grid.set(int(code), param)
        grid_notes[int(code)] = GridNote(province, area, year, years[p])
    elec_cell = prov_code * len(periods) + pcode
    kwh = qty * to_default("kWh", ELECTRICITY_ITEMS)
    grid_value = np.where(
        green & (options.electricity_basis == "market"), 0.0, grid.value[elec_cell]
    )
    electricity = np.where(is_elec, np.where(has_ef, qty * ef_m, kwh * grid_value), 0.0)
    ref_elec = np.where(is_elec, np.where(has_ef, MEASURED, grid.ref[elec_cell]), NONE)

    heat_factor = params.heat_factor() if is_heat.any() else None
    gj_per_tce = params.unit_factor("tce", "GJ")
    heat_gj = np.where(
        data["item"].to_numpy() == "heat",
        qty * to_default("GJ", ("heat",)),
        energy * gj_per_tce,  # steam: its standard-coal equivalent in GJ
    )
    heat = np.where(
        is_heat,
        np.where(has_ef, qty * ef_m, heat_gj * (heat_factor.value if heat_factor else np.nan)),
        0.0,
    )
    ref_heat = np.where(
        is_heat, np.where(has_ef, MEASURED, heat_factor.ref if heat_factor else NONE), NONE
    )
    method = np.where(is_elec, M["indirect.electricity"], method)
    method = np.where(is_heat, M["indirect.heat"], method)

    # -- assemble ----------------------------------------------------------------------------
    process_total = process + mass_balance + product_process
    co2 = combustion + process_total + electricity + heat
    co2e = co2 + gas_co2e + product_gas
    category = np.select(
        [is_fuel, is_feed | is_process | (is_product & (product_process != 0)), is_elec, is_heat],
        [1, 2, 3, 4],
        0,
    )
    uncertainty, uncertainty_unknown = _line_uncertainty(
        stream, co2e, params, items, icode, has_ef, ncv_m, cc_m
    )
    with np.errstate(over="ignore"):  # an absurd factor overflows; `account` refuses it
        variance = (co2e * uncertainty / 100.0) ** 2
    results = pd.DataFrame(
        dict(
            qty=qty,
            energy_tce=energy,
            co2_combustion_t=combustion,
            co2_process_t=process_total,
            co2_electricity_t=electricity,
            co2_heat_t=heat,
            co2_t=co2,
            co2e_t=co2e,
            variance=variance,
            uncertainty_pct=uncertainty,
            category=categorical_from_codes(category, categories=("", *CATEGORIES)),
            method=categorical_from_codes(method, categories=METHODS),
            energy_method=categorical_from_codes(
                energy_rows.astype(np.int8), categories=("", "energy.gbt2589")
            ),
            ref_coefficient=ref_coefficient,
            ref_ncv=ref_ncv,
            ref_carbon_content=ref_cc,
            ref_oxidation_rate=ref_of,
            ref_factor=np.select(
                [is_process, is_product, is_elec, is_heat],
                [ref_factor, product_ref, ref_elec, ref_heat],
                NONE,
            ),
            ref_gwp=np.where(gas_rows, ref_gwp, product_gwp_ref),
        )
    )
    warnings = _warnings(
        results,
        stream,
        icode,
        items,
        params,
        has_ef,
        {"ncv": ncv_m, "carbon_content": cc_m, **({} if complete else {"oxidation_rate": of_m})},
        default_clinker,
        no_factor,
        fallback_items,
        uncertainty_unknown,
        elec_cell,
        is_elec,
    )
    return LineFactors(results, warnings, items, grid_notes)


def _line_uncertainty(
    stream: np.ndarray,
    co2e: np.ndarray,
    params: Parameters,
    items: list[str],
    icode: np.ndarray,
    has_ef: np.ndarray,
    ncv_m: np.ndarray,
    cc_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Relative 95% uncertainty of each line's emissions in percent, by IPCC Approach 1
    (relative uncertainties of multiplied quantities add in quadrature), and a mask of the
    lines whose factor has no sourced uncertainty (they count their activity data only)."""
    activity = params.uncertainty("activity_data", "measured")
    u_activity = activity.value if activity else 0.0

    def per_item(quantity: str) -> np.ndarray:
        values = []
        for name in items:
            param = params.uncertainty(quantity, "default", name)
            values.append(param.value if param else np.nan)
        return np.array(values)[icode] if len(items) else np.zeros(0)

    fuel_like = np.isin(stream, ("fuel", "feedstock")) & ~has_ef
    u_ncv = np.where(np.isnan(ncv_m), per_item("ncv"), 0.0)
    u_cc = np.where(np.isnan(cc_m), per_item("carbon_content"), 0.0)
    process = params.uncertainty("process_factor", "default")
    u_factor = np.select(
        [fuel_like, np.isin(stream, ("process", "product")) & ~has_ef],
        [np.sqrt(u_ncv**2 + u_cc**2), process.value if process else np.nan],
        np.nan,
    )
    unknown = (co2e != 0) & np.isnan(u_factor)
    return 100.0 * np.sqrt(u_activity**2 + np.nan_to_num(u_factor) ** 2), unknown


def _warnings(
    table: pd.DataFrame,
    stream: np.ndarray,
    icode: np.ndarray,
    items: list[str],
    params: Parameters,
    has_ef: np.ndarray,
    measured: dict[str, np.ndarray],
    default_clinker: np.ndarray,
    no_factor: np.ndarray,
    fallback_items: set[str],
    uncertainty_unknown: np.ndarray,
    electricity_cell: np.ndarray,
    is_elec: np.ndarray,
) -> pd.DataFrame:
    """Warnings of each key as a table of integers (key, code, subject)."""
    fuel = stream == "fuel"
    heat_index = items.index("heat") if "heat" in items else -1
    keys: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    subjects: list[np.ndarray] = []

    def part(code: str, mask: np.ndarray, subject: np.ndarray) -> None:
        chosen = np.flatnonzero(mask)
        keys.append(chosen)
        codes.append(np.full(len(chosen), WARNING_KINDS.index(code)))
        subjects.append(subject[chosen].astype(np.int64))

    for parameter, values in measured.items():
        part(f"accounting.fuel.default_{parameter}_used", fuel & ~has_ef & np.isnan(values), icode)
    if fallback_items:
        fallback = np.isin(icode, [items.index(i) for i in fallback_items])
        part("accounting.fuel.parameter_set_fallback", fuel & fallback, icode)
    part("accounting.process.default_clinker_factor", default_clinker, icode)
    part("accounting.process.no_factor", no_factor, icode)
    part("accounting.uncertainty.factor_unknown", uncertainty_unknown, icode)
    part("accounting.heat.steam_by_coefficient", (stream == "heat") & (icode != heat_index), icode)
    part("accounting.electricity", is_elec, electricity_cell)
    unverified = np.array([not p.verified for p in params.registry.provenances] + [False, False])
    for column in REF_COLUMNS:
        refs = table[column].to_numpy()
        part("accounting.factor.unverified", unverified[refs], refs)  # -1, -2: trailing False
    return pd.DataFrame(
        {
            "k": np.concatenate(keys),
            "code": np.concatenate(codes),
            "subject": np.concatenate(subjects),
        }
    )
