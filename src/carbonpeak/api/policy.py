"""Policy: applications to the policy instruments and their decisions, and the tracking of
regional energy-use caps; every verdict comes from the registry `policy.INSTRUMENTS` (through
the services)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, read_upload
from carbonpeak.services import applications as application_service
from carbonpeak.services import policy as policy_service

router = APIRouter(tags=["policy"])


class ApplicationIn(BaseModel):
    kind: Literal["swap", "project", "datacentre", "factory"]
    enterprise_id: str = Field(min_length=18, max_length=18)
    body: dict[str, Any]


class DecisionIn(BaseModel):
    decision: Literal["approve", "refuse"]
    comment: str | None = Field(default=None, max_length=2000)


@router.post("/applications", status_code=201)
def submit_application(body: ApplicationIn, db: Db, caller: Caller) -> dict[str, Any]:
    """Submit an application to a policy engine (capacity replacement, two-high project,
    data centre, green factory); the engine's verdict is stored with it."""
    return application_service.submit_application(
        db, caller, body.kind, body.enterprise_id, body.body
    )


@router.get("/applications")
def applications(
    db: Db,
    caller: Caller,
    state: Annotated[Literal["submitted", "approved", "refused"] | None, Query()] = None,
) -> dict[str, Any]:
    """The applications of the enterprises the caller can see, newest first."""
    return {"items": application_service.list_applications(db, caller, state)}


@router.post("/applications/{application_id}/decision")
def decide_application(
    application_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: DecisionIn,
    db: Db,
    caller: Caller,
) -> dict[str, Any]:
    """A regulator of the enterprise's region approves or refuses (approving a
    non-compliant verdict needs a comment)."""
    return application_service.decide(db, caller, application_id, body.decision, body.comment)


@router.post("/caps/track")
async def caps_track(
    caller: Caller,
    file: Annotated[
        UploadFile,
        File(description="region_code, year, value_added_10k_yuan, energy_tce or co2_t, cap_tce"),
    ],
    target: Annotated[str, Query(max_length=64)] = "industry_energy_2025",
) -> dict[str, Any]:
    """Each region's intensity against the path to a target of `intensity_targets`."""
    name, content = await read_upload(file)
    return await run_in_threadpool(policy_service.track_caps, name, content, target)
