"""Speed of the dual-credit accounting: a synthetic national fleet (150 enterprises, 10,000
models a year, 2021-2025) computed year by year, then its credits and deficits ledgered; against
a naive per-model Python loop computing the same enterprise figures (checked equal).

Run: .venv/bin/python benchmarks/credits.py [--enterprises N] [--models M]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections import defaultdict
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.domain.uscc import ALPHABET, make_uscc, organisation_check_character
from carbonpeak.policy.dual_credit.compute import compute
from carbonpeak.policy.dual_credit.fleet import check_fleet
from carbonpeak.policy.dual_credit.ledger import Entry, Ledger, Rules
from carbonpeak.policy.dual_credit.planner import plan_from_dict, solve
from carbonpeak.policy.dual_credit.rules import round_half_up, rules_for
from carbonpeak.reference.loader import default_reference

YEARS = range(2021, 2026)


def fleet(enterprises: int, models: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = []
    for _ in range(enterprises):
        body = "".join(ALPHABET[i] for i in rng.integers(0, 31, size=8))
        codes.append(make_uscc("91110000" + body + organisation_check_character(body)))
    frames = []
    for year in YEARS:
        kind = rng.choice(
            ["ice", "hev", "phev", "bev", "fcv"], models, p=[0.55, 0.1, 0.12, 0.22, 0.01]
        )
        mass = rng.uniform(900, 2700, models).round()
        fuel = np.where(kind == "ice", rng.uniform(4.5, 9.5, models), rng.uniform(3.5, 5.5, models))
        frames.append(
            pd.DataFrame(
                {
                    "enterprise_id": np.array(codes)[rng.integers(0, enterprises, models)],
                    "year": str(year),
                    "model_id": [f"M{year}-{i}" for i in range(models)],
                    "powertrain": kind,
                    "curb_mass_kg": mass.astype(str),
                    "seat_rows": rng.choice(["2", "3"], models, p=[0.85, 0.15]),
                    "fuel_consumption_l_per_100km": np.where(
                        np.isin(kind, ["bev", "fcv"]), "", fuel.round(2).astype(str)
                    ),
                    "electric_range_km": np.where(
                        np.isin(kind, ["bev", "phev"]),
                        np.where(
                            kind == "bev",
                            rng.uniform(120, 700, models),
                            rng.uniform(40, 200, models),
                        )
                        .round()
                        .astype(str),
                        "",
                    ),
                    "fuel_cell_power_kw": np.where(kind == "fcv", "100", ""),
                    "volume": rng.integers(100, 20000, models).astype(str),
                    "imported": "no",
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def naive(tidy: pd.DataFrame, year: int) -> dict[str, tuple[float, float]]:
    """CAFC and NEV credits per enterprise, one model at a time in plain Python."""
    reference = default_reference()
    rules = rules_for(year, reference)
    p = rules.parameters
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in tidy[tidy["year"] == year].to_dict("records"):
        seat = "three_rows_or_more" if row["seat_rows"] >= 3 else "up_to_two_rows"
        target = float(
            round_half_up(rules.segments[seat].target(np.array([row["curb_mass_kg"]])), 2)[0]
        )
        kind, volume = row["powertrain"], float(row["volume"])
        fuel = 0.0 if kind in ("bev", "fcv") else float(row["fuel_consumption_l_per_100km"])
        weight = p["nev_multiplier"] if kind in ("bev", "fcv", "phev") else 1.0
        s = sums[row["enterprise_id"]]
        s["v"] += volume
        s["fv"] += fuel * volume
        s["wv"] += weight * volume
        s["tv"] += target * volume
        if kind in ("ice", "hev"):
            s["conv"] += volume
            limit = float(round_half_up(np.array([target * p["cafc_ratio"]]), 2)[0])
            if fuel <= limit:
                s["low"] += volume
        else:
            f = rules.formulas[kind]
            rng = (
                row["electric_range_km"]
                if row["electric_range_km"] == row["electric_range_km"]
                else 0.0
            )
            var = (
                rng
                if f.variable == "range_km"
                else (row["fuel_cell_power_kw"] if f.variable == "fuel_cell_power_kw" else 0.0)
            )
            credit = min(f.cap, f.intercept + f.slope * var)
            if kind == "bev":
                band = max(int(np.searchsorted(rules.range_bands, rng, side="right")) - 1, 0)
                credit *= rules.range_factors[band]
            if rng < f.min_range_km:
                credit = f.below_min
            s["earned"] += float(round_half_up(np.array([credit]), 2)[0]) * volume
    out = {}
    for code, s in sums.items():
        actual = float(round_half_up(np.array([s["fv"] / s["wv"]]), 2)[0])
        target = float(round_half_up(np.array([s["tv"] / s["v"]]), 2)[0])
        compliance = float(round_half_up(np.array([target * p["cafc_ratio"]]), 2)[0])
        base = (s["conv"] - s["low"]) + p["low_fc_weight"] * s["low"]
        nev_target = (
            0.0
            if s["conv"] < p["nev_exemption_units"]
            else float(round_half_up(np.array([p["nev_ratio"] * base]), 2)[0])
        )
        credits = float(round_half_up(np.array([(compliance - actual) * s["v"]]), 0)[0])
        out[code] = (credits, s["earned"] - nev_target)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=150)
    parser.add_argument("--models", type=int, default=10_000)
    args = parser.parse_args()
    reference = default_reference()
    raw = fleet(args.enterprises, args.models)
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{args.enterprises} enterprises, {args.models:,} models a year, {len(YEARS)} years"
    )
    start = time.perf_counter()
    tidy, problems = check_fleet(raw, reference)
    checked = time.perf_counter() - start
    assert not problems, problems[:3]
    times = []
    for year in YEARS:
        start = time.perf_counter()
        credits = compute(tidy, reference, [year])
        times.append(time.perf_counter() - start)
    print(
        f"check of {len(raw):,} rows: {checked:.2f} s; compute a national year: "
        f"{', '.join(f'{t:.3f}' for t in times)} s (best {min(times):.3f} s)"
    )
    start = time.perf_counter()
    loop = naive(tidy, 2025)
    looped = time.perf_counter() - start
    ours = {r["enterprise_id"]: (r["cafc_credits"], r["nev_credits"]) for r in credits.results()}
    assert ours.keys() == loop.keys()
    for code, (cafc, nev) in loop.items():
        assert ours[code][0] == cafc and abs(ours[code][1] - nev) < 0.01, (
            code,
            ours[code],
            cafc,
            nev,
        )
    print(
        f"naive per-model loop, 2025: {looped:.2f} s; same credits; "
        f"ratio {looped / min(times):.0f}x"
    )
    # ledger the five years: each positive earned, each negative a deficit
    all_years = compute(tidy, reference)
    ledger = Ledger(Rules(reference))
    start = time.perf_counter()
    for record in sorted(all_years.results(), key=lambda r: r["year"]):
        day = date(record["year"] + 1, 7, 1)
        for credit, value in (("cafc", record["cafc_credits"]), ("nev", record["nev_credits"])):
            if value > 0:
                ledger.append(
                    Entry(
                        day, "earn", credit, record["year"], float(value), record["enterprise_id"]
                    )
                )
            elif value < 0:
                ledger.append(
                    Entry(
                        day,
                        "deficit",
                        credit,
                        record["year"],
                        float(-value),
                        record["enterprise_id"],
                    )
                )
    entered = time.perf_counter() - start
    start = time.perf_counter()
    rows = ledger.balances()
    read = time.perf_counter() - start
    print(
        f"ledger: {len(ledger.entries):,} entries in {entered:.3f} s; balances "
        f"({len(rows):,} rows) in {read:.3f} s"
    )
    plan = large_plan()
    start = time.perf_counter()
    result = solve(plan_from_dict(plan), reference)
    planned = time.perf_counter() - start
    print(
        f"planner: {len(plan['lines'])} lines x {len(plan['years'])} years in {planned:.2f} s; "
        f"total cost {result['total_cost']:,.0f}"
    )


def large_plan(lines: int = 60, seed: int = 3) -> dict[str, Any]:
    """One large maker's plan: 60 lines (ICE, HEV, PHEV, BEV) over 2021-2025, 1.5 M cars a
    year, NEV credits to buy and sell."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(["ice", "hev", "phev", "bev"], lines, p=[0.5, 0.15, 0.15, 0.2])
    out = []
    for i, kind in enumerate(kinds):
        line: dict[str, Any] = {
            "name": f"L{i}",
            "powertrain": str(kind),
            "curb_mass_kg": float(round(rng.uniform(1100, 2400))),
            "seat_rows": int(rng.choice([2, 3], p=[0.85, 0.15])),
            "volume": {y: [0, float(rng.integers(20000, 120000))] for y in YEARS},
            "cost": {y: float(rng.uniform(0, 4000)) if kind != "ice" else 0.0 for y in YEARS},
        }
        if kind in ("ice", "hev", "phev"):
            low = 1.5 if kind == "phev" else 4.5
            line["fuel_consumption_l_per_100km"] = float(rng.uniform(low, 8.5))
        if kind in ("phev", "bev"):
            line["electric_range_km"] = float(rng.uniform(60 if kind == "phev" else 250, 650))
        out.append(line)
    return {
        "enterprise_id": "911302007A3K9C2D24",
        "years": list(YEARS),
        "total": {y: 1_500_000 for y in YEARS},
        "lines": out,
        "prices": {
            "buy": {y: 1200 + 200 * (y - 2021) for y in YEARS},
            "sell": {y: 900 for y in YEARS},
        },
    }


if __name__ == "__main__":
    main()
