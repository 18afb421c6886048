"""Bearer credentials: login tokens that expire and API keys for machine clients.

An API key may be narrowed to one enterprise the issuing user can see (a collector's key posts
that enterprise's readings and nothing else): it acts for that enterprise only, as an
enterprise user (an enterprise or automaker user's key keeps its role). Only admins and
enterprise or automaker users narrow keys: a regulator's narrowed key would act as the
enterprise it reviews."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from carbonpeak.errors import AuthenticationError, NotFoundError, PermissionDenied
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import get_enterprise
from carbonpeak.services.store import store_session
from carbonpeak.settings import settings
from carbonpeak.store import audit
from carbonpeak.store.db import SQLITE_BUSY_MS
from carbonpeak.store.models import Token, User

LOGIN_LIFETIME = timedelta(hours=8)
LAST_USE_PRECISION = timedelta(minutes=1)  # `last_used_at` is written at most this often


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    session: Session,
    user: User,
    kind: str = "login",
    name: str | None = None,
    days: int | None = None,
    enterprise_id: str | None = None,
) -> str:
    """A new token for `user`; only its hash is stored. A login token lasts `LOGIN_LIFETIME`,
    an API key `days` (default `CARBONPEAK_API_KEY_DAYS`), narrowed to `enterprise_id` if
    given."""
    # A prefix: a bare urlsafe token starts with "-" one time in 64, and a key that looks like
    # an option is refused by every command line it is pasted into (`--key -Xy…`).
    token = f"cp_{secrets.token_urlsafe(32)}"
    lifetime = (
        LOGIN_LIFETIME if kind == "login" else timedelta(days=days or settings().api_key_days)
    )
    expires = datetime.now(UTC) + lifetime
    session.add(
        Token(
            token_hash=_digest(token),
            user_id=user.user_id,
            kind=kind,
            name=name,
            expires_at=expires,
            enterprise_id=enterprise_id,
        )
    )
    if kind == "api_key":
        detail = {"name": name} | ({"enterprise_id": enterprise_id} if enterprise_id else {})
        audit.record(session, user.username, "api_key.issue", "user", user.username, None, detail)
    session.flush()
    return token


def actor_for(session: Session, token: str) -> Actor:
    """The actor a bearer token stands for; `AuthenticationError` if none."""
    row = session.execute(
        select(Token, User)
        .join(User, User.user_id == Token.user_id)
        .where(Token.token_hash == _digest(token))
    ).first()
    if row is None:
        raise AuthenticationError("unknown token")
    stored, user = row
    now = datetime.now(UTC)
    expires = stored.expires_at
    if expires is not None and expires.tzinfo is None:  # SQLite returns naive UTC
        expires = expires.replace(tzinfo=UTC)
    if stored.revoked_at is not None or (expires is not None and expires <= now):
        raise AuthenticationError("token expired or revoked")
    if not user.active:
        raise AuthenticationError("user disabled")
    last = stored.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if stored.kind == "api_key" and (last is None or now - last >= LAST_USE_PRECISION):
        _touch(session.get_bind().engine, stored.token_id, now)  # at most once a minute
    return narrowed(Actor.of(user), stored.enterprise_id)


NARROWING_ROLES = ("admin", "enterprise", "automaker")
"""Who may narrow a key to an enterprise: a narrowed key acts as that enterprise's own user, so
a regulator (who reviews what enterprises submit) may not have one."""


def narrowed(actor: Actor, enterprise_id: str | None) -> Actor:
    """The actor of a key narrowed to `enterprise_id`: it acts for that enterprise only, as an
    enterprise user (an enterprise or automaker user keeps its role); unchanged if None."""
    if enterprise_id is None:
        return actor
    role = actor.role if actor.role in ("enterprise", "automaker") else "enterprise"
    return Actor(actor.user_id, actor.username, role, frozenset(), frozenset({enterprise_id}))


def _touch(engine: Engine, token_id: int, now: datetime) -> None:
    """Record a key's use, if the store can take the write at once: the check of a request's
    credential never waits behind another writer (SQLite has one at a time) for a record that
    is only advisory; the next use records it."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        connection.exec_driver_sql(
            "PRAGMA busy_timeout = 100" if sqlite else "SET lock_timeout = '100ms'"
        )
        try:
            connection.execute(
                update(Token).where(Token.token_id == token_id).values(last_used_at=now)
            )
            connection.commit()
        except OperationalError:
            connection.rollback()
        finally:
            connection.exec_driver_sql(
                f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}" if sqlite else "RESET lock_timeout"
            )
            if not sqlite:
                connection.commit()


RECHECK_SECONDS = 10.0
"""A token checked this recently is trusted without a look-up (a revoked or expired token stops
working within this many seconds in other processes; at once in the one that revoked it)."""
CACHE_SIZE = 10_000
_checked: dict[str, tuple[Actor, float]] = {}  # by the token's digest


