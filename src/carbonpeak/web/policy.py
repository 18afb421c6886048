"""Policy through the dashboard: applications to the policy engines (capacity swaps,
projects, ...) with their verdicts and the regulator's decisions, and energy-use control (a
regional table against each region's intensity path)."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.errors import (
    N_,
    CarbonpeakError,
    Conflict,
    InputError,
    NotFoundError,
    Place,
    Problem,
)
from carbonpeak.i18n import gettext_of
from carbonpeak.io.application_book import read_application_book, write_application_template
from carbonpeak.io.application_form import FORMS, read_form, rows_of
from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.services.access import Actor
from carbonpeak.services.policy import (
    caps_targets,
    decide,
    list_applications,
    submit_application,
    track_caps,
)
from carbonpeak.web.charts import caps_chart
from carbonpeak.web.listing import Column, asked, listed
from carbonpeak.web.site import (
    caller,
    forbidden,
    locale_of,
    missing,
    render,
    said,
    session,
    signed_in,
)

EXAMPLE_SWAP = """sector: cement              # steel | cement | flat_glass | aluminium
application_date: 2025-03-01
location: {region_code: "130200"}
built: [{equipment: clinker_kiln, capacity_t: 1500000}]
exit:  [{equipment: clinker_kiln, capacity_t: 3000000, region_code: "130200", status: operating}]
reaches_benchmark: true
"""
DEFAULT_TARGET = "industry_energy_2025"

# The list of applications, filtered by kind and state, searched and paged in memory.
APPLICATIONS = (
    Column("application_id", "number"),
    Column("kind", "choice", label="kind_name"),
    Column("enterprise_id"),
    Column("enterprise_name"),  # searched: a regulator looks a plant up by its name
    Column("submitted_at"),
    Column("state", "choice", label="state_name"),
)

KIND_NAMES = {
    "swap": N_("Capacity replacement"),
    "project": N_("Project carbon assessment"),
    "datacentre": N_("Data centre"),
    "factory": N_("Green factory"),
}
"""Each kind of application by its name, as the regulator's home names it."""

router = APIRouter(include_in_schema=False)


def _as_yaml(body: Any) -> str:
    """An application's body as the form's YAML, to correct a returned one."""
    return str(yaml.safe_dump(body, allow_unicode=True, sort_keys=False))


def _applications_page(
    request: Request,
    text: str,
    kind: str,
    error: str | None,
    status: int = 200,
    filled: dict[str, Any] | None = None,
) -> Response:
    actor = signed_in(request)
    with session(request) as db:
        items = list_applications(db, actor)
    text_of = gettext_of(locale_of(request))
    items = [
        a
        | {"state_name": text_of(str(a["state"]))}
        | {"kind_name": text_of(KIND_NAMES.get(str(a["kind"]), str(a["kind"])))}
        | ({"body_text": _as_yaml(a["body"])} if a["state"] == "returned" else {})
        for a in items
    ]
    params = list(request.query_params.multi_items()) if request.method == "GET" else []
    listing = listed(items, APPLICATIONS, asked(params, APPLICATIONS, per=20))
    return render(
        request,
        "policy/applications.html",
        status=status,
        user=actor,
        listing=listing,
        text=text,
        kind=kind,
        error=error,
        enterprises=sorted(actor.enterprises),
        forms=FORMS,
        filled=filled or _blank(request.query_params.get("form", "datacentre")),
    )


def _blank(kind: str) -> dict[str, Any]:
    """An empty form of `kind`: each group with its least rows (one at least)."""
    kind = kind if kind in FORMS else "datacentre"
    groups = {g.name: list(range(max(1, g.min_rows))) for g in FORMS[kind].groups}
    return {"kind": kind, "values": {}, "rows": groups, "bad": set()}


