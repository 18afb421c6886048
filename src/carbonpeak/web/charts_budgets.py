"""The chart of one carbon budget's months (`/budgets/{id}`): the budgets page's alone, kept
apart from `web.charts` for the size of both."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from carbonpeak.web.site import strict_json


def rounded(value: Any, digits: int = 6) -> Any:
    """A float rounded for a chart or a CSV cell; anything else as it is."""
    return round(value, digits) if isinstance(value, float) else value


def _cumulative(values: Sequence[float | None]) -> list[float | None]:
    total, out = 0.0, list[float | None]()
    for v in values:
        if v is None:
            out.append(None)
            continue
        total += v
        out.append(round(total, 3))
    return out


def budget_chart(months: Sequence[dict[str, Any]], _: Callable[[str], str]) -> str:
    """An ECharts option (JSON): each month's allowance,
    reported and nowcast use as bars, and on the right axis the cumulative allowance and use
    with the nowcast's low-high band of the cumulative use."""
    periods = [str(m["period"]) for m in months]
    used = [m.get("used") for m in months]
    low = [m.get("used_low") if m.get("used_low") is not None else m.get("used") for m in months]
    high = [m.get("used_high") if m.get("used_high") is not None else m.get("used") for m in months]
    cum_low, cum_high = _cumulative(low), _cumulative(high)
    band = [
        None if a is None or b is None else round(b - a, 3)
        for a, b in zip(cum_low, cum_high, strict=True)
    ]
    cum_used = _cumulative(used)

    def bars(name: str, key: str, colour: str) -> dict[str, Any]:
        return {
            "name": name,
            "type": "bar",
            "stack": "used" if key != "allowed" else None,
            "barMaxWidth": 22,
            "color": colour,
            "data": [rounded(m.get(key), 3) for m in months],
        }

    series: list[dict[str, Any]] = [
        bars(_("Allowed"), "allowed", "#c9d6da"),
        bars(_("Reported"), "reported", "#1b7f5b"),
        bars(_("Nowcast"), "nowcast", "#e39b3b"),
        {
            "name": "low",
            "type": "line",
            "yAxisIndex": 1,
            "stack": "band",
            "symbol": "none",
            "lineStyle": {"opacity": 0},
            "data": cum_low,
            "tooltip": {"show": False},
        },
        {
            "name": _("Cumulative use, low-high"),
            "type": "line",
            "yAxisIndex": 1,
            "stack": "band",
            "symbol": "none",
            "lineStyle": {"opacity": 0},
            "color": "#e39b3b",
            "areaStyle": {"color": "#e39b3b", "opacity": 0.2},
            "data": band,
        },
        {
            "name": _("Cumulative allowed"),
            "type": "line",
            "yAxisIndex": 1,
            "color": "#5b6b70",
            "lineStyle": {"type": "dashed"},
            "data": [rounded(m.get("cumulative_allowed"), 3) for m in months],
        },
        {
            "name": _("Cumulative used"),
            "type": "line",
            "yAxisIndex": 1,
            "color": "#c0392b",
            "data": cum_used,
        },
    ]
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": [s["name"] for s in series if s["name"] != "low"]},
        "grid": {"left": 8, "right": 16, "top": 48, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": periods},
        "yAxis": [
            {"type": "value", "name": _("month"), "splitNumber": 4},
            {"type": "value", "name": _("cumulative"), "splitNumber": 4},
        ],
        "series": series,
    }
    return strict_json(option)
