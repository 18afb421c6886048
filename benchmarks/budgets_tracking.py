"""Budget tracking for a province (issue 18, "Speed"): 10,000 enterprises of Hebei (130000)
spread over its 11 prefectures (codes from the reference `regions` table, which holds
provinces and prefectures only, so there are no county budgets), as of 2026-11-15.

Synthetic inputs, drawn once (seeded):
- budgets (co2, 2026): the province, each prefecture and every enterprise, caps chosen so that
  the cascade holds (children sum to their parent's cap less a 5 % reserve); half the
  enterprises on the even profile, half on one of 8 monthly profiles;
- use: reported CO2, energy and value added per enterprise and month, Jan-Dec 2026 (the
  December rows lie after as_of and are left out by the tracking), except that 2,000
  "monitored" enterprises have reported Jan-Sep only;
- a daily meter roll-up of the 2,000 (2026-01-01..2026-11-15, every meter covering 70-95 % of
  the enterprise's use, one in fifty missing a day of October): their Jan-Sep reports calibrate
  the nowcast of October and of November to date.

Measured (best of --repeat runs): (a) `monitoring.nowcast.nowcast` for the 2,000; (b)
`policy.budgets.track` of every budget; (c) `policy.budgets.levels` under thresholds entered
with `Reference.with_records` (synthetic values, cited as such); the total against the goal of
5 s; and a hand-written DuckDB SQL of each budget's used-to-date (reported else nowcast, over
the member enterprises by region prefix, months up to as_of) from the same frames, checked
equal to ours for every budget (relative 1e-9), with the ratio ours / SQL. Also the parse of
the budget rows and the cascade check (not part of the goal), the peak Python allocations of
one pipeline run (tracemalloc) and the process's peak resident memory.

Run: PYTHONPATH=src .venv/bin/python benchmarks/budgets_tracking.py [--enterprises N]
[--monitored M] [--repeat R] [--profile]
"""

from __future__ import annotations

import argparse
import calendar
import cProfile
import platform
import pstats
import resource
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from carbonpeak.domain.uscc import ALPHABET, make_uscc, organisation_check_character
from carbonpeak.monitoring.nowcast import nowcast
from carbonpeak.policy.budgets import check_cascade, levels, parse_budgets, track
from carbonpeak.reference.loader import Reference, default_reference

PROVINCE = "130000"
YEAR = 2026
AS_OF = date(2026, 11, 15)
RESERVE = 0.05
PROFILES = 8
GOAL_S = 5.0
# the nowcast's columns as track() reads them (nowcast.py names the bounds co2_t_low, ...)
SOURCE = {
    "source_id": "bench-thresholds",
    "title": "benchmark thresholds (synthetic)",
    "note": "synthetic values for the benchmark only",
}


def _usccs(rng: np.random.Generator, prefectures: list[str], n: int) -> list[tuple[str, str]]:
    """`n` distinct valid USCCs (legal person, enterprise: 91) registered in the prefectures."""
    out: dict[str, str] = {}
    while len(out) < n:
        region = prefectures[int(rng.integers(0, len(prefectures)))]
        body = "".join(ALPHABET[i] for i in rng.integers(0, len(ALPHABET), size=8))
        code = make_uscc("91" + region + body + organisation_check_character(body))
        out.setdefault(code, region)
    return list(out.items())


