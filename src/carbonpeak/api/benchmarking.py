"""Benchmarking: an enterprise's efficiency grades against the national levels."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from carbonpeak.api.deps import Caller, Db, PeriodQuery, WarningOut
from carbonpeak.services import accounting as accounting_service

router = APIRouter(tags=["benchmarking"])


class GradeOut(BaseModel):
    """The grade of one product of an enterprise in a period, as stored when the report was
    accounted (a value the method could not give is null)."""

    enterprise_id: str
    period: str
    area: str
    product: str | None = None
    unit: str | None = None
    product_amount: float | None = None
    energy_tce: float | None = None
    electricity_kwh: float | None = None
    co2_t: float | None = None
    indicator_value: float | None = None
    unit_energy_kgce_per_t: float | None = None
    grade_1: float | None = None
    grade_2: float | None = None
    grade_3: float | None = None
    benchmark: float | None = None
    baseline: float | None = None
    grade: str | None = None
    limit_grade: str | None = None
    limit_standard: str | None = None
    level_status: str | None = None
    distance_to_benchmark: float | None = None
    distance_to_benchmark_pct: float | None = None
    distance_to_baseline: float | None = None
    saving_potential_tce: float | None = None
    saving_potential_co2_t: float | None = None
    peers: int | None = None
    percentile: float | None = None
    warnings: list[WarningOut | str] = []
    version: int
    state: str
    code_version: str
    reference_digest: str


class GradesOut(BaseModel):
    results: list[GradeOut]


@router.get(
    "/enterprises/{enterprise_id}/grades",
    response_model=GradesOut,
    response_model_exclude_unset=True,
)
def grades(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    period: PeriodQuery = None,
) -> GradesOut:
    """Efficiency grades of the enterprise's products against the national levels."""
    results = accounting_service.grades_of(db, caller, enterprise_id, period)
    return GradesOut.model_validate({"results": results})
