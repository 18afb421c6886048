"""The utilisation pages (工业资源综合利用, issue 23): for a regulator, the regions and industries
it oversees ranked by their utilisation rate of bulk industrial solid waste against the target
in force (a bar chart with the target as a line, its table one click away), every kind with a
target of its own, the largest stocks and the CO2 avoided where a cited factor exists ("no
cited factor" where none); for an enterprise, its own report of a year with the national and
regional rates; and the form that files a report (with the blank workbook), CSV and XLSX
exports of the rates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.errors import (
    N_,
    CarbonpeakError,
    Conflict,
    InputError,
    NotFoundError,
    PermissionDenied,
)
from carbonpeak.i18n import gettext_of
from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.services import utilisation as service
from carbonpeak.services.access import Actor
from carbonpeak.web.site import caller as caller_of
from carbonpeak.web.site import (
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
GROUPINGS = {
    "prefecture": N_("Prefecture"),
    "province": N_("Province"),
    "industry": N_("Industry"),
    "enterprise": N_("Enterprise"),
}
FILES_OWN = N_("An enterprise files its own solid-waste report.")
BAR, TARGET, UNDER = "#1b7f5b", "#c8553d", "#e39b3b"

router = APIRouter(include_in_schema=False)


def _year(text: str | None) -> int | None:
    return (
        int(text)
        if text and text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100
        else None
    )


def _index(
    request: Request,
    actor: Actor,
    year: int | None = None,
    by: str = "prefecture",
    status: int = 200,
    problems: list[dict[str, Any]] | None = None,
    error: str | None = None,
) -> Response:
    with session(request) as db:
        views = service.rates_views(db, actor, year, (by, "industry"))  # type: ignore[arg-type]
    view, industries = views[by], views["industry"]
    english = locale_of(request) != "zh_CN"
    return render(
        request,
        "utilisation/index.html",
        status=status,
        user=actor,
        view=view,
        industries=industries,
        by=by,
        groupings=GROUPINGS,
        filer=actor.role in FILERS,
        own=sorted(actor.enterprises),
        english=english,
        chart=_ranking_chart(view["ranked"], english, gettext_of(locale_of(request)))
        if view["ranked"]
        else "",
        problems=problems,
        error=error,
    )


@router.get("/utilisation", response_model=None)
def index(request: Request, year: str | None = None, by: str | None = None) -> Response:
    """The rates of the groups the user may see (by prefecture unless asked), the industries,
    the largest stocks, the avoided CO2 and the form that files a report."""
    actor = signed_in(request)
    grouping = by if by in GROUPINGS else "prefecture"
    return _index(request, actor, _year(year), grouping)


@router.get("/utilisation/template.xlsx", response_model=None)
def template(request: Request) -> Response:
    """The blank report workbook, its lists from the library in force."""
    signed_in(request)
    with session(request) as db:
        content = service.template_workbook(db)
    return report_response(content, "xlsx", "solid-waste-report.xlsx")


@router.get("/utilisation/rates.{kind}", response_model=None)
def rates_file(
    request: Request, kind: str, year: str | None = None, by: str | None = None
) -> Response:
    """The rates the page shows as CSV or a workbook."""
    actor = signed_in(request)
    if kind not in service.EXPORT_KINDS:
        return not_found()
    grouping = by if by in GROUPINGS else "prefecture"
    with session(request) as db:
        content = service.export_rates(
            db,
            actor,
            kind,
            _year(year),
            grouping,  # type: ignore[arg-type]
            locale_of(request),
        )
    return report_response(content, kind, f"utilisation-rates.{kind}")


@router.post("/utilisation/reports", response_model=None)
async def file_report(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    """File a report: read on the event loop, checked and stored in a worker thread; every
    problem placed, nothing stored on any."""
    actor = await caller_of(request)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    return await run_in_threadpool(_file_report, request, actor, file.filename, content)


def _file_report(request: Request, actor: Actor, filename: str | None, content: bytes) -> Response:
    if actor.role not in FILERS:
        return forbidden(request, actor)
    try:
        name = uploaded_name(filename, len(content))
        with session(request) as db, db.begin():
            stored = service.upload(db, actor, name, content)
    except InputError as error:
        status = 409 if isinstance(error, Conflict) else 422
        return _index(
            request, actor, status=status, problems=placed_rows(error, locale_of(request))
        )
    except PermissionDenied:
        return _index(request, actor, status=403, error=gettext_of(locale_of(request))(FILES_OWN))
    except CarbonpeakError as error:
        return _index(request, actor, status=403, error=str(error))
    first = stored["reports"][0]
    return RedirectResponse(
        f"/utilisation/{first['enterprise_id']}?year={first['year']}", status_code=303
    )


@router.get("/utilisation/{enterprise_id}", response_model=None)
def enterprise(request: Request, enterprise_id: str, year: str | None = None) -> Response:
    """An enterprise's own report of a year with the national and regional rates."""
    actor = signed_in(request)
    with session(request) as db:
        try:
            view = service.enterprise_view(db, actor, enterprise_id, _year(year))
        except NotFoundError:
            return missing(request, actor)
    english = locale_of(request) != "zh_CN"
    return render(
        request,
        "utilisation/enterprise.html",
        user=actor,
        view=view,
        english=english,
        comparison=view.get("comparison", []),
    )


def _ranking_chart(groups: list[dict[str, Any]], english: bool, _: Callable[[str], str]) -> str:
    """The groups' rates of bulk solid waste as bars (the highest on top), the target in force
    as a line (ECharts option)."""
    rows = groups[::-1]
    labels = [r["name_en" if english else "name_zh"] or r["group"] for r in rows]
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 48, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": "%", "max": 100, "splitNumber": 5},
        "yAxis": {"type": "category", "data": labels},
        "series": [
            {
                "name": _("Utilisation rate"),
                "type": "bar",
                "barMaxWidth": 28,
                "data": [
                    None
                    if r["rate"] is None
                    else {
                        "value": round(100 * r["rate"], 1),
                        "itemStyle": {
                            "color": UNDER if (r["gap"] is not None and r["gap"] < 0) else BAR
                        },
                    }
                    for r in rows
                ],
            },
            {
                "name": _("Target in force"),
                "type": "line",
                "color": TARGET,
                "symbol": "none",
                "data": [
                    None if r["target_rate"] is None else round(100 * r["target_rate"], 1)
                    for r in rows
                ],
            },
        ],
    }
    return strict_json(option)
