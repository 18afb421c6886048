"""Results that depend only on the stored data, kept per store state and caller scope.

The key is the store (its URL), the audit head (every write to the store moves it), the
caller's role and scope, the day (a result may count days to a deadline), and what the caller
asked; so a result is never shared between scopes and never outlives a write. Each caller gets
its own copy. `Kept`, the bytes under it, also keeps the dashboard's rendered pages
(`web.cache`) and the API's roll-ups; `services.monitoring_region` keeps its status by the
lake's state instead."""

from __future__ import annotations

import asyncio
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar, cast

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.domain.days import china_today
from carbonpeak.services.access import Actor
from carbonpeak.store.models import AuditHead

T = TypeVar("T")
R = TypeVar("R")
LIMIT = 64 * 2**20  # bytes of results kept (pickled), the least recently used leaving first


class Kept:
    """Bytes by key, at most `limit` of them, the least recently used leaving first; callers
    missing the same key at the same time share one making of it: its bytes, its refusal (any
    other value, never kept) or its exception. The cache of `kept` below and of the dashboard's
    rendered pages (`web.cache`)."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.size = 0
        self._bodies: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[tuple[Any, ...], Future[Any]] = {}  # in worker threads
        self._waiting: dict[tuple[Any, ...], asyncio.Future[Any]] = {}  # on the event loop

    def __len__(self) -> int:
        return len(self._bodies)

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: tuple[Any, ...], body: bytes) -> None:
        """Keep `body` (not if it alone is over the limit), evicting the least recently used."""
        with self._lock:
            old = self._bodies.pop(key, None)
            self.size -= len(old) if old is not None else 0
            if len(body) > self.limit:
                return
            self._bodies[key] = body
            self.size += len(body)
            while self.size > self.limit:
                _, evicted = self._bodies.popitem(last=False)
                self.size -= len(evicted)

    def _make(self, key: tuple[Any, ...], make: Callable[[], bytes | R]) -> bytes | R:
        made = make()
        if isinstance(made, bytes):
            self.put(key, made)
        return made

    def made_once(self, key: tuple[Any, ...], make: Callable[[], bytes | R]) -> bytes | R:
        """The kept bytes of `key`, else `make()`'s: kept when they are bytes, anything else
        (a refusal) handed back as it is. Callers missing one key while it is made (in other
        threads) get that making's outcome: one `make` for fifty of them, whether it gives
        bytes, a refusal or an exception."""
        body = self.get(key)
        if body is not None:
            return body
        with self._lock:
            pending = self._making.get(key)
            mine = pending is None
            if pending is None:
                pending = self._making[key] = Future()
        if not mine:
            return cast("bytes | R", pending.result())  # raises the making's exception
        try:
            made = self._make(key, make)
            pending.set_result(made)
            return made
        except BaseException as exc:
            pending.set_exception(exc)
            raise
        finally:
            with self._lock:
                self._making.pop(key, None)

    async def made(self, key: tuple[Any, ...], make: Callable[[], bytes | R]) -> bytes | R:
        """`made_once` for the event loop: a hit costs no thread; callers missing the same key
        await on the loop (not each in a worker thread of their own) the outcome of one `make`,
        run in a worker thread. If the caller making it is cancelled before it is made, the
        callers waiting on it start again."""
        while True:
            body = self.get(key)
            if body is not None:
                return body
            pending = self._waiting.get(key)
            if pending is None:
                break
            try:
                return cast("bytes | R", await asyncio.shield(pending))
            except asyncio.CancelledError:
                if not pending.cancelled():
                    raise  # this caller was cancelled, not the making
        pending = asyncio.get_running_loop().create_future()
        # an outcome nobody waited for is not an error of the loop's ("never retrieved")
        pending.add_done_callback(lambda f: f.cancelled() or f.exception())
        self._waiting[key] = pending
        try:
            made = await anyio.to_thread.run_sync(lambda: self._make(key, make))
            pending.set_result(made)
            return made
        except Exception as exc:
            pending.set_exception(exc)
            raise
        finally:
            pending.cancel()  # cancelled before it was made: the waiting callers start again
            # settled (kept, refused or raised): a key's future lives only while it is made,
            # so keys that fail (an unknown enterprise) cannot grow the dict
            if self._waiting.get(key) is pending:
                self._waiting.pop(key)


_KEPT = Kept()


def store_state(session: Session) -> tuple[Any, ...]:
    """The store and its audit head: one indexed row."""
    head = session.execute(
        select(AuditHead.last_seq, AuditHead.last_hash).where(AuditHead.head_id == 1)
    ).one()
    return (str(session.get_bind().engine.url), tuple(head))


def kept(
    session: Session,
    actor: Actor,
    name: str,
    asked: tuple[Hashable, ...],
    compute: Callable[[], T],
) -> T:
    """`compute()` once per store state, caller scope, day and `asked`; a copy each call."""
    key = (
        name,
        store_state(session),
        actor.role,
        actor.regions,
        actor.enterprises,
        china_today(),
        asked,
    )
    found = _KEPT.get(key)
    if found is None:
        # kept pickled: unpickling is the copy each caller gets, several times faster than
        # copy.deepcopy on rows of dicts
        found = _KEPT.made_once(
            key, lambda: pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL)
        )
    return pickle.loads(found)  # type: ignore[no-any-return]
