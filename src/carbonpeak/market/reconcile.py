"""One upload, both regimes: the MIIT accounts and the carbon market's, reconciled (issue 21,
part 4).

The same activity rows are accounted five times, each run changing one thing from the one
before, so that every line's difference between the two accounts splits into named parts that
add up to it exactly:

1. the MIIT account (the 2013 guidelines' methods and defaults, `AccountingOptions()`);
2. **method**: fuels counted as the guideline counts them (its whole carbon, without an
   oxidation factor, where the guideline is a mass balance);
3. **measured**: measured values the guideline does not accept replaced by its defaults;
4. **factors**: the guideline's default parameters and factors (its parameter set and factor
   bases, the edition of the factors) instead of the 2013 guidelines';
5. **boundary**: the lines outside the guideline's boundary (purchased electricity and heat)
   and materials it does not list left out; this run is the market's account.

An energy manager answers both ministries from one set of numbers: each row says by how much
and why the two figures of a source stream differ.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np
import pandas as pd

from carbonpeak.accounting.engine import account
from carbonpeak.accounting.factors import AccountingOptions
from carbonpeak.errors import N_
from carbonpeak.market.methods import MarketMethod, method_for, prepare
from carbonpeak.reference.loader import Reference, default_reference

STEPS = ("method", "measured", "factors", "boundary")
REASONS = {
    "method": N_("method: the guideline counts a fuel's whole carbon, without an oxidation factor"),
    "measured": N_(
        "data: a measured value the guideline does not accept was replaced by its default"
    ),
    "factors": N_(
        "factor edition: the guideline's default parameters and factors instead of the MIIT "
        "accounts' (the 2013 guidelines)"
    ),
    "boundary": N_(
        "boundary: purchased electricity and heat, and materials the guideline does not list, "
        "are outside the market's account"
    ),
}
GROUP = ["enterprise_id", "period", "stream", "item", "direction"]


@dataclass
class Reconciliation:
    """`streams`: per enterprise, period and source stream (stream, item, direction): the MIIT
    account's CO2e (`miit_co2e_t`), the part of the difference of each step (`STEPS`, in t),
    and the market's CO2 (`market_co2_t`); `totals`: the same by enterprise and period."""

    method: MarketMethod
    streams: pd.DataFrame
    totals: pd.DataFrame


def reconcile(
    activity: pd.DataFrame,
    sector: str,
    enterprises: pd.DataFrame | None = None,
    reference: Reference | None = None,
    miit: AccountingOptions | None = None,
) -> Reconciliation:
    """The MIIT account and the market's of the same rows, their difference by named step."""
    ref = reference or default_reference()
    miit = miit or AccountingOptions()
    method = method_for(activity, sector, ref)
    prepared = prepare(activity, method, ref)
    full = prepared.blanked
    market = method.options()
    runs = [
        (full_rows(activity, full), miit),
        (full_rows(activity, full), _replace(miit, oxidation=method.oxidation)),
        (full, _replace(miit, oxidation=method.oxidation)),
        (
            full,
            _replace(
                market,
                process_bases=(method.process_basis, *miit.process_bases),
                electricity_method=miit.electricity_method,
                electricity_basis=miit.electricity_basis,
                grid_year=miit.grid_year,
                gwp=miit.gwp,
            ),
        ),
    ]
    figures = []
    lines = None
    for rows, options in runs:
        result = account(rows, enterprises, options, ref).lines
        lines = result if lines is None else lines
        figures.append(result["co2e_t"].to_numpy(dtype=float))
    final = np.zeros(len(full))
    if prepared.keep.any():
        final[prepared.keep] = (
            account(prepared.rows, enterprises, market, ref).lines["co2e_t"].to_numpy(dtype=float)
        )
    figures.append(final)
    assert lines is not None
    frame = lines[GROUP].copy()
    for column in ("enterprise_id", "period", "stream", "item", "direction"):
        frame[column] = frame[column].astype(str).str.strip()
    frame["miit_co2e_t"] = figures[0]
    for step, (before, after) in zip(STEPS, pairwise(figures), strict=True):
        frame[step] = after - before
    frame["market_co2_t"] = figures[-1]
    numbers = ["miit_co2e_t", *STEPS, "market_co2_t"]
    streams = frame.groupby(GROUP, sort=True, as_index=False)[numbers].sum()
    totals = frame.groupby(["enterprise_id", "period"], sort=True, as_index=False)[numbers].sum()
    return Reconciliation(method, streams, totals)


def full_rows(activity: pd.DataFrame, blanked: pd.DataFrame) -> pd.DataFrame:
    """The activity as given, with the row numbers `prepare` gave it."""
    data = activity.copy()
    data["row"] = blanked["row"].to_numpy()
    return data


def _replace(options: AccountingOptions, **changes: object) -> AccountingOptions:
    return replace(options, **changes)  # type: ignore[arg-type]
