"""Energy performance (ISO 50006 EnPIs, measurement and verification): regression baselines of
energy on its drivers (production, heating and cooling degree days), their validity gates, and
savings in a reporting period.

The model is ordinary least squares, energy = intercept + sum(coefficient x driver), fitted on
the baseline period. The thresholds are rows of the reference table `monitoring_parameters`:

- data sufficiency, before fitting: more points than parameters, no constant driver, a daily
  baseline with readings on at least 90 % of the days of its span (CalTRACK 2.0 §2.2.1.2), a
  monthly baseline of at least 12 months;
- validity, after the US Superior Energy Performance rules as EnPI Lite states them: the
  overall F test p < 0.10, every driver p < 0.20, at least one driver p < 0.10, R2 >= 0.5; a
  model that fails any is disqualified, says why, and refuses to predict unless asked to;
- fit statistics: CV(RMSE) = sqrt(SSE / (n - c)) / mean(energy) and NMBE = sum(energy -
  predicted) / ((n - c) x mean(energy)), c the number of drivers (CalTRACK 2.0 §4.3.2.2); above
  the ASHRAE Guideline 14 limits (a criterion for calibrated simulations) they give a warning;
- prediction: a reporting period whose mean of a driver lies outside both the baseline's range
  and its mean +- 3 standard deviations gets a warning (the SEP relevant-variable rule);
- savings = predicted - actual; CUSUM = running sum of (actual - predicted), so a falling
  CUSUM means less energy than the baseline predicts; the fractional savings uncertainty
  FSU = t x (a M^2 + b M + d) x CV(RMSE) x sqrt(n / n' x (1 + 2 / n') / Q) / F, n' = n (1 - rho)
  / (1 + rho) with rho the lag-1 autocorrelation of the baseline residuals, M the months and Q
  the points of the reporting period, t at 90 % two-sided with n - c degrees of freedom
  (CalTRACK 2.0 §4.3.2.4, a modified ASHRAE Guideline 14 formula).

`fit_many` fits thousands of models of the same shape at once with NumPy (one batched solve),
which is what makes portfolio-wide baselines cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from carbonpeak.domain.warnings import ResultWarning, records, warn
from carbonpeak.errors import N_, CarbonpeakError, Place, Problem
from carbonpeak.reference.loader import Reference

_PARAMETERS = (
    "model_p_max",
    "variable_p_max",
    "best_variable_p_max",
    "r2_min",
    "driver_sd_range",
    "cvrmse_max_monthly",
    "nmbe_max_monthly",
    "cvrmse_max_hourly",
    "nmbe_max_hourly",
    "daily_coverage_min",
    "monthly_points_min",
    "fsu_daily_a",
    "fsu_daily_b",
    "fsu_daily_d",
    "fsu_billing_a",
    "fsu_billing_b",
    "fsu_billing_d",
    "fsu_confidence",
    "residual_z_max",
)


class ModelDisqualified(CarbonpeakError):
    """A prediction was asked of a model that failed its validity gates."""


@dataclass(frozen=True)
class ModelRules:
    """The thresholds of `_PARAMETERS`, by name."""

    values: dict[str, float]

    @classmethod
    def of(cls, reference: Reference) -> ModelRules:
        return cls(
            {
                name: float(reference.lookup("monitoring_parameters", parameter=name).value)
                for name in _PARAMETERS
            }
        )

    def __getitem__(self, name: str) -> float:
        return self.values[name]


@dataclass
class Batch:
    """Fits of many models of the same drivers: arrays with the models on axis 0."""

    coefficients: np.ndarray  # (m, p), the intercept first
    std_errors: np.ndarray  # (m, p)
    p_values: np.ndarray  # (m, p)
    r2: np.ndarray
    f_p_value: np.ndarray
    cvrmse: np.ndarray
    nmbe: np.ndarray
    rho: np.ndarray  # lag-1 autocorrelation of the residuals
    s: np.ndarray  # standard error of the regression
    n: int
    mean: np.ndarray


def fit_many(x: np.ndarray, y: np.ndarray) -> Batch:
    """Ordinary least squares of each y[i] (n points) on its drivers x[i] (n, c), with an
    intercept; x may be (n, c) shared by all models or (m, n, c)."""
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        y = y[None, :]
    m, n = y.shape
    x = np.asarray(x, dtype=float)
    if x.ndim == 2:
        x = np.broadcast_to(x, (m, *x.shape))
    c = x.shape[2]
    design = np.concatenate([np.ones((m, n, 1)), x], axis=2)
    p = c + 1
    gram = np.einsum("mnp,mnq->mpq", design, design)
    try:
        inverse = np.linalg.inv(gram)
    except np.linalg.LinAlgError:  # a driver without variation in some model
        inverse = np.linalg.pinv(gram)
    beta = np.einsum("mpq,mnq,mn->mp", inverse, design, y)
    fitted = np.einsum("mnp,mp->mn", design, beta)
    residual = y - fitted
    sse = np.einsum("mn,mn->m", residual, residual)
    mean = y.mean(axis=1)
    sst = np.einsum("mn,mn->m", y - mean[:, None], y - mean[:, None])
    dof = n - p
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma2 = sse / dof
        std_errors = np.sqrt(np.einsum("mpp->mp", inverse) * sigma2[:, None])
        t_values = beta / std_errors
        p_values = 2.0 * stats.t.sf(np.abs(t_values), dof)
        r2 = np.where(sst > 0, 1.0 - sse / sst, np.nan)
        f_stat = ((sst - sse) / c) / sigma2 if c else np.full(m, np.nan)
        f_p = stats.f.sf(f_stat, c, dof) if c else np.full(m, np.nan)
        cvrmse = np.sqrt(sse / (n - c)) / mean
        nmbe = residual.sum(axis=1) / ((n - c) * mean)
        lagged = np.einsum("mn,mn->m", residual[:, 1:], residual[:, :-1])
        rho = np.where(sse > 0, lagged / sse, 0.0)
    return Batch(beta, std_errors, p_values, r2, f_p, cvrmse, nmbe, rho, np.sqrt(sigma2), n, mean)


@dataclass
class Model:
    """A fitted baseline: coefficients by name (`intercept` first), its statistics, why it is
    disqualified (`disqualification`: the gates it fails; `valid` when there are none) and
    `warnings` that do not disqualify it, as eemeter keeps them apart."""

    energy: str
    drivers: list[str]
    granularity: str  # day or month
    baseline: tuple[date, date]
    n: int
    coefficients: dict[str, float] | None = None
    p_values: dict[str, float] | None = None
    r2: float | None = None
    f_p_value: float | None = None
    cvrmse: float | None = None
    nmbe: float | None = None
    rho: float | None = None
    s: float | None = None
    disqualification: list[ResultWarning] = field(default_factory=list)
    warnings: list[ResultWarning] = field(default_factory=list)
    driver_stats: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.disqualification

    def predict(self, data: pd.DataFrame, allow_invalid: bool = False) -> np.ndarray:
        """Predicted energy of each row of `data` (its drivers' columns)."""
        if self.coefficients is None or (not self.valid and not allow_invalid):
            reasons = "; ".join(w.message for w in self.disqualification)
            raise ModelDisqualified(
                f"the baseline model is disqualified ({reasons}); "
                "predict with allow_invalid=True (CLI: --allow-invalid) to use it anyway"
            )
        result = np.full(len(data), self.coefficients["intercept"])
        for name in self.drivers:
            result = result + self.coefficients[name] * data[name].to_numpy(dtype=float)
        return result

    def as_dict(self) -> dict[str, Any]:
        def rounded(value: float | None, digits: int = 6) -> float | None:
            if value is None or not np.isfinite(value):
                return None
            return float(f"{value:.{digits}g}")

        return {
            "energy": self.energy,
            "drivers": self.drivers,
            "granularity": self.granularity,
            "baseline": {"from": self.baseline[0].isoformat(), "to": self.baseline[1].isoformat()},
            "n": self.n,
            "coefficients": (
                {k: rounded(v, 8) for k, v in self.coefficients.items()}
                if self.coefficients
                else None
            ),
            "p_values": (
                {k: rounded(v) for k, v in self.p_values.items()} if self.p_values else None
            ),
            "r2": _fixed(self.r2),
            "f_p_value": rounded(self.f_p_value),
            "cvrmse": _fixed(self.cvrmse),
            "nmbe": _fixed(self.nmbe),
            "valid": self.valid,
            # the dict form lists every warning, disqualifying ones first, as before the split
            "warnings": records([*self.disqualification, *self.warnings]),
            "disqualification": [w.code for w in self.disqualification],
        }


def _fixed(value: float | None, digits: int = 6) -> float | None:
    """A statistic rounded to `digits` decimals (so that 3e-15 reads 0.0)."""
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits) + 0.0


