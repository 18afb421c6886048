"""The compliance ledger of the national carbon market (清缴履约): the append-only entries of each
holder's allowances (配额, labelled by year: their vintage) and obligations, on the pattern of
the dual credits' ledger (policy/dual_credit/ledger.py).

Entries (never changed or removed), each with a day, a holder and an amount (t CO2e; one
allowance is one tonne):

- `obligation`: the verified emissions (核查排放量) of a compliance `year`, what the holder must
  surrender for it (one entry per holder and year; the holder's sector must be known, and in
  the market that year: from its first compliance year in `market_compliance_deadlines`);
- `allocated`: allowances of a `vintage` issued to the holder (not of a year before its
  sector's first compliance year);
- `bought` / `sold`: allowances of a `vintage` bought or sold on the market (`counterparty` and
  `price` kept as given);
- `surrendered`: allowances of a `vintage` surrendered for the obligation of a `year`: the
  vintage must be usable for that year (`market_vintage_rules`: 2019-2024 vintages serve
  obligations up to 2024, 2025 and 2026 vintages 2025 and later);
- `offset`: CCER (国家核证自愿减排量) surrendered for the obligation of a `year`, at most the
  year's `ccer_offset_cap` (`market_compliance_parameters`, 5 % of the obligation, Measures
  Art. 29); CCER holdings are not kept here.

An entry that would spend allowances not held, surrender a vintage not usable for the year,
offset beyond the cap, or settle an obligation not recorded or already settled is refused with
the rule (`Refused`, translatable) and the ledger is unchanged. A surrender or offset may not
exceed what is still open, unless the authority sets a tolerance (`market_surrender_tolerances`:
no text read sets one, so none is shipped). A surrender or offset after the year's surrender
deadline (`market_compliance_deadlines`) is accepted with a warning, which states the
consequence where the library cites one (`market_compliance_consequences`). Every balance is
the sum of the entries on it (`explain`). The rules: `market.ledger_rules`; a table of entries:
`market.ledger_table`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_
from carbonpeak.market.allocation import SECTORS
from carbonpeak.market.ledger_positions import position_of
from carbonpeak.market.ledger_rules import Key, Position, Refused, Rules

KINDS = ("obligation", "allocated", "bought", "sold", "surrendered", "offset")
VINTAGED = ("allocated", "bought", "sold", "surrendered")  # kinds that move allowances
SETTLING = ("surrendered", "offset")  # kinds that settle an obligation
YEARLY = ("obligation", *SETTLING)  # kinds that name a compliance year


@dataclass(frozen=True)
class Entry:
    day: date
    kind: str
    holder: str
    amount: Decimal
    vintage: int | None = None  # the allowances' year label (allocated, bought, sold, surrendered)
    year: int | None = None  # the compliance year (obligation, surrendered, offset)
    counterparty: str = ""
    price: Decimal | None = None  # yuan per allowance, as given
    entry_id: int = 0


@dataclass
class Ledger:
    """The entries, in date order, and what they add up to. `sectors` maps each holder with
    obligations to its sector (steel, cement, aluminium)."""

    rules: Rules
    sectors: dict[str, str] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    warnings: list[ResultWarning] = field(default_factory=list)
    # accounts: held (holder, vintage), allocated (holder, vintage), obligation, surrendered,
    # offset (holder, year)
    _balances: dict[Key, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def append(self, entry: Entry) -> Entry:
        """Check the entry against the ledger and add it; `Refused` leaves the ledger as it
        was. A late surrender is added with its warning (in `warnings`)."""
        if self.entries and entry.day < self.entries[-1].day:
            raise Refused(
                N_("entries go in date order: {} is before {}"), entry.day, self.entries[-1].day
            )
        entry = _typed(entry)
        moves = self._moves(entry)
        for key, change in moves:
            if key[0] == "held" and self._balances[key] + change < 0:
                raise Refused(
                    N_("{} holds {} allowances of {}, not {}"),
                    entry.holder,
                    self._balances[key],
                    key[2],
                    -change,
                )
        stored = Entry(**{**entry.__dict__, "entry_id": len(self.entries) + 1})
        self._apply(moves)
        self.entries.append(stored)
        self.warnings += self._late(stored)
        return stored

    def replay(self, entry: Entry) -> Entry:
        """Add an entry that was checked when it was taken (a stored one) without checking it
        again: the rules in force may have changed since (an approved edition), and what was
        accepted then stays on the ledger. Entries still go in date order."""
        if self.entries and entry.day < self.entries[-1].day:
            raise Refused(
                N_("entries go in date order: {} is before {}"), entry.day, self.entries[-1].day
            )
        self._apply(_plain_moves(entry))
        self.entries.append(entry)
        self.warnings += self._late(entry)
        return entry

    def _apply(self, moves: list[tuple[Key, Decimal]]) -> None:
        for key, change in moves:
            self._balances[key] += change

    def _moves(self, e: Entry) -> list[tuple[Key, Decimal]]:
        """The changes an entry makes to the accounts, after its rules."""
        if e.kind not in KINDS:
            raise Refused(N_("{!r} is not one of {}"), e.kind, ", ".join(KINDS))
        if not e.amount > 0:
            raise Refused(N_("the amount must be above 0"))
        if e.kind in VINTAGED and e.vintage is None:
            raise Refused(N_("a {} entry names the vintage of its allowances"), e.kind)
        if e.kind in YEARLY and e.year is None:
            raise Refused(N_("a {} entry names its compliance year"), e.kind)
        if e.kind == "obligation":
            assert e.year is not None
            if self.sectors.get(e.holder) not in SECTORS:
                raise Refused(
                    N_("the sector of {} is not known (one of {})"), e.holder, ", ".join(SECTORS)
                )
            self._in_market(e.holder, e.year)
            recorded = self._balances[("obligation", e.holder, e.year)]
            if recorded:
                raise Refused(
                    N_("the obligation of {} for {} is already recorded ({} t)"),
                    e.holder,
                    e.year,
                    recorded,
                )
            return [(("obligation", e.holder, e.year), e.amount)]
        if e.kind in ("allocated", "bought", "sold"):
            assert e.vintage is not None
            if e.kind == "allocated":
                self._in_market(e.holder, e.vintage)
            sign = -1 if e.kind == "sold" else 1
            moves: list[tuple[Key, Decimal]] = [(("held", e.holder, e.vintage), sign * e.amount)]
            if e.kind == "allocated":
                moves.append((("allocated", e.holder, e.vintage), e.amount))
            return moves
        assert e.year is not None
        owed = self._balances[("obligation", e.holder, e.year)]
        if not owed:
            raise Refused(N_("no obligation of {} for {} is recorded"), e.holder, e.year)
        settled = (
            self._balances[("surrendered", e.holder, e.year)]
            + self._balances[("offset", e.holder, e.year)]
        )
        open_ = owed - settled
        sector = self.sectors.get(e.holder)
        tolerance = self.rules.tolerance(sector, e.year) if sector else None
        if e.amount > open_ + (tolerance[0] if tolerance else 0):
            raise Refused(
                N_("{} owes {} t for {}, not {}"),
                e.holder,
                max(open_, Decimal(0)),
                e.year,
                e.amount,
            )
        if e.kind == "offset":
            sector = self.sectors[e.holder]
            cap = self.rules.offset_cap(sector, e.year)
            if cap is None:
                raise Refused(N_("the library has no CCER offset cap of {} for {}"), sector, e.year)
            most = cap[0] * owed
            used = self._balances[("offset", e.holder, e.year)]
            if used + e.amount > most:
                raise Refused(
                    N_(
                        "CCER offsets of {} for {} may not exceed {} % of its obligation ({} t; "
                        "{} t used), not {} t"
                    ),
                    e.holder,
                    e.year,
                    f"{cap[0] * 100:g}",
                    most,
                    used,
                    used + e.amount,
                )
            return [(("offset", e.holder, e.year), e.amount)]
        assert e.vintage is not None
        if self.rules.vintage_rule(e.vintage, e.year) is None:
            raise Refused(N_("allowances of {} cannot be surrendered for {}"), e.vintage, e.year)
        return [
            (("held", e.holder, e.vintage), -e.amount),
            (("surrendered", e.holder, e.year), e.amount),
        ]

    def _in_market(self, holder: str, year: int) -> None:
        """Refuse a year before the first compliance year of the holder's sector (the earliest
        year of its deadlines in the library); a holder of no known sector is not judged."""
        sector = self.sectors.get(holder)
        first = self.rules.first_year(sector) if sector else None
        if first is not None and year < first[0]:
            raise Refused(
                N_(
                    "{} was not in the national carbon market in {}: its sector ({}) has "
                    "compliance years from {} (market_compliance_deadlines line {})"
                ),
                holder,
                year,
                sector,
                first[0],
                first[1].line,
            )

    def _late(self, e: Entry) -> list[ResultWarning]:
        if e.kind not in SETTLING or e.year is None:
            return []
        sector = self.sectors.get(e.holder)
        deadline = self.rules.deadline(sector, e.year) if sector else None
        if deadline is None or e.day <= deadline[0]:
            return []
        return [
            warn(
                "market.ledger.late_surrender",
                holder=e.holder,
                year=e.year,
                day=e.day.isoformat(),
                deadline=deadline[0].isoformat(),
                **self.rules.consequence_texts(),
            )
        ]

    # -- reading -------------------------------------------------------------------------

    def _as_of(self, on: date | None) -> Ledger:
        """The ledger of the entries up to `on` (all if None), replayed as they were taken."""
        replay = Ledger(self.rules, self.sectors)
        for entry in self.entries:
            if on is not None and entry.day > on:
                break
            replay.replay(entry)
        return replay

    def balances(self, on: date | None = None) -> list[dict[str, Any]]:
        """Every account that is not zero: `held` and `allocated` by vintage, `obligation`,
        `surrendered` and `offset` by compliance year."""
        replay = self._as_of(on)
        return [
            {"holder": k[1], "account": k[0], "year": k[2], "t": v}
            for k, v in sorted(replay._balances.items())
            if v
        ]

    def explain(self, holder: str, account: str, year: int) -> list[dict[str, Any]]:
        """The entries on one account (`held` or `allocated` of a vintage, `obligation`,
        `surrendered` or `offset` of a year) with the change each made: their sum is the
        balance."""
        out = []
        replay = Ledger(self.rules, self.sectors)
        for entry in self.entries:
            moves = _plain_moves(entry)
            for key, change in moves:
                if key == (account, holder, year):
                    out.append(
                        {
                            "entry_id": entry.entry_id,
                            "day": entry.day.isoformat(),
                            "kind": entry.kind,
                            "change": change,
                        }
                    )
            replay._apply(moves)
        return out

    def position(self, holder: str, year: int, on: date) -> Position:
        """The holder's position for compliance year `year` as of `on`."""
        return position_of(self._as_of(on), holder, year, on)

    def positions(self, holders: list[str], year: int, on: date) -> list[Position]:
        """The positions of several holders, from one replay of the ledger."""
        replay = self._as_of(on)
        return [position_of(replay, holder, year, on) for holder in holders]

    @property
    def accounts(self) -> dict[Key, Decimal]:
        """The balance of every account (read it, do not change it)."""
        return self._balances


