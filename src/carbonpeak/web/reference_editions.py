"""The reference library's editions on the dashboard (issue 20): every signed-in user reads
them; a user with the duty `reference_editor` downloads the blank workbook and uploads an
edition (a draft, shown with what it changes, or its problems placed); a user with the duty
`reference_reviewer` who did not upload it approves or rejects it with a comment."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from carbonpeak.errors import N_, CarbonpeakError, InputError, NotFoundError, PermissionDenied
from carbonpeak.i18n import problem_text
from carbonpeak.io.reference_edition import write_edition_template
from carbonpeak.io.tables import MAX_FORM_FIELDS, MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.reference.loader import ReferenceLookupError, default_reference
from carbonpeak.services.access import Actor
from carbonpeak.services.reference_editions import (
    EDITOR,
    REVIEWER,
    decide,
    edition_template_tables,
    edition_view,
    export_edition,
    import_edition,
    list_editions,
    not_applying,
)
from carbonpeak.services.reference_evidence import document, row_for_review, verify_row
from carbonpeak.services.reference_restate import restatement
from carbonpeak.web.site import (
    by_field,
    caller,
    forbidden,
    locale_of,
    missing,
    placed_rows,
    render,
    said,
    session,
    signed_in,
)

router = APIRouter(include_in_schema=False)
# what an edition does to a row, as the page says it (the states are the submissions' words)
ACTION_WORDS = (N_("add"), N_("change"), N_("retire"))
STATE_WORDS = (N_("draft"), N_("approved"), N_("rejected"), N_("withdrawn"))  # an edition's
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the types an attached document is served as; any other is served as bytes to download
DOCUMENT_TYPES = ("application/pdf", "image/png", "image/jpeg", XLSX, "text/csv")


def _table_names() -> dict[str, dict[str, str]]:
    """Each table's code and names (Chinese and English), for the pages that show a table by
    its name (`reference/_names.html`)."""
    return {
        spec.name: {"table": spec.name, "name_zh": spec.name_zh, "name_en": spec.name_en}
        for spec in default_reference().catalog.tables.values()
    }


def _list_page(request: Request, actor: Actor, status: int = 200, **extra: Any) -> Response:
    with session(request) as db:
        editions, left_out = list_editions(db), not_applying(db)
    locale = locale_of(request)  # each problem in the reader's language
    left_out = [
        {**e, "problems": [problem_text(p, locale) for p in e["problems"]]} for e in left_out
    ]
    return render(
        request,
        "reference_editions/editions.html",
        status=status,
        user=actor,
        editions=editions,
        left_out=left_out,
        editor=EDITOR in actor.duties,
        tables=list(_table_names().values()),
        **{"problems": None, "file_name": None, **extra},
    )


@router.get("/reference/editions", response_model=None)
def editions_page(request: Request) -> Response:
    """The editions, newest first; the upload form for an editor."""
    return _list_page(request, signed_in(request))


@router.get("/reference/editions/template.xlsx", response_model=None)
def edition_template(
    request: Request, table: Annotated[list[str] | None, Query()] = None
) -> Response:
    """The blank edition workbook with a sheet for each `table` asked (`?table=formulas&table=
    formula_bands`: a formula and its bands in one workbook)."""
    actor = signed_in(request)
    try:
        chosen = edition_template_tables(default_reference(), table or ["grid_emission_factors"])
    except InputError:
        return missing(request, actor)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "edition.xlsx"
        write_edition_template(path, default_reference(), chosen)
        content = path.read_bytes()
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="edition.xlsx"'},
    )


@router.post("/reference/editions", response_model=None)
async def upload_edition(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    """Keep an uploaded edition as a draft and show it, or the list with its problems (422,
    nothing stored). Read on the event loop; checked and stored in a worker thread."""
    actor = await caller(request)
    if EDITOR not in actor.duties:
        return forbidden(request, actor)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    return await run_in_threadpool(_upload, request, actor, file.filename, content)


def _upload(request: Request, actor: Actor, filename: str | None, content: bytes) -> Response:
    name = filename or ""
    try:
        name = uploaded_name(filename, len(content))
        with session(request) as db, db.begin():
            made = import_edition(db, actor, name, content)
    except InputError as error:
        problems = placed_rows(error, locale_of(request))
        return _list_page(request, actor, 422, problems=problems, file_name=name)
    return RedirectResponse(f"/reference/editions/{made['edition_id']}", status_code=303)


def _edition_page(
    request: Request, actor: Actor, edition_id: int, status: int = 200, error: str | None = None
) -> Response:
    with session(request) as db:
        try:
            shown = edition_view(db, edition_id, actor)
        except NotFoundError:
            return missing(request, actor)
    reviewer = (
        REVIEWER in actor.duties and shown["state"] == "draft" and shown["author"] != actor.username
    )
    return render(
        request,
        "reference_editions/edition.html",
        status=status,
        user=actor,
        edition=shown,
        names=_table_names(),
        reviewer=reviewer,
        withdrawer=REVIEWER in actor.duties and shown["state"] == "approved",
        error=error,
    )


@router.get("/reference/editions/{edition_id}", response_model=None)
def edition_page(request: Request, edition_id: int) -> Response:
    """An edition with what it changes; the reviewer's form on a draft."""
    return _edition_page(request, signed_in(request), edition_id)


