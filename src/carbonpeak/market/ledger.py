"""The compliance ledger of the national carbon market (清缴履约): the append-only entries of each
holder's allowances (配额, labelled by year: their vintage) and obligations, on the pattern of
the dual credits' ledger (policy/dual_credit/ledger.py).

Entries (never changed or removed), each with a day, a holder and an amount (t CO2e; one
allowance is one tonne):

- `obligation`: the verified emissions (核查排放量) of a compliance `year`, what the holder must
  surrender for it (one entry per holder and year; the holder's sector must be known);
- `allocated`: allowances of a `vintage` issued to the holder;
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
the rule (`Refused`) and the ledger is unchanged. A surrender or offset may exceed what is
still open by less than one allowance (a fractional obligation is settled with whole
allowances), no more: the ledger keeps surrenders against obligations. A surrender or offset
after the year's surrender deadline (`market_compliance_deadlines`) is accepted with a warning
that states the consequence (the penalty as the MEE's 2026 report paraphrases the amended
条例; its text was not read). Every balance is the sum of the entries on it (`explain`).
`load_entries` reads a table of entries (a sheet or CSV), every problem placed by row and column.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from carbonpeak.domain.schema import FIRST_YEAR, LAST_YEAR
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, CarbonpeakError, Place, Problem
from carbonpeak.market.allocation import SECTORS, row_provenance
from carbonpeak.reference.loader import Record, Reference

KINDS = ("obligation", "allocated", "bought", "sold", "surrendered", "offset")
VINTAGED = ("allocated", "bought", "sold", "surrendered")  # kinds that move allowances
SETTLING = ("surrendered", "offset")  # kinds that settle an obligation
YEARLY = ("obligation", *SETTLING)  # kinds that name a compliance year
CAP = "ccer_offset_cap"


class Refused(CarbonpeakError):
    """An entry the ledger cannot take, with the rule it breaks."""


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


@dataclass(frozen=True)
class Rules:
    """The vintages, the CCER cap and the deadlines of the reference library."""

    reference: Reference

    def vintage_rule(self, vintage: int, year: int) -> Record | None:
        """The row of `market_vintage_rules` that lets `vintage` serve `year`, or None."""
        for row in self.reference.rows("market_vintage_rules"):
            last = row.get("last_year")
            if (
                int(row["first_vintage"]) <= vintage <= int(row["last_vintage"])  # type: ignore[arg-type]
                and int(row["first_year"]) <= year  # type: ignore[arg-type]
                and (last is None or year <= int(last))  # type: ignore[arg-type]
            ):
                return row
        return None

    def offset_cap(self, sector: str, year: int) -> tuple[Decimal, Record] | None:
        """The CCER cap of `sector` for `year` (a share of the obligation), or None."""
        rows = self.reference.rows(
            "market_compliance_parameters", as_of=date(year, 1, 1), sector=sector, parameter=CAP
        )
        return (Decimal(repr(rows[0]["value"])), rows[0]) if rows else None

    def deadline(
        self, sector: str, year: int, step: str = "surrender"
    ) -> tuple[date, Record] | None:
        """The last day of `step` of compliance year `year`, or None."""
        rows = self.reference.rows(
            "market_compliance_deadlines", sector=sector, year=year, step=step
        )
        return (rows[0]["due"], rows[0]) if rows else None  # type: ignore[return-value]


@dataclass(frozen=True)
class Position:
    """A holder's compliance position for one year, as of a day."""

    holder: str
    year: int
    sector: str | None
    on: date
    obligation_t: Decimal | None  # the verified emissions of the year (None: not recorded)
    allocated_t: Decimal  # allowances of vintage `year` allocated to the holder
    held_t: dict[int, Decimal]  # allowances held, by vintage
    usable_t: Decimal  # of those, the vintages usable for `year`
    surrendered_t: Decimal
    offset_t: Decimal
    offset_cap_t: Decimal | None  # the most CCER the year's obligation takes
    shortfall_t: Decimal  # obligation - surrendered - offsets, not below 0
    to_buy_t: Decimal  # the shortfall the usable allowances held do not cover
    deadline: date | None
    late: bool  # a surrender after the deadline, or a shortfall left after it
    warnings: tuple[ResultWarning, ...] = ()
    reference_rows: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "holder": self.holder,
            "year": self.year,
            "sector": self.sector,
            "on": self.on.isoformat(),
            "obligation_t": None if self.obligation_t is None else str(self.obligation_t),
            "allocated_t": str(self.allocated_t),
            "held_t": {str(k): str(v) for k, v in self.held_t.items()},
            "usable_t": str(self.usable_t),
            "surrendered_t": str(self.surrendered_t),
            "offset_t": str(self.offset_t),
            "offset_cap_t": None if self.offset_cap_t is None else str(self.offset_cap_t),
            "shortfall_t": str(self.shortfall_t),
            "to_buy_t": str(self.to_buy_t),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "late": self.late,
            "warnings": [w.as_dict() for w in self.warnings],
            "reference_rows": list(self.reference_rows),
        }


