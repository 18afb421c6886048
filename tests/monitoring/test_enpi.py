"""Energy performance models: a published regression, the validity gates, savings, CUSUM and
FSU, and the batched fit agreeing with one-by-one fits."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbonpeak.monitoring.enpi import (
    ModelDisqualified,
    ModelRules,
    check_table,
    degree_days,
    fit,
    fit_many,
    residual_anomalies,
    savings,
)
from carbonpeak.reference.loader import default_reference

RULES = ModelRules.of(default_reference())

# Anscombe (1973), "Graphs in Statistical Analysis", The American Statistician 27(1), data set I:
# the fit is y = 3.0001 + 0.5001 x, R2 = 0.6665, the slope's t = 4.24 (p = 0.00217).
ANSCOMBE_X = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
ANSCOMBE_Y = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68]


def _daily(days: int = 365, seed: int = 7, start: str = "2023-01-01") -> pd.DataFrame:
    """Daily energy = 500 + 2.5 x production + 12 x HDD + noise (a cement grinding plant)."""
    rng = np.random.default_rng(seed)
    period = pd.date_range(start, periods=days, freq="D")
    temperature = 12 - 14 * np.cos(2 * np.pi * (period.day_of_year.to_numpy() - 15) / 365)
    production = rng.uniform(200, 400, days)
    hdd = degree_days(pd.Series(temperature), 18.0, "hdd").to_numpy()
    energy = 500 + 2.5 * production + 12 * hdd + rng.normal(0, 40, days)
    return pd.DataFrame({"period": period, "energy": energy, "production": production, "hdd": hdd})


def test_a_published_regression_is_reproduced() -> None:
    data = pd.DataFrame(
        {
            "period": pd.date_range("2024-01-01", periods=11, freq="D"),
            "y": ANSCOMBE_Y,
            "x": ANSCOMBE_X,
        }
    )
    model = fit(data, "y", ["x"], RULES)
    assert model.coefficients is not None and model.p_values is not None
    assert model.coefficients["intercept"] == pytest.approx(3.0001, abs=1e-4)
    assert model.coefficients["x"] == pytest.approx(0.5001, abs=1e-4)
    assert model.r2 == pytest.approx(0.6665, abs=1e-4)
    assert model.p_values["x"] == pytest.approx(0.00217, abs=1e-5)
    assert model.f_p_value == pytest.approx(model.p_values["x"])  # one driver: F = t^2
    assert model.valid


def test_a_model_recovers_its_truth_and_the_batch_agrees() -> None:
    data = _daily()
    model = fit(data, "energy", ["production", "hdd"], RULES)
    assert model.valid and model.coefficients is not None
    assert model.coefficients["production"] == pytest.approx(2.5, rel=0.05)
    assert model.coefficients["hdd"] == pytest.approx(12, rel=0.05)
    assert model.nmbe == pytest.approx(0.0, abs=1e-9)  # least squares with an intercept
    # the batch of many models gives each one's own fit
    many = [_daily(seed=s) for s in range(5)]
    x = np.stack([d[["production", "hdd"]].to_numpy() for d in many])
    y = np.stack([d["energy"].to_numpy() for d in many])
    batch = fit_many(x, y)
    for i, d in enumerate(many):
        one = fit(d, "energy", ["production", "hdd"], RULES)
        assert one.coefficients is not None and one.r2 is not None
        assert batch.coefficients[i] == pytest.approx(list(one.coefficients.values()))
        assert batch.r2[i] == pytest.approx(one.r2)
        reference = np.polyfit(d["production"], d["energy"] - one.coefficients["hdd"] * d["hdd"], 1)
        assert reference[0] == pytest.approx(one.coefficients["production"], rel=1e-9)


def test_a_model_failing_its_gates_says_why_and_refuses_to_predict() -> None:
    data = _daily()
    data["noise"] = np.random.default_rng(1).normal(size=len(data))
    data["energy"] = 800 + np.random.default_rng(2).normal(0, 40, len(data))
    model = fit(data, "energy", ["noise"], RULES)
    assert not model.valid
    codes = {w.code for w in model.disqualification}
    assert "monitoring.enpi.r2" in codes and "monitoring.enpi.no_significant_driver" in codes
    with pytest.raises(ModelDisqualified, match="R2"):
        model.predict(data)
    assert len(model.predict(data, allow_invalid=True)) == len(data)


def test_data_sufficiency_is_checked_before_fitting() -> None:
    idle = _daily(days=60)
    idle["production"] = 0.0  # an idle plant: production does not vary
    model = fit(idle, "energy", ["production"], RULES)
    assert not model.valid and model.coefficients is None
    assert {w.code for w in model.disqualification} >= {"monitoring.enpi.constant_driver"}
    sparse = _daily().iloc[::2]  # every other day: 50 % coverage
    codes = {w.code for w in fit(sparse, "energy", ["production", "hdd"], RULES).disqualification}
    assert "monitoring.enpi.daily_coverage" in codes
    monthly = pd.DataFrame(
        {
            "period": pd.date_range("2024-01-01", periods=6, freq="MS"),
            "energy": [10.0, 12, 15, 13, 11, 16],
            "production": [1.0, 1.3, 1.6, 1.4, 1.1, 1.7],
        }
    )
    model = fit(monthly, "energy", ["production"], RULES)
    assert model.granularity == "month"
    assert "monitoring.enpi.too_few_months" in {w.code for w in model.disqualification}


def test_savings_cusum_and_fsu() -> None:
    data = _daily(days=730)
    model = fit(
        data,
        "energy",
        ["production", "hdd"],
        RULES,
        baseline=(date(2023, 1, 1), date(2023, 12, 31)),
    )
    report = data[data["period"] >= "2024-01-01"].copy()
    report["energy"] *= 0.9  # a measure saves 10 %
    result = savings(model, report, RULES)
    assert result["savings_fraction"] == pytest.approx(0.1, abs=0.01)
    assert result["improvement"] == result["savings_fraction"]
    cusum = [r["cusum"] for r in result["rows"]]
    assert cusum[-1] == pytest.approx(-result["savings"], rel=1e-6)  # falls as energy is saved
    assert cusum[-1] < cusum[len(cusum) // 2] < 0
    # FSU: t(0.95, n - c) x (a M^2 + b M + d) x CV x sqrt(n/n' (1 + 2/n') / Q) / F, by hand
    from scipy import stats

    assert model.cvrmse is not None and model.rho is not None
    n, q, m = 365, len(report), 12
    n_eff = n * (1 - model.rho) / (1 + model.rho)
    poly = -0.00024 * m**2 + 0.03535 * m + 1.00286
    t = stats.t.ppf(0.95, n - 2)
    fraction = result["savings"] / result["predicted"]
    expected = t * poly * model.cvrmse * np.sqrt(n / n_eff * (1 + 2 / n_eff) / q) / fraction
    assert result["fsu"] == pytest.approx(expected, rel=1e-5)
    assert 0 < result["fsu"] < 0.5
    assert result["warnings"] == []


def test_a_reporting_period_beyond_the_baseline_drivers_is_warned_about() -> None:
    data = _daily(days=730)
    model = fit(
        data,
        "energy",
        ["production", "hdd"],
        RULES,
        baseline=(date(2023, 1, 1), date(2023, 12, 31)),
    )
    report = data[data["period"] >= "2024-01-01"].copy()
    report["production"] *= 3
    codes = {w["code"] for w in savings(model, report, RULES)["warnings"]}
    assert codes == {"monitoring.enpi.driver_out_of_range"}


def test_days_far_from_the_model_are_anomalies() -> None:
    data = _daily()
    data.loc[100, "energy"] += 1000  # a steam leak for a day
    model = fit(data, "energy", ["production", "hdd"], RULES)
    found = residual_anomalies(model, data, RULES)
    assert [a["period"] for a in found] == [data.loc[100, "period"].date().isoformat()]
    assert found[0]["score"] > 3 and "above" in found[0]["reason"]


def test_enpi_command(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    data = _daily(days=730)
    data.loc[data["period"] >= "2024-01-01", "energy"] *= 0.95
    path = tmp_path / "plant.csv"
    data.assign(period=data["period"].dt.date).to_csv(path, index=False)
    code, out, err = cli(
        "monitor",
        "enpi",
        str(path),
        "--energy",
        "energy",
        "--drivers",
        "production,hdd",
        "--baseline",
        "2023-01-01..2023-12-31",
        "--json",
    )
    assert code == 0, err
    result = json.loads(out)
    assert set(result["model"]) >= {
        "coefficients",
        "p_values",
        "r2",
        "cvrmse",
        "nmbe",
        "valid",
        "warnings",
    }
    assert set(result["model"]["coefficients"]) == {"intercept", "production", "hdd"}
    assert result["model"]["valid"] is True
    assert result["savings"]["savings_fraction"] == pytest.approx(0.05, abs=0.01)
    noisy = data.assign(noise=np.random.default_rng(3).normal(size=len(data)))
    noisy.assign(period=data["period"].dt.date).to_csv(path, index=False)
    code, out, err = cli(
        "monitor",
        "enpi",
        str(path),
        "--energy",
        "energy",
        "--drivers",
        "noise",
        "--json",
        "--baseline",
        "2023-01-01..2023-12-31",
    )
    assert code == 0, err
    refused = json.loads(out)
    assert refused["model"]["valid"] is False and refused["savings"] is None
    assert "disqualified" in refused["refused"] and "--allow-invalid" in refused["refused"]
    code, out, err = cli(
        "monitor",
        "enpi",
        str(path),
        "--energy",
        "energy",
        "--drivers",
        "noise",
        "--json",
        "--baseline",
        "2023-01-01..2023-12-31",
        "--allow-invalid",
    )
    assert code == 0 and json.loads(out)["savings"]["n"] == 365
    code, _out, err = cli(
        "monitor", "enpi", str(path), "--energy", "energy", "--drivers", "output", "--json"
    )
    assert code == 2 and "output" in err
    code, _out, err = cli(
        "monitor",
        "enpi",
        str(path),
        "--energy",
        "energy",
        "--drivers",
        "hdd",
        "--baseline",
        "2023-01-01..someday",
    )
    assert code == 2 and "--baseline" in err


def _climate(days: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    day = np.arange(days)
    return 14 - 13 * np.cos(2 * np.pi * (day - 15) / 365) + rng.normal(0, 3, days)


def test_temperature_models_find_their_balance_points() -> None:
    """Three sites on one climate: heating and cooling (truth: 16 and 22 °C), heating only,
    and a flat load; the CalTRACK-style search finds each shape and its parameters."""
    from carbonpeak.monitoring.enpi import balance_grid, fit_temperature_models

    temperature = np.stack([_climate(365, 1)] * 3)
    rng = np.random.default_rng(9)
    hdd16, cdd22 = np.clip(16 - temperature[0], 0, None), np.clip(temperature[0] - 22, 0, None)
    energy = np.stack(
        [
            200 + 6 * hdd16 + 9 * cdd22 + rng.normal(0, 5, 365),
            150 + 4 * hdd16 + rng.normal(0, 5, 365),
            300 + rng.normal(0, 5, 365),
        ]
    )
    grid = balance_grid()
    assert grid.min() <= -1 and grid.max() >= 32 and np.diff(grid).max() <= 3 * 5 / 9
    models = fit_temperature_models(temperature, energy)
    both, heating, flat = range(3)
    assert abs(models.heating_base[both] - 16) <= 1.5 and abs(models.cooling_base[both] - 22) <= 1.5
    assert models.heating[both] == pytest.approx(6, rel=0.15)
    assert models.cooling[both] == pytest.approx(9, rel=0.15)
    # a heating-only load: any cooling term the search picks up from noise is negligible
    cooling_part = models.cooling[heating] * np.clip(
        temperature[0] - np.nan_to_num(models.cooling_base[heating]), 0, None
    )
    assert cooling_part.mean() < 0.005 * energy[heating].mean()
    assert abs(models.heating_base[heating] - 16) <= 1.5
    # a flat load: any slope the search picks up from noise is negligible
    assert models.adj_r2[flat] < 0.02
    assert np.abs(models.predict(temperature)[flat] - 300).max() < 3
    # out of sample: the next year's weather, against the noise-free truth
    later = np.stack([_climate(365, 2)] * 3)
    truth = 200 + 6 * np.clip(16 - later[0], 0, None) + 9 * np.clip(later[0] - 22, 0, None)
    predicted = models.predict(later)[both]
    assert np.sqrt(np.mean((predicted - truth) ** 2)) / truth.mean() < 0.02


def test_the_closed_form_search_is_least_squares() -> None:
    """The model the search chooses has the ordinary least squares coefficients of its own
    terms."""
    from carbonpeak.monitoring.enpi import fit_temperature_models

    temperature = _climate(365, 4)[None, :]
    hdd = np.clip(15.0 - temperature, 0, None)
    energy = 80 + 3 * hdd + np.random.default_rng(4).normal(0, 4, (1, 365))
    models = fit_temperature_models(temperature, energy, grid=np.array([12.0, 15.0, 18.0]))
    assert models.heating_base[0] == 15.0
    terms = [np.clip(models.heating_base[0] - temperature[0], 0, None)]
    chosen = [models.intercept[0], models.heating[0]]
    if not np.isnan(models.cooling_base[0]):
        terms.append(np.clip(temperature[0] - models.cooling_base[0], 0, None))
        chosen.append(models.cooling[0])
    direct = fit_many(np.stack(terms, axis=1), energy[0])
    assert chosen == pytest.approx(direct.coefficients[0].tolist(), rel=1e-8)


def test_a_table_of_drivers_must_hold_finite_numbers() -> None:
    table = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03"], "e": ["1e400", "-inf", "3"]})
    _tidy, problems = check_table(table, "period", ["e"])
    assert [(p.place.row, p.place.column) for p in problems] == [(2, "e"), (3, "e")]
    assert all("finite" in p.message for p in problems)
