"""The utilisation of industrial solid waste over HTTP (tag `utilisation`, issue 23): the blank
report workbook (`GET /utilisation/template`), an enterprise's report uploaded
(`POST /utilisation/reports`, replacing its stored year), the rates of the groups the caller
may see against the targets in force with the largest stocks and the avoided CO2
(`GET /utilisation/rates`, also as `rates.csv` and `rates.xlsx`), and an enterprise's own with
the national and regional rates (`GET /utilisation/enterprises/{enterprise_id}`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from carbonpeak.api.deps import Caller, Db, WarningOut, read_upload
from carbonpeak.services import utilisation

router = APIRouter(tags=["utilisation"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Year = Annotated[
    int | None, Query(ge=2000, le=2100, description="The year (default: the latest reported)")
]
By = Annotated[
    Literal["enterprise", "industry", "prefecture", "province", "nation"],
    Query(description="The grouping: an enterprise, a GB/T 4754 division, a prefecture, ..."),
]


class ReportKeyOut(BaseModel):
    enterprise_id: str
    year: int


class ReportStoredOut(BaseModel):
    """A stored report file: the enterprise-years it replaced, its rows and warnings."""

    file: str
    rows: int
    reports: list[ReportKeyOut]
    warnings: list[WarningOut]


class GroupOut(BaseModel):
    """A group's sums (t), its rate (a fraction, None without generation) and the target in
    force (None where none)."""

    group: str
    target_kind: str
    members: int
    opening_stock_t: float
    generated_t: float
    utilised_t: float
    utilised_from_stock_t: float
    stored_t: float
    disposed_t: float
    disposed_from_stock_t: float
    dumped_t: float
    closing_stock_t: float
    stock_change_t: float
    rate: float | None
    target_rate: float | None = None
    target_year: int | None = None
    target_area: str | None = None
    target_source_id: str | None = None
    target_status: str | None = None
    gap: float | None = None
    met: bool | None = None
    """Said only when the year is the target's own (`target_years`), else None."""
    name_zh: str | None = None
    name_en: str | None = None


class ContextOut(BaseModel):
    """A regional or national group as an enterprise sees it beside its own: the rate (None
    and `withheld` where too few other enterprises report the kind to show it without
    revealing one), the target in force and the member count; never the tonnes."""

    target_kind: str
    members: int
    rate: float | None
    withheld: bool
    reason: str | None = None
    target_rate: float | None = None
    target_year: int | None = None
    target_area: str | None = None


class AvoidedOut(BaseModel):
    """The CO2 avoided (t), over the routes and kinds with a factor; `rows` says for each
    route and kind whether it has one, its source, status and note. `unverified`: a factor
    used is not verified; `illustrative`: a factor used is illustrative (the demo's), so the
    total is no figure to cite."""

    co2_avoided_t: float
    unverified: bool
    illustrative: bool
    rows: list[dict[str, Any]]
    factors: list[dict[str, Any]]


class RatesOut(BaseModel):
    """The rates of a year by a grouping over the reports the caller may see."""

    year: int | None
    years: list[int]
    grouping: str
    names: dict[str, Any]
    target_years: str
    groups: list[GroupOut]
    ranked: list[GroupOut]
    stocks: list[dict[str, Any]]
    avoided: AvoidedOut | None
    targets: list[dict[str, Any]]
    warnings: list[WarningOut]


class EnterpriseRatesOut(BaseModel):
    """An enterprise's own report of a year (none stored: `report` None), its totals by kind,
    its rates, and the national and regional (province) rates over every report (rate,
    target and member count only; the rate withheld where too few others report)."""

    enterprise_id: str
    name: str
    region_code: str
    year: int | None
    years: list[int]
    names: dict[str, Any]
    target_years: str
    report: dict[str, Any] | None
    totals: list[dict[str, Any]] = []
    rates: list[GroupOut] = []
    regional: list[ContextOut] = []
    national: list[ContextOut] = []
    comparison: list[dict[str, Any]] = []
    province: str | None = None
    avoided: AvoidedOut | None = None
    targets: list[dict[str, Any]] = []
    warnings: list[WarningOut] = []


@router.get(
    "/utilisation/template",
    response_class=Response,
    responses={
        200: {
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            "description": "The blank report workbook",
        }
    },
)
def template(db: Db, caller: Caller) -> Response:
    """The report workbook to fill in: Chinese headers with their codes, drop-downs for kind,
    flow and route, the lists, help and an example."""
    return Response(
        utilisation.template_workbook(db),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="solid-waste-report.xlsx"'},
    )


@router.post("/utilisation/reports", response_model=ReportStoredOut, status_code=201)
async def upload(
    db: Db,
    caller: Caller,
    file: Annotated[UploadFile, File(description="The report (CSV or .xlsx)")],
) -> ReportStoredOut:
    """Check a report file and store it, each enterprise-year replacing the stored one;
    every problem placed (422), nothing stored on any."""
    name, content = await read_upload(file)
    stored = await run_in_threadpool(utilisation.upload, db, caller, name, content)
    return ReportStoredOut.model_validate(stored)


@router.get("/utilisation/rates", response_model=RatesOut)
def rates(db: Db, caller: Caller, year: Year = None, by: By = "prefecture") -> RatesOut:
    """The rates of the groups the caller may see against the targets in force, the groups
    ranked by their bulk rate, the largest stocks and the avoided CO2."""
    return RatesOut.model_validate(utilisation.rates_view(db, caller, year, by))


@router.get(
    "/utilisation/rates.{kind}",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
            "description": "The rates as CSV or a workbook",
        }
    },
)
def rates_file(
    db: Db, caller: Caller, kind: Literal["csv", "xlsx"], year: Year = None, by: By = "prefecture"
) -> Response:
    """The rates (as `GET /utilisation/rates`) as a CSV file or a workbook."""
    content = utilisation.export_rates(db, caller, kind, year, by)
    media = "text/csv; charset=utf-8" if kind == "csv" else XLSX
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="utilisation-rates.{kind}"'},
    )


@router.get("/utilisation/enterprises/{enterprise_id}", response_model=EnterpriseRatesOut)
def enterprise(db: Db, caller: Caller, enterprise_id: str, year: Year = None) -> EnterpriseRatesOut:
    """An enterprise's own report of a year with the national and regional rates."""
    return EnterpriseRatesOut.model_validate(
        utilisation.enterprise_view(db, caller, enterprise_id, year)
    )
