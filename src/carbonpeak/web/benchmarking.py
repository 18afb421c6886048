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
from carbonpeak.web.cache import kept_page
from carbonpeak.web.charts import grades_chart
from carbonpeak.web.listing import Column, asked, listed
from carbonpeak.web.site import (
    caller,
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

# The two long tables of the page, each paged, sorted, filtered and searched on its own: the
# units below the baseline (parameters `below_page`, `below_sort`, `below_q`, `below_area`) and
# the ranking of the area chosen by `area` (`rank_page`, `rank_sort`, `rank_q`, `rank_grade`).
BELOW = (
    Column("name"),
    Column("area", "choice", label="area_name"),
    Column("indicator_value", "number"),
    Column("baseline", "number"),
    Column("product_amount", "number"),
    Column("saving_potential_tce", "number"),
    Column("deadline"),
)
RANKING = (
    Column("rank", "number"),
    Column("name"),
    Column("indicator_value", "number"),
    Column("grade", "choice", label="grade_name"),
    Column("product_amount", "number"),
    Column("saving_potential_tce", "number"),
)
PER = 25

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
async def industry(request: Request, year: str | None = None, area: str | None = None) -> Response:
    """Kept while the store stays the same (`web.cache`)."""
    actor = await caller(request)
    return await kept_page(request, actor, lambda: _industry(request, year, area))


def _industry(request: Request, year: str | None, area: str | None) -> Response:
    data = _view(request, year, area)
    if data is None:
        return forbidden(request, signed_in(request))
    text = gettext_of(locale_of(request))
    chart = grades_chart(data["counts"], text)
    params = list(request.query_params.multi_items())
    below = listed(data["below"], BELOW, asked(params, BELOW, per=PER, prefix="below_"))
    ranked = [
        r | {"rank": n, "grade_name": text(r["grade"]) if r.get("grade") else "–"}
        for n, r in enumerate(data["ranked"], 1)
    ]
    ranking = listed(ranked, RANKING, asked(params, RANKING, per=PER, prefix="rank_"))
    return render(
        request,
        "benchmarking/industry.html",
        chart=chart,
        **data | {"below": below, "ranked": ranking},
    )


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
