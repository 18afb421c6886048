"""The utilisation wing's use cases on the configured store as a named user, for the CLI
(`carbonpeak utilisation upload|rates|export --as USER`): each opens a session, acts as the
user through `services.utilisation` and reads or writes the file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import N_, InputError, NotFoundError, Place, Problem
from carbonpeak.io.utilisation import read_report
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.reference import library_in_force
from carbonpeak.services.store import store_session
from carbonpeak.services.utilisation import EXPORT_KINDS, export_view, rates_view, upload
from carbonpeak.store.models import User
from carbonpeak.utilisation.rates import Grouping
from carbonpeak.utilisation.report import Report


@contextmanager
def _as(username: str) -> Iterator[tuple[Session, Actor]]:
    with store_session() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise NotFoundError(f"no user {username!r}")
        yield session, Actor.of(user)


def check_as(username: str, path: Path) -> tuple[Report, Reference]:
    """Read and check a report file against the library in force in the store (the one an
    upload is checked against), as the user named; nothing stored. The checked report and
    that library."""
    content = _file(path)
    with _as(username) as (session, _actor):
        reference = library_in_force(session)
    return read_report(str(path), content, reference), reference


def upload_as(username: str, path: Path) -> dict[str, Any]:
    """Upload a report file as the user named (`upload`)."""
    content = _file(path)
    with _as(username) as (session, actor):
        return upload(session, actor, str(path), content)


def rates_as(
    username: str, year: int | None = None, grouping: Grouping = "prefecture"
) -> dict[str, Any]:
    """The rates the user named may see (`rates_view`)."""
    with _as(username) as (session, actor):
        return rates_view(session, actor, year, grouping)


def export_as(
    username: str,
    path: Path,
    year: int | None = None,
    grouping: Grouping = "prefecture",
    locale: str = "zh_CN",
) -> int:
    """Write the rates the user named may see to `path` (.csv or .xlsx); how many rows."""
    kind = path.suffix.lower().lstrip(".")
    if kind not in EXPORT_KINDS:
        raise InputError(Problem.of(Place(file=str(path)), N_("name the export *.csv or *.xlsx")))
    with _as(username) as (session, actor):
        view = rates_view(session, actor, year, grouping)
    content = export_view(view, kind, locale)
    rows = len(view["groups"])
    try:
        path.write_bytes(content)
    except OSError as error:
        raise InputError(
            Problem.of(Place(file=str(path)), N_("cannot write: {}"), error.strerror or error)
        ) from None
    return rows


def _file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(
            Problem.of(Place(file=str(path)), N_("cannot read: {}"), error.strerror or error)
        ) from None
