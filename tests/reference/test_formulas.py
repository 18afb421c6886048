"""Formulas written as rows (reference/formulas.py): the examples of docs/formulas.md evaluated
as the page says (so the page cannot drift), each check of a formula row placed, and
properties of the forms. Every formula here is an illustration, not a rule of any authority."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from carbonpeak.errors import InputError, Place
from carbonpeak.io.reference_edition import sheet_code
from carbonpeak.reference.editions import Edition, EditionRow, apply_edition
from carbonpeak.reference.formulas import formulas_in_force
from carbonpeak.reference.loader import Reference, default_reference

DOCS = Path(__file__).parents[2] / "docs" / "formulas.md"
ON = date(2026, 6, 30)
DOC = {
    "source_id": "test_fixture_formulas",
    "title": "公式示例（test fixture, not a real rule）",
    "issuer": "carbonpeak tests",
    "date": "2026-12-06",
    "note": "illustrations of the declared forms",
}
PROVENANCE = {
    "valid_from": "2026-01-01",
    "source_id": "test_fixture_formulas",
    "status": "unverified",
    "note": "test fixture, not a real rule",
}


def _edition(rows: list[tuple[str, dict[str, str]]]) -> Edition:
    return Edition(
        DOC,
        date(2026, 1, 1),
        tuple(
            EditionRow(table, {**PROVENANCE, **values}, "add", Place(file=f"{table}.csv", row=n))
            for n, (table, values) in enumerate(rows, start=2)
        ),
        place=Place(file="edition.yaml"),
    )


def _library(rows: list[tuple[str, dict[str, str]]]) -> Reference:
    return apply_edition(default_reference(), _edition(rows)).reference


def _page() -> tuple[list[tuple[str, dict[str, str]]], list[tuple[str, dict[str, float], float]]]:
    """The rows of every `csv <table>` block and the checks of every `expect` block."""
    text = DOCS.read_text(encoding="utf-8")
    rows: list[tuple[str, dict[str, str]]] = []
    for table, body in re.findall(r"```csv (\w+)\n(.*?)```", text, flags=re.S):
        header, *lines = body.strip().splitlines()
        columns = header.split(",")
        rows += [(table, dict(zip(columns, line.split(","), strict=True))) for line in lines]
    checks = []
    for body in re.findall(r"```expect\n(.*?)```", text, flags=re.S):
        for line in body.strip().splitlines():
            left, expected = line.split(" -> ")
            name, *pairs = left.split()
            values = {k: float(v) for k, v in (p.split("=") for p in pairs)}
            checks.append((name, values, float(expected)))
    return rows, checks


def test_the_examples_of_the_page_evaluate_as_it_says() -> None:
    rows, checks = _page()
    assert len(checks) >= 10 and {t for t, _ in rows} == {"formulas", "formula_bands"}
    formulas = formulas_in_force(_library(rows), ON)
    assert {f.form for f in formulas.forms.values()} == {"linear", "bands", "product"}
    for name, values, expected in checks:
        variables = {k: np.array([v]) for k, v in values.items()}
        assert formulas.evaluate(name, variables)[0] == pytest.approx(expected), (name, values)
        exact = formulas.exact(name, {k: Decimal(repr(v)) for k, v in values.items()})
        assert exact == Decimal(repr(expected)), (name, values)  # decimal: as the page says


def test_the_market_coefficient_in_decimals() -> None:
    """market.alpha (2025): 0.15 X within -0.03 and 0.03; in decimals X = 5 % gives exactly
    0.0075 and X = 20 % exactly 0.03 (binary floats give 0.0075000000000000015 from a float X)."""
    formulas = formulas_in_force(default_reference(), date(2025, 1, 1))
    alpha = formulas.forms["market.alpha"]
    assert (alpha.form, alpha.variable, alpha.slope, alpha.floor, alpha.cap) == (
        "linear",
        "intensity_deviation",
        0.15,
        -0.03,
        0.03,
    )
    for x, expected in [("0.05", "0.0075"), ("0.2", "0.03"), ("-0.2", "-0.03"), ("0.25", "0.03")]:
        assert formulas.exact("market.alpha", {"intensity_deviation": Decimal(x)}) == Decimal(
            expected
        )
    assert formulas.exact("market.alpha", {"intensity_deviation": Decimal("-0.25")}) == Decimal(
        "-0.03"
    )


def test_the_pages_command_writes_the_two_sheets(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    text = " ".join(DOCS.read_text(encoding="utf-8").split())
    [command] = re.findall(r"`carbonpeak (reference edition-template [^`]+)`", text)
    words = [str(tmp_path / w) if w.endswith(".xlsx") else w for w in command.split()]
    code, _out, err = cli(*words)
    assert code == 0, err
    book = load_workbook(tmp_path / "formulas.xlsx")
    codes = [sheet_code(n) for n in book.sheetnames]
    assert "formulas" in codes and "formula_bands" in codes


def test_a_product_rests_on_the_rows_of_its_terms_and_reads_their_variables() -> None:
    rows, _ = _page()
    formulas = formulas_in_force(_library(rows), ON)
    assert formulas.parts("example.bev") == ["example.bev", "example.standard", "example.energy"]
    assert formulas.variables("example.bev") == [
        "electric_range_km",
        "electric_energy_kwh_per_100km",
    ]
    assert len(formulas.rows("example.bev")) == 1 + (1 + 3) + (1 + 3)


def test_the_formulas_are_dated() -> None:
    """Written from 2026: none in force in 2025, and the shipped library has none in 2026 (its
    one row, the carbon market's market.alpha, is in force in 2025 only)."""
    rows, _ = _page()
    assert set(formulas_in_force(_library(rows), date(2025, 12, 31)).forms) == {"market.alpha"}
    assert formulas_in_force(default_reference(), ON).forms == {}


LINEAR = {"formula": "f", "form": "linear", "variable": "curb_mass_kg"}


@pytest.mark.parametrize(
    ("rows", "column", "message"),
    [
        ([("formulas", {**LINEAR, "slope": "1"})], "intercept", "needs its intercept"),
        (
            [("formulas", {**LINEAR, "intercept": "0", "slope": "1", "terms": "g"})],
            "terms",
            "has no terms",
        ),
        (
            [("formulas", {**LINEAR, "intercept": "0", "slope": "1", "floor": "2", "cap": "1"})],
            "floor",
            "above cap",
        ),
        (
            [("formulas", {"formula": "f", "form": "bands", "variable": "curb_mass_kg"})],
            "form",
            "no rows of formula_bands",
        ),
        ([("formulas", {"formula": "f", "form": "product", "terms": "g"})], "terms", "'g' is not"),
        ([("formulas", {"formula": "f", "form": "product"})], "terms", "needs its terms"),
        (
            [
                ("formulas", {"formula": "f", "form": "product", "terms": "g"}),
                ("formulas", {"formula": "g", "form": "product", "terms": "f"}),
            ],
            "terms",
            "contains itself",
        ),
    ],
)
def test_a_bad_formula_row_is_refused_at_its_place(
    rows: list[tuple[str, dict[str, str]]], column: str, message: str
) -> None:
    with pytest.raises(InputError) as raised:
        _library(rows)
    problem = raised.value.problems[0]
    assert problem.place.file == "formulas.csv" and problem.place.row == 2
    assert problem.place.column == column and message in problem.message


def test_a_variable_outside_the_declared_ones_is_refused() -> None:
    with pytest.raises(InputError, match="variable"):
        _library([("formulas", {**LINEAR, "variable": "colour", "intercept": "0", "slope": "1"})])


def test_a_formula_whose_term_or_bands_end_before_it_is_refused_at_its_row() -> None:
    """Review 22 H2: a product in force 2026-2027 whose term ends after 2026, or a bands
    formula whose bands start a year after it, would leave a date where it cannot be
    evaluated: refused at the formula's row, naming the date."""
    rows: list[tuple[str, dict[str, str]]] = [
        ("formulas", {"formula": "f", "form": "product", "terms": "g", "valid_to": "2028-01-01"}),
        ("formulas", {**LINEAR, "formula": "g", "intercept": "1", "slope": "0"}),
    ]
    rows[1][1]["valid_to"] = "2027-01-01"
    with pytest.raises(InputError) as raised:
        _library(rows)
    [problem] = raised.value.problems
    assert (problem.place.row, problem.place.column) == (2, "terms")
    assert "g not in force on 2027-01-01" in problem.message
    late_bands: list[tuple[str, dict[str, str]]] = [
        ("formulas", {"formula": "h", "form": "bands", "variable": "curb_mass_kg"}),
        (
            "formula_bands",
            {"formula": "h", "band_min": "0", "intercept": "1", "slope": "0"},
        ),
    ]
    late_bands[1][1]["valid_from"] = "2027-01-01"
    with pytest.raises(InputError, match="no bands in force on 2026-01-01"):
        _library(late_bands)


def test_another_formula_does_not_touch_the_dual_credit_years() -> None:
    """A formula the dual credits do not read (a whole one) leaves 2025 on its linear credit."""
    from carbonpeak.policy.dual_credit.rules import rules_for

    rows: list[tuple[str, dict[str, str]]] = [
        ("formulas", {**LINEAR, "formula": "other.mass", "intercept": "1", "slope": "0"}),
    ]
    rows[0][1]["valid_from"] = "2025-01-01"
    rules = rules_for(2025, _library(rows))
    assert rules.declared is None and set(rules.formulas) == {"bev", "phev", "fcv"}


numbers = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(a=numbers, b=numbers, x=st.lists(st.floats(0, 1e4), min_size=1, max_size=20))
def test_one_band_from_0_is_the_linear_formula(a: float, b: float, x: list[float]) -> None:
    rows: list[tuple[str, dict[str, str]]] = [
        ("formulas", {**LINEAR, "formula": "lin", "intercept": repr(a), "slope": repr(b)}),
        ("formulas", {"formula": "band", "form": "bands", "variable": "curb_mass_kg"}),
        (
            "formula_bands",
            {"formula": "band", "band_min": "0", "intercept": repr(a), "slope": repr(b)},
        ),
    ]
    formulas = formulas_in_force(_library(rows), ON)
    values = {"curb_mass_kg": np.array(x)}
    np.testing.assert_allclose(
        formulas.evaluate("lin", values), formulas.evaluate("band", values), rtol=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(
    a=numbers,
    b=numbers,
    low=st.floats(-10, 10),
    width=st.floats(0, 10),
    x=st.lists(st.floats(0, 1e4), min_size=1, max_size=20),
)
def test_floor_and_cap_bound_every_value(
    a: float, b: float, low: float, width: float, x: list[float]
) -> None:
    cells = {"intercept": repr(a), "slope": repr(b), "floor": repr(low), "cap": repr(low + width)}
    formulas = formulas_in_force(_library([("formulas", {**LINEAR, **cells})]), ON)
    value = formulas.evaluate("f", {"curb_mass_kg": np.array(x)})
    assert np.all(value >= low) and np.all(value <= low + width)
