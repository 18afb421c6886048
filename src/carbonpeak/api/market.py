"""The national carbon market: an enterprise's year by its sector's guideline, reconciled with
its MIIT accounts (issue 21)."""

from __future__ import annotations

from datetime import date
from pathlib import PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, Field, field_validator
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, ProblemOut, WarningOut, read_upload
from carbonpeak.domain.schema import Day, Document, NotBool, Real
from carbonpeak.errors import Problem
from carbonpeak.services import market as market_service
from carbonpeak.services import market_evidence, market_ledger, market_plans

router = APIRouter(tags=["market"])


class MarketPeriodOut(BaseModel):
    """One period (a month or the year) of the enterprise's reports by the guideline: fuels
    (net), processes (carbonates, electrodes, carbon-bearing raw materials), the carbon of the
    products deducted (negative), their sum, the output of the guideline's product and the
    intensity (t CO2 per t of it)."""

    enterprise_id: str
    period: str
    fuel_co2_t: float
    process_co2_t: float
    product_co2_t: float
    co2_t: float
    output_t: float | None = None
    intensity_t_per_t: float | None = None
    warnings: list[WarningOut] = []


class MarketTotalOut(BaseModel):
    fuel_co2_t: float | None = None
    process_co2_t: float | None = None
    product_co2_t: float | None = None
    co2_t: float | None = None
    output_t: float | None = None
    intensity_t_per_t: float | None = None
    miit_co2e_t: float | None = None


class ReconciledStreamOut(BaseModel):
    """A source stream of the year: the MIIT account's CO2e, the part of the difference of each
    step (method, measured values, factor edition, boundary: see `steps`) and the market's."""

    stream: str
    item: str
    direction: str
    miit_co2e_t: float
    method: float
    measured: float
    factors: float
    boundary: float
    market_co2_t: float


class MarketProjectionOut(BaseModel):
    """The year-end what-if of a year not yet whole: the emissions projected from its months,
    and the allowance the year's rule would give on them, or why none is projected."""

    months: int
    reported_t: float | None = None
    projected_t: float | None = None
    allowance_t: float | None = None
    surplus_t: float | None = None
    refused: str | None = None

    @field_validator("refused", mode="before")
    @classmethod
    def _said(cls, value: Any) -> Any:
        return value.message if isinstance(value, Problem) else value


# a refusal of the service's view (a Problem) as its English message
Said = Annotated[str | None, BeforeValidator(lambda v: v.message if isinstance(v, Problem) else v)]


class MarketAllocationOut(BaseModel):
    """The allowance the year's rule gives on the account (amounts as decimal text; the 2025
    steel intensity from the stored process sheet), or why none (`refused`)."""

    sector: str | None = None
    year: int | None = None
    allocation_unit: str | None = None
    rule: str | None = None
    verified_emissions_t: str | None = None
    intensity: str | None = None
    balance_value: str | None = None
    deviation: str | None = None
    alpha: str | None = None
    allowance_t: str | None = None
    surplus_t: str | None = None
    coefficient: str | None = None
    exception: str | None = None
    reference_rows: list[dict[str, Any]] = []
    warnings: list[WarningOut] = []
    refused: Said = None


class MarketAccountsOut(BaseModel):
    enterprise_id: str
    name: str
    year: int
    sector: str
    method: dict[str, Any] | None = None
    steps: dict[str, str]
    periods: list[MarketPeriodOut]
    total: MarketTotalOut | None = None
    reconciliation: list[ReconciledStreamOut]
    projection: MarketProjectionOut | None = None
    # of the activity as given (lines repeated) and of the whole year (under the list's
    # threshold)
    warnings: list[WarningOut] = []
    # with a stored process sheet: the process level (formulas (2)-(4)) and its quantities
    process_sheet: dict[str, Any] | None = None
    processes: list[dict[str, Any]] = []
    process_lines: list[dict[str, Any]] = []
    process_refused: Said = None
    allocation: MarketAllocationOut | None = None


