"""The product carbon pages (issue 22): the process maps the user may see and the form that
files one (with the blank workbook to fill in); an enterprise's products of a year: each
product's cradle-to-gate footprint per tonne (a bar by stage, its table one click away, its
parts, primary share, ratings and gaps), the CBAM goods against the EU default values of the
import year (the electricity factor and the import year are fields of the page), each unit's
SEE, and the reconciliation with the enterprise's account, its reasons in words."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.domain.days import china_today
from carbonpeak.errors import N_, CarbonpeakError, InputError, NotFoundError
from carbonpeak.i18n import gettext_of
from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.reports.product import COMPONENTS, REASONS, STAGES
from carbonpeak.services import product as products
from carbonpeak.services.access import Actor
from carbonpeak.web.site import (
    caller,
    forbidden,
    locale_of,
    missing,
    not_found,
    placed_rows,
    render,
    report_response,
    session,
    signed_in,
    strict_json,
)

FILERS = ("admin", "enterprise")
FIRST_IMPORT_YEAR = 2026  # the CBAM's definitive period begins on 2026-01-01
IMPORT_YEAR_ERROR = N_("The year of import is a year from 2026 to 2100: it was not used.")
FACTOR_ERROR = N_("The electricity emission factor is a number from 0 to 10: it was not used.")
YEAR_ERROR = N_("The year is a number from 2000 to 2100.")
STAGE_COLOURS = {
    "site": "#1b7f5b",
    "energy": "#3f8fc4",
    "materials": "#e39b3b",
    "transport": "#9b6fc0",
}

router = APIRouter(include_in_schema=False)


def _index(
    request: Request,
    actor: Actor,
    status: int = 200,
    problems: list[dict[str, Any]] | None = None,
    error: str | None = None,
) -> Response:
    with session(request) as db:
        maps = products.list_maps(db, actor)
    return render(
        request,
        "product/index.html",
        status=status,
        user=actor,
        maps=maps,
        filer=actor.role in FILERS,
        own=sorted(actor.enterprises),
        year=china_today().year - 1,
        problems=problems,
        error=error,
    )


@router.get("/product", response_model=None)
def index(request: Request) -> Response:
    """The process maps the user may see, and the form that files one."""
    return _index(request, signed_in(request))


@router.get("/product/template.xlsx", response_model=None)
def template(request: Request) -> Response:
    """The blank process map workbook (工序图), its drop-downs from the library in force."""
    signed_in(request)
    with session(request) as db:
        content = products.template_workbook(db)
    return report_response(content, "xlsx", "product-map.xlsx")


@router.post("/product/maps", response_model=None)
async def file_map(
    request: Request,
    enterprise_id: Annotated[str, Form()],
    year: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
) -> Response:
    """File a process map: read on the event loop, checked and stored in a worker thread;
    every problem placed, nothing stored on any."""
    actor = await caller(request)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    return await run_in_threadpool(
        _file_map, request, actor, enterprise_id.strip(), year.strip(), file.filename, content
    )


def _file_map(
    request: Request,
    actor: Actor,
    enterprise_id: str,
    year: str,
    filename: str | None,
    content: bytes,
) -> Response:
    if actor.role not in FILERS:
        return forbidden(request, actor)
    if not (year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100):
        return _index(request, actor, 422, error=gettext_of(locale_of(request))(YEAR_ERROR))
    try:
        name = uploaded_name(filename, len(content))
        with session(request) as db, db.begin():
            products.upload_map(db, actor, enterprise_id, int(year), name, content)
    except NotFoundError:
        return missing(request, actor)
    except InputError as error:
        return _index(request, actor, 422, problems=placed_rows(error, locale_of(request)))
    except CarbonpeakError as error:  # another's enterprise
        return _index(request, actor, 403, error=str(error))
    return RedirectResponse(f"/product/{enterprise_id}?year={year}", status_code=303)


def _number(text: str | None, low: float, high: float) -> float | None:
    """A page field's number within [low, high]; None when blank or not one."""
    try:
        value = float(text) if text and text.strip() else None
    except ValueError:
        return None
    return value if value is not None and low <= value <= high else None


