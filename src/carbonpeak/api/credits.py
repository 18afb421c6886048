"""Credits: the dual-credit ledger of passenger-car makers, its entries, the credits of a
fleet and the cheapest compliant plan."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, WarningOut, read_upload
from carbonpeak.domain.schema import Day, Document, Flag, NotBool, Real, Whole
from carbonpeak.services import credits as credit_service

router = APIRouter(tags=["credits"])


class CreditEntryIn(Document):
    """An entry as sent: numbers that are not booleans and finite, a day within the platform's
    years, no unknown key. The upper bounds are plausibility bounds, not rules."""

    day: Day
    kind: Literal["earn", "deficit", "transfer", "trade", "offset", "deposit", "withdraw"]
    credit: Literal["cafc", "nev"]
    vintage: Whole = Field(ge=2016, le=2100)
    amount: Real = Field(gt=0, le=1e9)
    entity: str = Field(min_length=18, max_length=18)
    counterparty: str | None = Field(default=None, min_length=18, max_length=18)
    settles: Annotated[int, Field(ge=2016, le=2100), NotBool] | None = None
    settles_credit: Literal["cafc", "nev"] | None = None
    price: Annotated[float, Field(ge=0, le=1e7, allow_inf_nan=False), NotBool] | None = None
    carryable: Flag = True


class CreditEntryOut(BaseModel):
    entry_id: int | None
    day: str
    kind: str
    credit: str
    vintage: int
    amount: float
    entity: str
    counterparty: str | None
    settles: int | None
    settles_credit: str | None
    price: float | None
    carryable: bool


class BalanceOut(BaseModel):
    """Credits of an enterprise by type, vintage and origin (negative: a deficit)."""

    entity: str
    credit: str
    vintage: int
    origin: str
    credits: float
    name: str


class UnsettledOut(BaseModel):
    """A deficit still owed after its deadline."""

    entity: str
    credit: str
    year: int
    owed: float
    deadline: str
    consequence: str


class IndustryYearOut(BaseModel):
    """The results recorded in the ledger in a year beside the official totals (10^4)."""

    year: int
    recorded: dict[str, float | None]
    official: dict[str, float | None]


class PoolOut(BaseModel):
    deposit_above: float | None = None
    release_below: float | None = None


class LedgerOut(BaseModel):
    as_of: str
    balances: list[BalanceOut]
    unsettled: list[UnsettledOut]
    entries: list[CreditEntryOut]
    ratios: dict[str, float] = Field(description="Supply/demand ratio of each year")
    pool: PoolOut
    industry: list[IndustryYearOut] = Field(description="For admins and regulators only")


class FleetCreditsOut(BaseModel):
    """The CAFC and NEV credits of one enterprise in a year."""

    enterprise_id: str
    year: int
    volume: int
    conventional_volume: int
    low_fc_volume: int
    imported: bool
    cafc_actual: float | None
    conventional_cafc_actual: float | None
    cafc_target: float | None
    cafc_compliance_value: float | None
    cafc_credits: int
    nev_credits_earned: float
    nev_credits_target: float
    nev_credits: float
    nev_carry_forward_allowed: bool
    warnings: list[WarningOut]


class FleetOut(BaseModel):
    enterprises: list[FleetCreditsOut]


class PlanYearOut(BaseModel):
    year: int
    volumes: dict[str, float] = Field(description="Vehicles of each model line")
    buy_nev_credits: float
    sell_nev_credits: float
    bank_nev_credits: float
    bank_cafc_credits: float
    nev_credits_used_for_cafc: float
    vehicle_cost: float
    credit_cost: float
    cafc_credits: int
    nev_credits: float


class PlanOut(BaseModel):
    enterprise_id: str
    total_cost: float
    years: list[PlanYearOut]


@router.get("/credits/ledger", response_model=LedgerOut, response_model_exclude_unset=True)
def credit_ledger(
    db: Db, caller: Caller, as_of: Annotated[date | None, Query()] = None
) -> LedgerOut:
    """Dual-credit balances by enterprise, type, vintage and origin, deficits left after
    their deadline, and the entries, of the enterprises the caller can see."""
    return LedgerOut.model_validate(credit_service.ledger_view(db, caller, as_of))


@router.post("/credits/entries", response_model=CreditEntryOut, status_code=201)
def credit_entry(body: CreditEntryIn, db: Db, caller: Caller) -> CreditEntryOut:
    """Append an entry to the credit ledger after checking it against the whole ledger;
    a refused entry is a 422 with the reason."""
    return CreditEntryOut.model_validate(credit_service.append_entry(db, caller, body.model_dump()))


@router.post("/credits/compute", response_model=FleetOut)
async def credit_compute(
    db: Db,
    caller: Caller,
    file: Annotated[UploadFile, File(description="Fleet table: CSV, or .xlsx with sheet fleet")],
    year: Annotated[int, Query(ge=2016, le=2100)],
) -> FleetOut:
    """CAFC and NEV credits of each enterprise of a fleet in a year (nothing stored), under
    the library in force: a year after the shipped rules once an approved edition covers it."""
    name, content = await read_upload(file)
    credits = await run_in_threadpool(credit_service.compute_file, db, name, content, year)
    return FleetOut.model_validate(credits)


@router.post("/credits/plan", response_model=PlanOut)
async def credit_plan(body: dict[str, Any], db: Db, caller: Caller) -> PlanOut:
    """The cheapest compliant path of one enterprise over several years (a linear
    programme on HiGHS); the plan as `carbonpeak credits plan` takes it."""
    return PlanOut.model_validate(await run_in_threadpool(credit_service.plan, db, body))
