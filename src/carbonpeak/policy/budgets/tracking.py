"""Budgets tracked month by month: what each month allows, what was reported or nowcast, the
shares of the year elapsed and used, and the year-end projected along the profile
(docs/notes/design18.md "Tracking").

For a budget and a month counted by `as_of` (the months of the budget's year up to as_of's
month; a month in progress counts its figure as month-to-date):

    used(m)        = reported(m) where reported, else nowcast(m)   (per enterprise)
    allowed(m)     = implied cap x weight(m)                        (the profile)
    elapsed_share  = sum_m weight(m) x elapsed fraction of m by the end of as_of
    judged_share   = the same sum over the months with a figure (reported or nowcast, of at
                     least one enterprise) only: the share of the year the use to date
                     covers. Reports come a month or more after the month, so the months
                     not yet reported nor nowcast count as not yet judged, not as months
                     that used nothing; elapsed_share - judged_share is the reporting lag
    used_share     = sum used / implied cap
    recent pace    = used / allowed-to-date over the months with a figure among the last 3
                     months through the last month with a figure
    projected      = sum used + recent pace x implied cap x (1 - judged_share): the months
                     not yet judged (those still to come and those without a figure yet) at
                     the recent months' pace against the profile (sum used once every month
                     of the year has a full figure); so `projection` (projected / cap)
                     differs from `pace` (used share / judged share, alerts.py) when the
                     recent months run faster or slower than the year so far
    projected_share= projected / implied cap
    intensity      = sum reported use / sum denominator, over the enterprise-months that
                     report both (value added, or the output of the budget's item)

The low and high bounds take the nowcast's bounds for the months nowcast. The nowcast's
metered part (`co2_metered_t` / `energy_metered_tce` of `monitoring.nowcast`, where the frame
has them: the meters' own figure to date, at most the nowcast) and its estimated part (the
rest: days without readings filled and the coverage ratio applied) are carried per month
(`nowcast_metered`, `nowcast_estimated`) and to date. A month without any
figure counts nothing (and the status says so in a warning); a budget without any figure to
date has no use, shares or projection (NaN), not zeros. A region budget's use
is the sum over the platform's enterprises whose region lies in the budget's region (prefix
rule), which is not the region's whole use: each region status says so in a warning.

Everything is computed on arrays (budgets x 12 months) with one pass over the enterprise-month
rows; nothing loops over enterprises in Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.errors import InputError
from carbonpeak.policy.budgets.frames import grid, memberships, monthly
from carbonpeak.policy.budgets.model import (
    Budget,
    elapsed_fractions,
    month_weights,
)
from carbonpeak.policy.budgets.results import (
    MONTH_FRAME_COLUMNS,
    MONTH_STATUSES,
    BudgetStatus,
    BudgetTracking,
    statuses,
)
from carbonpeak.reference.loader import Reference

RECENT_MONTHS = 3

__all__ = [
    "METERED_COLUMNS",
    "MONTH_FRAME_COLUMNS",
    "MONTH_STATUSES",
    "NOWCAST_COLUMNS",
    "OUTPUT_COLUMNS",
    "USE_COLUMNS",
    "BudgetStatus",
    "BudgetTracking",
    "track",
]

USE_COLUMNS = ("enterprise_id", "period", "co2_t", "energy_tce", "value_added_10k_yuan")
OUTPUT_COLUMNS = ("enterprise_id", "period", "item", "amount")
NOWCAST_COLUMNS = (
    "enterprise_id",
    "period",
    "co2_t",
    "co2_low_t",
    "co2_high_t",
    "energy_tce",
    "energy_low_tce",
    "energy_high_tce",
)
METERED_COLUMNS = ("co2_metered_t", "energy_metered_tce")
"""Optional nowcast columns: the meters' own part of the nowcast (monitoring.nowcast)."""
_COLUMNS = {
    "co2": ("co2_t", "co2_low_t", "co2_high_t", "co2_metered_t"),
    "energy": ("energy_tce", "energy_low_tce", "energy_high_tce", "energy_metered_tce"),
}
# -- tracking ------------------------------------------------------------------------------


