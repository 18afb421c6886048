"""The budget a project holds (split from services/budgets.py when it passed 400 lines):
the region budget a project assessment takes, with its use to date and what submitted
projects hold of it; holding on submission, debiting or freeing on the decision."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.policy.budgets import contains, region_prefix, track
from carbonpeak.services.budgets_rows import HOLDING, enterprise_regions, floor2, use_frames
from carbonpeak.services.reference import reference_of
from carbonpeak.store.models import Budget as BudgetRow
from carbonpeak.store.models import BudgetCommitment


def region_budget(
    session: Session, region_code: str, year: int, as_of: date, lake: Path | None = None
) -> dict[str, Any] | None:
    """The CO2 budget of the region most narrowly containing `region_code` for `year`, as a
    project assessment takes it: cap, use to date (`used_t`) and what project applications
    hold of it (`committed_t`, pending and approved), with its id; None without one."""
    rows = list(
        session.execute(
            select(BudgetRow).where(
                BudgetRow.scope == "region", BudgetRow.year == year, BudgetRow.quantity == "co2"
            )
        ).scalars()
    )
    inside = [r for r in rows if contains(r.code, region_code)]
    if not inside:
        return None
    row = max(inside, key=lambda r: len(region_prefix(r.code)))
    budget = floor2(row)
    regions = enterprise_regions(session)
    members = sorted(e for e, region in regions.items() if contains(row.code, region))
    use, output = use_frames(session, year, members)
    tracking = track([budget], use, output, None, as_of, regions, reference_of(session))
    used = tracking.statuses[0].used_to_date
    held = session.execute(
        select(BudgetCommitment.amount).where(
            BudgetCommitment.budget_id == row.budget_id, BudgetCommitment.state.in_(HOLDING)
        )
    ).scalars()
    return {
        "budget_id": row.budget_id,
        "cap_t": budget.implied_cap,
        "used_t": 0.0 if used != used else float(used),
        "committed_t": float(sum(held)),
    }


def hold(session: Session, budget_id: int, application_id: int, amount_t: float) -> None:
    """A submitted project holds `amount_t` of the budget until it is decided."""
    session.add(
        BudgetCommitment(budget_id=budget_id, application_id=application_id, amount=amount_t)
    )
    session.flush()


def settle(session: Session, application_id: int, approved: bool) -> None:
    """Approving a project debits the budget it holds; refusing it frees it."""
    for row in session.execute(
        select(BudgetCommitment).where(BudgetCommitment.application_id == application_id)
    ).scalars():
        row.state = "approved" if approved else "released"
        row.updated_at = datetime.now(UTC)
    session.flush()
