"""Speed of the pathway Monte Carlo: 31 provinces x 10 sectors x 2020-2060 x 10,000 draws.

Each sector has an activity growing at an uncertain rate (normal) with a saturation break, two
routes whose shares move linearly, an emission intensity falling at an uncertain rate on one
route and an uncertain constant on the other (triangular): 4 distributions per sector, 1,240 in
all. Timed:
- carbonpeak: `parse` + `run` (vectorised over the draws, one sector at a time; peaks of every
  sector, province and the total, with fans and the peak-year distribution);
- a straightforward loop over draws: per draw, sample the same distributions, compute every
  sector's path with NumPy over the years, sum, find the peaks; timed on `--loop-draws` draws
  and scaled to the full count.
Peak memory is the process's maximum resident set. Run:
    .venv/bin/python benchmarks/pathways.py [--draws N] [--loop-draws K]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from typing import Any

import numpy as np

from carbonpeak.pathways.projection import parse
from carbonpeak.pathways.run import run

PROVINCES = 31
SECTORS = 10
BASE, HORIZON = 2020, 2060


def scenario_file(draws: int) -> dict[str, Any]:
    rng = np.random.default_rng(5)
    regions = {}
    for p in range(PROVINCES):
        sectors = {}
        for s in range(SECTORS):
            start = float(rng.uniform(5, 100))
            sectors[f"s{s}"] = {
                "activity": {
                    "unit": "Mt",
                    "growth": {
                        "start": start,
                        "rate": {
                            2020: {"dist": "normal", "mean": 0.03, "sd": 0.01},
                            int(rng.integers(2024, 2035)): -0.02,
                        },
                    },
                },
                "routes": {
                    "a": {
                        "share": {"points": {2020: 0.9, 2060: 0.4}},
                        "emission_intensity": {
                            "unit": "tCO2/t",
                            "growth": {
                                "start": 2.0,
                                "rate": {"dist": "normal", "mean": -0.01, "sd": 0.005},
                            },
                        },
                    },
                    "b": {
                        "share": {"points": {2020: 0.1, 2060: 0.6}},
                        "emission_intensity": {
                            "unit": "tCO2/t",
                            "value": {"dist": "triangular", "low": 0.3, "mode": 0.5, "high": 0.8},
                        },
                    },
                },
            }
        regions[f"p{p:02d}"] = {"sectors": sectors}
    return {
        "base_year": BASE,
        "horizon": HORIZON,
        "draws": draws,
        "seed": 1,
        "scenarios": {"S": {"regions": regions}},
    }


def naive(data: dict[str, Any], draws: int) -> tuple[float, np.ndarray]:
    """The loop over draws: every draw recomputes every sector from sampled parameters."""
    rng = np.random.default_rng(2)
    years = np.arange(BASE, HORIZON + 1)
    peaks = np.empty(draws)
    sectors = [s for r in data["scenarios"]["S"]["regions"].values() for s in r["sectors"].values()]
    started = time.perf_counter()
    for d in range(draws):
        total = np.zeros(len(years))
        for sector in sectors:
            growth = sector["activity"]["growth"]
            (_, rate), (turn, later) = growth["rate"].items()
            rates = np.where(years >= turn, later, rng.normal(rate["mean"], rate["sd"]))
            activity = growth["start"] * np.cumprod(1 + rates) / (1 + rates[0])
            a, b = sector["routes"]["a"], sector["routes"]["b"]
            share = np.interp(years, [2020, 2060], [0.9, 0.4])
            fall = a["emission_intensity"]["growth"]["rate"]
            intensity_a = 2.0 * (1 + rng.normal(fall["mean"], fall["sd"])) ** (years - BASE)
            tri = b["emission_intensity"]["value"]
            intensity_b = rng.triangular(tri["low"], tri["mode"], tri["high"])
            total += activity * (share * intensity_a + (1 - share) * intensity_b)
        peaks[d] = years[int(np.argmax(total))]
    return time.perf_counter() - started, peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--loop-draws", type=int, default=100)
    args = parser.parse_args()
    data = scenario_file(args.draws)
    started = time.perf_counter()
    spec, scenarios = parse(data)
    result, table, _ = run(spec, scenarios)
    ours = time.perf_counter() - started
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    loop, loop_peaks = naive(data, args.loop_draws)
    loop_full = loop * args.draws / args.loop_draws
    total = result["scenarios"]["S"]["total"]["uncertainty"]
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()} {os.cpu_count()} cores, "
                f"Python {platform.python_version()}",
                "provinces": PROVINCES,
                "sectors": SECTORS,
                "years": HORIZON - BASE + 1,
                "draws": result["draws"],
                "distributions": PROVINCES * SECTORS * 4,
                "carbonpeak_s": round(ours, 2),
                "peak_rss_mb": round(peak_rss_mb),
                "loop_s_per_draw": round(loop / args.loop_draws, 4),
                "loop_s_scaled": round(loop_full, 1),
                "speedup": round(loop_full / ours, 1),
                "iamc_rows": len(table),
                "total_peak_year_p50": total["peak_year"]["p50"],
                "loop_total_peak_year_p50": float(np.median(loop_peaks)),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
