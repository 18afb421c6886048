"""The CBAM reference tables looked up for a good (docs/notes/research22.md §2-§3): its
aggregated goods category and Annex II status by CN code, the default value for its country
of production (falling back to "other countries and territories", `XX`, where the country has
no row or the annex prints no value), the year's mark-up, CBAM factor and benchmark, and the
cross-sectoral correction factor.

CN codes are matched by their longest printed prefix: the annexes print values at heading
(4 digits), subheading (6), CN (8) or TARIC (10) level (`cbam_goods`, `cbam_default_values`).
A code that matches several rows of different routes needs its route. Every value comes with
its provenance (table, row, source, status), and every row of these tables is `unverified`
but the template's own: the caller shows that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.product.embedded import WasteGas
from carbonpeak.reference.loader import Record, Reference, Value

OTHER = "XX"  # "Other countries and territories" in cbam_default_values
PREFIXES = (10, 8, 6, 4)


def cn_digits(text: str) -> str:
    """A CN code as written (spaces, dots) to its digits; refused unless 4 to 10 digits."""
    digits = re.sub(r"[\s.]", "", str(text))
    if not re.fullmatch(r"\d{4,10}", digits):
        raise InputError(
            Problem.of(Place(field="cn_code"), N_("{!r} is not a CN code (4 to 10 digits)"), text)
        )
    return digits


@dataclass(frozen=True)
class Good:
    """A CBAM good: the code matched, its description, category, sector and whether only its
    direct emissions count (Annex II)."""

    cn_code: str
    description: str
    category: str
    sector: str
    direct_only: bool


def _matches(rows: list[Record], cn: str) -> list[Record]:
    """The rows whose code is the longest prefix of `cn` (or, for a shorter `cn`, the rows
    that extend it when no prefix matches)."""
    for length in PREFIXES:
        if len(cn) < length:
            continue
        found = [r for r in rows if str(r["cn_code"]) == cn[:length]]
        if found:
            return found
    return [r for r in rows if str(r["cn_code"]).startswith(cn)]


def good(reference: Reference, cn_code: str) -> Good:
    """The good of a CN code; refused when it is not a CBAM good."""
    cn = cn_digits(cn_code)
    found = _matches(reference.rows("cbam_goods"), cn)
    categories = {str(r["category"]) for r in found}
    if len(categories) != 1:
        raise InputError(
            Problem.of(
                Place(field="cn_code"),
                N_("{} is not a good of the CBAM (Annex I of Reg. (EU) 2023/956)")
                if not found
                else N_("{} is ambiguous: give its 10-digit TARIC code"),
                cn_code,
            )
        )
    row = found[0]
    category = reference.rows("cbam_categories", category=str(row["category"]))[0]
    return Good(
        str(row["cn_code"]),
        str(row["description"]),
        str(row["category"]),
        str(category["sector"]),
        str(row["direct_only"]) == "yes",
    )


@dataclass(frozen=True)
class DefaultValue:
    """A default value (tCO2e/t): total with its provenance, direct and indirect for
    information, the country whose row was used, and whether that is the fallback."""

    total: Value
    direct: float | None
    indirect: float | None
    country: str
    fallback: bool


def default_value(
    reference: Reference, country: str, cn_code: str, on: date, route: str | None = None
) -> DefaultValue:
    """The default value of a good produced in `country` (ISO alpha-2), in force on `on`."""
    cn = cn_digits(cn_code)
    for where in (country.upper(), OTHER):
        rows = [r for r in reference.rows("cbam_default_values", as_of=on, country=where)]
        found = _matches(rows, cn)
        if route is not None and len({str(r.get("route") or "") for r in found}) > 1:
            # the table sets routes apart: the good's own; where the code has one route, its
            # value is the code's whatever the route (the caller says so: `other_route`)
            found = [r for r in found if str(r.get("route") or "") == route]
        found = [r for r in found if r.get("total") is not None]
        if len({str(r.get("route") or "") for r in found}) > 1:
            routes = ", ".join(sorted(str(r.get("route") or "–") for r in found))
            raise InputError(
                Problem.of(
                    Place(field="route"),
                    N_("{} has default values for routes {}: give the route"),
                    cn_code,
                    routes,
                )
            )
        if found:
            row = found[0]
            total = reference.lookup(
                "cbam_default_values",
                "total",
                as_of=on,
                country=where,
                cn_code=row["cn_code"],
                route=row.get("route"),
            )
            return DefaultValue(
                total,
                _number(row.get("direct")),
                _number(row.get("indirect")),
                where,
                where != country.upper(),
            )
    raise InputError(
        Problem.of(
            Place(field="cn_code"), N_("no default value for {} in force on {}"), cn_code, on
        )
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def markup(reference: Reference, sector: str, on: date) -> Value | None:
    """The year's mark-up of a sector's default values, or None where the text names none
    (electricity)."""
    if not reference.rows("cbam_markups", as_of=on, sector=sector):
        return None
    return reference.lookup("cbam_markups", "markup", as_of=on, sector=sector)


def cbam_factor(reference: Reference, on: date, basis: str = "adopted") -> Value:
    """The share of free allocation kept in the year (`adopted`, or the proposal)."""
    return reference.lookup("cbam_factors", "factor", as_of=on, basis=basis)


def cscf(reference: Reference) -> Value:
    """The cross-sectoral correction factor (provisional 1.0 until published)."""
    return reference.lookup("cbam_parameters", "value", parameter="cscf")


def benchmark(
    reference: Reference, cn_code: str, on: date, column: str, route: str | None = None
) -> Value | None:
    """The good's benchmark of `column` (`column_a` for actual values, `column_b` for
    default values), or None where none is printed."""
    cn = cn_digits(cn_code)
    rows = [r for r in reference.rows("cbam_benchmarks", as_of=on) if r.get(column) is not None]
    found = _matches(rows, cn)
    split = not found and cn.endswith("00")
    if split:
        # a code the benchmarks print only split (7601 10 00 as 7601 10 10 and 7601 10 90):
        # its subdivisions' rows, taken when they agree
        found = [r for r in rows if str(r["cn_code"]).startswith(cn[:-2])]
    if route is not None and any(r.get("route") for r in found):
        found = [r for r in found if str(r.get("route") or "") == route]
    if not found:
        return None
    values = {float(r[column]) for r in found}  # type: ignore[arg-type]
    by_route = {(str(r.get("route") or ""), float(r[column])) for r in found}  # type: ignore[arg-type]
    if split and len(by_route) > len({route for route, _value in by_route}):
        raise InputError(
            Problem.of(
                Place(field="cn_code"),
                N_("{} has benchmarks only for its subdivisions {}, which differ: give one"),
                cn_code,
                ", ".join(sorted({str(r["cn_code"]) for r in found})),
            )
        )
    if len(values) > 1:
        routes = ", ".join(sorted({str(r.get("route") or "–") for r in found}))
        raise InputError(
            Problem.of(
                Place(field="route"),
                N_("{} has benchmarks for routes {}: give the route"),
                cn_code,
                routes,
            )
        )
    row = found[0]
    return reference.lookup(
        "cbam_benchmarks",
        column,
        as_of=on,
        cn_code=row["cn_code"],
        route=row.get("route"),
        footnote=row.get("footnote"),
    )


def carbon_to_co2(reference: Reference) -> Value:
    """The template's factor from carbon to CO2 in a mass balance (its own, not 44/12)."""
    return reference.lookup("cbam_parameters", "value", parameter="carbon_to_co2")


def waste_gas(reference: Reference) -> WasteGas:
    """The template's constants for the waste gases a process imports or exports."""
    return WasteGas(
        reference.lookup("cbam_parameters", "value", parameter="natural_gas_factor").value,
        reference.lookup("cbam_parameters", "value", parameter="exported_waste_gas_share").value,
    )


def waste_gas_items(reference: Reference) -> frozenset[str]:
    """The account's items that CBAM treats as waste gases (`cbam_waste_gases`)."""
    return frozenset(str(r["item"]) for r in reference.rows("cbam_waste_gases"))
