"""A submission killed (SIGKILL) at any step leaves the store as it was, and the same command
run again stores it whole (issue 15: kill -9 at every phase of an upload)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carbonpeak.services.users import add_user
from carbonpeak.store.audit import verify
from carbonpeak.store.db import make_engine, transaction, upgrade
from carbonpeak.store.models import AccountResult, ActivityLine, Submission

EXAMPLES = Path(__file__).parents[2] / "examples"


def _counts(database: str) -> tuple[int, int, int]:
    engine = make_engine(database)
    with transaction(engine) as session:
        counts = tuple(
            int(session.execute(select(func.count()).select_from(model)).scalar_one())
            for model in (Submission, ActivityLine, AccountResult)
        )
        assert verify(session).ok
    engine.dispose()
    return counts  # type: ignore[return-value]


def _submit(database: str, fault: str | None) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARBONPEAK_")}
    env["CARBONPEAK_DATABASE_URL"] = database
    if fault:
        env["CARBONPEAK_FAULT_POINT"] = fault
    args = ["accounting", "submit", str(EXAMPLES / "activity.csv"), "--as", "admin"]
    done = subprocess.run(
        [sys.executable, "-m", "carbonpeak", *args], env=env, capture_output=True, text=True
    )
    return done.returncode


@pytest.mark.parametrize("fault", ["submission-accounted", "submission-written"])
def test_a_killed_submission_leaves_nothing_and_a_retry_stores_it(
    database: str, fault: str
) -> None:
    engine = make_engine(database)
    upgrade(engine)
    with transaction(engine) as session:
        add_user(session, "admin", "admin", "a long enough password")
        import pandas as pd

        from carbonpeak.store.models import Enterprise

        for row in pd.read_csv(EXAMPLES / "enterprises.csv", dtype=str).to_dict("records"):
            session.add(Enterprise(**{k: str(v) for k, v in row.items()}))
    engine.dispose()
    assert _submit(database, fault) == -9  # killed where asked
    assert _counts(database) == (0, 0, 0)
    assert _submit(database, None) == 0
    submissions, lines, accounts = _counts(database)
    assert submissions == accounts == 4 and lines > 0
