"""Metered energy. The regulator's monitoring view (`/monitoring`): the online-monitoring
status of the enterprises in its scope (completeness yesterday against the reference
threshold, silent meters, energy today against the same weekday last week, the largest
anomalies), each table with its CSV. An enterprise's page: the quality of its meters, their
status today, its daily energy and CO2, the energy performance model and its CUSUM."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from carbonpeak.errors import CarbonpeakError
from carbonpeak.i18n import gettext_of
from carbonpeak.io.lake import default_lake
from carbonpeak.reports.names import term_names
from carbonpeak.services.access import Actor
from carbonpeak.services.monitoring_region import (
    RegionMonitoring,
    meter_status,
    region_monitoring,
)
from carbonpeak.web.cache import body_of, kept_page, page_key
from carbonpeak.web.charts import cusum_chart, daily_chart
from carbonpeak.web.listing import Column, asked, listed
from carbonpeak.web.site import (
    caller,
    csv_response,
    locale_of,
    missing,
    not_found,
    render,
    session,
    signed_in,
    site_of,
    strict_json,
)

router = APIRouter(include_in_schema=False)

CHART_ROWS = 30  # the least complete enterprises the chart shows
CST = timedelta(hours=8)


def _rank(value: float | None, missing_last: float) -> float:
    return missing_last if value is None else value


# How the enterprise table sorts: the least complete, the most silent meters, the largest
# rise of energy against last week first; or by enterprise.
SORTS: dict[str, Callable[[Any], Any]] = {
    "completeness": lambda e: (_rank(e.completeness_yesterday, 2.0), e.enterprise_id),
    "silent": lambda e: (-e.silent_meters, e.enterprise_id),
    "change": lambda e: (-_rank(e.energy_change, float("-inf")), e.enterprise_id),
    "enterprise": lambda e: e.enterprise_id,
}


# The table of monitored enterprises as a long table (parameters `e_page`, `e_sort`, `e_q`,
# `e_region`): in the order of the page's `sort` unless a header sorts it.
MONITORED = (
    Column("name"),
    Column("region", "choice"),
    *(
        Column(key, "number")
        for key in ("meters", "silent_meters", "completeness_yesterday", "completeness_history")
    ),
    *(Column(k, "number") for k in ("upload_rate", "energy_tce_today", "energy_tce_last_week")),
    Column("energy_change", "number"),
    Column("anomalies", "number"),
)


def cst(instant: datetime | None) -> str:
    """A UTC instant as China Standard Time, to the minute."""
    return "–" if instant is None else (instant + CST).strftime("%Y-%m-%d %H:%M")


@router.get("/monitoring", response_model=None)
async def region(request: Request, sort: str = "completeness") -> Response:
    """The monitoring view of the caller's scope (a regulator's regions, an enterprise user's
    own enterprises; in the menu of regulators and admins); kept while the lake and the store
    stay the same (`web.cache`)."""
    actor = await caller(request)
    sort = sort if sort in SORTS else "completeness"
    return await kept_page(request, actor, lambda: _region_page(request, actor, sort), status=True)


def _view(request: Request, actor: Actor) -> RegionMonitoring:
    with session(request) as db:
        return region_monitoring(db, actor, default_lake(), locale_of(request) == "en")


def _region_page(request: Request, actor: Actor, sort: str) -> HTMLResponse:
    try:
        view = _view(request, actor)
    except CarbonpeakError:
        return missing(request, actor)
    _ = gettext_of(locale_of(request))
    enterprises = sorted(view.status.enterprises, key=SORTS[sort]) if view.status else []
    least = sorted(enterprises, key=SORTS["completeness"])[:CHART_ROWS]
    rows = [
        {key: getattr(e, key) for key in (c.key for c in MONITORED[2:])}
        | {"e": e, "name": view.names[e.enterprise_id]["name"] or e.enterprise_id}
        | {"region": view.names[e.enterprise_id]["region"]}
        for e in enterprises
    ]
    params = list(request.query_params.multi_items())
    listing = listed(rows, MONITORED, asked(params, MONITORED, prefix="e_"))
    chart_rows = [
        {
            "label": view.names[e.enterprise_id]["name"] or e.enterprise_id,
            "completeness": e.completeness_yesterday,
        }
        for e in least
    ]
    silent = [m for m in view.status.meters if m.silent] if view.status else []
    return render(
        request,
        "monitoring/region.html",
        user=actor,
        view=view,
        listing=listing,
        silent=sorted(silent, key=lambda m: (-(m.hours_since_last or 1e9), m.meter_id)),
        least=least,
        sort=sort,
        sorts=list(SORTS),
        cst=cst,
        chart=completeness_chart(chart_rows, view.threshold.value, _) if least else None,
    )


def completeness_chart(
    rows: list[dict[str, Any]], threshold: float, _: Callable[[str], str]
) -> str:
    """An ECharts option (JSON, as `charts` makes them; kept here, this page's alone):
    yesterday's data completeness (%) of the enterprises shown (the least complete on top),
    with the reference threshold as a line."""
    rows = rows[::-1]
    option = {
        "color": ["#3f8fc4"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 40, "top": 16, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "min": 0, "max": 100, "name": "%"},
        "yAxis": {"type": "category", "data": [r["label"] for r in rows]},
        "series": [
            {
                "name": _("Completeness yesterday (%)"),
                "type": "bar",
                "barMaxWidth": 24,
                "data": [
                    None if r["completeness"] is None else round(100 * r["completeness"], 1)
                    for r in rows
                ],
                "markLine": {
                    "symbol": "none",
                    "lineStyle": {"color": "#c8553d", "type": "dashed"},
                    "label": {"formatter": f"{100 * threshold:g}%"},
                    "data": [{"xAxis": round(100 * threshold, 1)}],
                },
            }
        ],
    }
    return strict_json(option)


TABLES = ("enterprises", "meters", "silent", "anomalies")


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 2)


def _rows(view: RegionMonitoring, table: str) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
    """The header and rows of a table of the view, as its CSV gives them."""
    status = view.status
    if table == "enterprises":
        return (
            (
                "enterprise_id",
                "name",
                "region_code",
                "meters",
                "silent_meters",
                "expected_yesterday",
                "received_yesterday",
                "completeness_yesterday_pct",
                "completeness_30d_pct",
                "upload_rate_24h_pct",
                "hours_since_last",
                "energy_tce_today",
                "energy_tce_same_weekday_last_week",
                "energy_change_pct",
                "co2_t_today",
                "co2_t_same_weekday_last_week",
                "anomalies",
            ),
            (
                [
                    e.enterprise_id,
                    view.names[e.enterprise_id]["name"],
                    view.names[e.enterprise_id]["region_code"],
                    e.meters,
                    e.silent_meters,
                    e.expected_yesterday,
                    e.received_yesterday,
                    _percent(e.completeness_yesterday),
                    _percent(e.completeness_history),
                    _percent(e.upload_rate),
                    e.hours_since_last,
                    round(e.energy_tce_today, 6),
                    round(e.energy_tce_last_week, 6),
                    _percent(e.energy_change),
                    round(e.co2_t_today, 6),
                    round(e.co2_t_last_week, 6),
                    e.anomalies,
                ]
                for e in (status.enterprises if status else [])
            ),
        )
    if table in ("meters", "silent"):
        meters = status.meters if status else []
        return (
            (
                "meter_id",
                "enterprise_id",
                "carrier",
                "unit",
                "interval_minutes",
                "expected_yesterday",
                "received_yesterday",
                "completeness_yesterday_pct",
                "completeness_30d_pct",
                "upload_rate_24h_pct",
                "last_reading_cst",
                "hours_since_last",
                "silent",
                "value_today",
                "value_same_weekday_last_week",
                "energy_tce_today",
                "energy_tce_same_weekday_last_week",
            ),
            (
                [
                    m.meter_id,
                    m.enterprise_id,
                    m.carrier,
                    m.unit,
                    m.interval_minutes,
                    m.expected_yesterday,
                    m.received_yesterday,
                    _percent(m.completeness_yesterday),
                    _percent(m.completeness_history),
                    _percent(m.upload_rate),
                    cst(m.last_reading),
                    m.hours_since_last,
                    m.silent,
                    m.value_today,
                    m.value_last_week,
                    m.energy_tce_today,
                    m.energy_tce_last_week,
                ]
                for m in meters
                if table == "meters" or m.silent
            ),
        )
    return (
        ("meter_id", "enterprise_id", "ts", "value", "usual", "score", "reason"),
        (
            [a.meter_id, a.enterprise_id, a.ts, a.value, a.usual, a.score, a.reason]
            for a in (status.anomalies if status else [])
        ),
    )


@router.get("/monitoring/meters-template.xlsx", response_model=None)
def meters_template(request: Request) -> Response:
    """The meters registry workbook to fill in (as `carbonpeak monitoring meters-template`):
    Chinese headers with their codes, drop-downs, help and an example meter."""
    from carbonpeak.services.monitoring import meters_template

    signed_in(request)
    with session(request) as db:
        content = meters_template(db)
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="meters.xlsx"'},
    )


@router.get("/monitoring/{table}.csv", response_model=None)
def region_csv(request: Request, table: str) -> Response:
    """A table of the monitoring view as CSV (the whole of it, in the caller's scope)."""
    actor = signed_in(request)
    if table not in TABLES:
        return not_found()

    def make() -> Response:
        try:
            view = _view(request, actor)
        except CarbonpeakError:
            return not_found()
        return csv_response(name, *_rows(view, table))

    name = f"monitoring-{table}.csv"
    made = site_of(request).pages.made_once(
        page_key(request, actor, status=True), lambda: body_of(make())
    )
    if isinstance(made, Response):
        return made
    return Response(
        made,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/enterprises/{enterprise_id}/monitoring", response_model=None)
def monitoring(request: Request, enterprise_id: str) -> Response:
    """Metered energy of the enterprise: meter quality and status, daily energy, the energy
    model and its CUSUM."""
    # imported here: the energy model pulls in scipy.stats, which would add a third to the
    # time the API (and every test client) takes to start
    from carbonpeak.services.monitoring import monitoring_of

    actor = signed_in(request)
    locale = locale_of(request)
    with session(request) as db:
        try:
            enterprise, view = monitoring_of(
                db, actor, enterprise_id, default_lake(), locale == "en"
            )
            now, meters = meter_status(db, actor, enterprise_id, default_lake())
        except CarbonpeakError:
            return missing(request, actor)
    _ = gettext_of(locale)
    terms = term_names(locale)
    return render(
        request,
        "monitoring/monitoring.html",
        user=actor,
        enterprise=enterprise,
        view=view,
        as_of=now,
        statuses=meters,
        cst=cst,
        daily_chart=daily_chart(view.daily, _),
        cusum_chart=cusum_chart(view.savings, _) if view.savings else None,
        terms=terms,
        driver_names=[terms.get(d, d) for d in view.drivers],
    )
