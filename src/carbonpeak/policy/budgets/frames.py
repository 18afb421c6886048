"""The input frames of budget tracking (policy/budgets/tracking.py) as arrays: monthly frames
read and restricted to the months counted, the enterprises each budget sums, and sums of
enterprise-month values into a budgets x 12 grid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from carbonpeak.errors import N_, Place, Problem
from carbonpeak.policy.budgets.model import Budget, region_prefix


def monthly(
    frame: pd.DataFrame | None, columns: Sequence[str], name: str, years: set[int], as_of: date
) -> tuple[pd.DataFrame, list[Problem]]:
    """The rows of a monthly frame with `year` and `month` from `period`, restricted to the
    budgets' years and the months counted by as_of; problems for missing columns and periods
    that are not YYYY-MM."""
    if frame is None:
        empty = {c: pd.Series(dtype=float) for c in columns}
        empty.update({c: pd.Series(dtype=object) for c in ("enterprise_id", "period", "item")})
        empty.update({c: pd.Series(dtype=int) for c in ("year", "month")})
        return pd.DataFrame(empty)[[*columns, "year", "month"]], []
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        return frame, [
            Problem.of(Place(file=name, column=c), N_("required column is missing"))
            for c in missing
        ]
    out = frame.loc[:, list(columns)].copy()
    out["enterprise_id"] = out["enterprise_id"].astype(str)
    # few distinct periods among many rows: each is read once
    codes, distinct = pd.factorize(out["period"])
    text = pd.Series([str(d).strip() for d in distinct] + [""], dtype=object)
    read = text.str.extract(r"^(\d{4})-(\d{2})$")
    at = np.where(codes >= 0, codes, len(distinct))
    period = pd.Series(text.to_numpy()[at], index=out.index)
    year = pd.Series(pd.to_numeric(read[0], errors="coerce").to_numpy()[at], index=out.index)
    month = pd.Series(pd.to_numeric(read[1], errors="coerce").to_numpy()[at], index=out.index)
    bad = year.isna() | ~month.between(1, 12)
    problems = [
        Problem.of(Place(file=name, row=int(i) + 2, column="period"), N_("{!r} is not YYYY-MM"), p)
        for i, p in zip(np.flatnonzero(bad.to_numpy()), period[bad], strict=True)
    ]
    for column in columns:
        if column not in ("enterprise_id", "period", "item"):
            out[column] = pd.to_numeric(out[column], errors="coerce")
    out["year"] = year.fillna(0).astype(int)
    out["month"] = month.fillna(0).astype(int)
    counted = (out["year"] < as_of.year) | (
        (out["year"] == as_of.year) & (out["month"] <= as_of.month)
    )
    keep = ~bad & counted & out["year"].isin(years)
    return out[keep], problems


def memberships(
    budgets: Sequence[Budget], enterprise_regions: Mapping[str, str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """(budget index, enterprise id) of every enterprise a budget sums, and the count per
    budget: an enterprise budget its enterprise, a region budget the enterprises of
    `enterprise_regions` inside its region."""
    n = len(budgets)
    scope = np.array([b.scope for b in budgets])
    codes = np.array([b.code for b in budgets], dtype=object)
    index = np.arange(n)
    own = pd.DataFrame(
        {"b": index[scope == "enterprise"], "enterprise_id": codes[scope == "enterprise"]}
    )
    regions = pd.DataFrame(
        {"enterprise_id": list(enterprise_regions), "region": list(enterprise_regions.values())},
        dtype=object,
    )
    parts = [own]
    region_index = index[scope == "region"]
    if len(region_index) and not regions.empty:
        prefixes = pd.DataFrame(
            {"b": region_index, "prefix": [region_prefix(str(codes[i])) for i in region_index]}
        )
        prefixes["length"] = prefixes["prefix"].str.len()
        for length in sorted(set(prefixes["length"])):
            group = prefixes[prefixes["length"] == length]
            keyed = regions.assign(prefix=regions["region"].astype(str).str[:length])
            parts.append(keyed.merge(group[["b", "prefix"]], on="prefix")[["b", "enterprise_id"]])
    members = pd.concat(parts, ignore_index=True)
    members["b"] = members["b"].astype(int)
    counts = np.bincount(members["b"].to_numpy(), minlength=n)
    return members, counts


def grid(rows: pd.DataFrame, values: np.ndarray, n: int) -> np.ndarray:
    """Sum `values` (NaN as 0) into a budgets x 12 array by the rows' `b` and `month`."""
    flat = rows["b"].to_numpy() * 12 + rows["month"].to_numpy() - 1
    weights = np.nan_to_num(values.astype(float))
    return np.bincount(flat, weights=weights, minlength=n * 12).reshape(n, 12)
