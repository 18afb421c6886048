"""The rules of the compliance ledger (`market.ledger`) as the reference library holds them, the
refusal of an entry that breaks one, and a holder's position.

- vintages usable for a compliance year (`market_vintage_rules`), the CCER offset cap
  (`market_compliance_parameters`), the deadlines (`market_compliance_deadlines`);
- the years a sector is in the market: from the first compliance year the deadlines hold for
  it (an obligation or an allocation of an earlier year is refused);
- how far a surrender or offset may exceed what is still open (`market_surrender_tolerances`,
  supplied by the authority: no text read sets one; without a row, not at all);
- what a late or missing surrender incurs (`market_compliance_consequences`, the cited text);
  without a row, lateness is stated without a consequence.

`Refused` carries its message as a catalogue template and values, so that a reader's language
says it (`problem`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from carbonpeak.domain.warnings import ResultWarning
from carbonpeak.errors import CarbonpeakError, Place, Problem
from carbonpeak.reference.loader import Record, Reference

CAP = "ccer_offset_cap"
Key = tuple[str, str, int]  # an account of the ledger: (account, holder, vintage or year)


class Refused(CarbonpeakError):
    """An entry the ledger cannot take, with the rule it breaks: a catalogue template and its
    values (`problem` places it, for the reader's language)."""

    def __init__(self, template: str, *values: object) -> None:
        self.template, self.values = template, values
        super().__init__(template.format(*values))

    def problem(self, place: Place | None = None) -> Problem:
        return Problem.of(place or Place(), self.template, *self.values)


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

    def first_year(self, sector: str) -> tuple[int, Record] | None:
        """The first compliance year of `sector` in the market: the earliest year the library
        holds deadlines of (`market_compliance_deadlines`), with its row; None without rows."""
        rows = self.reference.rows("market_compliance_deadlines", sector=sector)
        if not rows:
            return None
        first = min(rows, key=lambda r: (int(r["year"]), r.line))  # type: ignore[arg-type]
        return int(first["year"]), first  # type: ignore[arg-type]

    def tolerance(self, sector: str, year: int) -> tuple[Decimal, Record] | None:
        """How many tonnes a surrender or offset for `year` may exceed what is still open, as
        the authority set it (`market_surrender_tolerances`, the row in force on 1 January of
        the year), or None: no text read sets one, so without a row it may not exceed."""
        rows = self.reference.rows(
            "market_surrender_tolerances", as_of=date(year, 1, 1), sector=sector
        )
        return (Decimal(repr(rows[0]["value"])), rows[0]) if rows else None

    def consequence(self, case: str) -> Record | None:
        """The cited consequence of `case` (not_surrendered_on_time), or None."""
        rows = self.reference.rows("market_compliance_consequences", case=case)
        return rows[0] if rows else None

    def consequence_texts(self) -> dict[str, str]:
        """The cited consequence of not surrendering on time as the ledger's warnings end
        their two texts (with its source); empty where the library cites none."""
        row = self.consequence("not_surrendered_on_time")
        if row is None:
            return {"consequence_en": "", "consequence_zh": ""}
        cited = f"{self.reference.source(str(row['source_id'])).title}, {row['clause']}"
        return {
            "consequence_en": f": per {cited}, {row['consequence_en']}",
            "consequence_zh": f"：据{cited}，{row['consequence_zh']}",
        }


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
