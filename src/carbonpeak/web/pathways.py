"""The pathways page: run a scenario file, compare its scenarios (projection lines with the
Monte Carlo band, the LMDI waterfall of one scenario against another, the peaks), and the
observed CEADs history of a key sector beside the projections."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.i18n import gettext_of, problem_text
from carbonpeak.pathways.projection import example_text
from carbonpeak.services import pathways as service
from carbonpeak.web.site import Site

WEB_DRAWS = 1000  # the page's default: a second or two for the example
COLOURS = ["#1b7f5b", "#3f8fc4", "#e39b3b", "#9b6fc0", "#c8553d", "#8a8f98"]
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


def routes(site: Site) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page(
        request: Request,
        text: str,
        form: dict[str, str],
        result: dict[str, Any] | None,
        error: str | None,
    ) -> Response:
        actor = site.signed_in(request)
        _ = gettext_of(site.locale_of(request))
        sector = form.get("sector") or "industry"
        sector = sector if sector in SECTORS else "industry"
        history = service.history(sector)
        chosen = next(
            (r for r in history["regions"] if r["region_code"] == form.get("region")), None
        )
        names = list(result["scenarios"]) if result else []
        return site.render(
            request,
            "pathways.html",
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
            chart=_projection_chart(result, _) if result else None,
            waterfall=_waterfall_chart(result, _) if result and "comparison" in result else None,
            history_chart=_history_chart(history["sum"], chosen, _),
        )

    @router.get("/pathways", response_model=None)
    def pathways_form(request: Request, sector: str = "industry", region: str = "") -> Response:
        """The example scenario file to edit and run, and the observed history."""
        return page(request, example_text(), {"sector": sector, "region": region}, None, None)

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
        locale = site.locale_of(request)
        try:
            count = int(draws) if draws.strip() else WEB_DRAWS
            when = int(year) if year.strip() else None
            against = (base, other) if base and other and base != other else None
            result = service.run_scenarios(scenario, count, against, when)
        except ValueError:
            return page(request, scenario, form, None, "draws and year are whole numbers")
        except InputError as error:
            text = "; ".join(problem_text(p, locale) for p in error.problems)
            return page(request, scenario, form, None, text)
        except CarbonpeakError as error:
            return page(request, scenario, form, None, str(error))
        if not base and len(result["scenarios"]) > 1:  # compare the first two by default
            first, second = list(result["scenarios"])[:2]
            form |= {"base": first, "other": second}
            result = service.run_scenarios(scenario, count, (first, second), when)
        return page(request, scenario, form, result, None)

    return router


def _years(values: dict[str, float]) -> list[str]:
    return list(values)


def _projection_chart(result: dict[str, Any], _: Callable[[str], str]) -> str:
    """Each scenario's total CO2 (central path) with its 5-95 % band where there are draws."""
    series: list[dict[str, Any]] = []
    years: list[str] = []
    for index, (name, body) in enumerate(result["scenarios"].items()):
        total = body["total"]
        years = _years(total["values"])
        colour = COLOURS[index % len(COLOURS)]
        fan = total.get("uncertainty", {}).get("fan")
        if fan:
            low, high = fan["p5"], fan["p95"]
            series.append(
                {
                    "name": f"{name} 5%",
                    "type": "line",
                    "stack": f"band-{index}",
                    "symbol": "none",
                    "lineStyle": {"opacity": 0},
                    "data": [low[y] for y in years],
                    "tooltip": {"show": False},
                }
            )
            series.append(
                {
                    "name": f"{name} 5-95%",
                    "type": "line",
                    "stack": f"band-{index}",
                    "symbol": "none",
                    "lineStyle": {"opacity": 0},
                    "areaStyle": {"color": colour, "opacity": 0.15},
                    "data": [high[y] - low[y] for y in years],
                    "tooltip": {"show": False},
                }
            )
        series.append(
            {
                "name": name,
                "type": "line",
                "symbol": "none",
                "color": colour,
                "lineStyle": {"width": 2, "color": colour},
                "data": [total["values"][y] for y in years],
                "markPoint": {
                    "symbol": "circle",
                    "symbolSize": 8,
                    "data": [
                        {
                            "coord": [str(total["peak_year"]), total["peak_value"]],
                            "name": _("peak"),
                        }
                    ],
                    "label": {"show": False},
                },
            }
        )
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": list(result["scenarios"])},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": years, "boundaryGap": False},
        "yAxis": {"type": "value", "name": "MtCO2", "scale": True, "splitNumber": 4},
        "series": series,
    }
    return json.dumps(option, ensure_ascii=False)


def _waterfall_chart(result: dict[str, Any], _: Callable[[str], str]) -> str:
    """From the base scenario's total to the other's: the activity, structure and intensity
    effects as floating bars."""
    found = result["comparison"]
    base, other = found["base"], found["end"]
    year = str(base["year"])
    start = result["scenarios"][base["scenario"]]["total"]["values"][year]
    labels = [base["scenario"], _("activity"), _("structure"), _("intensity"), other["scenario"]]
    hidden, shown, colours = [0.0], [start], ["#8a8f98"]
    level = start
    for factor in ("activity", "structure", "intensity"):
        effect = found["additive"][factor]
        hidden.append(min(level, level + effect))
        shown.append(abs(effect))
        colours.append("#c0392b" if effect > 0 else "#1b7f5b")
        level += effect
    hidden.append(0.0)
    shown.append(level)
    colours.append("#8a8f98")
    # the axis starts below the lowest level, so that the effects are seen (bars are clipped)
    lowest = min([start, level, *(h for h in hidden[1:-1])])
    step = 10 ** max(0, int(math.log10(max(abs(lowest), 1.0))) - 1)
    bottom = math.floor(0.9 * lowest / step) * step if lowest > 0 else None
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "top": 24, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "name": f"MtCO2 {year}", "min": bottom, "splitNumber": 4},
        "series": [
            {
                "type": "bar",
                "stack": "w",
                "itemStyle": {"color": "transparent"},
                "data": hidden,
                "tooltip": {"show": False},
            },
            {
                "type": "bar",
                "stack": "w",
                "data": [
                    {"value": v, "itemStyle": {"color": c}}
                    for v, c in zip(shown, colours, strict=True)
                ],
            },
        ],
    }
    return json.dumps(option, ensure_ascii=False)


def _history_chart(
    national: dict[str, Any], one: dict[str, Any] | None, _: Callable[[str], str]
) -> str:
    """The observed CO2 of the 30 provinces together and, if chosen, one province (right
    axis)."""
    years = _years(national["values"])
    series: list[dict[str, Any]] = [
        {
            "name": _("30 provinces"),
            "type": "line",
            "symbol": "none",
            "color": COLOURS[0],
            "data": [national["values"][y] for y in years],
        }
    ]
    axes: list[dict[str, Any]] = [{"type": "value", "name": "MtCO2", "scale": True}]
    if one is not None:
        axes.append({"type": "value", "name": one["name"], "scale": True})
        series.append(
            {
                "name": one["name"],
                "type": "line",
                "symbol": "none",
                "yAxisIndex": 1,
                "color": COLOURS[2],
                "data": [one["values"].get(y) for y in years],
            }
        )
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": years, "boundaryGap": False},
        "yAxis": axes,
        "series": series,
    }
    return json.dumps(option, ensure_ascii=False)
