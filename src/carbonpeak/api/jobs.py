"""Background jobs: a large activity file submitted in the background, and a job's state."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Request, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, read_upload
from carbonpeak.services import accounting as accounting_service
from carbonpeak.services import accounting_review
from carbonpeak.services import jobs as job_service

router = APIRouter(tags=["jobs"])


class JobQueuedOut(BaseModel):
    job_id: int
    state: str
    status: str = Field(description="Where to poll the job")


class JobOut(BaseModel):
    job_id: int
    kind: str
    state: str
    created_at: str
    finished_at: str | None
    outcome: dict[str, Any] | None = Field(
        description="The work's result when done (`submissions`), `problems` or `error` when failed"
    )


@router.post("/jobs/submissions", response_model=JobQueuedOut, status_code=202)
async def upload_in_background(
    request: Request,
    caller: Caller,
    file: Annotated[
        UploadFile, File(description="Activity table: CSV, or .xlsx with sheet activity")
    ],
) -> JobQueuedOut:
    """Submit a large activity file in the background: 202 with a job to poll."""
    accounting_review.check_submitter(caller)
    name, content = await read_upload(file)

    def work(session: Session) -> dict[str, Any]:
        return {"submissions": accounting_service.submit_file(session, caller, name, content)}

    runner: job_service.Runner = request.app.state.runner
    job_id = await run_in_threadpool(runner.start, caller, "submission", work)  # its row
    return JobQueuedOut(job_id=job_id, state="queued", status=f"/api/v1/jobs/{job_id}")


@router.get("/jobs/{job_id}", response_model=JobOut)
def job(job_id: Annotated[int, Path(ge=1, le=2**31 - 1)], db: Db, caller: Caller) -> JobOut:
    """State and outcome of a background job (its owner's, or any for admins)."""
    return JobOut.model_validate(job_service.get(db, caller, job_id))
