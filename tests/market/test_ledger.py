"""The compliance ledger of the carbon market: hand-worked positions of two compliance years,
the refusals (each naming its rule), late surrender with its consequence, and invariants under
random sequences of entries (hypothesis): balances are the sums of their entries, holdings
never go below 0, nothing is surrendered twice, offsets stay within the cap."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak.domain.warnings import text
from carbonpeak.errors import N_, Place, Problem
from carbonpeak.i18n import problem_text
from carbonpeak.market.ledger import Entry, Ledger
from carbonpeak.market.ledger_rules import Refused, Rules
from carbonpeak.market.ledger_table import load_entries
from carbonpeak.reference.loader import default_reference

RULES = Rules(default_reference())
C, S = "cement-line-owner", "steelworks"


def _ledger() -> Ledger:
    return Ledger(RULES, sectors={C: "cement", S: "steel"})


def _year_2024(ledger: Ledger) -> None:
    """Obligation 1 000 t; 1 000 allocated, 100 sold, 900 surrendered, 50 CCER (the 5 % cap),
    50 bought and surrendered: settled before the deadline 2025-12-31."""
    ledger.append(Entry(date(2025, 8, 31), "obligation", C, Decimal(1000), year=2024))
    ledger.append(Entry(date(2025, 10, 20), "allocated", C, Decimal(1000), vintage=2024))
    ledger.append(Entry(date(2025, 11, 1), "sold", C, Decimal(100), vintage=2024))
    ledger.append(Entry(date(2025, 12, 1), "surrendered", C, Decimal(900), vintage=2024, year=2024))
    ledger.append(Entry(date(2025, 12, 15), "offset", C, Decimal(50), year=2024))
    ledger.append(Entry(date(2025, 12, 20), "bought", C, Decimal(50), vintage=2024))
    ledger.append(Entry(date(2025, 12, 21), "surrendered", C, Decimal(50), vintage=2024, year=2024))


def test_a_year_settled_on_time() -> None:
    ledger = _ledger()
    ledger.append(Entry(date(2025, 8, 31), "obligation", C, Decimal(1000), year=2024))
    ledger.append(Entry(date(2025, 10, 20), "allocated", C, Decimal(1000), vintage=2024))
    ledger.append(Entry(date(2025, 11, 1), "sold", C, Decimal(100), vintage=2024))
    ledger.append(Entry(date(2025, 12, 1), "surrendered", C, Decimal(900), vintage=2024, year=2024))
    middle = ledger.position(C, 2024, date(2025, 12, 2))
    assert (middle.obligation_t, middle.surrendered_t, middle.shortfall_t) == (1000, 900, 100)
    assert (middle.usable_t, middle.to_buy_t, middle.offset_cap_t) == (0, 100, 50)
    ledger.append(Entry(date(2025, 12, 15), "offset", C, Decimal(50), year=2024))
    with pytest.raises(Refused, match="may not exceed 5"):
        ledger.append(Entry(date(2025, 12, 16), "offset", C, Decimal(1), year=2024))
    ledger.append(Entry(date(2025, 12, 20), "bought", C, Decimal(50), vintage=2024))
    ledger.append(Entry(date(2025, 12, 21), "surrendered", C, Decimal(50), vintage=2024, year=2024))
    done = ledger.position(C, 2024, date(2026, 1, 1))
    assert (done.surrendered_t, done.offset_t, done.shortfall_t, done.to_buy_t) == (950, 50, 0, 0)
    assert done.allocated_t == 1000 and done.held_t == {}
    assert done.deadline == date(2025, 12, 31) and not done.late
    assert [r["table"] for r in done.reference_rows] == [
        "market_vintage_rules",
        "market_compliance_parameters",
        "market_compliance_deadlines",
    ]
    # the vintage rule is unverified (the issued plan was not read): the position says so
    assert [w.code for w in done.warnings] == ["market.ledger.unverified"]
    # every balance is the sum of its entries
    held = ledger.explain(C, "held", 2024)
    assert [(e["kind"], e["change"]) for e in held] == [
        ("allocated", 1000),
        ("sold", -100),
        ("surrendered", -900),
        ("bought", 50),
        ("surrendered", -50),
    ]
    assert sum(e["change"] for e in held) == 0
    assert sum(e["change"] for e in ledger.explain(C, "surrendered", 2024)) == 950


def test_the_next_year_late_and_short() -> None:
    """2025: obligation 2 000 t, 1 985 allocated (alpha = -0.75 %); 2024 allowances cannot
    serve 2025; 15 t short after the deadline 2026-12-31 is overdue with its consequence; the
    CCER surrendered in January is late."""
    ledger = _ledger()
    _year_2024(ledger)
    ledger.append(Entry(date(2026, 1, 5), "bought", C, Decimal(10), vintage=2024))
    ledger.append(Entry(date(2026, 7, 31), "obligation", C, Decimal(2000), year=2025))
    ledger.append(Entry(date(2026, 9, 30), "allocated", C, Decimal(1985), vintage=2025))
    before = ledger.position(C, 2025, date(2026, 10, 1))
    assert before.held_t == {2024: 10, 2025: 1985} and before.usable_t == 1985
    assert (before.shortfall_t, before.to_buy_t, before.offset_cap_t) == (2000, 15, 100)
    assert not before.late
    with pytest.raises(Refused, match="allowances of 2024 cannot be surrendered for 2025"):
        ledger.append(
            Entry(date(2026, 11, 1), "surrendered", C, Decimal(10), vintage=2024, year=2025)
        )
    ledger.append(
        Entry(date(2026, 12, 1), "surrendered", C, Decimal(1985), vintage=2025, year=2025)
    )
    overdue = ledger.position(C, 2025, date(2027, 1, 5))
    assert overdue.late and overdue.shortfall_t == 15 and overdue.to_buy_t == 15
    [warning] = [w for w in overdue.warnings if w.code == "market.ledger.overdue"]
    assert warning.data["shortfall_t"] == "15"
    assert "100万元以上500万元以下" in str(text(warning.as_dict(), "zh_CN", {}))
    assert "1 to 5 million yuan" in warning.message and "5 to 10 times" in warning.message
    assert "per 全国碳市场发展报告（2026）, p16–17" in warning.message  # the row's source
    assert "market_compliance_consequences" in [r["table"] for r in overdue.reference_rows]
    late = ledger.append(Entry(date(2027, 1, 10), "offset", C, Decimal(15), year=2025))
    assert late.entry_id == len(ledger.entries)
    assert [w.code for w in ledger.warnings] == ["market.ledger.late_surrender"]
    settled = ledger.position(C, 2025, date(2027, 1, 10))
    assert settled.shortfall_t == 0 and settled.late  # settled, but after the deadline
    assert {w.code for w in settled.warnings} >= {"market.ledger.late_surrender"}
    assert "market.ledger.overdue" not in {w.code for w in settled.warnings}


def test_refusals_leave_the_ledger_unchanged() -> None:
    ledger = _ledger()
    ledger.append(Entry(date(2025, 8, 31), "obligation", S, Decimal("1000.4"), year=2024))
    ledger.append(Entry(date(2025, 10, 20), "allocated", S, Decimal(1002), vintage=2024))
    snapshot = ledger.balances()
    refusals = [
        (Entry(date(2025, 11, 1), "sold", S, Decimal(1003), vintage=2024), "holds 1002"),
        (Entry(date(2025, 11, 1), "obligation", S, Decimal(5), year=2024), "already recorded"),
        (Entry(date(2025, 11, 1), "obligation", "glassworks", Decimal(5), year=2024), "sector"),
        (Entry(date(2025, 11, 1), "offset", S, Decimal(5), year=2025), "no obligation"),
        (
            Entry(date(2025, 11, 1), "surrendered", S, Decimal(1002), vintage=2024, year=2024),
            "owes",
        ),
        (Entry(date(2025, 11, 1), "allocated", S, Decimal(5)), "vintage"),
        (Entry(date(2025, 11, 1), "allocated", S, Decimal(0), vintage=2024), "above 0"),
        (Entry(date(2025, 11, 1), "issued", S, Decimal(5), vintage=2024), "not one of"),
        (Entry(date(2025, 10, 1), "bought", S, Decimal(5), vintage=2024), "date order"),
        (Entry(date(2025, 11, 1), "surrendered", S, Decimal(5), vintage=2027, year=2024), "2027"),
    ]
    for entry, reason in refusals:
        with pytest.raises(Refused, match=reason):
            ledger.append(entry)
        assert ledger.balances() == snapshot and len(ledger.entries) == 2
    # no text read lets a surrender exceed what is open: without the authority's tolerance
    # (market_surrender_tolerances ships no row) 1001 whole allowances do not settle 1000.4 t
    with pytest.raises(Refused, match=re.escape("owes 1000.4 t for 2024, not 1001")):
        ledger.append(
            Entry(date(2025, 11, 1), "surrendered", S, Decimal(1001), vintage=2024, year=2024)
        )
    ledger.append(
        Entry(date(2025, 11, 1), "surrendered", S, Decimal("1000.4"), vintage=2024, year=2024)
    )
    assert ledger.position(S, 2024, date(2025, 11, 2)).shortfall_t == 0
    assert ledger.position(S, 2024, date(2025, 11, 2)).held_t == {2024: Decimal("1.6")}


TOLERANCE_SOURCE = {
    "source_id": "test_fixture_authority",
    "title": "主管部门清缴规则（test fixture, not a real rule）",
    "issuer": "carbonpeak tests",
    "note": "a tolerance entered as an authority would; not a real value",
}


def test_the_authority_sets_the_surrender_tolerance() -> None:
    """With the authority's row (1 t for steel from 2024), 1000.4 t are settled with 1001 whole
    allowances, not 1002; cement, without a row, may not exceed what is open."""
    row = {
        "sector": "steel",
        "value": "1",
        "unit": "t",
        "valid_from": "2024-01-01",
        "source_id": "test_fixture_authority",
        "status": "verified",
    }
    reference = default_reference().with_records(
        "market_surrender_tolerances", [row], [TOLERANCE_SOURCE]
    )
    ledger = Ledger(Rules(reference), sectors={C: "cement", S: "steel"})
    ledger.append(Entry(date(2025, 8, 31), "obligation", S, Decimal("1000.4"), year=2024))
    ledger.append(Entry(date(2025, 8, 31), "obligation", C, Decimal("10.5"), year=2024))
    ledger.append(Entry(date(2025, 10, 20), "allocated", S, Decimal(1002), vintage=2024))
    ledger.append(Entry(date(2025, 10, 20), "allocated", C, Decimal(11), vintage=2024))
    with pytest.raises(Refused, match=re.escape("owes 1000.4 t for 2024, not 1401.5")):
        ledger.append(
            Entry(date(2025, 11, 1), "surrendered", S, Decimal("1401.5"), vintage=2024, year=2024)
        )
    with pytest.raises(Refused, match="not 1002"):
        ledger.append(
            Entry(date(2025, 11, 1), "surrendered", S, Decimal(1002), vintage=2024, year=2024)
        )
    ledger.append(
        Entry(date(2025, 11, 1), "surrendered", S, Decimal(1001), vintage=2024, year=2024)
    )
    assert ledger.position(S, 2024, date(2025, 11, 2)).held_t == {2024: 1}
    with pytest.raises(Refused, match=re.escape("owes 10.5 t for 2024, not 11")):
        ledger.append(
            Entry(date(2025, 11, 1), "surrendered", C, Decimal(11), vintage=2024, year=2024)
        )


def test_no_entry_for_a_year_before_the_sector_entered_the_market() -> None:
    """The library's first compliance year of steel and cement is 2024 (the deadlines of the
    2025 work notice): a 2023 obligation or an allocation of 2023 allowances to them is
    refused; a 2023 vintage bought on the market (a power allowance) is taken."""
    ledger = _ledger()
    with pytest.raises(Refused, match="not in the national carbon market in 2023") as caught:
        ledger.append(Entry(date(2025, 8, 31), "obligation", S, Decimal(100), year=2023))
    assert "from 2024" in str(caught.value)
    with pytest.raises(Refused, match="not in the national carbon market in 2023"):
        ledger.append(Entry(date(2025, 8, 31), "allocated", C, Decimal(100), vintage=2023))
    ledger.append(Entry(date(2025, 8, 31), "bought", C, Decimal(100), vintage=2023))
    ledger.append(Entry(date(2025, 8, 31), "obligation", S, Decimal(100), year=2024))
    assert len(ledger.entries) == 2


def test_a_refusal_is_said_in_the_readers_language() -> None:
    ledger = _ledger()
    ledger.append(Entry(date(2025, 8, 31), "obligation", S, Decimal(100), year=2024))
    with pytest.raises(Refused) as caught:
        ledger.append(
            Entry(date(2025, 11, 1), "surrendered", S, Decimal(5), vintage=2024, year=2024)
        )
    problem = Problem.of(Place(field="kind"), N_("refused: {}"), caught.value.problem())
    assert problem.message == "refused: steelworks holds 0 allowances of 2024, not 5"
    assert (
        problem_text(problem, "zh_CN") == "不予记录：steelworks 持有 2024 年度配额 0 吨，不足 5 吨"
    )
    assert problem_text(problem, "en") == problem.message


def test_balances_as_of_a_day() -> None:
    ledger = _ledger()
    _year_2024(ledger)
    early = {(b["account"], b["year"]): b["t"] for b in ledger.balances(date(2025, 11, 1))}
    assert early == {("obligation", 2024): 1000, ("allocated", 2024): 1000, ("held", 2024): 900}


KINDS = ("obligation", "allocated", "bought", "sold", "surrendered", "offset")
entry = st.tuples(
    st.sampled_from(KINDS),
    st.sampled_from((C, S)),
    st.integers(min_value=1, max_value=400),
    st.sampled_from((2024, 2025, 2026)),
    st.sampled_from((2024, 2025)),
    st.integers(min_value=0, max_value=5),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entry, min_size=1, max_size=40))
def test_invariants(drawn: list[tuple[str, str, int, int, int, int]]) -> None:
    ledger = _ledger()
    day = date(2025, 1, 1)
    for kind, holder, amount, vintage, year, step in drawn:
        day += timedelta(days=step)
        before = ledger.balances()
        try:
            ledger.append(Entry(day, kind, holder, Decimal(amount), vintage=vintage, year=year))
        except Refused:
            assert ledger.balances() == before
    for balance in ledger.balances():
        explained = ledger.explain(balance["holder"], balance["account"], balance["year"])
        assert sum(e["change"] for e in explained) == balance["t"]
        assert balance["t"] > 0  # no account below 0
    totals = {(b["holder"], b["account"], b["year"]): b["t"] for b in ledger.balances()}
    for holder in (C, S):
        for year in (2024, 2025):
            owed = totals.get((holder, "obligation", year), Decimal(0))
            surrendered = totals.get((holder, "surrendered", year), Decimal(0))
            offset = totals.get((holder, "offset", year), Decimal(0))
            assert surrendered + offset <= owed  # no tolerance without the authority's row
            assert offset <= owed * Decimal("0.05")
    # allowances are conserved: held = allocated + bought - sold - surrendered
    for holder in (C, S):
        flows: dict[str, Decimal] = {}
        for e in ledger.entries:
            if e.holder == holder and e.kind in ("allocated", "bought", "sold", "surrendered"):
                flows[e.kind] = flows.get(e.kind, Decimal(0)) + e.amount
        held = sum(
            (v for (h, a, _), v in totals.items() if h == holder and a == "held"), Decimal(0)
        )
        inflow = flows.get("allocated", Decimal(0)) + flows.get("bought", Decimal(0))
        assert held == inflow - flows.get("sold", Decimal(0)) - flows.get("surrendered", Decimal(0))


def test_entries_from_a_table() -> None:
    """A sheet of entries: taken in order; the first row with a problem stops it, placed by
    row and column (a refused entry by its rule)."""
    table = pd.DataFrame(
        [
            {
                "day": "2025-08-31",
                "kind": "obligation",
                "holder": C,
                "amount": "1000",
                "year": 2024,
            },
            {
                "day": "2025-10-20",
                "kind": "allocated",
                "holder": C,
                "amount": "990",
                "vintage": 2024,
            },
            {"day": "2025-11-01", "kind": "sold", "holder": C, "amount": "1000", "vintage": 2024},
            {"day": "2025-11-02", "kind": "bought", "holder": C, "amount": "1", "vintage": 2024},
        ]
    )
    ledger = _ledger()
    [problem] = load_entries(table, ledger)
    assert (problem.place.row, problem.place.column) == (4, "kind")
    assert "holds 990 allowances of 2024, not 1000" in problem.message
    assert len(ledger.entries) == 2
    bad = table.assign(amount=["1000", "lots", "1", "1"], vintage=[None, "20x4", 2024, 2024])
    problems = load_entries(bad, _ledger())
    assert [(p.place.row, p.place.column) for p in problems] == [(3, "amount"), (3, "vintage")]
    [missing] = load_entries(table.drop(columns=["holder"]), _ledger())
    assert missing.place.column == "holder" and missing.message == "required column is missing"
