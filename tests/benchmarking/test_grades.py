"""Grades against the benchmark and baseline levels, limit grades, savings and percentiles."""

from __future__ import annotations

import pandas as pd
import pytest

from carbonpeak.benchmarking.grades import grade
from tests.accounting.conftest import ALUMINIUM, CEMENT, STEEL, make_rows

OTHER = "911302007A3K9C2D24"


def _clinker_plant(
    enterprise: str, kgce_per_t: float, period: str = "2022"
) -> list[dict[str, str]]:
    # energy as a fuel with measured NCV: tce = t x GJ/t / 29.307, 1 000 t of clinker
    return [
        {
            "enterprise_id": enterprise,
            "period": period,
            "stream": "fuel",
            "item": "bituminous_coal",
            "amount": str(kgce_per_t),
            "unit": "t",
            "ncv": "29.307",
            "ncv_unit": "GJ/t",
        },
        {
            "enterprise_id": enterprise,
            "period": period,
            "stream": "product",
            "item": "clinker",
            "amount": "1000",
            "unit": "t",
            "cao_fraction": "0.65",
        },
    ]


def test_cement_grades_savings_and_percentiles() -> None:
    table = make_rows(
        *_clinker_plant(CEMENT, 95), *_clinker_plant(STEEL, 105), *_clinker_plant(ALUMINIUM, 120)
    )
    result = grade(table).table.set_index("enterprise_id")
    assert result.loc[CEMENT, "indicator_value"] == pytest.approx(95)
    # 2021 edition (in force 2022): benchmark 100, baseline 117 kgce/t clinker
    assert (result.loc[CEMENT, "benchmark"], result.loc[CEMENT, "baseline"]) == (100, 117)
    assert list(result.loc[[CEMENT, STEEL, ALUMINIUM], "grade"]) == [
        "benchmark",
        "baseline",
        "below_baseline",
    ]
    # GB 16780-2021 (in force 2022-11-01): grades 100 / 107 / 117
    assert list(result.loc[[CEMENT, STEEL, ALUMINIUM], "limit_grade"]) == [
        "grade_1",
        "grade_2",
        "above_limit",
    ]
    assert result.loc[STEEL, "distance_to_benchmark"] == pytest.approx(5)
    assert result.loc[STEEL, "distance_to_baseline"] == pytest.approx(-12)
    assert result.loc[CEMENT, "saving_potential_tce"] == 0
    assert result.loc[ALUMINIUM, "saving_potential_tce"] == pytest.approx(20)  # (120-100) x 1000 t
    co2_per_tce = result.loc[ALUMINIUM, "co2_t"] / result.loc[ALUMINIUM, "energy_tce"]
    assert result.loc[ALUMINIUM, "saving_potential_co2_t"] == pytest.approx(20 * co2_per_tce)
    assert list(result.loc[[CEMENT, STEEL, ALUMINIUM], "percentile"]) == pytest.approx(
        [100, 200 / 3, 100 / 3]
    )
    assert (result["peers"] == 3).all()
    assert result.loc[CEMENT, "level_status"] == "verified"


def test_levels_follow_the_period() -> None:
    later = grade(make_rows(*_clinker_plant(CEMENT, 95, period="2024")))
    row = later.table.iloc[0]
    assert row["level_status"] == "unverified"
    codes = {w.code for w in later.warnings[(CEMENT, "2024")]}
    assert "benchmarking.level_unverified" in codes
    early = grade(make_rows(*_clinker_plant(CEMENT, 95, period="2021")))
    assert early.table.iloc[0]["grade"] is None
    assert "benchmarking.no_level" in {w.code for w in early.warnings[(CEMENT, "2021")]}


