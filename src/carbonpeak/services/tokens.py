"""Bearer credentials: login tokens that expire and API keys for machine clients."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import AuthenticationError
from carbonpeak.services.access import Actor
from carbonpeak.store import audit
from carbonpeak.store.models import Token, User

LOGIN_LIFETIME = timedelta(hours=8)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, user: User, kind: str = "login", name: str | None = None) -> str:
    """A new token for `user`; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + LOGIN_LIFETIME if kind == "login" else None
    session.add(
        Token(
            token_hash=_digest(token),
            user_id=user.user_id,
            kind=kind,
            name=name,
            expires_at=expires,
        )
    )
    if kind == "api_key":
        audit.record(
            session, user.username, "api_key.issue", "user", user.username, None, {"name": name}
        )
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
    return Actor.of(user)


RECHECK_SECONDS = 10.0
"""A token checked this recently is trusted without a look-up (a revoked or expired token stops
working within this many seconds in other processes; at once in the one that revoked it)."""
CACHE_SIZE = 10_000
_checked: dict[str, tuple[Actor, float]] = {}


def recently_checked(token: str) -> Actor | None:
    """The actor of a token checked in the last `RECHECK_SECONDS` by this process, else None."""
    cached = _checked.get(token)
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
    _checked[token] = (actor, time.monotonic())


def forget(token: str) -> None:
    """Check the token again on its next use (after a logout or a revocation)."""
    _checked.pop(token, None)


def revoke(session: Session, token: str) -> None:
    """Revoke a token (effective at once in this process, within 10 s in others)."""
    stored = session.execute(
        select(Token).where(Token.token_hash == _digest(token))
    ).scalar_one_or_none()
    if stored is None:
        raise AuthenticationError("unknown token")
    stored.revoked_at = datetime.now(UTC)
    forget(token)


def issue_api_key(session: Session, actor: Actor, name: str) -> str:
    """A new API key of the actor's own user, named `name`."""
    user = session.get(User, actor.user_id)
    if user is None:  # the token that named the actor was checked moments ago
        raise AuthenticationError("the user of this credential no longer exists")
    return issue(session, user, "api_key", name)