def granularity_of(periods: pd.Series) -> str:
    """`month` when every period is the first of a month and they are a month or more apart,
    else `day`."""
    times = pd.to_datetime(periods)
    if len(times) > 1 and (times.dt.day == 1).all() and times.diff().dropna().min().days >= 28:
        return "month"
    return "day"


def fit(
    data: pd.DataFrame,
    energy: str,
    drivers: list[str],
    rules: ModelRules,
    *,
    baseline: tuple[date, date] | None = None,
    date_column: str = "period",
) -> Model:
    """Fit the baseline model of `energy` on `drivers` over the rows of `data` whose
    `date_column` (the day, or the first day of the month, each row is the energy of) lies in
    `baseline` (default: all rows)."""
    frame = data.sort_values(date_column)
    times = pd.to_datetime(frame[date_column])
    if baseline is not None:
        inside = (times >= pd.Timestamp(baseline[0])) & (times <= pd.Timestamp(baseline[1]))
        frame, times = frame[inside], times[inside]
    warnings: list[ResultWarning] = []
    usable = frame[[energy, *drivers]].notna().all(axis=1)
    if (~usable).any():
        warnings.append(warn("monitoring.enpi.rows_without_values", rows=int((~usable).sum())))
    frame, times = frame[usable], times[usable]
    granularity = granularity_of(frame[date_column]) if len(frame) else "day"
    span = (
        (times.min().date(), times.max().date())
        if len(frame)
        else (baseline or (date.min, date.min))
    )
    n = len(frame)

    disqualification: list[ResultWarning] = []

    def refuse(code: str, **data: Any) -> None:
        disqualification.append(warn(code, **data))

    p = len(drivers) + 1
    if n <= p + 1:
        refuse("monitoring.enpi.too_few_points", n=n, parameters=p)
    elif granularity == "month" and n < rules["monthly_points_min"]:
        refuse("monitoring.enpi.too_few_months", n=n, minimum=int(rules["monthly_points_min"]))
    elif granularity == "day":
        days = (span[1] - span[0]).days + 1
        coverage = n / days
        if coverage < rules["daily_coverage_min"]:
            refuse(
                "monitoring.enpi.daily_coverage",
                coverage=round(coverage, 4),
                days=days,
                minimum=rules["daily_coverage_min"],
            )
    constant = [d for d in drivers if n and frame[d].nunique() < 2]
    for name in constant:
        refuse("monitoring.enpi.constant_driver", driver=name)
    if n <= p or constant:
        return Model(
            energy,
            drivers,
            granularity,
            span,
            n,
            disqualification=disqualification,
            warnings=warnings,
        )
    x = frame[drivers].to_numpy(dtype=float)
    y = frame[energy].to_numpy(dtype=float)
    batch = fit_many(x, y)
    names = ["intercept", *drivers]
    coefficients = dict(zip(names, batch.coefficients[0].tolist(), strict=True))
    p_values = dict(zip(names, batch.p_values[0].tolist(), strict=True))
    r2, f_p = float(batch.r2[0]), float(batch.f_p_value[0])
    if not f_p < rules["model_p_max"]:
        refuse("monitoring.enpi.model_p_value", p_value=f_p, maximum=rules["model_p_max"])
    for name in drivers:
        if not p_values[name] < rules["variable_p_max"]:
            refuse(
                "monitoring.enpi.variable_p_value",
                driver=name,
                p_value=p_values[name],
                maximum=rules["variable_p_max"],
            )
    if drivers and not min(p_values[d] for d in drivers) < rules["best_variable_p_max"]:
        refuse("monitoring.enpi.no_significant_driver", maximum=rules["best_variable_p_max"])
    if not r2 >= rules["r2_min"]:
        refuse("monitoring.enpi.r2", r2=r2, minimum=rules["r2_min"])
    kind = "monthly" if granularity == "month" else "hourly"
    cvrmse, nmbe = float(batch.cvrmse[0]), float(batch.nmbe[0])
    if cvrmse > rules[f"cvrmse_max_{kind}"]:
        warnings.append(
            warn(
                "monitoring.enpi.cvrmse_above_limit",
                cvrmse=cvrmse,
                limit=rules[f"cvrmse_max_{kind}"],
                kind=kind,
            )
        )
    if abs(nmbe) > rules[f"nmbe_max_{kind}"]:
        warnings.append(
            warn(
                "monitoring.enpi.nmbe_above_limit",
                nmbe=nmbe,
                limit=rules[f"nmbe_max_{kind}"],
                kind=kind,
            )
        )
    driver_stats = {
        d: {
            "min": float(frame[d].min()),
            "max": float(frame[d].max()),
            "mean": float(frame[d].mean()),
            "sd": float(frame[d].std(ddof=1)),
        }
        for d in drivers
    }
    return Model(
        energy,
        drivers,
        granularity,
        span,
        n,
        coefficients=coefficients,
        p_values=p_values,
        r2=r2,
        f_p_value=f_p,
        cvrmse=cvrmse,
        nmbe=nmbe,
        rho=float(batch.rho[0]),
        s=float(batch.s[0]),
        disqualification=disqualification,
        warnings=warnings,
        driver_stats=driver_stats,
    )