def track(
    budgets: Sequence[Budget],
    use: pd.DataFrame,
    output: pd.DataFrame | None,
    nowcast: pd.DataFrame | None,
    as_of: date,
    enterprise_regions: Mapping[str, str],
    reference: Reference,
) -> BudgetTracking:
    """Track `budgets` as of the end of `as_of` (module doc).

    `use`: reported monthly figures (`USE_COLUMNS`; value_added_10k_yuan may be blank);
    `output`: reported output by product item (`OUTPUT_COLUMNS`, amount in the item's
    default unit), or None; `nowcast`: figures of monitored enterprises for months not yet
    reported (`NOWCAST_COLUMNS`, and `METERED_COLUMNS` where known), or None;
    `enterprise_regions`: USCC -> region code of the platform's enterprises. Enterprise ids
    are USCCs. `InputError` for missing columns and periods that are not YYYY-MM."""
    budgets = list(budgets)
    n = len(budgets)
    years = {b.year for b in budgets}
    reported, p1 = monthly(use, USE_COLUMNS, "use", years, as_of)
    produced, p2 = monthly(output, OUTPUT_COLUMNS, "output", years, as_of)
    metered = [c for c in METERED_COLUMNS if nowcast is not None and c in nowcast.columns]
    nowcasts, p3 = monthly(nowcast, (*NOWCAST_COLUMNS, *metered), "nowcast", years, as_of)
    for column in METERED_COLUMNS:
        if column not in nowcasts.columns:
            nowcasts[column] = np.nan
    if p1 + p2 + p3:
        raise InputError(p1 + p2 + p3)
    keys = ["enterprise_id", "year", "month"]
    reported = reported.groupby(keys, as_index=False).sum(min_count=1, numeric_only=True)
    nowcasts = nowcasts.groupby(keys, as_index=False).sum(min_count=1, numeric_only=True)
    rows = reported.drop(columns=["period"], errors="ignore").merge(
        nowcasts.drop(columns=["period"], errors="ignore"),
        on=keys,
        how="outer",
        suffixes=("", "_nowcast"),
    )
    members, counts = memberships(budgets, enterprise_regions)
    members["year"] = np.array([b.year for b in budgets], dtype=int)[members["b"].to_numpy()]
    rows = members.merge(rows, on=["enterprise_id", "year"])
    co2 = np.array([b.quantity == "co2" for b in budgets], dtype=bool)[rows["b"].to_numpy()]

    def pick(column: int, suffix: str = "") -> np.ndarray:
        """Per row, column 0 (value), 1 (low), 2 (high) or 3 (metered) of the row's budget
        quantity."""
        names = [f"{_COLUMNS[q][column]}{suffix}" for q in ("co2", "energy")]
        return np.where(co2, rows[names[0]], rows[names[1]]).astype(float)

    rep = pick(0)
    nc_value, nc_low, nc_high = pick(0, "_nowcast"), pick(1), pick(2)
    has_rep = ~np.isnan(rep)
    nc_used = np.where(has_rep, np.nan, nc_value)
    has_nc = ~np.isnan(nc_used)
    low = np.where(has_rep, rep, np.where(np.isnan(nc_low), nc_used, nc_low))
    high = np.where(has_rep, rep, np.where(np.isnan(nc_high), nc_used, nc_high))
    nc_metered = np.where(has_nc, np.minimum(pick(3), nc_used), np.nan)
    has_metered = ~np.isnan(nc_metered)

    g_rep = grid(rows, rep, n)
    g_nc = grid(rows, nc_used, n)
    g_low = grid(rows, low, n)
    g_high = grid(rows, high, n)
    n_rep = grid(rows, has_rep.astype(float), n)
    n_nc = grid(rows, has_nc.astype(float), n)
    g_metered = grid(rows, nc_metered, n)
    # a month's metered part is known when every nowcast enterprise-month of it has one
    n_metered = grid(rows, has_metered.astype(float), n)

    num, den = _denominators(budgets, rows, rep, produced, members, n)

    weights = np.array([month_weights(b) for b in budgets]).reshape(n, 12)
    caps = np.array([b.implied_cap for b in budgets], dtype=float)
    fractions = np.array([elapsed_fractions(b.year, as_of) for b in budgets]).reshape(n, 12)
    counted = _counted(budgets, as_of)
    elapsed = (weights * fractions).sum(axis=1)
    allowed = caps[:, None] * weights
    used = g_rep + g_nc
    members_n = counts[:, None].astype(float)
    have = n_rep + n_nc
    status = np.select(
        [~counted, (have == 0), (have < members_n), (n_rep == members_n)],
        ["future", "missing", "incomplete", "reported"],
        default="nowcast",
    )

    figure = counted & (have > 0)  # months with a figure of at least one enterprise
    judged_share = (weights * fractions * figure).sum(axis=1)
    metered_known = n_metered == n_nc
    months = _month_frame(budgets, allowed, g_rep, g_nc, g_low, g_high, counted, figure)
    months["enterprises_reported"] = np.where(counted, n_rep, np.nan).ravel()
    months["enterprises_nowcast"] = np.where(counted, n_nc, np.nan).ravel()
    months["enterprises_missing"] = np.where(counted, members_n - have, np.nan).ravel()
    months["denominator"] = np.where(counted & (den > 0), den, np.nan).ravel()
    months["status"] = status.ravel()
    known = figure & metered_known
    months["nowcast_metered"] = np.where(known, g_metered, np.nan).ravel()
    months["nowcast_estimated"] = np.where(known, g_nc - g_metered, np.nan).ravel()

    totals = {
        "used": np.where(counted, used, 0).sum(axis=1),
        "reported": np.where(counted, g_rep, 0).sum(axis=1),
        "nowcast": np.where(counted, g_nc, 0).sum(axis=1),
        "low": np.where(counted, g_low, 0).sum(axis=1),
        "high": np.where(counted, g_high, 0).sum(axis=1),
        "nowcast_metered": np.where(counted, g_metered, 0).sum(axis=1),
        "num": np.where(counted, num, 0).sum(axis=1),
        "den": np.where(counted, den, 0).sum(axis=1),
    }
    nothing = ~figure.any(axis=1)  # no figure at all to date: unknown, not zero
    for name in ("used", "reported", "nowcast", "low", "high", "nowcast_metered"):
        totals[name] = np.where(nothing, np.nan, totals[name])
    # the metered part to date is known when every counted month's is
    totals["nowcast_metered"] = np.where(
        (counted & ~metered_known).any(axis=1), np.nan, totals["nowcast_metered"]
    )
    totals["nowcast_estimated"] = totals["nowcast"] - totals["nowcast_metered"]
    recent = figure & _recent(figure)
    due = (allowed * fractions * recent).sum(axis=1)  # what the recent months allowed to date
    remaining = caps * (1.0 - judged_share)
    full = judged_share >= 1.0 - 1e-12  # every month of the year judged in full
    with np.errstate(divide="ignore", invalid="ignore"):
        projected, projected_low, projected_high = (
            np.where(
                full,
                totals[name],
                totals[name] + (grid * recent).sum(axis=1) / due * remaining,
            )
            for name, grid in (("used", used), ("low", g_low), ("high", g_high))
        )
        projected, projected_low, projected_high = (
            np.where((judged_share > 0) & ((due > 0) | full), p, np.nan)
            for p in (projected, projected_low, projected_high)
        )
    judged = statuses(
        budgets,
        as_of,
        enterprise_regions,
        caps,
        (elapsed, judged_share),
        totals,
        (projected, projected_low, projected_high),
        counts,
        status,
    )
    return BudgetTracking(
        as_of=as_of,
        months=months,
        statuses=judged,
        reference_rows=_reference_rows(budgets, reference),
        reference_digest=reference.digest,
    )


