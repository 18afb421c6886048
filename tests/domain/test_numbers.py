"""The one number rule (domain/numbers.py): hand-worked cases and two properties."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.domain.numbers import GROUPED_NUMBER, read_number, read_numbers


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1,234", 1234.0),
        ("1,234.5", 1234.5),
        ("12,345.6", 12345.6),
        ("-1,234,567.0", -1234567.0),
        ("１，２３４", 1234.0),  # full-width digits and comma: NFKC
        ("２．５", 2.5),  # full-width period
        (" 7 ", 7.0),
        (".5", 0.5),
        ("1e3", 1000.0),
        (2.5, 2.5),
    ],
)
def test_numbers_that_are_read(text: object, number: float) -> None:
    assert read_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "1,5",
        "0,75",
        "12,34",
        "2，5",
        "1 5",
        "1_000",
        "1,2345",
        ",123",
        "1,,234",
        "",
        "nan",
        "inf",
        "1e999",
        "2.5%",
        "十",
        float("nan"),
        True,
    ],
)
def test_what_is_not_a_number(text: object) -> None:
    # 1,5 and 0,75 are decimal commas (or typos): never 15 and 75; 1_000 is Python, not a person
    assert read_number(text) is None


def test_a_percent_sign_only_where_allowed() -> None:
    assert read_number("2.5%", percent=True) == 2.5
    assert read_number("-1.5％", percent=True) == -1.5
    assert read_number("-1,5%", percent=True) is None  # not -15
    assert read_number("2.5%%", percent=True) is None


def test_the_column_reader_agrees_cell_by_cell() -> None:
    cells = pd.Series(["1,234.5", " 2 ", "1,5", None, "inf", "３", "1_000"], dtype=object)
    got = read_numbers(cells).tolist()
    assert got[:2] == [1234.5, 2.0] and got[5] == 3.0
    assert all(math.isnan(got[i]) for i in (2, 3, 4, 6))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_float_written_with_thousands_reads_back(value: float) -> None:
    assert read_number(f"{value:,}") == value


@given(st.from_regex(r"[+-]?[0-9]{0,7}(,[0-9]{0,7})+(\.[0-9]{0,3})?", fullmatch=True))
def test_a_comma_not_before_three_digits_is_refused(text: str) -> None:
    misplaced = bool(re.search(r",(?![0-9]{3}(?![0-9]))", text)) or not re.match(
        r"[+-]?[0-9]{1,3},", text
    )
    if misplaced:  # some comma is not followed by exactly three digits, or the head is no group
        assert read_number(text) is None
    else:
        assert GROUPED_NUMBER.fullmatch(text)
        assert read_number(text) == float(text.replace(",", ""))