def savings(
    model: Model,
    data: pd.DataFrame,
    rules: ModelRules,
    *,
    date_column: str = "period",
    allow_invalid: bool = False,
) -> dict[str, Any]:
    """Savings of the rows of `data` (the reporting period) against the model: per row the
    actual, predicted, savings and CUSUM; totals, the SEP improvement (1 - actual/predicted),
    the FSU at the rules' confidence, and warnings (drivers outside the baseline's range)."""
    frame = data.sort_values(date_column)
    frame = frame[frame[[model.energy, *model.drivers]].notna().all(axis=1)]
    predicted = model.predict(frame, allow_invalid=allow_invalid)
    actual = frame[model.energy].to_numpy(dtype=float)
    warnings: list[ResultWarning] = []
    for name, seen in model.driver_stats.items():
        mean = float(frame[name].mean()) if len(frame) else float("nan")
        reach = rules["driver_sd_range"] * seen["sd"]
        in_range = seen["min"] <= mean <= seen["max"]
        near = abs(mean - seen["mean"]) <= reach
        if len(frame) and not (in_range or near):
            warnings.append(
                warn(
                    "monitoring.enpi.driver_out_of_range",
                    driver=name,
                    mean=mean,
                    sds=rules["driver_sd_range"],
                )
            )
    total_predicted, total_actual = float(predicted.sum()), float(actual.sum())
    saved = total_predicted - total_actual
    fraction = saved / total_predicted if total_predicted else float("nan")
    q = len(frame)
    months = pd.to_datetime(frame[date_column]).dt.to_period("M").nunique() if q else 0
    fsu = _fsu(model, rules, months, q, fraction)
    cusum = np.cumsum(actual - predicted)
    rows = [
        {
            "period": pd.Timestamp(t).date().isoformat(),
            "actual": round(float(a), 6),
            "predicted": round(float(b), 6),
            "savings": round(float(b - a), 6),
            "cusum": round(float(c), 6),
        }
        for t, a, b, c in zip(frame[date_column], actual, predicted, cusum, strict=True)
    ]
    return {
        "n": q,
        "actual": round(total_actual, 6),
        "predicted": round(total_predicted, 6),
        "savings": round(saved, 6),
        "savings_fraction": round(fraction, 6) if np.isfinite(fraction) else None,
        "enpi": round(total_actual / total_predicted, 6) if total_predicted else None,
        "improvement": round(fraction, 6) if np.isfinite(fraction) else None,
        "fsu": round(fsu, 6) if fsu is not None and np.isfinite(fsu) else None,
        "confidence": rules["fsu_confidence"],
        "rows": rows,
        "warnings": records(warnings),
    }


