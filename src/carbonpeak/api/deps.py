"""What the API's routers share: the request's database session (`Db`), the caller (`Caller`,
`AdminOnly`), the upload reader, the NUL guard, the error shapes every route may answer with
(`ERRORS`) and the warning shape of every result (`WarningOut`).

Everything a dependency needs lives in `request.app.state` (set by `api.app.create_app`):
the session factory, the token-check cache. Nothing here holds state of its own.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Query, Request, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from carbonpeak.domain.entities import PERIOD_PATTERN
from carbonpeak.errors import AuthenticationError, InputError, PermissionDenied, Place, Problem
from carbonpeak.io.tables import MAX_FORM_FIELDS, MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES, uploaded_name
from carbonpeak.services import store, tokens
from carbonpeak.services.access import Actor


class ProblemOut(BaseModel):
    """One problem of a request, with its place."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    message: str


class ProblemsOut(BaseModel):
    detail: list[ProblemOut]


class ErrorOut(BaseModel):
    detail: str


class WarningOut(BaseModel):
    """A warning of a result, from the catalogue (domain/warnings.yaml)."""

    code: str
    message: str
    data: dict[str, Any] = {}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad request"},
    401: {"model": ErrorOut, "description": "No valid credential"},
    403: {"model": ErrorOut, "description": "Not allowed"},
    404: {"model": ErrorOut, "description": "Absent, or not the caller's"},
    413: {"model": ErrorOut, "description": "The request body is larger than allowed"},
    422: {"model": ProblemsOut, "description": "Bad input: every problem with its place"},
    503: {"model": ErrorOut, "description": "The store is unavailable"},
}


def session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed on success, rolled back on any error."""
    with store.unit_of_work(request.app.state.sessions) as db:
        yield db


bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def caller(request: Request, credentials: Credentials) -> Actor:
    """The actor of the request's bearer token (or API key)."""
    if credentials is None:
        raise AuthenticationError("a bearer token is required")
    # A token checked in the last few seconds is not checked again (`tokens.RECHECK_SECONDS`):
    # a cached answer costs no worker thread at all; the check itself runs in one.
    token = credentials.credentials
    actor = tokens.recently_checked(token)
    if actor is not None:
        return actor

    def check() -> Actor:
        with store.unit_of_work(request.app.state.sessions) as db:
            return tokens.checked_actor(db, token)

    return await run_in_threadpool(check)


def client_address(request: Request) -> str:
    """The address of the client (the TCP peer; a proxy in front would need its own setting)."""
    return request.client.host if request.client else "unknown"


def admin(actor: Annotated[Actor, Depends(caller)]) -> Actor:
    """The caller, who must be an admin."""
    if actor.role != "admin":
        raise PermissionDenied("admins only")
    return actor


# "function": commit before the response is sent. By default FastAPI ends a dependency
# after the response, so a client could be told 201 before the commit (and a failing
# commit after it); another worker could then miss the data it was told is stored.
Db = Annotated[Session, Depends(session, scope="function")]
Caller = Annotated[Actor, Depends(caller)]
AdminOnly = Annotated[Actor, Depends(admin)]


async def read_upload(
    file: UploadFile, suffixes: tuple[str, ...] = UPLOAD_SUFFIXES
) -> tuple[str, bytes]:
    """An uploaded file's checked name (a table's, or of one of `suffixes`) and its content
    (one byte past the limit at most, so that the reader can refuse a file too large)."""
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    return uploaded_name(file.filename, len(content), suffixes), content


def _nul_places(value: Any, path: str) -> Iterator[str]:
    """Where in a parsed request value a NUL character sits (the store cannot keep one)."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                yield f"{path}.{key!r}"
            else:
                yield from _nul_places(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_places(item, f"{path}.{index}")


async def refuse_nul(request: Request) -> None:
    """Refuse, naming the field, any query, path, JSON or form value with a NUL character:
    PostgreSQL cannot store one, and a text never needs one. (Uploaded tables are checked
    cell by cell when they are read.)"""
    places = [
        *(
            p
            for key, value in request.query_params.multi_items()
            for p in _nul_places({key: value}, "query")
        ),
        *_nul_places(dict(request.path_params), "path"),
    ]
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        with contextlib.suppress(ValueError):  # FastAPI reports a malformed body itself
            places += _nul_places(json.loads(await request.body()), "body")
    elif kind.startswith("application/x-www-form-urlencoded"):
        form = await request.form(max_fields=MAX_FORM_FIELDS)
        places += (
            p for key, value in form.multi_items() for p in _nul_places({key: value}, "body")
        )
    if places:
        raise InputError(
            [Problem(Place(field=place), "contains a NUL character") for place in places]
        )


# A reporting period in a query: YYYY or YYYY-MM (the accounts and the grades of an enterprise).
PeriodQuery = Annotated[str | None, Query(pattern=PERIOD_PATTERN)]
