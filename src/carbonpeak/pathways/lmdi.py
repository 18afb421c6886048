"""Index decomposition by the logarithmic mean Divisia index (LMDI; Ang 2005, Ang 2015).

The aggregate is V = sum_i V_i with V_i the product of the sector's factors; it changes from
period 0 to period T. With L(a, b) = (a - b) / (ln a - ln b) and L(a, a) = a:

- LMDI-I additive: dV_k = sum_i L(V_i^T, V_i^0) ln(x_ki^T / x_ki^0); sum_k dV_k = V^T - V^0;
- LMDI-I multiplicative: D_k = exp(dV_k / L(V^T, V^0)); prod_k D_k = V^T / V^0;
- LMDI-II (Ang and Choi 1997): weights w_i = L(s_i^T, s_i^0) / sum_j L(s_j^T, s_j^0) on the
  shares s_i = V_i / V; D_k = exp(sum_i w_i ln(x_ki^T / x_ki^0)) and
  dV_k = L(V^T, V^0) ln D_k.

Zero values (LMDI-I) take the analytic limits (Wood and Lenzen 2006): a sector zero in both
periods contributes nothing; a sector that appears (V_i^0 = 0) gives all of V_i^T to the
factor(s) that were zero, split equally among them, and nothing to the others; one that
disappears gives -V_i^0 the same way. LMDI-II is refused with zeros.

Groups (a `group` column: sectors within industries) give the effects per group; LMDI-I
additive effects of the groups add up to the total's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.errors import N_, CarbonpeakError, InputError, Place, Problem

METHODS = ("lmdi1", "lmdi2")


def logmean(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """L(a, b) elementwise, with L(a, a) = a and L(a, 0) = 0."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (a - b) / (np.log(a) - np.log(b))
    value = np.where(np.isclose(a, b, rtol=1e-12, atol=0.0), a, value)
    return np.where((a == 0) | (b == 0), 0.0, value)


def check_table(
    table: pd.DataFrame, factors: list[str], group: str | None = None
) -> tuple[pd.DataFrame, list[Problem], tuple[str, str]]:
    """The table made tidy (factors as numbers), every problem by row and column, and the two
    periods (base first)."""
    needed = ["sector", "period", *factors, *([group] if group else [])]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        return (
            table,
            [Problem.of(Place(row=1, column=c), N_("required column is missing")) for c in missing],
            ("", ""),
        )
    rows = table["row"].to_numpy() if "row" in table.columns else np.arange(2, len(table) + 2)
    tidy = pd.DataFrame(
        {
            "sector": table["sector"].fillna("").astype(str).str.strip(),
            "period": table["period"].fillna("").astype(str).str.strip(),
        }
    )
    if group:
        tidy["group"] = table[group].fillna("").astype(str).str.strip()
    problems = []
    for factor in factors:
        text = table[factor].fillna("").astype(str).str.strip()
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna() | (values < 0)
        for row, shown in zip(rows[bad.to_numpy()], text[bad], strict=True):
            problems.append(
                Problem.of(
                    Place(row=int(row), column=factor),
                    N_("{!r} is not a number of 0 or more"),
                    shown,
                )
            )
        tidy[factor] = values
    periods = sorted(set(tidy["period"]), key=_period_key)
    if len(periods) != 2:
        problems.append(
            Problem.of(
                Place(row=1, column="period"),
                N_("give exactly two periods (the earlier is the base), not {}"),
                len(periods),
            )
        )
        return tidy, problems, ("", "")
    repeated = tidy[["sector", "period"]].duplicated(keep="first")
    for row, sector in zip(rows[repeated.to_numpy()], tidy["sector"][repeated], strict=True):
        problems.append(
            Problem.of(
                Place(row=int(row), column="sector"),
                N_("sector {!r} repeats in its period"),
                sector,
            )
        )
    both = tidy.groupby("sector")["period"].nunique()
    for sector in both[both < 2].index:
        row = int(rows[(tidy["sector"] == sector).to_numpy()][0])
        problems.append(
            Problem.of(
                Place(row=row, column="period"),
                N_("sector {!r} needs a row in both periods (0 for an absent one)"),
                sector,
            )
        )
    return tidy, problems, (periods[0], periods[1])


