"""The budgets wing as the dashboard shows it: the year's budgets of the caller's scope as a
cascade (province -> prefecture -> county -> enterprise, each row with its depth), one budget
with its months and alerts, the alerts list with names. Each function is what one page asks
for; the figures are `services.budgets.tracked`'s, nothing is stored here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import NotFoundError
from carbonpeak.policy.budgets import BudgetLevel, BudgetTracking
from carbonpeak.services.access import Actor
from carbonpeak.services.budgets import list_alerts, list_budgets, tracked
from carbonpeak.services.enterprises import region_name
from carbonpeak.store.models import Enterprise

ALERT_ORDER = {"red": 0, "yellow": 1, "green": 2}


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if number != number or number in (float("inf"), float("-inf")) else number


def names_of(
    session: Session, budgets: Sequence[dict[str, Any]], english: bool
) -> dict[tuple[str, str], str]:
    """The name of each budget's scope: a region's name, an enterprise's name."""
    codes = sorted({b["code"] for b in budgets if b["scope"] == "enterprise"})
    enterprises = dict(
        session.execute(
            select(Enterprise.enterprise_id, Enterprise.name).where(
                Enterprise.enterprise_id.in_(codes)
            )
        ).all()
    )
    out: dict[tuple[str, str], str] = {}
    for b in budgets:
        key = (b["scope"], b["code"])
        if b["scope"] == "enterprise":
            out[key] = str(enterprises.get(b["code"]) or b["code"])
        else:
            out[key] = region_name(b["code"], english)
    return out


def _status_row(
    budget: dict[str, Any],
    tracking: BudgetTracking | None,
    judged: dict[str, BudgetLevel],
    name: str,
) -> dict[str, Any]:
    key = str(budget["budget_id"])
    row: dict[str, Any] = {**budget, "name": name, "level": None, "pace": None}
    if tracking is not None:
        try:
            status = tracking.status(key)
        except KeyError:
            status = None
        if status is not None:
            row |= {
                "unit": status.unit,
                "implied_cap": _finite(status.cap),
                "used_to_date": _finite(status.used_to_date),
                "reported_to_date": _finite(status.reported_to_date),
                "nowcast_to_date": _finite(status.nowcast_to_date),
                "nowcast_metered_to_date": _finite(status.nowcast_metered_to_date),
                "nowcast_estimated_to_date": _finite(status.nowcast_estimated_to_date),
                "used_share": _finite(status.used_share),
                "elapsed_share": _finite(status.elapsed_share),
                "judged_share": _finite(status.judged_share),
                "projected": _finite(status.projected),
                "projected_low": _finite(status.projected_low),
                "projected_high": _finite(status.projected_high),
                "projected_share": _finite(status.projected_share),
                "enterprises": status.enterprises,
                "months_missing": list(status.months_missing),
                "warnings": list(status.warnings),
            }
    level = judged.get(key)
    if level is not None:
        row |= {
            "level": level.level,
            "pace": _finite(level.pace),
            "indicator": level.indicator,
            "threshold": _finite(level.threshold),
            "level_warnings": list(level.warnings),
        }
    return row


def _month_of(tracking: BudgetTracking | None, period: str) -> dict[str, dict[str, Any]]:
    """Each budget's row of the month `period` (allowed, reported, nowcast, used, ...)."""
    if tracking is None:
        return {}
    frame = tracking.months[tracking.months["period"] == period]
    return {str(r["budget_id"]): _clean(r) for r in frame.to_dict("records")}


def _clean(row: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): (_finite(v) if isinstance(v, float) else v) for k, v in row.items()}


