"""Meter readings over HTTP (the `monitoring` wing): a collector registers its enterprise's
meters and posts batches of readings with an API key narrowed to the enterprise."""

from __future__ import annotations

from typing import Annotated, Any

import pyarrow as pa
from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, ErrorOut, ProblemsOut
from carbonpeak.domain.schema import NotBool
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.batches import BATCH_ID_PATTERN, body_format
from carbonpeak.services import jobs as job_service
from carbonpeak.services import monitoring_feed as feed

router = APIRouter(tags=["monitoring"])


class MeterIn(BaseModel):
    meter_id: str = Field(min_length=1, max_length=64, examples=["E-101"])
    enterprise_id: str = Field(max_length=18, examples=["911302007A3K9C2D24"])
    carrier: str = Field(
        max_length=64, description="An item of the reference table items", examples=["electricity"]
    )
    unit: str = Field(max_length=32, description="A unit of the item's kind", examples=["kWh"])
    kind: str = Field(description="interval or cumulative", examples=["interval"])
    interval_minutes: Annotated[int, Field(ge=1), NotBool] | None = Field(
        default=None, description="Minutes between readings (default 15)"
    )


class MeterOut(BaseModel):
    meter_id: str
    enterprise_id: str
    carrier: str
    unit: str
    kind: str
    interval_minutes: int
    readings: int = Field(description="Readings of the meter in the lake (flushed)")
    first_ts: str | None = Field(description="Its first reading's time (UTC), if any")
    last_ts: str | None = Field(description="Its last reading's time (UTC), if any")


class MetersOut(BaseModel):
    items: list[MeterOut]


class RegisteredOut(BaseModel):
    registered: int = Field(description="Meters new to the registry")
    known: int = Field(description="Meters registered before with the same attributes")


class BatchOut(BaseModel):
    batch_id: str
    enterprise_id: str
    readings: int
    meters: int
    duplicate: bool = Field(description="The batch was received before: nothing stored again")
    received_at: str | None = Field(description="When a duplicate was first received")


class BatchQueuedOut(BaseModel):
    job_id: int
    state: str
    status: str = Field(description="Where to poll the job")


BATCH_ERRORS: dict[int | str, dict[str, Any]] = {
    409: {"model": ProblemsOut, "description": "The batch id was used with other content"},
    413: {"model": ErrorOut, "description": "More readings (or bytes) than a batch may hold"},
    415: {"model": ErrorOut, "description": "Not JSON lines, CSV, Parquet or a national message"},
}


@router.post("/monitoring/meters", response_model=RegisteredOut, status_code=201)
async def register_meters(request: Request, body: list[MeterIn], caller: Caller) -> RegisteredOut:
    """Register meters of the caller's enterprises in the lake's meter registry (checked
    against the reference: carrier, unit, kind, interval). A meter the lake holds for another
    enterprise, or with other attributes, is refused; registering a meter again is harmless."""
    meters = [m.model_dump() for m in body]
    done = await run_in_threadpool(feed.register_meters, request.app.state.engine, caller, meters)
    return RegisteredOut.model_validate(done)


@router.get("/monitoring/meters", response_model=MetersOut)
async def meters(request: Request, caller: Caller) -> MetersOut:
    """The registered meters of the enterprises the caller may see."""
    found = await run_in_threadpool(feed.visible_meters, request.app.state.engine, caller)
    return MetersOut.model_validate({"items": found})


