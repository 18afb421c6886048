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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, NotFoundError, PermissionDenied, Place, Problem
from carbonpeak.monitoring.nowcast import nowcast
from carbonpeak.policy.budgets import (
    Alert,
    Budget,
    BudgetLevel,
    BudgetTracking,
    check_cascade,
    contains,
    crossings,
    levels,
    parse_budgets,
    region_prefix,
    track,
)
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting import official_months
from carbonpeak.services.monitoring import daily_use
from carbonpeak.services.reference import reference_of
from carbonpeak.store import audit
from carbonpeak.store.models import Budget as BudgetRow
from carbonpeak.store.models import BudgetAlert, BudgetCommitment, Enterprise

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


def _floor2(row: BudgetRow) -> Budget:
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
            if key not in stored or not _visible(actor, stored[key], regions):
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
        _floor2(r)
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
    row = _reachable(session, actor, budget_id)
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
        _floor2(r)
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


def _visible(actor: Actor, row: BudgetRow, regions: Mapping[str, str]) -> bool:
    if row.scope == "enterprise":
        region = regions.get(row.code)
        return region is not None and actor.can_see(row.code, region)
    return actor.role in ("admin", "regulator") and actor.covers_region(row.code)


def _reachable(session: Session, actor: Actor, budget_id: int) -> BudgetRow:
    row = session.get(BudgetRow, budget_id) if 0 < budget_id <= MAX_ID else None
    if row is None or not _visible(actor, row, enterprise_regions(session, [row.code])):
        raise NotFoundError(f"no budget {budget_id}")
    return row


def list_budgets(session: Session, actor: Actor, year: int | None = None) -> list[dict[str, Any]]:
    """The budgets the caller may see, by year, quantity and code."""
    query = select(BudgetRow).order_by(BudgetRow.year, BudgetRow.quantity, BudgetRow.code)
    if year is not None:
        query = query.where(BudgetRow.year == year)
    rows = list(session.execute(query).scalars())
    regions = enterprise_regions(session, [r.code for r in rows if r.scope == "enterprise"])
    return [as_dict(r) for r in rows if _visible(actor, r, regions)]


# -- tracking ---------------------------------------------------------------------------------


def _use_frames(
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


def _nowcast(session: Session, lake: Path | None, members: Sequence[str], as_of: date) -> Any:
    """The nowcast of the members' unreported months of `as_of`'s year, calibrated on the
    lake's window (from the same month of the year before to `as_of`) with the reports of
    both years in it: in January the calibration is last year's months."""
    if lake is None:
        return None
    daily = daily_use(lake, members, date(as_of.year - 1, as_of.month, 1), as_of)
    if daily.empty:
        return None
    frames = [_use_frames(session, y, members)[0] for y in (as_of.year - 1, as_of.year)]
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
    budgets = [_floor2(r) for r in rows if r is not None]
    regions = enterprise_regions(session)
    areas = [b.code for b in budgets if b.scope == "region"]
    own = {b.code for b in budgets if b.scope == "enterprise"}
    members = sorted(
        e for e, region in regions.items() if e in own or any(contains(a, region) for a in areas)
    )
    use, output = _use_frames(session, year, members)
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


# -- alerts -----------------------------------------------------------------------------------

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
    The alerts raised and cleared now."""
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
        if _visible(actor, b, regions)
    ]


# -- the budget a project holds ---------------------------------------------------------------

HOLDING = ("pending", "approved")


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
    budget = _floor2(row)
    regions = enterprise_regions(session)
    members = sorted(e for e, region in regions.items() if contains(row.code, region))
    use, output = _use_frames(session, year, members)
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