def cascade_rows(budgets: Sequence[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """The budgets in cascade order (each parent before its children, by quantity and code),
    with their depth below the top the caller sees."""
    ids = {b["budget_id"] for b in budgets}
    children: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for b in budgets:
        children[b["parent_id"] if b["parent_id"] in ids else None].append(b)
    out: list[tuple[dict[str, Any], int]] = []

    def walk(parent: Any, depth: int) -> None:
        ordered = sorted(
            children.get(parent, []),
            key=lambda b: (b["quantity"], b["scope"] == "enterprise", b["code"]),
        )
        for b in ordered:
            out.append((b, depth))
            walk(b["budget_id"], depth + 1)

    walk(None, 0)
    return out


def budgets_page(
    session: Session,
    actor: Actor,
    year: int,
    as_of: date,
    lake: Path | None = None,
    english: bool = False,
) -> dict[str, Any]:
    """The caller's budgets of `year` tracked to `as_of`, in cascade order (`rows`, each with
    `depth`), the years that have budgets, and the nowcast's warnings."""
    years = sorted({b["year"] for b in list_budgets(session, actor)})
    budgets = list_budgets(session, actor, year)
    tracking, levels, notes = (
        tracked(session, actor, year, as_of, lake) if budgets else (None, [], [])
    )
    judged = {lv.budget_id: lv for lv in levels}
    names = names_of(session, budgets, english)
    month = _month_of(tracking, f"{as_of:%Y-%m}")
    rows = [
        _status_row(b, tracking, judged, names[(b["scope"], b["code"])])
        | {"depth": depth, "month": month.get(str(b["budget_id"]))}
        for b, depth in cascade_rows(budgets)
    ]
    return {"year": year, "as_of": as_of, "years": years, "rows": rows, "notes": notes}


def budget_detail(
    session: Session,
    actor: Actor,
    budget_id: int,
    as_of: date,
    lake: Path | None = None,
    english: bool = False,
) -> dict[str, Any]:
    """One budget the caller may see, tracked to `as_of` (or to the end of its year when the
    year is over): its fields and status (`budget`), its months (`months`), its alerts and its
    parent and children by name; `NotFoundError` for one it may not see."""
    every = list_budgets(session, actor)
    found = next((b for b in every if b["budget_id"] == budget_id), None)
    if found is None:
        raise NotFoundError(f"no budget {budget_id}")
    year = int(found["year"])
    day = min(as_of, date(year, 12, 31))
    tracking, levels, notes = tracked(session, actor, year, day, lake)
    judged = {lv.budget_id: lv for lv in levels}
    same_year = [b for b in every if b["year"] == year]
    names = names_of(session, same_year, english)
    budget = _status_row(found, tracking, judged, names[(found["scope"], found["code"])])
    months: list[dict[str, Any]] = []
    if tracking is not None:
        frame = tracking.months[tracking.months["budget_id"] == str(budget_id)]
        months = [_clean(r) for r in frame.to_dict("records")]
    parent = next((b for b in same_year if b["budget_id"] == found["parent_id"]), None)
    children = [
        _status_row(b, tracking, judged, names[(b["scope"], b["code"])])
        for b in same_year
        if b["parent_id"] == budget_id
    ]
    alerts = [a for a in list_alerts(session, actor) if a["budget_id"] == budget_id]
    return {
        "budget": budget,
        "as_of": day,
        "months": months,
        "parent": parent | {"name": names[(parent["scope"], parent["code"])]} if parent else None,
        "children": sorted(children, key=lambda b: b["code"]),
        "alerts": _alerts_ordered(alerts),
        "notes": notes,
    }


def _alerts_ordered(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open alerts first (red before yellow), then the cleared, newest first in each."""
    return sorted(
        alerts,
        key=lambda a: (
            a["cleared_at"] is not None,
            ALERT_ORDER.get(str(a["level"]), 3),
            -int(a["alert_id"]),
        ),
    )


def alerts_page(session: Session, actor: Actor, english: bool = False) -> list[dict[str, Any]]:
    """The alerts of the caller's budgets, open first, each with its scope's name."""
    alerts = list_alerts(session, actor)
    names = names_of(session, alerts, english)
    return _alerts_ordered([a | {"name": names[(a["scope"], a["code"])]} for a in alerts])
