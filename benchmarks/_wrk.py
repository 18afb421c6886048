"""What the benchmarks read from wrk's report, said once."""

from __future__ import annotations

import re

UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3}  # wrk's latency units, in milliseconds


def latency_ms(output: str, label: str) -> float:
    """The latency wrk reports after `label` (a percentile such as `99%`), in milliseconds."""
    match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", output)
    assert match, output
    return float(match.group(1)) * UNITS_MS[match.group(2)]
