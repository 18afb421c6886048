"""Diagnosis: energy-conservation diagnoses of plants and the opportunity register."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from carbonpeak.api.deps import Caller, Db, WarningOut
from carbonpeak.domain.schema import Day, Flag
from carbonpeak.io.lake import default_lake
from carbonpeak.services import diagnosis as diagnosis_service

router = APIRouter(tags=["diagnosis"])


class DiagnosisIn(BaseModel):
    plant: dict[str, Any] = Field(description="The plant file as `carbonpeak diagnose` takes it")
    to_register: Flag = Field(default=False, description="Store the measures as proposed")


class OpportunityStateIn(BaseModel):
    state: Literal["accepted", "implemented", "rejected"]
    implemented_on: Day | None = None


class SavingOut(BaseModel):
    item: str
    amount: float
    unit: str


class MeasureOut(BaseModel):
    """A measure of a diagnosis: what it saves and, where its cost is known, its economics."""

    measure_id: str
    equipment: str
    equipment_index: int | None
    measure: str
    description: str
    savings: list[SavingOut]
    energy_tce: float
    co2_t: float
    cost_saving_yuan: float
    capital_cost_yuan: float | None
    lifetime_years: float | None
    grade: str | None = None
    simple_payback_years: float | None = None
    npv_yuan: float | None = None
    irr: float | None = None
    annualised_cost_yuan: float | None = None
    mac_yuan_per_t: float | None = None


class FindingOut(BaseModel):
    equipment: str
    kind: str
    state: dict[str, Any] = Field(description="What was found, by the kind of equipment")
    sources: list[str]


class MacStepOut(BaseModel):
    measure_id: str
    measure: str
    mac_yuan_per_t: float
    abatement_t: float
    from_t: float
    to_t: float


class FlowOut(BaseModel):
    carrier: str
    equipment: str
    energy_tce: float


class PlantOut(BaseModel):
    enterprise_id: str
    name: str
    year: int


class TotalsOut(BaseModel):
    energy_tce: float
    co2_t: float
    cost_saving_yuan: float
    capital_cost_yuan: float


class DiagnosisOut(BaseModel):
    plant: PlantOut
    findings: list[FindingOut]
    measures: list[MeasureOut]
    totals: TotalsOut
    mac_curve: list[MacStepOut]
    energy_flow: list[FlowOut]
    management: dict[str, Any] | None = Field(
        description="The energy-management checklist (GB/T 23331) where the plant answers it"
    )
    metering: dict[str, Any] | None = Field(
        description="Meter coverage by level and energy type where the plant lists meters"
    )
    warnings: list[WarningOut]
    opportunity_ids: list[int] | None = Field(
        default=None, description="With `to_register`: the new opportunities"
    )
    technologies: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description="The directory's candidate entries by measure and equipment kind",
    )


class OpportunityOut(BaseModel):
    opportunity_id: int
    enterprise_id: str
    measure_id: str
    measure: str
    description: str
    expected: dict[str, Any] = Field(description="The measure's savings and economics")
    state: str
    implemented_on: str | None
    verification: dict[str, Any] | None = Field(
        description="Against the energy baseline, once verified"
    )
    technology: str | None = Field(
        default=None, description="The directory's entry it used (catalogue:entry_no)"
    )
    technology_entry: dict[str, Any] | None = Field(
        default=None,
        description="That entry's names, whether it is illustrative, and whether it is "
        "withdrawn (no longer in the library in force)",
    )


class OpportunitiesOut(BaseModel):
    items: list[OpportunityOut]


@router.post("/diagnoses", response_model=DiagnosisOut, response_model_exclude_unset=True)
def diagnose_plant(body: DiagnosisIn, db: Db, caller: Caller) -> DiagnosisOut:
    """Energy-conservation diagnosis of a plant file: findings, measures with energy, CO2,
    cost saving and economics, the MAC curve; with `to_register`, the measures go into the
    enterprise's opportunity register as proposed."""
    if body.to_register:
        return DiagnosisOut.model_validate(
            diagnosis_service.register_diagnosis(db, caller, body.plant)
        )
    return DiagnosisOut.model_validate(diagnosis_service.diagnose_plant(db, body.plant))


@router.get("/opportunities", response_model=OpportunitiesOut)
def opportunities(
    db: Db,
    caller: Caller,
    state: Annotated[
        Literal["proposed", "accepted", "implemented", "verified", "rejected"] | None, Query()
    ] = None,
) -> OpportunitiesOut:
    """The opportunity register of the enterprises the caller can see, newest first."""
    items = diagnosis_service.list_opportunities(db, caller, state)
    return OpportunitiesOut.model_validate({"items": items})


@router.post("/opportunities/{opportunity_id}/state", response_model=OpportunityOut)
def opportunity_state(
    opportunity_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: OpportunityStateIn,
    db: Db,
    caller: Caller,
) -> OpportunityOut:
    """Accept, reject, or mark implemented (with its date) a measure of the register."""
    changed = diagnosis_service.advance(db, caller, opportunity_id, body.state, body.implemented_on)
    return OpportunityOut.model_validate(changed)


@router.post("/opportunities/{opportunity_id}/verify", response_model=OpportunityOut)
def opportunity_verify(
    opportunity_id: Annotated[int, Path(ge=1, le=2**31 - 1)], db: Db, caller: Caller
) -> OpportunityOut:
    """Verify an implemented measure against the enterprise's energy baseline (its meters
    in the lake)."""
    return OpportunityOut.model_validate(
        diagnosis_service.verify(db, caller, opportunity_id, default_lake())
    )
