"""Rendered pages kept while the data they show stays the same: the one page cache of the
dashboard.

A page the store alone decides is kept by what it is (its path and query), who asks (user,
role and scope: a page is never shared between callers), the language, the day in China (a
page may count days to a deadline), the audit head (every write to the store moves it) and,
for pages that show the monitoring lake, the lake state their figures are of. So a kept page
never outlives a write, and a hit costs the session check, one indexed row and no worker
thread. Fifty callers missing the same key at once (a cold page under load) wait for one
rendering. The cache (`Site.pages`, a `services.memo.Kept`) holds at most `PAGE_BYTES`, the
least recently used page leaving first.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.domain.days import china_today
from carbonpeak.errors import CarbonpeakError
from carbonpeak.io.lake import default_lake
from carbonpeak.services.access import Actor
from carbonpeak.services.monitoring_region import (
    lake_key,
    served_state,
    status_at_hand,
    status_library,
)
from carbonpeak.services.store import audit_position
from carbonpeak.web.site import SECURITY_HEADERS, locale_of, site_of


def body_of(made: Response) -> bytes | Response:
    """What a page cache keeps of `made`: the body of a 200 page; anything else is answered
    as it is."""
    return bytes(made.body) if made.status_code == 200 else made


def page_key(
    request: Request,
    actor: Actor,
    *,
    lake: bool = False,
    status: bool = False,
    extra: tuple[Hashable, ...] = (),
) -> tuple[Any, ...]:
    """The key of the page `request` asks for, as `actor`. `lake`: the page shows the
    monitoring lake, so the lake's committed state (and the quarter hour of a wall clock) is
    part of it: cheap, and it cannot fail (a damaged part is the page's to report, not the
    key's). `status`: the page shows the computed status itself, which may lag the lake while
    it is recomputed: the state it is of is part of it (it may compute: call it off the loop)."""
    head = audit_position(site_of(request).sessions)
    where = default_lake() if lake or status else None
    state: tuple[Any, ...] | None = None
    if where is not None and where.exists():
        state = lake_key(where)
        if status:
            try:
                library = status_library(site_of(request).sessions)
                state = (state, served_state(where, library))
            except CarbonpeakError:
                state = (state, None)  # the page says what is wrong (and is not kept)
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
    status: bool = False,
    extra: tuple[Hashable, ...] = (),
) -> Response:
    """The page `make` renders for `actor`, kept by `page_key`; a 200 page only."""
    pages = site_of(request).pages
    where = default_lake()
    if (
        status
        and where.exists()
        and not status_at_hand(where, status_library(site_of(request).sessions))
    ):
        # the status has to be computed first (once, while its first callers wait)
        key = await run_in_threadpool(page_key, request, actor, status=True, extra=extra)
    else:  # one indexed row and a listing of the lake's commits: on the loop, as the API's
        key = page_key(request, actor, lake=lake, status=status, extra=extra)
    body = pages.get(key)
    if body is None:
        made = await pages.made(key, lambda: body_of(make()))
        if isinstance(made, Response):
            return made  # a refusal, never kept
        body = made
    return HTMLResponse(body, headers=SECURITY_HEADERS)
