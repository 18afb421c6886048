"""Roll accounts up: enterprise -> industry -> region -> total, with one grouping vocabulary.

`roll_up(totals, enterprises, by=[...], freq="year")` sums energy and emissions of the
enterprise-period totals of an accounting run by any of

    enterprise_id, industry_code, industry_division (first two digits), region_code,
    province_code (first two digits + 0000)

and by reporting `period` as reported (`freq="as_reported"`) or by calendar year
(`freq="year"`, which adds the months of a year). Uncertainty is propagated (IPCC Approach 1
for sums). An empty `by` gives the total. The parts of any grouping add up to the whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from carbonpeak.accounting.engine import TOTAL_COLUMNS
from carbonpeak.errors import CarbonpeakError

GROUPINGS = ("enterprise_id", "industry_code", "industry_division", "region_code", "province_code")


def roll_up(
    totals: pd.DataFrame,
    enterprises: pd.DataFrame | None = None,
    *,
    by: Sequence[str] = (),
    freq: Literal["as_reported", "year"] = "year",
) -> pd.DataFrame:
    """Sums of `totals` (from `Accounts.totals`) by the groupings in `by` and by `freq`."""
    unknown = [b for b in by if b not in GROUPINGS]
    if unknown:
        raise CarbonpeakError(
            f"cannot group by {', '.join(unknown)}; groupings: {', '.join(GROUPINGS)}"
        )
    frame = totals.copy()
    needs = {"industry_code", "industry_division", "region_code", "province_code"} & set(by)
    if needs:
        if enterprises is None:
            raise CarbonpeakError(
                f"grouping by {', '.join(sorted(needs))} needs the enterprises table"
            )
        attributes = enterprises.astype(str).drop_duplicates("enterprise_id")
        attributes = attributes.set_index("enterprise_id").reindex(
            columns=["region_code", "industry_code"]
        )
        frame = frame.join(attributes, on="enterprise_id")
        frame["region_code"] = frame["region_code"].fillna("unknown")
        frame["industry_code"] = frame["industry_code"].fillna("unknown")
        frame["province_code"] = np.where(
            frame["region_code"] == "unknown", "unknown", frame["region_code"].str[:2] + "0000"
        )
        frame["industry_division"] = np.where(
            frame["industry_code"] == "unknown", "unknown", frame["industry_code"].str[:2]
        )
    if freq == "year":
        frame["period"] = frame["period"].str[:4]
    frame["_variance"] = (frame["co2e_t"] * frame["uncertainty_pct"] / 100.0) ** 2
    keys = [*by, "period"]
    grouped = frame.groupby(keys, sort=True)
    out = grouped[list(TOTAL_COLUMNS)].sum()
    out["enterprises"] = grouped["enterprise_id"].nunique()
    variance = grouped["_variance"].sum()
    out["uncertainty_pct"] = np.where(
        out["co2e_t"] != 0, 100.0 * np.sqrt(variance) / out["co2e_t"].abs(), 0.0
    )
    return out.reset_index()
