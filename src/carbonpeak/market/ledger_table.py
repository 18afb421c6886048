"""A table of compliance-ledger entries (a sheet or CSV) read into a `market.ledger.Ledger`:
every problem placed by row and column, a refused entry with its rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from carbonpeak.domain.schema import FIRST_YEAR, LAST_YEAR
from carbonpeak.errors import N_, Place, Problem
from carbonpeak.market.ledger import Entry, Ledger
from carbonpeak.market.ledger_rules import Refused

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
            return [Problem.of(Place(row=row, column="kind"), N_("refused: {}"), refused.problem())]
    return []
