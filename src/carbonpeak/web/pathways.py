"""The pathways page: run a scenario file, compare its scenarios (projection lines with the
Monte Carlo band, the LMDI waterfall of one scenario against another, the peaks), and the
observed CEADs history of a key sector beside the projections."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.errors import N_, CarbonpeakError, InputError, Place, Problem
from carbonpeak.i18n import gettext_of
from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.pathways.projection import example_text
from carbonpeak.services import pathways as service
from carbonpeak.web.charts import history_chart, projection_chart, waterfall_chart
from carbonpeak.web.site import (
    by_field,
    locale_of,
    placed_rows,
    render,
    said,
    session,
    signed_in,
)

SECTORS = (*service.BUILDER_SECTORS, "total")  # the history page's sectors, in order

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    text: str,
    form: dict[str, str],
    result: dict[str, Any] | None,
    error: str | None,
    builder: dict[str, Any] | None = None,
    status: int | None = None,
    problems: list[dict[str, Any]] | None = None,
) -> Response:
    actor = signed_in(request)
    _ = gettext_of(locale_of(request))
    sector = form.get("sector") or "industry"
    sector = sector if sector in SECTORS else "industry"
    with session(request) as db:  # the history and the builder's choices in force
        history = service.history(db, sector)
        choices = service.builder_choices(db)
    chosen = next((r for r in history["regions"] if r["region_code"] == form.get("region")), None)
    names = list(result["scenarios"]) if result else []
    return render(
        request,
        "pathways/pathways.html",
        status=status or (400 if error else 200),
        problems=problems or [],
        user=actor,
        text=text,
        form=form,
        result=result,
        error=error,
        scenario_names=names,
        sectors=SECTORS,
        sector=sector,
        region=chosen["region_code"] if chosen else "",
        history=history,
        chart=projection_chart(result, _) if result else None,
        waterfall=waterfall_chart(result, _) if result and "comparison" in result else None,
        history_chart=history_chart(history["sum"], chosen, _),
        builder=builder or _builder(DEFAULT_FORM),
        choices=choices,
    )


# the builder's first form: a worked start the user changes (no figure here is a forecast)
DEFAULT_FORM: dict[str, list[str]] = {
    "sectors": ["steel"],
    "regions": ["130000"],
    "horizon": ["2060"],
    "growth_year": ["2019", "2030", "", ""],
    "growth_rate": ["1", "-1", "", ""],
    "intensity_year": ["2019", "2060", "", ""],
    "intensity_value": ["100", "50", "", ""],
    "low": ["-10"],
    "high": ["10"],
}
SPARE_ROWS = 2  # blank rows under the filled ones (more by "add row")


def _builder(
    fields: dict[str, list[str]],
    built: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    kept: str = "",
    more: int = 0,
) -> dict[str, Any]:
    """What the builder section shows: the fields as posted (rows padded with blank ones),
    the problems by field (`growth_rate.2` for a row), the file built, the kept scenario."""
    rows = {}
    for which, value in (("growth", "growth_rate"), ("intensity", "intensity_value")):
        years, values = fields.get(f"{which}_year", []), fields.get(value, [])
        count = max(len(years), len(values))
        filled = [
            (years[i] if i < len(years) else "", values[i] if i < len(values) else "")
            for i in range(count)
        ]
        blank = sum(1 for r in filled if not (r[0].strip() or r[1].strip()))
        filled = [r for r in filled if r[0].strip() or r[1].strip()]
        rows[which] = filled + [("", "")] * (max(SPARE_ROWS, blank) + more)
    try:
        kept_names = service.kept_names(kept)
    except InputError:
        kept_names = []
    return {
        "fields": fields,
        "rows": rows,
        "problems": problems or {},
        "built": built,
        "kept": kept,
        "kept_names": kept_names,
    }


@router.get("/pathways/builder", response_model=None)
def pathways_builder_page() -> Response:
    """The builder lives on the pathways page (a language switch after a post comes here)."""
    return RedirectResponse("/pathways#pathways-builder", status_code=303)


@router.post("/pathways/builder", response_model=None)
async def pathways_build(request: Request) -> Response:
    """The scenario builder: preview the file, run it (with the kept scenario beside it), or
    keep it to compare with the next one. Problems: the form again, 422, each by its field."""
    posted = await request.form()
    fields = {k: [str(v) for v in posted.getlist(k)] for k in posted}
    return await run_in_threadpool(_build, request, fields)


def _build(request: Request, fields: dict[str, list[str]]) -> Response:
    action = (fields.get("action") or ["run"])[0]
    kept = (fields.get("kept") or [""])[0]
    text = example_text()
    if action == "add":  # a blank row more under each path; nothing is checked yet
        return _page(request, text, {}, None, None, _builder(fields, None, None, kept, 1))
    try:
        with session(request) as db:
            if action == "run":
                built = service.run_builder(db, fields, kept)
            else:
                built = service.build_scenario(db, fields, kept)
    except InputError as error:
        placed = by_field(error, locale_of(request))
        return _page(request, text, {}, None, None, _builder(fields, None, placed, kept), 422)
    except CarbonpeakError as error:
        placed = {"form": said(error, locale_of(request))}
        return _page(request, text, {}, None, None, _builder(fields, None, placed, kept), 422)
    if action == "file":  # the scenario file, as an analyst would download it
        return Response(
            built["text"],
            media_type="application/x-yaml; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="scenario.yaml"'},
        )
    if action == "keep":  # this one is kept; the form stays filled for the second
        kept_now = _builder(fields, None, None, built["own"])
        return _page(request, built["own"], {}, None, None, kept_now)
    _ = gettext_of(locale_of(request))
    if "result" in built:
        built["chart"] = projection_chart(built["result"], _)
    return _page(request, built["text"], {}, None, None, _builder(fields, built, None, kept))


@router.get("/pathways", response_model=None)
def pathways_form(request: Request, sector: str = "industry", region: str = "") -> Response:
    """The example scenario file to edit and run, and the observed history."""
    return _page(request, example_text(), {"sector": sector, "region": region}, None, None)


@router.post("/pathways", response_model=None)
def pathways_run(
    request: Request,
    scenario: str = Form(""),
    draws: str = Form(""),
    base: str = Form(""),
    other: str = Form(""),
    year: str = Form(""),
    sector: str = Form("industry"),
    region: str = Form(""),
) -> Response:
    """Run the file: peaks, bands and, when two scenarios are chosen, their comparison."""
    form = {"draws": draws, "base": base, "other": other, "year": year}
    form |= {"sector": sector, "region": region}
    try:
        count = int(draws) if draws.strip() else service.WEB_DRAWS
        when = int(year) if year.strip() else None
        against = (base, other) if base and other and base != other else None
        result = service.run_scenarios(scenario, count, against, when)
    except ValueError:
        return _page(request, scenario, form, None, "draws and year are whole numbers")
    except CarbonpeakError as error:
        return _page(request, scenario, form, None, said(error, locale_of(request)))
    if not base and len(result["scenarios"]) > 1:  # compare the first two by default
        first, second = list(result["scenarios"])[:2]
        form |= {"base": first, "other": second}
        result = service.run_scenarios(scenario, count, (first, second), when)
    return _page(request, scenario, form, result, None)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/pathways/scenario.xlsx", response_model=None)
def scenario_template(request: Request) -> Response:
    """The scenario workbook (as `carbonpeak pathways template`), the builder's example in it."""
    signed_in(request)
    with session(request) as db:
        content = service.scenario_workbook(db)
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="scenario.xlsx"'},
    )


