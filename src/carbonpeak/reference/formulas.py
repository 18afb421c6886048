"""Formulas an authority writes as reference rows, in a small declared set of forms (issue 20,
part 5), so that a rule whose shape changes (a new NEV credit with more terms) reaches the
engines through an edition, without a code release. `docs/formulas.md` shows an authority how
to write each form; its examples are evaluated by the tests.

A formula is one row of `formulas` (by date, like every rule) named by a code such as
`nev_credit.bev`, in one of three forms:

- **linear**: `intercept + slope x variable`;
- **bands** (piecewise linear): the rows of `formula_bands` of the formula, each from its
  `band_min` to the next band's, give `intercept + slope x variable` within the band; a band
  includes its lower boundary (`bands_include` = `lower`, the default: [min, next)) or its
  upper one (`upper`: (min, next]); below the first band the formula is 0 (not covered). A
  table of factors by band is a bands formula whose slopes are 0;
- **product**: the product of the formulas named in `terms` (separated by spaces), each taken
  as in force on the same date.

Every form is then kept within `floor` and `cap` where they are given. The variables are the
inputs an engine offers (`VARIABLES`, declared once here and in `tables.yaml`); an engine
evaluates a formula over arrays, one value per vehicle or unit.

`check_formulas` checks the rows of every date as the loader checks every table (a form with
the cells it needs and none it ignores, products naming formulas that exist and no formula
containing itself); `formulas_in_force` gives the formulas of one date and says which rows
they rest on; a product term or a band missing on that date is a `FormulaError`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

import numpy as np

from carbonpeak.errors import CarbonpeakError, Place, Problem
from carbonpeak.reference.loader import Record, Reference

FORMS = ("linear", "bands", "product")
VARIABLES = (
    "electric_range_km",
    "fuel_cell_power_kw",
    "curb_mass_kg",
    "electric_energy_kwh_per_100km",
    "fuel_consumption_l_per_100km",
    "intensity_deviation",
)
TABLE, BANDS_TABLE = "formulas", "formula_bands"
_NEEDS: dict[str, tuple[str, ...]] = {
    "linear": ("variable", "intercept", "slope"),
    "bands": ("variable",),
    "product": ("terms",),
}
_IGNORED: dict[str, tuple[str, ...]] = {
    "linear": ("terms", "bands_include"),
    "bands": ("intercept", "slope", "terms"),
    "product": ("variable", "intercept", "slope", "bands_include"),
}


class FormulaError(CarbonpeakError):
    """A formula cannot be evaluated on a date (a term or its bands are not in force)."""


@dataclass(frozen=True)
class Formula:
    """One formula of one date: its form and the numbers of that form."""

    name: str
    form: Literal["linear", "bands", "product"]
    variable: str | None = None
    intercept: float = 0.0
    slope: float = 0.0
    starts: tuple[float, ...] = ()
    intercepts: tuple[float, ...] = ()
    slopes: tuple[float, ...] = ()
    include: Literal["lower", "upper"] = "lower"
    terms: tuple[str, ...] = ()
    floor: float | None = None
    cap: float | None = None


@dataclass(frozen=True)
class Formulas:
    """The formulas in force on one date, with the reference rows each rests on."""

    on: date
    forms: Mapping[str, Formula]
    records: Mapping[str, tuple[Record, ...]]
    broken: Mapping[str, str] = field(default_factory=dict)  # name -> why it cannot be used

    def __contains__(self, name: object) -> bool:
        return name in self.forms

    def why_not(self, name: str) -> str | None:
        """Why `name` cannot be evaluated on this date (a band or a term of it, or of a part,
        not in force then), or None."""
        try:
            return next((self.broken[p] for p in self.parts(name) if p in self.broken), None)
        except FormulaError as error:
            return str(error)

    def parts(self, name: str) -> list[str]:
        """`name` and every formula it contains, each once, outermost first."""
        found: list[str] = []
        pending = [name]
        while pending:
            current = pending.pop(0)
            if current in found:
                continue
            found.append(current)
            pending += list(self._formula(current).terms)
        return found

    def variables(self, name: str) -> list[str]:
        """The variables `name` reads (through its terms too), in the order of `VARIABLES`."""
        used = {self.forms[p].variable for p in self.parts(name)}
        return [v for v in VARIABLES if v in used]

    def rows(self, name: str) -> list[Record]:
        """The reference rows `name` rests on (its own, its bands', its terms')."""
        return [r for p in self.parts(name) for r in self.records[p]]

    def evaluate(self, name: str, variables: Mapping[str, np.ndarray]) -> np.ndarray:
        """The value of `name` for each element of the variables' arrays."""
        if name in self.broken:
            raise FormulaError(self.broken[name])
        formula = self._formula(name)
        if formula.form == "product":
            value = np.ones_like(_first(variables))
            for term in formula.terms:
                value = value * self.evaluate(term, variables)
        else:
            x = np.asarray(variables[str(formula.variable)], dtype=float)
            if formula.form == "linear":
                value = formula.intercept + formula.slope * x
            else:
                side: Literal["left", "right"] = "right" if formula.include == "lower" else "left"
                band = np.searchsorted(np.asarray(formula.starts), x, side=side) - 1
                # the first band holds its own minimum under either rule
                band = np.where(x == formula.starts[0], 0, band)
                inside = band >= 0
                index = np.clip(band, 0, None)
                pieces = np.asarray(formula.intercepts)[index] + np.asarray(formula.slopes)[
                    index
                ] * np.where(np.isnan(x), 0.0, x)
                value = np.where(np.isnan(x), np.nan, np.where(inside, pieces, 0.0))
        if formula.floor is not None:
            value = np.maximum(value, formula.floor)
        if formula.cap is not None:
            value = np.minimum(value, formula.cap)
        result: np.ndarray = np.asarray(value, dtype=float)
        return result

    def exact(self, name: str, variables: Mapping[str, Decimal]) -> Decimal:
        """The value of `name` for one element, in decimal arithmetic: each number of the rows
        taken as written (0.15, not its binary neighbour), so that a boundary of a rule (an X
        of exactly 20 %) lands where the text puts it. Same forms, bands and bounds as
        `evaluate`."""
        if name in self.broken:
            raise FormulaError(self.broken[name])
        formula = self._formula(name)
        if formula.form == "product":
            value = Decimal(1)
            for term in formula.terms:
                value *= self.exact(term, variables)
        else:
            x = Decimal(variables[str(formula.variable)])
            if formula.form == "linear":
                value = _decimal(formula.intercept) + _decimal(formula.slope) * x
            else:
                starts = [_decimal(s) for s in formula.starts]
                if formula.include == "lower":
                    band = bisect.bisect_right(starts, x) - 1
                else:
                    band = bisect.bisect_left(starts, x) - 1
                if x == starts[0]:
                    band = 0  # the first band holds its own minimum under either rule
                value = (
                    _decimal(formula.intercepts[band]) + _decimal(formula.slopes[band]) * x
                    if band >= 0
                    else Decimal(0)
                )
        if formula.floor is not None:
            value = max(value, _decimal(formula.floor))
        if formula.cap is not None:
            value = min(value, _decimal(formula.cap))
        return value

    def _formula(self, name: str) -> Formula:
        if name not in self.forms:
            raise FormulaError(f"no formula {name!r} in force on {self.on}")
        return self.forms[name]