def _fsu(model: Model, rules: ModelRules, months: int, q: int, fraction: float) -> float | None:
    if model.cvrmse is None or model.rho is None or not q or not fraction:
        return None
    kind = "billing" if model.granularity == "month" else "daily"
    a, b, d = (rules[f"fsu_{kind}_{x}"] for x in "abd")
    n = model.n
    rho = min(max(model.rho, -0.99), 0.99)
    effective = n * (1 - rho) / (1 + rho)
    dof = n - len(model.drivers)
    t = float(stats.t.ppf(0.5 + rules["fsu_confidence"] / 2, dof))
    spread = (a * months**2 + b * months + d) * model.cvrmse
    return float(t * spread * np.sqrt(n / effective * (1 + 2 / effective) / q) / abs(fraction))


def residual_anomalies(
    model: Model,
    data: pd.DataFrame,
    rules: ModelRules,
    *,
    date_column: str = "period",
    allow_invalid: bool = False,
) -> list[dict[str, Any]]:
    """Rows whose energy is more than `residual_z_max` standard errors of the regression from
    the model's prediction, with the score (the standardised residual) and the reason."""
    if model.s is None or not model.s > 0:
        return []
    frame = data.sort_values(date_column)
    frame = frame[frame[[model.energy, *model.drivers]].notna().all(axis=1)]
    predicted = model.predict(frame, allow_invalid=allow_invalid)
    actual = frame[model.energy].to_numpy(dtype=float)
    score = (actual - predicted) / model.s
    limit = rules["residual_z_max"]
    return [
        {
            "period": pd.Timestamp(t).date().isoformat(),
            "actual": round(float(a), 6),
            "predicted": round(float(b), 6),
            "score": round(float(z), 3),
            "reason": (
                f"{'above' if z > 0 else 'below'} the model's prediction by {abs(z):.1f} "
                f"standard errors (limit {limit:g})"
            ),
        }
        for t, a, b, z in zip(frame[date_column], actual, predicted, score, strict=True)
        if abs(z) > limit
    ]


