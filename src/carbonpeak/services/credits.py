"""The dual-credit ledger in the store: entries appended by who may make them, replayed by the
ledger engine, read by who may see them.

Who may append what: a regulator or the administrator records the results of the annual
accounting (`earn`, `deficit`) of the enterprises they can see; an automaker records its own
transfers, trades, offsets and pool deposits and withdrawals. Every entry is checked against
the whole ledger first (`carbonpeak.policy.dual_credit.ledger`): a refused entry is an input
error naming the reason, and nothing is written. Each entry goes into the audit log.

The NEV supply/demand ratio of a year, which opens and releases the credit pool, is taken from
the ledger itself: the NEV credits earned of that vintage over the NEV deficits of it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.domain.days import china_today
from carbonpeak.errors import InputError, PermissionDenied, Place, Problem
from carbonpeak.policy.dual_credit.ledger import Entry, Ledger, Refused, Rules
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import get_enterprise
from carbonpeak.services.reference import library_in_force
from carbonpeak.store import audit
from carbonpeak.store.models import CreditEntry, Enterprise

RESULTS = ("earn", "deficit")  # recorded by regulators from the annual accounting


def _entry(row: CreditEntry) -> Entry:
    return Entry(
        row.day,
        row.kind,
        row.credit,
        row.vintage,
        row.amount,
        row.entity,
        counterparty=row.counterparty or "",
        settles=row.settles,
        settles_credit=row.settles_credit,
        price=row.price,
        entry_id=row.entry_id,
        carryable=row.carryable,
    )


def supply_demand(entries: list[Entry]) -> dict[int, float]:
    """Per vintage: NEV credits earned over NEV deficits (years with deficits only)."""
    earned: dict[int, float] = defaultdict(float)
    owed: dict[int, float] = defaultdict(float)
    for e in entries:
        if e.credit == "nev" and e.kind == "earn":
            earned[e.vintage] += e.amount
        elif e.credit == "nev" and e.kind == "deficit":
            owed[e.vintage] += e.amount
    return {year: earned[year] / owed[year] for year in sorted(owed) if owed[year] > 0}


def ledger_of(session: Session) -> Ledger:
    """Every stored entry replayed, with the affiliate groups and supply/demand ratios."""
    rows = session.execute(select(CreditEntry).order_by(CreditEntry.entry_id)).scalars().all()
    entries = [_entry(r) for r in rows]
    groups = {
        code: group
        for code, group in session.execute(
            select(Enterprise.enterprise_id, Enterprise.affiliate_group).where(
                Enterprise.affiliate_group.is_not(None)
            )
        ).all()
        if group
    }
    ledger = Ledger(Rules(library_in_force(session)), groups, supply_demand(entries))
    for entry in entries:
        ledger.replay(entry)  # stored entries were checked when they were appended
    return ledger


def append_entry(session: Session, actor: Actor, fields: dict[str, Any]) -> dict[str, Any]:
    """Check and store one entry; `InputError` (the reason) or `PermissionDenied`."""
    kind = str(fields.get("kind", ""))
    entity = str(fields.get("entity", ""))
    get_enterprise(session, actor, entity)  # NotFoundError when out of reach
    if actor.role == "automaker" and kind in RESULTS:
        raise PermissionDenied("an automaker does not record accounting results")
    if actor.role == "automaker" and entity not in actor.enterprises:
        raise PermissionDenied("an automaker records entries of its own enterprises only")
    if actor.role == "enterprise":
        raise PermissionDenied("enterprise users have no credit ledger")
    counterparty = str(fields.get("counterparty") or "")
    if counterparty and session.get(Enterprise, counterparty) is None:
        raise InputError(
            [Problem(Place(field="counterparty"), f"no enterprise {counterparty} in the store")]
        )
    entry = Entry(
        fields["day"],
        kind,
        str(fields.get("credit", "")),
        int(fields["vintage"]),
        float(fields["amount"]),
        entity,
        counterparty=counterparty,
        settles=fields.get("settles"),
        settles_credit=fields.get("settles_credit"),
        price=fields.get("price"),
        carryable=bool(fields.get("carryable", True)),
    )
    ledger = ledger_of(session)
    try:
        ledger.append(entry)
    except Refused as refused:
        raise InputError([Problem(Place(field="kind"), f"refused: {refused}")]) from None
    row = CreditEntry(
        day=entry.day,
        kind=entry.kind,
        credit=entry.credit,
        vintage=entry.vintage,
        amount=entry.amount,
        entity=entry.entity,
        counterparty=entry.counterparty or None,
        settles=entry.settles,
        settles_credit=entry.settles_credit,
        price=entry.price,
        carryable=entry.carryable,
        created_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    stored = _as_dict(_entry(row))
    audit.record(
        session, actor.username, "credit.append", "credit_entry", str(row.entry_id), after=stored
    )
    return stored


def _as_dict(entry: Entry) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id,
        "day": entry.day.isoformat(),
        "kind": entry.kind,
        "credit": entry.credit,
        "vintage": entry.vintage,
        "amount": entry.amount,
        "entity": entry.entity,
        "counterparty": entry.counterparty or None,
        "settles": entry.settles,
        "settles_credit": entry.settles_credit,
        "price": entry.price,
        "carryable": entry.carryable,
    }


def ledger_view(session: Session, actor: Actor, as_of: date | None = None) -> dict[str, Any]:
    """Balances, open deficits past their deadline and entries of the enterprises the actor can
    see, as of a day (default: today), with the yearly supply/demand ratios."""
    if actor.role == "enterprise":
        raise PermissionDenied("enterprise users have no credit ledger")
    today = as_of or china_today()
    ledger = ledger_of(session)
    regions = dict(session.execute(select(Enterprise.enterprise_id, Enterprise.region_code)).all())
    names = dict(session.execute(select(Enterprise.enterprise_id, Enterprise.name)).all())

    def visible(code: str) -> bool:
        return code in regions and actor.can_see(code, regions[code])

    balances = [r for r in ledger.balances(today) if visible(r["entity"])]
    for row in balances:
        row["name"] = names.get(row["entity"], "")
    return {
        "as_of": today.isoformat(),
        "balances": balances,
        "unsettled": [u for u in ledger.unsettled(today) if visible(u["entity"])],
        "entries": [
            _as_dict(e)
            | {"name": names.get(e.entity, ""), "counterparty_name": names.get(e.counterparty, "")}
            for e in ledger.entries
            if e.day <= today and visible(e.entity)
        ],
        "ratios": {str(y): round(r, 4) for y, r in ledger.ratios.items()},
        "pool": dict(
            zip(
                ("deposit_above", "release_below"),
                ledger.rules.pool(today.year) or (),
                strict=False,
            )
        ),
        "industry": _industry(ledger, today) if actor.role in ("admin", "regulator") else [],
    }


def _industry(ledger: Ledger, today: date) -> list[dict[str, Any]]:
    """Per accounting year: the results recorded in the ledger (credits earned and deficits, in
    10^4 as the announcements give them) beside the official national totals."""
    reference = ledger.rules.reference
    measures = ("cafc_positive_10k", "cafc_negative_10k", "nev_positive_10k", "nev_negative_10k")
    sums: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for e in ledger.entries:
        if e.day <= today and e.kind in RESULTS:
            sign = "positive" if e.kind == "earn" else "negative"
            sums[e.vintage][f"{e.credit}_{sign}_10k"] += e.amount / 10_000
    out = []
    for year in sorted(sums):
        official = {
            str(r["measure"]): float(r["value"])  # type: ignore[arg-type]
            for r in reference.rows("dual_credit_results", year=year, scope="total")
        }
        out.append(
            {
                "year": year,
                "recorded": {m: round(sums[year][m], 4) for m in measures},
                "official": {m: official.get(m) for m in measures},
            }
        )
    return out


def compute_file(session: Session, name: str, content: bytes, year: int) -> dict[str, Any]:
    """The credits of an uploaded fleet in a year under the library in force (a year after the
    shipped rules once an approved edition covers it); every problem of it placed in the
    file."""
    from carbonpeak.io.tables import place_problems, read_upload
    from carbonpeak.policy.dual_credit.compute import compute
    from carbonpeak.policy.dual_credit.fleet import check_fleet

    reference = library_in_force(session)
    tidy, problems = check_fleet(read_upload(name, content, "fleet"), reference)
    if problems:
        raise InputError(place_problems(problems, Path(name), "fleet"))
    if year not in set(tidy["year"]):
        raise InputError([Problem(Place(field="year"), f"the fleet has no rows of {year}")])
    try:
        return {"enterprises": compute(tidy, reference, [year]).results()}
    except InputError as error:  # an input the year's formula reads, missing at a row
        raise InputError(place_problems(error.problems, Path(name), "fleet")) from None


def plan(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    """The cheapest compliant path of a plan (`carbonpeak.policy.dual_credit.planner`) under
    the library in force."""
    from carbonpeak.policy.dual_credit.planner import plan_from_dict, solve

    return solve(plan_from_dict(body), library_in_force(session))
