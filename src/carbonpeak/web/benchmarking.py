"""The industry view of a regulator: how the graded units of each efficiency area stand
against the benchmark and baseline levels, which are below the baseline and by when they must
be upgraded, and every unit of an area ranked."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.i18n import gettext_of
from carbonpeak.reports.render import BELOW_BASELINE_COLUMNS, table_cell
from carbonpeak.services.benchmarking import GRADES, industry_view
from carbonpeak.web.charts import grades_chart
from carbonpeak.web.site import (
    csv_response,
    forbidden,
    locale_of,
    not_found,
    render,
    session,
    signed_in,
)

CSV_COLUMNS = {
    "grades": ("area", "name", *GRADES, "total"),
    "below-baseline": BELOW_BASELINE_COLUMNS,
}

router = APIRouter(include_in_schema=False)


def _view(request: Request, year: str | None, area: str | None) -> dict[str, Any] | None:
    """The tables of the page; None for a caller who is not a regulator (or admin)."""
    actor = signed_in(request)
    if actor.role not in ("admin", "regulator"):
        return None
    with session(request) as db:
        view = industry_view(db, actor, year, area, locale_of(request) == "en")
    return view | {"user": actor}


@router.get("/industry", response_model=None)
def industry(request: Request, year: str | None = None, area: str | None = None) -> Response:
    data = _view(request, year, area)
    if data is None:
        return forbidden(request, signed_in(request))
    chart = grades_chart(data["counts"], gettext_of(locale_of(request)))
    return render(request, "benchmarking/industry.html", chart=chart, **data)


@router.get("/industry/{table}.csv", response_model=None)
def table_csv(request: Request, table: str, year: str | None = None) -> Response:
    """The rows of a chart or table of the page: `grades` or `below-baseline`."""
    data = _view(request, year, None)
    if data is None or table not in CSV_COLUMNS:
        return not_found()
    rows = data["counts"] if table == "grades" else data["below"]
    return csv_response(
        f"{table}-{data['year']}.csv",
        CSV_COLUMNS[table],
        ([table_cell(row.get(c)) for c in CSV_COLUMNS[table]] for row in rows),
    )
