"""The append-only ledger of CAFC and NEV credits of each legal entity.

Entries (never changed or removed; each names its entity, credit type and vintage):
- `earn`: positive credits of a year's accounting (NEV credits marked not `carryable` when the
  enterprise's conventional CAFC missed the carry-forward condition that year); `deficit`:
  negative credits to settle;
- `transfer`: CAFC credits to an affiliate (the same `affiliate_group`);
- `trade`: NEV credits sold to another entity at a price; bought credits can be used but not
  sold again;
- `offset`: credits used to settle a deficit of a year: a NEV deficit only with NEV credits, a
  CAFC deficit with CAFC or NEV credits (1:1);
- `deposit` / `withdraw`: NEV credits into and out of the credit pool (from August 2023), only in
  years whose supply/demand ratio of NEV credits opens the pool for deposits (above
  `pool_deposit_ratio`) or releases it (below `pool_release_ratio`).

Credits are kept at their face value in the year they were earned (nominal). A credit of
vintage v used for a deficit of year y is worth rate^(y - v) of itself, the carry-forward rate of
its type and vintage, and is usable while y <= v + life (CAFC: 80 % a carry for vintages up to
2018, 90 % after, 3 years; NEV: 50 %, 3 years; pool: no discount, 5 years; rows of
`dual_credit_parameters`). An offset of A credits for year y thus takes A / rate^(y - v)
nominal credits from the lot. A credit is expired after the settlement deadline of its last
usable year. A deficit left unsettled after the settlement deadline of its year (31 August of
the next year) is flagged with its consequence.

Every balance is the sum of the entries on it (`explain`). An entry that would spend a credit
not held, an expired credit, or break a rule is refused with the reason, and the ledger is
unchanged.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from carbonpeak.domain.schema import FIRST_YEAR, LAST_YEAR
from carbonpeak.errors import N_, CarbonpeakError, Place, Problem
from carbonpeak.reference.loader import Reference

KINDS = ("earn", "deficit", "transfer", "trade", "offset", "deposit", "withdraw")
CREDITS = ("cafc", "nev")
POOL = "POOL"
DEADLINE_MONTH, DEADLINE_DAY = 8, 31  # deficits of year y are settled by 31 August of y + 1
CONSEQUENCE = N_(
    "until settled, new models that miss their GB 27999 target are not listed in the MIIT "
    "product catalogue (imports: not certified), and the enterprise must file a product "
    "adjustment plan"
)


class Refused(CarbonpeakError):
    """An entry the ledger cannot take, with the reason."""


@dataclass(frozen=True)
class Entry:
    day: date
    kind: str
    credit: str
    vintage: int
    amount: float
    entity: str
    counterparty: str = ""
    settles: int | None = None  # offset: the year of the deficit
    settles_credit: str | None = None  # offset: the type of the deficit
    price: float | None = None
    entry_id: int = 0
    carryable: bool = True  # earn of NEV credits: may they be carried forward (the condition)


@dataclass(frozen=True)
class Rules:
    """Carry-forward rates and lives by credit type and vintage, and the pool's triggers."""

    reference: Reference

    def _value(self, name: str, year: int) -> float | None:
        rows = self.reference.rows(
            "dual_credit_parameters", as_of=date(year, 12, 31), parameter=name
        )
        return float(rows[0]["value"]) if rows else None  # type: ignore[arg-type]

    def rate(self, credit: str, vintage: int) -> float:
        name = "cafc_carry_forward_rate" if credit == "cafc" else "nev_carry_forward_rate"
        return self._value(name, vintage) or 0.0

    def life(self, credit: str, vintage: int, pooled: bool = False) -> int:
        if pooled:
            return int(self._value("pool_credit_life_years", vintage) or 0)
        name = "cafc_credit_life_years" if credit == "cafc" else "nev_credit_life_years"
        return int(self._value(name, vintage) or 0)

    def pool(self, year: int) -> tuple[float, float] | None:
        deposit = self._value("pool_deposit_ratio", year)
        release = self._value("pool_release_ratio", year)
        return (deposit, release) if deposit is not None and release is not None else None


def deadline(year: int) -> date:
    """The settlement deadline of the deficits of `year`."""
    return date(year + 1, DEADLINE_MONTH, DEADLINE_DAY)


