"""CAFC and NEV credits of each enterprise (legal entity) and accounting year.

Per model (GB 27999 and the Measures):
- target T_i by curb mass and seat rows, rounded to 2 decimals;
- fuel consumption FC_i as reported; 0 for BEVs and FCVs (electricity counts as 0 for 2025
  and earlier, GB 27999-2019 §4.1; a later year is counted the same way, which its results say
  in a warning: how GB 27999-2025 counts electricity was not found);
- multiplier W_i: `nev_multiplier` for BEVs, FCVs and PHEVs; `low_fc_multiplier` for
  conventional models at or below `low_fc_threshold` where the year has one; else 1;
- a conventional (ICE or HEV) model is low-fuel-consumption when FC_i <= round(T_i x r, 2)
  (the 2020 amendment's definition, rounded half up to 2 decimals as its text says);
- NEV credit per vehicle: the formula an authority wrote for the year (`nev_credit.<powertrain>`
  in the reference table `formulas`, any declared form: docs/formulas.md), else, in the eras up
  to 2025, min(cap, intercept + slope x variable) of its powertrain, x the BEV range factor of
  its band, `below_min` under the minimum electric range; rounded to 2 decimals. A model without
  an input its year's formula reads is refused at its row.

Per enterprise:
- CAFC actual = round(sum FC_i V_i / sum W_i V_i, 2) (GB 27999-2019 eq. (5));
- CAFC target = round(sum T_i V_i / sum V_i, 2); compliance value (达标值) = round(target x r, 2),
  relaxed by the small-volume relief where the year has one and the enterprise qualifies;
- CAFC credits = round((compliance - actual) x sum V_i) (whole credits);
- the CAFC actual of its conventional cars alone, and whether its NEV credits of the year may
  be carried forward (that value at most `nev_carry_condition_ratio` x the compliance value);
- NEV credits earned = sum credit_j V_j; NEV target = round(ratio x (conventional volume, low-FC
  cars weighted by `low_fc_weight`), 2), none below `nev_exemption_units` conventional cars;
  NEV credits = earned - target.

The rounding is half up (四舍五入, GB/T 8170). That the targets and averages are kept to 2
decimals and credits to whole units is read in the project notes and one secondary text, not
in the standard: it is stated in every result's warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.domain.warnings import ResultWarning, records, warn
from carbonpeak.errors import N_, InputError, Place, Problem, Term
from carbonpeak.policy.dual_credit.rules import (
    CONVENTIONAL,
    NEV,
    YearRules,
    round_half_up,
    rules_for,
)
from carbonpeak.reference.loader import Reference


@dataclass
class Credits:
    """Per model (`models`, with T_i, W_i, low-FC flag and NEV credit) and per enterprise and
    year (`enterprises`), with the rules used and their warnings."""

    models: pd.DataFrame
    enterprises: pd.DataFrame
    rules: dict[int, YearRules] = field(default_factory=dict)

    def results(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for raw in self.enterprises.to_dict("records"):
            record: dict[str, Any] = {str(k): v for k, v in raw.items()}
            rules = self.rules[int(record["year"])]
            warnings = [
                warn("policy.dual_credit.rounding"),
                *_rule_warnings(rules),
                *record.pop("warnings"),
            ]
            out.append({**record, "warnings": records(warnings)})
        return out


def _rule_warnings(rules: YearRules) -> list[ResultWarning]:
    unverified = rules.unverified()
    found = []
    if unverified:
        found.append(
            warn(
                "policy.dual_credit.rules.unverified",
                count=len(unverified),
                year=rules.year,
                rows=unverified,
            )
        )
    if any(rules.nev_formula(p) is None for p in NEV):  # the shipped linear credit
        found.append(warn("policy.dual_credit.nev.factors_not_applied"))
    if rules.year >= FIRST_UNREAD_YEAR:
        found.append(warn("policy.dual_credit.counting_unread", year=rules.year))
    return found


# GB 27999-2025 (in force 2026-01-01) counts NEV electricity in the CAFC and its draft removed
# the multipliers; neither rule's text was read (docs/notes/dual_credit_2026.md), so a year from
# then on is counted as GB 27999-2019 does, and its results say so
FIRST_UNREAD_YEAR = 2026


def compute(fleet: pd.DataFrame, reference: Reference, years: list[int] | None = None) -> Credits:
    """Credits of a checked fleet (`check_fleet`) for `years` (default: every year in it); a
    year's previous year, when in the fleet, gives the small-volume relief its CAFC change."""
    wanted = sorted(set(fleet["year"])) if years is None else sorted(years)
    needed = sorted(set(wanted) | {y - 1 for y in wanted if (y - 1) in set(fleet["year"])})
    rules = {y: rules_for(y, reference) for y in needed}
    models = pd.concat([_models(fleet[fleet["year"] == y], rules[y]) for y in needed])
    totals = _enterprises(models, rules)
    chosen = totals[totals["year"].isin(wanted)].reset_index(drop=True)
    return Credits(models[models["year"].isin(wanted)], chosen, {y: rules[y] for y in wanted})