def test_aluminium_is_graded_on_electricity() -> None:
    table = make_rows(
        {
            "enterprise_id": ALUMINIUM,
            "period": "2024",
            "stream": "electricity",
            "item": "electricity",
            "amount": "13.5",
            "unit": "GWh",
        },
        {
            "enterprise_id": ALUMINIUM,
            "period": "2024",
            "stream": "fuel",
            "item": "natural_gas",
            "amount": "10",
            "unit": "10^4 Nm3",
        },
        {
            "enterprise_id": ALUMINIUM,
            "period": "2024",
            "stream": "product",
            "item": "primary_aluminium",
            "amount": "1000",
            "unit": "t",
        },
    )
    row = grade(table).table.iloc[0]
    assert row["unit"] == "kWh/t"
    assert row["indicator_value"] == pytest.approx(13500)
    assert row["grade"] == "below_baseline"  # baseline 13 350 kWh/t
    assert row["limit_grade"] == "above_limit"  # GB 21346-2022 grade 3: 13 350
    # saving: 500 kWh/t x 1 000 t at 0.1229 kgce/kWh
    assert row["saving_potential_tce"] == pytest.approx(500_000 * 0.1229 / 1000)


def test_boundaries_by_area_tag_and_ambiguity() -> None:
    tagged = make_rows(
        {
            "stream": "electricity",
            "item": "electricity",
            "amount": "813669.65",
            "unit": "kWh",
            "area": "cement_clinker",
        },
        {"stream": "fuel", "item": "diesel", "amount": "100", "unit": "t"},
        {
            "stream": "product",
            "item": "clinker",
            "amount": "1000",
            "unit": "t",
            "cao_fraction": "0.65",
        },
        {
            "stream": "product",
            "item": "flat_glass",
            "amount": "10000",
            "unit": "weight_box",
            "area": "flat_glass_gt800",
        },
    )
    result = grade(tagged).table.set_index("area")
    assert result.loc["cement_clinker", "indicator_value"] == pytest.approx(100, rel=1e-4)
    assert result.loc["flat_glass_gt800", "energy_tce"] == 0
    untagged = make_rows(
        {"stream": "fuel", "item": "diesel", "amount": "100", "unit": "t"},
        {"stream": "product", "item": "clinker", "amount": "1000", "unit": "t"},
        {
            "stream": "product",
            "item": "flat_glass",
            "amount": "10000",
            "unit": "weight_box",
            "area": "flat_glass_gt800",
        },
        {
            "stream": "product",
            "item": "crude_steel",
            "amount": "10",
            "unit": "t",
            "area": "cement_clinker",
        },
    )
    ambiguous = grade(untagged)
    codes = {w.code for w in ambiguous.warnings[(CEMENT, "2023")]}
    assert {"benchmarking.boundary_ambiguous", "benchmarking.area_not_for_product"} <= codes
    no_area = grade(
        make_rows({"stream": "product", "item": "flat_glass", "amount": "1", "unit": "weight_box"})
    )
    assert no_area.table.empty
    (warning,) = no_area.warnings[(CEMENT, "2023")]
    assert warning.code == "benchmarking.area_required"
    assert warning.data["areas"] == ["flat_glass_500_800", "flat_glass_gt800"]


def test_flat_glass_per_weight_box() -> None:
    table = make_rows(
        {"stream": "fuel", "item": "natural_gas", "amount": "100", "unit": "10^4 Nm3"},
        {
            "stream": "product",
            "item": "flat_glass",
            "amount": "100000",
            "unit": "weight_box",
            "area": "flat_glass_gt800",
        },
    )
    row = grade(table).table.iloc[0]
    assert row["unit"] == "kgce/weight_box"
    assert row["indicator_value"] == pytest.approx(100 * 12143 / 100000)
    # and the same energy per tonne: a weight box is 50 kg
    assert row["unit_energy_kgce_per_t"] == pytest.approx(row["indicator_value"] * 20)


def test_example_file_is_graded() -> None:
    from pathlib import Path

    examples = Path(__file__).parents[2] / "examples"
    activity = pd.read_csv(examples / "activity.csv", dtype=str, keep_default_na=False)
    grades = grade(activity, pd.read_csv(examples / "enterprises.csv", dtype=str))
    assert set(grades.table["grade"]) <= {"benchmark", "baseline", "below_baseline"}
    assert len(grades.table) == 4
