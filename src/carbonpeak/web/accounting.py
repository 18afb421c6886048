"""Reports through the dashboard: an enterprise uploads its activity table, sees every problem
with sheet, row and column or else a preview of the accounts, and submits; a regulator
returns a report with a comment, verifies it and approves it. A filled NBS form 205-1
(能源购进、消费与库存) is read as an activity table (`io/energy_form.py`); its blank copy is here.

An upload that passes the check is kept as a draft: the preview shows the drafts' accounts,
and submitting moves them on for review. Nothing is stored from a file with a problem.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.errors import CarbonpeakError, InputError, NotFoundError
from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting import blank_workbook, submit_drafts, upload_drafts
from carbonpeak.services.accounting_review import review
from carbonpeak.services.accounting_versions import list_submissions
from carbonpeak.web.listing import Column, asked, paged
from carbonpeak.web.site import (
    caller,
    forbidden,
    locale_of,
    missing,
    placed_rows,
    render,
    report_response,
    said,
    session,
    signed_in,
)

REVIEW_ACTIONS = ("return", "verify", "approve")
PAGE = 50

router = APIRouter(include_in_schema=False)


@router.get("/upload", response_model=None)
def upload_page(request: Request) -> Response:
    actor = signed_in(request)
    return render(request, "accounting/upload.html", user=actor, problems=None, drafts=None)


@router.get("/upload/template.xlsx", response_model=None)
def template(request: Request) -> Response:
    signed_in(request)
    return _workbook(request, "activity", "activity-template.xlsx")


@router.get("/upload/form-205-1.xlsx", response_model=None)
def energy_form(request: Request) -> Response:
    """A blank NBS form 205-1 (能源购进、消费与库存), which the upload reads as it is filled."""
    signed_in(request)
    return _workbook(request, "energy_form", "form-205-1.xlsx")


def _workbook(request: Request, kind: str, name: str) -> Response:
    """The blank workbook of `kind` (made with the library in force), as the download
    `name`."""
    with session(request) as db:
        content = blank_workbook(db, kind)
    return report_response(content, "xlsx", name)


@router.post("/upload", response_model=None)
async def upload(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    """The body read on the event loop; its parsing and the drafts stored in a worker thread
    (a large workbook would hold every other request while it parses)."""
    actor = await caller(request)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    return await run_in_threadpool(_upload, request, actor, file.filename, content)


def _upload(request: Request, actor: Actor, filename: str | None, content: bytes) -> Response:
    try:
        name = uploaded_name(filename, len(content))
        with session(request) as db, db.begin():
            drafts = upload_drafts(db, actor, name, content)
    except InputError as exc:
        problems = placed_rows(exc, locale_of(request))
        return render(
            request,
            "accounting/upload.html",
            status=422,
            user=actor,
            problems=problems,
            drafts=None,
        )
    except CarbonpeakError as exc:  # not allowed to submit
        return render(
            request,
            "accounting/upload.html",
            status=403,
            user=actor,
            problems=[{"message": str(exc)}],
            drafts=None,
        )
    return render(
        request,
        "accounting/upload.html",
        user=actor,
        problems=None,
        drafts=drafts,
        file_name=name,
    )


@router.post("/upload/submit", response_model=None)
async def submit(request: Request) -> Response:
    actor = await caller(request)
    form = await request.form()
    chosen = [int(str(v)) for v in form.getlist("submission_id") if str(v).isdigit()]
    return await run_in_threadpool(_submit, request, actor, chosen)


def _submit(request: Request, actor: Actor, chosen: list[int]) -> Response:
    with session(request) as db, db.begin():
        done = submit_drafts(db, actor, chosen)
    target = f"/enterprises/{done[0]['enterprise_id']}" if done else "/upload"
    return RedirectResponse(target, status_code=303)


# The review queue, paged, sorted and searched in SQL (the state and the enterprise's code are
# the page's own filters).
QUEUE = (
    Column("submission_id", "number"),
    Column("enterprise_id"),
    Column("period"),
    Column("version", "number"),
    Column("comment", sortable=False),
)


def _queue(request: Request, state: str, enterprise: str, error: str | None = None) -> Response:
    """The review queue: submissions in a state, optionally of one enterprise."""
    actor = signed_in(request)
    if actor.role not in ("admin", "regulator"):
        return forbidden(request, actor)
    params = [] if error else list(request.query_params.multi_items())
    wanted = asked(params or [("state", state), ("enterprise", enterprise)], QUEUE, per=PAGE)
    with session(request) as db:
        total, rows = list_submissions(
            db,
            actor,
            state=state,
            limit=wanted.per,
            offset=wanted.offset,
            enterprise_id=enterprise.strip() or None,
            search=wanted.q,
            sort=wanted.sort,
            descending=wanted.descending,
        )
    return render(
        request,
        "accounting/review.html",
        status=422 if error else 200,
        user=actor,
        listing=paged(total, rows, QUEUE, wanted),
        state=state,
        enterprise=enterprise.strip(),
        error=error,
    )


@router.get("/review", response_model=None)
def review_queue(request: Request, state: str = "submitted", enterprise: str = "") -> Response:
    return _queue(request, state, enterprise)


@router.post("/review/{submission_id}", response_model=None)
def review_one(
    request: Request,
    submission_id: int,
    action: str = Form(...),
    comment: str = Form(""),
    state: str = Form("submitted"),
    enterprise: str = Form(""),
) -> Response:
    actor = signed_in(request)
    try:
        if action not in REVIEW_ACTIONS:
            raise InputError(f"choose one of {', '.join(REVIEW_ACTIONS)}")
        with session(request) as db, db.begin():
            review(db, actor, submission_id, action, comment.strip() or None)
    except NotFoundError:  # missing, or another's: the same page
        return missing(request, actor)
    except CarbonpeakError as exc:
        return _queue(request, state, enterprise, error=said(exc, locale_of(request)))
    query = urlencode({"state": state, "enterprise": enterprise})
    return RedirectResponse(f"/review?{query}", status_code=303)