def _filled(kind: str, form: dict[str, str], action: str) -> dict[str, Any]:
    """The form as posted, a row added or removed by `action` (`add:<group>`,
    `remove:<group>:<i>`)."""
    rows = {g.name: rows_of(form, g.name) for g in FORMS[kind].groups}
    verb, _, what = action.partition(":")
    group, _, index = what.partition(":")
    if verb == "add" and group in rows:
        rows[group].append(max(rows[group], default=-1) + 1)
    if verb == "remove" and group in rows and index.isdigit():
        rows[group] = [i for i in rows[group] if i != int(index)]
    return {"kind": kind, "values": form, "rows": rows, "bad": set()}


@router.get("/applications", response_model=None)
def applications(request: Request) -> Response:
    """Applications to the policy engines: their verdicts and decisions; a form to submit one
    (enterprises) and to decide (regulators)."""
    return _applications_page(request, EXAMPLE_SWAP, "swap", None)


@router.post("/applications", response_model=None)
def submit_application_form(
    request: Request,
    kind: str = Form("swap"),
    enterprise_id: str = Form(""),
    body: str = Form(""),
    resubmits: str = Form(""),
) -> Response:
    actor = signed_in(request)
    try:
        data = yaml.safe_load(body)
        if not isinstance(data, dict):
            raise CarbonpeakError("the application is a mapping of its fields")
        earlier = int(resubmits) if resubmits.strip().isdigit() else None
        with session(request) as db, db.begin():
            submit_application(db, actor, kind, enterprise_id, data, resubmits=earlier)
    except yaml.YAMLError as error:
        return _applications_page(request, body, kind, f"YAML: {error}", 400)
    except CarbonpeakError as error:
        return _applications_page(request, body, kind, said(error, locale_of(request)), 400)
    return RedirectResponse("/applications", status_code=303)


@router.post("/applications/form", response_model=None)
async def submit_application_fields(request: Request) -> Response:
    """An application from its instrument's form: `action` adds or removes a row (the page
    comes back as posted) or submits; problems placed by field, 422, nothing stored. Checked
    and stored in a worker thread."""
    actor = await caller(request)
    async with request.form() as posted:
        form = {k: str(v) for k, v in posted.items() if isinstance(v, str)}
    return await run_in_threadpool(_application_fields, request, actor, form)


def _application_fields(request: Request, actor: Actor, form: dict[str, str]) -> Response:
    kind = form.pop("form_kind", "")
    if kind not in FORMS:
        return _applications_page(request, EXAMPLE_SWAP, "swap", f"no form for {kind!r}", 422)
    action = form.pop("action", "submit")
    enterprise_id = form.pop("enterprise_id", "")
    filled = _filled(kind, form, action)
    if action != "submit":
        return _applications_page(request, EXAMPLE_SWAP, kind, None, filled=filled)
    try:
        data = read_form(kind, form)
        with session(request) as db, db.begin():
            submit_application(db, actor, kind, enterprise_id, data)
    except CarbonpeakError as error:
        if isinstance(error, InputError):
            filled["bad"] = {str(p.place.field).removeprefix("body.") for p in error.problems}
        text = said(error, locale_of(request))
        status = 422 if isinstance(error, InputError) else 403
        return _applications_page(request, EXAMPLE_SWAP, kind, text, status, filled)
    return RedirectResponse("/applications", status_code=303)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/applications/template/{kind}.xlsx", response_model=None)
def application_template(request: Request, kind: str) -> Response:
    """The Chinese-first workbook of an instrument with a form."""
    actor = signed_in(request)
    if kind not in FORMS:
        return missing(request, actor)
    return Response(
        write_application_template(kind),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="application_{kind}.xlsx"'},
    )


@router.post("/applications/book", response_model=None)
async def submit_application_book(request: Request) -> Response:
    """An application from its filled workbook: the same service call as the form and the
    file; problems placed by sheet, row and column, 422, nothing stored. The body is read on
    the event loop, parsed and stored in a worker thread."""
    actor = await caller(request)
    async with request.form() as form:
        kind = str(form.get("form_kind") or "")
        enterprise_id = str(form.get("enterprise_id") or "")
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            content, filename = b"", ""
        else:
            content = await upload.read(MAX_UPLOAD_BYTES + 1)
            filename = upload.filename or ""
    return await run_in_threadpool(
        _application_book, request, actor, kind, enterprise_id, filename, content
    )


