"""Energy and GHG accounts of enterprises from their activity table.

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
  (measured or default), propagated to totals; Monte Carlo on request.

Everything is vectorised: reference parameters are resolved once per distinct item, period or
province and indexed with NumPy; no Python loop runs over activity rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from carbonpeak.accounting.activity import (
    ELECTRICITY_ITEMS,
    categorical_from_codes,
    check_normalised,
    normalise,
)
from carbonpeak.accounting.parameters import (
    MEASURED,
    NONE,
    Param,
    Parameters,
    Registry,
    period_end,
)
from carbonpeak.domain.warnings import ResultWarning
from carbonpeak.errors import InputError
from carbonpeak.reference.loader import Provenance, Reference, default_reference

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
TOTAL_COLUMNS = (
    "energy_tce",
    "co2_combustion_t",
    "co2_process_t",
    "co2_electricity_t",
    "co2_heat_t",
    "co2_t",
    "co2e_t",
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
    monte_carlo: int = 0
    seed: int = 2030


@dataclass
class Accounts:
    """The result of an accounting run.

    `lines`: the activity rows with their computed energy, emissions, method, uncertainty and
    the reference ids they used; `totals`: one row per enterprise and period; `warnings`:
    per (enterprise_id, period), from `warning_table` (group, code, subject);
    `provenances`: the reference rows the ids point to.
    """

    lines: pd.DataFrame
    totals: pd.DataFrame
    warning_table: pd.DataFrame
    provenances: list[Provenance]
    options: AccountingOptions
    _context: _WarningContext = field(repr=False)

    @cached_property
    def warnings(self) -> dict[tuple[str, str], list[ResultWarning]]:
        """Warnings per (enterprise_id, period), built from `warning_table` on first use."""
        return _materialise(self.warning_table, self._context)

    def results(self, with_lines: bool = True) -> list[dict[str, Any]]:
        """JSON-ready results, one per enterprise and period."""
        line_groups: dict[tuple[str, str], pd.DataFrame] = {}
        if with_lines:
            line_groups = {
                (str(k[0]), str(k[1])): g
                for k, g in self.lines.groupby(["enterprise_id", "period"], sort=False)
            }
        out = []
        for record in self.totals.to_dict("records"):
            row: dict[str, Any] = {str(k): v for k, v in record.items()}
            key = (str(row["enterprise_id"]), str(row["period"]))
            result: dict[str, Any] = {
                "enterprise_id": key[0],
                "period": key[1],
                "energy_tce": _round(row["energy_tce"]),
                "co2_t": {
                    "combustion": _round(row["co2_combustion_t"]),
                    "process": _round(row["co2_process_t"]),
                    "electricity": _round(row["co2_electricity_t"]),
                    "heat": _round(row["co2_heat_t"]),
                    "total": _round(row["co2_t"]),
                },
                "co2e_t": _round(row["co2e_t"]),
                "uncertainty_pct": _round(row["uncertainty_pct"], 2),
            }
            if "uncertainty_mc_pct" in row:
                result["uncertainty_mc_pct"] = _round(row["uncertainty_mc_pct"], 2)
            if with_lines:
                result["lines"] = [
                    self._line({str(k): v for k, v in line.items()})
                    for line in line_groups[key].to_dict("records")
                ]
            result["warnings"] = [w.as_dict() for w in self.warnings.get(key, [])]
            out.append(result)
        return out

    def _line(self, line: dict[str, Any]) -> dict[str, Any]:
        refs = []
        for column in REF_COLUMNS:
            ref = int(line[column])
            if ref >= 0:
                p = self.provenances[ref]
                refs.append(
                    {
                        "parameter": column.removeprefix("ref_"),
                        "table": p.table,
                        "key": dict(p.key),
                        "line": p.line,
                        "source_id": p.source_id,
                        "status": p.status,
                    }
                )
            elif ref == MEASURED:
                refs.append({"parameter": column.removeprefix("ref_"), "measured": True})
        return {
            "row": int(line["row"]),
            "stream": line["stream"],
            "item": line["item"],
            "direction": line["direction"],
            "amount": float(line["amount"]),
            "unit": line["unit"],
            "category": line["category"] or None,
            "energy_tce": _round(line["energy_tce"]),
            "co2_t": _round(line["co2_t"]),
            "co2e_t": _round(line["co2e_t"]),
            "uncertainty_pct": _round(line["uncertainty_pct"], 2),
            "methods": [m for m in (line["energy_method"], line["method"]) if m],
            "references": refs,
        }


REF_COLUMNS = (
    "ref_coefficient",
    "ref_ncv",
    "ref_carbon_content",
    "ref_oxidation_rate",
    "ref_factor",
    "ref_gwp",
)


def _round(value: float, digits: int = 6) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


class _Table:
    """A parameter resolved per category code, with its reference id."""

    def __init__(self, size: int):
        self.value = np.full(size, np.nan)
        self.ref = np.full(size, NONE, dtype=np.int64)

    def set(self, index: int | tuple[int, int], param: Param | None) -> None:
        if param is not None:
            self.value[index] = param.value
            self.ref[index] = param.ref


def _numbers(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def account(
    activity: pd.DataFrame,
    enterprises: pd.DataFrame | None = None,
    options: AccountingOptions | None = None,
    reference: Reference | None = None,
    validate: bool = True,
) -> Accounts:
    """Energy and GHG accounts of each enterprise and period of an activity table.

    `activity` follows `carbonpeak.accounting.activity`; `enterprises` (optional) has
    `enterprise_id` and `region_code` (and `industry_code` for roll-ups). Raises `InputError`
    listing every problem if the table is not valid.
    """
    options = options or AccountingOptions()
    ref = reference or default_reference()
    data = normalise(activity)
    if validate:
        problems = check_normalised(data, tuple(activity.columns), ref)
        if problems:
            raise InputError(problems)
    registry = Registry()
    params = Parameters(ref, registry)
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
    coef = _Table(len(items) * len(periods))
    for code in np.unique(icode[energy_rows] * len(periods) + pcode[energy_rows]):
        i, p = divmod(int(code), len(periods))
        coefficient_method = (
            "coal"
            if options.electricity_method == "coal" and items[i] in ELECTRICITY_ITEMS
            else "equivalent"
        )
        coef.set(int(code), params.coefficient(items[i], coefficient_method, ends[p]))
    cell = icode * len(periods) + pcode
    tce_per_gj = params.unit_factor("GJ", "tce")
    use_ncv = (is_fuel | is_feed) & ~np.isnan(ncv_m)
    energy = np.where(
        energy_rows, qty * np.where(use_ncv, ncv_m * tce_per_gj, coef.value[cell]), 0.0
    )
    ref_coefficient = np.where(energy_rows, np.where(use_ncv, MEASURED, coef.ref[cell]), NONE)

    # -- fuel combustion and feedstock carbon ---------------------------------------------
    c_to_co2 = params.constant("c_to_co2")
    fuel_like = is_fuel | is_feed
    ncv_d, cc_d, of_d = (_Table(len(items)) for _ in range(3))
    fallback_items: set[str] = set()
    for i in np.unique(icode[fuel_like]):
        for table, parameter in (
            (ncv_d, "ncv"),
            (cc_d, "carbon_content"),
            (of_d, "oxidation_rate"),
        ):
            param = params.fuel_parameter(items[i], parameter, options.parameter_sets)
            table.set(int(i), param)
            if param is not None and param.note:
                fallback_items.add(items[i])
    ncv_used = np.where(np.isnan(ncv_m), ncv_d.value[icode], ncv_m)
    cc_used = np.where(np.isnan(cc_m), cc_d.value[icode], cc_m)
    of_used = np.where(np.isnan(of_m), of_d.value[icode], of_m)
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
    ref_of = param_ref(of_m, of_d, is_fuel)

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
    process = np.where(
        is_process & ~gas_rows, qty * np.where(has_ef, ef_m, factor.value[icode]), 0.0
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
                fallback = params.process_factor(name, ("ipcc_2006",))
                fallback_value = fallback.value if fallback else np.nan
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
                default_clinker |= rows & np.isnan(cao) & ~has_ef
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
                fixed = params.process_factor(name, ("guideline_2013",))
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
                for gas in ("cf4", "c2f6"):
                    g = params.gas_factor(name, gas)
                    weight = params.gwp(options.gwp, gas)
                    pfc_per_unit += g.value * weight.value
                    product_gwp_ref = np.where(rows, weight.ref, product_gwp_ref)
                product_gas += np.where(rows, magnitude * pfc_per_unit, 0.0)

    # -- purchased electricity and heat ------------------------------------------------------
    ent_cat = pd.Categorical(data["enterprise_id"])
    ecode = ent_cat.codes.astype(np.int64)
    province_of: dict[str, str] = {}
    if enterprises is not None and len(enterprises):
        regions = enterprises.astype({"region_code": str}).set_index("enterprise_id")["region_code"]
        province_of = {str(k): str(v)[:2] + "0000" for k, v in regions.items() if str(v)}
    grid_of = {str(r["region_code"]): str(r["grid_region"]) for r in ref.rows("grid_regions")}
    ent_provinces = [province_of.get(str(e), "") for e in ent_cat.categories]
    province_list = sorted(set(ent_provinces))
    ent_pidx = np.array([province_list.index(p) for p in ent_provinces], dtype=np.int64)
    years = [options.grid_year if options.grid_year is not None else int(p[:4]) for p in periods]
    green = is_elec & (data["item"].to_numpy() == "green_electricity")
    grid = _Table(len(province_list) * len(periods))
    residual = _Table(len(periods))
    grid_notes: dict[int, tuple[str, int]] = {}
    elec_cells = np.unique(ent_pidx[ecode[is_elec]] * len(periods) + pcode[is_elec])
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
        grid_notes[int(code)] = (area, year)
    elec_cell = ent_pidx[ecode] * len(periods) + pcode
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

    # -- assemble lines --------------------------------------------------------------------------
    process_total = process + mass_balance + product_process
    co2 = combustion + process_total + electricity + heat
    co2e = co2 + gas_co2e + product_gas
    category = np.select(
        [is_fuel, is_feed | is_process | (is_product & (product_process != 0)), is_elec, is_heat],
        [1, 2, 3, 4],
        0,
    )
    # the results joined to the rows without copying them (setting 20 columns one by one
    # copies each array)
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
        ),
        index=data.index,
        copy=False,
    )
    lines = pd.concat([data, results], axis=1)
    lines["uncertainty_pct"], uncertainty_unknown = _line_uncertainty(
        lines, params, items, icode, has_ef, ncv_m, cc_m
    )

    # -- totals by enterprise and period ---------------------------------------------------
    group, uniques = _dense_groups(
        ecode * len(periods) + pcode, len(ent_cat.categories) * len(periods)
    )
    sums = {
        c: np.bincount(group, weights=lines[c].to_numpy(), minlength=len(uniques))
        for c in TOTAL_COLUMNS
    }
    variance = np.bincount(
        group,
        weights=(lines["co2e_t"].to_numpy() * lines["uncertainty_pct"].to_numpy() / 100.0) ** 2,
        minlength=len(uniques),
    )
    totals = pd.DataFrame(
        {
            "enterprise_id": np.asarray(ent_cat.categories, dtype=object)[uniques // len(periods)],
            "period": np.asarray(periods, dtype=object)[uniques % len(periods)],
            **sums,
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        totals["uncertainty_pct"] = np.where(
            totals["co2e_t"] != 0, 100.0 * np.sqrt(variance) / np.abs(totals["co2e_t"]), 0.0
        )
    if options.monte_carlo > 0:
        totals["uncertainty_mc_pct"] = _monte_carlo(lines, group, len(uniques), options)

    warning_table = _warning_table(
        lines,
        group,
        icode,
        items,
        registry,
        has_ef,
        {"ncv": ncv_m, "carbon_content": cc_m, "oxidation_rate": of_m},
        default_clinker,
        fallback_items,
        uncertainty_unknown,
        ent_pidx[ecode] * len(periods) + pcode,
        is_elec,
    )
    context = _WarningContext(
        keys=list(zip(totals["enterprise_id"], totals["period"], strict=True)),
        items=items,
        registry=registry,
        options=options,
        grid_notes=grid_notes,
        province_of=province_of,
    )
    return Accounts(
        lines=lines,
        totals=totals,
        warning_table=warning_table,
        provenances=registry.provenances,
        options=options,
        _context=context,
    )


def _dense_groups(key: np.ndarray, cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Group numbers 0..n-1 for integer keys in [0, cells), in key order, without sorting
    the rows: (group of each row, key of each group)."""
    counts = np.bincount(key, minlength=cells)
    present = np.flatnonzero(counts)
    lookup = np.full(cells, -1, dtype=np.int64)
    lookup[present] = np.arange(len(present))
    return lookup[key], present