def _period_key(text: str) -> tuple[int, float | str]:
    try:
        return (0, float(text))
    except ValueError:
        return (1, text)


def decompose(
    tidy: pd.DataFrame, factors: list[str], periods: tuple[str, str], method: str = "lmdi1"
) -> dict[str, Any]:
    """The additive and multiplicative effects of each factor, the total change and ratio."""
    if method not in METHODS:
        raise CarbonpeakError(f"method {method!r}: one of {', '.join(METHODS)}")
    base, end = periods
    first = tidy[tidy["period"] == base].set_index("sector")[factors].sort_index()
    last = tidy[tidy["period"] == end].set_index("sector")[factors].sort_index()
    x0: np.ndarray = first.to_numpy(dtype=float)
    xt: np.ndarray = last.loc[first.index].to_numpy(dtype=float)
    v0: np.ndarray = x0.prod(axis=1)
    vt: np.ndarray = xt.prod(axis=1)
    total0, total_t = float(v0.sum()), float(vt.sum())
    if method == "lmdi1":
        additive = _lmdi1(x0, xt, v0, vt)
    else:
        if (x0 == 0).any() or (xt == 0).any():
            raise InputError(
                [Problem(Place(field="method"), "LMDI-II takes no zero values: use lmdi1")]
            )
        additive = _lmdi2(x0, xt, v0, vt, total0, total_t)
    scale = float(logmean(np.array([total_t]), np.array([total0]))[0])
    if method == "lmdi1":
        multiplicative = np.exp(additive / scale) if scale > 0 else np.full(len(factors), np.nan)
    else:
        multiplicative = np.exp(additive / scale)
    return {
        "method": method,
        "base": base,
        "end": end,
        "additive": {f: float(v) for f, v in zip(factors, additive, strict=True)},
        "multiplicative": {
            f: (float(v) if np.isfinite(v) else None)
            for f, v in zip(factors, multiplicative, strict=True)
        },
        "total_change": total_t - total0,
        "ratio": total_t / total0 if total0 else None,
    }


def _lmdi1(x0: np.ndarray, xt: np.ndarray, v0: np.ndarray, vt: np.ndarray) -> np.ndarray:
    weight = logmean(vt, v0)
    effects = np.zeros(x0.shape[1])
    for i in range(x0.shape[0]):
        if v0[i] > 0 and vt[i] > 0:
            effects += weight[i] * np.log(xt[i] / x0[i])
        elif v0[i] == 0 and vt[i] > 0:  # appears: the factors that were zero take all of it
            zero = x0[i] == 0
            effects[zero] += vt[i] / zero.sum()
        elif vt[i] == 0 and v0[i] > 0:  # disappears
            zero = xt[i] == 0
            effects[zero] -= v0[i] / zero.sum()
    return effects


def _lmdi2(
    x0: np.ndarray, xt: np.ndarray, v0: np.ndarray, vt: np.ndarray, total0: float, total_t: float
) -> np.ndarray:
    shares = logmean(vt / total_t, v0 / total0)
    weights = shares / shares.sum()
    log_index = (weights[:, None] * np.log(xt / x0)).sum(axis=0)
    scale = float(logmean(np.array([total_t]), np.array([total0]))[0])
    return np.asarray(scale * log_index)


def decompose_groups(
    tidy: pd.DataFrame, factors: list[str], periods: tuple[str, str], method: str = "lmdi1"
) -> dict[str, Any]:
    """The decomposition of the whole and of each group (multi-level: sectors within groups)."""
    out = decompose(tidy, factors, periods, method)
    out["groups"] = {
        str(name): decompose(rows, factors, periods, method)
        for name, rows in tidy.groupby("group", sort=True)
    }
    return out
