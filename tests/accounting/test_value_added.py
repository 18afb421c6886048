"""Value added (stream economic) and output by product in the accounts."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.accounting.activity import check_activity
from carbonpeak.accounting.engine import account
from carbonpeak.errors import InputError
from carbonpeak.reference.loader import default_reference
from tests.accounting.conftest import CEMENT, STEEL, make_rows

Rows = Callable[..., pd.DataFrame]
COAL = {"stream": "fuel", "item": "raw_coal", "amount": "100", "unit": "t"}


def test_value_added_in_any_unit_of_money_and_none_when_not_reported(rows: Rows) -> None:
    # 3.5 亿元 = 3.5 x 10^8 yuan = 35 000 x 10^4 yuan; 2 500 000 元 = 250 x 10^4 yuan
    table = rows(
        COAL,
        {"stream": "economic", "item": "value_added", "amount": "3.5", "unit": "亿元"},
        {"period": "2024", **COAL},
        {"period": "2024", "stream": "economic", "item": "value_added", "amount": "2500000",
         "unit": "元"},
        {"enterprise_id": STEEL, **COAL},
    )  # fmt: skip
    accounts = account(table, reference=default_reference())
    by_key = {(r["enterprise_id"], r["period"]): r for r in accounts.results(with_lines=False)}
    assert by_key[(CEMENT, "2023")]["value_added_10k_yuan"] == pytest.approx(35000.0)
    assert by_key[(CEMENT, "2024")]["value_added_10k_yuan"] == pytest.approx(250.0)
    assert by_key[(STEEL, "2023")]["value_added_10k_yuan"] is None
    totals = accounts.totals.set_index(["enterprise_id", "period"])
    assert totals.columns[-1] == "value_added_10k_yuan"
    assert pd.isna(totals.loc[(STEEL, "2023"), "value_added_10k_yuan"])


def test_value_added_costs_no_energy_and_emits_nothing(rows: Rows) -> None:
    ref = default_reference()
    plain = account(rows(COAL), reference=ref).totals
    economic = {"stream": "economic", "item": "value_added", "amount": "900", "unit": "万元"}
    with_va = account(rows(COAL, economic), reference=ref).totals
    columns = ["energy_tce", "co2_t", "co2e_t"]
    assert with_va[columns].to_numpy() == pytest.approx(plain[columns].to_numpy())


def test_value_added_checks(rows: Rows) -> None:
    table = rows(
        {"stream": "economic", "item": "value_added", "amount": "10", "unit": "10^4 yuan"},
        {"stream": "economic", "item": "value_added", "amount": "-1", "unit": "t"},
        {"stream": "economic", "item": "raw_coal", "amount": "1", "unit": "t"},
        {"stream": "fuel", "item": "value_added", "amount": "1", "unit": "万元"},
        {"enterprise_id": STEEL, "stream": "economic", "item": "value_added", "amount": "1",
         "unit": "万元", "direction": "out"},
    )  # fmt: skip
    found = {
        (p.place.row, p.place.column, p.message) for p in check_activity(table, default_reference())
    }
    assert (
        3,
        "item",
        f"value added of {CEMENT} for 2023 is reported twice: give one line",
    ) in found
    assert (3, "amount", "is negative; report exports with direction 'out'") in found
    assert (3, "unit", "unit 't' does not fit item 'value_added' (measured like wan_yuan)") in found
    assert (4, "item", "item 'raw_coal' cannot be reported in stream 'economic'") in found
    assert (5, "item", "item 'value_added' cannot be reported in stream 'fuel'") in found
    assert (
        6,
        "direction",
        "value added takes no direction 'out': report it as 'in' or leave it blank",
    ) in found
    with pytest.raises(InputError) as raised:  # the engine refuses the same table
        account(table, reference=default_reference())
    assert len(raised.value.problems) >= 6


def test_value_added_twice_is_refused_by_the_engine_alone(rows: Rows) -> None:
    # each line is a valid kind of line: only the count per enterprise-period is wrong
    line = {"stream": "economic", "item": "value_added", "amount": "10", "unit": "10^4 yuan"}
    with pytest.raises(InputError) as raised:
        account(rows(COAL, line, line), reference=default_reference())
    (problem,) = raised.value.problems
    assert (problem.place.row, problem.place.column) == (4, "item")


def test_output_by_product_in_its_default_unit(rows: Rows) -> None:
    # clinker 1 000 t + 500 000 kg (= 500 t) = 1 500 t; cement 20 t; lines of any direction
    # count by their magnitude, as benchmarking counts them
    table = rows(
        {"stream": "product", "item": "clinker", "amount": "1000", "unit": "t"},
        {"stream": "product", "item": "clinker", "amount": "500000", "unit": "kg"},
        {"stream": "product", "item": "cement", "amount": "20", "unit": "t", "direction": "out"},
        {"enterprise_id": STEEL, **COAL},
    )
    by_key = {
        (r["enterprise_id"], r["period"]): r
        for r in account(table, reference=default_reference()).results(with_lines=False)
    }
    assert by_key[(CEMENT, "2023")]["output"] == [
        {"item": "cement", "amount": 20.0, "unit": "t"},
        {"item": "clinker", "amount": 1500.0, "unit": "t"},
    ]
    assert by_key[(STEEL, "2023")]["output"] == []


def test_product_output_checks(rows: Rows) -> None:
    table = rows(
        {"stream": "product", "item": "clinker", "amount": "-5", "unit": "t"},
        {"stream": "product", "item": "clinker", "amount": "5", "unit": "kWh"},
    )
    found = {(p.place.row, p.place.column) for p in check_activity(table, default_reference())}
    assert {(2, "amount"), (3, "unit")} <= found


@settings(max_examples=25, deadline=None)
@given(
    amounts=st.lists(st.floats(0.0, 1e6, allow_nan=False), min_size=1, max_size=4),
    unit=st.sampled_from([("10^4 yuan", 1.0), ("元", 1e-4), ("亿元", 1e4), ("万元", 1.0)]),
)
def test_value_added_is_the_amount_in_10k_yuan(
    amounts: list[float], unit: tuple[str, float]
) -> None:
    periods = [f"2023-{m:02d}" for m in range(1, len(amounts) + 1)]
    table = make_rows(
        *(
            {"period": p, "stream": "economic", "item": "value_added", "amount": repr(a),
             "unit": unit[0]}
            for p, a in zip(periods, amounts, strict=True)
        )
    )  # fmt: skip
    results = account(table, reference=default_reference()).results(with_lines=False)
    got = [r["value_added_10k_yuan"] for r in results]
    assert got == pytest.approx([a * unit[1] for a in amounts], rel=1e-6, abs=1e-6)
