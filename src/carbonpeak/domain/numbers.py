"""One rule for reading a number typed by a person, used by every reader of numbers.

After NFKC (full-width digits, period '．' and comma '，' become ASCII), a number is an
optional sign, digits with an optional decimal point and an optional exponent (``1234.5``,
``.5``, ``1e3``). A comma is only a thousands separator, in groups of exactly three digits
(``1,234``, ``12,345.6``); it is never a decimal comma, so ``1,5``, ``0,75`` and ``12,34`` are
not numbers (``1,5`` might mean 1.5 or 15: refusing it is the only safe reading). Blanks inside
(``1 5``) and underscores (``1_000``, which Python's ``float`` accepts) are refused too. A
trailing ``%`` is read only where the caller allows it. NaN and infinities are not numbers.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

# 9,800.5: thousands grouped by commas, three digits to a group. Also the DuckDB pattern of
# accounting/engine.py, so that both readers of an activity amount agree.
GROUPED_NUMBER = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def read_number(text: object, percent: bool = False) -> float | None:
    """The number `text` writes, or None if it is not one (the caller places the problem).
    With `percent`, one trailing ``%`` (or ``％``) is allowed and dropped (``2.5%`` is 2.5)."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        value = float(text)
        return value if value - value == 0 else None  # NaN and infinities give NaN
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    if percent and cleaned.endswith("%"):
        cleaned = cleaned[:-1].rstrip()
    if GROUPED_NUMBER.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    elif not PLAIN_NUMBER.fullmatch(cleaned):
        return None
    value = float(cleaned)
    return value if value - value == 0 else None  # 1e999 overflows to inf


def read_numbers(series: pd.Series) -> pd.Series:
    """`read_number` of each cell, as floats (NaN where a cell is blank or not a number); the
    cells pandas reads at once are read at once, the others one by one."""
    if series.dtype.kind in "fi":
        values = series.astype(float)
        return values.where(values - values == 0)
    values = pd.to_numeric(series, errors="coerce").astype(float)
    retry = (values.isna() | (values - values != 0)) & series.notna()
    if retry.any():  # blanks around, full-width digits, thousands, or not a number
        values[retry] = series[retry].map(_or_nan).astype(float)
    return values


def _or_nan(text: object) -> float:
    number = read_number(text)
    return float("nan") if number is None else number
