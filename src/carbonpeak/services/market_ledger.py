"""The compliance ledger of the national carbon market in the store: entries appended by who may
make them, replayed by the ledger engine (`market.ledger`), positions read by who may see them.

Who may append what: a regulator or the administrator records what the authorities decide for
the enterprises they can see (`obligation`: the verified emissions of a year; `allocated`: the
allowances issued); an enterprise user records its own trades and surrenders (`bought`,
`sold`, `surrendered`, `offset`), as its registry account shows them. Every entry is checked
against the whole ledger first: a refused entry is an input error naming the rule, and nothing
is written. Each entry goes into the audit log.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Numeric, select
from sqlalchemy.orm import Session

from carbonpeak.domain.days import china_today
from carbonpeak.domain.warnings import ResultWarning
from carbonpeak.errors import N_, InputError, PermissionDenied, Place, Problem
from carbonpeak.market.ledger import Entry, Ledger
from carbonpeak.market.ledger_rules import Refused, Rules
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import get_enterprise
from carbonpeak.services.market import sector_of
from carbonpeak.services.reference import library_in_force
from carbonpeak.store import audit
from carbonpeak.store.models import Enterprise
from carbonpeak.store.models_market import MarketEntry

DECIDED = ("obligation", "allocated")  # recorded by the authorities
# amounts are kept to the store's decimal places (the scale of market_entries.amount)
_AMOUNT = MarketEntry.__table__.c.amount.type
assert isinstance(_AMOUNT, Numeric) and _AMOUNT.scale is not None
SCALE = Decimal(1).scaleb(-_AMOUNT.scale)


def _decimal(value: Decimal | float | str) -> Decimal:
    """A stored number as written: trailing zeros of the store's places dropped."""
    number = Decimal(value)
    whole = number.to_integral_value()
    return whole if number == whole else number.normalize()


def _entry(row: MarketEntry) -> Entry:
    return Entry(
        row.day,
        row.kind,
        row.holder,
        _decimal(row.amount),
        vintage=row.vintage,
        year=row.year,
        counterparty=row.counterparty or "",
        price=None if row.price is None else _decimal(row.price),
        entry_id=row.entry_id,
    )


def _stored(session: Session) -> tuple[list[Entry], dict[str, str], Rules]:
    """The stored entries in date order (then as stored), each holder's sector, the rules."""
    reference = library_in_force(session)
    rows = (
        session.execute(select(MarketEntry).order_by(MarketEntry.day, MarketEntry.entry_id))
        .scalars()
        .all()
    )
    holders = sorted({r.holder for r in rows})
    sectors = {
        code: sector
        for code, industry in session.execute(
            select(Enterprise.enterprise_id, Enterprise.industry_code).where(
                Enterprise.enterprise_id.in_(holders)
            )
        ).all()
        if (sector := sector_of(reference, industry)) is not None
    }
    return [_entry(r) for r in rows], sectors, Rules(reference)


def ledger_of(session: Session) -> Ledger:
    """Every stored entry replayed in date order. Stored entries were checked when they were
    taken and are not checked again (an edition may have changed a rule since)."""
    entries, sectors, rules = _stored(session)
    ledger = Ledger(rules, sectors=sectors)
    for entry in entries:
        ledger.replay(entry)
    return ledger


def _checked(entries: list[Entry], new: Entry, ledger: Ledger) -> list[ResultWarning]:
    """Check `new` against the ledger as it stood on its day, and the holder's later entries
    against the ledger with it (an entry filed late must not make a later one impossible);
    `Refused` names the rule. The warnings the new entry brings."""
    later = [e for e in entries if e.day > new.day]
    for entry in entries:
        if entry.day <= new.day:
            ledger.replay(entry)
    before = len(ledger.warnings)
    ledger.append(new)
    warnings = ledger.warnings[before:]
    for entry in later:
        if entry.holder != new.holder:
            ledger.replay(entry)
            continue
        try:
            ledger.append(entry)
        except Refused as refused:
            raise Refused(
                N_("it would make the later entry {} of {} impossible: {}"),
                entry.entry_id,
                entry.day,
                refused.problem(),
            ) from None
    return warnings


