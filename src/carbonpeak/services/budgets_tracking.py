"""Budgets tracked (split from services/budgets.py when it passed 400 lines): the caller's
budgets of a year, their use to date from the official monthly accounts, for an enterprise
under online monitoring the months it has not reported nowcast from the lake
(`monitoring.nowcast`, calibrated on the reports of the lake's window: this year's and last
year's), and their levels from the authority's thresholds (`services.reference`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak.monitoring.nowcast import nowcast
from carbonpeak.policy.budgets import BudgetLevel, BudgetTracking, contains, levels, track
from carbonpeak.services.access import Actor
from carbonpeak.services.budgets_rows import enterprise_regions, floor2, list_budgets, use_frames
from carbonpeak.services.monitoring import daily_use
from carbonpeak.services.reference import reference_of
from carbonpeak.store.models import Budget as BudgetRow


def _nowcast(session: Session, lake: Path | None, members: Sequence[str], as_of: date) -> Any:
    """The nowcast of the members' unreported months of `as_of`'s year, calibrated on the
    lake's window (from the same month of the year before to `as_of`) with the reports of
    both years in it: in January the calibration is last year's months."""
    if lake is None:
        return None
    daily = daily_use(session, lake, members, date(as_of.year - 1, as_of.month, 1), as_of)
    if daily.empty:
        return None
    frames = [use_frames(session, y, members)[0] for y in (as_of.year - 1, as_of.year)]
    reports = pd.concat([f for f in frames if not f.empty] or frames[1:], ignore_index=True)
    return nowcast(daily, reports[["enterprise_id", "period", "co2_t", "energy_tce"]], as_of)


def tracked(
    session: Session, actor: Actor, year: int, as_of: date, lake: Path | None = None
) -> tuple[BudgetTracking | None, list[BudgetLevel], list[dict[str, Any]]]:
    """The caller's budgets of `year` tracked to `as_of`, their levels and the nowcast's
    warnings (in their dict form)."""
    visible = list_budgets(session, actor, year)
    if not visible:
        return None, [], []
    rows = [session.get(BudgetRow, b["budget_id"]) for b in visible]
    budgets = [floor2(r) for r in rows if r is not None]
    regions = enterprise_regions(session)
    areas = [b.code for b in budgets if b.scope == "region"]
    own = {b.code for b in budgets if b.scope == "enterprise"}
    members = sorted(
        e for e, region in regions.items() if e in own or any(contains(a, region) for a in areas)
    )
    use, output = use_frames(session, year, members)
    cast = _nowcast(session, lake, members, as_of)
    reference = reference_of(session)
    tracking = track(
        budgets,
        use,
        output,
        cast.table if cast is not None else None,
        as_of,
        regions,
        reference,
    )
    judged = levels(tracking, reference, as_of)
    notes = [w.as_dict() for w in cast.warnings] if cast is not None else []
    return tracking, judged, notes
