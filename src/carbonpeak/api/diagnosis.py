"""Diagnosis: energy-conservation diagnoses of plants and the opportunity register."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from carbonpeak.api.deps import Caller, Db
from carbonpeak.io.lake import default_lake
from carbonpeak.services import diagnosis as diagnosis_service

router = APIRouter(tags=["diagnosis"])


class DiagnosisIn(BaseModel):
    plant: dict[str, Any] = Field(description="The plant file as `carbonpeak diagnose` takes it")
    to_register: bool = Field(default=False, description="Store the measures as proposed")


class OpportunityStateIn(BaseModel):
    state: Literal["accepted", "implemented", "rejected"]
    implemented_on: date | None = None


@router.post("/diagnoses")
def diagnose_plant(body: DiagnosisIn, db: Db, caller: Caller) -> dict[str, Any]:
    """Energy-conservation diagnosis of a plant file: findings, measures with energy, CO2,
    cost saving and economics, the MAC curve; with `to_register`, the measures go into the
    enterprise's opportunity register as proposed."""
    if body.to_register:
        return diagnosis_service.register_diagnosis(db, caller, body.plant)
    return diagnosis_service.diagnose_plant(body.plant)


@router.get("/opportunities")
def opportunities(
    db: Db,
    caller: Caller,
    state: Annotated[
        Literal["proposed", "accepted", "implemented", "verified", "rejected"] | None, Query()
    ] = None,
) -> dict[str, Any]:
    """The opportunity register of the enterprises the caller can see, newest first."""
    return {"items": diagnosis_service.list_opportunities(db, caller, state)}


@router.post("/opportunities/{opportunity_id}/state")
def opportunity_state(
    opportunity_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: OpportunityStateIn,
    db: Db,
    caller: Caller,
) -> dict[str, Any]:
    """Accept, reject, or mark implemented (with its date) a measure of the register."""
    return diagnosis_service.advance(db, caller, opportunity_id, body.state, body.implemented_on)


@router.post("/opportunities/{opportunity_id}/verify")
def opportunity_verify(
    opportunity_id: Annotated[int, Path(ge=1, le=2**31 - 1)], db: Db, caller: Caller
) -> dict[str, Any]:
    """Verify an implemented measure against the enterprise's energy baseline (its meters
    in the lake)."""
    return diagnosis_service.verify(db, caller, opportunity_id, default_lake())
