"""Green products and efficient motors over HTTP (tag `green`, issue 23): the registries'
entries the caller sees with each certificate's expiry (`GET /green/certificates`, one
enterprise's: `GET /green/enterprises/{enterprise_id}`), the regulator's counts and shares by
region or industry with the expiring certificates (`GET /green/summary`), the motors of the
registered diagnoses by GB 18613-2020 grade against the motor plan's target
(`GET /green/motors`), a table as CSV or XLSX (`GET /green/exports/{table}`), and a published
list imported as a draft edition of the reference library (`POST /green/lists`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, WarningOut, read_upload
from carbonpeak.domain.schema import Day
from carbonpeak.services import green

router = APIRouter(tags=["green"])
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": green.XLSX_MEDIA}
On = Annotated[Day | None, Query(description="The day certificates stand on (default: today)")]
Within = Annotated[
    int, Query(ge=0, le=green.MAX_WITHIN_DAYS, description="Expiring: within this many days")
]
By = Annotated[
    Literal["region", "province", "industry"],
    Query(description="Group by region (rolled up to the prefecture), province or industry"),
]


class EntryOut(BaseModel):
    """An entry of a registry: a certificate of a green building material (its star level,
    dates, days left and status on the day asked: not_yet_valid, valid, expiring, expired)
    or a listing of a green manufacturing list (status `listed`, its year and batch)."""

    kind: Literal["building_material", "factory", "design_product", "supply_chain"]
    key: str
    uscc: str | None
    enterprise_name: str
    enterprise_id: str | None = Field(description="The platform's enterprise; none: unmatched")
    title: str
    status: Literal["not_yet_valid", "valid", "expiring", "expired", "listed"]
    star_level: int | None
    product_category: str | None
    issued_on: str | None
    expires_on: str | None
    days_left: int | None
    year: int | None
    batch: int | None
    source_id: str
    row_status: str
    illustrative: bool


class CertificationsOut(BaseModel):
    on: str
    within_days: int
    enterprise_id: str | None
    total: int = Field(description="The entries in all (this page: `limit` from `offset`)")
    offset: int
    entries: list[EntryOut]
    expiring: list[EntryOut]


class GroupOut(BaseModel):
    """A region's or an industry division's enterprises, how many hold each registry's
    entries (`certified`), their shares and entries, and the expiring certificates."""

    code: str
    name: str | None = Field(default=None, description="The region's or division's name")
    enterprises: int
    certified: dict[str, int]
    entries: dict[str, int]
    shares: dict[str, float | None]
    expiring: int


class SummaryOut(BaseModel):
    on: str
    within_days: int
    by: str
    groups: list[GroupOut]
    total: GroupOut
    expiring: list[EntryOut]
    unmatched_count: int = Field(description="The unmatched entries in all")
    unmatched: list[EntryOut] = Field(
        description="The first of them (all: GET /green/exports/certificates)"
    )


class ShareOut(BaseModel):
    """A group's motors by grade (counts, kW; `unknown`: no efficiency given), the
    high-efficiency shares of the motors of a known grade against the target (judged only on
    the target's basis), the grade-3 motors and the electricity saved a year by replacing
    them (kWh)."""

    code: str
    name: str | None = Field(default=None, description="The region's or division's name")
    motors: int
    rated_kw: float
    known_motors: int = Field(description="Motors of a known grade (efficiency given)")
    known_kw: float = Field(description="Their rated kW: the shares' denominators")
    coverage: float | None = Field(description="Motors of a known grade over all motors")
    count_by_grade: dict[str, int]
    kw_by_grade: dict[str, float]
    high_efficiency_motors: int
    high_efficiency_kw: float
    share_by_count: float | None
    share_by_kw: float | None
    target_share: float
    basis: str = Field(description="The target's basis: count, kw, or unstated (no verdict)")
    meets_target: bool | None = Field(
        description="Whether the share on the target's basis reaches it; none when the basis "
        "is unstated or no motor has a known grade"
    )
    replaced_motors: int
    saving_kwh: float


class TargetOut(BaseModel):
    plan: str
    scope: str
    year: int
    share: float
    high_efficiency_grade: int
    basis: str
    source_id: str
    source: str
    status: str
    note: str


class MotorsOut(BaseModel):
    by: str
    target: TargetOut
    targets: list[TargetOut]
    to_grade: int
    groups: list[ShareOut]
    total: ShareOut
    enterprises: int
    warnings: list[WarningOut]


class ImportOut(BaseModel):
    """The draft edition the list made, its rows, those matched to the platform's enterprises
    and those unmatched (row, name, code), and the list's columns left out."""

    edition_id: int
    state: str
    kind: str
    rows: int
    matched: int
    unmatched: list[dict[str, Any]]
    left_out: list[str]
    changed: list[str] = Field(description="Entries the library holds already, changed")
    retired: list[str] = Field(description="Entries withdrawn (状态 撤销/注销), retired")


@router.get("/green/certificates", response_model=CertificationsOut)
def certificates(
    db: Db,
    caller: Caller,
    on: On = None,
    within_days: Within = 90,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> CertificationsOut:
    """The registries' entries the caller sees: its enterprises' (and, for a regulator or an
    administrator, the published entries matching no enterprise), each certificate with its
    status on `on`; a page of `limit` entries from `offset` (`total` in all)."""
    view = green.certifications(
        db, caller, on=on, within_days=within_days, limit=limit, offset=offset
    )
    return CertificationsOut.model_validate(view)


@router.get("/green/enterprises/{enterprise_id}", response_model=CertificationsOut)
def enterprise_certificates(
    enterprise_id: str, db: Db, caller: Caller, on: On = None, within_days: Within = 90
) -> CertificationsOut:
    """One enterprise's certifications and their expiry (404 when out of reach)."""
    view = green.certifications(
        db, caller, enterprise_id=enterprise_id, on=on, within_days=within_days
    )
    return CertificationsOut.model_validate(view)


@router.get("/green/summary", response_model=SummaryOut)
def summary(
    db: Db, caller: Caller, by: By = "region", on: On = None, within_days: Within = 90
) -> SummaryOut:
    """Counts and shares of the caller's enterprises holding each registry's entries, by
    region or industry division; the certificates expiring within `within_days`."""
    view = green.summary(db, caller, by=by, on=on, within_days=within_days)
    return SummaryOut.model_validate(view)


@router.get("/green/motors", response_model=MotorsOut)
def motors(
    db: Db,
    caller: Caller,
    by: By = "industry",
    to_grade: Annotated[int, Query(ge=1, le=2, description="Replace grade 3 by 1 or 2")] = 2,
) -> MotorsOut:
    """The motors of the registered diagnoses by GB 18613-2020 grade against the in-service
    target of the motor plan (工信厅联节〔2021〕45号), and the saving of replacing grade 3."""
    return MotorsOut.model_validate(green.motors(db, caller, by=by, to_grade=to_grade))


@router.get(
    "/green/exports/{table}",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                green.XLSX_MEDIA: {"schema": {"type": "string", "format": "binary"}},
            },
            "description": "The table as CSV (UTF-8 with a byte-order mark) or XLSX",
        }
    },
)
def export(
    table: Literal["certificates", "expiring", "summary", "motors"],
    db: Db,
    caller: Caller,
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv or xlsx")] = "csv",
    by: By = "region",
    on: On = None,
    within_days: Within = 90,
    enterprise_id: Annotated[str | None, Query(max_length=18)] = None,
) -> Response:
    """A table of the green wing as a file: certificates, expiring, summary or motors."""
    content, name = green.export(
        db,
        caller,
        table,
        format,
        enterprise_id=enterprise_id,
        by=by,
        on=on,
        within_days=within_days,
    )
    return Response(
        content,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/green/lists", response_model=ImportOut, status_code=201)
async def import_list(
    db: Db,
    caller: Caller,
    file: Annotated[UploadFile, File(description="The published list (.csv or .xlsx)")],
    kind: Annotated[
        Literal["building_material", "factory", "design_product", "supply_chain"], Form()
    ],
    source_id: Annotated[str, Form(max_length=64, description="A new source id for the list")],
    title: Annotated[str, Form(max_length=500)],
    issuer: Annotated[str, Form(max_length=200)] = "",
    document_number: Annotated[str, Form(max_length=200)] = "",
    published: Annotated[date | None, Form(description="The list's date")] = None,
    url: Annotated[str, Form(max_length=1000)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
    year: Annotated[int | None, Form(ge=2000, le=2100)] = None,
    batch: Annotated[int | None, Form(ge=1, le=1000)] = None,
    status: Annotated[Literal["verified", "unverified"], Form()] = "verified",
    row_note: Annotated[str, Form(max_length=1000)] = "",
) -> ImportOut:
    """Import a published list as a draft edition (an editor's duty; another person approves
    it): every problem placed (422), nothing stored on any."""
    name, content = await read_upload(file)
    document = {
        "source_id": source_id,
        "title": title,
        "issuer": issuer,
        "document_number": document_number,
        "date": published.isoformat() if published else "",
        "url": url,
        "note": note,
    }
    kept = await run_in_threadpool(
        green.import_list,
        db,
        caller,
        kind,
        name,
        content,
        {k: v for k, v in document.items() if v},
        year=year,
        batch=batch,
        status=status,
        note=row_note,
    )
    return ImportOut.model_validate(kept)
