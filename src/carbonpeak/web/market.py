"""The national carbon market's pages: for a regulator, the coverage of the data-quality plans
and monthly evidence of the enterprises of the market's sectors it sees and their compliance
positions by sector; for an enterprise (and a regulator looking at one), its year by the
market's guideline reconciled with its MIIT accounts, its plan, its months and its position."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.domain.days import china_today
from carbonpeak.errors import (
    CarbonpeakError,
    InputError,
    NotFoundError,
    PermissionDenied,
    Problem,
)
from carbonpeak.i18n import gettext_of, problem_text
from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.reports.market import market_report_pdf, market_report_xlsx
from carbonpeak.reports.market_plan import plan_document_pdf, plan_document_xlsx
from carbonpeak.reports.names import warning_names
from carbonpeak.services.market import market_accounts
from carbonpeak.services.market_evidence import coverage
from carbonpeak.services.market_ledger import position_of, positions
from carbonpeak.services.market_plans import plan_document, plan_of
from carbonpeak.services.market_processes import upload_processes
from carbonpeak.services.market_report import annual_report
from carbonpeak.web.site import (
    caller,
    day_of,
    forbidden,
    locale_of,
    missing,
    not_found,
    placed_rows,
    render,
    report_response,
    said,
    session,
    signed_in,
)

router = APIRouter(include_in_schema=False)


def _year(text: str | None, default: int) -> int:
    return _number(text) if text and 2024 <= _number(text) <= 2100 else default


def _number(text: str) -> int:
    """A whole number written in at most 6 ASCII digits, else 0."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else 0


@router.get("/market", response_model=None)
def overview(request: Request, year: str | None = None, as_of: str | None = None) -> Response:
    """Coverage of plans and months of `year` (default: this year) and the compliance
    positions of the year before, by sector."""
    actor = signed_in(request)
    today = day_of(as_of) or china_today()
    shown = _year(year, today.year)
    with session(request) as db:
        covered = coverage(db, actor, shown, today)
        held = positions(db, actor, shown - 1, today)
    return render(
        request,
        "market/overview.html",
        user=actor,
        year=shown,
        coverage=covered,
        positions=held,
    )


@router.get("/market/enterprises/{enterprise_id}", response_model=None)
def enterprise(
    request: Request, enterprise_id: str, year: str | None = None, as_of: str | None = None
) -> Response:
    """An enterprise's year by the market's guideline, its reconciliation with the MIIT
    accounts, its plan and months of the year, and its position of the year before."""
    actor = signed_in(request)
    today = day_of(as_of) or china_today()
    return _enterprise_page(request, actor, enterprise_id, _year(year, today.year), today)


def _enterprise_page(
    request: Request,
    actor: Any,
    enterprise_id: str,
    shown: int,
    today: Any,
    status: int = 200,
    problems: list[dict[str, Any]] | None = None,
) -> Response:
    refused: str | None = None
    accounts: dict[str, Any] | None = None
    try:
        with session(request) as db:
            plan = plan_of(db, actor, enterprise_id, shown)
            try:
                accounts = market_accounts(db, actor, enterprise_id, shown)
            except InputError as error:  # e.g. no guideline of its sector in the library
                refused = said(error, locale_of(request))
            _said(accounts or {}, locale_of(request))
            months = next(
                (
                    e
                    for e in coverage(db, actor, shown, today)["enterprises"]
                    if e["enterprise_id"] == enterprise_id
                ),
                None,
            )
            position = position_of(db, actor, enterprise_id, shown - 1, today)
    except NotFoundError:
        return missing(request, actor)
    except CarbonpeakError as error:  # not a market sector: said on the page
        return _refused(request, actor, shown, enterprise_id, error)
    return render(
        request,
        "market/enterprise.html",
        status=status,
        user=actor,
        year=shown,
        enterprise_id=enterprise_id,
        items=warning_names(locale_of(request))["items"],
        refused=refused,
        accounts=accounts,
        plan=plan,
        sources_missing=[problem_text(p, locale_of(request)) for p in plan["sources_missing"]],
        months=months,
        position=position,
        files=actor.role == "admin"
        or (actor.role == "enterprise" and enterprise_id in actor.enterprises),
        problems=problems or [],
    )


@router.post("/market/enterprises/{enterprise_id}/processes", response_model=None)
async def processes_upload(
    request: Request,
    enterprise_id: str,
    file: Annotated[UploadFile, File()],
    year: Annotated[str | None, Form()] = None,
) -> Response:
    """Store the enterprise's process sheet of a year and show that year's page, or the page
    of `year` (the one the form was on) with the sheet's problems placed (422, nothing
    stored). Read on the event loop, checked and stored in a worker thread."""
    actor = await caller(request)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    return await run_in_threadpool(
        _processes_upload, request, actor, enterprise_id, file.filename, content, year
    )


