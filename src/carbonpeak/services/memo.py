"""Results that depend only on the stored data, kept per store state and caller scope.

The key is the store (its URL), the audit head (every write to the store moves it), the
caller's role and scope, the day (a result may count days to a deadline), and what the caller
asked; so a result is never shared between scopes and never outlives a write. Each caller gets
its own copy. `services.overview` and `services.monitoring_region` key their caches the same
way."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.services.access import Actor
from carbonpeak.store.models import AuditHead

T = TypeVar("T")
CACHE_SIZE = 512  # results kept (caller scopes x languages x what was asked)
_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_LOCK = threading.Lock()


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
        date.today(),
        asked,
    )
    with _LOCK:
        found = _CACHE.get(key, _CACHE)
    if found is _CACHE:
        found = compute()
        with _LOCK:
            _CACHE[key] = found
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
    return copy.deepcopy(found)  # type: ignore[no-any-return]
