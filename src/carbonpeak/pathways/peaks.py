"""Peak detection of yearly series (per sector, region and scenario).

The peak is the year of the maximum (the first, if it repeats) and its value; a series has
`already_peaked` when its maximum is in its first year and `not_yet_peaked` when it is in its
last; the plateau is the years whose value is within `plateau` (a fraction, 2 % by default) of
the peak; the values of chosen years (2025, 2030, 2060) are reported where the series has them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

REPORT_YEARS = (2025, 2030, 2060)


def peak(years: np.ndarray, values: np.ndarray, plateau: float = 0.02) -> dict[str, Any]:
    """The peak of one series (years ascending, no gaps required)."""
    order = np.argsort(years)
    years, values = np.asarray(years)[order], np.asarray(values, dtype=float)[order]
    if len(years) == 0:
        raise ValueError("an empty series has no peak")
    index = int(np.argmax(values))
    top = float(values[index])
    near = np.abs(values - top) <= plateau * abs(top)
    return {
        "peak_year": int(years[index]),
        "peak_value": top,
        "already_peaked": index == 0,
        "not_yet_peaked": index == len(years) - 1,
        "plateau_years": [int(y) for y in years[near]],
        "values": {
            str(y): float(values[years == y][0]) for y in REPORT_YEARS if (years == y).any()
        },
    }


def peaks(
    table: pd.DataFrame, value: str, groups: list[str], plateau: float = 0.02
) -> list[dict[str, Any]]:
    """The peak of each group's series (`year` and `value` columns)."""
    out = []
    keyed = table.groupby(groups, sort=True) if groups else [((), table)]
    for key, rows in keyed:
        names = key if isinstance(key, tuple) else (key,)
        found = peak(rows["year"].to_numpy(), rows[value].to_numpy(), plateau)
        out.append({**dict(zip(groups, names, strict=True)), **found})
    return out
