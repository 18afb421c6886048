"""CPU time a request of each read endpoint and page the demo shows, in-process (the app
through Starlette's TestClient, no network, no wrk): the measure that holds on a shared
machine, where wall-clock latencies under load vary with the neighbours. The store is the
one `api_load.py` builds (the demo province, 1,500 enterprises x 6 years).

Run: .venv/bin/python benchmarks/api_cpu.py [REQUESTS] [--profile PATH]
(set LOAD_STORE to a folder to keep the store between runs)
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from api_load import endpoints, load_store  # benchmarks run as scripts: their folder is on the path


def main() -> None:
    args = sys.argv[1:]
    profile = None
    if "--profile" in args:
        at = args.index("--profile")
        profile = args[at + 1]
        del args[at : at + 2]
    requests = int(args[0]) if args else 200
    kept = os.environ.get("LOAD_STORE")
    home = Path(kept) if kept else Path(tempfile.mkdtemp(prefix="carbonpeak-cpu-"))
    marker = home / "enterprise.txt"
    if marker.exists():
        os.environ["CARBONPEAK_HOME"] = str(home)
        enterprise = marker.read_text()
    else:
        home.mkdir(parents=True, exist_ok=True)
        enterprise = load_store(home)
        marker.write_text(enterprise)
    from fastapi.testclient import TestClient

    from carbonpeak.api.app import create_app

    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        token = client.post(
            "/api/v1/auth/token",
            data={"username": "demo-regulator", "password": "carbonpeak-demo"},
        ).json()["access_token"]
        print(f"{requests} requests each, in-process, CPU ms a request (process time)")
        floor = None
        for name, path in endpoints("", enterprise).items():
            api = path.startswith("/api/") or path == "/openapi.json"
            if api:
                client.cookies.clear()
                headers = {"Authorization": f"Bearer {token}"}
            else:
                client.cookies.set("carbonpeak_session", token)
                headers = {}
            first = client.get(path, headers=headers)
            assert first.status_code == 200, (path, first.status_code, first.text[:300])
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(requests):
                client.get(path, headers=headers)
            cpu = (time.process_time() - cpu) * 1000 / requests
            wall = (time.perf_counter() - wall) * 1000 / requests
            if profiler:
                profiler.disable()
                slug = "".join(c if c.isalnum() else "_" for c in path)[:60]
                profiler.dump_stats(f"{profile}{slug}.prof")
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            floor = floor or cpu
            print(
                f"{name:<48} {cpu:7.2f} ms CPU  {wall:7.2f} ms wall  "
                f"{len(first.content):8d} bytes  ({cpu / floor:.1f}x the floor)"
            )


if __name__ == "__main__":
    main()
