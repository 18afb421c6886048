"""The national carbon market's process sheets over HTTP (tag `market`): an enterprise's fuels
into and out of each process and its products, per year (`services.market_processes`), for the
process level of its accounts (steel guideline CETS—AG—03.01—V01—2024 §7)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, read_upload
from carbonpeak.services import market_processes

router = APIRouter(tags=["market"])
Year = Annotated[int, Query(ge=2024, le=2100)]


class ProcessSheetStoredOut(BaseModel):
    """A stored process sheet: its year, file and rows, and the process level it gives (per
    period and process: co2_t, output_t of its product, intensity_t_per_t)."""

    enterprise_id: str
    year: int
    file: str
    rows: int
    processes: list[dict[str, Any]]


class ProcessSheetOut(BaseModel):
    """The enterprise's stored process sheet of a year: its rows as uploaded (`line`: the row
    in the file) and who uploaded it when (`stored`; none when no sheet is stored)."""

    enterprise_id: str
    year: int
    stored: dict[str, Any] | None = None
    rows: list[dict[str, Any]]


@router.post(
    "/market/processes/{enterprise_id}", response_model=ProcessSheetStoredOut, status_code=201
)
async def processes_import(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    file: Annotated[
        UploadFile, File(description="The process sheet (CSV, or sheet 工序 of a workbook)")
    ],
) -> ProcessSheetStoredOut:
    """Check the enterprise's process sheet of a year against its stored reports by the
    guideline and store it, replacing the year's sheet before it; every problem placed."""
    name, content = await read_upload(file)
    stored = await run_in_threadpool(
        market_processes.upload_processes, db, caller, enterprise_id, name, content
    )
    return ProcessSheetStoredOut.model_validate(stored)


@router.get("/market/processes/{enterprise_id}", response_model=ProcessSheetOut)
def processes(enterprise_id: str, db: Db, caller: Caller, year: Year) -> ProcessSheetOut:
    """The enterprise's stored process sheet of a year."""
    return ProcessSheetOut.model_validate(
        market_processes.process_sheet(db, caller, enterprise_id, year)
    )