@router.get("/product/{enterprise_id}", response_model=None)
def enterprise_products(
    request: Request,
    enterprise_id: str,
    year: str | None = None,
    import_year: str | None = None,
    electricity_factor: str | None = None,
) -> Response:
    """An enterprise's products of a year (the latest year with a map by default)."""
    actor = signed_in(request)
    factor = _number(electricity_factor, 0, 10)
    imported = _number(import_year, FIRST_IMPORT_YEAR, 2100)
    text = gettext_of(locale_of(request))
    errors = {  # a field given but not read: said beside it, the page computed without it
        name: text(message)
        for name, given, read, message in (
            ("import_year", import_year, imported, IMPORT_YEAR_ERROR),
            ("electricity_factor", electricity_factor, factor, FACTOR_ERROR),
        )
        if given and given.strip() and read is None
    }
    with session(request) as db:
        try:
            maps = products.list_maps(db, actor, enterprise_id)
            years = [m["year"] for m in maps]
            latest = years[0] if years else china_today().year - 1
            chosen = int(_number(year, 2000, 2100) or latest)
            # the goods priced for the year asked, else the data's year from the definitive
            # period's first (an exporter asks what its goods cost now, not in 2023)
            priced = int(imported) if imported else max(chosen, FIRST_IMPORT_YEAR)
            # (an enterprise the user may not see is not found, as if it did not exist)
            view = products.product_view(db, actor, enterprise_id, chosen, factor, priced)
        except NotFoundError:
            return missing(request, actor)
    results = (view or {}).get("results")
    return render(
        request,
        "product/enterprise.html",
        status=422 if errors else 200,
        errors=errors,
        user=actor,
        enterprise_id=enterprise_id,
        view=view,
        years=years,
        year=chosen,
        import_year=priced,
        electricity_factor=factor,
        asked_factor=electricity_factor or "",
        asked_import=import_year or "",
        results=results,
        chart=_stage_chart(results["footprints"], text) if results else "",
        stages=STAGES,
        reasons=REASONS,
        components=COMPONENTS,
    )


@router.get("/product/{enterprise_id}/report.{kind}", response_model=None)
def report(
    request: Request,
    enterprise_id: str,
    kind: str,
    year: str | None = None,
    import_year: str | None = None,
    electricity_factor: str | None = None,
) -> Response:
    """The year's footprint report as a PDF or a workbook, in the reader's language; a year
    without a map that fits its reports is a 404 page."""
    actor = signed_in(request)
    asked = _number(year, 2000, 2100)
    if kind not in products.REPORT_KINDS or asked is None:
        return not_found()
    imported = _number(import_year, FIRST_IMPORT_YEAR, 2100)
    try:
        with session(request) as db:
            content = products.product_report(
                db,
                actor,
                enterprise_id,
                int(asked),
                kind,
                locale_of(request),
                _number(electricity_factor, 0, 10),
                int(imported) if imported else max(int(asked), FIRST_IMPORT_YEAR),
            )
    except (NotFoundError, InputError):
        return missing(request, actor)
    return report_response(content, kind, f"product-{enterprise_id}-{int(asked)}.{kind}")


@router.get("/product/{enterprise_id}/cbam.xlsx", response_model=None)
def cbam_workbook(
    request: Request,
    enterprise_id: str,
    year: str | None = None,
    electricity_factor: str | None = None,
) -> Response:
    """The year's EU CBAM communication in the Commission's template for installations, to
    send to the importers; a year without a map, or a map the template cannot hold, is a 404
    page (the API says why: `GET /api/v1/product/enterprises/{id}/cbam.xlsx`)."""
    actor = signed_in(request)
    asked = _number(year, 2000, 2100)
    if asked is None:
        return not_found()
    try:
        with session(request) as db:
            content = products.cbam_workbook(
                db, actor, enterprise_id, int(asked), _number(electricity_factor, 0, 10)
            )
    except (NotFoundError, InputError):
        return missing(request, actor)
    return report_response(content, "xlsx", f"cbam-{enterprise_id}-{int(asked)}.xlsx")


def _stage_chart(footprints: list[dict[str, Any]], _: Any) -> str:
    """Each product's footprint per tonne as a bar stacked by stage (ECharts option)."""
    shown = [s for s in STAGES if any(f["by_stage"].get(s) for f in footprints)]
    option = {
        "color": [STAGE_COLOURS[s] for s in shown],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 56, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": "tCO2e/t", "splitNumber": 4},
        "yAxis": {"type": "category", "data": [f["product"] for f in footprints][::-1]},
        "series": [
            {
                "name": _(STAGES[s]),
                "type": "bar",
                "stack": "stage",
                "barMaxWidth": 36,
                "data": [round(f["by_stage"].get(s) or 0.0, 4) for f in footprints][::-1],
            }
            for s in shown
        ],
    }
    return strict_json(option)