def _decimal(number: float) -> Decimal:
    """A number of a row as written in its cell (the shortest decimal that reads as it)."""
    return Decimal(repr(number))


def _first(variables: Mapping[str, np.ndarray]) -> np.ndarray:
    for array in variables.values():
        return np.zeros(len(np.asarray(array)), dtype=float)
    raise FormulaError("a formula needs at least one variable to evaluate over")


def _number(record: Record, column: str) -> float | None:
    value = record.get(column)
    return None if value is None else float(value)  # type: ignore[arg-type]


def formulas_in_force(reference: Reference, on: date) -> Formulas:
    """The formulas of `on` (an empty set where the tables have none)."""
    return _in_force(reference.rows(TABLE, as_of=on), reference.rows(BANDS_TABLE, as_of=on), on)


def _in_force(rows: list[Record], band_rows: list[Record], on: date) -> Formulas:
    """The formulas of `rows` (in force on `on`) with their bands (`band_rows`, in force then):
    a bands formula without bands, or a product with a term not in force, is kept as broken
    (`Formulas.broken`), so that it fails only where it is used."""
    bands: dict[str, list[Record]] = {}
    for band in band_rows:
        bands.setdefault(str(band["formula"]), []).append(band)
    forms: dict[str, Formula] = {}
    records: dict[str, tuple[Record, ...]] = {}
    broken: dict[str, str] = {}
    for row in rows:
        name = str(row["formula"])
        form = str(row["form"])
        own = sorted(bands.get(name, []), key=lambda r: float(r["band_min"]))  # type: ignore[arg-type]
        if form == "bands" and not own:
            broken[name] = f"formula {name!r}: no bands in force on {on}"
        forms[name] = Formula(
            name=name,
            form=form,  # type: ignore[arg-type]
            variable=None if row.get("variable") is None else str(row["variable"]),
            intercept=_number(row, "intercept") or 0.0,
            slope=_number(row, "slope") or 0.0,
            starts=tuple(float(b["band_min"]) for b in own),  # type: ignore[arg-type]
            intercepts=tuple(float(b["intercept"]) for b in own),  # type: ignore[arg-type]
            slopes=tuple(float(b["slope"]) for b in own),  # type: ignore[arg-type]
            include="upper" if row.get("bands_include") == "upper" else "lower",
            terms=tuple(str(row.get("terms") or "").split()),
            floor=_number(row, "floor"),
            cap=_number(row, "cap"),
        )
        records[name] = (row, *own) if form == "bands" else (row,)
    for name, formula in forms.items():
        missing = [t for t in formula.terms if t not in forms]
        if missing:
            broken[name] = f"formula {name!r}: {', '.join(missing)} not in force on {on} (terms)"
    return Formulas(on, forms, records, broken)


