"""End to end: load the demo into a store, serve it with uvicorn, use it over HTTP."""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

EXAMPLES = Path(__file__).parents[2] / "examples"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(
    url: str, token: str | None = None, data: bytes | None = None, content_type: str | None = None
) -> tuple[int, dict]:  # type: ignore[type-arg]
    request = urllib.request.Request(url, data=data)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_demo_load_serve_and_use(tmp_path: Path) -> None:
    env = {**os.environ, "CARBONPEAK_HOME": str(tmp_path / "home")}
    env.pop("CARBONPEAK_DATABASE_URL", None)
    env.pop("CARBONPEAK_LAKE", None)  # the demo's meters go to the lake in CARBONPEAK_HOME
    cli = [sys.executable, "-m", "carbonpeak"]
    for _ in range(2):  # loading twice changes nothing the second time
        loaded = subprocess.run(
            [*cli, "demo", "--out", str(tmp_path / "p"), "--enterprises", "80", "--load", "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    assert json.loads(loaded.stdout)["loaded"]["submissions_created"] == 0
    assert len(list((tmp_path / "home" / "lake" / "meters").glob("part-*.parquet"))) == 1
    port = _port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        # the server imports the whole platform first: seconds on an idle machine, much more on
        # a loaded one (the suite runs in parallel workers), so wait on a deadline, not a count
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, "the server exited before it listened"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not listen within 120 s"
                time.sleep(0.1)
        tokens = {}
        for who in ("demo-regulator", "demo-enterprise"):
            form = urllib.parse.urlencode({"username": who, "password": "carbonpeak-demo"})
            status, body = _call(
                f"{base}/auth/token",
                data=form.encode(),
                content_type="application/x-www-form-urlencoded",
            )
            assert status == 200
            tokens[who] = body["access_token"]
        status, page = _call(f"{base}/enterprises?limit=500", tokens["demo-regulator"])
        # 80 demo enterprises, the two Hebei ones of the examples and the three demo automakers
        assert status == 200 and page["total"] == 85
        status, mine = _call(f"{base}/enterprises", tokens["demo-enterprise"])
        own = {e["enterprise_id"] for e in mine["items"]}
        # the demo plants' diagnoses are in the register, once although the demo loaded twice
        status, register = _call(f"{base}/opportunities", tokens["demo-regulator"])
        proposed = register["items"]
        assert status == 200 and proposed and {o["state"] for o in proposed} == {"proposed"}
        assert len({o["enterprise_id"] for o in proposed}) == 6
        assert len(proposed) == len({(o["enterprise_id"], o["measure_id"]) for o in proposed})
        # the province's first enterprise, the first metered plant and the examples (3)
        assert (status, len(own)) == (200, 5)
        other = next(e["enterprise_id"] for e in page["items"] if e["enterprise_id"] not in own)
        assert _call(f"{base}/enterprises/{other}", tokens["demo-enterprise"])[0] == 404
        # the newcomer's path: upload the example file, see its accounts
        with (EXAMPLES / "activity.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        status, made = _call(
            f"{base}/submissions/rows",
            tokens["demo-enterprise"],
            json.dumps({"rows": rows}).encode(),
            "application/json",
        )
        assert status == 201 and len(made["submissions"]) == 4
        status, accounts = _call(
            f"{base}/enterprises/911302007A3K9C2D24/accounts?period=2023", tokens["demo-enterprise"]
        )
        assert status == 200 and accounts["results"][0]["co2e_t"] > 0
        status, rollup = _call(f"{base}/rollups?by=province_code", tokens["demo-regulator"])
        assert status == 200 and rollup["rows"][0]["province_code"] == "130000"
    finally:
        server.terminate()
        server.wait(timeout=10)
