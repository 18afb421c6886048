"""Bodies have a size limit (413 before they are parsed), and a large submission does not
hold up the others (issue 15, item 16)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from carbonpeak.accounting import engine as accounting_engine
from carbonpeak.io.tables import MAX_UPLOAD_BYTES
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting import submit
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Submission, User
from tests.api.conftest import ALUMINIUM, CEMENT, Api


def _rows(count: int, code: str = CEMENT) -> list[dict[str, str]]:
    periods = [f"{year}-{month:02d}" for year in range(1990, 2100) for month in range(1, 13)]
    return [
        {
            "enterprise_id": code,
            "period": periods[i % len(periods)],
            "stream": "fuel",
            "item": "raw_coal",
            "amount": str(1 + i % 97),
            "unit": "t",
        }
        for i in range(count)
    ]


def _stored(engine: Engine) -> int:
    with transaction(engine) as session:
        return int(session.execute(select(func.count(Submission.submission_id))).scalar_one())


def test_a_json_body_past_the_limit_is_refused_before_it_is_read(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARBONPEAK_MAX_BODY_MB", "0.05")  # 52 kB
    small = api.client.post(
        "/api/v1/submissions/rows", json={"rows": _rows(10)}, headers=api.headers("cement")
    )
    assert small.status_code == 201, small.text
    large = api.client.post(
        "/api/v1/submissions/rows", json={"rows": _rows(1000)}, headers=api.headers("cement")
    )
    assert large.status_code == 413
    assert "0.05 MB" in large.json()["detail"] and "请求内容超过" in large.json()["detail"]
    assert _stored(api.engine) == 10  # the ten periods of the small table


def test_a_chunked_body_is_counted_as_it_arrives(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARBONPEAK_MAX_BODY_MB", "0.05")
    body = pd.Series([str({"rows": _rows(1000)}).replace("'", '"')]).iloc[0].encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    sent = api.client.post(
        "/api/v1/submissions/rows",
        content=chunks(),
        headers={**api.headers("cement"), "Content-Type": "application/json"},
    )
    assert sent.status_code == 413
    assert _stored(api.engine) == 0


def test_an_upload_past_its_limit_is_refused(api: Api) -> None:
    content = b"x" * (MAX_UPLOAD_BYTES + 2 * 1024 * 1024)
    sent = api.client.post(
        "/api/v1/submissions",
        files={"file": ("activity.csv", content, "text/csv")},
        headers=api.headers("cement"),
    )
    assert sent.status_code == 413


def _actor(engine: Engine, username: str) -> Actor:
    with transaction(engine) as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one()
        return Actor.of(user)


def test_a_large_submission_does_not_hold_up_a_small_one(api: Api) -> None:
    """The large table's accounting runs outside the submissions' lock: a small submission
    sent while it is being accounted is stored before it (before the fix it waited)."""
    group = _actor(api.engine, "group")
    large = pd.DataFrame(_rows(20_000))
    small = pd.DataFrame(_rows(3, ALUMINIUM))
    accounting = threading.Event()
    done: dict[str, Any] = {}

    def watch(frame: FrameType, event: str, _arg: object) -> None:
        if event == "call" and frame.f_code is accounting_engine.account.__code__:
            accounting.set()

    def send_large() -> None:
        sys.setprofile(watch)
        try:
            with transaction(api.engine) as session:
                done["large"] = submit(session, group, large)
        finally:
            sys.setprofile(None)
            done["large_done"] = True

    worker = threading.Thread(target=send_large)
    worker.start()
    assert accounting.wait(60)
    with transaction(api.engine) as session:
        made = submit(session, group, small)
    large_still_running = "large_done" not in done
    worker.join(120)
    assert made[0]["created"] and large_still_running
    assert len(done["large"]) == len(np.unique(large["period"]))
