"""Accounting: activity submissions and their review, an enterprise's accounts, and the
roll-ups of the visible enterprises."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, read_upload
from carbonpeak.services import accounting as accounting_service
from carbonpeak.services import store

router = APIRouter(tags=["accounting"])
ROLLUP_CACHE_SIZE = 256


class RowsIn(BaseModel):
    rows: list[dict[str, Any]] = Field(min_length=1)


class ReviewIn(BaseModel):
    comment: str | None = Field(default=None, max_length=2000)


@router.get("/enterprises/{enterprise_id}/accounts")
def accounts(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    period: Annotated[str | None, Query(pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$")] = None,
) -> dict[str, Any]:
    """Energy and emissions of the latest version of each period, with provenance."""
    return {"results": accounting_service.accounts_of(db, caller, enterprise_id, period)}


@router.post("/submissions", status_code=201)
async def upload(
    db: Db,
    caller: Caller,
    file: Annotated[
        UploadFile, File(description="Activity table: CSV, or .xlsx with sheet activity")
    ],
    draft: Annotated[bool, Query(description="Keep as a draft, not yet submitted")] = False,
) -> dict[str, Any]:
    """Submit an activity file: all or nothing, every problem in one 422 response."""
    accounting_service.check_submitter(caller)
    name, content = await read_upload(file)
    # the work is synchronous: keep it off the event loop
    made = await run_in_threadpool(accounting_service.submit_file, db, caller, name, content, draft)
    return {"submissions": made}


@router.post("/submissions/rows", status_code=201)
def submit_rows(
    body: RowsIn,
    db: Db,
    caller: Caller,
    draft: Annotated[bool, Query(description="Keep as a draft, not yet submitted")] = False,
) -> dict[str, Any]:
    """Submit activity rows as JSON (the columns of the activity table)."""
    frame = pd.DataFrame(body.rows).astype(object).where(pd.DataFrame(body.rows).notna(), "")
    frame = frame.astype(str)
    return {"submissions": accounting_service.submit(db, caller, frame, None, draft=draft)}


@router.get("/submissions")
def submissions(
    db: Db,
    caller: Caller,
    state: Annotated[
        str | None, Query(pattern="^(draft|submitted|returned|verified|approved)$")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> dict[str, Any]:
    """Submissions the caller may see, by state, paginated."""
    total, items = accounting_service.list_submissions(db, caller, state, limit, offset)
    return {"total": total, "items": items}


@router.post("/submissions/{submission_id}/{action}")
def review(
    submission_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    action: Annotated[str, Path(pattern="^(submit|return|verify|approve)$")],
    body: ReviewIn,
    db: Db,
    caller: Caller,
) -> dict[str, Any]:
    """Submit a draft (its enterprise), or return (with a comment), verify or approve a
    submission (regulators)."""
    return accounting_service.review(db, caller, submission_id, action, body.comment)


@router.get("/rollups")
async def rollups(
    request: Request,
    caller: Caller,
    by: Annotated[
        str, Query(pattern="^(region_code|province_code|industry_code|industry_division)$")
    ] = "region_code",
    year: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
) -> Response:
    """Energy and emissions of the visible enterprises summed by region or industry."""
    # Results change only with the store: the response is cached per scope and audit-log
    # position. Reading that position is one indexed row, done on the event loop; only a
    # cache miss goes to a worker thread.
    state = request.app.state
    cache: dict[tuple[Any, ...], bytes] = state.rollup_cache
    locks: dict[tuple[Any, ...], asyncio.Lock] = state.rollup_locks
    version = store.audit_position(state.sessions)
    key = (caller.role, caller.regions, caller.enterprises, by, year, version)
    body = cache.get(key)
    if body is None:
        # one computation per key: concurrent misses wait for it instead of repeating it
        lock = locks.setdefault(key, asyncio.Lock())
        async with lock:
            body = cache.get(key)
            if body is None:

                def compute() -> bytes:
                    with store.unit_of_work(state.sessions) as db:
                        rows = accounting_service.roll_up_visible(db, caller, by, year)
                    return json.dumps({"by": by, "rows": rows}, ensure_ascii=False).encode()

                body = await run_in_threadpool(compute)
                if len(cache) >= ROLLUP_CACHE_SIZE:
                    evicted = next(iter(cache))
                    cache.pop(evicted)
                    locks.pop(evicted, None)
                cache[key] = body
    return Response(content=body, media_type="application/json")
