"""Nowcast of an enterprise's energy and CO2 for the months it has not reported yet, from its
meters: what budget tracking uses between a month's end and the month's report.

For each enterprise under online monitoring and each month it has not reported, up to the day
asked for (`as_of`, a China Standard Time day):

1. **Metered to date**: the sum of the meters' daily roll-up (tce, t CO2) over the month's days
   up to `as_of`. Days without any reading are filled at the mean of the days with readings
   (the days elapsed over the days metered), and the filled part counts as estimated.
2. **Coverage**: meters rarely measure every carrier, so the metered figure is scaled by the
   enterprise's ratio of reported to metered use, month by month, over its last
   `CALIBRATION_MONTHS` months that have both a report and a full month of readings:
   k = mean of the monthly ratios. Without any such month, k = 1 (the meters are taken as
   complete) and the result says so.
3. **Uncertainty**: low/high = the scaled metered figure x (k -/+ 2 s), s the sample standard
   deviation of the monthly ratios (at least 3 months); with fewer, no bounds are given and
   the result says so. The metered share is the metered-to-date figure over the nowcast.

Inputs are plain frames (the services take the daily roll-up from the lake and the reports
from the stored accounts), so the method is tested on hand-worked numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.domain.warnings import ResultWarning, warn

CALIBRATION_MONTHS = 12
MIN_SPREAD_MONTHS = 3  # a standard deviation needs a few ratios to mean anything
SPREAD = 2.0  # bounds at the mean ratio -/+ 2 standard deviations
QUANTITIES = {"energy": ("energy", "tce"), "co2": ("co2", "t")}
COLUMNS = (
    "enterprise_id",
    "period",
    "days_elapsed",
    "days_metered",
    "calibration_months",
    *(
        f"{quantity}{part}_{unit}"
        for quantity, unit in (("energy", "tce"), ("co2", "t"))
        for part in ("", "_metered", "_low", "_high")
    ),
    "metered_share",
)


@dataclass
class Nowcast:
    """One row per enterprise and unreported month (`COLUMNS`; the low/high columns are NaN
    where no bounds could be given), and the warnings."""

    table: pd.DataFrame
    as_of: date
    warnings: list[ResultWarning] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        rows = self.table.replace({np.nan: None}).to_dict(orient="records")
        return {
            "as_of": self.as_of.isoformat(),
            "rows": rows,
            "warnings": [w.as_dict() for w in self.warnings],
        }


def _period(days: pd.Series) -> pd.Series:
    """`YYYY-MM` of each day, each distinct day formatted once."""
    distinct = pd.Series(pd.unique(days))
    labels = pd.to_datetime(distinct).dt.strftime("%Y-%m")
    return days.map(dict(zip(distinct, labels, strict=True)))


def nowcast(daily: pd.DataFrame, reported: pd.DataFrame, as_of: date) -> Nowcast:
    """The nowcast of each enterprise's unreported months of `as_of`'s year up to `as_of`.

    `daily`: the meters' roll-up by enterprise and day (`enterprise_id, day, energy_tce,
    co2_t`); `reported`: the enterprise's monthly accounts (`enterprise_id, period, energy_tce,
    co2_t`, period `YYYY-MM`)."""
    daily = daily.loc[pd.to_datetime(daily["day"]).dt.date <= as_of].copy()
    daily["period"] = _period(daily["day"])
    months = (
        daily.groupby(["enterprise_id", "period"], observed=True)
        .agg(
            days_metered=("day", "nunique"),
            energy_metered_tce=("energy_tce", "sum"),
            co2_metered_t=("co2_t", "sum"),
        )
        .reset_index()
    )
    start = date(as_of.year, 1, 1)
    months = months.loc[months["period"] >= f"{start:%Y-%m}"]
    stamps = pd.to_datetime(months["period"] + "-01")
    length = stamps.dt.days_in_month.to_numpy()
    current = months["period"] == f"{as_of:%Y-%m}"
    months = months.assign(days_elapsed=np.where(current, as_of.day, length))
    done = pd.MultiIndex.from_frame(reported[["enterprise_id", "period"]])
    unreported = ~pd.MultiIndex.from_frame(months[["enterprise_id", "period"]]).isin(done)
    ratios = _ratios(daily, reported)
    targets = months.loc[unreported].merge(ratios, on="enterprise_id", how="left")
    fill = targets["days_elapsed"] / targets["days_metered"]
    warnings: list[ResultWarning] = []
    for quantity, (name, unit) in QUANTITIES.items():
        metered = targets[f"{name}_metered_{unit}"]
        k = targets[f"k_{quantity}"].fillna(1.0)
        s = targets[f"s_{quantity}"].where(targets["calibration_months"] >= MIN_SPREAD_MONTHS)
        scaled = metered * fill
        targets[f"{name}_{unit}"] = scaled * k
        targets[f"{name}_low_{unit}"] = (scaled * (k - SPREAD * s)).clip(lower=0.0)
        targets[f"{name}_high_{unit}"] = scaled * (k + SPREAD * s)
    targets["calibration_months"] = targets["calibration_months"].fillna(0).astype(int)
    total = targets["co2_t"].where(targets["co2_t"] > 0)
    targets["metered_share"] = (targets["co2_metered_t"] / total).clip(upper=1.0)
    uncalibrated = sorted(set(targets.loc[targets["calibration_months"] == 0, "enterprise_id"]))
    if uncalibrated:
        warnings.append(
            warn("monitoring.nowcast.uncalibrated", enterprises=", ".join(uncalibrated))
        )
    unbounded = targets["calibration_months"].between(1, MIN_SPREAD_MONTHS - 1)
    if unbounded.any():
        names = ", ".join(sorted(set(targets.loc[unbounded, "enterprise_id"])))
        warnings.append(
            warn("monitoring.nowcast.no_bounds", enterprises=names, months=MIN_SPREAD_MONTHS)
        )
    table = targets.loc[:, list(COLUMNS)].sort_values(["enterprise_id", "period"])
    return Nowcast(table.reset_index(drop=True), as_of, warnings)


def _ratios(daily: pd.DataFrame, reported: pd.DataFrame) -> pd.DataFrame:
    """Per enterprise: the mean and the sample standard deviation of reported over metered,
    over its last `CALIBRATION_MONTHS` reported months with a reading on every day."""
    full = (
        daily.groupby(["enterprise_id", "period"], observed=True)
        .agg(
            days=("day", "nunique"),
            energy_metered_tce=("energy_tce", "sum"),
            co2_metered_t=("co2_t", "sum"),
        )
        .reset_index()
    )
    length = pd.to_datetime(full["period"] + "-01").dt.days_in_month
    full = full.loc[full["days"] == length]
    both = full.merge(reported, on=["enterprise_id", "period"])
    both = (
        both.sort_values(["enterprise_id", "period"])
        .groupby("enterprise_id")
        .tail(CALIBRATION_MONTHS)
    )
    for quantity, (name, unit) in QUANTITIES.items():
        metered = both[f"{name}_metered_{unit}"]
        both[f"r_{quantity}"] = both[f"{name}_{unit}"] / metered.where(metered > 0)
    grouped = both.groupby("enterprise_id")
    out = pd.DataFrame(
        {
            "calibration_months": grouped.size(),
            "k_energy": grouped["r_energy"].mean(),
            "s_energy": grouped["r_energy"].std(ddof=1),
            "k_co2": grouped["r_co2"].mean(),
            "s_co2": grouped["r_co2"].std(ddof=1),
        }
    )
    return out.reset_index()
