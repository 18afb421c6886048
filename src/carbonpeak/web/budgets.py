"""Carbon budgets (碳排放预算). `/budgets`: the year's budgets of the caller's scope as a
cascade (province -> prefecture -> county -> enterprise), each with its cap, use to date, used
share against elapsed share, projected year-end and alert level; `/budgets/{id}`: one budget's
months as a chart (allowed, reported, nowcast with its band, cumulative) with its table, its
fields and its alerts; `/budgets/alerts`: the alerts, open first. Every table as CSV.

Budgets come in as a workbook with Chinese headers (issue 18): on `/budgets` a regulator or
the administrator uploads one (`POST /budgets/import`, `services.budgets_files.import_upload`
once): saved, the page of the saved year says how many; with a problem, nothing is stored and
the page lists every problem at its file, sheet, row and column (as the file spells it). Every
role downloads its budgets of a year as the export workbook (`/budgets/export.xlsx`), which
imports back; the blank workbook to fill in is `/budgets/template.xlsx`."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.domain.days import china_today
from carbonpeak.errors import N_, CarbonpeakError, InputError, Place, Problem
from carbonpeak.i18n import gettext_of
from carbonpeak.io.budgets import write_template
from carbonpeak.io.lake import default_lake
from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.services.access import Actor
from carbonpeak.services.budgets_files import export_workbook, import_upload
from carbonpeak.services.budgets_view import alerts_page, budget_detail, budgets_page
from carbonpeak.web.cache import kept_page
from carbonpeak.web.charts_budgets import budget_chart, rounded
from carbonpeak.web.listing import Column, asked, listed
from carbonpeak.web.site import (
    caller,
    csv_response,
    forbidden,
    locale_of,
    missing,
    not_found,
    placed_rows,
    render,
    report_response,
    session,
    signed_in,
)

router = APIRouter(include_in_schema=False)

LEVEL_COLOURS = {"green": "#1b7f5b", "yellow": "#b7791f", "red": "#c0392b"}
ROLES = ("admin", "regulator", "enterprise")
IMPORTERS = ("admin", "regulator")  # who sets budgets (services.budgets.save_budgets)


def lake_or_none() -> Path | None:
    """The configured lake, when there is one (the nowcast reads it)."""
    lake = default_lake()
    return lake if lake.exists() else None


def _year(year: int | None) -> int:
    return year if year is not None and 1990 <= year <= 2100 else china_today().year


@router.get("/budgets", response_model=None)
async def budgets(request: Request, year: int | None = None, saved: int | None = None) -> Response:
    """The budgets of the caller's scope for a year (this year by default), as a cascade;
    `saved`: how many budgets the import just saved (its note). Kept while the store and the
    lake stay the same (`web.cache`)."""
    actor = await caller(request)
    if actor.role not in ROLES:
        return missing(request, actor)
    return await kept_page(
        request, actor, lambda: _page(request, actor, _year(year), saved=saved), lake=True
    )


# The cascade as a long table: in cascade order unless sorted; searched by name or code.
CASCADE = (
    *(Column(k) for k in ("name", "code")),
    Column("quantity", "choice", label="quantity_name"),
    *(Column(k, "number") for k in ("implied_cap", "used_to_date", "used_share", "projected")),
    Column("level", "choice", label="level_name"),
)


def _page(request: Request, actor: Actor, year: int, status: int = 200, **extra: Any) -> Response:
    with session(request) as db:
        view = budgets_page(
            db, actor, year, china_today(), lake_or_none(), locale_of(request) == "en"
        )
    _ = gettext_of(locale_of(request))
    names = {"co2": _("CO2 (t)"), "energy": _("Energy (tce)")}
    levels = {"red": _("Red"), "yellow": _("Yellow"), "green": _("Green")}
    rows = [
        r | {"quantity_name": names.get(r["quantity"]), "level_name": levels.get(r["level"] or "")}
        for r in view["rows"]
    ]
    params = request.query_params.multi_items() if request.method == "GET" else []
    view["listing"] = listed(rows, CASCADE, asked(params, CASCADE))
    return render(
        request,
        "budgets/budgets.html",
        status=status,
        user=actor,
        view=view,
        importer=actor.role in IMPORTERS,
        **{"saved": None, "problems": None, "file_name": None, **extra},
    )


@router.post("/budgets/import", response_model=None)
async def import_budgets(
    request: Request,
    file: Annotated[UploadFile, File()],
    year: Annotated[int | None, Form()] = None,
) -> Response:
    """Save the budgets of an uploaded workbook or CSV (regulators and the administrator):
    to the page of the year saved, or back to the page of `year` with every problem. The
    body is read on the event loop, parsed and stored in a worker thread."""
    actor = await caller(request)
    if actor.role not in IMPORTERS:
        return forbidden(request, actor)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    return await run_in_threadpool(_import, request, actor, file.filename, content, year)


def _import(
    request: Request, actor: Actor, filename: str | None, content: bytes, year: int | None
) -> Response:
    name = filename or ""
    try:
        name = uploaded_name(filename, len(content))
        with session(request) as db, db.begin():
            saved = import_upload(db, actor, name, content)
            if not saved:
                raise InputError([Problem.of(Place(file=name), N_("the file holds no budgets"))])
    except InputError as error:
        problems = placed_rows(error, locale_of(request))
        return _page(request, actor, _year(year), status=422, problems=problems, file_name=name)
    except CarbonpeakError as error:  # a budget outside the caller's reach, refused
        problems = [{"message": str(error)}]
        return _page(request, actor, _year(year), status=403, problems=problems, file_name=name)
    shown = int(saved[0]["year"])
    return RedirectResponse(f"/budgets?year={shown}&saved={len(saved)}", status_code=303)


@router.get("/budgets/export.xlsx", response_model=None)
def export(request: Request, year: int | None = None) -> Response:
    """The caller's budgets of a year as the export workbook (Chinese headers; it imports
    back), with each budget's tracking and the notes."""
    actor = signed_in(request)
    if actor.role not in ROLES:
        return not_found()
    chosen = _year(year)
    with session(request) as db:
        content = export_workbook(db, actor, chosen, None, lake_or_none())
    return report_response(content, "xlsx", f"budgets-{chosen}.xlsx")


