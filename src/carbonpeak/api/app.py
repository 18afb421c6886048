"""The REST API of the platform.

(No `from __future__ import annotations` here: FastAPI reads the handlers' annotations, which
name dependencies defined inside `create_app`.)

Every request runs in one database transaction (committed on success, rolled back on any
error); errors are JSON with a status that says whose fault it is: 401 no credential, 403 not
allowed, 404 absent or not yours (never told apart), 422 bad input with every problem placed.
No handler lets an exception become a 500 without a JSON body saying so.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, FastAPI, File, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from carbonpeak import __version__, web
from carbonpeak.errors import (
    AuthenticationError,
    CarbonpeakError,
    InputError,
    NotFoundError,
    PermissionDenied,
    Place,
    Problem,
)
from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.reference.loader import ReferenceLookupError, default_reference
from carbonpeak.services import accounting as submission_service
from carbonpeak.services import credits as credit_service
from carbonpeak.services import diagnosis as opportunity_service
from carbonpeak.services import enterprises as enterprise_service
from carbonpeak.services import jobs, tokens
from carbonpeak.services import pathways as pathway_service
from carbonpeak.services import policy as application_service
from carbonpeak.services import policy as policy_service
from carbonpeak.services.access import Actor
from carbonpeak.services.users import add_user, authenticate, user_state
from carbonpeak.store.db import make_engine, session_factory, transaction
from carbonpeak.store.models import AuditHead, User

TOKEN_RECHECK = 10.0  # seconds


class ProblemOut(BaseModel):
    """One problem of a request, with its place."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    message: str


class ProblemsOut(BaseModel):
    detail: list[ProblemOut]


class ErrorOut(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad request"},
    401: {"model": ErrorOut, "description": "No valid credential"},
    403: {"model": ErrorOut, "description": "Not allowed"},
    404: {"model": ErrorOut, "description": "Absent, or not the caller's"},
    422: {"model": ProblemsOut, "description": "Bad input: every problem with its place"},
    503: {"model": ErrorOut, "description": "The store is unavailable"},
}


class EnterpriseIn(BaseModel):
    enterprise_id: str = Field(examples=["91310000631696382C"])
    name: str
    region_code: str = Field(examples=["310000"])
    industry_code: str = Field(examples=["3120"])


class EnterpriseOut(EnterpriseIn):
    pass


class EnterprisePage(BaseModel):
    total: int
    items: list[EnterpriseOut]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)


class ApiKeyOut(BaseModel):
    api_key: str
    name: str


class RowsIn(BaseModel):
    rows: list[dict[str, Any]] = Field(min_length=1)


class CreditEntryIn(BaseModel):
    day: date
    kind: Literal["earn", "deficit", "transfer", "trade", "offset", "deposit", "withdraw"]
    credit: Literal["cafc", "nev"]
    vintage: int = Field(ge=2016, le=2100)
    amount: float = Field(gt=0)
    entity: str = Field(min_length=18, max_length=18)
    counterparty: str | None = Field(default=None, min_length=18, max_length=18)
    settles: int | None = Field(default=None, ge=2016, le=2100)
    settles_credit: Literal["cafc", "nev"] | None = None
    price: float | None = Field(default=None, ge=0)
    carryable: bool = True


class ApplicationIn(BaseModel):
    kind: Literal["swap", "project", "datacentre", "factory"]
    enterprise_id: str = Field(min_length=18, max_length=18)
    body: dict[str, Any]


class DiagnosisIn(BaseModel):
    plant: dict[str, Any] = Field(description="The plant file as `carbonpeak diagnose` takes it")
    to_register: bool = Field(default=False, description="Store the measures as proposed")


class OpportunityStateIn(BaseModel):
    state: Literal["accepted", "implemented", "rejected"]
    implemented_on: date | None = None


class DecisionIn(BaseModel):
    decision: Literal["approve", "refuse"]
    comment: str | None = Field(default=None, max_length=2000)


class ScenarioIn(BaseModel):
    scenario: str | dict[str, Any] = Field(
        description="The scenario file: its YAML or JSON text, or the mapping itself"
    )
    draws: int | None = Field(default=None, ge=1, le=20_000)
    compare: list[str] | None = Field(
        default=None, min_length=2, max_length=2, description="[BASE, OTHER]: their LMDI"
    )
    year: int | None = Field(default=None, ge=1900, le=2200)


class UserIn(BaseModel):
    username: str
    role: str
    password: str
    regions: list[str] = []
    enterprises: list[str] = []


