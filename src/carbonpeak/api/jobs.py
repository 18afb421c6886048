"""Background jobs: a large activity file submitted in the background, and a job's state."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Request, UploadFile
from sqlalchemy.orm import Session

from carbonpeak.api.deps import Caller, Db, read_upload
from carbonpeak.services import accounting as accounting_service
from carbonpeak.services import jobs as job_service

router = APIRouter(tags=["jobs"])


@router.post("/jobs/submissions", status_code=202)
async def upload_in_background(
    request: Request,
    caller: Caller,
    file: Annotated[
        UploadFile, File(description="Activity table: CSV, or .xlsx with sheet activity")
    ],
) -> dict[str, Any]:
    """Submit a large activity file in the background: 202 with a job to poll."""
    accounting_service.check_submitter(caller)
    name, content = await read_upload(file)

    def work(session: Session) -> dict[str, Any]:
        return {"submissions": accounting_service.submit_file(session, caller, name, content)}

    runner: job_service.Runner = request.app.state.runner
    job_id = runner.start(caller, "submission", work)
    return {"job_id": job_id, "state": "queued", "status": f"/api/v1/jobs/{job_id}"}


@router.get("/jobs/{job_id}")
def job(job_id: Annotated[int, Path(ge=1, le=2**31 - 1)], db: Db, caller: Caller) -> dict[str, Any]:
    """State and outcome of a background job (its owner's, or any for admins)."""
    return job_service.get(db, caller, job_id)
