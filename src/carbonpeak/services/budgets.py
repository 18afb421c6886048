"""The budgets wing's use cases: carbon (and energy) budgets of regions and enterprises,
cascaded, tracked month by month and warned on (`carbonpeak.policy.budgets`).

- **Who.** Regulators (and the administrator) set budgets for the regions in their scope and
  for the enterprises there; an enterprise user sees its enterprises' budgets. A budget
  outside the caller's regions is a placed problem, and nothing is stored.
- **Whose budget.** A budget is an allocation of its parent's: only a caller covering the
  PARENT's region creates, changes or deletes a budget with a parent (the province sets its
  prefectures' budgets, a prefecture its counties' and enterprises'; a prefecture cannot raise
  or delete the cap the province gave it). A budget without a parent is set by a caller
  covering its own region: a province's regulator sets the province's. A prefecture's
  regulator may set, change and delete its own prefecture's budget while no budget of a
  containing region exists for that year and quantity (nobody above has allocated anything
  yet); once the province sets one, the prefecture's budget becomes its child and only the
  province's regulators change it. A change is checked on the stored budget (it must be one
  the caller may see, else "no budget", and one whose parent's region the caller covers) and
  on the new values (the parent inferred for them).
- **Cascade.** A budget's parent is inferred, never typed: the budget of the same year and
  quantity whose region most narrowly contains the budget's region (an enterprise's: its
  own region). Each save checks the whole cascade of the years and quantities it touches
  (`check_cascade`: the parts never exceed the whole less its reserve) with the stored
  budgets, and re-parents the stored ones (a prefecture added between a province and its
  counties takes the counties).
- **Saving.** Rows with a `budget_id` change that stored budget; rows without one are new,
  and a new budget of a scope, code, year and quantity already stored is refused (overlapping
  periods). Every problem at once, placed by row and field; every change in the audit log.
- **Tracking.** Use to date from the official monthly accounts; for an enterprise under online
  monitoring, the months it has not reported are nowcast from the lake
  (`monitoring.nowcast`); levels from the authority's thresholds (`services.reference`).
  `record_alerts` stores one alert per crossing (`crossings`).
- **Modules.** This module saves and deletes; the stored rows' helpers and `list_budgets`
  are in `budgets_rows`, `tracked` in `budgets_tracking`, the alerts in `budgets_alerts`, the
  budget a project holds in `budgets_holds` (all re-exported here), the pages' views in
  `budgets_view`, files in `budgets_files`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, PermissionDenied, Place, Problem
from carbonpeak.policy.budgets import (
    Budget,
    check_cascade,
    parse_budgets,
)
from carbonpeak.services.access import Actor
from carbonpeak.services.budgets_alerts import SYSTEM, list_alerts, record_alerts
from carbonpeak.services.budgets_holds import hold, region_budget, settle
from carbonpeak.services.budgets_rows import (
    FIELDS,
    HOLDING,
    MAX_ID,
    NEW,
    as_dict,
    enterprise_regions,
    floor2,
    list_budgets,
    reachable,
    region_of,
    use_frames,
    visible,
    with_parents,
)
from carbonpeak.services.budgets_tracking import tracked
from carbonpeak.services.reference import reference_of
from carbonpeak.store import audit
from carbonpeak.store.models import Budget as BudgetRow
from carbonpeak.store.models import BudgetAlert, BudgetCommitment


def _check_reach(
    actor: Actor, budgets: Sequence[tuple[int, Budget]], regions: Mapping[str, str]
) -> list[Problem]:
    problems = []
    for line, b in budgets:
        region = region_of(b, regions)
        if b.scope == "enterprise" and region is None:
            problems.append(
                Problem(Place(row=line, field="code"), f"no enterprise {b.code} on the platform")
            )
        elif region is not None and not actor.covers_region(region):
            problems.append(
                Problem(Place(row=line, field="code"), f"{b.code} is outside your regions")
            )
    return problems


def save_budgets(
    session: Session, actor: Actor, rows: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Create or change budgets (see the module's docstring); the saved budgets."""
    if actor.role not in ("regulator", "admin"):
        raise PermissionDenied("regulators set budgets")
    reference = reference_of(session)
    stored = {r.budget_id: r for r in session.execute(select(BudgetRow)).scalars()}
    regions = enterprise_regions(session)
    problems: list[Problem] = []
    prepared = []
    for number, row in enumerate(rows, 1):
        line = int(row.get("row") or number)
        given = row.get("budget_id")
        values = {k: v for k, v in row.items() if k in FIELDS}
        if given not in (None, ""):
            try:
                key = int(str(given))
            except ValueError:
                key = -1
            if key not in stored or not visible(actor, stored[key], regions):
                problems.append(Problem(Place(row=line, field="budget_id"), f"no budget {given}"))
            elif (setter := _setter(stored[key], stored, regions)) is not None and (
                not actor.covers_region(setter)
            ):
                problems.append(
                    Problem(
                        Place(row=line, field="budget_id"),
                        f"budget {given} is set by the regulators of {setter}",
                    )
                )
            budget_id = str(given)
        else:
            budget_id = f"{NEW}{line}"
        prepared.append({**values, "budget_id": budget_id, "row": line})
    parsed = parse_budgets(prepared, reference)  # raises with every row's problems
    lines = {b.budget_id: int(r["row"]) for b, r in zip(parsed, prepared, strict=True)}
    problems += _check_reach(actor, [(lines[b.budget_id], b) for b in parsed], regions)
    if problems:  # a budget the caller may not set: its cascade (others' sums) is not shown
        raise InputError(problems)
    taken = {(r.scope, r.code, r.year, r.quantity): r.budget_id for r in stored.values()}
    changed = {b.budget_id for b in parsed}
    for b in parsed:
        other = taken.get((b.scope, b.code, b.year, b.quantity))
        if other is not None and str(other) != b.budget_id and str(other) not in changed:
            problems.append(
                Problem(
                    Place(row=lines[b.budget_id], field="year"),
                    f"a {b.quantity} budget of {b.code} for {b.year} exists already "
                    f"(budget {other}): give its budget_id to change it",
                )
            )
    # the groups (year, quantity) the new values enter and those the changed budgets leave:
    # a budget moved to another year leaves children to re-parent and a cascade to re-check
    groups = {(b.year, b.quantity) for b in parsed} | {
        (stored[int(b.budget_id)].year, stored[int(b.budget_id)].quantity)
        for b in parsed
        if b.budget_id.isdigit() and int(b.budget_id) in stored
    }
    kept = [
        floor2(r)
        for r in stored.values()
        if (r.year, r.quantity) in groups and str(r.budget_id) not in changed
    ]
    cascade = with_parents([*kept, *parsed], regions)
    problems += _check_setters(actor, parsed, cascade, lines)
    for p in check_cascade(cascade, regions):
        problems.append(_placed(p, lines, {b.budget_id: b.code for b in parsed}))
    if problems:
        raise InputError(problems)
    return _write(session, actor, stored, parsed, cascade)


