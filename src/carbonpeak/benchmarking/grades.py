"""Grade each product of each enterprise and period against the national levels.

Method (reference table `methods`, row `benchmark.unit_energy`; levels from
`efficiency_levels`, limit grades from `limit_standards`, the product of each area from
`benchmark_areas`):

- the boundary of a product is the energy lines tagged with its `area`; when no energy line of
  an enterprise-period is tagged and it has one graded product, all its energy lines;
- the indicator is boundary energy (kgce, electricity at its equivalent value, as the limit
  standards count it) or, for areas measured in electricity (electrolytic aluminium: AC
  consumption), boundary electricity (kWh), per unit of product, in the level's unit;
- grade `benchmark` at or better than the benchmark level, `baseline` between the two,
  `below_baseline` worse than the baseline level; limit grade `grade_1`..`grade_3` or
  `above_limit`;
- saving potential: what reaching the benchmark would save, in tce and in tCO2 (at the
  boundary's own CO2 per unit of energy, or per kWh for electricity);
- percentile among the peers of the same area and period in the input (100 = most efficient).

Everything is computed on arrays grouped by (enterprise, period, area); the only Python loops
run over distinct areas and periods to fetch levels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting.engine import AccountingOptions, Accounts, account
from carbonpeak.accounting.parameters import period_end
from carbonpeak.domain.units import conversion_factor
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.reference.loader import Reference, ReferenceLookupError, default_reference

ENERGY_STREAMS = ("fuel", "feedstock", "electricity", "heat")


@dataclass
class Grades:
    """Grades of every graded product, and warnings per (enterprise_id, period)."""

    table: pd.DataFrame
    warnings: dict[tuple[str, str], list[ResultWarning]] = field(default_factory=dict)
    accounts: Accounts | None = None

    def results(self) -> list[dict[str, Any]]:
        out = []
        for record in self.table.to_dict("records"):
            row = {str(k): _clean(v) for k, v in record.items()}
            key = (str(row["enterprise_id"]), str(row["period"]))
            row["warnings"] = [w.as_dict() for w in self.warnings.get(key, [])]
            out.append(row)
        return out


def _clean(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if not np.isfinite(value) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    return value


def grade(
    activity: pd.DataFrame,
    enterprises: pd.DataFrame | None = None,
    reference: Reference | None = None,
    accounts: Accounts | None = None,
) -> Grades:
    """Grade the products of an activity table (see the module docstring for the method).

    `accounts`, if given, must come from `account(..., electricity_method="equivalent")`
    of the same table; otherwise the table is accounted here that way."""
    ref = reference or default_reference()
    if accounts is None or accounts.options.electricity_method != "equivalent":
        accounts = account(activity, enterprises, AccountingOptions(), ref)
    lines = accounts.lines
    warnings: dict[tuple[str, str], list[ResultWarning]] = {}

    def add(key: tuple[str, str], warning: ResultWarning) -> None:
        warnings.setdefault(key, []).append(warning)

    areas = {str(r["area"]): r for r in ref.rows("benchmark_areas")}
    defaults = {str(r["product"]): a for a, r in areas.items() if r["is_default"] == "yes"}
    products_with_areas = {str(r["product"]) for r in areas.values()}

    text = {"enterprise_id": str, "period": str, "item": str, "area": str, "stream": str}
    product = lines[(lines["stream"] == "product") & lines["item"].isin(products_with_areas)]
    product = product.astype(text)
    product = product.assign(area=product["area"].where(product["area"] != "", None))
    product["area"] = product["area"].fillna(product["item"].map(defaults))
    unresolved = product["area"].isna()
    for key, names in _by_key(product[unresolved], "item").items():
        add(
            key,
            warn(
                "benchmarking.area_required",
                items=names,
                areas=sorted(a for a, r in areas.items() if str(r["product"]) in names),
            ),
        )
    product_of = {a: str(r["product"]) for a, r in areas.items()}
    mismatch = ~unresolved & (product["area"].map(product_of) != product["item"])
    for key, names in _by_key(product[mismatch], "area").items():
        add(key, warn("benchmarking.area_not_for_product", areas=names))
    product = product[~unresolved & ~mismatch]
    if product.empty:
        return Grades(_empty(), warnings, accounts)

    # Products: amount per (enterprise, period, area) in the product's default unit.
    keys = ["enterprise_id", "period", "area"]
    produced = product.groupby(keys, sort=True).agg(
        product=("item", "first"), product_amount=("qty", lambda q: float(np.abs(q).sum()))
    )

    # Boundary: energy lines tagged with an area, or all of them for single-product periods.
    energy = lines[lines["stream"].isin(ENERGY_STREAMS)].astype(text)
    period_index = pd.MultiIndex.from_frame(energy[["enterprise_id", "period"]])
    tagged_periods = pd.MultiIndex.from_frame(
        energy.loc[energy["area"] != "", ["enterprise_id", "period"]].drop_duplicates()
    )
    products_per_period = produced.reset_index().groupby(["enterprise_id", "period"])["area"]
    single = products_per_period.nunique() == 1
    single_area = products_per_period.first()[single]
    untagged = (energy["area"] == "").to_numpy()
    in_tagged = period_index.isin(tagged_periods)
    implied = single_area.reindex(period_index).to_numpy().astype(object)
    implied[in_tagged] = None
    energy["boundary"] = np.where(untagged, implied, energy["area"].to_numpy())
    ambiguous = (~single).loc[lambda s: s].index
    for enterprise, period in ambiguous:
        if (enterprise, period) not in set(tagged_periods):
            add((str(enterprise), str(period)), warn("benchmarking.boundary_ambiguous"))
    energy = energy[energy["boundary"].notna()]
    kwh_factor = _electricity_kwh(energy, ref)
    boundary = (
        energy.assign(
            electricity_kwh=kwh_factor,
            co2_boundary=energy["co2e_t"],
            co2_electricity=np.where(energy["stream"] == "electricity", energy["co2e_t"], 0.0),
        )
        .rename(columns={"boundary": "area_"})
        .groupby(["enterprise_id", "period", "area_"], sort=True)
        .agg(
            energy_tce=("energy_tce", "sum"),
            electricity_kwh=("electricity_kwh", "sum"),
            co2_t=("co2_boundary", "sum"),
            co2_electricity_t=("co2_electricity", "sum"),
        )
    )
    boundary.index = boundary.index.set_names(keys)
    table = (
        produced.join(boundary, how="left")
        .fillna({"energy_tce": 0.0, "electricity_kwh": 0.0, "co2_t": 0.0, "co2_electricity_t": 0.0})
        .reset_index()
    )
    no_energy = table["energy_tce"] == 0
    for key, names in _by_key(table[no_energy], "area").items():
        add(key, warn("benchmarking.no_energy_in_boundary", areas=names))

    table = _levels(table, areas, ref, add)
    return Grades(table, warnings, accounts)


def _electricity_kwh(energy: pd.DataFrame, ref: Reference) -> np.ndarray:
    """Net electricity of each energy line in kWh (0 for other carriers)."""
    units = {str(r["item"]): str(r["default_unit"]) for r in ref.rows("items")}
    factor = energy["item"].map(
        {
            item: conversion_factor(units[item], "kWh")
            if item in ("electricity", "green_electricity")
            else 0.0
            for item in pd.unique(energy["item"])
        }
    )
    result: np.ndarray = energy["qty"].to_numpy(dtype=float) * factor.to_numpy(dtype=float)
    return result


def _levels(
    table: pd.DataFrame,
    areas: dict[str, Any],
    ref: Reference,
    add: Callable[[tuple[str, str], ResultWarning], None],
) -> pd.DataFrame:
    items = {str(r["item"]): str(r["default_unit"]) for r in ref.rows("items")}
    columns: dict[str, list[Any]] = {
        c: []
        for c in (
            "unit",
            "indicator_value",
            "benchmark",
            "baseline",
            "grade_1",
            "grade_2",
            "grade_3",
            "level_status",
            "limit_standard",
            "to_tce",
        )
    }
    cache: dict[tuple[str, str, date], tuple[Any, ...]] = {}
    for area, product, period in zip(table["area"], table["product"], table["period"], strict=True):
        on = period_end(str(period))
        cache_key = (str(area), str(product), on)
        if cache_key not in cache:
            cache[cache_key] = _level_row(str(area), str(product), on, areas, items, ref)
        for name, value in zip(columns, cache[cache_key], strict=True):
            columns[name].append(value)
    out = table.assign(**{k: v for k, v in columns.items() if k not in ("to_tce",)})
    numerator_of = {a: str(r["numerator"]) for a, r in areas.items()}
    electricity_area = (out["area"].map(numerator_of) == "electricity").to_numpy()
    numerator = np.where(
        electricity_area,
        out["electricity_kwh"],
        out["energy_tce"],
    )
    per_unit = np.asarray(columns["to_tce"], dtype=float)  # factor: numerator/product -> level unit
    with np.errstate(divide="ignore", invalid="ignore"):
        out["indicator_value"] = numerator / out["product_amount"].to_numpy() * per_unit
        per_t = (
            out["product"]
            .astype(object)
            .map(
                {
                    p: conversion_factor(f"tce/({items[p]})", "kgce/t")
                    for p in pd.unique(out["product"])
                }
            )
            .astype(float)
        )
        out["unit_energy_kgce_per_t"] = out["energy_tce"] / out["product_amount"] * per_t
    value = out["indicator_value"]
    out["grade"] = _label(
        [
            value.isna() | out["benchmark"].isna(),
            value <= out["benchmark"],
            value <= out["baseline"],
        ],
        [None, "benchmark", "baseline"],
        "below_baseline",
    )
    out["limit_grade"] = _label(
        [
            out["grade_3"].isna() | value.isna(),
            value <= out["grade_1"].fillna(-np.inf),
            value <= out["grade_2"].fillna(-np.inf),
            value <= out["grade_3"],
        ],
        [None, "grade_1", "grade_2", "grade_3"],
        "above_limit",
    )
    out["distance_to_benchmark"] = value - out["benchmark"]
    out["distance_to_baseline"] = value - out["baseline"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["distance_to_benchmark_pct"] = (
            100.0 * out["distance_to_benchmark"] / out["benchmark"].abs()
        )
        # what reaching the benchmark saves, in the numerator's unit (tce or kWh)
        saved = (
            np.clip(out["distance_to_benchmark"].to_numpy(dtype=float), 0.0, None)
            * out["product_amount"].to_numpy()
            / per_unit
        )
        saved = np.nan_to_num(saved)
        co2_per_tce = np.where(out["energy_tce"] > 0, out["co2_t"] / out["energy_tce"], 0.0)
        co2_per_kwh = np.where(
            out["electricity_kwh"] > 0, out["co2_electricity_t"] / out["electricity_kwh"], 0.0
        )
    out["saving_potential_tce"] = np.where(
        electricity_area, saved * _electricity_coefficient(ref, out), saved
    )
    out["saving_potential_co2_t"] = np.where(
        electricity_area, saved * co2_per_kwh, saved * co2_per_tce
    )
    out["percentile"] = (
        out.groupby(["area", "period"])["indicator_value"].rank(
            method="max", ascending=False, pct=True
        )
        * 100.0
    )
    out["peers"] = out.groupby(["area", "period"])["indicator_value"].transform("count")
    for row in out[out["level_status"] == "unverified"].itertuples():
        add(
            (str(row.enterprise_id), str(row.period)),
            warn(
                "benchmarking.level_unverified",
                area=row.area,
                day=period_end(str(row.period)).isoformat(),
            ),
        )
    missing = out["benchmark"].isna()
    for row in out[missing].itertuples():
        add(
            (str(row.enterprise_id), str(row.period)),
            warn(
                "benchmarking.no_level", area=row.area, day=period_end(str(row.period)).isoformat()
            ),
        )
    return out[OUTPUT_COLUMNS]


def _label(conditions: list[Any], labels: list[str | None], default: str) -> np.ndarray:
    """The label of the first condition that holds, else `default` (an object array)."""
    out = np.full(len(conditions[0]), default, dtype=object)
    for condition, label in reversed(list(zip(conditions, labels, strict=True))):
        out[np.asarray(condition, dtype=bool)] = label
    return out


def _electricity_coefficient(ref: Reference, out: pd.DataFrame) -> np.ndarray:
    """Equivalent-value coefficient of electricity (tce/kWh) in force at each period's end."""
    values = {
        period: ref.lookup(
            "standard_coal_coefficients",
            "coefficient",
            as_of=period_end(str(period)),
            item="electricity",
            method="equivalent",
        ).to("tce/kWh")
        for period in pd.unique(out["period"])
    }
    result: np.ndarray = out["period"].map(values).to_numpy(dtype=float)
    return result


