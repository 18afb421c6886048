"""The national carbon market's pages: for a regulator, the coverage of the data-quality plans
and monthly evidence of the enterprises of the market's sectors it sees and their compliance
positions by sector; for an enterprise (and a regulator looking at one), its year by the
market's guideline reconciled with its MIIT accounts, its plan, its months and its position."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.domain.days import china_today
from carbonpeak.errors import CarbonpeakError, InputError, NotFoundError, Problem
from carbonpeak.i18n import gettext_of, problem_text
from carbonpeak.reports.market import market_report_pdf, market_report_xlsx
from carbonpeak.reports.market_plan import plan_document_pdf, plan_document_xlsx
from carbonpeak.reports.names import warning_names
from carbonpeak.services.market import market_accounts
from carbonpeak.services.market_evidence import coverage
from carbonpeak.services.market_ledger import position_of, positions
from carbonpeak.services.market_plans import plan_document, plan_of
from carbonpeak.services.market_report import annual_report
from carbonpeak.web.site import (
    day_of,
    locale_of,
    missing,
    not_found,
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
    shown = _year(year, today.year)
    refused: str | None = None
    accounts: dict[str, Any] | None = None
    try:
        with session(request) as db:
            plan = plan_of(db, actor, enterprise_id, shown)
            try:
                accounts = market_accounts(db, actor, enterprise_id, shown)
            except InputError as error:  # e.g. no guideline of its sector in the library
                refused = said(error, locale_of(request))
            what_if = (accounts or {}).get("projection") or {}
            if isinstance(what_if.get("refused"), Problem):
                what_if["refused"] = problem_text(what_if["refused"], locale_of(request))
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
    )


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
    )