def _setter(
    row: BudgetRow, stored: Mapping[int, BudgetRow], regions: Mapping[str, str]
) -> str | None:
    """The region whose regulators set a stored budget: its parent's, else its own."""
    parent = stored.get(row.parent_id) if row.parent_id is not None else None
    if parent is not None:
        return str(parent.code)
    return str(row.code) if row.scope == "region" else regions.get(row.code)


def _check_setters(
    actor: Actor, parsed: Sequence[Budget], cascade: Sequence[Budget], lines: Mapping[str, int]
) -> list[Problem]:
    """The new values' side of "whose budget": a budget whose inferred parent lies in a
    region the caller does not cover is the parent's holders' to set."""
    by_id = {b.budget_id: b for b in cascade}
    problems = []
    for b in parsed:
        parent = by_id[b.budget_id].parent_id
        if parent is not None and not actor.covers_region(by_id[parent].code):
            problems.append(
                Problem(
                    Place(row=lines[b.budget_id], field="code"),
                    f"the budget of {b.code} is set by the regulators of {by_id[parent].code} "
                    "(its parent budget's region)",
                )
            )
    return problems


def _placed(problem: Problem, lines: Mapping[str, int], codes: Mapping[str, str]) -> Problem:
    """A cascade problem (placed at `<budget_id>.<field>`) at the row of the budget; a new
    budget named in its message by its code (`new-3` is no id a user knows, and a code reads
    the same in every language)."""
    field = problem.place.field or ""
    budget_id, _, name = field.partition(".")
    values = tuple(
        codes[v] if isinstance(v, str) and v.startswith(NEW) and v in codes else v
        for v in problem.values
    )
    message = problem.template.format(*values) if problem.template else problem.message
    if budget_id in lines:
        place = Place(row=lines[budget_id], field=name or None)
    else:
        place = Place(field=f"budget {budget_id}")
    return Problem(place, message, problem.template, values)