def degree_days(temperature: pd.Series, base: float, kind: str) -> pd.Series:
    """Heating (`hdd`: base - T) or cooling (`cdd`: T - base) degree days of daily mean
    temperatures, zero where negative."""
    values = base - temperature if kind == "hdd" else temperature - base
    return values.clip(lower=0.0)


def check_table(
    table: pd.DataFrame, date_column: str, columns: list[str], unique: bool = True
) -> tuple[pd.DataFrame, list[Problem]]:
    """A table of `date_column` (a date, YYYY-MM-DD or YYYY-MM; each once if `unique`) and numeric
    `columns` made tidy, and every problem by row and column."""
    missing = [c for c in (date_column, *columns) if c not in table.columns]
    if missing:
        return table, [
            Problem.of(Place(row=1, column=c), N_("required column is missing")) for c in missing
        ]
    rows = table["row"].to_numpy() if "row" in table.columns else np.arange(2, len(table) + 2)
    tidy = pd.DataFrame(index=table.index)
    problems = []
    text = table[date_column].fillna("").astype(str).str.strip()
    times = pd.to_datetime(text, format="ISO8601", errors="coerce")
    for row, shown in zip(rows[times.isna().to_numpy()], text[times.isna()], strict=True):
        problems.append(
            Problem.of(Place(row=int(row), column=date_column), N_("{!r} is not a date"), shown)
        )
    tidy[date_column] = times
    for column in columns:
        raw = table[column]
        if raw.dtype.kind in "fi":
            values = raw.astype(float)
        else:
            blank = raw.fillna("").astype(str).str.strip()
            values = pd.to_numeric(blank, errors="coerce")
            bad = (values.isna() & (blank != "")).to_numpy()
            for row, shown in zip(rows[bad], blank[bad], strict=True):
                problems.append(
                    Problem.of(
                        Place(row=int(row), column=column), N_("{!r} is not a number"), shown
                    )
                )
        infinite = np.isinf(values.to_numpy(dtype=float))
        for row, shown in zip(rows[infinite], raw[infinite], strict=True):
            problems.append(
                Problem.of(
                    Place(row=int(row), column=column), N_("{!r} is not a finite number"), shown
                )
            )
        tidy[column] = values
    repeated = times.duplicated(keep="first") & times.notna() & unique
    for row, shown in zip(rows[repeated.to_numpy()], text[repeated], strict=True):
        problems.append(
            Problem.of(Place(row=int(row), column=date_column), N_("period {} repeats"), shown)
        )
    problems.sort(key=lambda p: (p.place.row or 0, str(p.place.column)))
    return tidy, problems


