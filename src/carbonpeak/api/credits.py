"""Credits: the dual-credit ledger of passenger-car makers, its entries, the credits of a
fleet and the cheapest compliant plan."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, read_upload
from carbonpeak.services import credits as credit_service

router = APIRouter(tags=["credits"])


class CreditEntryIn(BaseModel):
    day: date
    kind: Literal["earn", "deficit", "transfer", "trade", "offset", "deposit", "withdraw"]
    credit: Literal["cafc", "nev"]
    vintage: int = Field(ge=2016, le=2100)
    amount: float = Field(gt=0)
    entity: str = Field(min_length=18, max_length=18)
    counterparty: str | None = Field(default=None, min_length=18, max_length=18)
    settles: int | None = Field(default=None, ge=2016, le=2100)
    settles_credit: Literal["cafc", "nev"] | None = None
    price: float | None = Field(default=None, ge=0)
    carryable: bool = True


@router.get("/credits/ledger")
def credit_ledger(
    db: Db, caller: Caller, as_of: Annotated[date | None, Query()] = None
) -> dict[str, Any]:
    """Dual-credit balances by enterprise, type, vintage and origin, deficits left after
    their deadline, and the entries, of the enterprises the caller can see."""
    return credit_service.ledger_view(db, caller, as_of)


@router.post("/credits/entries", status_code=201)
def credit_entry(body: CreditEntryIn, db: Db, caller: Caller) -> dict[str, Any]:
    """Append an entry to the credit ledger after checking it against the whole ledger;
    a refused entry is a 422 with the reason."""
    return credit_service.append_entry(db, caller, body.model_dump())


@router.post("/credits/compute")
async def credit_compute(
    caller: Caller,
    file: Annotated[UploadFile, File(description="Fleet table: CSV, or .xlsx with sheet fleet")],
    year: Annotated[int, Query(ge=2016, le=2100)],
) -> dict[str, Any]:
    """CAFC and NEV credits of each enterprise of a fleet in a year (nothing stored)."""
    name, content = await read_upload(file)
    return await run_in_threadpool(credit_service.compute_file, name, content, year)


@router.post("/credits/plan")
async def credit_plan(body: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """The cheapest compliant path of one enterprise over several years (a linear
    programme on HiGHS); the plan as `carbonpeak credits plan` takes it."""
    return await run_in_threadpool(credit_service.plan, body)
