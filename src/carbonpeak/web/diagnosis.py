"""The diagnosis pages: a plant from the equipment inventory workbook, from the equipment form
(a row per piece of equipment, its fields with units and help) or, for analysts, from the plant
file (YAML); its preview as tables, its diagnosis (findings, measures, the energy flow as a
Sankey chart, the MAC curve); its measures put into the opportunity register, and the register
followed (accept, implement, verify against the meters)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.domain.days import china_today
from carbonpeak.errors import N_, CarbonpeakError, InputError, NotFoundError
from carbonpeak.i18n import problem_text
from carbonpeak.io.inventory import inventory_bytes
from carbonpeak.io.inventory_fields import EQUIPMENT, SHEETS
from carbonpeak.io.inventory_read import read_inventory
from carbonpeak.io.lake import default_lake
from carbonpeak.io.plant_form import fields_of, form_values, posted_values, read_form
from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.reports.diagnosis import charts
from carbonpeak.services import diagnosis as register
from carbonpeak.web.site import caller, locale_of, missing, placed_rows, render, session, signed_in

# The states of the register, translated where they are shown
STATES = (N_("proposed"), N_("accepted"), N_("implemented"), N_("verified"), N_("rejected"))

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    text: str,
    result: dict[str, Any] | None,
    error: str | None,
    status: int | None = None,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    problems: list[dict[str, Any]] | None = None,
    preview: dict[str, Any] | None = None,
) -> Response:
    actor = signed_in(request)
    flow, mac = charts(result, locale_of(request)) if result else ("", "")
    if form is None:
        try:
            form = form_values(yaml.safe_load(text) or {})
        except (yaml.YAMLError, AttributeError, TypeError, KeyError):
            form = form_values({})
    failed = error or errors or problems
    return render(
        request,
        "diagnosis/diagnosis.html",
        status=status or (400 if failed else 200),
        user=actor,
        text=text,
        result=result,
        error=error,
        flow=flow,
        mac=mac,
        form=form,
        errors=errors or {},
        problems=problems,
        preview=form_values(preview) if preview else None,
        kinds=EQUIPMENT,
        sheets=SHEETS,
        fields={kind: fields_of(kind) for kind in (*EQUIPMENT, "plant", "prices")},
    )


@router.get("/diagnosis", response_model=None)
def diagnosis_form(request: Request) -> Response:
    """The equipment form, the workbook upload and the plant file (as `carbonpeak diagnosis run`
    takes it), made out to the user's own enterprise, so that the register accepts it."""
    actor = signed_in(request)
    with session(request) as db:
        try:
            text = register.example_plant(db, actor)
        except CarbonpeakError:
            return missing(request, actor)
    return _page(request, text, None, None)


@router.get("/diagnosis/inventory.xlsx", response_model=None)
def inventory_template(request: Request) -> Response:
    """The equipment inventory workbook, its example rows the example plant made the user's."""
    actor = signed_in(request)
    with session(request) as db:
        try:
            text = register.example_plant(db, actor)
        except CarbonpeakError:
            return missing(request, actor)
    return Response(
        inventory_bytes(yaml.safe_load(text)),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="equipment-inventory.xlsx"'},
    )


