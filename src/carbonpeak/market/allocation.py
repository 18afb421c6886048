"""The allowance (配额) of an allocation unit of the national carbon market for a compliance
year (docs/notes/design21.md §3, docs/notes/ets_sources_2026.md §2).

The year's rule is the row of `market_allocation_rules` of the unit's sector in force on
1 January of the year:

- `verified_emissions` (2024): A = E, the unit's verified emissions (核查排放量) of the year;
- `intensity_coefficient` (2025): A = E x (1 + alpha), rounded down to whole tonnes, where
  alpha is the rule's coefficient formula (a row of `formulas`, 2025: `market.alpha`, 0.15 X
  within -0.03 and 0.03) of the deviation X = (BP - I) / BP; I is the unit's intensity (the
  rule's `intensity_emissions` over its `intensity_product`: steel (炼铁 + 烧结 emissions) per t
  of 炼铁工序 product, cement the line's emissions per t of clinker, aluminium the 铝电解工序's
  emissions per t of 铝液) and BP the sector's balance value of the year
  (`market_balance_values`, entered by the authority from the national platform).

X, alpha and A are computed in decimal arithmetic, each number of the rows as written: in
binary floats X = (1 - 0.95) / 1 is 0.05000000000000004 and a boundary of the rule (X = 20 %)
could land on the wrong side. A year or sector without a rule, or without its balance value,
is refused (`InputError`), never allocated by another year's rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from carbonpeak.domain.warnings import ResultWarning, records, warn
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.reference.formulas import FormulaError, formulas_in_force
from carbonpeak.reference.loader import Record, Reference

SECTORS = ("steel", "cement", "aluminium")
RULES = "market_allocation_rules"
EXCEPTIONS = "market_allocation_exceptions"
BALANCE_VALUES = "market_balance_values"
DEVIATION = "intensity_deviation"  # the formula variable X (reference/formulas.py)
INTENSITY_UNIT = "tCO2/t"

Number = Decimal | int | float | str


@dataclass(frozen=True)
class Allocation:
    """The allowance of one allocation unit for one year, with what it rests on."""

    sector: str
    year: int
    allocation_unit: str  # enterprise | clinker_line | electrolysis_process
    rule: str  # verified_emissions | intensity_coefficient
    verified_emissions_t: Decimal  # E
    allowance_t: Decimal  # A
    alpha: Decimal = Decimal(0)  # the intensity coefficient (0 under verified_emissions)
    intensity: Decimal | None = None  # I, t CO2e per t of product
    balance_value: Decimal | None = None  # BP, same unit
    deviation: Decimal | None = None  # X = (BP - I) / BP, a fraction
    coefficient: str | None = None  # the formula of alpha
    exception: str | None = None  # the case of market_allocation_exceptions the unit is in
    reference_rows: tuple[dict[str, Any], ...] = ()
    warnings: tuple[ResultWarning, ...] = ()
    reference_digest: str = field(default="", repr=False)

    @property
    def surplus_t(self) -> Decimal:
        """Allowance minus verified emissions: what the unit has over (or, below 0, under) its
        obligation of the year from this allocation."""
        return self.allowance_t - self.verified_emissions_t

    def as_dict(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "sector": self.sector,
            "year": self.year,
            "allocation_unit": self.allocation_unit,
            "rule": self.rule,
            "verified_emissions_t": text(self.verified_emissions_t),
            "intensity": text(self.intensity),
            "balance_value": text(self.balance_value),
            "deviation": text(self.deviation),
            "alpha": text(self.alpha),
            "allowance_t": text(self.allowance_t),
            "coefficient": self.coefficient,
            "exception": self.exception,
            "reference_rows": list(self.reference_rows),
            "warnings": records(self.warnings),
            "reference_digest": self.reference_digest,
        }


def decimal(value: Number, field_name: str, positive: bool = False) -> Decimal:
    """`value` as a Decimal of 0 or more (above 0 when `positive`), or `InputError` placed at
    `field_name`. A float is taken as written (its shortest repr), not its binary value."""
    place = Place(field=field_name)
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise InputError(Problem.of(place, N_("{!r} is not a number"), value)) from None
    if not number.is_finite() or number < 0:
        raise InputError(Problem.of(place, N_("{!r} is not a number of 0 or more"), value))
    if positive and number == 0:
        raise InputError(Problem.of(place, N_("must be above 0")))
    return number


def row_provenance(reference: Reference, record: Record) -> dict[str, Any]:
    """A reference row as a result cites it: table, key, line, source, status, validity."""
    spec = reference.spec(record.table)
    source_id = str(record.get("source_id"))
    return {
        "table": record.table,
        "key": {k: record.get(k) for k in spec.key},
        "line": record.line,
        "source_id": source_id,
        "source": reference.source(source_id).cite(),
        "status": str(record.get("status")),
        "valid_from": record.valid_from.isoformat() if record.valid_from else None,
        "valid_to": record.valid_to.isoformat() if record.valid_to else None,
        "note": record.get("note"),
    }


def allocation_rule(reference: Reference, sector: str, year: int) -> Record:
    """The rule of `sector` for compliance year `year` (the row in force on 1 January), or
    `InputError`: the library has none."""
    rows = reference.rows(RULES, as_of=date(year, 1, 1), sector=sector) if sector in SECTORS else []
    if not rows:
        raise InputError(
            Problem.of(
                Place(field="year"),
                N_("the library has no allocation rule of the national carbon market for {} in {}"),
                sector,
                year,
            )
        )
    return rows[0]


def balance_value(reference: Reference, sector: str, year: int) -> tuple[Decimal, Record]:
    """BP of `sector` and `year` in t CO2e per t, with its row, or `InputError` naming the
    authority's table."""
    rows = reference.rows(BALANCE_VALUES, sector=sector, year=year)
    if not rows:
        raise InputError(
            Problem.of(
                Place(field="balance_value"),
                N_(
                    "no balance value of {} for {} in the library: the authority enters it in "
                    "{} (it is published on the national carbon market's platform)"
                ),
                sector,
                year,
                BALANCE_VALUES,
            )
        )
    value = reference.lookup(BALANCE_VALUES, sector=sector, year=year)
    number = value.value if value.unit == INTENSITY_UNIT else value.to(INTENSITY_UNIT)
    if not (number > 0 and math.isfinite(number)):
        raise InputError(
            Problem.of(
                Place(file=BALANCE_VALUES, row=rows[0].line, column="value"),
                N_("must be a finite number above 0"),
            )
        )
    return Decimal(repr(number)), rows[0]


