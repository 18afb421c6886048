"""The national carbon market (issue 21, "Speed"): a sector's national year, 1,500 steel
enterprises x 12 months of monthly activity, accounted by the steel guideline
(CETS—AG—03.01—V01—2024, `market.accounts.account_market`), with its process sheet (炼铁 and
烧结, 6 lines an enterprise-month), and allocated by the 2025 rule (`market.allocations`, a
synthetic balance value); goal under 5 s. Peer in the same run: the existing (MIIT)
accounting of the same rows (`accounting.engine.account`), which the market's account runs once
plus its preparation of the rows (boundary, measured values the guideline does not accept); and
the reconciliation of the two (five accountings of the rows).

Synthetic activity, drawn once (seeded), labelled as such: each enterprise-month has 16 lines
(coke in and sold, anthracite with a measured NCV on half of them, bituminous coal, natural
gas, limestone, dolomite, electrodes, scrap, purchased electricity, crude steel, pig iron, tar
and crude benzene sold, and a coke line with a measured NCV the guideline does not accept).

Best of --repeat runs each; peak resident memory of the process.

Run: PYTHONPATH=src .venv/bin/python benchmarks/market.py [--enterprises E] [--repeat R]
"""

from __future__ import annotations

import argparse
import platform
import resource

import numpy as np
import pandas as pd
from _timing import best  # benchmarks run as scripts: their folder is on the path

from carbonpeak.accounting.engine import account
from carbonpeak.domain.uscc import ALPHABET, make_uscc, organisation_check_character
from carbonpeak.market.accounts import account_market
from carbonpeak.market.allocations import allocations_of
from carbonpeak.market.reconcile import reconcile
from carbonpeak.reference.loader import default_reference

LINES = [  # stream, item, direction, unit, typical amount a month, measured NCV (GJ/t)
    ("fuel", "coke", "in", "t", 30000, ""),
    ("fuel", "coke", "out", "t", 1000, ""),
    ("fuel", "anthracite", "in", "t", 8000, "25.5"),
    ("fuel", "bituminous_coal", "in", "t", 12000, ""),
    ("fuel", "natural_gas", "in", "10^4 Nm3", 50, ""),
    ("process", "limestone", "in", "t", 9000, ""),
    ("process", "dolomite", "in", "t", 3000, ""),
    ("process", "electrode", "in", "t", 20, ""),
    ("process", "steel_scrap", "in", "t", 15000, ""),
    ("electricity", "electricity", "in", "MWh", 40000, ""),
    ("product", "crude_steel", "in", "t", 100000, ""),
    ("product", "pig_iron", "out", "t", 2000, ""),
    ("product", "coal_tar", "out", "t", 1200, ""),
    ("product", "crude_benzene", "out", "t", 400, ""),
    ("fuel", "coke", "in", "t", 500, "29.0"),
    ("fuel", "lpg", "in", "t", 5, ""),
]


def build(enterprises: int, seed: int = 21) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = []
    for _ in range(enterprises):
        body = "".join(ALPHABET[i] for i in rng.integers(0, 31, size=8))
        codes.append(make_uscc("91130200" + body + organisation_check_character(body)))
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    n = enterprises * len(months) * len(LINES)
    spec = pd.DataFrame(LINES, columns=["stream", "item", "direction", "unit", "typical", "ncv"])
    index = np.arange(n) % len(LINES)
    frame = spec.iloc[index].reset_index(drop=True)
    period = np.repeat(np.tile(months, enterprises), len(LINES))
    code = np.repeat(codes, len(months) * len(LINES))
    amount = frame["typical"].to_numpy() * rng.uniform(0.5, 1.5, size=n)
    ncv = frame["ncv"].to_numpy().copy()
    half = (frame["item"].to_numpy() == "anthracite") & (rng.uniform(size=n) < 0.5)
    ncv[half] = ""
    return pd.DataFrame(
        {
            "enterprise_id": code,
            "period": period,
            "stream": frame["stream"].to_numpy(),
            "item": frame["item"].to_numpy(),
            "direction": frame["direction"].to_numpy(),
            "amount": amount.round(2).astype(str),
            "unit": frame["unit"].to_numpy(),
            "ncv": ncv,
            "ncv_unit": np.where(ncv != "", "GJ/t", ""),
        }
    )


