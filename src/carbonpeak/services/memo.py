"""Results that depend only on the stored data, kept per store state and caller scope.

The key is the store (its URL), the audit head (every write to the store moves it), the
caller's role and scope, the day (a result may count days to a deadline), and what the caller
asked; so a result is never shared between scopes and never outlives a write. Each caller gets
its own copy. `services.overview` and `services.monitoring_region` key their caches the same
way."""

from __future__ import annotations

import pickle
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
_CACHE: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
_LOCK = threading.Lock()
_COMPUTING: dict[tuple[Any, ...], threading.Lock] = {}  # keys being computed


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
        kept_copy = _CACHE.get(key)
        computing = _COMPUTING.setdefault(key, threading.Lock()) if kept_copy is None else None
    if computing is not None:
        # one computation per key: concurrent misses (fifty clients on a cold page) wait for
        # it instead of repeating it
        with computing:
            with _LOCK:
                kept_copy = _CACHE.get(key)
            if kept_copy is None:
                try:
                    found = compute()
                except BaseException:
                    with _LOCK:
                        _COMPUTING.pop(key, None)
                    raise
                # kept pickled: unpickling is the copy each caller gets, several times faster
                # than copy.deepcopy on rows of dicts
                with _LOCK:
                    _CACHE[key] = pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)
                    _COMPUTING.pop(key, None)
                    while len(_CACHE) > CACHE_SIZE:
                        _CACHE.popitem(last=False)
                return found
    assert kept_copy is not None  # found, or computed by the caller that held the lock
    return pickle.loads(kept_copy)  # type: ignore[no-any-return]