def _plain_moves(e: Entry) -> list[tuple[Key, Decimal]]:
    """The changes an entry makes to the accounts, without its rules (for a replay)."""
    amount = Decimal(e.amount)
    if e.kind == "obligation":
        return [(("obligation", e.holder, e.year or 0), amount)]
    if e.kind in ("allocated", "bought", "sold"):
        sign = -1 if e.kind == "sold" else 1
        moves: list[tuple[Key, Decimal]] = [(("held", e.holder, e.vintage or 0), sign * amount)]
        if e.kind == "allocated":
            moves.append((("allocated", e.holder, e.vintage or 0), amount))
        return moves
    if e.kind == "offset":
        return [(("offset", e.holder, e.year or 0), amount)]
    if e.kind == "surrendered":
        return [
            (("held", e.holder, e.vintage or 0), -amount),
            (("surrendered", e.holder, e.year or 0), amount),
        ]
    return []


def _typed(entry: Entry) -> Entry:
    """The entry with its amount (and price) as Decimals, or `Refused`."""
    values = dict(entry.__dict__)
    for name in ("amount", "price"):
        value = values[name]
        if value is None:
            continue
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
        except InvalidOperation:
            raise Refused(N_("{} {!r} is not a number"), name, value) from None
        if not number.is_finite():
            raise Refused(N_("{} {!r} is not a finite number"), name, value)
        values[name] = number
    return Entry(**values)