@dataclass
class Ledger:
    """The entries, in date order, and what they add up to."""

    rules: Rules
    groups: dict[str, str] = field(default_factory=dict)  # entity -> affiliate group
    ratios: dict[int, float] = field(default_factory=dict)  # year -> NEV supply/demand ratio
    entries: list[Entry] = field(default_factory=list)
    # nominal credits per (holder, credit, vintage, origin): origin "own", "bought" or "pool"
    _lots: dict[tuple[str, str, int, str], float] = field(
        default_factory=lambda: defaultdict(float)
    )
    _deficits: dict[tuple[str, str, int], float] = field(default_factory=lambda: defaultdict(float))
    _uncarried: set[tuple[str, int]] = field(default_factory=set)  # own NEV lots not carryable

    def append(self, entry: Entry) -> Entry:
        """Check the entry against the ledger and add it; `Refused` leaves the ledger as it was."""
        if self.entries and entry.day < self.entries[-1].day:
            raise Refused(f"entries go in date order: {entry.day} is before {self.entries[-1].day}")
        moves = self._moves(entry)
        for key, change in moves:
            if key[0] == "deficit":
                continue
            if self._lots[key[1:]] + change < -1e-9:
                raise Refused(
                    f"{entry.entity} holds {self._lots[key[1:]]:.2f} {key[2]} credits of "
                    f"{key[3]} ({key[4]}), not {-change:.2f}"
                )
        stored = Entry(**{**entry.__dict__, "entry_id": len(self.entries) + 1})
        self._note(entry)
        for key, change in moves:
            if key[0] == "deficit":
                self._deficits[key[1:]] += change
            else:
                self._lots[key[1:]] += change
        self.entries.append(stored)
        return stored

    def _note(self, entry: Entry) -> None:
        if entry.kind == "earn" and entry.credit == "nev" and not entry.carryable:
            self._uncarried.add((entry.entity, entry.vintage))

    def replay(self, entry: Entry) -> None:
        """Add an entry that was checked when it was first appended, without checking the
        pool's ratio again (later results of a year can change it)."""
        self._note(entry)
        for key, change in self._moves(entry, trusted=True):
            if key[0] == "deficit":
                self._deficits[key[1:]] += change
            else:
                self._lots[key[1:]] += change
        self.entries.append(entry)

    def _moves(self, e: Entry, trusted: bool = False) -> list[tuple[tuple[Any, ...], float]]:
        """The changes an entry makes (to lots and deficits), after its rules (a `trusted`
        entry skips the check of the pool's ratio)."""
        if e.kind not in KINDS:
            raise Refused(f"{e.kind!r} is not one of {', '.join(KINDS)}")
        if e.credit not in CREDITS:
            raise Refused(f"{e.credit!r} is not one of {', '.join(CREDITS)}")
        if not e.amount > 0:
            raise Refused("the amount must be above 0")
        if e.kind == "earn":
            return [(("lot", e.entity, e.credit, e.vintage, "own"), e.amount)]
        if e.kind == "deficit":
            return [(("deficit", e.entity, e.credit, e.vintage), e.amount)]
        if e.kind == "transfer":
            if e.credit != "cafc":
                raise Refused("only CAFC credits are transferred between affiliates")
            group = self.groups.get(e.entity)
            if not group or self.groups.get(e.counterparty) != group:
                raise Refused(f"{e.entity} and {e.counterparty} are not affiliates")
            self._usable(e, e.vintage, "own")
            return [
                (("lot", e.entity, "cafc", e.vintage, "own"), -e.amount),
                (("lot", e.counterparty, "cafc", e.vintage, "own"), e.amount),
            ]
        if e.kind == "trade":
            if e.credit != "nev":
                raise Refused("only NEV credits are traded")
            if e.counterparty in ("", e.entity, POOL):
                raise Refused("a trade needs a buyer other than the seller")
            if e.price is None or e.price < 0:
                raise Refused("a trade needs its price (0 or more)")
            self._usable(e, e.vintage, "own")
            return [
                (("lot", e.entity, "nev", e.vintage, "own"), -e.amount),
                (("lot", e.counterparty, "nev", e.vintage, "bought"), e.amount),
            ]
        if e.kind in ("deposit", "withdraw"):
            if e.credit != "nev":
                raise Refused("the credit pool holds NEV credits only")
            if self.rules.pool(e.day.year) is None:
                raise Refused(f"there is no credit pool in {e.day.year}")
            if not trusted:
                self._pool_open(e)
            origin, target = ("own", "pool") if e.kind == "deposit" else ("pool", "own")
            self._usable(e, e.vintage, origin)
            return [
                (("lot", e.entity, "nev", e.vintage, origin), -e.amount),
                (("lot", e.entity, "nev", e.vintage, target), e.amount),
            ]
        # offset
        if e.settles is None or e.settles_credit not in CREDITS:
            raise Refused("an offset names the deficit it settles (year and credit type)")
        if e.settles_credit == "nev" and e.credit != "nev":
            raise Refused("a NEV deficit is settled with NEV credits only")
        owed = self._deficits[(e.entity, e.settles_credit, e.settles)]
        if e.amount > owed + 1e-9:
            raise Refused(
                f"{e.entity} owes {owed:.2f} {e.settles_credit} credits for {e.settles}, "
                f"not {e.amount:.2f}"
            )
        moves: list[tuple[tuple[Any, ...], float]] = [
            (("deficit", e.entity, e.settles_credit, e.settles), -e.amount)
        ]
        remaining = e.amount
        for origin in ("own", "bought"):  # own credits first
            held = self._lots[(e.entity, e.credit, e.vintage, origin)]
            if held <= 1e-9 or remaining <= 1e-9:
                continue
            factor = self._factor(e, origin)
            take = min(held, remaining / factor)
            moves.append((("lot", e.entity, e.credit, e.vintage, origin), -take))
            remaining -= take * factor
        if remaining > 1e-6:
            raise Refused(
                f"{e.entity} lacks {remaining:.2f} {e.credit} credits of {e.vintage} "
                f"(worth {self._factor(e, 'own'):.3f} of their face value in {e.settles})"
            )
        return moves

    def _pool_open(self, e: Entry) -> None:
        """`Refused` unless last year's NEV supply/demand ratio lets the pool take (or give)."""
        triggers = self.rules.pool(e.day.year)
        assert triggers is not None
        ratio = self.ratios.get(e.day.year - 1)
        if ratio is None:
            raise Refused(f"the NEV supply/demand ratio of {e.day.year - 1} is not known")
        if e.kind == "deposit" and not ratio > triggers[0]:
            raise Refused(
                f"the pool takes deposits when the ratio is above {triggers[0]:g} "
                f"({e.day.year - 1}: {ratio:.2f})"
            )
        if e.kind == "withdraw" and not ratio < triggers[1]:
            raise Refused(
                f"the pool releases credits when the ratio is below {triggers[1]:g} "
                f"({e.day.year - 1}: {ratio:.2f})"
            )

    def _factor(self, e: Entry, origin: str) -> float:
        """What a credit of the entry's vintage is worth for its deficit year, or `Refused`."""
        assert e.settles is not None
        years = e.settles - e.vintage
        life = self.rules.life(e.credit, e.vintage, pooled=origin == "pool")
        if years < 0:
            raise Refused(f"credits of {e.vintage} cannot settle the earlier year {e.settles}")
        if years > life:
            raise Refused(f"credits of {e.vintage} have expired for {e.settles} ({life} years)")
        if years and not self.rules.rate(e.credit, e.vintage):
            raise Refused(f"{e.credit} credits of {e.vintage} cannot be carried forward")
        if (
            years
            and origin == "own"
            and (e.entity, e.vintage) in self._uncarried
            and e.credit == "nev"
        ):
            raise Refused(
                f"the NEV credits of {e.vintage} of {e.entity} cannot be carried forward: its "
                "conventional cars' CAFC missed the condition that year"
            )
        return self.rules.rate(e.credit, e.vintage) ** years if years else 1.0

    def _usable(self, e: Entry, vintage: int, origin: str) -> None:
        life = self.rules.life(e.credit, vintage, pooled=origin == "pool")
        if e.day > deadline(vintage + life):
            raise Refused(f"{e.credit} credits of {vintage} expired on {deadline(vintage + life)}")

    # -- reading -------------------------------------------------------------------------

    def balances(self, as_of: date | None = None) -> list[dict[str, Any]]:
        """Nominal credits per entity, type, vintage and origin, and open deficits, as of a
        day (default: all entries)."""
        replay = Ledger(self.rules, self.groups, self.ratios)
        for entry in self.entries:
            if as_of is not None and entry.day > as_of:
                break
            replay.replay(entry)
        rows = [
            {
                "entity": k[0],
                "credit": k[1],
                "vintage": k[2],
                "origin": k[3],
                "credits": round(v, 6),
            }
            for k, v in sorted(replay._lots.items())
            if abs(v) > 1e-9
        ]
        rows += [
            {
                "entity": k[0],
                "credit": k[1],
                "vintage": k[2],
                "origin": "deficit",
                "credits": -round(v, 6),
            }
            for k, v in sorted(replay._deficits.items())
            if abs(v) > 1e-9
        ]
        return rows

    def explain(self, entity: str, credit: str, vintage: int) -> list[dict[str, Any]]:
        """The entries that make up an entity's lots of a type and vintage, with the change
        each made: their sum is the balance."""
        out = []
        replay = Ledger(self.rules, self.groups, self.ratios)
        for entry in self.entries:
            for key, change in replay._moves(entry, trusted=True):
                if key[0] == "lot" and key[1:4] == (entity, credit, vintage):
                    out.append(
                        {
                            "entry_id": entry.entry_id,
                            "day": entry.day.isoformat(),
                            "kind": entry.kind,
                            "origin": key[4],
                            "change": round(change, 6),
                        }
                    )
            replay.replay(entry)
        return out

    def unsettled(self, today: date) -> list[dict[str, Any]]:
        """Deficits still open after their settlement deadline, with the consequence."""
        replay = Ledger(self.rules, self.groups, self.ratios)
        for entry in self.entries:
            if entry.day > today:
                break
            replay.replay(entry)
        return [
            {
                "entity": k[0],
                "credit": k[1],
                "year": k[2],
                "owed": round(v, 6),
                "deadline": deadline(k[2]).isoformat(),
                "consequence": CONSEQUENCE,
            }
            for k, v in sorted(replay._deficits.items())
            if v > 1e-9 and today > deadline(k[2])
        ]


