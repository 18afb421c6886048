"""The dashboard's charts: each function arranges what a page shows (every chart's rows are
also a table or CSV of its page) as an Apache ECharts option, in JSON for `static/charts.js`;
`_` is the page's gettext, for the names of series and axes."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from carbonpeak.services.benchmarking import GRADES
from carbonpeak.web.site import strict_json

GRADE_COLOURS = {"benchmark": "#1b7f5b", "baseline": "#8aa9c8", "below_baseline": "#c0392b"}
COLOURS = ["#1b7f5b", "#3f8fc4", "#e39b3b", "#9b6fc0", "#c8553d", "#8a8f98"]


def _option(option: dict[str, Any]) -> str:
    """The option as strict JSON (`site.strict_json`: a NaN or infinite figure is a gap)."""
    return strict_json(option)


def overview_chart(view: str, table: list[dict[str, Any]], _: Callable[[str], str]) -> str:
    """An ECharts option (JSON) for a table: energy and CO2e in 10^4 units, as bars."""
    horizontal = view != "year"
    rows = table[::-1] if horizontal else table  # the largest on top
    category = {"type": "category", "data": [row["label"] for row in rows]}
    value = {"type": "value", "splitNumber": 4}
    series = [
        {
            "name": name,
            "type": "bar",
            "barMaxWidth": 48,
            "data": [round(row[figure] / 1e4, 1) for row in rows],
        }
        for name, figure in (
            (_("Energy (10⁴ tce)"), "energy_tce"),
            (_("CO2e (10⁴ t)"), "co2e_t"),
        )
    ]
    option = {
        "color": ["#2f6db5", "#1b7f5b"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": value if horizontal else category,
        "yAxis": category if horizontal else value,
        "series": series,
    }
    return _option(option)


def streams_chart(rows: list[tuple[str, str, float]]) -> str:
    """A bar per source stream."""
    option = {
        "color": ["#1b7f5b"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "top": 16, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": "t", "splitNumber": 4},
        "yAxis": {"type": "category", "data": [label for _k, label, _v in rows][::-1]},
        "series": [
            {"type": "bar", "barMaxWidth": 36, "data": [round(v, 1) for _k, _l, v in rows][::-1]}
        ],
    }
    return _option(option)


def daily_chart(daily: list[dict[str, Any]], _: Callable[[str], str]) -> str:
    """Energy (tce) and CO2 (t) by day."""
    option = {
        "color": ["#1b7f5b", "#c8553d"],
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [r["period_start"][:10] for r in daily]},
        "yAxis": {"type": "value", "splitNumber": 4},
        "series": [
            {
                "name": _("Energy (tce)"),
                "type": "line",
                "showSymbol": False,
                "data": [r["energy_tce"] for r in daily],
            },
            {
                "name": _("CO2 (t)"),
                "type": "line",
                "showSymbol": False,
                "data": [r["co2_t"] for r in daily],
            },
        ],
    }
    return _option(option)


def cusum_chart(saved: dict[str, Any], _: Callable[[str], str]) -> str:
    """Actual against predicted energy by day of the reporting period, and their CUSUM."""
    rows = saved["rows"]
    option = {
        "color": ["#1b7f5b", "#8a8f98", "#c8553d"],
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [r["period"] for r in rows]},
        "yAxis": [{"type": "value", "splitNumber": 4}, {"type": "value", "splitNumber": 4}],
        "series": [
            {
                "name": _("Actual (tce)"),
                "type": "line",
                "showSymbol": False,
                "data": [r["actual"] for r in rows],
            },
            {
                "name": _("Predicted (tce)"),
                "type": "line",
                "showSymbol": False,
                "data": [r["predicted"] for r in rows],
            },
            {
                "name": _("CUSUM (tce)"),
                "type": "line",
                "showSymbol": False,
                "yAxisIndex": 1,
                "data": [r["cusum"] for r in rows],
            },
        ],
    }
    return _option(option)


def credits_chart(balances: list[dict[str, Any]], _: Callable[[str], str]) -> str:
    """Credits held (and deficits open) by vintage, stacked by type and origin."""
    vintages = sorted({int(r["vintage"]) for r in balances})
    names = {
        ("cafc", "own"): _("CAFC credits"),
        ("nev", "own"): _("NEV credits"),
        ("nev", "bought"): _("NEV credits bought"),
        ("nev", "pool"): _("NEV credits in the pool"),
        ("cafc", "deficit"): _("CAFC deficit"),
        ("nev", "deficit"): _("NEV deficit"),
    }
    series = []
    for (credit, origin), name in names.items():
        values = [
            sum(
                r["credits"]
                for r in balances
                if (r["credit"], r["origin"], int(r["vintage"])) == (credit, origin, v)
            )
            for v in vintages
        ]
        if any(values):
            series.append({"name": name, "type": "bar", "stack": "credits", "data": values})
    option = {
        "color": ["#1b7f5b", "#3f8fc4", "#7db8de", "#9b6fc0", "#c8553d", "#e39b3b"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [str(v) for v in vintages]},
        "yAxis": {"type": "value", "splitNumber": 4},
        "series": series,
    }
    return _option(option)


def plan_chart(result: dict[str, Any], _: Callable[[str], str]) -> str:
    """Volumes by line and year, stacked."""
    years = [str(y["year"]) for y in result["years"]]
    names = list(result["years"][0]["volumes"]) if result["years"] else []
    option = {
        "color": ["#8a8f98", "#1b7f5b", "#3f8fc4", "#e39b3b", "#9b6fc0", "#c8553d"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": years},
        "yAxis": {"type": "value", "name": _("cars"), "splitNumber": 4},
        "series": [
            {
                "name": name,
                "type": "bar",
                "stack": "volume",
                "data": [y["volumes"][name] for y in result["years"]],
            }
            for name in names
        ],
    }
    return _option(option)


def caps_chart(result: dict[str, Any], _: Callable[[str], str]) -> str:
    """Each region's intensity against its path, by year."""
    rows = [r for r in result["rows"] if "year" in r]
    years = sorted({int(r["year"]) for r in rows})
    series: list[dict[str, Any]] = []
    for code in sorted({str(r["region_code"]) for r in rows}):
        mine = {int(r["year"]): r for r in rows if r["region_code"] == code}
        series.append(
            {
                "name": code,
                "type": "line",
                "data": [mine[y]["intensity"] if y in mine else None for y in years],
            }
        )
        series.append(
            {
                "name": f"{code} {_('path')}",
                "type": "line",
                "lineStyle": {"type": "dashed"},
                "data": [mine[y]["path_intensity"] if y in mine else None for y in years],
            }
        )
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [str(y) for y in years]},
        "yAxis": {"type": "value", "scale": True, "splitNumber": 4},
        "series": series,
    }
    return _option(option)