@router.get("/market/accounts/{enterprise_id}", response_model=MarketAccountsOut)
def accounts(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    year: Annotated[int, Query(ge=2024, le=2100)],
) -> MarketAccountsOut:
    """The enterprise's year by the national carbon market's guideline of its sector, from its
    official reports, and the reconciliation with its MIIT accounts by source stream."""
    return MarketAccountsOut.model_validate(
        market_service.market_accounts(db, caller, enterprise_id, year)
    )


class MarketEntryIn(Document):
    """An entry of the compliance ledger as sent (t CO2e; one allowance is one tonne): numbers
    that are not booleans and finite, no unknown key. Upper bounds are plausibility bounds."""

    day: Day
    kind: Literal["obligation", "allocated", "bought", "sold", "surrendered", "offset"]
    holder: str = Field(min_length=18, max_length=18)
    amount: Real = Field(gt=0, le=1e10)
    vintage: Annotated[int, Field(ge=2019, le=2100), NotBool] | None = None
    year: Annotated[int, Field(ge=2019, le=2100), NotBool] | None = None
    counterparty: str | None = Field(default=None, max_length=64)
    price: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False), NotBool] | None = None


class MarketEntryOut(BaseModel):
    entry_id: int
    day: str
    kind: str
    holder: str
    amount: str
    vintage: int | None = None
    year: int | None = None
    counterparty: str | None = None
    price: str | None = None
    warnings: list[WarningOut] = []


class PositionOut(BaseModel):
    """A holder's compliance position for a year as of a day (amounts as decimal text, t)."""

    holder: str
    year: int
    sector: str | None = None
    on: str
    obligation_t: str | None = None
    allocated_t: str
    held_t: dict[str, str]
    usable_t: str
    surrendered_t: str
    offset_t: str
    offset_cap_t: str | None = None
    shortfall_t: str
    to_buy_t: str
    deadline: str | None = None
    late: bool
    warnings: list[WarningOut] = []
    reference_rows: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []


class SectorPositionsOut(BaseModel):
    sector: str
    emitters: int
    short: int
    late: int
    shortfall_t: str


class PositionsOut(BaseModel):
    year: int
    on: str
    positions: list[PositionOut]
    sectors: list[SectorPositionsOut]


@router.post("/market/entries", response_model=MarketEntryOut, status_code=201)
def entry(body: MarketEntryIn, db: Db, caller: Caller) -> MarketEntryOut:
    """Append an entry to the compliance ledger after checking it against the whole ledger: the
    authorities record obligations and allocations, an enterprise its trades and surrenders; a
    refused entry is a 422 naming the rule."""
    return MarketEntryOut.model_validate(market_ledger.append_entry(db, caller, body.model_dump()))


@router.get("/market/positions", response_model=PositionsOut)
def positions(
    db: Db,
    caller: Caller,
    year: Annotated[int, Query(ge=2019, le=2100)],
    on: Annotated[
        date | None, Query(description="the day of the positions (default: today)")
    ] = None,
) -> PositionsOut:
    """The compliance positions of the enterprises the caller sees, and by sector."""
    return PositionsOut.model_validate(market_ledger.positions(db, caller, year, on))


