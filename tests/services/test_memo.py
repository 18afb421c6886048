"""Results kept per store state and caller scope (`services.memo.kept`): computed once while
the store does not change, again after any write (the audit head moves), never shared
between scopes, each caller with its own copy, an error not kept."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from carbonpeak.services.access import Actor
from carbonpeak.services.memo import kept
from carbonpeak.store import audit
from carbonpeak.store.db import transaction

HEBEI = Actor(1, "hebei", "regulator", frozenset({"130000"}), frozenset())
SHIJIAZHUANG = Actor(2, "sjz", "regulator", frozenset({"130100"}), frozenset())


def test_kept_until_a_write_per_scope(engine: Engine) -> None:
    calls: list[str] = []

    def compute(who: str) -> dict[str, Any]:
        calls.append(who)
        return {"rows": [{"who": who, "n": len(calls)}]}

    with transaction(engine) as session:
        first = kept(session, HEBEI, "t", ("a",), lambda: compute("hebei"))
        again = kept(session, HEBEI, "t", ("a",), lambda: compute("hebei"))
        other_scope = kept(session, SHIJIAZHUANG, "t", ("a",), lambda: compute("sjz"))
        other_question = kept(session, HEBEI, "t", ("b",), lambda: compute("hebei"))
    # one computation for the first two, one each for the other scope and the other question
    assert calls == ["hebei", "sjz", "hebei"]
    assert first == again == {"rows": [{"who": "hebei", "n": 1}]}
    assert other_scope == {"rows": [{"who": "sjz", "n": 2}]}
    assert other_question == {"rows": [{"who": "hebei", "n": 3}]}
    # each caller gets its own copy: changing one does not change the kept result
    again["rows"][0]["n"] = 99
    with transaction(engine) as session:
        assert kept(session, HEBEI, "t", ("a",), lambda: compute("x"))["rows"][0]["n"] == 1
    with transaction(engine) as session:
        audit.record(session, "someone", "test.write", "thing", "1")
    with transaction(engine) as session:
        after = kept(session, HEBEI, "t", ("a",), lambda: compute("hebei"))
    assert after == {"rows": [{"who": "hebei", "n": 4}]}  # the write moved the head


def test_an_error_is_not_kept(engine: Engine) -> None:
    def fails() -> int:
        raise LookupError("not found")

    with transaction(engine) as session:
        with pytest.raises(LookupError):
            kept(session, HEBEI, "t-error", (), fails)
        assert kept(session, HEBEI, "t-error", (), lambda: 7) == 7