def _line_uncertainty(
    lines: pd.DataFrame,
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
    stream = lines["stream"].to_numpy()
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
    emits = lines["co2e_t"].to_numpy() != 0
    unknown = emits & np.isnan(u_factor)
    return 100.0 * np.sqrt(u_activity**2 + np.nan_to_num(u_factor) ** 2), unknown


def _monte_carlo(
    lines: pd.DataFrame, group: np.ndarray, groups: int, options: AccountingOptions
) -> np.ndarray:
    """Half-width of the 95% interval of each total, relative, from `options.monte_carlo`
    draws: each line's emissions vary normally with sd = U/1.96, independently."""
    rng = np.random.default_rng(options.seed)
    value = lines["co2e_t"].to_numpy()
    sd = np.abs(value) * lines["uncertainty_pct"].to_numpy() / 100.0 / 1.96
    draws = np.empty((options.monte_carlo, groups))
    for k in range(options.monte_carlo):
        sample = value + rng.standard_normal(len(value)) * sd
        draws[k] = np.bincount(group, weights=sample, minlength=groups)
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    centre = np.bincount(group, weights=value, minlength=groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(centre != 0, 100.0 * (high - low) / 2.0 / np.abs(centre), 0.0)


WARNING_CODES = (
    "accounting.fuel.default_ncv_used",
    "accounting.fuel.default_carbon_content_used",
    "accounting.fuel.default_oxidation_rate_used",
    "accounting.fuel.parameter_set_fallback",
    "accounting.process.default_clinker_factor",
    "accounting.uncertainty.factor_unknown",
    "accounting.heat.steam_by_coefficient",
    "accounting.electricity",
    "accounting.factor.unverified",
)


def _warning_table(
    lines: pd.DataFrame,
    group: np.ndarray,
    icode: np.ndarray,
    items: list[str],
    registry: Registry,
    has_ef: np.ndarray,
    measured: dict[str, np.ndarray],
    default_clinker: np.ndarray,
    fallback_items: set[str],
    uncertainty_unknown: np.ndarray,
    electricity_cell: np.ndarray,
    is_elec: np.ndarray,
) -> pd.DataFrame:
    """Warnings as a table of integers: (group, code, subject), the subject being an item
    index, a reference id or a grid cell by code. Built with array operations only;
    `Accounts.warnings` turns it into messages when asked."""
    stream = lines["stream"].to_numpy()
    fuel = stream == "fuel"
    heat_index = items.index("heat") if "heat" in items else -1
    groups = int(group.max()) + 1 if len(group) else 0
    keys: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    subjects: list[np.ndarray] = []

    def part(code: str, mask: np.ndarray, subject: np.ndarray) -> None:
        """Mark (group, subject) pairs in a presence matrix: O(rows), no sort."""
        if not mask.any():
            return
        chosen = subject[mask].astype(np.int64) + 2  # subjects are >= -2
        width = int(chosen.max()) + 1
        present = np.zeros((groups, width), dtype=bool)
        present[group[mask], chosen] = True
        g, value = np.nonzero(present)
        keys.append(g)
        codes.append(np.full(len(g), WARNING_CODES.index(code)))
        subjects.append(value - 2)

    for parameter, values in measured.items():
        mask = fuel & ~has_ef & np.isnan(values)
        part(f"accounting.fuel.default_{parameter}_used", mask, icode)
    if fallback_items:
        fallback = np.isin(icode, [items.index(i) for i in fallback_items])
        part("accounting.fuel.parameter_set_fallback", fuel & fallback, icode)
    part("accounting.process.default_clinker_factor", default_clinker, icode)
    part("accounting.uncertainty.factor_unknown", uncertainty_unknown, icode)
    part("accounting.heat.steam_by_coefficient", (stream == "heat") & (icode != heat_index), icode)
    part("accounting.electricity", is_elec, electricity_cell)
    unverified = np.array([not p.verified for p in registry.provenances] + [False, False])
    for column in REF_COLUMNS:
        refs = lines[column].to_numpy()
        part("accounting.factor.unverified", unverified[refs], refs)  # -1, -2: trailing False
    if not keys:
        empty = np.zeros(0, dtype=np.int64)
        return pd.DataFrame({"g": empty, "code": empty, "subject": empty})
    stacked = (np.concatenate(keys), np.concatenate(codes), np.concatenate(subjects))
    return pd.DataFrame({"g": stacked[0], "code": stacked[1], "subject": stacked[2]})


@dataclass(frozen=True)
class _WarningContext:
    """What turning the warning table into messages needs."""

    keys: list[tuple[str, str]]
    items: list[str]
    registry: Registry
    options: AccountingOptions
    grid_notes: dict[int, tuple[str, int]]
    province_of: dict[str, str]


def _materialise(
    table: pd.DataFrame, context: _WarningContext
) -> dict[tuple[str, str], list[ResultWarning]]:
    out: dict[tuple[str, str], list[ResultWarning]] = {}
    options = context.options
    for (g, code_index), subjects in table.groupby(["g", "code"], sort=True)["subject"]:
        key = context.keys[int(str(g))]
        code = WARNING_CODES[int(str(code_index))]
        found = out.setdefault(key, [])
        values = sorted({int(v) for v in subjects})
        names = (
            sorted(context.items[v] for v in values)
            if code not in ("accounting.factor.unverified", "accounting.electricity")
            else []
        )
        if code == "accounting.factor.unverified":
            cited = [context.registry.provenances[int(r)] for r in values]
            found.append(
                ResultWarning(
                    code,
                    f"{len(cited)} reference value(s) used are unverified",
                    {
                        "references": [
                            {"table": p.table, "key": dict(p.key), "line": p.line, "note": p.note}
                            for p in cited
                        ]
                    },
                )
            )
        elif code == "accounting.electricity":
            found.extend(_electricity_warnings(key, values, context))
        elif code == "accounting.fuel.parameter_set_fallback":
            found.append(
                ResultWarning(
                    code,
                    f"{', '.join(names)}: not in parameter set {options.parameter_sets[0]}; "
                    "a later set was used",
                    {"items": names, "parameter_sets": list(options.parameter_sets)},
                )
            )
        elif code.startswith("accounting.fuel.default_"):
            parameter = code.removeprefix("accounting.fuel.default_").removesuffix("_used")
            found.append(
                ResultWarning(
                    code,
                    f"default {parameter.replace('_', ' ')} used for {', '.join(names)}",
                    {"items": names},
                )
            )
        else:
            found.append(
                ResultWarning(
                    code, WARNING_MESSAGES[code].format(", ".join(names)), {"items": names}
                )
            )
    return out


WARNING_MESSAGES = {
    "accounting.process.default_clinker_factor": (
        "clinker without CaO content ({}): the default clinker factor was used"
    ),
    "accounting.uncertainty.factor_unknown": (
        "no sourced uncertainty for the factors of {}: their lines count activity-data "
        "uncertainty only"
    ),
    "accounting.heat.steam_by_coefficient": (
        "{} converted to GJ through its standard-coal coefficient"
    ),
}


def _electricity_warnings(
    key: tuple[str, str], cells: list[int], context: _WarningContext
) -> list[ResultWarning]:
    """Which grid factor an enterprise-period got, when it is not the one asked for."""
    enterprise, period = key
    options = context.options
    wanted = options.grid_year if options.grid_year is not None else int(period[:4])
    out = []
    for cell in cells:
        area, year = context.grid_notes[cell]
        if enterprise not in context.province_of:
            out.append(
                ResultWarning(
                    "accounting.electricity.national_factor",
                    "no region for this enterprise (enterprises table): national grid factor used",
                    {"area": area},
                )
            )
        elif area != context.province_of[enterprise] and options.electricity_basis == "location":
            province = context.province_of[enterprise]
            out.append(
                ResultWarning(
                    "accounting.electricity.regional_factor",
                    f"no factor for province {province}: {area} used",
                    {"province": province, "area": area},
                )
            )
        if year != wanted:
            out.append(
                ResultWarning(
                    "accounting.electricity.grid_year_fallback",
                    f"no {area} grid factor for {wanted}: the {year} factor was used",
                    {"wanted": wanted, "used": year, "area": area},
                )
            )
    return out
