"""Pathways: scenario projections, observed peaks and LMDI decompositions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, WarningOut, read_upload
from carbonpeak.domain.schema import NotBool
from carbonpeak.services import pathways as pathway_service

router = APIRouter(tags=["pathways"])


class ScenarioIn(BaseModel):
    scenario: str | dict[str, Any] = Field(
        description="The scenario file: its YAML or JSON text, or the mapping itself"
    )
    draws: Annotated[int, Field(ge=1, le=20_000), NotBool] | None = None
    compare: list[str] | None = Field(
        default=None, min_length=2, max_length=2, description="[BASE, OTHER]: their LMDI"
    )
    year: Annotated[int, Field(ge=1900, le=2200), NotBool] | None = None


class PointOut(BaseModel):
    scenario: str
    year: int


class LmdiOut(BaseModel):
    """An LMDI decomposition: the change from `base` to `end` split among the factors."""

    method: str
    base: str | PointOut
    end: str | PointOut
    additive: dict[str, float] = Field(description="Each factor's share of the change")
    multiplicative: dict[str, float | None] = Field(description="Each factor's ratio")
    total_change: float
    ratio: float | None
    groups: dict[str, LmdiOut] | None = Field(
        default=None, description="With `group`: the decomposition within each group"
    )


class PathwaysRunOut(BaseModel):
    model: str
    region: str
    base_year: int
    horizon: int
    seed: int | None
    end: int
    draws: int
    warnings: list[WarningOut]
    scenarios: dict[str, dict[str, Any]] = Field(
        description="Each scenario's projection: the peak and path of its sectors, regions "
        "and total, with the Monte Carlo spread where parameters are uncertain"
    )
    comparison: LmdiOut | None = Field(
        default=None, description="With `compare`: why the two scenarios differ in `year`"
    )
    changes: dict[str, LmdiOut] | None = Field(
        default=None, description="Each scenario's change from the base year to `year`"
    )


class PeakOut(BaseModel):
    peak_year: int
    peak_value: float
    already_peaked: bool
    not_yet_peaked: bool
    plateau_years: list[int]
    values: dict[str, float]


class RegionPeakOut(PeakOut):
    region_code: str
    name: str


class RegionsPeakOut(PeakOut):
    regions: int


class HistoryOut(BaseModel):
    """Observed peaks: the provinces of a sector (`sector`, `regions`, `sum`), or one
    national series (`series` and its peak)."""

    unit: str
    sector: str | None = None
    source: str | None = None
    regions: list[RegionPeakOut] | None = None
    sum: RegionsPeakOut | None = None
    series: str | None = None
    peak_year: int | None = None
    peak_value: float | None = None
    already_peaked: bool | None = None
    not_yet_peaked: bool | None = None
    plateau_years: list[int] | None = None
    values: dict[str, float] | None = None
    estimates: list[int] | None = None
    unverified_years: list[int] | None = None


@router.post("/pathways/run", response_model=PathwaysRunOut, response_model_exclude_unset=True)
async def pathways_run(body: ScenarioIn, caller: Caller) -> PathwaysRunOut:
    """Project a scenario file: peaks of every sector, region and total, the Monte Carlo
    spread where parameters are uncertain, and optionally why two scenarios differ."""
    against = (body.compare[0], body.compare[1]) if body.compare else None
    result = await run_in_threadpool(
        pathway_service.run_scenarios, body.scenario, body.draws, against, body.year
    )
    return PathwaysRunOut.model_validate(result)


@router.get("/pathways/history", response_model=HistoryOut, response_model_exclude_unset=True)
def pathways_history(
    db: Db,
    caller: Caller,
    sector: Annotated[str, Query(max_length=40)] = "industry",
    region: Annotated[list[str] | None, Query(max_length=40)] = None,
    series: Annotated[str | None, Query(max_length=40)] = None,
) -> HistoryOut:
    """Observed peaks: CEADs provinces (1997-2019) by key sector, or a national series."""
    return HistoryOut.model_validate(pathway_service.history(db, sector, region, series))


@router.post("/pathways/lmdi", response_model=LmdiOut, response_model_exclude_unset=True)
async def pathways_lmdi(
    caller: Caller,
    file: Annotated[
        UploadFile, File(description="sector, period (two values), one column per factor")
    ],
    factors: Annotated[str, Query(max_length=400, description="e.g. Q,S,I,F")],
    method: Annotated[Literal["lmdi1", "lmdi2"], Query()] = "lmdi1",
    group: Annotated[str | None, Query(max_length=100)] = None,
) -> LmdiOut:
    """LMDI decomposition of an uploaded table (as `carbonpeak pathways lmdi`)."""
    name, content = await read_upload(file)
    names = [f.strip() for f in factors.split(",") if f.strip()]
    result = await run_in_threadpool(pathway_service.lmdi, name, content, names, method, group)
    return LmdiOut.model_validate(result)
