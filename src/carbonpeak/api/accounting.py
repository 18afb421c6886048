"""Accounting: activity submissions and their review, an enterprise's accounts, and the
roll-ups of the visible enterprises."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, PeriodQuery, WarningOut, read_upload
from carbonpeak.domain.entities import YEAR_PATTERN
from carbonpeak.services import accounting as accounting_service
from carbonpeak.services import accounting_review, accounting_versions, store
from carbonpeak.services.memo import Kept

router = APIRouter(tags=["accounting"])


class RowsIn(BaseModel):
    rows: list[dict[str, Any]] = Field(min_length=1)


class ReviewIn(BaseModel):
    comment: str | None = Field(default=None, max_length=2000)


class SubmissionOut(BaseModel):
    submission_id: int
    enterprise_id: str
    period: str
    version: int
    state: str
    created: bool = Field(description="False when the same report was stored already")
    comment: str | None = None


class SubmissionsOut(BaseModel):
    submissions: list[SubmissionOut]


class SubmissionPage(BaseModel):
    total: int
    items: list[SubmissionOut]


class AccountLineOut(BaseModel):
    """One line of an activity report, accounted."""

    row: int
    stream: str
    item: str
    direction: str
    category: str | None = None  # product lines have no energy category
    amount: float
    unit: str
    energy_tce: float
    co2_t: float
    co2e_t: float
    uncertainty_pct: float | None = None
    methods: list[str] = []
    references: list[dict[str, Any]] = Field(
        default=[], description="The provenance of each factor: table, line, key, status"
    )


class OutputOut(BaseModel):
    """What an enterprise produced of one product in a period, in the product's default unit."""

    item: str
    amount: float | None
    unit: str


class AccountOut(BaseModel):
    """The accounts of one period of an enterprise (its latest version)."""

    enterprise_id: str
    period: str
    version: int
    state: str
    energy_tce: float
    co2_combustion_t: float
    co2_process_t: float
    co2_electricity_t: float
    co2_heat_t: float
    co2_t: float
    co2e_t: float
    uncertainty_pct: float | None
    value_added_10k_yuan: float | None = Field(
        default=None,
        description="Industrial value added (工业增加值), 10^4 yuan; None: not reported",
    )
    output: list[OutputOut] = Field(default=[], description="Output by product (stream product)")
    code_version: str
    reference_digest: str
    warnings: list[WarningOut | str]
    lines: list[AccountLineOut]


class AccountsOut(BaseModel):
    results: list[AccountOut]


class RollupRowOut(BaseModel):
    """The sums of one group (its code under the `by` key) and period."""

    region_code: str | None = None
    province_code: str | None = None
    industry_code: str | None = None
    industry_division: str | None = None
    period: str
    enterprises: int
    energy_tce: float
    co2_combustion_t: float
    co2_process_t: float
    co2_electricity_t: float
    co2_heat_t: float
    co2_t: float
    co2e_t: float


class RollupOut(BaseModel):
    by: str
    rows: list[RollupRowOut]


@router.get(
    "/enterprises/{enterprise_id}/accounts",
    response_model=AccountsOut,
    response_model_exclude_unset=True,
)
async def accounts(
    request: Request,
    enterprise_id: str,
    caller: Caller,
    period: PeriodQuery = None,
) -> Response:
    """Energy and emissions of each period's official version (for the enterprise itself, its
    latest, drafts marked by `state`), with provenance."""
    state = request.app.state

    def compute() -> bytes:
        with store.unit_of_work(state.sessions) as db:
            results = accounting_versions.accounts_of(db, caller, enterprise_id, period)
        model = AccountsOut.model_validate({"results": results})
        return model.model_dump_json(exclude_unset=True).encode()

    key = ("accounts", caller.role, caller.regions, caller.enterprises, enterprise_id, period)
    return await _kept(request, key, compute)


