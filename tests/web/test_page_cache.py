"""The dashboard's one page cache (`web.cache`): a kept page is answered again only while the
data it shows stays the same (a write to the store, another caller, another language or query
is another page); it holds at most its byte limit, the least recently used page leaving
first; fifty callers missing one page wait for one rendering; a refusal is never kept."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.responses import Response
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.api.app import create_app
from carbonpeak.services.budgets import save_budgets
from carbonpeak.services.memo import Kept as Pages
from carbonpeak.store.db import transaction
from carbonpeak.web import budgets as budgets_page
from carbonpeak.web.cache import body_of

from .budget_store import BudgetStore, actor, build
from .test_pages import _login

PASSWORD = "carbonpeak-demo"


def test_a_refusal_is_handed_back_and_not_kept() -> None:
    pages = Pages()
    refused = pages.made_once(("k",), lambda: body_of(Response("no", status_code=403)))
    assert isinstance(refused, Response) and refused.status_code == 403
    assert pages.get(("k",)) is None and len(pages) == 0
    assert pages.made_once(("k",), lambda: body_of(Response("yes"))) == b"yes"
    assert pages.get(("k",)) == b"yes"


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 40)), max_size=60))
def test_the_cache_stays_within_its_limit_and_keeps_what_was_last_put(
    puts: list[tuple[int, int]],
) -> None:
    limit = 100
    pages = Pages(limit)
    last: dict[int, bytes] = {}
    for n, (key, size) in enumerate(puts):
        body = bytes([n % 256]) * size
        pages.put((key,), body)
        last[key] = body
        assert pages.get((key,)) == body  # the page just put is kept (none is over the limit)
    kept = {k: pages.get((k,)) for k in range(10)}
    assert pages.size == sum(len(b) for b in kept.values() if b is not None) <= limit
    assert all(body == last[k] for k, body in kept.items() if body is not None)


def test_the_least_recently_used_page_leaves_first() -> None:
    pages = Pages(100)
    for key in "abc":
        pages.put((key,), bytes(30))
    assert pages.get(("a",)) is not None  # a used: b is now the least recently used
    pages.put(("d",), bytes(30))  # 120 bytes: one must leave
    assert [k for k in "abcd" if pages.get((k,)) is not None] == ["a", "c", "d"]
    pages.put(("e",), bytes(101))  # larger than the whole cache: not kept, nothing evicted
    assert pages.get(("e",)) is None and pages.size == 90


def test_callers_missing_one_page_wait_for_one_rendering() -> None:
    pages = Pages()
    made: list[int] = []

    def make() -> bytes:
        made.append(1)
        time.sleep(0.2)
        return b"page"

    answers: list[bytes | Response] = []
    threads = [
        threading.Thread(target=lambda: answers.append(pages.made_once(("p",), make)))
        for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1 and answers == [b"page"] * 20


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> BudgetStore:
    return build(tmp_path_factory.mktemp("pagecache"))


@pytest.fixture
def client(store: BudgetStore) -> Iterator[TestClient]:
    with TestClient(create_app(store.engine)) as made:
        made.cookies.set("lang", "en")
        yield made


def test_a_kept_page_lasts_until_a_write(
    client: TestClient, store: BudgetStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[int] = []
    real = budgets_page.budgets_page

    def counted(*args: object, **kwargs: object) -> object:
        rendered.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(budgets_page, "budgets_page", counted)
    _login(client, "demo-regulator", PASSWORD)
    first = client.get("/budgets").text
    assert client.get("/budgets").text == first and len(rendered) == 1  # kept
    client.cookies.set("lang", "zh_CN")
    assert "预算" in client.get("/budgets").text and len(rendered) == 2  # another language
    client.cookies.set("lang", "en")
    client.get("/budgets?sort=name")
    assert len(rendered) == 3  # another query
    # a write moves the audit head: the page shows it at once
    cap = 12 * store.month_co2[store.b]  # half its cap: B's use doubles
    with transaction(store.engine) as session:
        regulator = actor(session, "demo-regulator")
        save_budgets(
            session,
            regulator,
            [
                {
                    "budget_id": store.ids["b"],
                    "scope": "enterprise",
                    "code": store.b,
                    "year": store.year,
                    "quantity": "co2",
                    "cap": cap,
                    "profile": "even",
                }
            ],
        )
    after = client.get("/budgets").text
    assert len(rendered) == 4 and after != first
    # another caller never gets this caller's page
    _login(client, "demo-enterprise", PASSWORD)
    own = client.get("/budgets").text
    assert len(rendered) == 5 and own != after


def test_on_the_event_loop_concurrent_misses_make_once_and_a_failure_is_not_kept() -> None:
    import anyio

    pages = Pages()
    made: list[int] = []

    def make() -> bytes:
        made.append(1)
        time.sleep(0.2)  # in a worker thread: the loop serves the other callers meanwhile
        return b"page"

    def fail() -> bytes:
        raise ValueError("no such enterprise")

    async def run() -> list[bytes]:
        answers: list[bytes] = []

        async def one() -> None:
            answers.append(await pages.made(("p",), make))

        async with anyio.create_task_group() as group:
            for _ in range(30):
                group.start_soon(one)
        with pytest.raises(ValueError):
            await pages.made(("q",), fail)
        return answers

    assert anyio.run(run) == [b"page"] * 30 and len(made) == 1
    assert pages.get(("q",)) is None and pages._waiting == {}


def test_callers_waiting_on_a_refusal_or_a_failure_share_it() -> None:
    """Ten callers missing one key whose making refuses (a 403 page) or raises get that one
    making's outcome, not ten makings one after another (review20 #11); nothing is kept."""
    import anyio

    pages = Pages()
    made: list[str] = []

    def refuse() -> bytes | Response:
        made.append("refuse")
        time.sleep(0.2)
        return body_of(Response("no", status_code=403))

    def fail() -> bytes:
        made.append("fail")
        time.sleep(0.2)
        raise ValueError("no such enterprise")

    # in threads
    answers: list[object] = []

    def one(key: str, make: object) -> None:
        try:
            answers.append(pages.made_once((key,), make))  # type: ignore[arg-type]
        except ValueError as exc:
            answers.append(exc)

    threads = [threading.Thread(target=one, args=("r", refuse)) for _ in range(10)]
    threads += [threading.Thread(target=one, args=("f", fail)) for _ in range(10)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started < 1.5  # two makings at once, not twenty in a row
    assert sorted(made) == ["fail", "refuse"]
    assert sum(isinstance(a, Response) and a.status_code == 403 for a in answers) == 10
    assert sum(isinstance(a, ValueError) for a in answers) == 10
    assert len(pages) == 0 and pages._making == {}

    # on the event loop
    made.clear()

    async def run() -> list[object]:
        got: list[object] = []

        async def ask(key: str, make: object) -> None:
            try:
                got.append(await pages.made((key,), make))  # type: ignore[arg-type]
            except ValueError as exc:
                got.append(exc)

        async with anyio.create_task_group() as group:
            for _ in range(10):
                group.start_soon(ask, "r", refuse)
                group.start_soon(ask, "f", fail)
        return got

    got = anyio.run(run)
    assert sorted(made) == ["fail", "refuse"]
    assert sum(isinstance(a, Response) for a in got) == sum(isinstance(a, ValueError) for a in got)
    assert len(got) == 20 and len(pages) == 0 and pages._waiting == {}


def test_when_the_caller_making_a_page_goes_the_waiting_ones_still_get_it() -> None:
    """A client that disconnects while its page is made (its task cancelled): the making in
    its worker thread runs to its end and the callers waiting on it get the page, made once."""
    import anyio

    pages = Pages()
    made: list[int] = []

    def make() -> bytes:
        made.append(1)
        time.sleep(0.1)
        return b"page"

    async def run() -> tuple[list[bytes], list[bytes]]:
        maker: list[bytes] = []
        waiter: list[bytes] = []
        gone = anyio.CancelScope()

        async def first() -> None:
            with gone:
                maker.append(await pages.made(("p",), make))

        async def second() -> None:
            waiter.append(await pages.made(("p",), make))

        async with anyio.create_task_group() as group:
            group.start_soon(first)
            await anyio.sleep(0.02)  # the first caller is making it
            group.start_soon(second)
            await anyio.sleep(0.02)
            gone.cancel()
        return maker, waiter

    _, waiter = anyio.run(run)
    assert waiter == [b"page"] and made == [1] and pages._waiting == {}
