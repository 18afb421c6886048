"""Budget alerts (split from services/budgets.py when it passed 400 lines): the scheduled
judgement `record_alerts` stores one alert per crossing of levels (`crossings`), keeps the
open alert at the budget's judged level and closes the open alerts of years over;
`list_alerts` shows the caller's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.policy.budgets import Alert, crossings
from carbonpeak.services.access import Actor
from carbonpeak.services.budgets_rows import enterprise_regions, visible
from carbonpeak.services.budgets_tracking import tracked
from carbonpeak.store import audit
from carbonpeak.store.models import Budget as BudgetRow
from carbonpeak.store.models import BudgetAlert

SYSTEM = Actor(
    user_id=0, username="system", role="admin", regions=frozenset(), enterprises=frozenset()
)


def _open_alerts(session: Session) -> dict[int, BudgetAlert]:
    rows = session.execute(
        select(BudgetAlert).where(BudgetAlert.cleared_at.is_(None)).order_by(BudgetAlert.alert_id)
    ).scalars()
    return {r.budget_id: r for r in rows}  # the latest open alert of each budget


def record_alerts(session: Session, as_of: date, lake: Path | None = None) -> list[dict[str, Any]]:
    """Judge every budget of `as_of`'s year and store the alerts its level crossed since the
    last judgement (`crossings`): one per rise (the alert left open until the level falls or
    rises again), none while the level stays. A fall to a lower level that is not green
    closes the open alert and leaves one of the new level open (the budget's open alert is
    always its level, so the next judgement at that level raises nothing). The open alerts of
    budgets whose year ended before `as_of`'s are closed (a year over is judged no more).
    The alerts raised and cleared now; a judgement that changes any is audited (one
    `budget.alerts` entry), which also moves the store state that cached views are keyed by
    (`services.memo.kept`: the cockpit's alert counts)."""
    changes = _judge(session, as_of, lake)
    if changes:
        audit.record(
            session,
            SYSTEM.username,
            "budget.alerts",
            "budget_alerts",
            as_of.isoformat(),
            after=changes,
        )
    return changes


def _judge(session: Session, as_of: date, lake: Path | None) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    changes = _close_years_over(session, as_of, now)
    tracking, judged, _notes = tracked(session, SYSTEM, as_of.year, as_of, lake)
    if tracking is None:
        session.flush()
        return changes
    opened = _open_alerts(session)
    previous = {str(k): v.level for k, v in opened.items()}
    statuses = {s.budget_id: s for s in tracking.statuses}
    for alert in crossings(previous, judged):
        key = int(alert.budget_id)
        if key in opened:
            opened[key].cleared_at = now
        level = alert.level if alert.kind == "raised" else alert.current
        if level not in (None, "green"):
            status = statuses[alert.budget_id]
            session.add(
                BudgetAlert(
                    budget_id=key,
                    level=level,
                    indicator=alert.indicator or "",
                    value=float(alert.value) if alert.value is not None else float("nan"),
                    period=f"{as_of:%Y-%m}",
                    detail={
                        "as_of": as_of.isoformat(),
                        "used_share": _finite(status.used_share),
                        "elapsed_share": _finite(status.elapsed_share),
                        "projected_share": _finite(status.projected_share),
                        "previous": alert.previous,
                    },
                    raised_at=now,
                )
            )
        changes.append(alert.as_dict())
    session.flush()
    return changes


def _close_years_over(session: Session, as_of: date, now: datetime) -> list[dict[str, Any]]:
    """Close the open alerts of budgets of years before `as_of`'s; each as a `cleared`
    change to no level (`current` None), its stored detail marked `year_over`."""
    found = session.execute(
        select(BudgetAlert)
        .join(BudgetRow, BudgetRow.budget_id == BudgetAlert.budget_id)
        .where(BudgetAlert.cleared_at.is_(None), BudgetRow.year < as_of.year)
        .order_by(BudgetAlert.alert_id)
    ).scalars()
    changes = []
    for alert in found:
        alert.cleared_at = now
        alert.detail = {**(alert.detail or {}), "year_over": True}
        changes.append(
            Alert(
                budget_id=str(alert.budget_id),
                kind="cleared",
                level=alert.level,  # type: ignore[arg-type]
                previous=alert.level,  # type: ignore[arg-type]
                current=None,
                indicator=alert.indicator or None,
                value=_finite(alert.value),
            ).as_dict()
        )
    return changes


def _finite(value: float | None) -> float | None:
    return None if value is None or value != value else float(value)


def list_alerts(session: Session, actor: Actor, open_only: bool = False) -> list[dict[str, Any]]:
    """The alerts of the budgets the caller may see, newest first."""
    query = (
        select(BudgetAlert, BudgetRow)
        .join(BudgetRow, BudgetRow.budget_id == BudgetAlert.budget_id)
        .order_by(BudgetAlert.alert_id.desc())
    )
    if open_only:
        query = query.where(BudgetAlert.cleared_at.is_(None))
    found = session.execute(query).all()
    regions = enterprise_regions(session, [b.code for _, b in found if b.scope == "enterprise"])
    return [
        {
            "alert_id": a.alert_id,
            "budget_id": b.budget_id,
            "scope": b.scope,
            "code": b.code,
            "year": b.year,
            "quantity": b.quantity,
            "level": a.level,
            "indicator": a.indicator,
            "value": _finite(a.value),
            "period": a.period,
            "raised_at": a.raised_at.isoformat(),
            "cleared_at": a.cleared_at.isoformat() if a.cleared_at else None,
            "detail": a.detail,
        }
        for a, b in found
        if visible(actor, b, regions)
    ]
