"""Benchmarking: an enterprise's efficiency grades against the national levels."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from carbonpeak.api.deps import Caller, Db, PeriodQuery, WarningOut
from carbonpeak.services import benchmarking as benchmarking_service

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
    technologies: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description="The directory's candidate entries (key, names, status, illustrative) for "
        "each area graded below the benchmark level",
    )


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
    return GradesOut.model_validate(
        benchmarking_service.enterprise_grades(db, caller, enterprise_id, period)
    )


class CarbonEfficiencyOut(BaseModel):
    """The carbon-efficiency grade (碳效码) of an enterprise for a year: L = net CO2 / value
    added (t per 10^4 yuan), its band, K = L / its industry division's L, and the grade 1-5
    (null without value added)."""

    enterprise_id: str
    industry_code: str
    year: int
    co2_t: float
    deducted_co2_t: float
    value_added_10k_yuan: float | None = None
    l_t_per_10k_yuan: float | None = None
    band: str | None = None
    industry_l_t_per_10k_yuan: float | None = None
    industry_enterprises: int | None = None
    k: float | None = None
    grade: int | None = None
    warnings: list[WarningOut] = []


class IndustryEfficiencyOut(BaseModel):
    industry_code: str
    year: int
    enterprises: int
    co2_t: float | None = None
    value_added_10k_yuan: float | None = None
    l_t_per_10k_yuan: float | None = None


class CarbonEfficienciesOut(BaseModel):
    year: int
    mean: str
    results: list[CarbonEfficiencyOut]
    industries: list[IndustryEfficiencyOut]
    warnings: list[WarningOut] = []
    references: list[dict[str, Any]] = []


@router.get("/benchmarking/carbon-efficiency", response_model=CarbonEfficienciesOut)
def carbon_efficiency(
    db: Db, caller: Caller, year: Annotated[int, Query(ge=1990, le=2100)]
) -> CarbonEfficienciesOut:
    """Carbon-efficiency grades of the caller's enterprises for a year (the Zhejiang method,
    DB33/T 1347-2023 as read in a secondary copy: unverified), from official accounts that
    carry a value added; industry means over the platform's enterprises of each division."""
    return CarbonEfficienciesOut.model_validate(
        benchmarking_service.carbon_efficiency(db, caller, year)
    )
