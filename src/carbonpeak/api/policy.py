"""Policy: applications to the policy instruments and their decisions, and the tracking of
regional energy-use caps; every verdict comes from the registry `policy.INSTRUMENTS` (through
the services)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, WarningOut, read_upload
from carbonpeak.services import policy as application_service
from carbonpeak.services import policy as policy_service

router = APIRouter(tags=["policy"])


class ApplicationIn(BaseModel):
    kind: Literal["swap", "project", "datacentre", "factory"]
    enterprise_id: str = Field(min_length=18, max_length=18)
    body: dict[str, Any]
    resubmits: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="the returned application this corrects"
    )


class DecisionIn(BaseModel):
    decision: Literal["take", "return", "approve", "refuse"]
    comment: str | None = Field(default=None, max_length=2000)


class CheckOut(BaseModel):
    """One rule checked, with what was compared and its source."""

    rule: str
    passed: bool
    detail: str
    source: str
    status: str | None = None


class VerdictOut(BaseModel):
    """A policy verdict in its stored form: `compliant`, `checks` and `warnings`, beside the
    instrument's own detail (ratios, PUE, score, vetoes...), whose keys depend on the
    instrument. Verdicts stored before the typed verdict may lack `compliant` and `checks`
    and hold bare-string warnings."""

    model_config = ConfigDict(extra="allow")

    compliant: bool | None = None
    checks: list[CheckOut] = []
    warnings: list[WarningOut | str] = []


class ApplicationOut(BaseModel):
    application_id: int
    kind: str
    enterprise_id: str
    state: str
    compliant: bool
    verdict: VerdictOut
    submitted_at: str | None
    decided_at: str | None
    comment: str | None
    resubmits: int | None = None


class ApplicationsOut(BaseModel):
    items: list[ApplicationOut]


class CapRowOut(BaseModel):
    """One region and year against the path (or, for a region without a row of the base
    year, its `error`)."""

    region_code: str
    year: int | None = None
    intensity: float | None = None
    change_from_base: float | None = None
    path_intensity: float | None = None
    on_track: bool | None = None
    allowed: float | None = None
    used: float | None = None
    remaining: float | None = None
    cap_tce: float | None = None
    within_cap: bool | None = None
    error: str | None = None


class CapsOut(BaseModel):
    """The verdict of the energy-use control: every region and year on the target's path."""

    compliant: bool | None
    checks: list[CheckOut]
    warnings: list[WarningOut]
    target: str
    indicator: str
    base_year: int
    target_year: int
    change: float
    source: str
    rows: list[CapRowOut]


@router.post(
    "/applications",
    response_model=ApplicationOut,
    response_model_exclude_unset=True,
    status_code=201,
)
def submit_application(body: ApplicationIn, db: Db, caller: Caller) -> ApplicationOut:
    """Submit an application to a policy engine (capacity replacement, two-high project,
    data centre, green factory); the engine's verdict is stored with it."""
    made = application_service.submit_application(
        db, caller, body.kind, body.enterprise_id, body.body, resubmits=body.resubmits
    )
    return ApplicationOut.model_validate(made)


@router.get("/applications", response_model=ApplicationsOut, response_model_exclude_unset=True)
def applications(
    db: Db,
    caller: Caller,
    state: Annotated[
        Literal["submitted", "under_review", "returned", "resubmitted", "approved", "refused"]
        | None,
        Query(),
    ] = None,
) -> ApplicationsOut:
    """The applications of the enterprises the caller can see, newest first."""
    items = application_service.list_applications(db, caller, state)
    return ApplicationsOut.model_validate({"items": items})


@router.post(
    "/applications/{application_id}/decision",
    response_model=ApplicationOut,
    response_model_exclude_unset=True,
)
def decide_application(
    application_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: DecisionIn,
    db: Db,
    caller: Caller,
) -> ApplicationOut:
    """A regulator of the enterprise's region takes the application under review, returns it
    to the applicant with a comment saying what to fix, approves or refuses it (approving a
    non-compliant verdict needs a comment). A step its state does not allow: 409."""
    decided = application_service.decide(db, caller, application_id, body.decision, body.comment)
    return ApplicationOut.model_validate(decided)


@router.post("/caps/track", response_model=CapsOut, response_model_exclude_unset=True)
async def caps_track(
    db: Db,
    caller: Caller,
    file: Annotated[
        UploadFile,
        File(description="region_code, year, value_added_10k_yuan, energy_tce or co2_t, cap_tce"),
    ],
    target: Annotated[str, Query(max_length=64)] = "industry_energy_2025",
) -> CapsOut:
    """Each region's intensity against the path to a target of `intensity_targets` (the
    instrument `caps` of `policy.INSTRUMENTS`)."""
    name, content = await read_upload(file)
    verdict = await run_in_threadpool(policy_service.track_caps, db, name, content, target)
    return CapsOut.model_validate(verdict)