def _models(fleet: pd.DataFrame, rules: YearRules) -> pd.DataFrame:
    p = rules.parameters
    mass = fleet["curb_mass_kg"].to_numpy(dtype=float)
    three = fleet["seat_rows"].to_numpy() >= 3
    target = np.where(
        three,
        rules.segments["three_rows_or_more"].target(mass),
        rules.segments["up_to_two_rows"].target(mass),
    )
    target = round_half_up(target, 2)
    powertrain = fleet["powertrain"].to_numpy()
    nev = np.isin(powertrain, NEV)
    conventional = np.isin(powertrain, CONVENTIONAL)
    fuel = np.where(
        nev & (powertrain != "phev"), 0.0, fleet["fuel_consumption_l_per_100km"].fillna(0.0)
    )
    weight = np.where(nev, p["nev_multiplier"], 1.0)
    threshold = p.get("low_fc_threshold")
    if threshold is not None and "low_fc_multiplier" in p:
        weight = np.where(conventional & (fuel <= threshold), p["low_fc_multiplier"], weight)
    low_fc = conventional & (fuel <= round_half_up(target * p["cafc_ratio"], 2))
    if p["low_fc_weight"] >= 1.0:  # no low-FC counting in the year
        low_fc = np.zeros(len(fleet), dtype=bool)
    credit = np.zeros(len(fleet))
    variables = _variables(fleet)
    for name in NEV:
        rows = powertrain == name
        if rows.any():
            _inputs_given(fleet, rules, name, rows, variables)
            credit = np.where(rows, rules.nev_credit(name, variables), credit)
    return fleet.assign(
        target_l_per_100km=target,
        fuel_l_per_100km=fuel,
        multiplier=weight,
        low_fc=low_fc,
        nev_credit_per_vehicle=round_half_up(credit, 2),
    )


def _variables(fleet: pd.DataFrame) -> dict[str, np.ndarray]:
    """The inputs a NEV credit formula may read (`reference.formulas.VARIABLES`), per model;
    one not given is missing (NaN): the shipped linear credit takes a missing range or power as
    0 (the fleet's checks require what it reads), a declared formula refuses the model."""
    found = {
        "electric_range_km": fleet["electric_range_km"],
        "fuel_cell_power_kw": fleet["fuel_cell_power_kw"],
        "curb_mass_kg": fleet["curb_mass_kg"],
        "electric_energy_kwh_per_100km": fleet.get("electric_energy_kwh_per_100km"),
        "fuel_consumption_l_per_100km": fleet.get("fuel_consumption_l_per_100km"),
    }
    return {
        name: np.full(len(fleet), np.nan)
        if column is None
        else pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        for name, column in found.items()
    }


def _inputs_given(
    fleet: pd.DataFrame,
    rules: YearRules,
    powertrain: str,
    rows: np.ndarray,
    variables: dict[str, np.ndarray],
) -> None:
    """An authority's formula may read an input the shipped ones do not (the electric energy
    consumption): a model without it is a placed problem, not a missing credit."""
    name = rules.nev_formula(powertrain)
    if name is None or rules.declared is None:
        return
    lines = fleet["row"].to_numpy() if "row" in fleet.columns else np.arange(2, len(fleet) + 2)
    problems = [
        Problem.of(
            Place(row=int(lines[index]), column=variable),
            N_("the NEV credit of a {} in {} reads {} ({}): it is missing"),
            Term(powertrain),
            rules.year,
            variable,
            name,
        )
        for variable in rules.declared.variables(name)
        for index in np.flatnonzero(rows & np.isnan(variables[variable]))
    ]
    if problems:
        raise InputError(problems)


