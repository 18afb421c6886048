"""Pathways: scenario projections, observed peaks and LMDI decompositions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, read_upload
from carbonpeak.services import pathways as pathway_service

router = APIRouter(tags=["pathways"])


class ScenarioIn(BaseModel):
    scenario: str | dict[str, Any] = Field(
        description="The scenario file: its YAML or JSON text, or the mapping itself"
    )
    draws: int | None = Field(default=None, ge=1, le=20_000)
    compare: list[str] | None = Field(
        default=None, min_length=2, max_length=2, description="[BASE, OTHER]: their LMDI"
    )
    year: int | None = Field(default=None, ge=1900, le=2200)


@router.post("/pathways/run")
async def pathways_run(body: ScenarioIn, caller: Caller) -> dict[str, Any]:
    """Project a scenario file: peaks of every sector, region and total, the Monte Carlo
    spread where parameters are uncertain, and optionally why two scenarios differ."""
    against = (body.compare[0], body.compare[1]) if body.compare else None
    return await run_in_threadpool(
        pathway_service.run_scenarios, body.scenario, body.draws, against, body.year
    )


@router.get("/pathways/history")
def pathways_history(
    caller: Caller,
    sector: Annotated[str, Query(max_length=40)] = "industry",
    region: Annotated[list[str] | None, Query(max_length=40)] = None,
    series: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    """Observed peaks: CEADs provinces (1997-2019) by key sector, or a national series."""
    return pathway_service.history(sector, region, series)


@router.post("/pathways/lmdi")
async def pathways_lmdi(
    caller: Caller,
    file: Annotated[
        UploadFile, File(description="sector, period (two values), one column per factor")
    ],
    factors: Annotated[str, Query(max_length=400, description="e.g. Q,S,I,F")],
    method: Annotated[Literal["lmdi1", "lmdi2"], Query()] = "lmdi1",
    group: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """LMDI decomposition of an uploaded table (as `carbonpeak pathways lmdi`)."""
    name, content = await read_upload(file)
    names = [f.strip() for f in factors.split(",") if f.strip()]
    return await run_in_threadpool(pathway_service.lmdi, name, content, names, method, group)