Key = tuple[str, str, int]  # (account, holder, vintage or year)


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
            raise Refused(f"entries go in date order: {entry.day} is before {self.entries[-1].day}")
        entry = _typed(entry)
        moves = self._moves(entry)
        for key, change in moves:
            if key[0] == "held" and self._balances[key] + change < 0:
                raise Refused(
                    f"{entry.holder} holds {self._balances[key]} allowances of {key[2]}, "
                    f"not {-change}"
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
            raise Refused(f"entries go in date order: {entry.day} is before {self.entries[-1].day}")
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
            raise Refused(f"{e.kind!r} is not one of {', '.join(KINDS)}")
        if not e.amount > 0:
            raise Refused("the amount must be above 0")
        if e.kind in VINTAGED and e.vintage is None:
            raise Refused(f"a {e.kind} entry names the vintage of its allowances")
        if e.kind in YEARLY and e.year is None:
            raise Refused(f"a {e.kind} entry names its compliance year")
        if e.kind == "obligation":
            assert e.year is not None
            if self.sectors.get(e.holder) not in SECTORS:
                raise Refused(
                    f"the sector of {e.holder} is not known (one of {', '.join(SECTORS)})"
                )
            recorded = self._balances[("obligation", e.holder, e.year)]
            if recorded:
                raise Refused(
                    f"the obligation of {e.holder} for {e.year} is already recorded ({recorded} t)"
                )
            return [(("obligation", e.holder, e.year), e.amount)]
        if e.kind in ("allocated", "bought", "sold"):
            assert e.vintage is not None
            sign = -1 if e.kind == "sold" else 1
            moves: list[tuple[Key, Decimal]] = [(("held", e.holder, e.vintage), sign * e.amount)]
            if e.kind == "allocated":
                moves.append((("allocated", e.holder, e.vintage), e.amount))
            return moves
        assert e.year is not None
        owed = self._balances[("obligation", e.holder, e.year)]
        if not owed:
            raise Refused(f"no obligation of {e.holder} for {e.year} is recorded")
        settled = (
            self._balances[("surrendered", e.holder, e.year)]
            + self._balances[("offset", e.holder, e.year)]
        )
        open_ = owed - settled
        if e.amount > open_.to_integral_value(rounding=ROUND_CEILING):
            raise Refused(
                f"{e.holder} owes {max(open_, Decimal(0))} t for {e.year}, not {e.amount}"
            )
        if e.kind == "offset":
            sector = self.sectors[e.holder]
            cap = self.rules.offset_cap(sector, e.year)
            if cap is None:
                raise Refused(f"the library has no CCER offset cap of {sector} for {e.year}")
            most = cap[0] * owed
            used = self._balances[("offset", e.holder, e.year)]
            if used + e.amount > most:
                raise Refused(
                    f"CCER offsets of {e.holder} for {e.year} may not exceed {cap[0]:%} of its "
                    f"obligation ({most} t; {used} t used), not {used + e.amount} t"
                )
            return [(("offset", e.holder, e.year), e.amount)]
        assert e.vintage is not None
        if self.rules.vintage_rule(e.vintage, e.year) is None:
            raise Refused(f"allowances of {e.vintage} cannot be surrendered for {e.year}")
        return [
            (("held", e.holder, e.vintage), -e.amount),
            (("surrendered", e.holder, e.year), e.amount),
        ]

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
        return self._position(self._as_of(on), holder, year, on)

    def positions(self, holders: list[str], year: int, on: date) -> list[Position]:
        """The positions of several holders, from one replay of the ledger."""
        replay = self._as_of(on)
        return [self._position(replay, holder, year, on) for holder in holders]

    def _position(self, replay: Ledger, holder: str, year: int, on: date) -> Position:
        b = replay._balances
        sector = self.sectors.get(holder)
        obligation = b[("obligation", holder, year)] or None
        held = {k[2]: v for k, v in sorted(b.items()) if k[:2] == ("held", holder) and v}
        cited: list[Record] = []
        usable = Decimal(0)
        for vintage, amount in held.items():
            rule = self.rules.vintage_rule(vintage, year)
            if rule is not None:
                usable += amount
        for entry in replay.entries:
            if entry.holder == holder and entry.kind == "surrendered" and entry.year == year:
                assert entry.vintage is not None
                rule = self.rules.vintage_rule(entry.vintage, year)
                if rule is not None and rule not in cited:
                    cited.append(rule)
        surrendered, offset = b[("surrendered", holder, year)], b[("offset", holder, year)]
        shortfall = max((obligation or Decimal(0)) - surrendered - offset, Decimal(0))
        warnings = [
            w
            for w in replay.warnings
            if w.data.get("holder") == holder and w.data.get("year") == year
        ]
        cap = deadline = None
        if sector is not None:
            found_cap = self.rules.offset_cap(sector, year)
            if found_cap is not None:
                cap = found_cap[0] * obligation if obligation is not None else None
                cited.append(found_cap[1])
            found = self.rules.deadline(sector, year)
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
                )
            )
        rows = tuple(row_provenance(self.rules.reference, r) for r in cited)
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
        late_surrender = any(w.code == "market.ledger.late_surrender" for w in warnings)
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
            raise Refused(f"{name} {value!r} is not a number") from None
        if not number.is_finite():
            raise Refused(f"{name} {value!r} is not a finite number")
        values[name] = number
    return Entry(**values)


