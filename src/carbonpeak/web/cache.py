"""Rendered pages kept while the data they show stays the same: the one page cache of the
dashboard.

A page the store alone decides is kept by what it is (its path and query), who asks (user,
role and scope: a page is never shared between callers), the language, the day in China (a
page may count days to a deadline), the audit head (every write to the store moves it) and,
for pages that show the monitoring lake, the lake state their figures are of. So a kept page
never outlives a write, and a hit costs the session check, one indexed row and no worker
thread. Fifty callers missing the same key at once (a cold page under load) wait for one
rendering. The cache holds at most `LIMIT` bytes, the least recently used page leaving first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.domain.days import china_today
from carbonpeak.io.lake import default_lake
from carbonpeak.services.access import Actor
from carbonpeak.services.monitoring_region import served_state
from carbonpeak.services.store import audit_position

LIMIT = 64 * 2**20  # bytes of rendered pages kept (a cockpit is ~6 kB, the industry page ~20 kB)


class Pages:
    """Rendered bodies by key, at most `limit` bytes, least recently used evicted first."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.size = 0
        self._bodies: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[tuple[Any, ...], threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._bodies)

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: tuple[Any, ...], body: bytes) -> None:
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

    def made_once(self, key: tuple[Any, ...], make: Callable[[], Response]) -> bytes | Response:
        """The kept body of `key`, or `make`'s: kept when it answers 200, else handed back as
        it is (a 403, a 404 is never kept). Callers missing the same key at the same time wait
        for one `make`."""
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            body = self.get(key)
            if body is not None:
                return body
            try:
                made = make()
            finally:
                with self._lock:
                    self._making.pop(key, None)
            if made.status_code != 200:
                return made
            body = bytes(made.body)
            self.put(key, body)
            return body


def page_key(
    request: Request, actor: Actor, *, lake: bool = False, extra: tuple[Hashable, ...] = ()
) -> tuple[Any, ...]:
    """The key of the page `request` asks for, as `actor` (runs queries: call it off the
    event loop). `lake`: the page shows the monitoring lake, so the lake state is part of it."""
    from carbonpeak.web.site import locale_of, site_of

    head = audit_position(site_of(request).sessions)
    where = default_lake() if lake else None
    state = served_state(where) if where is not None and where.exists() else None
    return (
        request.url.path,
        tuple(sorted(request.query_params.multi_items())),
        actor.user_id,
        actor.role,
        actor.regions,
        actor.enterprises,
        locale_of(request),
        china_today(),
        head,
        state,
        extra,
    )


async def kept_page(
    request: Request,
    actor: Actor,
    make: Callable[[], Response],
    *,
    lake: bool = False,
    extra: tuple[Hashable, ...] = (),
) -> Response:
    """The page `make` renders for `actor`, kept by `page_key`; a 200 page only."""
    from carbonpeak.web.site import SECURITY_HEADERS, site_of

    pages = site_of(request).pages
    key = await run_in_threadpool(page_key, request, actor, lake=lake, extra=extra)
    body = pages.get(key)
    if body is None:
        made = await run_in_threadpool(pages.made_once, key, make)
        if isinstance(made, Response):
            return made
        body = made
    return HTMLResponse(body, headers=SECURITY_HEADERS)
