"""The dual-credit engine accepts a year after the shipped rules (2026) as soon as an edition
covers it, with a NEV credit formula of a new shape written as rows (issue 20 part 5).

The edition in `fixtures/dual_credit_2026_test_edition` is a TEST FIXTURE, NOT A REAL RULE:
its values are invented (the 2026 annex of Notice 294 and GB 27999-2025's targets were not
found). Its BEV credit is a product of two bands formulas (a standard credit by electric range
and an energy factor by electric consumption, capped); the PHEV and FCV credits are linear with
caps. The 2026 NEV ratio 0.48 and low-FC weight 0.1 are the shipped rows of Notice 294."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.policy.dual_credit.compute import compute
from carbonpeak.policy.dual_credit.fleet import check_fleet
from carbonpeak.policy.dual_credit.rules import NoRules, rules_for
from carbonpeak.reference.edition_files import read_edition_dir
from carbonpeak.reference.editions import apply_edition
from carbonpeak.reference.loader import Reference, default_reference
from carbonpeak.services.fleet import FIELDS

FIXTURE = Path(__file__).parent / "fixtures" / "dual_credit_2026_test_edition"
MAKER = "911302007A3K9C2D24"
COLUMNS = list(FIELDS)  # the fleet's columns in the order the store keeps them
MODELS = [
    (MAKER, 2026, "ICE", "ice", 1500, 2, 5.0, None, None, None, 40000, "no"),
    (MAKER, 2026, "BEV-A", "bev", 1200, 2, None, 120, 11.0, None, 1000, "no"),
    (MAKER, 2026, "BEV-B", "bev", 1600, 2, None, 400, 14.0, None, 2000, "no"),
    (MAKER, 2026, "BEV-C", "bev", 1800, 2, None, 600, 10.0, None, 500, "no"),
    (MAKER, 2026, "PHEV", "phev", 1900, 2, 1.5, 80, 20.0, None, 1000, "no"),
    (MAKER, 2026, "FCV", "fcv", 2000, 2, None, 500, None, 100, 10, "no"),
]


def _with_fixture() -> Reference:
    return apply_edition(default_reference(), read_edition_dir(FIXTURE)).reference


def _fleet(reference: Reference, models: list[tuple[object, ...]]) -> tuple[pd.DataFrame, list]:
    raw = pd.DataFrame(models, columns=COLUMNS).astype(str).replace({"None": ""})
    return check_fleet(raw, reference)


def test_2026_is_refused_by_the_shipped_library() -> None:
    with pytest.raises(NoRules, match="2026"):
        rules_for(2026, default_reference())
    _tidy, problems = _fleet(default_reference(), MODELS)
    assert problems and all("2026" in p.message for p in problems)


def test_2026_computed_under_the_edition_by_hand() -> None:
    """Per vehicle (fixture formulas):
    BEV-A: range 120 is in the band from 100: 0.3; 11.0 kWh is in (0, 12]: x 1.2 -> 0.36;
    BEV-B: 0.2 + 0.002 x 400 = 1.0 (cap 1.5); 14.0 in (12, 15]: x 1.0 -> 1.0;
    BEV-C: 0.2 + 0.002 x 600 = 1.4; 10.0: x 1.2 = 1.68, the product's cap 1.6 -> 1.6;
    PHEV: 0.2 + 0.01 x 80 = 1.0, cap 0.8 -> 0.8; FCV: 0.05 x 100 = 5, cap 4 -> 4.
    Earned 0.36 x 1000 + 1.0 x 2000 + 1.6 x 500 + 0.8 x 1000 + 4 x 10 = 4,000; the target
    0.48 x 40,000 (the ICE at 5.0 is above its compliance value 4.00: not low-FC) = 19,200.
    CAFC: (5.0 x 40,000 + 1.5 x 1,000) / 44,510 = 4.527 -> 4.53 against 4.00 (every mass
    4.0 x 1.0): round(-0.53 x 44,510) = -23,590."""
    reference = _with_fixture()
    tidy, problems = _fleet(reference, MODELS)
    assert problems == []
    credits = compute(tidy, reference)
    models = credits.models
    per_model = dict(zip(models["model_id"], models["nev_credit_per_vehicle"], strict=True))
    assert per_model == {
        "ICE": 0.0,
        "BEV-A": 0.36,
        "BEV-B": 1.0,
        "BEV-C": 1.6,
        "PHEV": 0.8,
        "FCV": 4.0,
    }
    [result] = credits.results()
    assert result["nev_credits_earned"] == pytest.approx(4000)
    assert result["nev_credits_target"] == pytest.approx(19200)
    assert result["nev_credits"] == pytest.approx(-15200)
    assert (result["cafc_actual"], result["cafc_target"], result["cafc_compliance_value"]) == (
        4.53,
        4.0,
        4.0,
    )
    assert result["cafc_credits"] == -23590
    codes = [w["code"] for w in result["warnings"]]
    # the fixture's formulas are what they are: no warning about the shipped linear credit
    assert "policy.dual_credit.nev.factors_not_applied" not in codes
    # but 2026 is counted as GB 27999-2019 counts (electricity 0, multipliers), which is said
    assert "policy.dual_credit.counting_unread" in codes
    unverified = next(w for w in result["warnings"] if w["code"].endswith("rules.unverified"))
    keys = {row["key"] for row in unverified["data"]["rows"]}
    assert {"nev_credit.bev", "nev_credit.bev.standard", "nev_credit.bev.energy"} <= keys


def test_the_shipped_years_are_unchanged_by_the_edition() -> None:
    """2025 keeps its linear credit and its range factor: the edition starts in 2026."""
    models = [
        (MAKER, 2025, m, p, mass, rows, fc, rng, kwh, kw, vol, imp)
        for (_e, _y, m, p, mass, rows, fc, rng, kwh, kw, vol, imp) in MODELS
    ]
    shipped = compute(_fleet(default_reference(), models)[0], default_reference()).results()
    edited = compute(_fleet(_with_fixture(), models)[0], _with_fixture()).results()
    assert _unordered(shipped) == _unordered(edited)
    assert shipped[0]["nev_credits_earned"] > 0  # computed, with the 2024-2025 linear credit


def _unordered(results: list[dict]) -> list[dict]:
    """Results with the rows each warning names as a set (an edition applied may list a
    table's rows in another order)."""
    return [
        {
            **r,
            "warnings": [
                {**w, "data": {k: _hashable(v) for k, v in w.get("data", {}).items()}}
                for w in r["warnings"]
            ],
        }
        for r in results
    ]


def _hashable(value: object) -> object:
    if isinstance(value, list):
        return frozenset(repr(sorted(v.items())) if isinstance(v, dict) else repr(v) for v in value)
    return value


def test_a_model_without_an_input_the_formula_reads_is_placed() -> None:
    """The fixture's BEV credit reads the electric consumption the shipped one does not."""
    reference = _with_fixture()
    models = [*MODELS[:1], (MAKER, 2026, "BEV-X", "bev", 1200, 2, None, 300, None, None, 5, "no")]
    tidy, problems = _fleet(reference, models)
    assert problems == []
    with pytest.raises(InputError) as raised:
        compute(tidy, reference)
    [problem] = raised.value.problems
    assert (problem.place.row, problem.place.column) == (3, "electric_energy_kwh_per_100km")
    assert "nev_credit.bev" in problem.message


def test_a_powertrain_with_both_credits_in_force_is_refused() -> None:
    """An edition that writes a 2025 BEV formula without retiring the linear one of 2025
    leaves two rules for one credit: the year is refused, naming both tables."""
    edition = read_edition_dir(FIXTURE)
    moved = tuple(
        replace(row, values={**row.values, "valid_from": "2025-01-01"})
        if row.table in ("formulas", "formula_bands")
        else row
        for row in edition.rows
        if row.table in ("formulas", "formula_bands")
    )
    reference = apply_edition(default_reference(), replace(edition, rows=moved)).reference
    with pytest.raises(NoRules, match="both in formulas and in nev_credit_formulas"):
        rules_for(2025, reference)


def test_a_bad_formula_in_an_edition_is_refused_at_its_row() -> None:
    """The bands of nev_credit.bev.energy left out: a bands formula without bands, placed at
    the edition's row of that formula, and nothing applied."""
    edition = read_edition_dir(FIXTURE)
    rows = tuple(
        r
        for r in edition.rows
        if not (r.table == "formula_bands" and r.values["formula"] == "nev_credit.bev.energy")
    )
    with pytest.raises(InputError) as raised:
        apply_edition(default_reference(), replace(edition, rows=rows))
    [problem] = raised.value.problems
    assert str(problem.place.file).endswith("formulas.csv") and problem.place.row == 4
    assert problem.place.column == "form" and "nev_credit.bev.energy" in problem.message


def test_a_declared_formula_takes_no_missing_range_as_0() -> None:
    """Review 22 M1: an FCV formula that reads the electric range (the fleet requires the
    range of a PHEV or BEV only) refuses an FCV without one at its row, where the shipped
    linear credit would have taken it as 0."""
    edition = read_edition_dir(FIXTURE)
    rows = tuple(
        replace(r, values={**r.values, "variable": "electric_range_km"})
        if r.table == "formulas" and r.values["formula"] == "nev_credit.fcv"
        else r
        for r in edition.rows
    )
    reference = apply_edition(default_reference(), replace(edition, rows=rows)).reference
    models = [*MODELS[:1], (MAKER, 2026, "FCV-X", "fcv", 2000, 2, None, None, None, 100, 5, "no")]
    tidy, problems = _fleet(reference, models)
    assert problems == []
    with pytest.raises(InputError) as raised:
        compute(tidy, reference)
    [problem] = raised.value.problems
    assert (problem.place.row, problem.place.column) == (3, "electric_range_km")
