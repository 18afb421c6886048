"""The CPU of the feed's own work for one batch of 1,000 readings (issue 17), without HTTP: the
handler's path from the body to the answer (`io.batches.read_batch`, then
`services.monitoring_feed.post_readings`: the check, the digest, the batch record in the SQLite
store, the landing file) in one thread, batch after batch, each new (`monitoring_feed.py`'s
bodies). `--profile` prints cProfile's top functions by cumulative time.

Printed: CPU ms a batch (process time, so other processes on the machine count little), wall
ms a batch, and the same split into the parse (`read_batch`) and the rest; then the CPU of
the flush of all the landed batches into the lake (`flush_landed`, DuckDB's threads
included), a batch's share.

Run: PYTHONPATH=src .venv/bin/python benchmarks/monitoring_feed_cpu.py [BATCHES] [--profile]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from monitoring_feed import BATCH, CEMENT, METERS, batch_body, prepare


def main() -> None:
    batches = int(next((a for a in sys.argv[1:] if a.isdigit()), "300"))
    home = Path(tempfile.mkdtemp(prefix="carbonpeak-feed-cpu-"))
    try:
        prepare(home)
        os.environ["CARBONPEAK_HOME"] = str(home)
        from carbonpeak.io.batches import read_batch
        from carbonpeak.services import monitoring_feed as feed
        from carbonpeak.services.access import Actor
        from carbonpeak.store.db import make_engine

        engine = make_engine()
        actor = Actor(0, "bench", "enterprise", frozenset(), frozenset({CEMENT}))
        feed.register_meters(
            engine,
            actor,
            [
                {
                    "meter_id": f"M{m:04d}",
                    "enterprise_id": CEMENT,
                    "carrier": "electricity",
                    "unit": "kWh",
                    "kind": "interval",
                    "interval_minutes": 15,
                }
                for m in range(METERS)
            ],
        )
        bodies = [batch_body(n) for n in range(batches + 20)]

        def one(n: int) -> tuple[float, float]:
            start = time.process_time()
            frame = read_batch(bodies[n], "jsonl", f"b-{n}", CEMENT)
            parsed = time.process_time()
            done = feed.post_readings(engine, actor, CEMENT, f"b-{n}", frame)
            assert done["readings"] == BATCH and not done["duplicate"], done
            return parsed - start, time.process_time() - parsed

        for n in range(20):  # warm-up: imports, caches
            one(n)
        if "--profile" in sys.argv:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for n in range(20, 20 + batches):
                one(n)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(45)
            return
        wall = time.perf_counter()
        splits = [one(n) for n in range(20, 20 + batches)]
        wall = time.perf_counter() - wall
        parse = sum(s[0] for s in splits) / batches * 1000
        rest = sum(s[1] for s in splits) / batches * 1000
        flush = time.process_time()
        flushed = feed.flush_landed(engine)
        flush = (time.process_time() - flush) / batches * 1000
        assert flushed["readings"] == (batches + 20) * BATCH, flushed
        print(
            f"{batches} batches of {BATCH} readings: CPU {parse + rest:.2f} ms a batch "
            f"(read_batch {parse:.2f}, post_readings {rest:.2f}), wall "
            f"{wall / batches * 1000:.2f} ms a batch; their flush: CPU {flush:.2f} ms a batch"
        )
        engine.dispose()
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
