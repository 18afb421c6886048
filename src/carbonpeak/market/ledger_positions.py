"""A holder's compliance position for a year, read from a replay of the ledger
(`market.ledger.Ledger.position`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from carbonpeak.domain.warnings import warn
from carbonpeak.market.allocation import row_provenance
from carbonpeak.market.ledger_rules import Position
from carbonpeak.reference.loader import Record

if TYPE_CHECKING:
    from carbonpeak.market.ledger import Ledger


def position_of(replay: Ledger, holder: str, year: int, on: date) -> Position:
    """The holder's position for compliance year `year` from a replay of the ledger up to
    `on`: obligation, allowances held and usable, settled, shortfall, deadline, lateness and
    its cited consequence, the reference rows it rests on."""
    rules = replay.rules
    b = replay.accounts
    sector = replay.sectors.get(holder)
    obligation = b[("obligation", holder, year)] or None
    held = {k[2]: v for k, v in sorted(b.items()) if k[:2] == ("held", holder) and v}
    cited: list[Record] = []
    usable = Decimal(0)
    for vintage, amount in held.items():
        rule = rules.vintage_rule(vintage, year)
        if rule is not None:
            usable += amount
    for entry in replay.entries:
        if entry.holder == holder and entry.kind == "surrendered" and entry.year == year:
            assert entry.vintage is not None
            rule = rules.vintage_rule(entry.vintage, year)
            if rule is not None and rule not in cited:
                cited.append(rule)
    surrendered, offset = b[("surrendered", holder, year)], b[("offset", holder, year)]
    shortfall = max((obligation or Decimal(0)) - surrendered - offset, Decimal(0))
    warnings = [
        w for w in replay.warnings if w.data.get("holder") == holder and w.data.get("year") == year
    ]
    cap = deadline = None
    if sector is not None:
        found_cap = rules.offset_cap(sector, year)
        if found_cap is not None:
            cap = found_cap[0] * obligation if obligation is not None else None
            cited.append(found_cap[1])
        found = rules.deadline(sector, year)
        if found is not None:
            deadline = found[0]
            cited.append(found[1])
        elif obligation is not None:
            warnings.append(warn("market.ledger.no_deadline", sector=sector, year=year))
    overdue = deadline is not None and on > deadline and shortfall > 0
    if overdue:
        assert deadline is not None
        warnings.append(
            warn(
                "market.ledger.overdue",
                holder=holder,
                year=year,
                deadline=deadline.isoformat(),
                shortfall_t=str(shortfall),
                **rules.consequence_texts(),
            )
        )
    late_surrender = any(w.code == "market.ledger.late_surrender" for w in warnings)
    consequence = rules.consequence("not_surrendered_on_time")
    if (overdue or late_surrender) and consequence is not None:
        cited.append(consequence)
    rows = tuple(row_provenance(rules.reference, r) for r in cited)
    unverified = [f"{r['table']} line {r['line']}" for r in rows if r["status"] != "verified"]
    if unverified:
        warnings.append(
            warn(
                "market.ledger.unverified",
                holder=holder,
                year=year,
                count=len(unverified),
                rows=unverified,
            )
        )
    return Position(
        holder=holder,
        year=year,
        sector=sector,
        on=on,
        obligation_t=obligation,
        allocated_t=b[("allocated", holder, year)],
        held_t=held,
        usable_t=usable,
        surrendered_t=surrendered,
        offset_t=offset,
        offset_cap_t=cap,
        shortfall_t=shortfall,
        to_buy_t=max(shortfall - usable, Decimal(0)),
        deadline=deadline,
        late=overdue or late_surrender,
        warnings=tuple(warnings),
        reference_rows=rows,
    )