def build(enterprises: int, monitored: int, seed: int = 18) -> dict[str, Any]:
    reference = default_reference()
    prefectures = sorted(
        str(r["region_code"])
        for r in reference.rows("regions")
        if r["level"] == "prefecture" and str(r["parent_code"]) == PROVINCE
    )
    rng = np.random.default_rng(seed)
    firms = _usccs(rng, prefectures, enterprises)
    ids = np.array([f for f, _ in firms], dtype=object)
    regions = {f: r for f, r in firms}
    days = np.array([calendar.monthrange(YEAR, m)[1] for m in range(1, 13)], dtype=float)
    annual = rng.lognormal(np.log(5000.0), 1.0, size=enterprises)  # t CO2 a year
    season = 1 + 0.15 * np.cos((np.arange(12) - 0.5) * 2 * np.pi / 12)  # winter heavier
    true = annual[:, None] * days / 365 * season / season.mean()
    true *= rng.normal(1.0, 0.05, size=true.shape)  # enterprises x 12 months, t CO2
    intensity = rng.uniform(2.0, 3.5, size=enterprises)  # t CO2 per tce
    va_per_t = rng.uniform(0.3, 2.0, size=enterprises)  # 10^4 yuan per t CO2
    is_monitored = np.zeros(enterprises, dtype=bool)
    is_monitored[rng.choice(enterprises, size=monitored, replace=False)] = True
    months = np.tile(np.arange(1, 13), enterprises)
    firm = np.repeat(np.arange(enterprises), 12)
    keep = ~is_monitored[firm] | (months <= 9)
    co2 = true.ravel()[keep].round(3)
    use = pd.DataFrame(
        {
            "enterprise_id": ids[firm[keep]],
            "period": np.array([f"{YEAR}-{m:02d}" for m in range(1, 13)])[months[keep] - 1],
            "co2_t": co2,
            "energy_tce": (co2 / intensity[firm[keep]]).round(3),
            "value_added_10k_yuan": (co2 * va_per_t[firm[keep]]).round(1),
        }
    )
    # the daily meter roll-up of the monitored enterprises, to as_of
    watched = np.flatnonzero(is_monitored)
    day_list = pd.date_range(f"{YEAR}-01-01", AS_OF.isoformat(), freq="D")
    month_of_day = day_list.month.to_numpy() - 1
    coverage = rng.uniform(0.70, 0.95, size=len(watched))
    per_day = true[watched][:, month_of_day] / days[month_of_day]
    metered = per_day * coverage[:, None] * rng.normal(1.0, 0.03, size=per_day.shape)
    present = np.ones_like(metered, dtype=bool)
    gap = np.flatnonzero(np.arange(len(watched)) % 50 == 7)
    present[gap, int(np.flatnonzero(day_list == pd.Timestamp(f"{YEAR}-10-12"))[0])] = False
    w, d = np.nonzero(present)
    daily = pd.DataFrame(
        {
            "enterprise_id": ids[watched][w],
            "day": day_list.date[d],
            "co2_t": metered[w, d].round(4),
            "energy_tce": (metered[w, d] / intensity[watched][w]).round(4),
        }
    )
    calibrating = use.loc[use["enterprise_id"].isin(set(ids[watched])), list(use.columns[:4])]
    # budgets: every enterprise a cap near its year's use, the regions above with a reserve
    caps = (annual * rng.uniform(0.9, 1.15, size=enterprises)).round(1)
    shares = rng.dirichlet(np.full(12, 200.0), size=PROFILES)
    shares[:, -1] = 1 - shares[:, :-1].sum(axis=1)
    rows: list[dict[str, Any]] = []
    by_prefecture: dict[str, float] = dict.fromkeys(prefectures, 0.0)
    for i, (code, region) in enumerate(firms):
        row: dict[str, Any] = {
            "budget_id": f"e-{code}",
            "scope": "enterprise",
            "code": code,
            "parent_id": f"r-{region}",
            "year": YEAR,
            "quantity": "co2",
            "cap": float(caps[i]),
        }
        if i % 2:
            row["profile"] = "monthly"
            row["shares"] = tuple(float(s) for s in shares[i % PROFILES])
        rows.append(row)
        by_prefecture[region] += float(caps[i])
    province_cap = 0.0
    for region, total in by_prefecture.items():
        cap = round(total / (1 - RESERVE) * 1.01, 1)
        rows.append(
            {"budget_id": f"r-{region}", "scope": "region", "code": region,
             "parent_id": f"r-{PROVINCE}", "year": YEAR, "quantity": "co2", "cap": cap,
             "reserve": RESERVE}
        )  # fmt: skip
        province_cap += cap
    rows.append(
        {"budget_id": f"r-{PROVINCE}", "scope": "region", "code": PROVINCE, "year": YEAR,
         "quantity": "co2", "cap": round(province_cap / (1 - RESERVE) * 1.01, 1),
         "reserve": RESERVE}
    )  # fmt: skip
    return {
        "reference": reference,
        "prefectures": prefectures,
        "regions": regions,
        "use": use,
        "daily": daily,
        "calibrating": calibrating,
        "budget_rows": rows,
    }


def thresholds(reference: Reference) -> Reference:
    """Synthetic thresholds: the province's for every budget, a stricter set of one prefecture."""
    rows = []
    for authority, values in (
        (PROVINCE, (("pace", "yellow", 1.0), ("pace", "red", 1.1), ("projection", "yellow", 1.0),
                    ("projection", "red", 1.05))),
        ("130200", (("pace", "yellow", 0.95), ("projection", "red", 1.0))),
    ):  # fmt: skip
        for indicator, level, value in values:
            rows.append(
                {"authority": authority, "quantity": "co2", "indicator": indicator,
                 "level": level, "threshold": value, "valid_from": f"{YEAR}-01-01",
                 "source_id": SOURCE["source_id"], "status": "unverified",
                 "note": "synthetic values for the benchmark only"}
            )  # fmt: skip
    return reference.with_records("budget_alert_thresholds", rows, [SOURCE], origin="benchmark")


SQL = f"""
WITH reported AS (
  SELECT enterprise_id, period, co2_t FROM use
  WHERE period BETWEEN '{YEAR}-01' AND '{AS_OF:%Y-%m}' AND co2_t IS NOT NULL
),
estimated AS (
  SELECT enterprise_id, period, co2_t FROM nowcast
  WHERE period BETWEEN '{YEAR}-01' AND '{AS_OF:%Y-%m}' AND co2_t IS NOT NULL
),
months AS (
  SELECT * FROM reported
  UNION ALL
  SELECT * FROM estimated ANTI JOIN reported USING (enterprise_id, period)
),
firms AS (
  SELECT m.enterprise_id, any_value(f.region) AS region, sum(m.co2_t) AS used
  FROM months m JOIN firms f USING (enterprise_id) GROUP BY m.enterprise_id
)
SELECT b.budget_id, f.used FROM budgets b JOIN firms f ON b.code = f.enterprise_id
WHERE b.scope = 'enterprise'
UNION ALL
SELECT b.budget_id, sum(f.used) FROM budgets b JOIN firms f ON starts_with(f.region, b.prefix)
WHERE b.scope = 'region' GROUP BY b.budget_id
"""