def _problems(error: InputError) -> list[dict[str, Any]]:
    return [p.as_dict() for p in error.problems]


def _nul_places(value: Any, path: str) -> Iterator[str]:
    """Where in a parsed request value a NUL character sits (the store cannot keep one)."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                yield f"{path}.{key!r}"
            else:
                yield from _nul_places(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_places(item, f"{path}.{index}")


async def refuse_nul(request: Request) -> None:
    """Refuse, naming the field, any query, path, JSON or form value with a NUL character:
    PostgreSQL cannot store one, and a text never needs one. (Uploaded tables are checked
    cell by cell when they are read.)"""
    places = [
        *(
            p
            for key, value in request.query_params.multi_items()
            for p in _nul_places({key: value}, "query")
        ),
        *_nul_places(dict(request.path_params), "path"),
    ]
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        with contextlib.suppress(ValueError):  # FastAPI reports a malformed body itself
            places += _nul_places(json.loads(await request.body()), "body")
    elif kind.startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        places += (
            p for key, value in form.multi_items() for p in _nul_places({key: value}, "body")
        )
    if places:
        raise InputError(
            [Problem(Place(field=place), "contains a NUL character") for place in places]
        )


def create_app(engine: Engine | None = None) -> FastAPI:
    """The application, on `engine` (default: the configured store)."""
    engine = engine or make_engine()
    sessions = session_factory(engine)
    jobs.recover(engine)
    runner = jobs.Runner(engine)
    app = FastAPI(
        title="carbonpeak",
        version=__version__,
        description="Public service platform for industrial carbon peaking: energy and GHG "
        "accounts, efficiency grades and roll-ups.",
        dependencies=[Depends(refuse_nul)],
    )

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": _problems(exc)}, status_code=422)

    @app.exception_handler(NotFoundError)
    async def _missing(_: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(PermissionDenied)
    async def _denied(_: Request, exc: PermissionDenied) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=403)

    @app.exception_handler(AuthenticationError)
    async def _unauthenticated(_: Request, exc: AuthenticationError) -> JSONResponse:
        return JSONResponse(
            {"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )

    @app.exception_handler(CarbonpeakError)
    async def _bad(_: Request, exc: CarbonpeakError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(DataError)
    async def _refused(_: Request, exc: DataError) -> JSONResponse:
        # the last guard: a value the database cannot store is the caller's input
        return JSONResponse(
            {"detail": [{"message": f"a value cannot be stored: {exc.orig}"}]}, status_code=422
        )

    @app.exception_handler(OperationalError)
    async def _store_down(_: Request, exc: OperationalError) -> JSONResponse:
        return JSONResponse(
            {"detail": "the store is unavailable; try again later"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg"))}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    def session() -> Iterator[Session]:
        with sessions() as db, db.begin():
            yield db

    bearer = HTTPBearer(auto_error=False)
    checked: dict[str, tuple[Actor, float]] = {}

    async def actor(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Actor:
        if credentials is None:
            raise AuthenticationError("a bearer token is required")
        # A token checked in the last few seconds is not checked again: a revoked or expired
        # token stops working within TOKEN_RECHECK seconds. The check itself runs in a worker
        # thread; a cached answer costs no thread at all.
        token = credentials.credentials
        now = time.monotonic()
        cached = checked.get(token)
        if cached is not None and now - cached[1] < TOKEN_RECHECK:
            return cached[0]

        def check() -> Actor:
            with sessions() as db:
                return tokens.actor_for(db, token)

        caller = await run_in_threadpool(check)
        if len(checked) >= 10_000:
            checked.clear()
        checked[token] = (caller, now)
        return caller

    # "function": commit before the response is sent. By default FastAPI ends a dependency
    # after the response, so a client could be told 201 before the commit (and a failing
    # commit after it); another worker could then miss the data it was told is stored.
    Db = Annotated[Session, Depends(session, scope="function")]
    Caller = Annotated[Actor, Depends(actor)]
    v1 = APIRouter(prefix="/api/v1", responses=ERRORS)
    rollup_cache: dict[tuple[Any, ...], bytes] = {}
    rollup_locks: dict[tuple[Any, ...], asyncio.Lock] = {}

    @v1.post("/auth/token", response_model=TokenOut, tags=["auth"])
    def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], db: Db) -> TokenOut:
        """Exchange a username and password for a bearer token (OAuth2 password flow)."""
        user = authenticate(db, form.username, form.password)
        if user is None:
            raise AuthenticationError("wrong username or password")
        token = tokens.issue(db, user)
        return TokenOut(access_token=token, expires_in=int(tokens.LOGIN_LIFETIME.total_seconds()))

    @v1.post("/auth/logout", tags=["auth"])
    def logout(
        db: Db,
        caller: Caller,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> dict[str, Any]:
        """Revoke the token (or API key) of this request."""
        assert credentials is not None  # `caller` required it
        tokens.revoke(db, credentials.credentials)
        checked.pop(credentials.credentials, None)
        return {"revoked": True, "username": caller.username}

    @v1.post("/auth/api-keys", response_model=ApiKeyOut, status_code=201, tags=["auth"])
    def api_key(body: ApiKeyIn, db: Db, caller: Caller) -> ApiKeyOut:
        """A key for machine clients; shown once, stored only as its hash."""
        user = db.get(User, caller.user_id)
        assert user is not None
        return ApiKeyOut(api_key=tokens.issue(db, user, "api_key", body.name), name=body.name)

    @v1.get("/enterprises", response_model=EnterprisePage, tags=["enterprises"])
    def enterprises(
        db: Db,
        caller: Caller,
        region_code: Annotated[str | None, Query(pattern=r"^\d{2,6}$")] = None,
        industry_code: Annotated[str | None, Query(pattern=r"^[A-Z0-9]{1,4}$")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    ) -> EnterprisePage:
        """Enterprises the caller may see, filtered and paginated."""
        total, page = enterprise_service.list_enterprises(
            db, caller, region_code, industry_code, limit, offset
        )
        return EnterprisePage(
            total=total,
            items=[EnterpriseOut(**enterprise_service.enterprise_state(e)) for e in page],
        )

    @v1.post("/enterprises", response_model=EnterpriseOut, status_code=201, tags=["enterprises"])
    def create_enterprise(body: EnterpriseIn, db: Db, caller: Caller) -> EnterpriseOut:
        """Register an enterprise (an admin, or a regulator of its region)."""
        row = enterprise_service.create_enterprise(db, caller, body.model_dump())
        return EnterpriseOut(**enterprise_service.enterprise_state(row))

    @v1.get("/enterprises/{enterprise_id}", response_model=EnterpriseOut, tags=["enterprises"])
    def enterprise(enterprise_id: str, db: Db, caller: Caller) -> EnterpriseOut:
        row = enterprise_service.get_enterprise(db, caller, enterprise_id)
        return EnterpriseOut(**enterprise_service.enterprise_state(row))

    @v1.get("/enterprises/{enterprise_id}/accounts", tags=["accounts"])
    def accounts(
        enterprise_id: str,
        db: Db,
        caller: Caller,
        period: Annotated[str | None, Query(pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$")] = None,
    ) -> dict[str, Any]:
        """Energy and emissions of the latest version of each period, with provenance."""
        return {"results": submission_service.accounts_of(db, caller, enterprise_id, period)}

    class UnitIn(BaseModel):
        unit_id: str
        process: str
        product: str
        capacity: float
        capacity_unit: str

    class SiteIn(BaseModel):
        site_id: str
        name: str
        region_code: str
        units: list[UnitIn] = []

    @v1.get("/enterprises/{enterprise_id}/sites", tags=["enterprises"])
    def sites(enterprise_id: str, db: Db, caller: Caller) -> dict[str, Any]:
        """Sites of an enterprise with their production units."""
        return {"items": enterprise_service.sites_of(db, caller, enterprise_id)}

    @v1.post("/enterprises/{enterprise_id}/sites", status_code=201, tags=["enterprises"])
    def add_site(enterprise_id: str, body: SiteIn, db: Db, caller: Caller) -> dict[str, Any]:
        """Register a site and its production units."""
        return enterprise_service.add_site(db, caller, enterprise_id, body.model_dump())

    @v1.get("/enterprises/{enterprise_id}/grades", tags=["accounts"])
    def grades(
        enterprise_id: str,
        db: Db,
        caller: Caller,
        period: Annotated[str | None, Query(pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$")] = None,
    ) -> dict[str, Any]:
        """Efficiency grades of the enterprise's products against the national levels."""
        return {"results": submission_service.grades_of(db, caller, enterprise_id, period)}

    @v1.post("/submissions", status_code=201, tags=["submissions"])
    async def upload(
        db: Db,
        caller: Caller,
        file: Annotated[
            UploadFile, File(description="Activity table: CSV, or .xlsx with sheet activity")
        ],
        draft: Annotated[bool, Query(description="Keep as a draft, not yet submitted")] = False,
    ) -> dict[str, Any]:
        """Submit an activity file: all or nothing, every problem in one 422 response."""
        submission_service.check_submitter(caller)
        name, content = await _read_upload(file)
        # the work is synchronous: keep it off the event loop
        made = await run_in_threadpool(
            submission_service.submit_file, db, caller, name, content, draft
        )
        return {"submissions": made}

    @v1.post("/jobs/submissions", status_code=202, tags=["jobs"])
    async def upload_in_background(
        db: Db,
        caller: Caller,
        file: Annotated[
            UploadFile, File(description="Activity table: CSV, or .xlsx with sheet activity")
        ],
    ) -> dict[str, Any]:
        """Submit a large activity file in the background: 202 with a job to poll."""
        submission_service.check_submitter(caller)
        name, content = await _read_upload(file)
        with transaction(engine) as own:  # committed before the runner looks for it
            job_id = jobs.create(own, caller, "submission")

        def work(session: Session) -> dict[str, Any]:
            return {"submissions": submission_service.submit_file(session, caller, name, content)}

        runner.submit(job_id, work)
        return {"job_id": job_id, "state": "queued", "status": f"/api/v1/jobs/{job_id}"}

    @v1.get("/jobs/{job_id}", tags=["jobs"])
    def job(
        job_id: Annotated[int, Path(ge=1, le=2**31 - 1)], db: Db, caller: Caller
    ) -> dict[str, Any]:
        """State and outcome of a background job (its owner's, or any for admins)."""
        return jobs.get(db, caller, job_id)

    @v1.post("/submissions/rows", status_code=201, tags=["submissions"])
    def submit_rows(
        body: RowsIn,
        db: Db,
        caller: Caller,
        draft: Annotated[bool, Query(description="Keep as a draft, not yet submitted")] = False,
    ) -> dict[str, Any]:
        """Submit activity rows as JSON (the columns of the activity table)."""
        frame = pd.DataFrame(body.rows).astype(object).where(pd.DataFrame(body.rows).notna(), "")
        frame = frame.astype(str)
        return {"submissions": submission_service.submit(db, caller, frame, None, draft=draft)}

    class ReviewIn(BaseModel):
        comment: str | None = Field(default=None, max_length=2000)

    @v1.get("/submissions", tags=["submissions"])
    def submissions(
        db: Db,
        caller: Caller,
        state: Annotated[
            str | None, Query(pattern="^(draft|submitted|returned|verified|approved)$")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    ) -> dict[str, Any]:
        """Submissions the caller may see, by state, paginated."""
        total, items = submission_service.list_submissions(db, caller, state, limit, offset)
        return {"total": total, "items": items}

    @v1.post("/submissions/{submission_id}/{action}", tags=["submissions"])
    def review(
        submission_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
        action: Annotated[str, Path(pattern="^(submit|return|verify|approve)$")],
        body: ReviewIn,
        db: Db,
        caller: Caller,
    ) -> dict[str, Any]:
        """Submit a draft (its enterprise), or return (with a comment), verify or approve a
        submission (regulators)."""
        return submission_service.review(db, caller, submission_id, action, body.comment)

    @v1.get("/rollups", tags=["accounts"])
    async def rollups(
        caller: Caller,
        by: Annotated[
            str, Query(pattern="^(region_code|province_code|industry_code|industry_division)$")
        ] = "region_code",
        year: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    ) -> Response:
        """Energy and emissions of the visible enterprises summed by region or industry."""
        # Results change only with the store: the response is cached per scope and audit-log
        # position. Reading that position is one indexed row, done on the event loop; only a
        # cache miss goes to a worker thread.
        with sessions() as db:
            version = db.execute(
                select(AuditHead.last_seq).where(AuditHead.head_id == 1)
            ).scalar_one()
        key = (caller.role, caller.regions, caller.enterprises, by, year, version)
        body = rollup_cache.get(key)
        if body is None:
            # one computation per key: concurrent misses wait for it instead of repeating it
            lock = rollup_locks.setdefault(key, asyncio.Lock())
            async with lock:
                body = rollup_cache.get(key)
                if body is None:

                    def compute() -> bytes:
                        with sessions() as db:
                            rows = submission_service.roll_up_visible(db, caller, by, year)
                        return json.dumps({"by": by, "rows": rows}, ensure_ascii=False).encode()

                    body = await run_in_threadpool(compute)
                    if len(rollup_cache) >= 256:
                        evicted = next(iter(rollup_cache))
                        rollup_cache.pop(evicted)
                        rollup_locks.pop(evicted, None)
                    rollup_cache[key] = body
        return Response(content=body, media_type="application/json")

    @v1.post("/applications", status_code=201, tags=["applications"])
    def submit_application(body: ApplicationIn, db: Db, caller: Caller) -> dict[str, Any]:
        """Submit an application to a policy engine (capacity replacement, two-high project,
        data centre, green factory); the engine's verdict is stored with it."""
        return application_service.submit_application(
            db, caller, body.kind, body.enterprise_id, body.body
        )

    @v1.get("/applications", tags=["applications"])
    def applications(
        db: Db,
        caller: Caller,
        state: Annotated[Literal["submitted", "approved", "refused"] | None, Query()] = None,
    ) -> dict[str, Any]:
        """The applications of the enterprises the caller can see, newest first."""
        return {"items": application_service.list_applications(db, caller, state)}

    @v1.post("/applications/{application_id}/decision", tags=["applications"])
    def decide_application(
        application_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
        body: DecisionIn,
        db: Db,
        caller: Caller,
    ) -> dict[str, Any]:
        """A regulator of the enterprise's region approves or refuses (approving a
        non-compliant verdict needs a comment)."""
        return application_service.decide(db, caller, application_id, body.decision, body.comment)

    @v1.post("/caps/track", tags=["policy"])
    async def caps_track(
        caller: Caller,
        file: Annotated[
            UploadFile,
            File(
                description="region_code, year, value_added_10k_yuan, energy_tce or co2_t, cap_tce"
            ),
        ],
        target: Annotated[str, Query(max_length=64)] = "industry_energy_2025",
    ) -> dict[str, Any]:
        """Each region's intensity against the path to a target of `intensity_targets`."""
        name, content = await _read_upload(file)
        return await run_in_threadpool(policy_service.track_caps, name, content, target)

    @v1.get("/credits/ledger", tags=["credits"])
    def credit_ledger(
        db: Db, caller: Caller, as_of: Annotated[date | None, Query()] = None
    ) -> dict[str, Any]:
        """Dual-credit balances by enterprise, type, vintage and origin, deficits left after
        their deadline, and the entries, of the enterprises the caller can see."""
        return credit_service.ledger_view(db, caller, as_of)

    @v1.post("/credits/entries", status_code=201, tags=["credits"])
    def credit_entry(body: CreditEntryIn, db: Db, caller: Caller) -> dict[str, Any]:
        """Append an entry to the credit ledger after checking it against the whole ledger;
        a refused entry is a 422 with the reason."""
        return credit_service.append_entry(db, caller, body.model_dump())

    @v1.post("/credits/compute", tags=["credits"])
    async def credit_compute(
        caller: Caller,
        file: Annotated[
            UploadFile, File(description="Fleet table: CSV, or .xlsx with sheet fleet")
        ],
        year: Annotated[int, Query(ge=2016, le=2100)],
    ) -> dict[str, Any]:
        """CAFC and NEV credits of each enterprise of a fleet in a year (nothing stored)."""
        name, content = await _read_upload(file)
        return await run_in_threadpool(credit_service.compute_file, name, content, year)

    @v1.post("/credits/plan", tags=["credits"])
    async def credit_plan(body: dict[str, Any], caller: Caller) -> dict[str, Any]:
        """The cheapest compliant path of one enterprise over several years (a linear
        programme on HiGHS); the plan as `carbonpeak credits plan` takes it."""
        return await run_in_threadpool(credit_service.plan, body)

    @v1.post("/diagnoses", tags=["diagnosis"])
    def diagnose_plant(body: DiagnosisIn, db: Db, caller: Caller) -> dict[str, Any]:
        """Energy-conservation diagnosis of a plant file: findings, measures with energy, CO2,
        cost saving and economics, the MAC curve; with `to_register`, the measures go into the
        enterprise's opportunity register as proposed."""
        if body.to_register:
            return opportunity_service.register_diagnosis(db, caller, body.plant)
        from carbonpeak.diagnosis.plant import diagnose, parse

        return diagnose(parse(body.plant), default_reference())

    @v1.get("/opportunities", tags=["diagnosis"])
    def opportunities(
        db: Db,
        caller: Caller,
        state: Annotated[
            Literal["proposed", "accepted", "implemented", "verified", "rejected"] | None, Query()
        ] = None,
    ) -> dict[str, Any]:
        """The opportunity register of the enterprises the caller can see, newest first."""
        return {"items": opportunity_service.list_opportunities(db, caller, state)}

    @v1.post("/opportunities/{opportunity_id}/state", tags=["diagnosis"])
    def opportunity_state(
        opportunity_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
        body: OpportunityStateIn,
        db: Db,
        caller: Caller,
    ) -> dict[str, Any]:
        """Accept, reject, or mark implemented (with its date) a measure of the register."""
        return opportunity_service.advance(
            db, caller, opportunity_id, body.state, body.implemented_on
        )

    @v1.post("/opportunities/{opportunity_id}/verify", tags=["diagnosis"])
    def opportunity_verify(
        opportunity_id: Annotated[int, Path(ge=1, le=2**31 - 1)], db: Db, caller: Caller
    ) -> dict[str, Any]:
        """Verify an implemented measure against the enterprise's energy baseline (its meters
        in the lake)."""
        from carbonpeak.io.lake import default_lake

        return opportunity_service.verify(db, caller, opportunity_id, default_lake())

    @v1.post("/pathways/run", tags=["pathways"])
    async def pathways_run(body: ScenarioIn, caller: Caller) -> dict[str, Any]:
        """Project a scenario file: peaks of every sector, region and total, the Monte Carlo
        spread where parameters are uncertain, and optionally why two scenarios differ."""
        against = (body.compare[0], body.compare[1]) if body.compare else None
        return await run_in_threadpool(
            pathway_service.run_scenarios, body.scenario, body.draws, against, body.year
        )

    @v1.get("/pathways/history", tags=["pathways"])
    def pathways_history(
        caller: Caller,
        sector: Annotated[str, Query(max_length=40)] = "industry",
        region: Annotated[list[str] | None, Query(max_length=40)] = None,
        series: Annotated[str | None, Query(max_length=40)] = None,
    ) -> dict[str, Any]:
        """Observed peaks: CEADs provinces (1997-2019) by key sector, or a national series."""
        return pathway_service.history(sector, region, series)

    @v1.post("/pathways/lmdi", tags=["pathways"])
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
        name, content = await _read_upload(file)
        names = [f.strip() for f in factors.split(",") if f.strip()]
        return await run_in_threadpool(pathway_service.lmdi, name, content, names, method, group)

    @v1.get("/reference/tables", tags=["reference"])
    def reference_tables(caller: Caller) -> dict[str, Any]:
        ref = default_reference()
        return {
            "tables": [
                {"table": n, "rows": sum(ref.counts(n).values()), **ref.counts(n)}
                for n in ref.table_names
            ]
        }

    @v1.get("/reference/tables/{table}", tags=["reference"])
    def reference_table(table: str, caller: Caller, as_of: date | None = None) -> dict[str, Any]:
        ref = default_reference()
        try:
            rows = ref.rows(table, as_of=as_of)
        except ReferenceLookupError as exc:
            raise NotFoundError(str(exc)) from None
        return {
            "table": table,
            "as_of": as_of,
            "rows": [{"line": r.line, **{k: _json(v) for k, v in r.values.items()}} for r in rows],
        }

    @v1.get("/users", tags=["users"])
    def users(
        db: Db,
        caller: Caller,
        role: Annotated[
            str | None, Query(pattern="^(admin|regulator|enterprise|automaker)$")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    ) -> dict[str, Any]:
        """Users, by role, paginated (admin only)."""
        _admin(caller)
        query = select(User)
        if role:
            query = query.where(User.role == role)
        total = db.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = db.execute(query.order_by(User.user_id).limit(limit).offset(offset)).scalars().all()
        return {
            "total": int(total),
            "items": [{"user_id": u.user_id, **user_state(u)} for u in rows],
        }

    @v1.post("/users", status_code=201, tags=["users"])
    def create_user(body: UserIn, db: Db, caller: Caller) -> dict[str, Any]:
        """Add a user (admin only)."""
        _admin(caller)
        user = add_user(
            db,
            body.username,
            body.role,
            body.password,
            body.regions,
            body.enterprises,
            actor=caller.username,
        )
        return {"user_id": user.user_id, **user_state(user)}

    app.include_router(v1)
    web.mount(app, sessions)
    return app


async def _read_upload(file: UploadFile) -> tuple[str, bytes]:
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    return uploaded_name(file.filename, len(content)), content


def _admin(caller: Actor) -> None:
    if caller.role != "admin":
        raise PermissionDenied("admins only")


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
