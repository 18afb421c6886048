"""Benchmarks of the foundation: loading the reference library, look-ups, USCC checks.

Each figure is printed with its ratio against a baseline measured in the same run:
- reference look-ups by key against a naive linear scan of the same rows;
- USCC checks against python-stdnum's `stdnum.cn.uscc.is_valid` (a peer), when installed.

Run: .venv/bin/python benchmarks/bench_foundation.py   (install the peer: pip install -e '.[bench]')
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from datetime import date

import numpy as np

from carbonpeak.domain.uscc import ALPHABET, check_uscc, make_uscc
from carbonpeak.reference.loader import Reference


def best_of(repeat: int, func: Callable[[], object]) -> float:
    """The fastest of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.processor()}")

    load = best_of(5, Reference.load)
    print(f"reference load and check (all tables): {load * 1e3:.1f} ms")

    ref = Reference.load()
    regions = [str(r["region_code"]) for r in ref.rows("regions")]
    keys = [regions[i % len(regions)] for i in range(20_000)]
    records = ref.rows("regions")

    def indexed() -> None:
        for key in keys:
            ref.rows("regions", region_code=key)

    def naive() -> None:
        for key in keys:
            [r for r in records if r["region_code"] == key]

    t_indexed, t_naive = best_of(3, indexed), best_of(3, naive)
    print(
        f"region look-ups: {len(keys) / t_indexed:,.0f}/s indexed vs {len(keys) / t_naive:,.0f}/s "
        f"linear scan: {t_naive / t_indexed:.1f}x"
    )

    as_of = date(2024, 1, 1)
    areas = [str(r["area"]) for r in ref.rows("efficiency_levels", as_of=as_of)]
    lookups = [areas[i % len(areas)] for i in range(20_000)]
    t_lookup = best_of(
        3,
        lambda: [ref.lookup("efficiency_levels", "baseline", as_of=as_of, area=a) for a in lookups],
    )
    print(f"as-of look-ups with provenance: {len(lookups) / t_lookup:,.0f}/s")

    rng = np.random.default_rng(1)
    codes = [
        make_uscc("91130200" + "".join(ALPHABET[i] for i in rng.integers(0, 31, size=9)))
        for _ in range(50_000)
    ]
    t_ours = best_of(3, lambda: [check_uscc(c) for c in codes])
    line = f"USCC checks: {len(codes) / t_ours:,.0f}/s"
    try:
        from stdnum.cn import uscc as stdnum_uscc
    except ImportError:
        print(line + " (python-stdnum not installed: no peer ratio)")
    else:
        t_peer = best_of(3, lambda: [stdnum_uscc.is_valid(c) for c in codes])
        print(
            f"{line} vs python-stdnum {len(codes) / t_peer:,.0f}/s: "
            f"{t_peer / t_ours:.2f}x (ours also checks the authority/type pair and GB 11714)"
        )


if __name__ == "__main__":
    main()
