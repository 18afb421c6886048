"""The national carbon market: an enterprise's year by its sector's guideline, reconciled with
its MIIT accounts (issue 21)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from carbonpeak.api.deps import Caller, Db, WarningOut
from carbonpeak.services import market as market_service

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
