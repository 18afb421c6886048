"""The dual-credit rules in force for an accounting year, read from the reference tables
`cafc_targets`, `dual_credit_parameters` and, for the per-vehicle NEV credit, either the
formulas an authority wrote in `formulas` (`nev_credit.bev`, `nev_credit.phev`,
`nev_credit.fcv`, in any declared form: `reference.formulas`) or the linear credit of the
eras up to 2025 (`nev_credit_formulas` with `bev_range_factors`), never both for one
powertrain (each row with its source and status). A year is computed under the rows in force
on its 31 December; a year without them has no rules, and saying so is the caller's error to
report: so a year after the shipped rules (2026 on) is refused until an approved edition of
the reference library covers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from carbonpeak.errors import CarbonpeakError
from carbonpeak.reference.formulas import Formulas, formulas_in_force
from carbonpeak.reference.loader import Record, Reference

POWERTRAINS = ("ice", "hev", "phev", "bev", "fcv")
NEV = ("phev", "bev", "fcv")
CONVENTIONAL = ("ice", "hev")
SEAT_CLASSES = ("up_to_two_rows", "three_rows_or_more")
REQUIRED = ("cafc_ratio", "nev_multiplier", "nev_ratio", "low_fc_weight", "nev_exemption_units")


class NoRules(CarbonpeakError):
    """No dual-credit rules are in force for a year (or part of them is missing)."""


@dataclass(frozen=True)
class Segments:
    """Target segments of one seat class, sorted by their lower bound."""

    mass_min: np.ndarray
    intercept: np.ndarray
    slope: np.ndarray
    pivot: np.ndarray

    def target(self, mass: np.ndarray) -> np.ndarray:
        """The target of each curb mass, before rounding: segment (min, max]."""
        index = np.clip(np.searchsorted(self.mass_min, mass, side="left") - 1, 0, None)
        result: np.ndarray = self.intercept[index] + self.slope[index] * (mass - self.pivot[index])
        return result


@dataclass(frozen=True)
class LinearCredit:
    """The NEV credit of the eras up to 2025: min(cap, intercept + slope x variable), x the
    BEV range factor, `below_min` under the minimum electric range."""

    variable: str
    intercept: float
    slope: float
    cap: float
    min_range_km: float
    below_min: float


@dataclass
class YearRules:
    """Everything the accounting of `year` needs, and the reference rows it rests on."""

    year: int
    standard: str
    segments: dict[str, Segments]
    parameters: dict[str, float]
    formulas: dict[str, LinearCredit]
    range_bands: np.ndarray
    range_factors: np.ndarray
    rows: list[Record] = field(default_factory=list)
    declared: Formulas | None = None  # the NEV credits written in `formulas`, if any

    def nev_formula(self, powertrain: str) -> str | None:
        """The name of `powertrain`'s declared NEV credit formula, None for the linear one."""
        name = f"nev_credit.{powertrain}"
        return name if self.declared is not None and name in self.declared else None

    def nev_credit(self, powertrain: str, variables: dict[str, np.ndarray]) -> np.ndarray:
        """The NEV credit per vehicle of `powertrain` (before rounding), one per element of
        the variables (`reference.formulas.VARIABLES`)."""
        name = self.nev_formula(powertrain)
        if name is not None and self.declared is not None:
            return self.declared.evaluate(name, variables)
        formula = self.formulas[powertrain]
        # the linear credit of the eras up to 2025 takes a range or a power not given as 0
        variables = {k: np.nan_to_num(v, nan=0.0) for k, v in variables.items()}
        range_km = variables["electric_range_km"]
        legacy = {"range_km": "electric_range_km"}  # the column names of nev_credit_formulas
        variable = variables.get(
            legacy.get(formula.variable, formula.variable), np.zeros(len(range_km))
        )
        value = np.minimum(formula.cap, formula.intercept + formula.slope * variable)
        if powertrain == "bev":
            band = np.clip(np.searchsorted(self.range_bands, range_km, side="right") - 1, 0, None)
            value = value * self.range_factors[band]
        result: np.ndarray = np.where(range_km >= formula.min_range_km, value, formula.below_min)
        return result

    def get(self, name: str, default: float | None = None) -> float | None:
        return self.parameters.get(name, default)

    def unverified(self) -> list[dict[str, Any]]:
        """The unverified reference rows the year rests on, for its warnings."""
        return [
            {"table": r.table, "line": r.line, "key": _key(r), "note": r.get("note")}
            for r in self.rows
            if r.get("status") != "verified"
        ]