def _enterprises(models: pd.DataFrame, rules: dict[int, YearRules]) -> pd.DataFrame:
    volume = models["volume"].astype(float)
    conventional = models["powertrain"].isin(CONVENTIONAL)
    parts = pd.DataFrame(
        {
            "enterprise_id": models["enterprise_id"],
            "year": models["year"],
            "volume": volume,
            "fuel_x_volume": models["fuel_l_per_100km"] * volume,
            "weighted_volume": models["multiplier"] * volume,
            "target_x_volume": models["target_l_per_100km"] * volume,
            "conventional": volume.where(conventional, 0.0),
            "conventional_fuel": (models["fuel_l_per_100km"] * volume).where(conventional, 0.0),
            "conventional_weighted": (models["multiplier"] * volume).where(conventional, 0.0),
            "low_fc": volume.where(models["low_fc"], 0.0),
            "nev_earned": models["nev_credit_per_vehicle"] * volume.where(models["nev"], 0.0),
            "imported": models["imported"],
        }
    )
    sums = parts.groupby(["enterprise_id", "year"], sort=True).agg(
        volume=("volume", "sum"),
        fuel_x_volume=("fuel_x_volume", "sum"),
        weighted_volume=("weighted_volume", "sum"),
        target_x_volume=("target_x_volume", "sum"),
        conventional=("conventional", "sum"),
        conventional_fuel=("conventional_fuel", "sum"),
        conventional_weighted=("conventional_weighted", "sum"),
        low_fc=("low_fc", "sum"),
        nev_earned=("nev_earned", "sum"),
        imported=("imported", "max"),
    )
    sums = sums.reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        actual = round_half_up((sums["fuel_x_volume"] / sums["weighted_volume"]).to_numpy(), 2)
        target = round_half_up((sums["target_x_volume"] / sums["volume"]).to_numpy(), 2)
    year_of = sums["year"].to_numpy()
    r = np.array([rules[int(y)].parameters["cafc_ratio"] for y in year_of])
    compliance = round_half_up(target * r, 2)
    warnings: list[list[ResultWarning]] = [[] for _ in range(len(sums))]
    previous = dict(zip(zip(sums["enterprise_id"], sums["year"], strict=True), actual, strict=True))
    for i, (code, year, units) in enumerate(
        zip(sums["enterprise_id"], year_of, sums["volume"], strict=True)
    ):
        relief = _relief(rules[int(year)], units, actual[i], previous.get((code, int(year) - 1)))
        if relief:
            compliance[i] = round_half_up(compliance[i] * (1 + relief), 2)
            warnings[i].append(warn("policy.dual_credit.cafc.small_volume_relief", relief=relief))
    credits = round_half_up((compliance - actual) * sums["volume"], 0)
    ratio = np.array([rules[int(y)].parameters["nev_ratio"] for y in year_of])
    weight = np.array([rules[int(y)].parameters["low_fc_weight"] for y in year_of])
    exemption = np.array([rules[int(y)].parameters["nev_exemption_units"] for y in year_of])
    base = (sums["conventional"] - sums["low_fc"]) + weight * sums["low_fc"]
    exempt = sums["conventional"].to_numpy() < exemption
    nev_target = np.where(exempt, 0.0, round_half_up(ratio * base, 2))
    for index in np.flatnonzero(exempt & (ratio > 0)):
        i = int(index)
        warnings[i].append(
            warn(
                "policy.dual_credit.nev.exempt",
                conventional=float(sums["conventional"].to_numpy()[i]),
                threshold=float(exemption[i]),
            )
        )
    earned = round_half_up(sums["nev_earned"].to_numpy(), 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        conventional_actual = round_half_up(
            (sums["conventional_fuel"] / sums["conventional_weighted"]).to_numpy(), 2
        )
    condition = np.array(
        [rules[int(y)].parameters.get("nev_carry_condition_ratio", np.nan) for y in year_of]
    )
    # no condition in the year: carried as the year's rate says; no conventional cars: met
    carry = np.where(
        np.isnan(condition) | np.isnan(conventional_actual),
        True,
        conventional_actual <= round_half_up(compliance * np.nan_to_num(condition), 2),
    )
    return pd.DataFrame(
        {
            "enterprise_id": sums["enterprise_id"],
            "year": sums["year"].astype(int),
            "imported": sums["imported"].astype(bool),
            "volume": sums["volume"].astype(int),
            "cafc_actual": actual,
            "cafc_target": target,
            "cafc_compliance_value": compliance,
            "cafc_credits": credits.astype(int),
            "conventional_volume": sums["conventional"].astype(int),
            "low_fc_volume": sums["low_fc"].astype(int),
            "nev_credits_earned": earned,
            "nev_credits_target": nev_target,
            "nev_credits": round_half_up(earned - nev_target, 2),
            "conventional_cafc_actual": [
                None if np.isnan(value) else float(value) for value in conventional_actual
            ],
            "nev_carry_forward_allowed": carry.astype(bool),
            "warnings": warnings,
        }
    )


def _relief(rules: YearRules, units: float, actual: float, before: float | None) -> float:
    """The small-volume relief (a fraction) of an enterprise, 0 where none applies."""
    p = rules.parameters
    if "small_volume_units" not in p or units > p["small_volume_units"] or not before:
        return 0.0
    decline = (before - actual) / before
    if decline >= p["small_volume_decline_high"]:
        return p["small_volume_relief_high"]
    if decline >= p["small_volume_decline_low"]:
        return p["small_volume_relief_low"]
    return 0.0
