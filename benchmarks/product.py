"""Product carbon (issue 22, "Speed"): the footprints of every product of a province's 1,500
enterprises in under 10 s, with the ratio to the accounting run over the same rows.

Synthetic plants, drawn once (seeded), labelled as such: 1,500 cement plants x 12 months of
monthly activity (raw coal, limestone, electricity), each with the examples' process
map (a kiln making clinker, a mill grinding cement from 750 t of clinker a 1,000 t, bought
gypsum without a factor), its tonnes scaled to the plant's limestone. Timed (best of --repeat):

- `account`: the accounting engine over all the rows, to its lines (`accounting.engine.account`);
- `products`: every plant's footprints, SEE and CBAM goods (`product.results.province_results`:
  the same accounting run once, then each plant's map over its own lines).

Peak resident memory of the process.

Run: PYTHONPATH=src .venv/bin/python benchmarks/product.py [--enterprises E] [--repeat R]
"""

from __future__ import annotations

import argparse
import platform
import resource
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from _timing import best  # benchmarks run as scripts: their folder is on the path

from carbonpeak.accounting.engine import account
from carbonpeak.domain.uscc import ALPHABET, make_uscc, organisation_check_character
from carbonpeak.io.product_map import read_product_map
from carbonpeak.product.plant import ProductMap
from carbonpeak.product.years import province_results
from carbonpeak.reference.loader import default_reference

EXAMPLE = Path(__file__).parents[1] / "examples" / "product_map.xlsx"
LINES = [  # stream, item, unit, typical amount a month
    ("fuel", "raw_coal", "t", 12_000),
    ("process", "limestone", "t", 100_000),
    ("electricity", "electricity", "MWh", 8_000),
]


def build(enterprises: int, seed: int = 22) -> tuple[pd.DataFrame, dict[str, ProductMap]]:
    rng = np.random.default_rng(seed)
    example = read_product_map(EXAMPLE)
    codes, maps = [], {}
    for _ in range(enterprises):
        body = "".join(ALPHABET[i] for i in rng.integers(0, 31, size=8))
        code = make_uscc("91130200" + body + organisation_check_character(body))
        codes.append(code)
        scale = rng.uniform(0.5, 1.5) * 1000  # the example's tonnes x 500 to 1 500
        kiln, mill = example.units
        maps[code] = replace(
            example,
            units=(
                replace(kiln, products={"clinker": 800 * scale}),
                replace(mill, products={"cement": 1000 * scale}),
            ),
            links=tuple(replace(link, tonnes=link.tonnes * scale) for link in example.links),
        )
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    n = enterprises * len(months) * len(LINES)
    spec = pd.DataFrame(LINES, columns=["stream", "item", "unit", "typical"])
    frame = spec.iloc[np.arange(n) % len(LINES)].reset_index(drop=True)
    amount = frame["typical"].to_numpy() * rng.uniform(0.5, 1.5, size=n)
    activity = pd.DataFrame(
        {
            "enterprise_id": np.repeat(codes, len(months) * len(LINES)),
            "period": np.repeat(np.tile(months, enterprises), len(LINES)),
            "stream": frame["stream"].to_numpy(),
            "item": frame["item"].to_numpy(),
            "direction": "in",
            "amount": amount.round(2).astype(str),
            "unit": frame["unit"].to_numpy(),
        }
    )
    return activity, maps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    activity, maps = build(args.enterprises)
    reference = default_reference()
    print(
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}: "
        f"{args.enterprises:,} cement plants x 12 months, {len(activity):,} activity lines"
    )
    accounted, _ = best(lambda: account(activity, reference=reference).lines, args.repeat)
    products, results = best(
        lambda: province_results(activity, None, maps, 2025, reference, import_year=2026),
        args.repeat,
    )
    assert isinstance(results, dict) and len(results) == args.enterprises
    footprints = sum(len(r.footprints) for r in results.values())
    goods = sum(len(r.goods) for r in results.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"account      {accounted:7.2f} s")
    print(
        f"products     {products:7.2f} s  ({footprints:,} footprints, {goods:,} CBAM goods; "
        f"{products / accounted:.1f}x the accounting run; goal < 10 s)"
    )
    print(f"peak memory  {peak:7.0f} MiB")


if __name__ == "__main__":
    main()