def check_formulas(
    tables: Mapping[str, Iterable[Record]],
    place: Callable[[Record, str], Place] | None = None,
) -> list[Problem]:
    """Problems of the formula rows of every date: a form without the cells it needs or with
    cells it would ignore, bands formulas without bands, floor above cap, product terms that
    name no formula, and a formula that contains itself. `place` gives a row's place (default:
    its line of formulas.csv)."""
    rows = list(tables.get(TABLE, ()))
    banded = {str(b["formula"]) for b in tables.get(BANDS_TABLE, ())}
    names = {str(r["formula"]) for r in rows}
    problems: list[Problem] = []
    terms: dict[str, set[str]] = {}

    def problem(record: Record, column: str, message: str) -> None:
        where = (
            place(record, column)
            if place
            else Place(file=f"{TABLE}.csv", row=record.line, column=column)
        )
        problems.append(Problem(where, message))

    for row in rows:
        name, form = str(row["formula"]), str(row["form"])
        for column in _NEEDS[form]:
            if row.get(column) is None:
                problem(row, column, f"a {form} formula needs its {column}")
        for column in _IGNORED[form]:
            if row.get(column) is not None:
                problem(row, column, f"a {form} formula has no {column} (leave it blank)")
        floor, cap = _number(row, "floor"), _number(row, "cap")
        if floor is not None and cap is not None and floor > cap:
            problem(row, "floor", f"floor {floor:g} is above cap {cap:g}")
        if form == "bands" and name not in banded:
            problem(row, "form", f"no rows of {BANDS_TABLE} for {name!r}")
        named = str(row.get("terms") or "").split()
        for term in named:
            if term not in names:
                problem(row, "terms", f"{term!r} is not a formula")
        terms.setdefault(name, set()).update(named)
    for row in rows:
        name = str(row["formula"])
        if name in _reachable(name, terms):
            problem(row, "terms", f"{name!r} contains itself")
    if not problems:  # each formula whole on every date it is in force
        _uncovered(rows, list(tables.get(BANDS_TABLE, ())), problem)
    return problems


def _uncovered(
    rows: list[Record], band_rows: list[Record], problem: Callable[[Record, str, str], None]
) -> None:
    """A formula in force on a date whose bands or terms are not (an edition that retires a
    formula's bands but not the formula, or writes a term from a later date): checked at every
    date where a formula row, a band or a term starts or ends within the formula's span (the
    days between them see the same rows)."""
    days = sorted(
        {r.valid_from for r in [*rows, *band_rows] if r.valid_from is not None}
        | {r.valid_to for r in [*rows, *band_rows] if r.valid_to is not None}
        | {date.min}
    )
    reported: set[tuple[int, str]] = set()
    for day in days:
        formulas = _in_force(
            [r for r in rows if r.in_force(day)], [b for b in band_rows if b.in_force(day)], day
        )
        for name, why in formulas.broken.items():
            row = formulas.records[name][0]
            if (id(row), name) not in reported:
                reported.add((id(row), name))
                column = "form" if formulas.forms[name].form == "bands" else "terms"
                problem(row, column, why.replace(str(date.min), "its first day"))


def _reachable(name: str, terms: Mapping[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    pending = list(terms.get(name, ()))
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            pending += list(terms.get(current, ()))
    return seen
