"""The allowances of the enterprises of a market account (issue 21, part 3): each enterprise's
verified emissions E of the year are its account by the guideline (the sum of the year's
periods), and under an intensity rule its intensity I is read from the same account, as the
year's rule of `market_allocation_rules` says: the emissions of the rule's processes
(steel: 炼铁 + 烧结, from the process sheet) over the output of its product process (炼铁), or
the unit's whole emissions over the guideline's product. `allocation.allocate` does the rest.

The account's figures stand in for the verified ones: the verification itself (核查) is the
verifier's, outside the platform, and a verified figure entered later replaces them."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.market.accounts import MarketAccounts
from carbonpeak.market.allocation import RULES, Allocation, allocate, allocation_rule
from carbonpeak.reference.loader import Reference


def allocations_of(
    accounts: MarketAccounts,
    year: int,
    reference: Reference,
    exceptions: Mapping[str, str] | None = None,
) -> dict[str, Allocation]:
    """The allowance of each enterprise of `accounts` for `year`, by enterprise id;
    `exceptions`: the case of `market_allocation_exceptions` an enterprise is in."""
    sector = accounts.method.sector
    rule = allocation_rule(reference, sector, year)
    totals = accounts.totals.loc[accounts.totals["period"].astype(str).str[:4] == str(year)]
    if totals.empty:
        raise InputError(
            Problem.of(Place(column="period"), N_("no period of {} in the accounts"), year)
        )
    _whole_years(totals, year)
    yearly = totals.groupby("enterprise_id", sort=True).agg(
        co2_t=("co2_t", "sum"), output_t=("output_t", "sum")
    )
    # the guideline reports emissions to 2 decimal places (附录C, table C.3 note 2)
    yearly["co2_t"] = yearly["co2_t"].round(2)
    processes = str(rule.get("intensity_processes") or "").split()
    product_process = str(rule.get("product_process") or "")
    intensity = _intensity(accounts, year, processes, product_process, yearly)
    exceptions = exceptions or {}
    out = {}
    problems: list[Problem] = []
    for enterprise_id, row in yearly.iterrows():
        code = str(enterprise_id)
        emissions, product = intensity.get(code, (None, None))
        try:
            out[code] = allocate(
                reference,
                sector,
                year,
                repr(float(row["co2_t"])),
                None if emissions is None else repr(float(emissions)),
                None if product is None else repr(float(product)),
                exception=exceptions.get(code),
            )
        except InputError as error:  # every enterprise's problem, each naming it
            problems += [
                Problem(
                    Place(
                        file=p.place.file,
                        row=p.place.row,
                        column=p.place.column,
                        field=f"{code}: {p.place.field}" if p.place.field else code,
                    ),
                    p.message,
                    p.template,
                    p.values,
                )
                for p in error.problems
            ]
    if problems:
        raise InputError(problems)
    return out


def _whole_years(totals: pd.DataFrame, year: int) -> None:
    """Each enterprise's year is one annual period or its twelve months: an allowance of part
    of a year is not the year's (`projection.project_position` projects one)."""
    months = {f"{year}-{m:02d}" for m in range(1, 13)}
    problems = []
    for code, periods in totals.groupby("enterprise_id")["period"]:
        found = {str(p) for p in periods}
        if found != {str(year)} and found != months:
            problems.append(
                Problem.of(
                    Place(column="period", field=str(code)),
                    N_(
                        "the allowance of {} for {} needs its whole year (one annual period or "
                        "its twelve months); the accounts have {}"
                    ),
                    code,
                    year,
                    ", ".join(sorted(found)),
                )
            )
    if problems:
        raise InputError(problems)


def _intensity(
    accounts: MarketAccounts,
    year: int,
    processes: list[str],
    product_process: str,
    yearly: pd.DataFrame,
) -> dict[str, tuple[float | None, float | None]]:
    """Per enterprise: the emissions and the product output of its intensity."""
    if not processes and not product_process:
        return {
            str(code): (
                float(row["co2_t"]),
                float(row["output_t"]) if row["output_t"] > 0 else None,
            )
            for code, row in yearly.iterrows()
        }
    if accounts.processes is None:
        raise InputError(
            Problem.of(
                Place(file=RULES, field="intensity_processes"),
                N_(
                    "the allocation of {} in {} takes its intensity from the processes {}: "
                    "give the process sheet"
                ),
                accounts.method.sector,
                year,
                " ".join([*processes, product_process]),
            )
        )
    table = accounts.processes.loc[accounts.processes["period"].astype(str).str[:4] == str(year)]
    _sheet_covers_the_year(accounts, table, year)
    emissions = table.loc[table["process"].isin(processes)].groupby("enterprise_id")["co2_t"].sum()
    output = (
        table.loc[table["process"] == product_process].groupby("enterprise_id")["output_t"].sum()
    )
    return {
        str(code): (
            float(emissions[code]) if code in emissions.index else None,
            float(output[code]) if code in output.index and output[code] > 0 else None,
        )
        for code in yearly.index
    }


def _sheet_covers_the_year(accounts: MarketAccounts, table: pd.DataFrame, year: int) -> None:
    """The process sheet gives the year's intensity only where it has every period of the
    enterprise's accounts of the year (found by review: a sheet of January and February set
    the intensity of a twelve-month year, and so its allowance, without a word)."""
    totals = accounts.totals.loc[accounts.totals["period"].astype(str).str[:4] == str(year)]
    problems = []
    for code, periods in totals.groupby("enterprise_id")["period"]:
        wanted = {str(p) for p in periods}
        found = {str(p) for p in table.loc[table["enterprise_id"] == code, "period"]}
        if found != wanted:
            problems.append(
                Problem.of(
                    Place(column="period", field=str(code)),
                    N_(
                        "the intensity of {} for {} is the year's: its process sheet needs "
                        "every period of its accounts; it lacks {}"
                    ),
                    code,
                    year,
                    ", ".join(sorted(wanted - found)),
                )
            )
    if problems:
        raise InputError(problems)
