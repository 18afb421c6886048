"""Units: one pint registry for the whole platform.

The registry is pint's default one plus the definitions in `units.txt` (standard coal and oil
equivalents after GB/T 2589, masses of CO2 and carbon, normal cubic metres, the Chinese
"wan" (10^4) multiples used in statistics, the weight box of flat glass, people for per-capita
quantities); `kt` is read as the kilotonne, not pint's knot.

People write units many ways (`10^4 Nm3`, `万Nm3`, `m3`, `Nm³`, `tCO2/MWh`); `parse_unit`
accepts those spellings and raises `UnitError` naming the text it could not read.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import pint

from carbonpeak.errors import UnitError

ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
with resources.as_file(resources.files("carbonpeak.domain") / "units.txt") as _path:
    ureg.load_definitions(str(_path))
Quantity = ureg.Quantity
Unit = ureg.Unit

# Spellings people use that pint does not read, rewritten in order before parsing.
_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"³"), "3"),
    (re.compile(r"²"), "2"),
    (re.compile(r"·"), "*"),
    (re.compile(r"(?:10\s*\^\s*4|10\*\*4|10⁴|1e4)\s*\*?\s*"), "wan_"),
    (re.compile(r"万(?=[A-Za-z])"), "wan_"),
    (re.compile(r"\bm([23])\b"), r"m**\1"),
    # pint reads `kt` as the knot; in industry statistics it is the kilotonne
    (re.compile(r"(?<![A-Za-z_])kt(?![A-Za-z_0-9])"), "kilotonne"),
)


def _normalise(text: str) -> str:
    out = text.strip()
    for pattern, replacement in _SPELLINGS:
        out = pattern.sub(replacement, out)
    return out


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Unit:
    """Parse a unit string; raise `UnitError` if it is not a unit the registry knows."""
    if not isinstance(text, str) or not text.strip():
        raise UnitError("empty unit")
    candidate = _normalise(text)
    try:
        parsed = ureg.parse_units(candidate)
    except Exception as exc:  # pint raises assorted error types on malformed text
        raise UnitError(f"unknown unit {text!r}") from exc
    return parsed


def is_unit(text: str) -> bool:
    """True if `text` parses as a unit."""
    try:
        parse_unit(text)
    except UnitError:
        return False
    return True


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """The number by which a value in `from_unit` is multiplied to be in `to_unit`."""
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    try:
        return float(Quantity(1.0, source).to(target).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(
            f"cannot convert {from_unit!r} to {to_unit!r}: "
            f"{source.dimensionality} is not {target.dimensionality}"
        ) from exc


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a number from one unit to another (temperatures too: 20 degC is 293.15 K, which
    no factor gives)."""
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    try:
        return float(Quantity(value, source).to(target).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(
            f"cannot convert {from_unit!r} to {to_unit!r}: "
            f"{source.dimensionality} is not {target.dimensionality}"
        ) from exc


def compatible(unit_a: str, unit_b: str) -> bool:
    """True if the two units have the same dimensionality."""
    return parse_unit(unit_a).dimensionality == parse_unit(unit_b).dimensionality