@router.get("/market/positions/{enterprise_id}", response_model=PositionOut)
def position(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    year: Annotated[int, Query(ge=2019, le=2100)],
    on: Annotated[
        date | None, Query(description="the day of the position (default: today)")
    ] = None,
) -> PositionOut:
    """An enterprise's compliance position for a year, with its entries."""
    return PositionOut.model_validate(
        market_ledger.position_of(db, caller, enterprise_id, year, on)
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PlanYear = Annotated[int, Query(ge=2024, le=2100)]


class PlanStoredOut(BaseModel):
    enterprise_id: str
    year: int
    version: int
    reason: str | None = None
    guideline: str | None = None
    warnings: list[WarningOut] = []
    change: dict[str, Any] | None = None


class PlanOut(BaseModel):
    """The enterprise's data-quality control plan of a year (its latest version, as Annex B
    holds it), every version's number and reason, and the check's warnings."""

    enterprise_id: str
    year: int
    sector: str
    plan: dict[str, Any] | None = None
    versions: list[dict[str, Any]]
    warnings: list[WarningOut] = []
    sources_missing: list[ProblemOut] = Field(
        default=[],
        description="fuels and materials of the enterprise's activity of the year the plan has "
        "no row for (9.3 a): a new fuel or material is a revision)",
    )


class DocumentOut(BaseModel):
    sha256: str
    file_name: str
    size: int


class EvidenceIn(Document):
    """The records of one month: a plan parameter's value with the SHA-256 of its documents
    (emission_type, item, parameter as in the plan), or a guideline item's documents (clause)."""

    records: list[dict[str, Any]] = Field(min_length=1, max_length=500)


class MonthOut(BaseModel):
    enterprise_id: str
    month: str
    due: str | None = None
    days_left: int | None = None
    complete: bool
    overdue: bool
    missing: list[str]
    problems: list[str] = []
    warnings: list[WarningOut] = []


class CoverageOut(BaseModel):
    year: int
    as_of: str
    enterprises: list[dict[str, Any]]


@router.post("/market/plans/{enterprise_id}", response_model=PlanStoredOut, status_code=201)
async def plan_import(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    file: Annotated[UploadFile, File(description="The plan workbook (版本, 企业, 设施, 参数)")],
) -> PlanStoredOut:
    """Check a data-quality control plan against the guideline and store it as the
    enterprise's next version of its year; every problem placed in the workbook."""
    name, content = await read_upload(file)
    stored = await run_in_threadpool(
        market_plans.import_plan, db, caller, enterprise_id, name, content
    )
    return PlanStoredOut.model_validate(stored)


@router.get("/market/plans/{enterprise_id}", response_model=PlanOut)
def plan(enterprise_id: str, db: Db, caller: Caller, year: PlanYear) -> PlanOut:
    """The enterprise's plan of a year."""
    found = market_plans.plan_of(db, caller, enterprise_id, year)
    missing = [p.as_dict() for p in found["sources_missing"]]
    return PlanOut.model_validate(found | {"sources_missing": missing})


@router.get(
    "/market/plans/{enterprise_id}/workbook",
    response_class=Response,
    responses={
        200: {
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            "description": "The plan's workbook",
        }
    },
)
def plan_workbook(enterprise_id: str, db: Db, caller: Caller, year: PlanYear) -> Response:
    """The latest plan of the year as its workbook, to revise and file again."""
    content = market_plans.plan_workbook(db, caller, enterprise_id, year)
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="plan-{year}.xlsx"'},
    )


@router.post("/market/documents/{enterprise_id}", response_model=DocumentOut, status_code=201)
async def document(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    file: Annotated[UploadFile, File(description="An invoice, a lab report, a meter's photo")],
) -> DocumentOut:
    """Keep a document of the monthly evidence by its SHA-256 (any type, up to 20 MB)."""
    content = await file.read(market_evidence.MAX_DOCUMENT_BYTES + 1)
    name = PurePath(file.filename or "document").name
    media = file.content_type or "application/octet-stream"
    return DocumentOut.model_validate(
        market_evidence.store_document(db, caller, enterprise_id, name, media, content)
    )


@router.post("/market/evidence/{enterprise_id}", response_model=MonthOut, status_code=201)
def evidence(enterprise_id: str, body: EvidenceIn, db: Db, caller: Caller) -> MonthOut:
    """File records of one month; the month is checked with them (a measured value needs its
    document) and its state returned."""
    return MonthOut.model_validate(
        market_evidence.record_evidence(db, caller, enterprise_id, body.records)
    )


@router.get("/market/evidence/{enterprise_id}", response_model=MonthOut)
def month(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    month: Annotated[date, Query(description="any day of the month")],
    as_of: Annotated[date | None, Query(description="the day (default: today)")] = None,
) -> MonthOut:
    """A month's evidence: due date, days left and what is missing."""
    return MonthOut.model_validate(
        market_evidence.month_evidence(db, caller, enterprise_id, month, as_of)
    )


@router.get("/market/coverage", response_model=CoverageOut)
def coverage(
    db: Db,
    caller: Caller,
    year: PlanYear,
    as_of: Annotated[date | None, Query(description="the day (default: today)")] = None,
) -> CoverageOut:
    """Each enterprise of the market's sectors the caller sees: its plan and its months."""
    return CoverageOut.model_validate(market_evidence.coverage(db, caller, year, as_of))
