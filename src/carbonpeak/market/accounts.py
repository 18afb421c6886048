"""Accounts by the national carbon market's guidelines (issue 21, part 1).

A guideline is a row of the reference table `market_methods` (by sector and reporting year):
the parameter set and factor bases it reads, whether fuels count an oxidation rate or their
whole carbon, which measured parameters it accepts and the product its intensity is per. The
accounting engine runs with those choices on the same activity table the MIIT accounts read,
after the guideline's boundary and data rules have been applied to the lines:

- purchased electricity and heat are outside the boundary (direct CO2 only);
- a process material the guideline has no factor for is not accounted (steel §6.2.4);
- a measured value the guideline does not accept is replaced by its default (steel §6.2.3:
  carbon content always the default; §6.2.2: coke's NCV always the default);
- a fuel the guideline has no default carbon content for cannot be accounted by it: refused
  at its first line (steel: report coal by its type, 无烟煤, 烟煤, 褐煤, as §6.2.2 asks).

Each change is a warning of the enterprise and period, so the account says what it left out.
A sector or year without a method is refused, never accounted by the 2013 guidelines instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting.activity import check_activity
from carbonpeak.accounting.engine import Accounts, account
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.market.methods import MarketMethod, method_for, prepare
from carbonpeak.market.processes import account_processes
from carbonpeak.reference.loader import Reference, default_reference

PARTS = ("fuel_co2_t", "process_co2_t", "product_co2_t")


@dataclass
class MarketAccounts:
    """Accounts of each enterprise and period by one guideline.

    `totals`: enterprise_id, period, fuel_co2_t (fuels, net), process_co2_t (carbonates,
    electrodes, carbon-bearing raw materials), product_co2_t (the carbon of products deducted,
    negative), co2_t (their sum), `output_t` (the method's product) and `intensity_t_per_t`;
    `lines`: the activity rows the guideline counted with their CO2 (`accounts.lines`);
    `warnings`: per (enterprise_id, period), the engine's and the guideline's own."""

    method: MarketMethod
    totals: pd.DataFrame
    accounts: Accounts | None  # None when the guideline counted no line
    warnings: dict[tuple[str, str], list[ResultWarning]]
    # with a process sheet: per enterprise, period and process (`processes.account_processes`);
    # the totals then carry processes_co2_t and other_co2_t (formula (4))
    processes: pd.DataFrame | None = None

    @property
    def lines(self) -> pd.DataFrame:
        return self.accounts.lines if self.accounts is not None else pd.DataFrame()

    def results(self) -> list[dict[str, Any]]:
        out = []
        for record in self.totals.to_dict("records"):
            key = (str(record["enterprise_id"]), str(record["period"]))
            out.append(
                {
                    **{str(k): _number(v) for k, v in record.items()},
                    "method": self.method.as_dict(),
                    "warnings": [w.as_dict() for w in self.warnings.get(key, [])],
                }
            )
        return out

    def process_results(self) -> list[dict[str, Any]]:
        """The process level as JSON-ready records (empty without a process sheet)."""
        if self.processes is None:
            return []
        return [
            {str(k): _number(v) for k, v in record.items()}
            for record in self.processes.to_dict("records")
        ]


def _number(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return round(float(value), 6) if np.isfinite(value) else None
    return value


def account_market(
    activity: pd.DataFrame,
    sector: str,
    enterprises: pd.DataFrame | None = None,
    reference: Reference | None = None,
    processes: pd.DataFrame | None = None,
) -> MarketAccounts:
    """Accounts of every enterprise and period of `activity` by the market's guideline of
    `sector` in force in the periods' year (all periods of one table share one guideline);
    with the process sheet `processes` (see `processes.py`), the process level too."""
    ref = reference or default_reference()
    method = method_for(activity, sector, ref)
    prepared = prepare(activity, method, ref)
    if not prepared.keep.any():  # nothing the guideline counts: zeros, once the rows are valid
        problems = check_activity(activity, ref)
        if problems:
            raise InputError(problems)
        totals = prepared.periods.assign(**{c: 0.0 for c in (*PARTS, "co2_t")})
        totals["output_t"] = np.nan
        totals["intensity_t_per_t"] = np.nan
        result = MarketAccounts(method, totals, None, dict(prepared.warnings))
        return with_processes(result, processes, prepared.rows, enterprises, ref)
    accounts = account(prepared.rows, enterprises, method.options(), ref)
    lines = accounts.lines
    stream = lines["stream"].astype(str).str.strip()
    # a product's own process emissions (clinker, aluminium's anodes and anode effects) are
    # process emissions; only the carbon fixed in products (`process.fixed_carbon`) is deducted
    emitted = (stream == "product") & lines["method"].astype(str).str.startswith(
        ("process.clinker", "process.aluminium")
    )
    part = np.select(
        [stream.isin(("fuel", "feedstock")), (stream == "process") | emitted, stream == "product"],
        list(PARTS),
        "",
    )
    parts = (
        lines.assign(part=part, enterprise_id=lines["enterprise_id"].astype(str).str.strip())
        .loc[part != ""]
        .pivot_table(
            index=["enterprise_id", "period"],
            columns="part",
            values="co2e_t",
            aggfunc="sum",
            fill_value=0.0,
        )
        .reindex(columns=list(PARTS), fill_value=0.0)
        .reset_index()
    )
    parts.columns.name = None
    # every enterprise-period of the upload, also one whose every line the guideline set aside
    totals = prepared.periods.merge(parts, on=["enterprise_id", "period"], how="left")
    totals[list(PARTS)] = totals[list(PARTS)].fillna(0.0)
    totals["co2_t"] = totals[list(PARTS)].sum(axis=1)
    output = accounts.output.loc[accounts.output["item"] == method.product]
    totals = totals.merge(
        output[["enterprise_id", "period", "amount"]].rename(columns={"amount": "output_t"}),
        on=["enterprise_id", "period"],
        how="left",
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        totals["intensity_t_per_t"] = np.where(
            totals["output_t"] > 0, totals["co2_t"] / totals["output_t"], np.nan
        )
    warnings: dict[tuple[str, str], list[ResultWarning]] = {}
    for key in zip(totals["enterprise_id"].astype(str), totals["period"].astype(str), strict=True):
        warnings[key] = [*prepared.warnings.get(key, []), *accounts.warnings.get(key, [])]
        if not warnings[key]:
            del warnings[key]
    result = MarketAccounts(method, totals, accounts, warnings)
    return with_processes(result, processes, prepared.rows, enterprises, ref)


def below_threshold(
    co2_t: float, periods: Iterable[str], industry_code: str, reference: Reference
) -> ResultWarning | None:
    """The warning of a whole year (its annual period, or its twelve months) whose direct
    emissions `co2_t` are under the threshold of the list of key emitters of the enterprise's
    industry class (`market_sectors`); None for a part of a year, or at or over it."""
    rows = reference.rows("market_sectors", industry_code=str(industry_code))
    value = rows[0].get("threshold") if rows else None
    if not isinstance(value, int | float):
        return None
    kept = {str(p) for p in periods}
    whole = (len(kept) == 1 and len(next(iter(kept))) == 4) or len(kept) == 12
    threshold = float(value)
    if not whole or co2_t >= threshold:
        return None
    return warn("market.accounts.below_threshold", co2=co2_t, threshold=threshold)


def with_processes(
    result: MarketAccounts,
    processes: pd.DataFrame | None,
    enterprise_rows: pd.DataFrame,
    enterprises: pd.DataFrame | None = None,
    reference: Reference | None = None,
) -> MarketAccounts:
    """The process level of the process sheet `processes` (`processes.py`), and the rest of
    each enterprise-period (formula (4)); `enterprise_rows`: the activity (its measured NCVs).
    Problems of the process sheet are raised apart from the activity's, to be placed in it."""
    if processes is None:
        return result
    reference = reference or default_reference()
    table = account_processes(processes, result.method, enterprise_rows, enterprises, reference)
    known = set(zip(result.totals["enterprise_id"], result.totals["period"], strict=True))
    stray = sorted(set(zip(table["enterprise_id"], table["period"], strict=True)) - known)
    if stray:
        raise InputError(
            [
                Problem.of(
                    Place(column="period", field=code),
                    N_(
                        "the process sheet has {} {} but the activity has no such enterprise "
                        "and period: the processes are part of the enterprise's own account"
                    ),
                    code,
                    period,
                )
                for code, period in stray
            ]
        )
    summed = table.groupby(["enterprise_id", "period"], as_index=False).agg(
        processes_co2_t=("co2_t", "sum")
    )
    base = result.totals.drop(columns=["processes_co2_t", "other_co2_t"], errors="ignore")
    totals = base.merge(summed, on=["enterprise_id", "period"], how="left")
    totals["processes_co2_t"] = totals["processes_co2_t"].fillna(0.0)
    totals["other_co2_t"] = totals["co2_t"] - totals["processes_co2_t"]
    return replace(result, totals=totals, processes=table)
