"""Login throttling (issue 15, item 12): after too many failed logins an account (or an
address) waits, the right password included, with a 429 and Retry-After on the API and on the
login page; the start of a wait is audited; the wait ends when the failures leave the window."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from carbonpeak.errors import AuthenticationError, TooManyAttempts
from carbonpeak.services.users import sign_in
from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry
from tests.api.conftest import PASSWORD, Api

Cli = Callable[..., tuple[int, str, str]]


def _token(api: Api, username: str, password: str) -> int:
    sent = api.client.post("/api/v1/auth/token", data={"username": username, "password": password})
    if sent.status_code == 429:
        assert 0 < int(sent.headers["Retry-After"]) <= 15 * 60
    return sent.status_code


def test_forty_wrong_passwords_then_the_right_one_is_refused(api: Api) -> None:
    codes = [_token(api, "cement", f"guess {n}") for n in range(40)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    assert _token(api, "cement", PASSWORD) == 429
    # another account from the same address is not locked out by one account's failures
    assert _token(api, "hebei", PASSWORD) == 200
    with transaction(api.engine) as session:
        audited = session.execute(
            select(AuditEntry).where(AuditEntry.action == "login.throttle")
        ).scalars()
        assert [(a.entity, a.entity_id) for a in audited] == [("account", "cement")]


def test_the_login_page_says_when_to_try_again(api: Api) -> None:
    for n in range(5):
        wrong = api.client.post("/login", data={"username": "cement", "password": f"x{n}"})
        assert wrong.status_code == 401
    api.client.cookies.set("lang", "en")
    waiting = api.client.post("/login", data={"username": "cement", "password": PASSWORD})
    assert waiting.status_code == 429 and "try again in 15 minutes" in waiting.text
    assert "carbonpeak_session" not in waiting.headers.get("set-cookie", "")


def test_the_wait_ends_with_the_window_and_a_login_clears_the_count(api: Api) -> None:
    start = datetime.now(UTC)

    def attempt(password: str, at: datetime, address: str = "192.0.2.1") -> str:
        with transaction(api.engine) as session:  # one login, one transaction, as served
            return sign_in(session, "cement", password, address, now=at)

    for n in range(5):
        with pytest.raises(AuthenticationError):
            attempt(f"x{n}", start)
    with pytest.raises(TooManyAttempts) as waiting:
        attempt(PASSWORD, start + timedelta(minutes=1))
    assert waiting.value.retry_after == 14 * 60
    later = start + timedelta(minutes=15, seconds=1)
    assert attempt(PASSWORD, later)
    # the success cleared the account's count: four more failures do not lock it
    for n in range(4):
        with pytest.raises(AuthenticationError):
            attempt(f"y{n}", later)
    assert attempt(PASSWORD, later)


def test_an_address_that_tries_many_accounts_waits(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARBONPEAK_LOGIN_ADDRESS_ATTEMPTS", "8")
    for n in range(8):  # two failures for each of four accounts: none is locked
        with transaction(api.engine) as session, pytest.raises(AuthenticationError):
            sign_in(session, ("cement", "hebei", "admin", "group")[n % 4], "x", "198.51.100.7")
    with transaction(api.engine) as session, pytest.raises(TooManyAttempts):
        sign_in(session, "tangshan", PASSWORD, "198.51.100.7")
    with transaction(api.engine) as session:
        assert sign_in(session, "tangshan", PASSWORD, "198.51.100.8")


def test_guesses_sent_in_parallel_are_counted_too(api: Api) -> None:
    """Each attempt is written before its password is tried: twelve at once try five."""
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(12)

    def guess(n: int) -> None:
        start.wait()
        try:
            with transaction(api.engine) as session:
                sign_in(session, "cement", f"guess {n}", f"203.0.113.{n}")
            result = "in"
        except AuthenticationError:
            result = "tried"
        except TooManyAttempts:
            result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    # never more than the limit of passwords tried (fewer when the attempts are counted
    # before any password is: each sees the others)
    assert len(outcomes) == 12 and set(outcomes) <= {"tried", "refused"}
    assert 1 <= outcomes.count("tried") <= 5 or outcomes.count("refused") == 12


def test_the_operator_ends_a_wait(api: Api, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", api.engine.url.render_as_string(False))
    for n in range(5):
        assert _token(api, "cement", f"guess {n}") == 401
    assert _token(api, "cement", PASSWORD) == 429
    code, out, _err = cli("users", "unlock", "cement", "--json")
    assert code == 0 and '"failures_cleared": 5' in out
    assert _token(api, "cement", PASSWORD) == 200
