"""The budgets wing's stored rows as the use cases read them (split from services/budgets.py
when it passed 400 lines): a stored budget as a dict and as floor 2's `Budget`, the regions
of enterprises, the parents inferred for a cascade, who may see a budget, and the official
monthly use of a year as frames."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import NotFoundError
from carbonpeak.policy.budgets import Budget, contains, region_prefix
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting_versions import official_months
from carbonpeak.store.models import Budget as BudgetRow
from carbonpeak.store.models import Enterprise

FIELDS = (
    "scope",
    "code",
    "year",
    "quantity",
    "cap",
    "intensity",
    "basis",
    "item",
    "planned",
    "profile",
    "shares",
    "reserve",
)
NEW = "new-"  # the id of a budget not stored yet: its row
MAX_ID = 2**31 - 1
"""The largest budget id a store holds (a 32-bit INTEGER column); larger ids name no budget."""


def as_dict(row: BudgetRow) -> dict[str, Any]:
    return {
        "budget_id": row.budget_id,
        "parent_id": row.parent_id,
        **{f: getattr(row, f) for f in FIELDS},
        "shares": list(row.shares) if row.shares else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }


def floor2(row: BudgetRow) -> Budget:
    values = {f: getattr(row, f) for f in FIELDS}
    values["shares"] = tuple(row.shares) if row.shares else None
    return Budget(budget_id=str(row.budget_id), parent_id=None, **values)


def enterprise_regions(session: Session, codes: Sequence[str] | None = None) -> dict[str, str]:
    query = select(Enterprise.enterprise_id, Enterprise.region_code)
    if codes is not None:
        query = query.where(Enterprise.enterprise_id.in_(sorted(set(codes))))
    return {str(e): str(r) for e, r in session.execute(query).all()}


def region_of(budget: Budget, regions: Mapping[str, str]) -> str | None:
    return budget.code if budget.scope == "region" else regions.get(budget.code)


def with_parents(budgets: Sequence[Budget], regions: Mapping[str, str]) -> list[Budget]:
    """Each budget with its inferred parent: the region budget of the same year and quantity
    whose region most narrowly contains the budget's region (itself excluded)."""
    groups: dict[tuple[int, str], list[Budget]] = defaultdict(list)
    for b in budgets:
        if b.scope == "region":
            groups[(b.year, b.quantity)].append(b)
    out = []
    for b in budgets:
        own = region_of(b, regions)
        best: Budget | None = None
        for candidate in groups[(b.year, b.quantity)]:
            if candidate.budget_id == b.budget_id or own is None:
                continue
            inside = contains(candidate.code, own) and (
                b.scope == "enterprise" or candidate.code != own
            )
            if inside and (
                best is None or len(region_prefix(candidate.code)) > len(region_prefix(best.code))
            ):
                best = candidate
        out.append(b.model_copy(update={"parent_id": best.budget_id if best else None}))
    return out


def visible(actor: Actor, row: BudgetRow, regions: Mapping[str, str]) -> bool:
    if row.scope == "enterprise":
        region = regions.get(row.code)
        return region is not None and actor.can_see(row.code, region)
    return actor.role in ("admin", "regulator") and actor.covers_region(row.code)


def reachable(session: Session, actor: Actor, budget_id: int) -> BudgetRow:
    row = session.get(BudgetRow, budget_id) if 0 < budget_id <= MAX_ID else None
    if row is None or not visible(actor, row, enterprise_regions(session, [row.code])):
        raise NotFoundError(f"no budget {budget_id}")
    return row


def use_frames(
    session: Session, year: int, members: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    months = official_months(session, year, members)
    use = pd.DataFrame(
        months,
        columns=["enterprise_id", "period", "co2_t", "energy_tce", "value_added_10k_yuan"],
    )
    output = pd.DataFrame(
        [
            {"enterprise_id": m["enterprise_id"], "period": m["period"], **o}
            for m in months
            for o in m["output"]
        ],
        columns=["enterprise_id", "period", "item", "amount"],
    )
    return use, output


def list_budgets(session: Session, actor: Actor, year: int | None = None) -> list[dict[str, Any]]:
    """The budgets the caller may see, by year, quantity and code."""
    query = select(BudgetRow).order_by(BudgetRow.year, BudgetRow.quantity, BudgetRow.code)
    if year is not None:
        query = query.where(BudgetRow.year == year)
    rows = list(session.execute(query).scalars())
    regions = enterprise_regions(session, [r.code for r in rows if r.scope == "enterprise"])
    return [as_dict(r) for r in rows if visible(actor, r, regions)]


HOLDING = ("pending", "approved")
"""The states of a project's hold that hold part of a budget (a refused one is released)."""