@router.get("/reference/editions/{edition_id}/package.zip", response_model=None)
def edition_package(request: Request, edition_id: int) -> Response:
    """An approved edition as a package for another installation."""
    actor = signed_in(request)
    try:
        with session(request) as db:
            name, content = export_edition(db, edition_id)
    except (NotFoundError, InputError):
        return missing(request, actor)
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/reference/editions/{edition_id}/decision", response_model=None)
def edition_decision(
    request: Request,
    edition_id: int,
    verdict: Annotated[str, Form()],
    comment: Annotated[str, Form()] = "",
) -> Response:
    """Approve or reject a draft, or withdraw an approved edition, with a comment; then back
    to it (or its page with why not)."""
    actor = signed_in(request)
    if REVIEWER not in actor.duties:
        return forbidden(request, actor)
    verdicts: dict[str, Literal["approve", "reject", "withdraw"]] = {
        "approve": "approve",
        "reject": "reject",
        "withdraw": "withdraw",
    }
    if verdict not in verdicts:
        return _edition_page(request, actor, edition_id, 422, verdict)
    try:
        with session(request) as db, db.begin():
            decide(db, actor, edition_id, verdicts[verdict], comment)
    except NotFoundError:
        return missing(request, actor)
    except PermissionDenied:
        return forbidden(request, actor)
    except CarbonpeakError as error:
        return _edition_page(request, actor, edition_id, 422, said(error, locale_of(request)))
    return RedirectResponse(f"/reference/editions/{edition_id}", status_code=303)


@router.get("/reference/restatement", response_model=None)
def restatement_page(request: Request) -> Response:
    """The restatement report of the caller's scope: per year as reported and as restated with
    the library in force, and the approved editions that make the difference."""
    actor = signed_in(request)
    if actor.role not in ("admin", "regulator"):
        return forbidden(request, actor)
    with session(request) as db:
        report = restatement(db, actor)
    locale = locale_of(request)
    report["not_restated"] = [
        {**f, "problem": problem_text(f["problem"], locale)} for f in report["not_restated"]
    ]
    return render(request, "reference_editions/restatement.html", user=actor, report=report)


def _row_key(request: Request, table: str) -> tuple[dict[str, str], str | None]:
    """The row a verification is of, as the table page links it: its key columns and, in a
    dated table, its valid_from, from the query."""
    spec = default_reference().spec(table)
    query = request.query_params
    return {k: query.get(k, "") for k in spec.key}, query.get("valid_from") or None


@router.get("/reference/tables/{table}/verify", response_model=None)
def verify_form(request: Request, table: str) -> Response:
    """The reviewer's form for one row: cite where it was read (and attach the document), or
    correct its values."""
    actor = signed_in(request)
    if REVIEWER not in actor.duties:
        return forbidden(request, actor)
    try:
        key, valid_from = _row_key(request, table)
        with session(request) as db:
            shown = row_for_review(db, table, key, valid_from)
    except (ReferenceLookupError, NotFoundError):
        return missing(request, actor)
    return render(
        request,
        "reference_editions/verify.html",
        user=actor,
        shown=shown,
        errors={},
        names=_table_names(),
    )


@router.post("/reference/tables/{table}/verify", response_model=None)
async def verify_post(request: Request, table: str) -> Response:
    """Verify or correct the row; then the edition it made (or the form with what is wrong)."""
    actor = await caller(request)
    if REVIEWER not in actor.duties:
        return forbidden(request, actor)
    attachment = None
    async with request.form(max_fields=MAX_FORM_FIELDS) as form:  # closes the file after
        attached = form.get("document")
        if isinstance(attached, StarletteUpload) and attached.filename:
            content = await attached.read(MAX_UPLOAD_BYTES + 1)
            attachment = (attached.filename, content, attached.content_type or "")
        fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    return await run_in_threadpool(_verify, request, actor, table, fields, attachment)


def _verify(
    request: Request,
    actor: Actor,
    table: str,
    fields: dict[str, str],
    attachment: tuple[str, bytes, str] | None,
) -> Response:
    try:
        spec = default_reference().spec(table)
    except ReferenceLookupError:
        return missing(request, actor)
    key = {k: fields.get(f"key_{k}", "") for k in spec.key}
    valid_from = fields.get("key_valid_from") or None
    cited = {
        k: fields.get(k, "")
        for k in ("source_id", "title", "issuer", "document_number", "date", "url")
    }
    corrected = {
        c.name: fields[f"value_{c.name}"] for c in spec.columns if f"value_{c.name}" in fields
    }
    try:
        with session(request) as db, db.begin():
            made = verify_row(
                db,
                actor,
                table,
                key,
                valid_from,
                cited,
                fields.get("clause", ""),
                corrected,
                attachment,
            )
    except NotFoundError:
        return missing(request, actor)
    except InputError as error:
        with session(request) as db:
            shown = row_for_review(db, table, key, valid_from)
        return render(
            request,
            "reference_editions/verify.html",
            status=422,
            user=actor,
            shown=shown,
            errors=by_field(error, locale_of(request)),
            names=_table_names(),
        )
    return RedirectResponse(f"/reference/editions/{made['edition_id']}", status_code=303)


@router.get("/reference/documents/{digest}", response_model=None)
def evidence_document(request: Request, digest: str) -> Response:
    """An attached source document, as it was attached."""
    actor = signed_in(request)
    try:
        with session(request) as db:
            kept = document(db, digest)
            content, kind, name = kept.content, kept.media_type, kept.file_name
    except NotFoundError:
        return missing(request, actor)
    quoted = quote(name)
    shown = kind if kind in DOCUMENT_TYPES else "application/octet-stream"
    return Response(
        content,
        media_type=shown,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quoted}",
            "X-Content-Type-Options": "nosniff",
        },
    )