def best(repeat: int, func: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--monitored", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one pipeline run")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")
    began = time.perf_counter()
    data = build(args.enterprises, args.monitored)
    reference, regions = data["reference"], data["regions"]
    use, daily, calibrating = data["use"], data["daily"], data["calibrating"]
    judged_reference = thresholds(reference)
    print(
        f"inputs drawn in {time.perf_counter() - began:.1f} s: {args.enterprises:,} enterprises "
        f"in {len(data['prefectures'])} prefectures of {PROVINCE}, {len(use):,} reported "
        f"enterprise-months, {len(daily):,} daily meter figures of {args.monitored:,} monitored "
        f"enterprises, {len(data['budget_rows']):,} budget rows; as of {AS_OF}"
    )

    t_parse, budgets = best(1, lambda: parse_budgets(data["budget_rows"], reference))
    t_cascade, problems = best(1, lambda: check_cascade(budgets, regions))
    assert problems == [], problems[:3]

    def run_nowcast() -> pd.DataFrame:
        return nowcast(daily, calibrating, AS_OF).table

    def run_track(estimates: pd.DataFrame) -> Any:
        return track(budgets, use, None, estimates, AS_OF, regions, reference)

    def pipeline() -> tuple[pd.DataFrame, Any, Any]:
        estimates = run_nowcast()
        tracked = run_track(estimates)
        return estimates, tracked, levels(tracked, judged_reference, AS_OF)

    t_nowcast, estimates = best(args.repeat, run_nowcast)
    t_track, tracked = best(args.repeat, lambda: run_track(estimates))
    t_levels, judged = best(args.repeat, lambda: levels(tracked, judged_reference, AS_OF))
    t_total, _ = best(args.repeat, pipeline)

    connection = duckdb.connect()
    connection.register("use", use)
    connection.register("nowcast", estimates)
    connection.register(
        "firms", pd.DataFrame({"enterprise_id": list(regions), "region": list(regions.values())})
    )
    prefix = {"province": 2, "prefecture": 4}
    connection.register(
        "budgets",
        pd.DataFrame(
            {
                "budget_id": [b.budget_id for b in budgets],
                "scope": [b.scope for b in budgets],
                "code": [b.code for b in budgets],
                "prefix": [
                    b.code[: prefix["province" if b.code.endswith("0000") else "prefecture"]]
                    if b.scope == "region"
                    else None
                    for b in budgets
                ],
            }
        ),
    )
    t_sql, sql = best(args.repeat, lambda: dict(connection.execute(SQL).fetchall()))
    ours = {s.budget_id: s.used_to_date for s in tracked.statuses}
    assert set(ours) == set(sql), "the SQL and ours track different budgets"
    off = [k for k, v in ours.items() if not np.isclose(v, sql[k], rtol=1e-9, atol=0)]
    assert not off, f"used_to_date differs from the SQL for {len(off)} budgets, e.g. {off[:3]}"
    province = tracked.status(f"r-{PROVINCE}")
    assert province.nowcast_to_date > 0 and len(estimates) == 2 * args.monitored

    tracemalloc.start()
    pipeline()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    counts = pd.Series([j.level for j in judged]).value_counts(dropna=False).to_dict()

    def line(name: str, seconds: float, note: str = "") -> None:
        print(f"{name:<58} {seconds:8.3f} s  {note}")

    print(f"best of {args.repeat} runs")
    line("parse the budget rows (not in the goal)", t_parse, f"{len(budgets):,} budgets")
    line("check the cascade (not in the goal)", t_cascade, "holds")
    line(
        "(a) nowcast of the monitored enterprises", t_nowcast, f"{len(estimates):,} months nowcast"
    )
    line("(b) track every budget", t_track, f"{len(tracked.months):,} budget-months")
    line("(c) alert levels", t_levels, str(counts))
    line(
        "(a) + (b) + (c) in one run",
        t_total,
        f"goal {GOAL_S:.0f} s: {'met' if t_total < GOAL_S else 'NOT met'}",
    )
    line("hand-written DuckDB SQL of each budget's used-to-date", t_sql, "same for every budget")
    print(f"track / SQL: {t_track / t_sql:.1f}x; the whole run / SQL: {t_total / t_sql:.1f}x")
    print(
        f"province: used {province.used_to_date:,.0f} t of {province.cap:,.0f} "
        f"(nowcast {province.nowcast_to_date:,.0f} t), projected share "
        f"{province.projected_share:.3f}"
    )
    print(f"peak Python allocations of one run (tracemalloc): {traced / 2**20:.0f} MiB")
    print(f"peak resident memory of the process: {rss:.0f} MiB")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(pipeline)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
