"""`carbonpeak db upgrade`, `users add` and `audit verify` on the default SQLite store and on
PostgreSQL through CARBONPEAK_DATABASE_URL."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def store_env(database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("CARBONPEAK_HOME", str(tmp_path / "home"))
    if database.startswith("sqlite"):
        monkeypatch.delenv("CARBONPEAK_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("CARBONPEAK_DATABASE_URL", database)
    return database


def test_store_commands(
    cli: Cli, store_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, _, err = cli("audit", "verify")
    assert code == 2 and "has no schema; run `carbonpeak store upgrade`" in err
    code, out, _ = cli("db", "upgrade", "--json")
    assert code == 0 and json.loads(out)["to"] == "0023"
    if store_env.startswith("sqlite"):
        assert (tmp_path / "home" / "carbonpeak.db").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    code, out, _ = cli(
        "users", "add", "hebei", "--role", "regulator", "--region", "130000", "--password-stdin"
    )
    assert (code, out.strip()) == (0, "user hebei (regulator) added")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = cli("users", "add", "x", "--role", "regulator", "--password-stdin")
    assert code == 2
    assert "field password: at least 12 characters" in err
    assert "field region: a regulator needs at least one region code" in err
    code, _, err = cli("users", "add", "y", "--role", "admin")
    assert code == 2 and "--password-stdin" in err
    code, out, _ = cli("audit", "verify")
    assert (code, out.strip()) == (0, "audit log: 1 entries, chain intact")