LEDGER_COLUMNS = ("day", "kind", "credit", "vintage", "amount", "entity")


def load_entries(table: Any, ledger: Ledger) -> list[Problem]:
    """Append the rows of a table of entries (`LEDGER_COLUMNS` and optionally counterparty,
    settles, settles_credit, price) to the ledger in their order; every problem by row and
    column (a refused entry names its reason). The ledger is left with the entries before the
    first problem."""
    missing = [c for c in LEDGER_COLUMNS if c not in table.columns]
    if missing:
        return [
            Problem.of(Place(row=1, column=c), N_("required column is missing")) for c in missing
        ]
    problems: list[Problem] = []
    for number, raw in enumerate(table.to_dict("records"), start=2):
        row = int(raw.get("row", number))
        cells = {k: ("" if v is None or v != v else str(v).strip()) for k, v in raw.items()}

        def number_of(
            column: str,
            whole: bool = False,
            cells: dict[str, str] = cells,
            row: int = row,
        ) -> float | None:
            text = cells.get(column, "")
            if text == "":
                return None
            try:
                value = float(text)
            except ValueError:
                problems.append(
                    Problem.of(Place(row=row, column=column), N_("{!r} is not a number"), text)
                )
                return None
            if not math.isfinite(value):
                problems.append(
                    Problem.of(
                        Place(row=row, column=column), N_("{!r} is not a finite number"), text
                    )
                )
                return None
            if whole and not value.is_integer():
                problems.append(
                    Problem.of(Place(row=row, column=column), N_("{!r} is not a year"), text)
                )
                return None
            return value

        try:
            day = date.fromisoformat(cells["day"])
        except ValueError:
            problems.append(
                Problem.of(Place(row=row, column="day"), N_("{!r} is not a date"), cells["day"])
            )
            continue
        if not FIRST_YEAR <= day.year <= LAST_YEAR:  # a plausibility bound, not a rule
            problems.append(
                Problem.of(
                    Place(row=row, column="day"),
                    N_("{} is outside the years {}-{}"),
                    day,
                    FIRST_YEAR,
                    LAST_YEAR,
                )
            )
            continue
        vintage, amount = number_of("vintage", True), number_of("amount")
        settles, price = number_of("settles", True), number_of("price")
        if vintage is None or amount is None or problems:
            if vintage is None and cells.get("vintage", "") == "":
                problems.append(
                    Problem.of(Place(row=row, column="vintage"), N_("give the vintage"))
                )
            continue
        entry = Entry(
            day,
            cells["kind"],
            cells["credit"],
            int(vintage),
            amount,
            cells["entity"],
            counterparty=cells.get("counterparty", ""),
            settles=int(settles) if settles is not None else None,
            settles_credit=cells.get("settles_credit") or None,
            price=price,
            carryable=cells.get("carryable", "").lower() not in ("no", "false", "0", "否"),
        )
        try:
            ledger.append(entry)
        except Refused as refused:
            problems.append(
                Problem.of(Place(row=row, column="kind"), N_("refused: {}"), str(refused))
            )
            break
    return problems
