"""LMDI: the test vector of the reference notes (pathways_and_scale.md §1.3), the identities
(sum of effects = change, product of indices = ratio, consistency) on random data, zero values by
their analytic limits, groups that add up, bad tables by row and column."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.errors import InputError
from carbonpeak.pathways.lmdi import check_table, decompose, decompose_groups, logmean

VECTOR = pd.DataFrame(
    {
        "sector": ["A", "B", "A", "B"],
        "period": ["0", "0", "T", "T"],
        "Q": [100, 100, 130, 130],
        "S": [0.6, 0.4, 0.5, 0.5],
        "I": [2.0, 0.5, 1.6, 0.45],
    }
).astype(str)


def _run(table: pd.DataFrame, factors: list[str], method: str = "lmdi1") -> dict:
    tidy, problems, periods = check_table(table, factors)
    assert problems == []
    return decompose(tidy, factors, periods, method)


def test_the_reference_vector() -> None:
    one = _run(VECTOR, ["Q", "S", "I"])
    assert one["additive"] == pytest.approx(
        {"Q": 35.718779, "S": -14.955560, "I": -27.513219}, abs=1e-6
    )
    assert one["multiplicative"] == pytest.approx(
        {"Q": 1.298864, "S": 0.896294, "I": 0.817570}, abs=1e-6
    )
    assert one["total_change"] == pytest.approx(-6.75) and one["ratio"] == pytest.approx(
        133.25 / 140
    )
    scale = float(logmean(np.array([133.25]), np.array([140.0]))[0])
    assert scale == pytest.approx(136.597205, abs=1e-6)
    for factor in "QSI":  # consistency: dV_k / ln D_k = L(V^T, V^0)
        assert one["additive"][factor] / np.log(one["multiplicative"][factor]) == pytest.approx(
            scale
        )
    two = _run(VECTOR, ["Q", "S", "I"], "lmdi2")
    assert two["multiplicative"] == pytest.approx(
        {"Q": 1.3, "S": 0.896081, "I": 0.817050}, abs=1e-6
    )
    assert two["additive"] == pytest.approx(
        {"Q": 35.838225, "S": -14.988081, "I": -27.600144}, abs=1e-6
    )


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(*[st.floats(0.01, 100, allow_nan=False) for _ in range(6)]),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["lmdi1", "lmdi2"]),
)
def test_the_identities_hold(sectors: list[tuple[float, ...]], method: str) -> None:
    rows = []
    for i, (a0, b0, c0, a1, b1, c1) in enumerate(sectors):
        rows.append({"sector": f"s{i}", "period": "2020", "a": a0, "b": b0, "c": c0})
        rows.append({"sector": f"s{i}", "period": "2025", "a": a1, "b": b1, "c": c1})
    result = _run(pd.DataFrame(rows).astype(str), ["a", "b", "c"], method)
    assert sum(result["additive"].values()) == pytest.approx(
        result["total_change"], rel=1e-7, abs=1e-6
    )
    product = np.prod(list(result["multiplicative"].values()))
    assert product == pytest.approx(result["ratio"], rel=1e-7)


def test_zero_values_by_their_analytic_limits() -> None:
    """A sector that appears gives its whole value to the factor that was zero; one that goes
    away takes its value from the factor that becomes zero; the identities still hold."""
    table = pd.DataFrame(
        {
            "sector": ["A", "B", "C", "A", "B", "C"],
            "period": ["0", "0", "0", "T", "T", "T"],
            "Q": [100, 100, 100, 120, 120, 120],
            "S": [0.7, 0.3, 0.0, 0.5, 0.0, 0.5],
            "I": [1.0, 2.0, 1.0, 1.0, 2.0, 0.8],
        }
    ).astype(str)
    result = _run(table, ["Q", "S", "I"])
    assert sum(result["additive"].values()) == pytest.approx(result["total_change"])
    # by hand: A keeps only L(60, 70) x ln(...) terms; B (60 -> 0) takes -60 from S; C (0 -> 48)
    # gives +48 to S
    weight_a = float(logmean(np.array([60.0]), np.array([70.0]))[0])
    assert result["additive"]["Q"] == pytest.approx(weight_a * np.log(120 / 100))
    assert result["additive"]["S"] == pytest.approx(weight_a * np.log(0.5 / 0.7) - 60 + 48)
    with pytest.raises(InputError, match="LMDI-II"):
        _run(table, ["Q", "S", "I"], "lmdi2")


def test_groups_add_up() -> None:
    table = VECTOR.assign(group=["g1", "g2", "g1", "g2"])
    tidy, problems, periods = check_table(table, ["Q", "S", "I"], "group")
    assert problems == []
    result = decompose_groups(tidy, ["Q", "S", "I"], periods)
    for factor in "QSI":
        assert sum(g["additive"][factor] for g in result["groups"].values()) == pytest.approx(
            result["additive"][factor]
        )


def test_lmdi_command(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    path = tmp_path / "data.csv"
    VECTOR.to_csv(path, index=False)
    code, out, err = cli("pathways", "lmdi", str(path), "--factors", "Q,S,I", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) >= {"additive", "multiplicative", "total_change", "ratio"}
    assert result["additive"]["Q"] == pytest.approx(35.718779, abs=1e-6)
    bad = tmp_path / "bad.csv"
    bad.write_text("sector,period,Q,S\nA,0,100,x\nA,T,-1,0.5\nB,0,1,1\n", encoding="utf-8")
    code, _out, err = cli("pathways", "lmdi", str(bad), "--factors", "Q,S")
    assert code == 2
    for place in ("row 2, column S", "row 3, column Q", "row 4, column period"):
        assert place in err, place
