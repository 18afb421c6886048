"""The REST API of the platform: `create_app(engine)` builds it from the list of routers.

Every request runs in one database transaction (committed on success, rolled back on any
error); errors are JSON with a status that says whose fault it is: 401 no credential, 403 not
allowed, 404 absent or not yours (never told apart), 422 bad input with every problem placed.
No handler lets an exception become a 500 without a JSON body saying so.

The app's state (`app.state`): `engine`, `sessions` (the session factory), `runner` (the
background jobs), `rollup_cache` (the roll-ups and accounts of `accounting`, a
`services.memo.Kept`) and `monitoring_encoded` (the encoded answers of
`monitoring.monitoring_status`); while the server runs, a thread flushes posted meter readings
into the lake (`_lifespan`).
Tokens checked in the last seconds are remembered by `services.tokens` (for the API and the
dashboard alike). `BodyLimit` refuses a body past its limit (413) before it is parsed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carbonpeak import __version__, web
from carbonpeak.api import (
    accounting,
    auth,
    benchmarking,
    budgets,
    credits,
    diagnosis,
    directory,
    enterprises,
    green,
    jobs,
    market,
    market_processes,
    monitoring,
    monitoring_feed,
    pathways,
    policy,
    product,
    reference,
    users,
    utilisation,
)
from carbonpeak.api.deps import ERRORS, refuse_nul
from carbonpeak.errors import (
    AuthenticationError,
    CarbonpeakError,
    Conflict,
    InputError,
    NotFoundError,
    PermissionDenied,
    TooLarge,
    TooManyAttempts,
)
from carbonpeak.io.tables import MAX_UPLOAD_BYTES
from carbonpeak.services import jobs as job_service
from carbonpeak.services import monitoring_feed as feed_service
from carbonpeak.services import store
from carbonpeak.services.memo import Kept
from carbonpeak.settings import settings

ROLLUP_BYTES = 32 * 2**20  # JSON answers of the roll-ups and accounts kept (a province's: ~20 kB)
ROUTERS: list[ModuleType] = [
    auth,
    enterprises,
    users,
    jobs,
    accounting,
    benchmarking,
    monitoring,
    policy,
    budgets,
    credits,
    market,
    diagnosis,
    directory,
    pathways,
    reference,
    monitoring_feed,
    market_processes,
    product,
    green,
    utilisation,
]


def _message(exc: Exception) -> Any:
    return str(exc)


def _problems(exc: Exception) -> Any:
    assert isinstance(exc, InputError)
    return [p.as_dict() for p in exc.problems]


def _unstorable(exc: Exception) -> Any:
    # the last guard: a value the database cannot store is the caller's input
    return [{"message": f"a value cannot be stored: {getattr(exc, 'orig', exc)}"}]


def _unavailable(_: Exception) -> Any:
    return "the store is unavailable; try again later"


def _invalid(exc: Exception) -> Any:
    assert isinstance(exc, RequestValidationError)
    return [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg"))}
        for e in exc.errors()
    ]


# The one table from an error to its answer: status, the body's `detail`, extra headers. An
# error takes the row of its nearest class (InputError before its base CarbonpeakError).
ERROR_STATUS: dict[type[Exception], tuple[int, Callable[[Exception], Any], dict[str, str]]] = {
    Conflict: (409, _problems, {}),
    InputError: (422, _problems, {}),
    TooLarge: (413, _message, {}),
    NotFoundError: (404, _message, {}),
    PermissionDenied: (403, _message, {}),
    AuthenticationError: (401, _message, {"WWW-Authenticate": "Bearer"}),
    TooManyAttempts: (429, _message, {}),  # with its Retry-After
    CarbonpeakError: (400, _message, {}),
    DataError: (422, _unstorable, {}),
    OperationalError: (503, _unavailable, {"Retry-After": "5"}),
    RequestValidationError: (422, _invalid, {}),
}


async def _error(_: Request, exc: Exception) -> JSONResponse:
    """The JSON answer of an error of `ERROR_STATUS`."""
    kind = next(k for k in type(exc).__mro__ if k in ERROR_STATUS)
    status, detail, headers = ERROR_STATUS[kind]
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse({"detail": detail(exc)}, status_code=status, headers=headers or None)


class BodyLimit:
    """Refuse a request body past its limit with 413, before it is parsed: by its declared
    length, and by counting what arrives (a chunked body declares none). Uploads (multipart
    forms) may be as large as an uploaded table (`io.tables.MAX_UPLOAD_BYTES`) plus its
    framing; any other body (JSON, a plain form) as large as `CARBONPEAK_MAX_BODY_MB`. A
    larger table goes as a file, or as a background job (`/api/v1/jobs/submissions`)."""

    FRAMING = 1024 * 1024  # a multipart form's boundaries and other fields

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = (
            MAX_UPLOAD_BYTES + self.FRAMING
            if multipart
            else int(settings().max_body_mb * 1024 * 1024)
        )
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # an HTTP error, so that the body's parser passes it on as it is
                    raise HTTPException(413, _too_large(limit))
            return message

        try:
            await self.app(scope, counted, send)
        except HTTPException as error:  # read outside a route (no handler turned it into 413)
            if error.status_code != 413:
                raise
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = JSONResponse({"detail": _too_large(limit)}, status_code=413)
        await response(scope, receive, send)


def _too_large(limit: int) -> str:
    mb = f"{limit / 1024 / 1024:.3g}"
    return (
        f"请求内容超过 {mb} MB；较大的表请以文件上传或作为后台任务提交 / the request body is "
        f"larger than {mb} MB; send a large table as a file or as a background job"
    )


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs: the thread that flushes landed meter readings into the lake."""
    flusher = feed_service.Flusher(app.state.engine)
    flusher.start()
    try:
        yield
    finally:
        flusher.stop()


async def _health() -> dict[str, str]:
    """The server answers: for a load balancer's probe, and the floor of
    `benchmarks/api_load.py` (no login, no store work, a few bytes)."""
    return {"status": "ok", "version": __version__}


def create_app(engine: Engine | None = None) -> FastAPI:
    """The application, on `engine` (default: the configured store)."""
    engine, sessions = store.open_store(engine)
    job_service.recover(engine)
    app = FastAPI(
        lifespan=_lifespan,
        title="carbonpeak",
        version=__version__,
        description="Public service platform for industrial carbon peaking: energy and GHG "
        "accounts, efficiency grades and roll-ups. No string of a request (query, path, "
        "JSON key or value, form field) may hold a NUL character: 422 naming the field.",
        dependencies=[Depends(refuse_nul)],
    )
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.runner = job_service.Runner(engine)
    app.state.rollup_cache = Kept(ROLLUP_BYTES)
    app.state.monitoring_encoded = {}
    for error in ERROR_STATUS:
        app.add_exception_handler(error, _error)
    for module in ROUTERS:
        app.include_router(module.router, prefix="/api/v1", responses=ERRORS)
    # a probe, not a wing's resource: outside the schema (and its house rules)
    app.add_api_route("/api/v1/health", _health, methods=["GET"], include_in_schema=False)
    web.mount(app, sessions)
    app.add_middleware(BodyLimit)
    return app
