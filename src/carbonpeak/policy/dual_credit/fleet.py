"""The fleet table of the dual-credit accounting, checked by row and column.

Columns: `enterprise_id, year, model_id, powertrain` (ice, hev, phev, bev, fcv),
`curb_mass_kg, seat_rows, fuel_consumption_l_per_100km` (on the test cycle in force that year;
for a PHEV without its electricity), `electric_range_km, electric_energy_kwh_per_100km,
fuel_cell_power_kw, volume` (production or imports of the year), `imported` (yes/no).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from carbonpeak.domain.numbers import read_numbers
from carbonpeak.domain.schema import FIRST_YEAR, LAST_YEAR
from carbonpeak.domain.uscc import invalid_usccs
from carbonpeak.errors import N_, Place, Problem
from carbonpeak.policy.dual_credit.rules import NEV, POWERTRAINS, NoRules, rules_for
from carbonpeak.reference.loader import Reference

REQUIRED = (
    "enterprise_id",
    "year",
    "model_id",
    "powertrain",
    "curb_mass_kg",
    "seat_rows",
    "volume",
)
OPTIONAL = (
    "fuel_consumption_l_per_100km",
    "electric_range_km",
    "electric_energy_kwh_per_100km",
    "fuel_cell_power_kw",
    "imported",
)
NUMBERS = (
    "year",
    "curb_mass_kg",
    "seat_rows",
    "volume",
    "fuel_consumption_l_per_100km",
    "electric_range_km",
    "electric_energy_kwh_per_100km",
    "fuel_cell_power_kw",
)
YES = {"1", "true", "yes", "y", "是"}
NO = {"", "0", "false", "no", "n", "否"}


# vehicles of a model a year: more than the world makes (a plausibility bound, not a rule)
MAX_VOLUME = 1e8


def check_fleet(fleet: pd.DataFrame, reference: Reference) -> tuple[pd.DataFrame, list[Problem]]:
    """The fleet made tidy (numbers as numbers, `imported` as a bool) and every problem of it,
    by row and column, all at once."""
    missing = [c for c in REQUIRED if c not in fleet.columns]
    if missing:
        return fleet, [
            Problem.of(Place(row=1, column=c), N_("required column is missing")) for c in missing
        ]
    rows = fleet["row"].to_numpy() if "row" in fleet.columns else np.arange(2, len(fleet) + 2)
    tidy = pd.DataFrame(index=fleet.index)
    problems: list[Problem] = []

    def flag(mask: pd.Series | np.ndarray, column: str, template: str, shown: pd.Series) -> None:
        chosen = np.asarray(mask, dtype=bool)
        for row, value in zip(rows[chosen], shown[chosen], strict=True):
            problems.append(Problem.of(Place(row=int(row), column=column), template, value))

    for column in ("enterprise_id", "model_id", "powertrain"):
        tidy[column] = fleet[column].fillna("").astype(str).str.strip()
    tidy["powertrain"] = tidy["powertrain"].str.lower()
    text: dict[str, pd.Series] = {}
    for column in NUMBERS:
        raw = fleet[column] if column in fleet.columns else pd.Series("", index=fleet.index)
        text[column] = raw.fillna("").astype(str).str.strip()
        tidy[column] = read_numbers(text[column].where(text[column] != ""))  # domain rule
        bad = tidy[column].isna() & (text[column] != "")
        flag(bad, column, N_("{!r} is not a number"), text[column])
    imported = (
        fleet["imported"].fillna("").astype(str).str.strip().str.lower()
        if "imported" in fleet.columns
        else pd.Series("", index=fleet.index)
    )
    flag(~imported.isin(YES | NO), "imported", N_("{!r} is not yes or no"), imported)
    tidy["imported"] = imported.isin(YES)

    powertrain = tidy["powertrain"]
    flag(
        ~powertrain.isin(POWERTRAINS),
        "powertrain",
        N_("{!r} is not one of ice, hev, phev, bev, fcv"),
        powertrain,
    )
    flag(
        tidy["enterprise_id"] == "", "enterprise_id", N_("give the enterprise's code"), text["year"]
    )
    bad_codes = invalid_usccs(
        pd.unique(tidy["enterprise_id"][tidy["enterprise_id"] != ""]), reference
    )
    codes = tidy["enterprise_id"]
    for row, code in zip(
        rows[codes.isin(bad_codes).to_numpy()], codes[codes.isin(bad_codes)], strict=True
    ):
        problems.append(
            Problem.of(
                Place(row=int(row), column="enterprise_id"),
                N_("{!r} is not a valid USCC: {}"),
                code,
                bad_codes[code],
            )
        )
    flag(tidy["model_id"] == "", "model_id", N_("give the model's id"), text["year"])

    def needed(column: str, mask: pd.Series, template: str) -> None:
        flag(mask & (text[column] == ""), column, template, powertrain)

    blank = pd.Series(True, index=fleet.index)
    needed("curb_mass_kg", blank, N_("a {} needs its curb mass"))
    needed("seat_rows", blank, N_("a {} needs its number of seat rows"))
    needed("volume", blank, N_("a {} needs its volume"))
    needed("year", blank, N_("a {} needs its accounting year"))
    burns = powertrain.isin(("ice", "hev", "phev"))
    needed("fuel_consumption_l_per_100km", burns, N_("a {} needs its fuel consumption"))
    needed(
        "electric_range_km", powertrain.isin(("phev", "bev")), N_("a {} needs its electric range")
    )
    needed("fuel_cell_power_kw", powertrain == "fcv", N_("a {} needs its fuel-cell power"))
    electric = powertrain.isin(("bev", "fcv"))
    fuel = tidy["fuel_consumption_l_per_100km"]
    flag(
        electric & fuel.notna() & (fuel != 0),
        "fuel_consumption_l_per_100km",
        N_("a {} burns no fuel: leave the fuel consumption empty"),
        powertrain,
    )

    def impossible(column: str, test: Callable[[pd.Series], pd.Series], template: str) -> None:
        values = tidy[column]
        flag(values.notna() & ~test(values), column, template, text[column])

    impossible(
        "curb_mass_kg",
        lambda v: (v > 0) & (v <= 3500),
        N_("{} kg is not a passenger car's curb mass"),
    )
    impossible(
        "seat_rows", lambda v: (v >= 1) & (v == v.round()), N_("{!r} is not a number of seat rows")
    )
    impossible(
        "volume",
        lambda v: (v >= 0) & (v <= MAX_VOLUME) & (v == v.round()),
        N_("{!r} is not a number of vehicles"),
    )
    impossible(
        "year",
        lambda v: (v >= FIRST_YEAR) & (v <= LAST_YEAR) & (v == v.round()),
        N_("{!r} is not a year"),
    )
    for column in NUMBERS[4:]:
        impossible(column, lambda v: v >= 0, N_("{!r} cannot be negative"))
    keys = tidy[["enterprise_id", "year", "model_id"]]
    repeated = keys.duplicated(keep="first") & (tidy["model_id"] != "")
    flag(
        repeated, "model_id", N_("model {!r} repeats in this enterprise and year"), tidy["model_id"]
    )
    years = sorted(
        {
            int(y)
            for y in tidy["year"].dropna()
            if float(y).is_integer() and FIRST_YEAR <= y <= LAST_YEAR
        }
    )
    for year in years:
        try:
            rules_for(year, reference)
        except NoRules as missing_rules:
            first = int(rows[(tidy["year"] == year).to_numpy()][0])
            problems.append(
                Problem.of(
                    Place(row=first, column="year"),
                    N_("no dual-credit rules for {}: {}"),
                    year,
                    str(missing_rules),
                )
            )
    problems.sort(key=lambda p: (p.place.row or 0, _order(p.place.column)))
    tidy["row"] = rows
    if not problems:
        tidy["year"] = tidy["year"].astype(int)
        tidy["seat_rows"] = tidy["seat_rows"].astype(int)
        tidy["nev"] = tidy["powertrain"].isin(NEV)
    return tidy, problems


def _order(column: str | None) -> int:
    columns = (*REQUIRED, *OPTIONAL)
    return columns.index(column) if column in columns else len(columns)