@dataclass
class TemperatureModels:
    """Daily energy on heating and cooling degree days with searched balance points, one model
    per site (arrays over sites): `intercept`, `heating`, `cooling` (slopes per degree day,
    0 when the term is not in the model), `heating_base`, `cooling_base` (°C, NaN when not
    in the model), `adj_r2`, `cvrmse`, `n`."""

    intercept: np.ndarray
    heating: np.ndarray
    cooling: np.ndarray
    heating_base: np.ndarray
    cooling_base: np.ndarray
    adj_r2: np.ndarray
    cvrmse: np.ndarray
    n: int

    def predict(self, temperature: np.ndarray) -> np.ndarray:
        """Daily energy of each site (rows) for daily mean temperatures (°C, sites x days)."""
        t = np.asarray(temperature, dtype=float)
        hdd = np.clip(np.nan_to_num(self.heating_base)[:, None] - t, 0.0, None)
        cdd = np.clip(t - np.nan_to_num(self.cooling_base)[:, None], 0.0, None)
        result: np.ndarray = (
            self.intercept[:, None] + self.heating[:, None] * hdd + self.cooling[:, None] * cdd
        )
        return result


def balance_grid(low: float = -1.0, high: float = 32.0, step: float = 1.0) -> np.ndarray:
    """Candidate balance points (°C): CalTRACK 2.0 §3.2 searches 30-90 °F with at most 3 °F
    between candidates; -1 to 32 °C in steps of 1 °C (1.8 °F) covers it."""
    return np.arange(low, high + step / 2, step)


def fit_temperature_models(
    temperature: np.ndarray,
    energy: np.ndarray,
    grid: np.ndarray | None = None,
    min_days: int = 10,
    min_degree_days: float = 20.0 * 5 / 9,
    chunk: int = 500,
) -> TemperatureModels:
    """Fit, for each site (rows of `temperature` and `energy`, one column per day), the daily
    model of CalTRACK 2.0 §3.2-3.4: intercept-only, heating-only, cooling-only and heating and
    cooling candidates over every balance point of `grid` (cooling >= heating), each by
    ordinary least squares; a candidate qualifies when no parameter is negative and each of
    its balance points gives at least `min_days` days with degree days and `min_degree_days`
    degree days a year (20 °F days = 11.1 °C days); the qualifying candidate of highest
    adjusted R2 is chosen (the intercept-only model has 0).

    Every candidate of every site is solved at once from sums: per site and balance point the
    sums of HDD, HDD^2, HDD x energy (and CDD), and per site the matrix of sums of HDD x CDD
    over all pairs of balance points (one batched matrix product), then the 2x2 normal
    equations in closed form. Sites go in chunks of `chunk` to bound memory."""
    t = np.asarray(temperature, dtype=float)
    y = np.asarray(energy, dtype=float)
    m, n = y.shape
    bases = balance_grid() if grid is None else np.asarray(grid, dtype=float)
    parts = [
        _fit_chunk(t[i : i + chunk], y[i : i + chunk], bases, min_days, min_degree_days)
        for i in range(0, m, chunk)
    ]
    joined = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return TemperatureModels(
        joined["intercept"],
        joined["heating"],
        joined["cooling"],
        joined["heating_base"],
        joined["cooling_base"],
        joined["adj_r2"],
        joined["cvrmse"],
        n,
    )