def _processes_upload(
    request: Request,
    actor: Any,
    enterprise_id: str,
    filename: str | None,
    content: bytes,
    year: str | None,
) -> Response:
    today = china_today()
    shown = _year(year, today.year)
    try:
        name = uploaded_name(filename, len(content))
        with session(request) as db, db.begin():
            stored = upload_processes(db, actor, enterprise_id, name, content)
    except NotFoundError:
        return missing(request, actor)
    except PermissionDenied:  # a regulator reads the sheet, the enterprise files it
        return forbidden(request, actor)
    except CarbonpeakError as error:
        if isinstance(error, InputError):
            problems = placed_rows(error, locale_of(request))
        else:  # e.g. not a sector of the market
            problems = [{"message": said(error, locale_of(request))}]
        return _enterprise_page(request, actor, enterprise_id, shown, today, 422, problems)
    return RedirectResponse(
        f"/market/enterprises/{enterprise_id}?year={stored['year']}#processes", status_code=303
    )


def _said(accounts: dict[str, Any], locale: str) -> None:
    """The service's refusals in the view (the what-if's, the process sheet's, the
    allowance's: `Problem`s) said in the reader's language."""
    parts = [accounts.get("projection") or {}, accounts.get("allocation") or {}]
    for part, key in [*((p, "refused") for p in parts), (accounts, "process_refused")]:
        if isinstance(part.get(key), Problem):
            part[key] = problem_text(part[key], locale)


@router.get("/market/enterprises/{enterprise_id}/report.{kind}", response_model=None)
def report(request: Request, enterprise_id: str, kind: str, year: str | None = None) -> Response:
    """The year's emissions report by the guideline as a workbook or a PDF (Chinese first)."""
    if kind not in ("xlsx", "pdf"):
        return not_found()
    actor = signed_in(request)
    shown = _year(year, china_today().year)
    try:
        with session(request) as db:
            view = annual_report(db, actor, enterprise_id, shown)
    except NotFoundError:
        return missing(request, actor)
    except CarbonpeakError as error:
        return _refused(request, actor, shown, enterprise_id, error)
    make = market_report_xlsx if kind == "xlsx" else market_report_pdf
    content = make(view, locale_of(request))
    return report_response(content, kind, f"market-{enterprise_id}-{shown}.{kind}")


@router.get("/market/enterprises/{enterprise_id}/plan.{kind}", response_model=None)
def plan_file(
    request: Request,
    enterprise_id: str,
    kind: str,
    year: str | None = None,
    version: str | None = None,
) -> Response:
    """The year's data-quality control plan (its latest filed version, or `version`) as a
    document laid out after Annex B, a PDF or a workbook (Chinese first); a plan or version
    not filed is a 404 page that says so."""
    if kind not in ("xlsx", "pdf"):
        return not_found()
    actor = signed_in(request)
    shown = _year(year, china_today().year)
    asked = None if version is None else _number(version)
    try:
        with session(request) as db:
            view = plan_document(db, actor, enterprise_id, shown, asked)
    except NotFoundError:
        return missing(request, actor)
    except CarbonpeakError as error:
        return _refused(request, actor, shown, enterprise_id, error)
    locale = locale_of(request)
    if view["plan"] is None:
        _ = gettext_of(locale)
        text = (
            _("No data-quality control plan of this year has been filed.")
            if version is None
            else _(
                "Version %(version)s of the data-quality control plan of %(year)s has not "
                "been filed.",
                version=version[:12],
                year=shown,
            )
        )
        return _refused(request, actor, shown, enterprise_id, text, status=404)
    make = plan_document_xlsx if kind == "xlsx" else plan_document_pdf
    name = f"plan-{enterprise_id}-{shown}-v{view['version']}.{kind}"
    return report_response(make(view, locale), kind, name)


def _refused(
    request: Request,
    actor: Any,
    year: int,
    enterprise_id: str,
    error: CarbonpeakError | str,
    status: int = 422,
) -> Response:
    """The enterprise's market page saying why there is nothing to show (e.g. not a sector of
    the market: 422; a plan not filed: 404)."""
    return render(
        request,
        "market/enterprise.html",
        status=status,
        user=actor,
        year=year,
        enterprise_id=enterprise_id,
        refused=error if isinstance(error, str) else said(error, locale_of(request)),
        accounts=None,
        plan=None,
        months=None,
        position=None,
        files=False,
        problems=[],
    )