@router.post(
    "/monitoring/readings",
    response_model=BatchOut,
    status_code=201,
    responses={
        200: {"model": BatchOut, "description": "A duplicate: received before, nothing stored"},
        202: {"model": BatchQueuedOut, "description": "A large batch, landed by a job"},
        **BATCH_ERRORS,
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {
                    "schema": {"type": "string", "format": "binary"}
                },
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def post_readings(
    request: Request,
    caller: Caller,
    idempotency_key: Annotated[
        str | None,
        Header(
            pattern=BATCH_ID_PATTERN,
            description="The batch's id (the IETF Idempotency-Key header)",
        ),
    ] = None,
    batch_id: Annotated[
        str | None,
        Query(pattern=BATCH_ID_PATTERN, description="The batch's id, if no header can be set"),
    ] = None,
    enterprise_id: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9A-Z]{18}$",
            description="Whose readings (default: the only one the key acts for)",
        ),
    ] = None,
) -> Any:
    """Post a batch of meter readings: JSON lines (`application/x-ndjson`, one
    `{"meter_id", "ts", "value"}` a line), CSV (`text/csv`, header `meter_id,ts,value`) or
    Parquet (`application/vnd.apache.parquet`, or `application/octet-stream` holding a Parquet
    file), or one upload message in the national online-monitoring layout (`application/json`:
    `{"deviceId", "enterpriseCode", "data": [...]}`, its real-time items as readings of meters
    named by their data codes; docs/monitoring_data_spec.md). `ts` is ISO 8601; without an
    offset it is China Standard Time.

    The batch's id (1-64 characters of `A-Za-z0-9._:-`) is required, as the header
    `Idempotency-Key` (the IETF draft's name for a key that makes a retried POST safe, which
    is what it is here) or, for a client that cannot set headers, the query `batch_id`; the
    two, if both given, must agree. It is unique per enterprise: the same id with the same
    readings again is answered 200 with `"duplicate": true` and stores nothing twice; with
    other readings, 409. A collector retries a batch it got no answer for with the same id.

    Every problem (an unknown meter, a time without a date, a value that is not a number) is
    placed by the batch, line and field (422), and nothing is stored. A new batch is landed
    durably (201) and reaches the lake at the next flush (`CARBONPEAK_FLUSH_SECONDS`); one of
    more than `CARBONPEAK_BACKGROUND_BATCH_READINGS` readings is answered 202 with a job to
    poll; more than `CARBONPEAK_MAX_BATCH_READINGS` is refused (413)."""
    if idempotency_key and batch_id and idempotency_key != batch_id:
        raise InputError(
            Problem.of(
                Place(field="batch_id"), N_("the Idempotency-Key header and batch_id differ")
            )
        )
    batch = idempotency_key or batch_id
    if not batch:
        raise InputError(
            Problem.of(
                Place(field="batch_id"),
                N_("give the batch's id: the Idempotency-Key header or the query batch_id"),
            )
        )
    kind = body_format(request.headers.get("content-type", ""))
    if kind is None:
        raise HTTPException(
            415,
            "send JSON lines (application/x-ndjson), CSV (text/csv), Parquet or a national "
            "upload message (application/json)",
        )
    body = await request.body()
    enterprise = feed.batch_enterprise(caller, enterprise_id)
    engine = request.app.state.engine

    def receive() -> dict[str, Any] | pa.Table:
        """The batch read and, unless it is landed by a job, posted: one worker thread for
        both (a thread's hand-over costs CPU 200 times a second)."""
        frame = feed.read_readings(engine, body, kind, batch, enterprise)
        feed.check_size(frame.num_rows)
        if feed.in_background(frame.num_rows):
            return frame
        return feed.post_readings(engine, caller, enterprise, batch, frame)

    received = await run_in_threadpool(receive)
    if isinstance(received, pa.Table):
        frame = received

        def work(_session: Session) -> dict[str, Any]:
            return feed.post_readings(engine, caller, enterprise, batch, frame)

        runner: job_service.Runner = request.app.state.runner
        job_id = await run_in_threadpool(runner.start, caller, "readings", work)
        queued = BatchQueuedOut(job_id=job_id, state="queued", status=f"/api/v1/jobs/{job_id}")
        return JSONResponse(queued.model_dump(), status_code=202)
    out = BatchOut.model_validate(received)
    return JSONResponse(out.model_dump(), status_code=200 if out.duplicate else 201)