PROCESS_LINES = [  # process, stream, item, direction, unit, typical amount a month
    ("炼铁", "fuel", "coke", "in", "t", 25000),
    ("炼铁", "fuel", "bituminous_coal", "in", "t", 12000),
    ("炼铁", "fuel", "blast_furnace_gas", "out", "10^4 Nm3", 10000),
    ("炼铁", "product", "pig_iron", "in", "t", 80000),
    ("烧结", "fuel", "coke", "in", "t", 4000),
    ("烧结", "product", "sinter", "in", "t", 110000),
]


def build_processes(activity: pd.DataFrame, seed: int = 22) -> pd.DataFrame:
    """The process sheet of the same enterprise-months (synthetic, labelled as such)."""
    rng = np.random.default_rng(seed)
    keys = activity[["enterprise_id", "period"]].drop_duplicates().to_numpy()
    spec = pd.DataFrame(
        PROCESS_LINES, columns=["process", "stream", "item", "direction", "unit", "typical"]
    )
    frame = spec.iloc[np.tile(np.arange(len(spec)), len(keys))].reset_index(drop=True)
    amount = frame["typical"].to_numpy() * rng.uniform(0.8, 1.2, size=len(frame))
    return pd.DataFrame(
        {
            "enterprise_id": np.repeat(keys[:, 0], len(spec)),
            "period": np.repeat(keys[:, 1], len(spec)),
            "process": frame["process"].to_numpy(),
            "stream": frame["stream"].to_numpy(),
            "item": frame["item"].to_numpy(),
            "direction": frame["direction"].to_numpy(),
            "amount": amount.round(2).astype(str),
            "unit": frame["unit"].to_numpy(),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = build(args.enterprises)
    print(
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}: "
        f"{args.enterprises:,} enterprises x 12 months, {len(frame):,} activity lines"
    )
    miit_time, miit = best(lambda: account(frame), args.repeat)
    market_time, market = best(lambda: account_market(frame, "steel"), args.repeat)
    rec_time, rec = best(lambda: reconcile(frame, "steel"), 1)
    processes = build_processes(frame)
    reference = default_reference().with_records(
        "market_balance_values",
        [
            {
                "sector": "steel",
                "year": 2025,
                "value": "0.9",
                "unit": "tCO2/t",
                "source_id": "bench_synthetic",
                "status": "unverified",
                "note": "a synthetic balance value of the benchmark, not a published one",
            }
        ],
        [
            {
                "source_id": "bench_synthetic",
                "title": "benchmark (synthetic)",
                "note": "synthetic: no published balance value exists here",
            }
        ],
    )

    def accounted_and_allocated() -> object:
        accounts = account_market(frame, "steel", reference=reference, processes=processes)
        return allocations_of(accounts, 2025, reference)

    full_time, allocated = best(accounted_and_allocated, args.repeat)
    assert len(allocated) == args.enterprises  # type: ignore[arg-type]
    totals = market.totals  # type: ignore[attr-defined]
    assert len(totals) == args.enterprises * 12
    assert np.allclose(
        rec.totals["market_co2_t"].to_numpy(),  # type: ignore[attr-defined]
        totals["co2_t"].to_numpy(),
    )
    print(f"MIIT accounting (peer): {miit_time:.2f} s")
    print(
        f"market account: {market_time:.2f} s (ratio {market_time / miit_time:.2f} to the peer; "
        "goal < 5 s)"
    )
    print(f"reconciliation (five accountings): {rec_time:.2f} s ({rec_time / miit_time:.2f})")
    print(
        f"accounted with the process sheet ({len(processes):,} lines) and allocated (2025 rule): "
        f"{full_time:.2f} s ({full_time / miit_time:.2f} to the peer; goal < 5 s)"
    )
    print(
        f"national CO2 of the sample by the guideline: {totals['co2_t'].sum() / 1e6:,.1f} Mt; "
        f"MIIT CO2e: {miit.totals['co2e_t'].sum() / 1e6:,.1f} Mt"  # type: ignore[attr-defined]
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