def _write(
    session: Session,
    actor: Actor,
    stored: dict[int, BudgetRow],
    parsed: Sequence[Budget],
    cascade: Sequence[Budget],
) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    made: dict[str, BudgetRow] = {}
    for b in parsed:
        values = {f: getattr(b, f) for f in FIELDS}
        values["shares"] = list(b.shares) if b.shares is not None else None
        if b.budget_id.startswith(NEW):
            row = BudgetRow(**values, created_by=actor.user_id, created_at=now, updated_at=now)
            session.add(row)
            before = None
        else:
            row = stored[int(b.budget_id)]
            before = as_dict(row)
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = now
        made[b.budget_id] = row
        session.flush()
        audit.record(
            session,
            actor.username,
            "budget.create" if before is None else "budget.update",
            "budget",
            str(row.budget_id),
            before=before,
            after=as_dict(row),
        )
    ids = {key: (made[key].budget_id if key in made else int(key)) for key in _keys(cascade)}
    for b in cascade:  # parents inferred anew for the whole cascade touched
        row = made.get(b.budget_id) or stored[int(b.budget_id)]
        row.parent_id = ids[b.parent_id] if b.parent_id else None
    session.flush()
    return [as_dict(made[b.budget_id]) for b in parsed]


def _keys(budgets: Sequence[Budget]) -> set[str]:
    return {b.budget_id for b in budgets}


def delete_budget(session: Session, actor: Actor, budget_id: int) -> None:
    """Delete a budget: its children take its parent; refused when a project holds part of
    it or the cascade would break."""
    row = reachable(session, actor, budget_id)
    if actor.role not in ("regulator", "admin"):
        raise PermissionDenied("regulators set budgets")
    parent = session.get(BudgetRow, row.parent_id) if row.parent_id is not None else None
    if parent is not None and not actor.covers_region(parent.code):
        raise PermissionDenied(
            f"budget {budget_id} is set by the regulators of {parent.code} (its parent's region)"
        )
    held = session.execute(
        select(BudgetCommitment).where(
            BudgetCommitment.budget_id == budget_id, BudgetCommitment.state.in_(HOLDING)
        )
    ).first()
    if held is not None:
        raise InputError(
            [Problem(Place(field="budget_id"), "project applications hold part of this budget")]
        )
    regions = enterprise_regions(session)
    rest = [
        floor2(r)
        for r in session.execute(
            select(BudgetRow).where(
                BudgetRow.year == row.year,
                BudgetRow.quantity == row.quantity,
                BudgetRow.budget_id != budget_id,
            )
        ).scalars()
    ]
    cascade = with_parents(rest, regions)
    problems = check_cascade(cascade, regions)
    if problems:
        raise InputError(problems)
    before = as_dict(row)
    for alert in session.execute(
        select(BudgetAlert).where(BudgetAlert.budget_id == budget_id)
    ).scalars():
        session.delete(alert)
    for freed in session.execute(  # refused projects' holds: they hold nothing
        select(BudgetCommitment).where(BudgetCommitment.budget_id == budget_id)
    ).scalars():
        session.delete(freed)
    for child in session.execute(
        select(BudgetRow).where(BudgetRow.parent_id == budget_id)
    ).scalars():
        child.parent_id = row.parent_id
    session.flush()
    session.delete(row)
    session.flush()
    audit.record(session, actor.username, "budget.delete", "budget", str(budget_id), before=before)


__all__ = [
    "FIELDS",
    "HOLDING",
    "MAX_ID",
    "NEW",
    "SYSTEM",
    "as_dict",
    "delete_budget",
    "enterprise_regions",
    "floor2",
    "hold",
    "list_alerts",
    "list_budgets",
    "reachable",
    "record_alerts",
    "region_budget",
    "region_of",
    "save_budgets",
    "settle",
    "tracked",
    "use_frames",
    "visible",
    "with_parents",
]
