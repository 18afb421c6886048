"""Budgets: carbon dual control budgets (碳排放预算) of regions and enterprises, set by
regulators, imported and exported as workbooks with Chinese headers, tracked month by month
and warned on (预警), with the authority's alert thresholds."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, WarningOut, read_upload
from carbonpeak.domain.schema import Day, Document, Real
from carbonpeak.services import budgets as budget_service
from carbonpeak.services import budgets_files as file_service

router = APIRouter(tags=["budgets"])

YearQuery = Annotated[int, Query(ge=1990, le=2100, description="The budgets' calendar year.")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BudgetIn(Document):
    """A budget as sent: without `budget_id` a new one, with it a change of that budget.
    Consistency (an intensity needs basis and planned, shares sum to 1, ...) and the cascade
    are checked by the service, every problem placed at the row (1-based) and field."""

    budget_id: int | None = Field(default=None, ge=1)
    scope: Literal["region", "enterprise"]
    code: str = Field(min_length=1, max_length=18)
    year: int = Field(ge=1990, le=2100)
    quantity: Literal["co2", "energy"]
    cap: Real | None = None
    intensity: Real | None = None
    basis: Literal["value_added", "product"] | None = None
    item: str | None = Field(default=None, max_length=64)
    planned: Real | None = None
    profile: Literal["even", "monthly", "quarterly"] = "even"
    shares: list[Real] | None = Field(default=None, max_length=12)
    reserve: Real = 0.0


class BudgetOut(BaseModel):
    budget_id: int
    parent_id: int | None
    scope: str
    code: str
    year: int
    quantity: str
    cap: float | None
    intensity: float | None
    basis: str | None
    item: str | None
    planned: float | None
    profile: str
    shares: list[float] | None
    reserve: float
    updated_at: str | None


class BudgetsOut(BaseModel):
    items: list[BudgetOut]


class BudgetStatusOut(BaseModel):
    """One budget as of a day (t CO2 or tce as `unit` says) and its alert level."""

    budget_id: str
    scope: str
    code: str
    name: str
    region_code: str | None
    year: int
    quantity: str
    unit: str
    cap: float
    as_of: str
    elapsed_share: float
    used_to_date: float | None
    reported_to_date: float | None
    nowcast_to_date: float | None
    used_low: float | None
    used_high: float | None
    used_share: float | None
    projected: float | None
    projected_low: float | None
    projected_high: float | None
    projected_share: float | None
    intensity_cap: float | None
    intensity_actual: float | None
    denominator_to_date: float | None
    enterprises: int
    months_reported: list[str]
    months_nowcast: list[str]
    months_missing: list[str]
    level: Literal["green", "yellow", "red"] | None = Field(
        description="绿/黄/红 from the authority's thresholds; None when none apply"
    )
    pace: float | None = Field(description="used share / elapsed share")
    projection: float | None = Field(description="projected year-end / cap")
    indicator: str | None
    threshold: float | None
    warnings: list[WarningOut]


class BudgetMonthOut(BaseModel):
    budget_id: str
    period: str
    month: int
    allowed: float | None
    reported: float | None
    nowcast: float | None
    used: float | None
    used_low: float | None
    used_high: float | None
    cumulative_allowed: float | None
    cumulative_used: float | None
    enterprises_reported: int | None
    enterprises_nowcast: int | None
    enterprises_missing: int | None
    denominator: float | None
    status: str


class TrackingOut(BaseModel):
    year: int
    as_of: str
    budgets: list[BudgetStatusOut]
    months: list[BudgetMonthOut]
    warnings: list[WarningOut] = Field(description="of the nowcast")


class AlertOut(BaseModel):
    alert_id: int
    budget_id: int
    scope: str
    code: str
    year: int
    quantity: str
    level: str
    indicator: str
    value: float | None
    period: str
    raised_at: str
    cleared_at: str | None
    detail: dict[str, Any] | None


class AlertsOut(BaseModel):
    items: list[AlertOut]


class AlertChangeOut(BaseModel):
    """A level crossed: `raised` into `level`, or `cleared` (`level` the level left)."""

    budget_id: str
    kind: Literal["raised", "cleared"]
    level: str
    previous: str | None
    current: str | None
    indicator: str | None
    value: float | None


class AlertChangesOut(BaseModel):
    as_of: str
    changes: list[AlertChangeOut]


class ThresholdIn(Document):
    """A row of `budget_alert_thresholds` (the authority column is the region entered for)."""

    quantity: Literal["co2", "energy"]
    indicator: Literal["pace", "projection"]
    level: Literal["yellow", "red"]
    threshold: Real = Field(gt=0)
    valid_from: Day | None = None
    valid_to: Day | None = None
    status: Literal["verified", "unverified"] = "verified"
    note: str | None = Field(default=None, max_length=500)


class ThresholdsIn(Document):
    region: str = Field(pattern=r"^\d{6}$", description="The authority's region code")
    document: str = Field(min_length=1, max_length=500, description="Its notice or decision")
    rows: list[ThresholdIn] = Field(min_length=1, max_length=1000)


class AuthorityRowOut(BaseModel):
    row_id: int
    table: str
    region_code: str
    values: dict[str, Any]
    document: str
    entered_at: str


class AuthorityRowsOut(BaseModel):
    items: list[AuthorityRowOut]


@router.get("/budgets", response_model=BudgetsOut)
def budgets_list(
    db: Db, caller: Caller, year: Annotated[int | None, Query(ge=1990, le=2100)] = None
) -> BudgetsOut:
    """The budgets the caller may see (a regulator's regions, an enterprise's own)."""
    return BudgetsOut(items=budget_service.list_budgets(db, caller, year))


@router.post("/budgets", response_model=BudgetsOut, status_code=201)
def budgets_save(body: list[BudgetIn], db: Db, caller: Caller) -> BudgetsOut:
    """Create or change budgets, all or nothing (regulators and the administrator): parents
    inferred, the whole cascade checked; a 422 places each problem at its row and field."""
    rows = [{**b.model_dump(exclude_none=True), "row": n} for n, b in enumerate(body, 1)]
    return BudgetsOut(items=budget_service.save_budgets(db, caller, rows))


@router.post("/budgets/import", response_model=BudgetsOut, status_code=201)
async def budgets_import(
    db: Db,
    caller: Caller,
    file: Annotated[
        UploadFile,
        File(description="Budgets: CSV, or .xlsx with sheet 预算; Chinese or English headers"),
    ],
) -> BudgetsOut:
    """Save the budgets of a workbook or CSV with Chinese headers (预算编号 范围 代码 年度 指标
    总量上限 强度上限 强度基准 产品 计划分母 月度分布 分配比例 预留比例); problems placed by
    file, sheet, row and column."""
    name, content = await read_upload(file)
    saved = await run_in_threadpool(file_service.import_upload, db, caller, name, content)
    return BudgetsOut(items=saved)


@router.get(
    "/budgets/export",
    response_class=Response,
    responses={
        200: {
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            "description": "The export workbook",
        }
    },
)
def budgets_export(
    db: Db,
    caller: Caller,
    year: YearQuery,
    as_of: Annotated[date | None, Query(description="Track to this day")] = None,
) -> Response:
    """The caller's budgets of a year as a workbook: sheet 预算 (imports back unchanged),
    跟踪 (tracking to `as_of`: cap, used to date, shares, projected, level) and 说明."""
    content = file_service.export_workbook(db, caller, year, as_of)
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="budgets-{year}.xlsx"'},
    )


@router.get("/budgets/tracking", response_model=TrackingOut)
def budgets_tracking(
    db: Db, caller: Caller, year: YearQuery, as_of: Annotated[date, Query()]
) -> TrackingOut:
    """The caller's budgets of a year tracked to `as_of`: use to date from the official
    monthly accounts against the profile, the projected year-end, the alert level, and the
    month rows."""
    return TrackingOut.model_validate(file_service.tracking_view(db, caller, year, as_of))


@router.get("/budgets/alerts", response_model=AlertsOut)
def budgets_alerts(
    db: Db,
    caller: Caller,
    open: Annotated[bool, Query(description="Only alerts not cleared")] = False,
) -> AlertsOut:
    """The alerts (预警) of the budgets the caller may see, newest first."""
    return AlertsOut.model_validate({"items": budget_service.list_alerts(db, caller, open)})


@router.post("/budgets/alerts/record", response_model=AlertChangesOut)
def budgets_record(db: Db, caller: Caller, as_of: Annotated[date, Query()]) -> AlertChangesOut:
    """Judge every budget of the day's year and store one alert per level crossed since the
    last judgement (regulators and the administrator)."""
    changes = file_service.record_for(db, caller, as_of)
    return AlertChangesOut.model_validate({"as_of": as_of.isoformat(), "changes": changes})


@router.post("/budgets/thresholds", response_model=AuthorityRowsOut, status_code=201)
def budgets_thresholds(body: ThresholdsIn, db: Db, caller: Caller) -> AuthorityRowsOut:
    """Enter the authority's early-warning thresholds (预警阈值, `budget_alert_thresholds`)
    for its region, citing its document."""
    rows = [
        {
            k: (v.isoformat() if isinstance(v, date) else v)
            for k, v in r.model_dump(exclude_none=True).items()
        }
        for r in body.rows
    ]
    made = file_service.enter_thresholds(db, caller, body.region, body.document, rows)
    return AuthorityRowsOut.model_validate({"items": made})


class DeletedOut(BaseModel):
    budget_id: int
    deleted: bool


@router.delete("/budgets/{budget_id}", response_model=DeletedOut)
def budgets_delete(
    db: Db, caller: Caller, budget_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> DeletedOut:
    """Delete a budget (its children take its parent); 404 if absent or not the caller's."""
    budget_service.delete_budget(db, caller, budget_id)
    return DeletedOut(budget_id=budget_id, deleted=True)
