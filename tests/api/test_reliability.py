"""Reliability: a killed upload leaves the store consistent; concurrent submissions lose
nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd
import uvicorn
from sqlalchemy import Engine, event, func, select

from carbonpeak.api.app import create_app
from carbonpeak.demo.province import generate_province, province_activity
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting import submit
from carbonpeak.services.users import add_user
from carbonpeak.store import audit
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise, Submission, User

from ..conftest import free_port


def _province_in_store(engine: Engine, enterprises: int) -> pd.DataFrame:
    province = generate_province(seed=5, enterprises=enterprises)
    with transaction(engine) as session:
        session.add_all(Enterprise(**e.enterprise.model_dump()) for e in province.enterprises)
        add_user(session, "loader", "admin", "a long enough password")
    return province_activity(province).astype(str).replace("nan", "")


def _count(engine: Engine) -> int:
    with transaction(engine) as session:
        return int(session.execute(select(func.count()).select_from(Submission)).scalar_one())


def test_killed_upload_leaves_nothing_half_written(
    engine: Engine,
    database: str,
    tmp_path: Path,
) -> None:
    one_year = _province_in_store(engine, 1500)
    # two years of the province: an upload that takes several seconds to store
    activity = pd.concat([one_year.assign(period=str(year)) for year in (2022, 2023)])
    groups = activity.groupby(["enterprise_id", "period"]).ngroups
    big = tmp_path / "big.csv"
    activity.to_csv(big, index=False)
    env = {**os.environ, "CARBONPEAK_DATABASE_URL": database}
    command = [sys.executable, "-m", "carbonpeak", "submit", str(big), "--as", "loader"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(2.0)  # the run takes longer: it is killed inside its transaction
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert _count(engine) in (0, groups)  # nothing, or everything if it had finished
    with transaction(engine) as session:
        assert audit.verify(session).ok
    retry = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert retry.returncode == 0, retry.stderr
    assert _count(engine) == groups
    with transaction(engine) as session:
        assert audit.verify(session).ok


def test_concurrent_submissions_lose_nothing(engine: Engine) -> None:
    activity = _province_in_store(engine, 120)
    keys = activity[["enterprise_id", "period"]].drop_duplicates()
    parts = [
        activity[activity["enterprise_id"].isin(keys["enterprise_id"][i::4])] for i in range(4)
    ]
    errors: list[BaseException] = []

    def run(part: pd.DataFrame) -> None:
        try:
            for _ in range(2):  # the same rows twice: the second time is the same version
                with transaction(engine) as session:
                    user = session.execute(select(User)).scalar_one()
                    submit(session, Actor.of(user), part)
        except BaseException as exc:
            errors.append(exc)

    # each part submitted by two threads at once, and all parts at once
    threads = [threading.Thread(target=run, args=(p,)) for p in parts + parts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _count(engine) == len(keys)
    with transaction(engine) as session:
        verdict = audit.verify(session)
        versions = set(session.execute(select(Submission.version)).scalars())
    assert verdict.ok and verdict.entries == len(keys) + 1  # + the user
    assert versions == {1}


def test_a_response_is_sent_only_after_its_commit(engine: Engine) -> None:
    """A client told "stored" may ask any worker for the data at once: the request's
    transaction commits before the response leaves (with the commit slowed down, the
    response waits for it)."""
    with transaction(engine) as session:
        add_user(session, "slow", "admin", "a long enough password")
    delay = 0.6

    def slow_commit(_connection: object) -> None:
        time.sleep(delay)

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    event.listen(engine, "commit", slow_commit)
    try:
        start = time.monotonic()
        form = urllib.parse.urlencode({"username": "slow", "password": "a long enough password"})
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/token", data=form.encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        assert time.monotonic() - start >= delay  # the commit (a new token) came first
    finally:
        event.remove(engine, "commit", slow_commit)
        server.should_exit = True
        thread.join(timeout=10)
