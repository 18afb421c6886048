"""Timing shared by the benchmarks (run as scripts: their folder is on the path)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    """The fastest of `repeat` runs (seconds) and the last run's result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result