@router.post("/pathways/workbook", response_model=None)
async def pathways_workbook(
    request: Request,
    file: Annotated[UploadFile, File()],
    action: Annotated[str, Form()] = "run",
) -> Response:
    """The scenario file of an uploaded scenario workbook: problems placed by sheet, row and
    header as written (422, nothing run); else the file in the editor and, with `run`, its
    projection (the first two scenarios compared)."""
    signed_in(request)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    return await run_in_threadpool(_workbook, request, file.filename, content, action)


def _workbook(request: Request, filename: str | None, content: bytes, action: str) -> Response:
    locale = locale_of(request)
    try:
        name = uploaded_name(filename, len(content))
        if not name.lower().endswith(".xlsx"):
            raise InputError(
                Problem.of(Place(file=name), N_("upload the scenario workbook (.xlsx)"))
            )
        with session(request) as db:
            data = service.read_scenario_workbook(db, content, name)
    except InputError as error:
        problems = placed_rows(error, locale)
        return _page(request, example_text(), {}, None, None, status=422, problems=problems)
    text = service.dump(data)
    if action != "run":
        return _page(request, text, {}, None, None)
    names = list(data["scenarios"])
    against = (names[0], names[1]) if len(names) > 1 else None
    try:
        result = service.run_scenarios(data, service.WEB_DRAWS, against)
    except CarbonpeakError as error:
        return _page(request, text, {}, None, said(error, locale))
    form = {"base": against[0], "other": against[1]} if against else {}
    return _page(request, text, form, result, None)