def allocate(
    reference: Reference,
    sector: str,
    year: int,
    verified_emissions_t: Number,
    intensity_emissions_t: Number | None = None,
    product_t: Number | None = None,
    exception: str | None = None,
) -> Allocation:
    """The allowance of one allocation unit of `sector` for `year` from its verified emissions
    E and, under the intensity-coefficient rule, the emissions and the product output of its
    intensity I (see the module's docstring). A unit in a case of
    `market_allocation_exceptions` (`exception`, e.g. `white_clinker`) gets E whatever the
    rule; a case without a row for the year is refused."""
    rule = allocation_rule(reference, sector, year)
    emissions = decimal(verified_emissions_t, "verified_emissions_t")
    cited = [rule]
    kind = str(rule["rule"])
    down = rule.get("rounding") == "down"
    if exception is not None:
        rows = reference.rows(EXCEPTIONS, as_of=date(year, 1, 1), sector=sector, case=exception)
        if not rows:
            raise InputError(
                Problem.of(
                    Place(field="exception"),
                    N_("the library has no allocation exception {!r} of {} in {}"),
                    exception,
                    sector,
                    year,
                )
            )
        cited.append(rows[0])
        return _result(
            reference,
            rule,
            year,
            emissions,
            emissions,
            cited,
            rule_applied="verified_emissions",
            exception=exception,
        )
    if kind == "verified_emissions":
        allowance = _rounded(emissions, down)
        return _result(reference, rule, year, emissions, allowance, cited)
    for value, name, what in (
        (intensity_emissions_t, "intensity_emissions_t", "intensity_emissions"),
        (product_t, "product_t", "intensity_product"),
    ):
        if value is None:
            raise InputError(
                Problem.of(
                    Place(field=name),
                    N_("the allocation of {} in {} needs the intensity's {}: {}"),
                    sector,
                    year,
                    what,
                    rule.get(what) or "",
                )
            )
    assert intensity_emissions_t is not None and product_t is not None
    intensity = decimal(intensity_emissions_t, "intensity_emissions_t") / decimal(
        product_t, "product_t", positive=True
    )
    bp, bp_row = balance_value(reference, sector, year)
    deviation = (bp - intensity) / bp
    formula = str(rule.get("coefficient") or "")
    formulas = formulas_in_force(reference, date(year, 1, 1))
    try:
        alpha = formulas.exact(formula, {DEVIATION: deviation})
    except FormulaError as error:
        raise InputError(
            Problem.of(
                Place(file=RULES, row=rule.line, column="coefficient"),
                N_("the allocation of {} in {} cannot use its coefficient: {}"),
                sector,
                year,
                str(error),
            )
        ) from None
    cited += [*formulas.rows(formula), bp_row]
    allowance = _rounded(emissions * (1 + alpha), down)
    return _result(
        reference,
        rule,
        year,
        emissions,
        allowance,
        cited,
        alpha=alpha,
        intensity=intensity,
        balance_value=bp,
        deviation=deviation,
        coefficient=formula,
    )


def _rounded(value: Decimal, down: bool) -> Decimal:
    return value.to_integral_value(rounding=ROUND_FLOOR) if down else value


def _result(
    reference: Reference,
    rule: Record,
    year: int,
    emissions: Decimal,
    allowance: Decimal,
    cited: list[Record],
    rule_applied: str | None = None,
    **values: Any,
) -> Allocation:
    rows = tuple(row_provenance(reference, r) for r in cited)
    unverified = [f"{r['table']} line {r['line']}" for r in rows if r["status"] != "verified"]
    warnings = (
        (
            warn(
                "market.allocation.unverified",
                sector=str(rule["sector"]),
                year=year,
                count=len(unverified),
                rows=unverified,
            ),
        )
        if unverified
        else ()
    )
    return Allocation(
        sector=str(rule["sector"]),
        year=year,
        allocation_unit=str(rule["allocation_unit"]),
        rule=rule_applied or str(rule["rule"]),
        verified_emissions_t=emissions,
        allowance_t=allowance,
        reference_rows=rows,
        warnings=warnings,
        reference_digest=reference.digest,
        **values,
    )