def _level_row(
    area: str,
    product: str,
    on: date,
    areas: dict[str, Any],
    items: dict[str, str],
    ref: Reference,
) -> tuple[Any, ...]:
    spec = areas[area]
    unit = None
    benchmark = baseline = np.nan
    status = None
    try:
        benchmark_value = ref.lookup("efficiency_levels", "benchmark", as_of=on, area=area)
        baseline_value = ref.lookup("efficiency_levels", "baseline", as_of=on, area=area)
        unit = benchmark_value.unit
        benchmark, baseline = benchmark_value.value, baseline_value.value
        status = benchmark_value.provenance.status
    except ReferenceLookupError:
        pass
    grades: list[float] = [np.nan, np.nan, np.nan]
    standard = None
    if spec["limit_product"]:
        limit = ref.rows(
            "limit_standards",
            as_of=on,
            product=spec["limit_product"],
            indicator=spec["limit_indicator"],
        )
        if limit:
            row = limit[0]
            limit_unit = str(row["unit"])
            unit = unit or limit_unit
            factor = conversion_factor(limit_unit, unit)
            grades = []
            for name in ("grade_1", "grade_2", "grade_3"):
                cell = row[name]
                grades.append(float(cell) * factor if isinstance(cell, float | int) else np.nan)
            standard = row["standard"]
    numerator_unit = "kWh" if spec["numerator"] == "electricity" else "tce"
    to_level = conversion_factor(f"{numerator_unit}/({items[product]})", unit) if unit else np.nan
    return (unit, np.nan, benchmark, baseline, *grades, status, standard, to_level)


def _by_key(frame: pd.DataFrame, column: str) -> dict[tuple[str, str], list[str]]:
    if frame.empty:
        return {}
    groups = frame.groupby(["enterprise_id", "period"])[column]
    return {(str(k[0]), str(k[1])): sorted(set(map(str, v))) for k, v in groups}


OUTPUT_COLUMNS = [
    "enterprise_id",
    "period",
    "product",
    "area",
    "product_amount",
    "unit",
    "indicator_value",
    "unit_energy_kgce_per_t",
    "benchmark",
    "baseline",
    "grade",
    "distance_to_benchmark",
    "distance_to_benchmark_pct",
    "distance_to_baseline",
    "grade_1",
    "grade_2",
    "grade_3",
    "limit_standard",
    "limit_grade",
    "energy_tce",
    "electricity_kwh",
    "co2_t",
    "saving_potential_tce",
    "saving_potential_co2_t",
    "percentile",
    "peers",
    "level_status",
]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in OUTPUT_COLUMNS})