def recently_checked(token: str) -> Actor | None:
    """The actor of a token checked in the last `RECHECK_SECONDS` by this process, else None."""
    cached = _checked.get(_digest(token))
    if cached is not None and time.monotonic() - cached[1] < RECHECK_SECONDS:
        return cached[0]
    return None


def checked_actor(session: Session, token: str) -> Actor:
    """`actor_for`, remembered for `RECHECK_SECONDS` (the API and the dashboard check each
    request's token this way)."""
    actor = recently_checked(token)
    if actor is None:
        actor = actor_for(session, token)
        remember(token, actor)
    return actor


def remember(token: str, actor: Actor) -> None:
    if len(_checked) >= CACHE_SIZE:
        _checked.clear()
    _checked[_digest(token)] = (actor, time.monotonic())


def forget(token: str) -> None:
    """Check the token again on its next use (after a logout or a revocation)."""
    _checked.pop(_digest(token), None)


def revoke(session: Session, token: str) -> None:
    """Revoke a token (effective at once in this process, within 10 s in others)."""
    stored = session.execute(
        select(Token).where(Token.token_hash == _digest(token))
    ).scalar_one_or_none()
    if stored is None:
        raise AuthenticationError("unknown token")
    stored.revoked_at = datetime.now(UTC)
    forget(token)


def issue_api_key(
    session: Session,
    actor: Actor,
    name: str,
    days: int | None = None,
    enterprise_id: str | None = None,
) -> dict[str, Any]:
    """A new API key of the actor's own user, named `name`, lasting `days`, narrowed to
    `enterprise_id` (one the actor can see) if given: the key itself (shown this once; only its
    hash is kept) with what `api_keys` lists of it."""
    user = session.get(User, actor.user_id)
    if user is None:  # the token that named the actor was checked moments ago
        raise AuthenticationError("the user of this credential no longer exists")
    if enterprise_id is not None:
        if actor.role not in NARROWING_ROLES:  # it would act as the enterprise's own user
            raise PermissionDenied("only an enterprise user or an admin narrows a key")
        get_enterprise(session, actor, enterprise_id)  # one it may see (else 404, as none)
    key = issue(session, user, "api_key", name, days, enterprise_id)
    stored = session.execute(select(Token).where(Token.token_hash == _digest(key))).scalar_one()
    return {"api_key": key, **_key_state(stored, user)}


def api_keys(session: Session, actor: Actor, username: str | None = None) -> list[dict[str, Any]]:
    """The API keys the caller may see: its own; an admin's, anyone's (or one user's)."""
    query = select(Token, User).join(User, User.user_id == Token.user_id)
    query = query.where(Token.kind == "api_key")
    if actor.role != "admin":
        query = query.where(Token.user_id == actor.user_id)
    elif username:
        query = query.where(User.username == username)
    rows = session.execute(query.order_by(Token.token_id)).all()
    return [_key_state(token, user) for token, user in rows]


def revoke_api_key(session: Session, actor: Actor, key_id: int) -> dict[str, Any]:
    """Revoke an API key by its id: one's own, or (an admin) anyone's. Another user's key
    is answered like a missing one. Effective at once in this process, within
    `RECHECK_SECONDS` in others."""
    row = session.execute(
        select(Token, User)
        .join(User, User.user_id == Token.user_id)
        .where(Token.token_id == key_id, Token.kind == "api_key")
    ).first()
    if row is None or (actor.role != "admin" and row[0].user_id != actor.user_id):
        raise NotFoundError(f"no API key {key_id}")
    token, user = row
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        audit.record(
            session, actor.username, "api_key.revoke", "user", user.username, None, {"key": key_id}
        )
        _checked.pop(token.token_hash, None)
    session.flush()
    return _key_state(token, user)


def _key_state(token: Token, user: User) -> dict[str, Any]:
    return {
        "key_id": token.token_id,
        "name": token.name or "",
        "username": user.username,
        "enterprise_id": token.enterprise_id,
        "created_at": _utc(token.created_at),
        "expires_at": _utc(token.expires_at),
        "last_used_at": _utc(token.last_used_at),
        "revoked_at": _utc(token.revoked_at),
    }


def _utc(moment: datetime | None) -> datetime | None:
    """A stored time as UTC with its offset (SQLite gives it back without one)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


# The platform's operator at the command line acts as an admin (audited under this name).
OPERATOR = Actor(
    user_id=0, username="carbonpeak-cli", role="admin", regions=frozenset(), enterprises=frozenset()
)


def keys_in_store(username: str | None = None) -> list[dict[str, Any]]:
    """Every API key of the configured store (or one user's), for `carbonpeak users keys`."""
    with store_session() as session:
        return api_keys(session, OPERATOR, username)


def revoke_in_store(key_id: int) -> dict[str, Any]:
    """Revoke an API key of the configured store by its id, for `carbonpeak users revoke-key`."""
    with store_session() as session:
        return revoke_api_key(session, OPERATOR, key_id)