def _number(record: Record, column: str) -> float:
    value = record[column]
    if not isinstance(value, int | float):
        raise NoRules(f"{record.table} line {record.line}: {column} is not a number")
    return float(value)


def _key(record: Record) -> str:
    for column in ("parameter", "seat_class", "powertrain", "range_min_km", "formula"):
        if column in record.values:
            extra = f" > {_number(record, 'mass_min_kg'):g} kg" if column == "seat_class" else ""
            return f"{record[column]}{extra}"
    return ""


def rules_for(year: int, reference: Reference) -> YearRules:
    """The rules of `year`; `NoRules` naming what is missing."""
    on = date(year, 12, 31)
    targets = reference.rows("cafc_targets", as_of=on)
    if not targets:
        raise NoRules(f"no per-vehicle fuel-consumption targets (GB 27999) in force for {year}")
    segments = {}
    for seat in SEAT_CLASSES:
        chosen = sorted(
            (r for r in targets if r["seat_class"] == seat), key=lambda r: _number(r, "mass_min_kg")
        )
        segments[seat] = Segments(
            np.array([_number(r, "mass_min_kg") for r in chosen]),
            np.array([_number(r, "intercept") for r in chosen]),
            np.array([_number(r, "slope") for r in chosen]),
            np.array([_number(r, "pivot_kg") for r in chosen]),
        )
    rows = reference.rows("dual_credit_parameters", as_of=on)
    parameters = {str(r["parameter"]): _number(r, "value") for r in rows}
    threshold = next((r for r in rows if r["parameter"] == "low_fc_threshold"), None)
    if threshold is not None:  # kept in l/km in the table, used in L/100 km
        parameters["low_fc_threshold"] = _number(threshold, "value") * 100
    missing = [p for p in REQUIRED if p not in parameters]
    if missing:
        raise NoRules(f"no {', '.join(missing)} in force for {year}")
    declared = formulas_in_force(reference, on)
    named = [p for p in NEV if f"nev_credit.{p}" in declared]
    for powertrain in named:  # only the NEV credits and their parts: no other formula's gap
        why = declared.why_not(f"nev_credit.{powertrain}")
        if why:
            raise NoRules(f"the NEV credit formulas of {year}: {why}")
    formula_rows = reference.rows("nev_credit_formulas", as_of=on)
    formulas = {
        str(r["powertrain"]): LinearCredit(
            str(r["variable"]),
            _number(r, "intercept"),
            _number(r, "slope"),
            _number(r, "cap"),
            _number(r, "min_range_km"),
            _number(r, "below_min"),
        )
        for r in formula_rows
    }
    both = sorted(set(named) & set(formulas))
    if both:
        raise NoRules(
            f"the NEV credit of {', '.join(both)} in force for {year} both in formulas and in "
            "nev_credit_formulas: an edition writing the new formula retires the old one"
        )
    have = set(named) | set(formulas)
    if have != set(NEV):
        raise NoRules(
            f"no NEV credit formulas in force for {year} (have {', '.join(sorted(have)) or 'none'})"
        )
    bands = sorted(
        reference.rows("bev_range_factors", as_of=on), key=lambda r: _number(r, "range_min_km")
    )
    if "bev" in formulas and not bands:
        raise NoRules(f"no BEV range factors in force for {year}")
    used_bands = bands if "bev" in formulas else []
    return YearRules(
        year,
        str(targets[0]["standard"]),
        segments,
        parameters,
        formulas,
        np.array([_number(r, "range_min_km") for r in used_bands]),
        np.array([_number(r, "factor") for r in used_bands]),
        [
            *targets,
            *rows,
            *formula_rows,
            *used_bands,
            *(r for p in named for r in declared.rows(f"nev_credit.{p}")),
        ],
        declared if named else None,
    )


def round_half_up(values: np.ndarray, digits: int) -> np.ndarray:
    """四舍五入 to `digits` decimals (GB/T 8170), robust to binary representation."""
    scale = 10.0**digits
    result: np.ndarray = np.floor(np.asarray(values, dtype=float) * scale + 0.5 + 1e-9) / scale
    return result
