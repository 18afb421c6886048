"""Users, their roles and scopes; passwords hashed with argon2."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from carbonpeak.domain.codes import region_by_code
from carbonpeak.domain.uscc import parse_uscc
from carbonpeak.errors import (
    AuthenticationError,
    CarbonpeakError,
    InputError,
    Place,
    Problem,
    TooManyAttempts,
)
from carbonpeak.services import tokens
from carbonpeak.settings import settings
from carbonpeak.store import audit
from carbonpeak.store.db import transaction
from carbonpeak.store.models import DUTIES, ROLES, LoginFailure, User, UserScope


@lru_cache(maxsize=4)
def _hasher_of(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def _hasher() -> PasswordHasher:
    """Argon2id with the configured cost (`CARBONPEAK_PASSWORD_HASH_*`; a stored hash keeps
    the cost it was made with, so changing them never breaks a password)."""
    config = settings()
    return _hasher_of(config.password_hash_time_cost, config.password_hash_memory_kib)


MIN_PASSWORD = 12


def user_state(user: User) -> dict[str, object]:
    """What the audit log hashes for a user (never the password hash itself)."""
    return {
        "username": user.username,
        "role": user.role,
        "active": user.active,
        "scopes": sorted(f"{s.kind}:{s.code}" for s in user.scopes),
    }


def add_user(
    session: Session,
    username: str,
    role: str,
    password: str,
    regions: list[str] | None = None,
    enterprises: list[str] | None = None,
    actor: str = "cli",
    duties: list[str] | None = None,
) -> User:
    """Create a user; every problem with the request is reported at once. `duties` (of
    `DUTIES`, for an admin or a regulator): editing or reviewing the reference library."""
    regions, enterprises, duties = regions or [], enterprises or [], duties or []
    problems: list[Problem] = []

    def problem(field: str, message: str) -> None:
        problems.append(Problem(Place(field=field), message))

    if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", username):
        problem("username", "use 1-64 letters, digits, '.', '_' or '-'")
    elif session.execute(select(User).where(User.username == username)).first():
        problem("username", f"{username!r} exists already")
    if role not in ROLES:
        problem("role", f"{role!r} is not one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        problem("password", f"at least {MIN_PASSWORD} characters")
    if role == "regulator" and not regions:
        problem("region", "a regulator needs at least one region code")
    if role in ("enterprise", "automaker") and not enterprises:
        problem("enterprise", f"an {role} user needs at least one enterprise code")
    if role == "admin" and (regions or enterprises):
        problem("role", "an admin sees everything; give no region or enterprise")
    for duty in duties:
        if duty not in DUTIES:
            problem("duty", f"{duty!r} is not one of {', '.join(DUTIES)}")
        elif role not in ("admin", "regulator"):
            problem("duty", f"an {role} user cannot hold the duty {duty}")
    for code in regions:
        try:
            region_by_code(code)
        except CarbonpeakError as exc:
            problem("region", str(exc))
    for code in enterprises:
        try:
            parse_uscc(code)
        except CarbonpeakError as exc:
            problem("enterprise", str(exc))
    if problems:
        raise InputError(problems)
    user = User(username=username, role=role, password_hash=_hasher().hash(password))
    user.scopes = (
        [UserScope(kind="region", code=c) for c in regions]
        + [UserScope(kind="enterprise", code=c) for c in enterprises]
        + [UserScope(kind="duty", code=d) for d in dict.fromkeys(duties)]
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.add", "user", username, None, user_state(user))
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, or None (the same for unknown names)."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        _hasher().hash(password)  # spend the same time as for a known user
        return None
    try:
        _hasher().verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return user


def create_user(
    username: str,
    role: str,
    password: str,
    regions: list[str] | None = None,
    enterprises: list[str] | None = None,
    duties: list[str] | None = None,
) -> dict[str, object]:
    """Add a user to the configured store (a command's `users add`); what was stored."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        user = add_user(session, username, role, password, regions, enterprises, "cli", duties)
        return {
            "user_id": user.user_id,
            "username": user.username,
            "role": user.role,
            "scopes": sorted(f"{s.kind}:{s.code}" for s in user.scopes),
        }


def sign_in(
    session: Session, username: str, password: str, address: str, now: datetime | None = None
) -> str:
    """A login token for the active user with this password, from the client at `address`.

    Failed logins are throttled per account and per address (`CARBONPEAK_LOGIN_*`): once an
    account has had `login_attempts` failures within the window, or an address
    `login_address_attempts`, every login of it is refused (`TooManyAttempts`, the right
    password included) until the oldest of them leaves the window. Each attempt is written
    (and committed, in a transaction of its own) before its password is checked and counted
    with the others, so attempts sent in parallel are counted too: no more than the limit
    of passwords are ever tried. A successful login removes its account's attempts; the
    failure that starts a wait is audited. Wrong credentials raise `AuthenticationError`."""
    now = now or datetime.now(UTC)
    window = timedelta(minutes=settings().login_window_minutes)
    engine = session.get_bind().engine
    with transaction(engine) as own:
        _throttle(own, username, address, now, window, including=0)  # waiting already
        own.execute(delete(LoginFailure).where(LoginFailure.at <= now - window))
        own.add(LoginFailure(username=username[:256], address=address[:64], at=now))
    with transaction(engine) as own:
        _throttle(own, username, address, now, window, including=1)  # this one is over
    user = authenticate(session, username, password)
    if user is None:
        _audit_wait(engine, username, address, now, window)
        raise AuthenticationError("wrong username or password")
    session.execute(delete(LoginFailure).where(LoginFailure.username == username[:256]))
    return tokens.issue(session, user)


def unlock(username: str) -> dict[str, object]:
    """End an account's wait at once (`carbonpeak users unlock`): its failed logins are
    forgotten, and the operator's act is audited."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        failures = LoginFailure.username == username[:256]
        cleared = session.execute(select(func.count()).where(failures)).scalar_one()
        session.execute(delete(LoginFailure).where(failures))
        audit.record(
            session, "carbonpeak-cli", "login.unlock", "account", username[:64], None, None
        )
        return {"username": username, "failures_cleared": int(cleared or 0)}


def _failures(
    session: Session, column: InstrumentedAttribute[str], value: str, since: datetime
) -> tuple[int, datetime | None]:
    count, oldest = session.execute(
        select(func.count(), func.min(LoginFailure.at)).where(
            column == value, LoginFailure.at > since
        )
    ).one()
    if oldest is not None and oldest.tzinfo is None:  # SQLite returns naive UTC
        oldest = oldest.replace(tzinfo=UTC)
    return int(count), oldest


def _limits(username: str, address: str) -> list[tuple[InstrumentedAttribute[str], str, int, str]]:
    config = settings()
    return [
        (LoginFailure.username, username[:256], config.login_attempts, "account"),
        (LoginFailure.address, address[:64], config.login_address_attempts, "address"),
    ]


def _throttle(
    session: Session, username: str, address: str, now: datetime, window: timedelta, including: int
) -> None:
    """`TooManyAttempts` if the attempts within the window (with this one, `including`) pass
    a limit; the wait lasts until the oldest leaves the window."""
    for column, value, limit, _kind in _limits(username, address):
        count, oldest = _failures(session, column, value, now - window)
        if count - including >= limit and oldest is not None:
            raise TooManyAttempts(math.ceil((oldest + window - now).total_seconds()))


def _audit_wait(
    engine: Engine, username: str, address: str, now: datetime, window: timedelta
) -> None:
    """An audit entry when this failure is the one that starts a wait."""
    with transaction(engine) as own:
        for column, value, limit, kind in _limits(username, address):
            if _failures(own, column, value, now - window)[0] == limit:
                audit.record(
                    own,
                    username[:64],
                    "login.throttle",
                    kind,
                    value[:64],
                    None,
                    {"failures": limit, "window_minutes": settings().login_window_minutes},
                )


def list_users(
    session: Session, role: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """How many users have `role` (any role by default), and one page of them by id."""
    query = select(User)
    if role:
        query = query.where(User.role == role)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(User.user_id).limit(limit).offset(offset)).scalars()
    return int(total), [{"user_id": u.user_id, **user_state(u)} for u in rows]
