"""The pathways page: run a scenario file, compare its scenarios (projection lines with the
Monte Carlo band, the LMDI waterfall of one scenario against another, the peaks), and the
observed CEADs history of a key sector beside the projections."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from carbonpeak.errors import CarbonpeakError
from carbonpeak.i18n import gettext_of
from carbonpeak.pathways.projection import example_text
from carbonpeak.services import pathways as service
from carbonpeak.web.charts import history_chart, projection_chart, waterfall_chart
from carbonpeak.web.site import locale_of, render, said, signed_in

WEB_DRAWS = 1000  # the page's default: a second or two for the example
SECTORS = (
    "industry",
    "steel",
    "building_materials",
    "nonferrous",
    "chemicals",
    "petrochemicals",
    "power",
    "total",
)

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    text: str,
    form: dict[str, str],
    result: dict[str, Any] | None,
    error: str | None,
) -> Response:
    actor = signed_in(request)
    _ = gettext_of(locale_of(request))
    sector = form.get("sector") or "industry"
    sector = sector if sector in SECTORS else "industry"
    history = service.history(sector)
    chosen = next((r for r in history["regions"] if r["region_code"] == form.get("region")), None)
    names = list(result["scenarios"]) if result else []
    return render(
        request,
        "pathways/pathways.html",
        status=400 if error else 200,
        user=actor,
        text=text,
        form=form,
        result=result,
        error=error,
        scenario_names=names,
        sectors=SECTORS,
        sector=sector,
        region=chosen["region_code"] if chosen else "",
        history=history,
        chart=projection_chart(result, _) if result else None,
        waterfall=waterfall_chart(result, _) if result and "comparison" in result else None,
        history_chart=history_chart(history["sum"], chosen, _),
    )


@router.get("/pathways", response_model=None)
def pathways_form(request: Request, sector: str = "industry", region: str = "") -> Response:
    """The example scenario file to edit and run, and the observed history."""
    return _page(request, example_text(), {"sector": sector, "region": region}, None, None)


@router.post("/pathways", response_model=None)
def pathways_run(
    request: Request,
    scenario: str = Form(""),
    draws: str = Form(""),
    base: str = Form(""),
    other: str = Form(""),
    year: str = Form(""),
    sector: str = Form("industry"),
    region: str = Form(""),
) -> Response:
    """Run the file: peaks, bands and, when two scenarios are chosen, their comparison."""
    form = {"draws": draws, "base": base, "other": other, "year": year}
    form |= {"sector": sector, "region": region}
    try:
        count = int(draws) if draws.strip() else WEB_DRAWS
        when = int(year) if year.strip() else None
        against = (base, other) if base and other and base != other else None
        result = service.run_scenarios(scenario, count, against, when)
    except ValueError:
        return _page(request, scenario, form, None, "draws and year are whole numbers")
    except CarbonpeakError as error:
        return _page(request, scenario, form, None, said(error, locale_of(request)))
    if not base and len(result["scenarios"]) > 1:  # compare the first two by default
        first, second = list(result["scenarios"])[:2]
        form |= {"base": first, "other": second}
        result = service.run_scenarios(scenario, count, (first, second), when)
    return _page(request, scenario, form, result, None)