def _application_book(
    request: Request, actor: Actor, kind: str, enterprise_id: str, filename: str, content: bytes
) -> Response:
    filled = _blank(kind)
    try:
        if kind not in FORMS:
            raise InputError(Problem.of(Place(), N_("no workbook for {0!r}"), kind))
        if not content:
            raise InputError(Problem.of(Place(), N_("choose an XLSX file")))
        name = uploaded_name(filename, len(content))
        data = read_application_book(kind, content, name)
        with session(request) as db, db.begin():
            submit_application(db, actor, kind, enterprise_id, data)
    except CarbonpeakError as error:
        status = 422 if isinstance(error, InputError) else 403
        text = said(error, locale_of(request))
        return _applications_page(request, EXAMPLE_SWAP, "swap", text, status, filled)
    return RedirectResponse("/applications", status_code=303)


@router.post("/applications/{application_id}/decision", response_model=None)
def decide_form(
    request: Request,
    application_id: int,
    decision: str = Form(""),
    comment: str = Form(""),
) -> Response:
    actor = signed_in(request)
    try:
        with session(request) as db, db.begin():
            decide(db, actor, application_id, decision, comment)
    except NotFoundError:  # missing, or another's: the same page
        return missing(request, actor)
    except CarbonpeakError as error:
        status = (
            409 if isinstance(error, Conflict) else 400 if isinstance(error, InputError) else 403
        )
        text = said(error, locale_of(request))
        return _applications_page(request, EXAMPLE_SWAP, "swap", text, status)
    return RedirectResponse("/applications", status_code=303)


# the columns of the regional table `/caps` tracks (policy.energy_caps): its template's header
CAPS_TEMPLATE = "region_code,year,value_added_10k_yuan,energy_tce,co2_t,cap_tce\n"


@router.get("/caps/template.csv", response_model=None)
def caps_template(request: Request) -> Response:
    """The regional table to fill for energy-use control: its header only (no number is
    invented); energy_tce or co2_t as the target's indicator needs, cap_tce optional."""
    actor = signed_in(request)
    if actor.role not in ("admin", "regulator"):
        return forbidden(request, actor)
    return Response(
        CAPS_TEMPLATE,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="caps_template.csv"'},
    )


@router.get("/caps", response_model=None)
def caps_form(request: Request) -> Response:
    """Energy-use control: upload a regional table, see each region against its path."""
    actor = signed_in(request)
    if actor.role not in ("admin", "regulator"):
        return forbidden(request, actor)
    return _caps_page(request, None, None, DEFAULT_TARGET)


def _caps_page(
    request: Request, result: dict[str, Any] | None, error: str | None, target: str
) -> Response:
    actor = signed_in(request)
    _ = gettext_of(locale_of(request))
    with session(request) as db:
        targets = caps_targets(db)
    return render(
        request,
        "policy/caps.html",
        status=400 if error else 200,
        user=actor,
        result=result,
        error=error,
        target=target,
        targets=targets,
        chart=caps_chart(result, _) if result else None,
    )


@router.post("/caps", response_model=None)
async def caps_run(request: Request) -> Response:
    """The regional table read on the event loop, parsed and tracked in a worker thread."""
    actor = await caller(request)
    if actor.role not in ("admin", "regulator"):
        return forbidden(request, actor)
    async with request.form() as form:  # closes the uploaded file's spool
        target = str(form.get("target") or DEFAULT_TARGET)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return await run_in_threadpool(
                _caps_page, request, None, "choose a CSV or XLSX file", target
            )
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        filename = upload.filename
    return await run_in_threadpool(_caps_run, request, filename, content, target)


def _caps_run(request: Request, filename: str | None, content: bytes, target: str) -> Response:
    try:
        name = uploaded_name(filename, len(content))
        with session(request) as db:
            result = track_caps(db, name, content, target)
    except CarbonpeakError as error:
        return _caps_page(request, None, said(error, locale_of(request)), target)
    return _caps_page(request, result, None, target)
