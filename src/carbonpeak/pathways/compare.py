"""Why two pathways differ: LMDI over the routes of every sector and region
(docs/notes/pathways_and_scale.md §1.1-1.2, the industrial identity with the fuel terms folded
into the intensity).

Each route i of a sector s has `CO2_i = Q_s x S_i x I_i`: the sector's activity `Q_s`, the
route's share of it `S_i = output_i / Q_s` and its emission intensity `I_i = CO2_i / output_i`
(fuel mix, fuel factors and process emissions included). Between two points (a scenario in a
year against another scenario or year) the change of total CO2 is split into activity,
structure and intensity effects by `lmdi.decompose`. A route without output at one point takes
its intensity from the other (its effect then goes to structure, by the analytic limit); a
route without output at both points is left out. A share below 1e-12 counts as no output; a
sector without activity at one point is treated as absent there (its activity taken from the
other point, its shares zero), so a sector phased out or brought in shows as structure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.pathways.lmdi import decompose

FACTORS = ["activity", "structure", "intensity"]
TINY = 1e-12


def _point(routes: pd.DataFrame, scenario: str, year: int, label: str) -> pd.DataFrame:
    if routes.empty:
        raise InputError([Problem(Place(field=label), "the run projected no route")])
    rows = routes[(routes["scenario"] == scenario) & (routes["year"] == year)]
    if rows.empty:
        known = sorted(set(routes["scenario"])) if not routes.empty else []
        raise InputError(
            [
                Problem(
                    Place(field=label),
                    f"no projection of {scenario!r} in {year} (scenarios: {', '.join(known)})",
                )
            ]
        )
    key = rows["region"] + "|" + rows["sector"] + "|" + rows["route"]
    activity = rows["activity"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "sector": key.to_numpy(),
                # a sector without activity here is like one that is not there
                "activity": np.where(activity > 0, activity, np.nan),
                "structure": (rows["output"] / rows["activity"]).to_numpy(float),
                "intensity": (rows["co2"] / rows["output"]).to_numpy(float),
            }
        )


def compare(
    routes: pd.DataFrame,
    base: tuple[str, int],
    other: tuple[str, int],
    method: str = "lmdi1",
) -> dict[str, Any]:
    """The LMDI decomposition of the CO2 change from `base` (scenario, year) to `other`."""
    first = _point(routes, *base, "base").set_index("sector")
    last = _point(routes, *other, "other").set_index("sector")
    keys = first.index.union(last.index)
    first, last = first.reindex(keys), last.reindex(keys)
    for frame in (first, last):  # a share below 1e-12 is no output (subnormal products lose
        frame.loc[frame["structure"] < TINY, "structure"] = 0.0  # the identity's precision)
    for frame, against in ((first, last), (last, first)):
        missing = frame["activity"].isna()
        frame.loc[missing, "activity"] = against.loc[missing, "activity"]
        frame.loc[missing, ["structure"]] = 0.0
    both = first["activity"].isna()  # no activity at either point: nothing to decompose
    first, last = first[~both], last[~both]
    for frame, against in ((first, last), (last, first)):
        unknown = ~np.isfinite(frame["intensity"])
        frame.loc[unknown, "intensity"] = against.loc[unknown, "intensity"]
    keep = np.isfinite(first["intensity"]) & np.isfinite(last["intensity"])
    tidy = pd.concat(
        [first[keep].assign(period="base"), last[keep].assign(period="other")]
    ).reset_index()
    result = decompose(tidy, FACTORS, ("base", "other"), method)
    result["base"] = {"scenario": base[0], "year": base[1]}
    result["end"] = {"scenario": other[0], "year": other[1]}
    return result