@router.get("/budgets/template.xlsx", response_model=None)
def template(request: Request) -> Response:
    """The blank budgets workbook to fill in (io/budgets.py's headers and notes)."""
    signed_in(request)
    buffer = io.BytesIO()
    write_template(buffer)
    return report_response(buffer.getvalue(), "xlsx", "budgets-template.xlsx")


@router.get("/budgets/alerts", response_model=None)
def alerts(request: Request) -> Response:
    """The alerts of the caller's budgets, open first."""
    actor = signed_in(request)
    if actor.role not in ROLES:
        return missing(request, actor)
    with session(request) as db:
        found = alerts_page(db, actor, locale_of(request) == "en")
    return render(request, "budgets/alerts.html", user=actor, alerts=found)


@router.get("/budgets/alerts.csv", response_model=None)
def alerts_csv(request: Request) -> Response:
    actor = signed_in(request)
    with session(request) as db:
        found = alerts_page(db, actor, locale_of(request) == "en")
    return csv_response("budget-alerts.csv", *_alert_rows(found))


@router.get("/budgets.csv", response_model=None)
def budgets_csv(request: Request, year: int | None = None) -> Response:
    actor = signed_in(request)
    chosen = _year(year)
    with session(request) as db:
        view = budgets_page(
            db, actor, chosen, china_today(), lake_or_none(), locale_of(request) == "en"
        )
    return csv_response(f"budgets-{chosen}.csv", *_budget_rows(view["rows"]))


@router.get("/budgets/{budget_id}", response_model=None)
def budget(request: Request, budget_id: int) -> Response:
    """One budget: its months (chart and table), its fields, its children and alerts."""
    actor = signed_in(request)
    locale = locale_of(request)
    with session(request) as db:
        try:
            view = budget_detail(
                db, actor, budget_id, china_today(), lake_or_none(), locale == "en"
            )
        except CarbonpeakError:
            return missing(request, actor)
    _ = gettext_of(locale)
    return render(
        request,
        "budgets/budget.html",
        user=actor,
        view=view,
        b=view["budget"],
        chart=budget_chart(view["months"], _) if view["months"] else None,
    )


@router.get("/budgets/{budget_id}/{table}.csv", response_model=None)
def budget_csv(request: Request, budget_id: int, table: str) -> Response:
    """A table of one budget as CSV: `months`, `children` or `alerts`."""
    actor = signed_in(request)
    if table not in ("months", "children", "alerts"):
        return not_found()
    with session(request) as db:
        try:
            view = budget_detail(db, actor, budget_id, china_today(), lake_or_none())
        except CarbonpeakError:
            return not_found()
    name = f"budget-{budget_id}-{table}.csv"
    if table == "months":
        return csv_response(name, *_month_rows(view["months"]))
    if table == "children":
        return csv_response(name, *_budget_rows(view["children"]))
    return csv_response(name, *_alert_rows(view["alerts"]))


BUDGET_COLUMNS = (
    "budget_id",
    "parent_id",
    "scope",
    "code",
    "name",
    "year",
    "quantity",
    "unit",
    "implied_cap",
    "used_to_date",
    "reported_to_date",
    "nowcast_to_date",
    "nowcast_metered_to_date",
    "nowcast_estimated_to_date",
    "used_share",
    "elapsed_share",
    "judged_share",
    "pace",
    "projected",
    "projected_low",
    "projected_high",
    "projected_share",
    "level",
)


def _budget_rows(rows: Sequence[dict[str, Any]]) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
    header = (*BUDGET_COLUMNS[:5], "depth", *BUDGET_COLUMNS[5:])
    return header, ([rounded(r.get(c)) for c in header] for r in rows)


MONTH_COLUMNS = (
    "period",
    "allowed",
    "reported",
    "nowcast",
    "nowcast_metered",
    "nowcast_estimated",
    "used",
    "used_low",
    "used_high",
    "cumulative_allowed",
    "cumulative_used",
    "enterprises_reported",
    "enterprises_nowcast",
    "enterprises_missing",
    "status",
)


def _month_rows(months: Sequence[dict[str, Any]]) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
    return MONTH_COLUMNS, ([rounded(m.get(c)) for c in MONTH_COLUMNS] for m in months)


ALERT_COLUMNS = (
    "alert_id",
    "budget_id",
    "scope",
    "code",
    "name",
    "year",
    "quantity",
    "level",
    "indicator",
    "value",
    "period",
    "raised_at",
    "cleared_at",
)


def _alert_rows(alerts: Sequence[dict[str, Any]]) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
    return ALERT_COLUMNS, ([rounded(a.get(c)) for c in ALERT_COLUMNS] for a in alerts)
