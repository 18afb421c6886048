"""The industry view of a regulator: how the graded units of each efficiency area stand
against the benchmark and baseline levels, which are below the baseline and by when they must
be upgraded, and every unit of an area ranked."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.i18n import gettext_of
from carbonpeak.reference.loader import default_reference
from carbonpeak.reports.render import BELOW_BASELINE_COLUMNS, table_cell
from carbonpeak.services.accounting import grades_visible, roll_up_visible
from carbonpeak.web.site import Site, csv_response

GRADES = ("benchmark", "baseline", "below_baseline")
CSV_COLUMNS = {
    "grades": ("area", "name", *GRADES, "total"),
    "below-baseline": BELOW_BASELINE_COLUMNS,
}
COLOURS = {"benchmark": "#1b7f5b", "baseline": "#8aa9c8", "below_baseline": "#c0392b"}


def routes(site: Site) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def view(request: Request, year: str | None, area: str | None) -> dict[str, Any] | None:
        actor = site.signed_in(request)
        if actor.role not in ("admin", "regulator"):
            return None
        with site.sessions() as db:
            years = sorted({str(r["period"])[:4] for r in roll_up_visible(db, actor)})
            chosen = year if year in years else (years[-1] if years else None)
            graded = grades_visible(db, actor, chosen) if chosen else []
        return industry_tables(graded, area, site.locale_of(request)) | {
            "years": years,
            "year": chosen,
            "user": actor,
        }

    @router.get("/industry", response_model=None)
    def industry(request: Request, year: str | None = None, area: str | None = None) -> Response:
        data = view(request, year, area)
        if data is None:
            return site.render(request, "forbidden.html", status=403, user=site.signed_in(request))
        return site.render(request, "industry.html", **data)

    @router.get("/industry/{table}.csv", response_model=None)
    def table_csv(request: Request, table: str, year: str | None = None) -> Response:
        """The rows of a chart or table of the page: `grades` or `below-baseline`."""
        data = view(request, year, None)
        if data is None or table not in CSV_COLUMNS:
            return Response("not found", status_code=404, media_type="text/plain")
        rows = data["counts"] if table == "grades" else data["below"]
        return csv_response(
            f"{table}-{data['year']}.csv",
            CSV_COLUMNS[table],
            ([table_cell(row.get(c)) for c in CSV_COLUMNS[table]] for row in rows),
        )

    return router


def industry_tables(graded: list[dict[str, Any]], area: str | None, locale: str) -> dict[str, Any]:
    """Counts by area and grade, the units below the baseline with their deadlines, and the
    ranking of one area (the chosen one, else the one with the most units)."""
    reference = default_reference()
    english = locale == "en"
    names = {
        str(r["area"]): str(r["name_en"] if english else r["name_zh"])
        for r in reference.rows("efficiency_levels")
    }
    deadlines = {str(r["area"]): r["deadline"] for r in reference.rows("upgrade_deadlines")}
    counts: dict[str, dict[str, int]] = {}
    for row in graded:
        if row.get("grade") in GRADES:
            by_grade = counts.setdefault(str(row["area"]), dict.fromkeys(GRADES, 0))
            by_grade[str(row["grade"])] += 1
    areas = sorted(counts, key=lambda a: -sum(counts[a].values()))
    today = date.today()
    below = []
    for row in graded:
        if row.get("grade") != "below_baseline":
            continue
        deadline = deadlines.get(str(row["area"]))
        below.append(
            {
                **row,
                "area_name": names.get(str(row["area"]), str(row["area"])),
                "deadline": deadline.isoformat() if isinstance(deadline, date) else None,
                "days_left": (deadline - today).days if isinstance(deadline, date) else None,
            }
        )
    below.sort(key=lambda r: -(r.get("saving_potential_tce") or 0.0))
    chosen = area if area in counts else (areas[0] if areas else None)
    ranked = sorted(
        (r for r in graded if r["area"] == chosen and r.get("indicator_value") is not None),
        key=lambda r: float(r["indicator_value"]),
    )
    _ = gettext_of(locale)
    option = {
        "color": [COLOURS[g] for g in GRADES],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": _("units"), "minInterval": 1},
        "yAxis": {"type": "category", "data": [names.get(a, a) for a in areas][::-1]},
        "series": [
            {
                "name": _(grade),
                "type": "bar",
                "stack": "grades",
                "barMaxWidth": 28,
                "data": [counts[a][grade] for a in areas][::-1],
            }
            for grade in GRADES
        ],
    }
    return {
        "counts": [
            {"area": a, "name": names.get(a, a), **counts[a], "total": sum(counts[a].values())}
            for a in areas
        ],
        "below": below,
        "area": chosen,
        "area_name": names.get(chosen or "", chosen),
        "ranked": ranked,
        "chart": json.dumps(option, ensure_ascii=False),
    }