def _recent(figure: np.ndarray) -> np.ndarray:
    """budgets x 12: the last `RECENT_MONTHS` months through the last month with a figure
    (the recent pace; `figure`: budgets x 12, whether a counted month has a figure)."""
    months = np.arange(1, 13)[None, :]
    last = np.where(figure, months, 0).max(axis=1)[:, None]
    recent: np.ndarray = (months <= last) & (months > last - RECENT_MONTHS)
    return recent


def _counted(budgets: Sequence[Budget], as_of: date) -> np.ndarray:
    """budgets x 12: whether each month is counted by as_of."""
    years = np.array([b.year for b in budgets], dtype=int)[:, None]
    months = np.arange(1, 13)[None, :]
    counted: np.ndarray = (years < as_of.year) | ((years == as_of.year) & (months <= as_of.month))
    return counted


def _denominators(
    budgets: Sequence[Budget],
    rows: pd.DataFrame,
    rep: np.ndarray,
    produced: pd.DataFrame,
    members: pd.DataFrame,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """budgets x 12: the reported use of the enterprise-months that report a denominator,
    and that denominator (value added, or the output of the budget's item); zeros for
    budgets without an intensity."""
    basis = np.array([b.basis if b.intensity is not None else None for b in budgets])
    on_va = basis[rows["b"].to_numpy()] == "value_added" if len(rows) else np.zeros(0, bool)
    va = rows["value_added_10k_yuan"].to_numpy(dtype=float) if len(rows) else np.zeros(0)
    both = on_va & ~np.isnan(rep) & ~np.isnan(va)
    num = grid(rows, np.where(both, rep, 0), n)
    den = grid(rows, np.where(both, va, 0), n)
    product = [i for i, b in enumerate(budgets) if basis[i] == "product"]
    if product and not produced.empty:
        items = pd.DataFrame({"b": product, "item": [budgets[i].item for i in product]})
        amounts = produced.groupby(["enterprise_id", "year", "month", "item"], as_index=False)[
            "amount"
        ].sum(min_count=1)
        keyed = rows.assign(rep=rep)[["b", "enterprise_id", "year", "month", "rep"]]
        keyed = keyed.merge(items, on="b").merge(
            amounts, on=["enterprise_id", "year", "month", "item"]
        )
        both_p = ~keyed["rep"].isna().to_numpy() & ~keyed["amount"].isna().to_numpy()
        num += grid(keyed, np.where(both_p, keyed["rep"], 0), n)
        den += grid(keyed, np.where(both_p, keyed["amount"], 0), n)
    return num, den


def _month_frame(
    budgets: Sequence[Budget],
    allowed: np.ndarray,
    g_rep: np.ndarray,
    g_nc: np.ndarray,
    g_low: np.ndarray,
    g_high: np.ndarray,
    counted: np.ndarray,
    figure: np.ndarray,
) -> pd.DataFrame:
    """One row per budget and month; the figures blank for months after as_of and for
    months without any figure, the cumulative use running over the months counted."""
    n = len(budgets)
    ids = np.repeat(np.array([b.budget_id for b in budgets], dtype=object), 12)
    month = np.tile(np.arange(1, 13), n)
    labels = {y: [f"{y}-{m:02d}" for m in range(1, 13)] for y in {b.year for b in budgets}}
    period = np.array([labels[b.year] for b in budgets], dtype=object).reshape(n * 12)
    used = np.where(figure, g_rep + g_nc, np.nan)
    return pd.DataFrame(
        {
            "budget_id": ids,
            "period": period,
            "month": month,
            "allowed": allowed.ravel(),
            "reported": np.where(figure, g_rep, np.nan).ravel(),
            "nowcast": np.where(figure, g_nc, np.nan).ravel(),
            "used": used.ravel(),
            "used_low": np.where(figure, g_low, np.nan).ravel(),
            "used_high": np.where(figure, g_high, np.nan).ravel(),
            "cumulative_allowed": allowed.cumsum(axis=1).ravel(),
            "cumulative_used": np.where(
                counted, np.nan_to_num(used).cumsum(axis=1), np.nan
            ).ravel(),
        }
    )


def _reference_rows(budgets: Sequence[Budget], reference: Reference) -> tuple[dict[str, Any], ...]:
    """The rows of the items table behind the product denominators."""
    out = []
    for item in sorted({b.item for b in budgets if b.basis == "product" and b.item}):
        for record in reference.rows("items", item=item):
            out.append(
                {
                    "table": "items",
                    "key": {"item": item},
                    "line": record.line,
                    "default_unit": str(record.get("default_unit")),
                    "source_id": str(record.get("source_id")),
                    "status": str(record.get("status")),
                }
            )
    return tuple(out)