def projection_chart(result: dict[str, Any], _: Callable[[str], str]) -> str:
    """Each scenario's total CO2 (central path) with its 5-95 % band where there are draws."""
    series: list[dict[str, Any]] = []
    years: list[str] = []
    for index, (name, body) in enumerate(result["scenarios"].items()):
        total = body["total"]
        years = list(total["values"])
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
    return _option(option)


def waterfall_chart(result: dict[str, Any], _: Callable[[str], str]) -> str:
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
    return _option(option)


def history_chart(
    national: dict[str, Any], one: dict[str, Any] | None, _: Callable[[str], str]
) -> str:
    """The observed CO2 of the 30 provinces together and, if chosen, one province (right
    axis)."""
    years = list(national["values"])
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
    return _option(option)


def grades_chart(counts: list[dict[str, Any]], _: Callable[[str], str]) -> str:
    """Units by efficiency area stacked by grade; `counts` as `industry_tables` lists them, the
    largest area first (drawn on top)."""
    option = {
        "color": [GRADE_COLOURS[g] for g in GRADES],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": _("units"), "minInterval": 1},
        "yAxis": {"type": "category", "data": [row["name"] for row in counts][::-1]},
        "series": [
            {
                "name": _(grade),
                "type": "bar",
                "stack": "grades",
                "barMaxWidth": 28,
                "data": [row[grade] for row in counts][::-1],
            }
            for grade in GRADES
        ],
    }
    return _option(option)