LEDGER_COLUMNS = ("day", "kind", "holder", "amount")
OPTIONAL_COLUMNS = ("vintage", "year", "counterparty", "price")


def _amount(text: str, place: Place, found: list[Problem]) -> Decimal | None:
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        found.append(Problem.of(place, N_("{!r} is not a number"), text))
        return None
    if not value.is_finite():
        found.append(Problem.of(place, N_("{!r} is not a finite number"), text))
        return None
    return value


def _year(text: str, place: Place, found: list[Problem]) -> int | None:
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value.is_integer() or not FIRST_YEAR <= value <= LAST_YEAR:
        found.append(Problem.of(place, N_("{!r} is not a year"), text))
        return None
    return int(value)


def load_entries(table: Any, ledger: Ledger) -> list[Problem]:
    """Append the rows of a table of entries (`LEDGER_COLUMNS` and optionally
    `OPTIONAL_COLUMNS`) to the ledger in their order; every problem of a row by its row and
    column (a refused entry names its rule). The ledger is left with the entries before the
    first row with a problem."""
    missing = [c for c in LEDGER_COLUMNS if c not in table.columns]
    if missing:
        return [
            Problem.of(Place(row=1, column=c), N_("required column is missing")) for c in missing
        ]
    for number, raw in enumerate(table.to_dict("records"), start=2):
        row = int(raw.get("row", number))
        cells = {k: ("" if v is None or v != v else str(v).strip()) for k, v in raw.items()}
        found: list[Problem] = []
        try:
            day = date.fromisoformat(cells["day"])
        except ValueError:
            found.append(
                Problem.of(Place(row=row, column="day"), N_("{!r} is not a date"), cells["day"])
            )
        amount = _amount(cells["amount"], Place(row=row, column="amount"), found)
        price = _amount(cells.get("price", ""), Place(row=row, column="price"), found)
        vintage = _year(cells.get("vintage", ""), Place(row=row, column="vintage"), found)
        year = _year(cells.get("year", ""), Place(row=row, column="year"), found)
        if amount is None and cells["amount"] == "":
            found.append(
                Problem.of(Place(row=row, column="amount"), N_("{!r} is not a number"), "")
            )
        if found:
            return found
        assert amount is not None
        entry = Entry(
            day,
            cells["kind"],
            cells["holder"],
            amount,
            vintage=vintage,
            year=year,
            counterparty=cells.get("counterparty", ""),
            price=price,
        )
        try:
            ledger.append(entry)
        except Refused as refused:
            return [Problem.of(Place(row=row, column="kind"), N_("refused: {}"), str(refused))]
    return []
