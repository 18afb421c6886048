"""The regulator's overview: energy and emissions within its scope by year, by industry
division and by region, each chart with its table and CSV, and the regional summary report
(PDF or XLSX) that adds the efficiency grades."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from carbonpeak.i18n import gettext_of, translations
from carbonpeak.reports.render import RegionReport, region_pdf, region_xlsx
from carbonpeak.services.access import Actor
from carbonpeak.services.benchmarking import region_summary
from carbonpeak.services.enterprises import region_name
from carbonpeak.services.overview import OVERVIEW_FIGURES, overview_tables
from carbonpeak.services.reference import library_in_force
from carbonpeak.services.reference_restate import Basis
from carbonpeak.web.cache import kept_page
from carbonpeak.web.charts import overview_chart
from carbonpeak.web.site import (
    REPORT_TYPES,
    caller,
    csv_response,
    forbidden,
    locale_of,
    not_found,
    render,
    report_response,
    session,
    signed_in,
)

VIEWS = ("year", "industry", "region")
OVERSEERS = ("admin", "regulator")

router = APIRouter(include_in_schema=False)


@router.get("/overview", response_model=None)
async def overview(request: Request) -> Response:
    """The regulator's home; kept while the store stays the same (`web.cache`)."""
    actor = await caller(request)
    if actor.role not in OVERSEERS:
        return forbidden(request, actor)
    locale = locale_of(request)
    basis = _basis(request)
    return await kept_page(request, actor, lambda: _overview_page(request, actor, locale, basis))


def _basis(request: Request) -> Basis:
    """`?basis=reported`: the stored results as reported; else restated with the library in
    force."""
    return "reported" if request.query_params.get("basis") == "reported" else "restated"


def _overview_page(request: Request, actor: Actor, locale: str, basis: Basis) -> HTMLResponse:
    with session(request) as db:
        tables = overview_tables(db, actor, locale == "en", basis)
    _ = translations(locale).gettext
    charts = {view: overview_chart(view, table, _) for view, table in tables.items()}
    latest = tables["year"][-1] if tables["year"] else None
    return render(
        request,
        "overview/overview.html",
        user=actor,
        tables=tables,
        charts=charts,
        latest=latest,
        basis=basis,
    )


@router.get("/overview/report.{kind}", response_model=None)
def overview_report(request: Request, kind: str) -> Response:
    """The regional summary of the caller's scope as PDF or XLSX."""
    actor = signed_in(request)
    if actor.role not in OVERSEERS or kind not in REPORT_TYPES:
        return not_found()
    locale = locale_of(request)
    with session(request) as db:
        summary = region_summary(db, actor, locale == "en")
        reference = library_in_force(db)  # its citations include the approved editions
    report = RegionReport(
        scope=_scope_name(actor, locale),
        year=summary["year"],
        tables=summary["tables"],
        grades=summary["grades"],
        below=summary["below"],
        reference=reference,
        locale=locale,
    )
    content = region_pdf(report) if kind == "pdf" else region_xlsx(report)
    return report_response(content, kind, f"summary-{summary['year']}.{kind}")


@router.get("/overview/{view}.csv", response_model=None)
def overview_csv(request: Request, view: str) -> Response:
    actor = signed_in(request)
    if actor.role not in OVERSEERS or view not in VIEWS:
        return not_found()
    basis = _basis(request)
    with session(request) as db:
        table = overview_tables(db, actor, locale_of(request) == "en", basis)[view]
    return csv_response(
        f"overview-{view}-{basis}.csv",
        ["key", "label", "enterprises", *OVERVIEW_FIGURES],
        (
            [row["key"], row["label"], row["enterprises"]]
            + [round(row[f], 3) for f in OVERVIEW_FIGURES]
            for row in table
        ),
    )


def _scope_name(actor: Actor, locale: str) -> str:
    """The regions a caller oversees, by name (all of them for an admin)."""
    _ = gettext_of(locale)
    if actor.role == "admin" or not actor.regions:
        return _("All regions")
    return ", ".join(region_name(code, locale == "en") for code in sorted(actor.regions))