def append_entry(session: Session, actor: Actor, fields: dict[str, Any]) -> dict[str, Any]:
    """Check and store one entry; `InputError` (the rule) or `PermissionDenied`. Amounts are
    kept to the store's six decimal places, and checked as kept."""
    kind = str(fields.get("kind", ""))
    holder = str(fields.get("holder", ""))
    enterprise = get_enterprise(session, actor, holder)  # NotFoundError when out of reach
    if actor.role in ("enterprise", "automaker"):
        if kind in DECIDED:
            raise PermissionDenied("an enterprise does not record the authorities' decisions")
        if holder not in actor.enterprises:
            raise PermissionDenied("an enterprise records entries of its own only")
    elif actor.role == "regulator" and kind not in DECIDED:
        raise PermissionDenied("a regulator records obligations and allocations only")
    day = fields["day"]
    if day > china_today():
        raise InputError(
            Problem.of(
                Place(field="day"), N_("{} is after today: the ledger records what was done"), day
            )
        )
    entries, sectors, rules = _stored(session)
    sector = sector_of(rules.reference, enterprise.industry_code)
    if sector is not None:
        sectors[holder] = sector
    entry = Entry(
        day,
        kind,
        holder,
        Decimal(str(fields["amount"])).quantize(SCALE, rounding=ROUND_HALF_UP),
        vintage=fields.get("vintage"),
        year=fields.get("year"),
        counterparty=str(fields.get("counterparty") or ""),
        price=None
        if fields.get("price") is None
        else Decimal(str(fields["price"])).quantize(SCALE, rounding=ROUND_HALF_UP),
    )
    try:
        warnings = _checked(entries, entry, Ledger(rules, sectors=sectors))
    except Refused as refused:
        raise InputError(
            Problem.of(Place(field="kind"), N_("refused: {}"), refused.problem())
        ) from None
    row = MarketEntry(
        day=entry.day,
        kind=entry.kind,
        holder=entry.holder,
        amount=entry.amount,
        vintage=entry.vintage,
        year=entry.year,
        counterparty=entry.counterparty or None,
        price=entry.price,
        created_by=actor.user_id,
    )
    session.add(row)
    session.flush()
    record = _as_dict(_entry(row)) | {"warnings": [w.as_dict() for w in warnings]}
    audit.record(
        session, actor.username, "market.append", "market_entry", str(row.entry_id), after=record
    )
    return record


def _as_dict(entry: Entry) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id,
        "day": entry.day.isoformat(),
        "kind": entry.kind,
        "holder": entry.holder,
        "amount": str(entry.amount),
        "vintage": entry.vintage,
        "year": entry.year,
        "counterparty": entry.counterparty or None,
        "price": None if entry.price is None else str(entry.price),
    }


def position_of(
    session: Session, actor: Actor, enterprise_id: str, year: int, on: date | None = None
) -> dict[str, Any]:
    """An enterprise's compliance position for `year` as of `on` (default: today in China),
    with its entries."""
    get_enterprise(session, actor, enterprise_id)
    ledger = ledger_of(session)
    when = on or china_today()
    position = ledger.position(enterprise_id, year, when)
    entries = [_as_dict(e) for e in ledger.entries if e.holder == enterprise_id and e.day <= when]
    return position.as_dict() | {"entries": entries}


def positions(session: Session, actor: Actor, year: int, on: date | None = None) -> dict[str, Any]:
    """The positions for `year` of every enterprise the caller sees that has an entry, by
    sector, with the number short and late."""
    ledger = ledger_of(session)
    when = on or china_today()
    visible = set(
        session.execute(select(Enterprise.enterprise_id).where(actor.visible())).scalars()
    )
    holders = sorted({e.holder for e in ledger.entries} & visible)
    rows = [p.as_dict() for p in ledger.positions(holders, year, when)]
    by_sector: dict[str, dict[str, Any]] = {}
    for row in rows:
        sector = row["sector"] or ""
        summary = by_sector.setdefault(
            sector, {"sector": sector, "emitters": 0, "short": 0, "late": 0, "shortfall_t": "0"}
        )
        summary["emitters"] += 1
        summary["short"] += Decimal(row["shortfall_t"]) > 0
        summary["late"] += bool(row["late"])
        summary["shortfall_t"] = str(Decimal(summary["shortfall_t"]) + Decimal(row["shortfall_t"]))
    return {
        "year": year,
        "on": when.isoformat(),
        "positions": rows,
        "sectors": [by_sector[s] for s in sorted(by_sector)],
    }