def _fit_chunk(
    t: np.ndarray, y: np.ndarray, bases: np.ndarray, min_days: int, min_degree_days: float
) -> dict[str, np.ndarray]:
    m, n = y.shape
    k = len(bases)
    years = n / 365.0
    heat = np.clip(bases[None, :, None] - t[:, None, :], 0.0, None)  # (m, k, n)
    cool = np.clip(t[:, None, :] - bases[None, :, None], 0.0, None)
    sy, syy = y.sum(axis=1), np.einsum("mn,mn->m", y, y)
    syy_c = syy - sy * sy / n  # total sum of squares

    def sums(dd: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        s1 = dd.sum(axis=2)
        sxx = np.einsum("mkn,mkn->mk", dd, dd) - s1 * s1 / n
        sxy = np.einsum("mkn,mn->mk", dd, y) - s1 * sy[:, None] / n
        usable = ((dd > 0).sum(axis=2) >= min_days * years) & (s1 >= min_degree_days * years)
        return s1, sxx, sxy, usable & (sxx > 0)

    sh, shh, shy, h_ok = sums(heat)
    sc, scc, scy, c_ok = sums(cool)
    shc = np.matmul(heat, cool.transpose(0, 2, 1)) - sh[:, :, None] * sc[:, None, :] / n
    mean = sy / n
    # candidates: 0 intercept-only; heating-only and cooling-only per base; both per pair
    best_adj = np.zeros(m)
    best = np.zeros((m, 6))  # intercept, heating, cooling, heating base, cooling base, c
    best[:, 0] = mean
    best[:, 3:5] = np.nan
    best_sse = syy_c.copy()

    def keep(adj: np.ndarray, sse: np.ndarray, values: np.ndarray, ok: np.ndarray) -> None:
        """Take, per site, the candidate (last axis) of highest adjusted R2 if it beats the
        best so far; `values` (m, candidates, 6)."""
        adj = np.where(ok, adj, -np.inf)
        pick = adj.argmax(axis=1)
        top = np.take_along_axis(adj, pick[:, None], axis=1)[:, 0]
        better = top > best_adj
        rows = np.flatnonzero(better)
        best_adj[rows] = top[rows]
        best_sse[rows] = np.take_along_axis(sse, pick[:, None], axis=1)[rows, 0]
        best[rows] = values[rows, pick[rows]]

    with np.errstate(divide="ignore", invalid="ignore"):
        for s1, sxx, sxy, ok, slot in ((sh, shh, shy, h_ok, 1), (sc, scc, scy, c_ok, 2)):
            slope = sxy / sxx
            intercept = (sy[:, None] - slope * s1) / n
            sse = syy_c[:, None] - slope * sxy
            adj = 1.0 - (sse / (n - 2)) / (syy_c[:, None] / (n - 1))
            values = np.zeros((m, k, 6))
            values[:, :, 0] = intercept
            values[:, :, slot] = slope
            values[:, :, 3:5] = np.nan
            values[:, :, 2 + slot] = bases[None, :]
            values[:, :, 5] = 1
            keep(adj, sse, values, ok & (slope >= 0) & (intercept >= 0))
        # both: heating base i, cooling base j >= i
        det = shh[:, :, None] * scc[:, None, :] - shc * shc
        bh = (scc[:, None, :] * shy[:, :, None] - shc * scy[:, None, :]) / det
        bc = (shh[:, :, None] * scy[:, None, :] - shc * shy[:, :, None]) / det
        intercept = (sy[:, None, None] - bh * sh[:, :, None] - bc * sc[:, None, :]) / n
        sse = syy_c[:, None, None] - bh * shy[:, :, None] - bc * scy[:, None, :]
        adj = 1.0 - (sse / (n - 3)) / (syy_c[:, None, None] / (n - 1))
        ordered = bases[None, :] >= bases[:, None]
        ok = (
            h_ok[:, :, None]
            & c_ok[:, None, :]
            & ordered[None]
            & (det > 0)
            & (bh >= 0)
            & (bc >= 0)
            & (intercept >= 0)
        )
        values = np.stack(
            [
                intercept,
                bh,
                bc,
                np.broadcast_to(bases[None, :, None], bh.shape),
                np.broadcast_to(bases[None, None, :], bh.shape),
                np.full(bh.shape, 2.0),
            ],
            axis=3,
        ).reshape(m, k * k, 6)
        keep(adj.reshape(m, -1), sse.reshape(m, -1), values, ok.reshape(m, -1))
        c = best[:, 5]
        cvrmse = np.sqrt(np.maximum(best_sse, 0.0) / (n - c)) / mean
    return {
        "intercept": best[:, 0],
        "heating": best[:, 1],
        "cooling": best[:, 2],
        "heating_base": best[:, 3],
        "cooling_base": best[:, 4],
        "adj_r2": best_adj,
        "cvrmse": cvrmse,
    }
