"""The technology directory's pages: the search (words in Chinese or English, filters by
sector, process, catalogue and what an entry addresses), with its CSV and workbook; an
entry's page (its figures and source, the enterprises whose gaps it addresses, the register's
measures that used it with their verified savings, and a form to record a measure's use); and
the import of a catalogue's spreadsheet as a draft edition, for an editor."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.errors import CarbonpeakError, InputError, NotFoundError, PermissionDenied
from carbonpeak.io.directory import workbook_bytes
from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.services import directory as directory_service
from carbonpeak.web.site import (
    caller,
    csv_response,
    locale_of,
    missing,
    placed_rows,
    render,
    said,
    session,
    signed_in,
)

FILTERS = ("sector", "process", "catalogue", "link")
LIMIT = 200
MAX_ID = 2**31 - 1  # the register's ids are 32-bit integers in both stores (as the API bounds)
router = APIRouter(include_in_schema=False)


def _asked(request: Request) -> dict[str, Any]:
    params = request.query_params
    return {
        "question": params.get("q", "")[:200],
        **{f: (params.get(f) or None) for f in FILTERS},
    }


def _search_page(
    request: Request,
    status: int = 200,
    *,
    problems: list[dict[str, Any]] | None = None,
    draft: dict[str, Any] | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    actor = signed_in(request)
    asked = _asked(request)
    with session(request) as db:
        found = directory_service.search(db, limit=LIMIT, **asked)
    query = request.url.query
    return render(
        request,
        "directory/search.html",
        status=status,
        user=actor,
        found=found,
        asked=asked,
        query=query,
        problems=problems,
        draft=draft,
        error=error,
        form=form or {},
        editor="reference_editor" in actor.duties,
    )


@router.get("/directory", response_model=None)
def directory_search(request: Request) -> Response:
    """The search form and what it finds (every entry without words)."""
    return _search_page(request)


@router.get("/directory/directory.csv", response_model=None)
def directory_csv(request: Request) -> Response:
    """What the search finds, as CSV."""
    signed_in(request)
    with session(request) as db:
        header, rows = directory_service.export_table(db, **_asked(request))
    return csv_response("directory.csv", header, rows)


@router.get("/directory/directory.xlsx", response_model=None)
def directory_xlsx(request: Request) -> Response:
    """What the search finds, as a workbook."""
    signed_in(request)
    with session(request) as db:
        header, rows = directory_service.export_table(db, **_asked(request))
    return Response(
        workbook_bytes(header, rows, "directory"),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="directory.xlsx"'},
    )


def _entry_page(
    request: Request, key: str, status: int = 200, error: str | None = None
) -> Response:
    actor = signed_in(request)
    try:
        with session(request) as db:
            entry = directory_service.technology(db, actor, key)
    except NotFoundError:
        return missing(request, actor)
    return render(
        request,
        "directory/entry.html",
        status=status,
        user=actor,
        entry=entry,
        error=error,
        writer=actor.role in ("admin", "enterprise"),
    )


@router.get("/directory/entry", response_model=None)
def directory_entry(request: Request, key: str = "") -> Response:
    """An entry: its figures and source, the gaps it addresses, the measures that used it."""
    return _entry_page(request, key)


@router.post("/directory/entry", response_model=None)
def directory_use(
    request: Request,
    key: Annotated[str, Form()] = "",
    opportunity_id: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "use",
) -> Response:
    """Record that a measure of the register used the entry (or no longer)."""
    actor = signed_in(request)
    if (
        not opportunity_id.isascii()
        or not opportunity_id.isdigit()
        or len(opportunity_id) > 10
        or not 1 <= int(opportunity_id) <= MAX_ID
    ):
        return _entry_page(request, key, 400, f"opportunity_id: a number from 1 to {MAX_ID}")
    try:
        with session(request) as db, db.begin():
            directory_service.use_technology(
                db, actor, int(opportunity_id), key if action == "use" else None
            )
    except NotFoundError:
        return missing(request, actor)
    except PermissionDenied as error:
        return _entry_page(request, key, 403, said(error, locale_of(request)))
    except CarbonpeakError as error:
        return _entry_page(request, key, 422, said(error, locale_of(request)))
    return RedirectResponse(f"/directory/entry?key={quote(key)}", status_code=303)


@router.post("/directory/catalogues", response_model=None)
async def directory_import(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    """A catalogue's spreadsheet, with its document's fields, as a draft edition: every
    problem placed by sheet, row and column, nothing stored."""
    await caller(request)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    posted = {k: str(v) for k, v in (await request.form()).items() if k != "file"}
    return await run_in_threadpool(_import, request, file.filename, content, posted)


def _import(
    request: Request, filename: str | None, content: bytes, posted: dict[str, str]
) -> Response:
    actor = signed_in(request)
    fields = ("catalogue", "source_id", "title", "issuer", "document_number", "date", "url",
              "valid_from")  # fmt: skip
    form = {f: posted.get(f, "")[:500] for f in fields}
    try:
        name = uploaded_name(filename, len(content), (".xlsx",))
        info = form | {"status": "verified" if posted.get("status") == "verified" else "unverified"}
        with session(request) as db, db.begin():
            made = directory_service.import_catalogue(db, actor, name, content, info)
    except InputError as error:
        problems = placed_rows(error, locale_of(request))
        return _search_page(request, 422, problems=problems, form=form)
    except CarbonpeakError as error:
        return _search_page(request, 403, error=said(error, locale_of(request)), form=form)
    return _search_page(request, draft=made)
