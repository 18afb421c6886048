"""Economic lines of the activity table: an enterprise-period's industrial value added.

Value added (工业增加值) is reported in the activity table like any other quantity, as stream
`economic`, item `value_added`, in a unit of money (`10^4 yuan`, `万元`, `元`, `亿元`; its
default unit is 10^4 yuan):

    enterprise_id, period, stream,   item,        direction, amount, unit
    9133...,       2025-03, economic, value_added, in,        1250,   10^4 yuan

It costs no energy and emits nothing; the accounts carry it as `value_added_10k_yuan` (None
when not reported), the denominator of intensities (t CO2 or tce per 10^4 yuan) and of the
carbon-efficiency grade (`benchmarking/carbon_efficiency.py`). One line per enterprise and
period, not negative, direction `in` (or blank).

The checks here need the rows (an enterprise-period's count); `activity.check_normalised`
runs them with its own.
"""

from __future__ import annotations

import pandas as pd

from carbonpeak.errors import N_, Place, Problem

STREAM = "economic"
VALUE_ADDED = "value_added"
VALUE_ADDED_COLUMN = "value_added_10k_yuan"


def check_economic(data: pd.DataFrame) -> list[Problem]:
    """Problems of the economic lines of a normalised activity table (with its `row`
    column): value added reported twice for one enterprise and period (at each line after the
    first; only when the table has `enterprise_id`) and economic lines with direction `out`."""
    economic = data[data["stream"] == STREAM]
    if economic.empty:
        return []
    problems = [
        Problem.of(
            Place(row=int(row), column="direction"),
            N_("value added takes no direction 'out': report it as 'in' or leave it blank"),
        )
        for row in economic.loc[economic["direction"] == "out", "row"]
    ]
    if "enterprise_id" not in economic.columns:  # the engine's distinct keys: no rows to count
        return problems
    value_added = economic[economic["item"] == VALUE_ADDED]
    keys = value_added[["enterprise_id", "period"]].astype(str)
    twice = keys.duplicated(keep="first")
    for row, code, period in zip(
        value_added.loc[twice, "row"],
        keys.loc[twice, "enterprise_id"],
        keys.loc[twice, "period"],
        strict=True,
    ):
        problems.append(
            Problem.of(
                Place(row=int(row), column="item"),
                N_("value added of {} for {} is reported twice: give one line"),
                code,
                period,
            )
        )
    return problems
