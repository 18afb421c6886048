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
from typing import Any, TypeVar

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
    missing the same key at the same time wait for one making of it. The cache of `kept`
    below and of the dashboard's rendered pages (`web.cache`)."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.size = 0
        self._bodies: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[tuple[Any, ...], threading.Lock] = {}
        self._waiting: dict[tuple[Any, ...], asyncio.Lock] = {}  # on the event loop

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

    def made_once(self, key: tuple[Any, ...], make: Callable[[], bytes | R]) -> bytes | R:
        """The kept bytes of `key`, else `make()`'s: kept when they are bytes, anything else
        (a refusal) handed back as it is. Fifty callers missing one key wait for one `make`."""
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            body = self.get(key)
            if body is not None:
                return body
            try:
                made = make()
                if isinstance(made, bytes):
                    self.put(key, made)
            finally:
                with self._lock:
                    self._making.pop(key, None)
            return made

    async def made(self, key: tuple[Any, ...], make: Callable[[], bytes | R]) -> bytes | R:
        """`made_once` for the event loop: a hit costs no thread; callers missing the same key
        wait on the loop (not each in a worker thread of their own) for one `make`, run in a
        worker thread."""
        body = self.get(key)
        if body is not None:
            return body
        waiting = self._waiting.setdefault(key, asyncio.Lock())
        try:
            async with waiting:
                body = self.get(key)
                if body is not None:
                    return body
                made = await anyio.to_thread.run_sync(make)
                if isinstance(made, bytes):
                    self.put(key, made)
                return made
        finally:
            # settled (kept, refused or raised): a key's lock lives only while it is made, so
            # keys that fail (an unknown enterprise) cannot grow the dict
            if self._waiting.get(key) is waiting:
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