async def _kept(request: Request, key: tuple[Any, ...], compute: Callable[[], bytes]) -> Response:
    """The JSON body `compute` makes, kept per `key` (which names the caller's scope) and
    audit-log position: results that change only with the store (`services.memo.Kept`).
    Reading that position is one indexed row, done on the event loop; only a miss goes to a
    worker thread, once for all the concurrent requests of a key. An error of `compute` is
    raised, not kept."""
    state = request.app.state
    kept: Kept = state.rollup_cache
    key = (*key, store.audit_position(state.sessions))
    body = await kept.made(key, compute)
    return Response(content=body, media_type="application/json")


@router.post(
    "/submissions",
    response_model=SubmissionsOut,
    response_model_exclude_unset=True,
    status_code=201,
)
async def upload(
    db: Db,
    caller: Caller,
    file: Annotated[
        UploadFile,
        File(
            description="Activity table: CSV, .xlsx with sheet activity, or a filled NBS form "
            "205-1 (能源购进、消费与库存) workbook"
        ),
    ],
    draft: Annotated[bool, Query(description="Keep as a draft, not yet submitted")] = False,
) -> SubmissionsOut:
    """Submit an activity file: all or nothing, every problem in one 422 response."""
    accounting_review.check_submitter(caller)
    name, content = await read_upload(file)
    # the work is synchronous: keep it off the event loop
    made = await run_in_threadpool(accounting_service.submit_file, db, caller, name, content, draft)
    return SubmissionsOut.model_validate({"submissions": made})


@router.post(
    "/submissions/rows",
    response_model=SubmissionsOut,
    response_model_exclude_unset=True,
    status_code=201,
)
def submit_rows(
    body: RowsIn,
    db: Db,
    caller: Caller,
    draft: Annotated[bool, Query(description="Keep as a draft, not yet submitted")] = False,
) -> SubmissionsOut:
    """Submit activity rows as JSON (the columns of the activity table)."""
    frame = pd.DataFrame(body.rows).astype(object).where(pd.DataFrame(body.rows).notna(), "")
    frame = frame.astype(str)
    made = accounting_service.submit(db, caller, frame, None, draft=draft)
    return SubmissionsOut.model_validate({"submissions": made})


@router.get("/submissions", response_model=SubmissionPage)
def submissions(
    db: Db,
    caller: Caller,
    state: Annotated[
        str | None, Query(pattern="^(draft|submitted|returned|verified|approved)$")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> SubmissionPage:
    """Submissions the caller may see, by state, paginated."""
    total, items = accounting_versions.list_submissions(db, caller, state, limit, offset)
    return SubmissionPage.model_validate({"total": total, "items": items})


@router.post("/submissions/{submission_id}/{action}", response_model=SubmissionOut)
def review(
    submission_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    action: Annotated[str, Path(pattern="^(submit|return|verify|approve)$")],
    body: ReviewIn,
    db: Db,
    caller: Caller,
) -> SubmissionOut:
    """Submit a draft (its enterprise), or return (with a comment), verify or approve a
    submission (regulators)."""
    return SubmissionOut.model_validate(
        accounting_review.review(db, caller, submission_id, action, body.comment)
    )


@router.get("/rollups", response_model=RollupOut, response_model_exclude_unset=True)
async def rollups(
    request: Request,
    caller: Caller,
    by: Annotated[
        str, Query(pattern="^(region_code|province_code|industry_code|industry_division)$")
    ] = "region_code",
    year: Annotated[str | None, Query(pattern=YEAR_PATTERN)] = None,
) -> Response:
    """Energy and emissions of the visible enterprises summed by region or industry."""
    # Results change only with the store: the response is kept per scope and audit-log
    # position (`_kept`), so a cached answer costs no worker thread.
    state = request.app.state

    def compute() -> bytes:
        with store.unit_of_work(state.sessions) as db:
            rows = accounting_versions.roll_up_visible(db, caller, by, year)
        return json.dumps({"by": by, "rows": rows}, ensure_ascii=False).encode()

    key = ("rollups", caller.role, caller.regions, caller.enterprises, by, year)
    return await _kept(request, key, compute)
