"""How a run goes over the rows: keys, the check that looks only where it must, lines built on
demand, padded codes, many keys, concurrent runs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carbonpeak.accounting.engine as engine
from carbonpeak.accounting.activity import check_activity
from carbonpeak.accounting.engine import account
from carbonpeak.errors import InputError
from carbonpeak.reference.loader import default_reference

from .conftest import ALUMINIUM, CEMENT, STEEL, make_rows

TOTALS = ["energy_tce", "co2_combustion_t", "co2_electricity_t", "co2_t", "co2e_t"]
GOOD = [
    {"stream": "fuel", "item": "diesel", "unit": "t", "amount": "12.5"},
    {"stream": "fuel", "item": "natural_gas", "unit": "10^4 Nm3", "amount": "3"},
    {"stream": "electricity", "item": "electricity", "unit": "MWh", "amount": "40"},
    {
        "stream": "electricity",
        "item": "electricity",
        "unit": "MWh",
        "amount": "5",
        "direction": "out",
    },
    {
        "stream": "fuel",
        "item": "bituminous_coal",
        "unit": "t",
        "amount": "7",
        "ncv": "23.1",
        "ncv_unit": "GJ/t",
    },
]
# One bad cell each: (column, value) put into a good row.
BAD = [
    ("enterprise_id", "911302007A3K9C2D25"),
    ("period", "2023-13"),
    ("stream", "fuels"),
    ("item", "unobtainium"),
    ("unit", "tonnez"),
    ("unit", "kWh"),
    ("direction", "sideways"),
    ("amount", "-1"),
    ("amount", "1_000"),
    ("amount", "abc"),
    ("amount", "inf"),
    ("amount", ""),
    ("ncv", "0"),
    ("ncv_unit", "GJ/kWh"),
    ("oxidation_rate", "98"),
]


def _table(lines: list[dict[str, str]]) -> pd.DataFrame:
    return make_rows(*lines)


@settings(max_examples=60, deadline=None)
@given(
    picks=st.lists(st.sampled_from(range(len(GOOD))), min_size=1, max_size=8),
    bad=st.lists(st.tuples(st.integers(0, 7), st.sampled_from(range(len(BAD)))), max_size=2),
)
def test_the_run_refuses_exactly_what_the_row_check_finds(
    picks: list[int], bad: list[tuple[int, int]]
) -> None:
    """The run looks at keys, codes and amounts, not at each row; it must miss nothing the
    row-by-row check finds, and report the same problems."""
    lines = [dict(GOOD[i]) for i in picks]
    for position, which in bad:
        column, value = BAD[which]
        lines[position % len(lines)][column] = value
    table = _table(lines)
    expected = check_activity(table, default_reference())
    if expected:
        with pytest.raises(InputError) as raised:
            account(table)
        assert raised.value.problems == expected
    else:
        account(table)


def test_lines_sum_to_totals_and_keep_the_order_of_the_rows() -> None:
    rng = np.random.default_rng(7)
    lines = []
    for code in (CEMENT, STEEL, ALUMINIUM):
        for period in ("2023-01", "2023-02"):
            for i in rng.integers(0, len(GOOD), size=6):
                lines.append({**GOOD[i], "enterprise_id": code, "period": period})
    table = _table(lines).sample(frac=1.0, random_state=3).reset_index(drop=True)
    result = account(table)
    assert result.lines["row"].tolist() == list(range(2, len(table) + 2))
    assert (result.lines["amount"].to_numpy() == table["amount"].to_numpy()).all()
    summed = (
        result.lines.astype({"enterprise_id": str, "period": str})
        .groupby(["enterprise_id", "period"])[TOTALS]
        .sum()
    )
    totals = result.totals.set_index(["enterprise_id", "period"])[TOTALS]
    assert np.allclose(summed.loc[totals.index].to_numpy(), totals.to_numpy(), rtol=1e-12)


def test_padded_codes_and_periods_are_the_same_enterprise_period() -> None:
    plain = _table([GOOD[0], GOOD[2]])
    padded = plain.copy()
    padded.loc[1, "enterprise_id"] = f" {CEMENT} "
    padded.loc[1, "period"] = "2023 "
    enterprises = pd.DataFrame({"enterprise_id": [CEMENT], "region_code": ["130200"]})
    expected = account(plain, enterprises).totals
    got = account(padded, enterprises).totals
    assert got["enterprise_id"].tolist() == [CEMENT] and got["period"].tolist() == ["2023"]
    assert np.allclose(got[TOTALS].to_numpy(), expected[TOTALS].to_numpy())  # Hebei factor


def test_many_keys_list_their_keys_with_the_same_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [
        {**GOOD[i % len(GOOD)], "enterprise_id": code, "amount": str(1 + i)}
        for i, code in enumerate([CEMENT, STEEL, ALUMINIUM] * 4)
    ]
    table = _table(lines)
    bits = account(table)
    monkeypatch.setattr(engine, "BITSTRING_KEYS", 1)
    listed = account(table)
    assert listed.warnings == bits.warnings and bits.warnings
    assert listed.totals.equals(bits.totals)


def test_concurrent_runs_do_not_see_each_other() -> None:
    tables = [
        _table([{**GOOD[i % len(GOOD)], "amount": str(10 * (k + 1))} for i in range(5)])
        for k in range(8)
    ]
    alone = [account(t).totals["co2_t"].iloc[0] for t in tables]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda t: account(t).totals["co2_t"].iloc[0], tables * 3))
    assert together == alone * 3


def test_missing_codes_are_reported_not_crashed_on() -> None:
    table = _table([GOOD[0]]).astype(object)
    table.loc[0, "enterprise_id"] = None  # a library caller's frame, not a file's
    with pytest.raises(InputError) as raised:
        account(table)
    [problem] = raised.value.problems
    assert (problem.place.row, problem.place.column) == (2, "enterprise_id")
    assert account(table, validate=False).totals["enterprise_id"].tolist() == [""]
