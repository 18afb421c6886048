"""STIRPAT with ridge regression: the elasticities of emissions to their drivers (population,
GDP per capita, industry share, energy mix, ...), and a back-test on history.

STIRPAT (Dietz & Rosa 1997, PNAS 94:175; docs/notes/pathways_and_scale.md §1.4):
`ln I = a + Σ_k b_k ln X_k + e`, optionally with `(ln X_k)^2` terms for an environmental
Kuznets shape. The drivers move together (GDP per capita and industry share, for instance),
so ordinary least squares gives unstable signs; ridge regression (the usual remedy, §1.4) minimises
`|y - a - Zβ|^2 + λ|β|^2` on the standardised logarithms Z, with `a` not penalised, and
`β = V diag(s / (s^2 + λ)) U'y` from the singular values of Z. Unless given, λ minimises
generalised cross-validation, `GCV(λ) = n |y - ŷ|^2 / (n - df)^2` with
`df = Σ s^2 / (s^2 + λ)` (Golub, Heath & Wahba 1979). The elasticity of driver k is
`β_k / sd(ln X_k)`.

The fit is correlational: an elasticity says how emissions moved with a driver in the data, not
what changing the driver would do. Every result says so.

The back-test fits on the years up to a split year and predicts the later years from their
observed drivers: the mean absolute percentage error and the peak of the prediction against the
observed peak.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.pathways.peaks import peak

CAVEAT = (
    "correlational: the elasticities describe how emissions moved with the drivers in these "
    "data, not the effect of changing a driver"
)
LAMBDAS = np.logspace(-4, 3, 71)


def check(table: pd.DataFrame, target: str, drivers: list[str]) -> list[Problem]:
    """Columns present and positive numbers (logarithms are taken), by row and column."""
    problems = [
        Problem(Place(column=c), "missing column") for c in [target, *drivers] if c not in table
    ]
    if problems:
        return problems
    for column in [target, *drivers]:
        values = pd.to_numeric(table[column], errors="coerce")
        for index in np.flatnonzero(~(values > 0).to_numpy())[:20]:
            problems.append(
                Problem(Place(row=int(index) + 2, column=column), "not a positive number")
            )
    if not problems and len(table) < len(drivers) + 2:
        problems.append(
            Problem(Place(), f"{len(table)} rows for {len(drivers)} drivers: too few to fit")
        )
    return problems


def _design(table: pd.DataFrame, drivers: list[str], squares: list[str]) -> np.ndarray:
    logs = [np.log(table[d].to_numpy(float)) for d in drivers]
    logs += [np.log(table[d].to_numpy(float)) ** 2 for d in squares]
    return np.asarray(np.column_stack(logs))


def fit(
    table: pd.DataFrame,
    target: str,
    drivers: list[str],
    squares: list[str] | None = None,
    ridge: float | None = None,
) -> dict[str, Any]:
    """The ridge STIRPAT fit: elasticities, intercept, λ, R², the drivers' variance inflation
    factors (how collinear they are) and the caveat."""
    squares = squares or []
    problems = check(table, target, drivers)
    if problems:
        raise InputError(problems)
    x = _design(table, drivers, squares)
    y = np.log(table[target].to_numpy(float))
    mean, scale = x.mean(axis=0), x.std(axis=0)
    constant = scale == 0
    if constant.any():
        names = [*drivers, *(f"{d}^2" for d in squares)]
        raise InputError(
            [
                Problem(Place(column=names[i]), "constant: nothing to fit")
                for i in np.flatnonzero(constant)
            ]
        )
    z = (x - mean) / scale
    yc = y - y.mean()
    u, s, vt = np.linalg.svd(z, full_matrices=False)
    uy = u.T @ yc

    def coefficients(lam: float) -> np.ndarray:
        return np.asarray(vt.T @ (s / (s**2 + lam) * uy))

    if ridge is None:
        n = len(y)
        scores = []
        for lam in LAMBDAS:
            residual = yc - z @ coefficients(lam)
            df = float(np.sum(s**2 / (s**2 + lam)))
            scores.append(n * float(residual @ residual) / max(n - df, 1e-9) ** 2)
        ridge = float(LAMBDAS[int(np.argmin(scores))])
    beta = coefficients(ridge) / scale
    intercept = float(y.mean() - mean @ beta)
    fitted = intercept + x @ beta
    r2 = 1 - float(np.sum((y - fitted) ** 2)) / float(np.sum(yc**2)) if yc.any() else 1.0
    names = [*drivers, *(f"{d}^2" for d in squares)]
    return {
        "target": target,
        "elasticities": {n: float(b) for n, b in zip(names, beta, strict=True)},
        "intercept": intercept,
        "ridge": ridge,
        "r2": r2,
        "vif": _vif(z, names),
        "rows": len(y),
        "caveat": CAVEAT,
        "_squares": squares,
    }


def _vif(z: np.ndarray, names: list[str]) -> dict[str, float | None]:
    """Variance inflation factors: 1 / (1 - R²) of each standardised driver on the others."""
    out: dict[str, float | None] = {}
    for k, name in enumerate(names):
        others = np.delete(z, k, axis=1)
        if others.shape[1] == 0:
            out[name] = 1.0
            continue
        coef, *_ = np.linalg.lstsq(others, z[:, k], rcond=None)
        residual = z[:, k] - others @ coef
        r2 = 1 - float(residual @ residual) / float(z[:, k] @ z[:, k])
        out[name] = float(1 / (1 - r2)) if r2 < 1 - 1e-12 else None
    return out


def predict(model: dict[str, Any], table: pd.DataFrame) -> np.ndarray:
    """Emissions predicted from drivers (the fit's columns in `table`)."""
    names = [n for n in model["elasticities"] if not n.endswith("^2")]
    x = _design(table, names, model["_squares"])
    coefficients = np.array(list(model["elasticities"].values()), dtype=float)
    return np.asarray(np.exp(model["intercept"] + x @ coefficients))


def backtest(
    table: pd.DataFrame,
    target: str,
    drivers: list[str],
    split: int,
    squares: list[str] | None = None,
    ridge: float | None = None,
) -> dict[str, Any]:
    """Fit on the years up to `split`, predict the later years from their drivers; the error
    and the peaks of the whole observed and predicted series (`year` column)."""
    if "year" not in table:
        raise InputError([Problem(Place(column="year"), "missing column")])
    years = pd.to_numeric(table["year"], errors="coerce").to_numpy()
    train, test = table[years <= split], table[years > split]
    if test.empty:
        raise InputError([Problem(Place(field="split"), f"no year after {split} to test on")])
    model = fit(train, target, drivers, squares, ridge)
    predicted = predict(model, test)
    observed = test[target].to_numpy(float)
    whole_predicted = np.concatenate([train[target].to_numpy(float), predicted])
    return {
        "model": {k: v for k, v in model.items() if not k.startswith("_")},
        "split": split,
        "mape": float(np.mean(np.abs(predicted / observed - 1))),
        "predicted": {str(int(y)): float(v) for y, v in zip(test["year"], predicted, strict=True)},
        "observed_peak": peak(years, table[target].to_numpy(float)),
        "predicted_peak": peak(years, whole_predicted),
    }
