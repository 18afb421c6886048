"""Carbon-efficiency grades (碳效码): L, its band, the industry mean, K and the grade."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.benchmarking.carbon_efficiency import COLUMNS, grade
from carbonpeak.errors import InputError


def _accounts(*rows: tuple[Any, ...], **extra: list[Any]) -> pd.DataFrame:
    """(enterprise_id, industry_code, year, co2_t, value_added_10k_yuan) rows."""
    frame = pd.DataFrame(
        rows, columns=["enterprise_id", "industry_code", "year", "co2_t", "value_added_10k_yuan"]
    )
    return frame.assign(**extra)


def _by_enterprise(result: Any) -> dict[str, dict[str, Any]]:
    return {r["enterprise_id"]: r for r in result.results()}


THREE = _accounts(
    ("A", "3011", 2024, 300.0, 1000.0),
    ("B", "3011", 2024, 1000.0, 1000.0),
    ("C", "3011", 2024, 2000.0, 500.0),
)


def test_three_enterprises_by_hand() -> None:
    # L: A 300/1000 = 0.3, B 1000/1000 = 1.0, C 2000/500 = 4.0 t/10^4 yuan
    # bands: 0.3 <= 0.6 low; 0.6 < 1.0 <= 2.0 medium; 4.0 > 2.0 high
    # industry mean (weighted) = (300 + 1000 + 2000) / (1000 + 1000 + 500) = 3300 / 2500 = 1.32
    # K: A 0.3/1.32 = 0.2273 -> 1; B 1.0/1.32 = 0.7576 -> 2 (0.6 < K <= 0.8); C 4/1.32 = 3.03 -> 5
    result = grade(THREE)
    rows = _by_enterprise(result)
    assert [rows[e]["l_t_per_10k_yuan"] for e in "ABC"] == pytest.approx([0.3, 1.0, 4.0])
    assert [rows[e]["band"] for e in "ABC"] == ["low_carbon", "medium_carbon", "high_carbon"]
    assert rows["A"]["industry_l_t_per_10k_yuan"] == pytest.approx(1.32)
    assert [rows[e]["k"] for e in "ABC"] == pytest.approx([0.3 / 1.32, 1 / 1.32, 4 / 1.32])
    assert [rows[e]["grade"] for e in "ABC"] == [1, 2, 5]
    assert {rows[e]["industry_enterprises"] for e in "ABC"} == {3}
    assert list(result.table.columns) == list(COLUMNS)
    (industry,) = result.industries.to_dict("records")
    assert (industry["enterprises"], industry["co2_t"], industry["value_added_10k_yuan"]) == (
        3,
        3300.0,
        2500.0,
    )
    # every row says the bounds are unverified, and the reference rows are cited
    assert {w["code"] for w in rows["A"]["warnings"]} == {
        "benchmarking.carbon_efficiency.bounds_unverified"
    }
    cited = {(p["key"]["indicator"], p["key"]["level"]) for p in result.as_dict()["references"]}
    assert ("K", "1") in cited and ("L", "high_carbon") in cited


def test_simple_mean_by_hand() -> None:
    # simple mean = (0.3 + 1.0 + 4.0) / 3 = 1.7667; K: A 0.1698 -> 1, B 0.5660 -> 1, C 2.264 -> 5
    rows = _by_enterprise(grade(THREE, mean="simple"))
    assert rows["A"]["industry_l_t_per_10k_yuan"] == pytest.approx(5.3 / 3)
    assert [rows[e]["grade"] for e in "ABC"] == [1, 1, 5]


@pytest.mark.parametrize(
    ("co2_x", "co2_y", "grade_x", "grade_y"),
    [
        # X and Y have 100 x 10^4 yuan each; the industry mean is (x + y) / 200 = 1.0 exactly
        (60.0, 140.0, 1, 4),  # K = 0.6 exactly: grade 1 ("K <= 0.6"); 1.4 -> 4
        (80.0, 120.0, 2, 3),  # K = 0.8 -> 2 (0.6 < K <= 0.8); K = 1.2 -> 3 (0.8 < K <= 1.2)
        (200.0, 0.0, 4, 1),  # K = 2.0 -> 4 (1.2 < K <= 2.0); K = 0 -> 1
        (120.0000001, 79.9999999, 4, 2),  # K just above 1.2 -> 4; just below 0.8 -> 2
    ],
)
def test_grade_bounds_are_inclusive_above(
    co2_x: float, co2_y: float, grade_x: int, grade_y: int
) -> None:
    rows = _by_enterprise(
        grade(_accounts(("X", "3011", 2024, co2_x, 100.0), ("Y", "3011", 2024, co2_y, 100.0)))
    )
    assert rows["X"]["industry_l_t_per_10k_yuan"] == pytest.approx(1.0)
    assert (rows["X"]["grade"], rows["Y"]["grade"]) == (grade_x, grade_y)


def test_grade_5_above_2() -> None:
    # X: L = 2.1, Y: L = 0.0 -> mean 210 / 200 = 1.05, K_X = 2.1 / 1.05 = 2.0 -> 4; make it 2.2:
    # X 220/100 = 2.2, Y 0 -> mean 1.1, K = 2.0 again: K is L over the mean, so take three
    # X 220, Y 0, Z 80 (each 100): mean 300/300 = 1.0, K_X = 2.2 -> 5, K_Z = 0.8 -> 2
    rows = _by_enterprise(
        grade(
            _accounts(
                ("X", "3011", 2024, 220.0, 100.0),
                ("Y", "3011", 2024, 0.0, 100.0),
                ("Z", "3011", 2024, 80.0, 100.0),
            )
        )
    )
    assert [rows[e]["grade"] for e in "XYZ"] == [5, 1, 2]


@pytest.mark.parametrize(
    ("co2", "band"),
    [(60.0, "low_carbon"), (60.0001, "medium_carbon"), (200.0, "medium_carbon"),
     (200.0001, "high_carbon")],
)  # fmt: skip
def test_band_bounds(co2: float, band: str) -> None:
    # L = co2 / 100: 0.6 is low (L <= 0.6), 2.0 is medium (0.6 < L <= 2.0)
    (row,) = grade(_accounts(("X", "3011", 2024, co2, 100.0))).results()
    assert row["band"] == band


def test_no_value_added_no_grade_and_out_of_the_mean() -> None:
    # D and E are left out of the mean: it stays 3300 / 2500 = 1.32 and A, B, C keep their grades
    accounts = pd.concat(
        [THREE, _accounts(("D", "3011", 2024, 50.0, None), ("E", "3011", 2024, 50.0, 0.0))]
    )
    rows = _by_enterprise(grade(accounts))
    assert [rows[e]["grade"] for e in "ABC"] == [1, 2, 5]
    assert rows["A"]["industry_l_t_per_10k_yuan"] == pytest.approx(1.32)
    for e in "DE":
        assert rows[e]["grade"] is None and rows[e]["k"] is None and rows[e]["band"] is None
        assert rows[e]["industry_enterprises"] is None
        codes = [w["code"] for w in rows[e]["warnings"]]
        assert "benchmarking.carbon_efficiency.no_value_added" in codes


def test_few_enterprises_said_only_when_a_minimum_is_given() -> None:
    code = "benchmarking.carbon_efficiency.few_enterprises"
    plain = _by_enterprise(grade(THREE))
    assert all(code not in [w["code"] for w in r["warnings"]] for r in plain.values())
    rows = _by_enterprise(grade(THREE, min_enterprises=5))
    (few,) = [w for w in rows["A"]["warnings"] if w["code"] == code]
    assert few["data"] == {"industry_code": "3011", "year": 2024, "enterprises": 3, "minimum": 5}
    assert rows["A"]["grade"] == 1  # graded still, with the warning
    rows = _by_enterprise(grade(THREE, min_enterprises=3))
    assert all(code not in [w["code"] for w in r["warnings"]] for r in rows.values())


def test_zero_carbon_generation_is_deducted() -> None:
    # A: (300 - 100) / 1000 = 0.2; mean (200 + 1000 + 2000) / 2500 = 1.28; K_A = 0.15625 -> 1
    accounts = THREE.assign(zero_carbon_generation_co2_t=[100.0, None, None])
    rows = _by_enterprise(grade(accounts))
    assert rows["A"]["deducted_co2_t"] == 100.0 and rows["B"]["deducted_co2_t"] == 0.0
    assert rows["A"]["l_t_per_10k_yuan"] == pytest.approx(0.2)
    assert rows["A"]["industry_l_t_per_10k_yuan"] == pytest.approx(1.28)
    assert rows["B"]["k"] == pytest.approx(1 / 1.28)


def test_industries_and_years_have_their_own_means() -> None:
    # 3011 in 2024: A alone (K = 1 -> 3); 3011 in 2025: B 2/1, C 1/1 -> mean 1.5; 3021: D alone;
    # with industry_digits=2, 3011 and 3021 of 2025 are one division 30: mean (2+1+4)/3
    accounts = _accounts(
        ("A", "3011", 2024, 1.0, 1.0),
        ("B", "3011", 2025, 2.0, 1.0),
        ("C", "3011", 2025, 1.0, 1.0),
        ("D", "3021", 2025, 4.0, 1.0),
    )
    rows = {(r["enterprise_id"], r["year"]): r for r in grade(accounts).results()}
    assert rows[("A", 2024)]["k"] == pytest.approx(1.0) and rows[("A", 2024)]["grade"] == 3
    assert rows[("B", 2025)]["industry_l_t_per_10k_yuan"] == pytest.approx(1.5)
    assert rows[("D", 2025)]["industry_enterprises"] == 1
    joined = {
        (r["enterprise_id"], r["year"]): r for r in grade(accounts, industry_digits=2).results()
    }
    assert joined[("D", 2025)]["industry_code"] == "30"
    assert joined[("D", 2025)]["industry_l_t_per_10k_yuan"] == pytest.approx(7 / 3)


def test_bad_tables_list_every_problem() -> None:
    with pytest.raises(InputError) as raised:
        grade(pd.DataFrame({"enterprise_id": ["A"], "year": [2024]}))
    assert {p.place.column for p in raised.value.problems} == {
        "industry_code",
        "co2_t",
        "value_added_10k_yuan",
    }
    bad = _accounts(
        ("A", "3011", 2024, "lots", 10.0),
        ("A", "3011", 2024, 1.0, 10.0),
        ("B", "3011", "2024.5", 1.0, "x"),
        zero_carbon_generation_co2_t=[None, -1.0, None],
    )
    with pytest.raises(InputError) as raised:
        grade(bad)
    found = {(p.place.row, p.place.column) for p in raised.value.problems}
    assert found == {
        (2, "co2_t"),
        (3, "year"),  # A's 2024 twice
        (3, "zero_carbon_generation_co2_t"),
        (4, "year"),
        (4, "value_added_10k_yuan"),
    }


enterprise_rows = st.lists(
    st.tuples(
        st.sampled_from(["3011", "3041", "3120"]),
        st.floats(0.0, 1e7, allow_nan=False),
        st.floats(1.0, 1e7, allow_nan=False),
    ),
    min_size=1,
    max_size=12,
)


def _table(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    return _accounts(*((f"E{i}", code, 2024, co2, va) for i, (code, co2, va) in enumerate(rows)))


@settings(max_examples=60, deadline=None)
@given(rows=enterprise_rows, power=st.integers(-20, 20))
def test_scaling_all_co2_leaves_the_grades(
    rows: list[tuple[str, float, float]], power: int
) -> None:
    # K = L / mean L: a common factor on CO2 cancels (a power of two: exactly, in floating point)
    table = _table(rows)
    scaled = table.assign(co2_t=table["co2_t"] * 2.0**power)
    assert grade(scaled).table["grade"].tolist() == grade(table).table["grade"].tolist()


@settings(max_examples=40, deadline=None)
@given(rows=enterprise_rows)
def test_grades_do_not_depend_on_the_order_of_rows(rows: list[tuple[str, float, float]]) -> None:
    table = _table(rows)
    forward = grade(table).table.set_index("enterprise_id")["grade"]
    backward = grade(table.iloc[::-1]).table.set_index("enterprise_id")["grade"]
    assert backward.loc[forward.index].tolist() == forward.tolist()


@settings(max_examples=40, deadline=None)
@given(rows=enterprise_rows)
def test_weighted_mean_is_the_industry_total_ratio(rows: list[tuple[str, float, float]]) -> None:
    # the VA-weighted mean of the members' L is sum CO2 / sum VA, and at least one member has
    # K <= 1 and one K >= 1 when the mean is above 0
    result = grade(_table(rows))
    for industry in result.industries.to_dict("records"):
        members = result.table[result.table["industry_code"] == industry["industry_code"]]
        weighted = (members["l_t_per_10k_yuan"] * members["value_added_10k_yuan"]).sum() / members[
            "value_added_10k_yuan"
        ].sum()
        assert industry["l_t_per_10k_yuan"] == pytest.approx(weighted, rel=1e-9, abs=1e-12)
        if industry["l_t_per_10k_yuan"] > 0:
            assert members["k"].min() <= 1 + 1e-9 and members["k"].max() >= 1 - 1e-9
