"""Speed and accuracy of daily energy models: carbonpeak's temperature models against
OpenEEmeter's daily model on the same synthetic sites with a known truth.

Each site has two years of daily mean temperature (°C: a shared seasonal climate, a site
offset and day-to-day weather) and daily energy = base + heating slope x HDD(heating balance
point) + cooling slope x CDD(cooling balance point) + noise (10 % of the base), with the
parameters drawn per site (some sites heating-only, some cooling-only, some flat). The first
year is the baseline, the second the reporting period, with no savings, so a perfect model
predicts the noise-free truth of the second year.

- carbonpeak: `fit_temperature_models` (the CalTRACK 2.0 daily method: balance-point search
  over intercept-only, heating, cooling and both, all sites at once per candidate) on every
  site, then `predict` on the reporting year;
- OpenEEmeter: `eemeter` 4.1.1 `DailyModel` on a sample of the sites, one at a time, in its
  own virtual environment (it needs pandas < 3; `make bench-eemeter` makes it): time per fit
  (the first fit, which compiles with numba, is left out) and the same predictions.

Accuracy on the sample, out of sample: the daily CV(RMSE) and the error of the annual total of
the predictions against the truth. Run:
    make bench-eemeter && .venv/bin/python benchmarks/enpi_fit.py [--sites N] [--sample K]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EEMETER_PYTHON = ROOT / "build" / "eemeter-venv" / "bin" / "python"
DAYS = 365


def sites(count: int, seed: int = 2030) -> dict[str, np.ndarray]:
    """Temperatures (°C), energy and its noise-free truth for `count` sites x 2 years."""
    rng = np.random.default_rng(seed)
    day = np.arange(2 * DAYS)
    climate = 13 - 14 * np.cos(2 * np.pi * (day - 15) / 365)
    temperature = (
        climate[None, :] + rng.uniform(-4, 4, (count, 1)) + rng.normal(0, 3, (count, 2 * DAYS))
    )
    base = rng.uniform(50, 500, count)
    heating_base = rng.uniform(10, 18, count)
    cooling_base = heating_base + rng.uniform(2, 10, count)
    shape = rng.integers(0, 4, count)  # 0 both, 1 heating, 2 cooling, 3 flat
    heating = np.where(np.isin(shape, (0, 1)), rng.uniform(0.01, 0.06, count) * base, 0.0)
    cooling = np.where(np.isin(shape, (0, 2)), rng.uniform(0.01, 0.08, count) * base, 0.0)
    truth = (
        base[:, None]
        + heating[:, None] * np.clip(heating_base[:, None] - temperature, 0, None)
        + cooling[:, None] * np.clip(temperature - cooling_base[:, None], 0, None)
    )
    energy = truth + rng.normal(0, 1, truth.shape) * 0.1 * base[:, None]
    return {"temperature": temperature, "energy": energy, "truth": truth}


def accuracy(predicted: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Mean over sites of the daily CV(RMSE) and of the |annual total error|, against the
    truth of the reporting year."""
    rmse = np.sqrt(((predicted - truth) ** 2).mean(axis=1))
    cv = rmse / truth.mean(axis=1)
    annual = np.abs(predicted.sum(axis=1) - truth.sum(axis=1)) / truth.sum(axis=1)
    return {"daily_cvrmse": float(cv.mean()), "annual_error": float(annual.mean())}


def run_eemeter(source: Path, target: Path) -> None:
    """In the eemeter environment: fit and predict each site of `source`; save predictions."""
    import pandas as pd
    from eemeter.eemeter import DailyBaselineData, DailyModel, DailyReportingData

    data = np.load(source)
    temperature_f = data["temperature"] * 9 / 5 + 32
    index = pd.date_range("2023-01-01", periods=2 * DAYS, freq="D", tz="Asia/Shanghai")
    predictions, seconds = [], []
    for i in range(len(temperature_f)):
        frame = pd.DataFrame(
            {"observed": data["energy"][i], "temperature": temperature_f[i]}, index=index
        )
        start = time.perf_counter()
        baseline = DailyBaselineData(frame.iloc[:DAYS], is_electricity_data=True)
        model = DailyModel().fit(baseline, ignore_disqualification=True)
        seconds.append(time.perf_counter() - start)
        reporting = DailyReportingData(frame.iloc[DAYS:], is_electricity_data=True)
        predicted = model.predict(reporting, ignore_disqualification=True)
        predictions.append(predicted["predicted"].to_numpy())
    np.savez(target, predicted=np.array(predictions), seconds=np.array(seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--eemeter", nargs=2, metavar=("SOURCE", "TARGET"))
    args = parser.parse_args()
    if args.eemeter:
        run_eemeter(Path(args.eemeter[0]), Path(args.eemeter[1]))
        return
    from carbonpeak.monitoring.enpi import fit_temperature_models

    data = sites(args.sites)
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}; {args.sites:,} sites x {DAYS} baseline + {DAYS} reporting days"
    )
    start = time.perf_counter()
    models = fit_temperature_models(data["temperature"][:, :DAYS], data["energy"][:, :DAYS])
    fitted = time.perf_counter() - start
    predicted = models.predict(data["temperature"][:, DAYS:])
    truth = data["truth"][:, DAYS:]
    ours_per_fit = fitted / args.sites
    print(
        f"carbonpeak: {args.sites:,} fits in {fitted:.2f} s = {ours_per_fit * 1e3:.2f} ms a fit; "
        f"accuracy on all sites {accuracy(predicted, truth)}"
    )
    sample = slice(0, args.sample)
    ours_sample = accuracy(predicted[sample], truth[sample])
    if not EEMETER_PYTHON.exists():
        print(f"eemeter: not installed ({EEMETER_PYTHON}); run `make bench-eemeter`")
        return
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "sites.npz", Path(folder) / "eemeter.npz"
        np.savez(
            source,
            temperature=data["temperature"][sample],
            energy=data["energy"][sample],
        )
        subprocess.run(
            [str(EEMETER_PYTHON), __file__, "--eemeter", str(source), str(target)],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        result = np.load(target)
        eemeter_predicted, eemeter_seconds = result["predicted"], result["seconds"]
    eemeter_per_fit = float(np.median(eemeter_seconds[1:]))
    theirs = accuracy(eemeter_predicted, truth[sample])
    print(
        f"eemeter 4.1.1: {len(eemeter_seconds)} fits, median {eemeter_per_fit:.3f} s a fit "
        f"(first, with numba compilation, {eemeter_seconds[0]:.1f} s, left out)"
    )
    print(
        json.dumps(
            {
                "sample_sites": args.sample,
                "carbonpeak": ours_sample,
                "eemeter": theirs,
                "speed_ratio": round(eemeter_per_fit / ours_per_fit, 1),
            }
        )
    )
    print(
        f"speed: carbonpeak {eemeter_per_fit / ours_per_fit:,.0f}x eemeter per fit; "
        f"daily CV(RMSE) vs truth {ours_sample['daily_cvrmse']:.4f} (carbonpeak) vs "
        f"{theirs['daily_cvrmse']:.4f} (eemeter); annual error "
        f"{ours_sample['annual_error']:.4f} vs {theirs['annual_error']:.4f}"
    )


if __name__ == "__main__":
    sys.exit(main())