def _shown(request: Request, data: dict[str, Any], action: str) -> Response:
    """A plant read from the workbook or the form: its preview, and with `run` its diagnosis."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    result = None
    if action == "run":
        try:
            with session(request) as db:
                result = register.diagnose_plant(db, data)
        except InputError as error:
            locale = locale_of(request)
            return _page(
                request,
                text,
                None,
                _said(error, locale),
                422,
                errors={str(p.place.field): problem_text(p, locale) for p in error.problems},
                preview=data,
            )
    return _page(request, text, result, None, preview=data)


@router.post("/diagnosis/inventory", response_model=None)
async def diagnosis_inventory(
    request: Request,
    file: Annotated[UploadFile, File()],
    action: Annotated[str, Form()] = "run",
) -> Response:
    """The plant from its equipment inventory workbook: problems placed by sheet, row and
    column, nothing computed; else its preview (and with `run` its diagnosis). The body is
    read on the event loop, parsed and diagnosed in a worker thread."""
    await caller(request)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    return await run_in_threadpool(_inventory, request, file.filename, content, action)


def _inventory(request: Request, filename: str | None, content: bytes, action: str) -> Response:
    try:
        name = uploaded_name(filename, len(content))
        data = read_inventory(content, name)
    except InputError as error:
        problems = placed_rows(error, locale_of(request))
        return _page(request, "", None, None, 422, problems=problems)
    return _shown(request, data, action)


@router.post("/diagnosis/form", response_model=None)
async def diagnosis_equipment_form(request: Request) -> Response:
    """The equipment form: `add:<type>` a row, `remove:<n>` one; `preview` or `run` read it,
    problems placed by field. Read and diagnosed in a worker thread."""
    posted = {k: str(v) for k, v in (await request.form()).items()}
    return await run_in_threadpool(_equipment_form, request, posted)


def _equipment_form(request: Request, posted: dict[str, str]) -> Response:
    action = posted.pop("action", "run")
    if action.startswith(("add:", "remove:")):
        verb, _, what = action.partition(":")
        form = posted_values(
            posted,
            add=what if verb == "add" else None,
            remove=int(what) if verb == "remove" and what.isascii() and what.isdigit() else None,
        )
        return _page(request, "", None, None, form=form)
    try:
        data = read_form(posted)
    except InputError as error:
        locale = locale_of(request)
        return _page(
            request,
            "",
            None,
            _said(error, locale),
            422,
            form=posted_values(posted),
            errors={str(p.place.field): problem_text(p, locale) for p in error.problems},
        )
    return _shown(request, data, action)


@router.post("/diagnosis", response_model=None)
def diagnosis_run(request: Request, plant: str = Form(""), action: str = Form("run")) -> Response:
    """Run the file; with `register`, store its measures as proposed."""
    actor = signed_in(request)
    try:
        data = yaml.safe_load(plant)
        if not isinstance(data, dict):
            raise CarbonpeakError("the plant file is a mapping of its fields")
        if action == "register":
            with session(request) as db, db.begin():
                register.register_diagnosis(db, actor, data)
            return RedirectResponse("/opportunities", status_code=303)
        with session(request) as db:
            result = register.diagnose_plant(db, data)
    except yaml.YAMLError as error:
        return _page(request, plant, None, f"YAML: {error}")
    except InputError as error:
        return _page(request, plant, None, _said(error, locale_of(request)))
    except CarbonpeakError as error:
        return _page(request, plant, None, str(error), 403 if action == "register" else 400)
    return _page(request, plant, result, None)


def _register_page(request: Request, error: str | None = None) -> Response:
    actor = signed_in(request)
    with session(request) as db:
        items = register.list_opportunities(db, actor)
    return render(
        request,
        "diagnosis/opportunities.html",
        status=400 if error else 200,
        user=actor,
        items=items,
        error=error,
        today=china_today().isoformat(),
    )


@router.get("/opportunities", response_model=None)
def opportunities(request: Request) -> Response:
    """The opportunity register of the enterprises the user can see."""
    return _register_page(request)


@router.post("/opportunities/{opportunity_id}", response_model=None)
def opportunity_action(
    request: Request,
    opportunity_id: int,
    action: str = Form(""),
    implemented_on: str = Form(""),
) -> Response:
    """Accept, reject, mark implemented (with its date) or verify a measure."""
    actor = signed_in(request)
    try:
        with session(request) as db, db.begin():
            if action == "verify":
                register.verify(db, actor, opportunity_id, default_lake())
            else:
                when = date.fromisoformat(implemented_on) if implemented_on else None
                register.advance(db, actor, opportunity_id, action, when)
    except ValueError:
        return _register_page(request, "the date is YYYY-MM-DD")
    except InputError as error:
        return _register_page(request, _said(error, locale_of(request)))
    except NotFoundError:  # missing, or another's: the same page
        return missing(request, actor)
    except CarbonpeakError as error:
        return _register_page(request, str(error))
    return RedirectResponse("/opportunities", status_code=303)


def _said(error: InputError, locale: str) -> str:
    """Every problem with its place (field), in the reader's language."""
    return "; ".join(
        f"{p.place}: {problem_text(p, locale)}" if str(p.place) else problem_text(p, locale)
        for p in error.problems
    )
