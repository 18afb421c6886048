"""The reference collector (examples/collector.py) against a live server: it waits for a server
that is not up yet, sends a growing file in batches, never a half-written line, stores nothing
twice when it starts over, stops on a refused batch without losing its place, and the server's
last flush leaves every reading in the lake once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.engine.session import open_engine
from carbonpeak.io.lake import read_lake
from carbonpeak.services.access import Actor
from carbonpeak.services.monitoring_feed import register_meters
from carbonpeak.services.tokens import issue_api_key
from carbonpeak.services.users import add_user
from carbonpeak.store.db import make_engine, transaction, upgrade
from carbonpeak.store.models import Enterprise
from tests.conftest import free_port

EXAMPLES = Path(__file__).parents[2] / "examples"
SRC = Path(__file__).parents[2] / "src"
CEMENT = "911302007A3K9C2D24"
METERS = [
    {
        "meter_id": "E-1",
        "enterprise_id": CEMENT,
        "carrier": "electricity",
        "unit": "kWh",
        "kind": "interval",
        "interval_minutes": 15,
    }
]


def _key(home: Path) -> str:
    engine = make_engine(f"sqlite:///{home / 'carbonpeak.db'}")
    upgrade(engine)
    with transaction(engine) as session:
        session.add(
            Enterprise(enterprise_id=CEMENT, name="x", region_code="130200", industry_code="3011")
        )
        user = add_user(session, "cement", "enterprise", "a long enough password", [], [CEMENT])
        session.flush()
        key = issue_api_key(session, Actor.of(user), "collector", enterprise_id=CEMENT)
    # the meter is registered before the collector's first batch can reach the server
    register_meters(engine, Actor.of(user), METERS, home / "lake")
    engine.dispose()
    return str(key["api_key"])


def _lines(start: int, count: int) -> str:
    times = pd.date_range("2024-03-01", periods=start + count, freq="15min")[start:]
    return "".join(f"E-1,{t:%Y-%m-%dT%H:%M},{1 + i % 3}\n" for i, t in enumerate(times))


def test_the_collector_against_a_live_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    key = _key(home)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARBONPEAK_")}
    env |= {
        "CARBONPEAK_HOME": str(home),
        "CARBONPEAK_FLUSH_SECONDS": "3600",  # the flush at the server's stop only
        "CARBONPEAK_PASSWORD_HASH_TIME_COST": "1",
        "CARBONPEAK_PASSWORD_HASH_MEMORY_KIB": "1024",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")])),
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    feed = tmp_path / "readings.csv"
    feed.write_text("meter_id,ts,value\n" + _lines(0, 10), encoding="utf-8")
    state = tmp_path / "collector.state"

    def collect(*extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(EXAMPLES / "collector.py"), str(feed), "--url", url,
             f"--key={key}", "--state", str(state), "--once", "--batch", "4",
             "--attempts", "14", "--backoff", "0.2", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip

    # the server is not up yet: the collector backs off and tries again
    early = collect()
    time.sleep(1)
    if early.poll() is not None:  # say why, and close its pipes (a later test would warn)
        _out, err = early.communicate()
        pytest.fail(f"the collector stopped before the server was up ({early.returncode}): {err}")
    server = subprocess.Popen(
        [sys.executable, "-m", "carbonpeak", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # on a deadline, not a count: the server's start is much slower on a loaded machine
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, "the server exited before it listened"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not listen within 120 s"
                time.sleep(0.1)
        listed = urllib.request.urlopen(
            urllib.request.Request(
                f"{url}/api/v1/monitoring/meters", headers={"Authorization": f"Bearer {key}"}
            ),
            timeout=30,
        )
        assert [m["meter_id"] for m in json.loads(listed.read())["items"]] == ["E-1"]
        out, err = early.communicate(timeout=120)
        assert early.returncode == 0, err
        answers = [json.loads(line) for line in out.splitlines()]
        assert [a["readings"] for a in answers] == [4, 4, 2]
        assert json.loads(state.read_text()) == {"offset": feed.stat().st_size, "sending": None}

        # a line still being written is not sent until it ends
        with feed.open("a", encoding="utf-8") as handle:
            handle.write(_lines(10, 3) + "E-1,2024-03-01T03:15,")
        out, err = collect().communicate(timeout=120)
        assert [json.loads(line)["readings"] for line in out.splitlines()] == [3]
        with feed.open("a", encoding="utf-8") as handle:
            handle.write("7\n")
        out, err = collect().communicate(timeout=120)
        assert [json.loads(line)["readings"] for line in out.splitlines()] == [1]

        # killed after sending its last batch, before it knew the answer: sent again on restart,
        # a duplicate, nothing stored twice
        end = feed.stat().st_size
        start = end - len("E-1,2024-03-01T03:15,7\n")
        state.write_text(json.dumps({"offset": start, "sending": [start, end]}))
        out, err = collect().communicate(timeout=120)
        assert [json.loads(line)["duplicate"] for line in out.splitlines()] == [True]
        assert json.loads(state.read_text()) == {"offset": end, "sending": None}

        # a refused batch stops the collector where it was
        before = state.read_text()
        with feed.open("a", encoding="utf-8") as handle:
            handle.write("X-9,2024-03-02T00:00,1\n")
        refused = collect()
        out, err = refused.communicate(timeout=120)
        assert refused.returncode == 2 and "unknown meter 'X-9'" in err and '"row":1' in err
        assert json.loads(state.read_text())["offset"] == json.loads(before)["offset"]
    finally:
        server.terminate()  # its last flush moves the landed batches into the lake
        server.wait(timeout=120)
    rows = read_lake(open_engine("duckdb"), home / "lake").collect()
    assert len(rows) == 14 and len({r["ts"] for r in rows}) == 14
