"""The credit ledger: worked cases of each kind of entry and its refusals, and invariants under
random sequences of entries (hypothesis): nothing is spent twice, expired credits cannot be
used, balances are the sums of their entries, transfers and trades conserve credits."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak.policy.dual_credit.ledger import Entry, Ledger, Refused, Rules
from carbonpeak.reference.loader import default_reference

RULES = Rules(default_reference())
A, B, C = "maker-a", "maker-b", "maker-c"


def _ledger() -> Ledger:
    return Ledger(
        RULES, groups={A: "group-1", B: "group-1", C: "group-2"}, ratios={2023: 2.6, 2024: 1.2}
    )


def _credits(ledger: Ledger, entity: str, credit: str, vintage: int, origin: str = "own") -> float:
    return sum(
        r["credits"]
        for r in ledger.balances()
        if (r["entity"], r["credit"], r["vintage"], r["origin"])
        == (entity, credit, vintage, origin)
    )


def test_carry_forward_discount_and_expiry() -> None:
    """A CAFC credit of 2021 is worth 90 % a year later (vintages from 2019): settling 900 of a
    2022 deficit takes 1,000 of it; after three years it is gone."""
    ledger = _ledger()
    ledger.append(Entry(date(2022, 7, 1), "earn", "cafc", 2021, 1000, A))
    ledger.append(Entry(date(2023, 7, 1), "deficit", "cafc", 2022, 900, A))
    ledger.append(
        Entry(date(2023, 8, 1), "offset", "cafc", 2021, 900, A, settles=2022, settles_credit="cafc")
    )
    assert _credits(ledger, A, "cafc", 2021) == pytest.approx(0)
    assert ledger.unsettled(date(2023, 9, 1)) == []
    old = _ledger()
    old.append(Entry(date(2018, 7, 1), "earn", "cafc", 2017, 1000, A))
    old.append(Entry(date(2019, 7, 1), "deficit", "cafc", 2018, 500, A))
    old.append(
        Entry(date(2019, 8, 1), "offset", "cafc", 2017, 400, A, settles=2018, settles_credit="cafc")
    )
    assert _credits(old, A, "cafc", 2017) == pytest.approx(500)  # 400 / 0.8 taken (vintage <= 2018)
    old.append(Entry(date(2022, 7, 1), "deficit", "cafc", 2021, 100, A))
    with pytest.raises(Refused, match="expired"):
        old.append(
            Entry(
                date(2022, 8, 1), "offset", "cafc", 2017, 50, A, settles=2021, settles_credit="cafc"
            )
        )


def test_nev_credits_of_a_year_that_missed_the_condition_stay_in_it() -> None:
    ledger = _ledger()
    ledger.append(Entry(date(2022, 7, 1), "earn", "nev", 2021, 500, A, carryable=False))
    ledger.append(Entry(date(2022, 7, 1), "deficit", "nev", 2021, 100, A))
    ledger.append(
        Entry(date(2022, 7, 2), "offset", "nev", 2021, 100, A, settles=2021, settles_credit="nev")
    )
    ledger.append(Entry(date(2023, 7, 1), "deficit", "nev", 2022, 100, A))
    with pytest.raises(Refused, match="missed the condition"):
        ledger.append(
            Entry(
                date(2023, 7, 2), "offset", "nev", 2021, 50, A, settles=2022, settles_credit="nev"
            )
        )
    ledger.append(Entry(date(2023, 7, 3), "trade", "nev", 2021, 100, A, counterparty=C, price=800))
    # the buyer's lot is carried as bought credits (the condition is the seller's)
    assert _credits(ledger, C, "nev", 2021, "bought") == 100


def test_nev_credits_settle_both_and_cafc_credits_only_cafc() -> None:
    ledger = _ledger()
    ledger.append(Entry(date(2023, 6, 1), "earn", "nev", 2022, 300, A))
    ledger.append(Entry(date(2023, 6, 1), "earn", "cafc", 2022, 300, A))
    ledger.append(Entry(date(2023, 6, 2), "deficit", "nev", 2022, 100, A))
    ledger.append(Entry(date(2023, 6, 2), "deficit", "cafc", 2022, 100, A))
    with pytest.raises(Refused, match="NEV credits only"):
        ledger.append(
            Entry(
                date(2023, 6, 3), "offset", "cafc", 2022, 50, A, settles=2022, settles_credit="nev"
            )
        )
    ledger.append(
        Entry(date(2023, 6, 3), "offset", "nev", 2022, 100, A, settles=2022, settles_credit="nev")
    )
    ledger.append(
        Entry(date(2023, 6, 3), "offset", "nev", 2022, 100, A, settles=2022, settles_credit="cafc")
    )
    assert _credits(ledger, A, "nev", 2022) == pytest.approx(100)
    with pytest.raises(Refused, match="owes"):
        ledger.append(
            Entry(
                date(2023, 6, 4), "offset", "nev", 2022, 1, A, settles=2022, settles_credit="cafc"
            )
        )


def test_transfers_between_affiliates_and_trades_once() -> None:
    ledger = _ledger()
    ledger.append(Entry(date(2023, 6, 1), "earn", "cafc", 2022, 500, A))
    ledger.append(Entry(date(2023, 6, 1), "earn", "nev", 2022, 500, A))
    ledger.append(Entry(date(2023, 6, 2), "transfer", "cafc", 2022, 200, A, counterparty=B))
    with pytest.raises(Refused, match="not affiliates"):
        ledger.append(Entry(date(2023, 6, 2), "transfer", "cafc", 2022, 100, A, counterparty=C))
    with pytest.raises(Refused, match="only NEV credits are traded"):
        ledger.append(
            Entry(date(2023, 6, 2), "trade", "cafc", 2022, 100, A, counterparty=C, price=1000)
        )
    ledger.append(Entry(date(2023, 6, 3), "trade", "nev", 2022, 300, A, counterparty=C, price=1128))
    with pytest.raises(Refused, match=r"holds 0\.00"):  # bought credits are not sold again
        ledger.append(
            Entry(date(2023, 6, 4), "trade", "nev", 2022, 100, C, counterparty=B, price=900)
        )
    assert _credits(ledger, B, "cafc", 2022) == 200
    assert _credits(ledger, C, "nev", 2022, "bought") == 300
    with pytest.raises(Refused, match=r"holds 200\.00"):
        ledger.append(
            Entry(date(2023, 6, 5), "trade", "nev", 2022, 250, A, counterparty=C, price=1)
        )
    changes = ledger.explain(A, "nev", 2022)
    assert sum(c["change"] for c in changes) == pytest.approx(_credits(ledger, A, "nev", 2022))


def test_the_pool_opens_and_releases_by_the_ratio() -> None:
    """2023's ratio 2.6 > 2: deposits in 2024; 2024's 1.2 < 1.5: release in 2025."""
    ledger = _ledger()
    ledger.append(Entry(date(2024, 1, 10), "earn", "nev", 2023, 1000, A))
    ledger.append(Entry(date(2024, 7, 1), "deposit", "nev", 2023, 600, A, counterparty="POOL"))
    with pytest.raises(Refused, match="releases credits when the ratio is below"):
        ledger.append(Entry(date(2024, 7, 2), "withdraw", "nev", 2023, 100, A))
    ledger.append(Entry(date(2025, 7, 1), "withdraw", "nev", 2023, 600, A))
    assert _credits(ledger, A, "nev", 2023) == pytest.approx(1000)
    closed = Ledger(RULES, ratios={2023: 1.8})
    closed.append(Entry(date(2024, 1, 10), "earn", "nev", 2023, 10, A))
    with pytest.raises(Refused, match="takes deposits when the ratio is above"):
        closed.append(Entry(date(2024, 7, 1), "deposit", "nev", 2023, 5, A))


def test_unsettled_deficits_after_the_deadline_are_flagged() -> None:
    ledger = _ledger()
    ledger.append(Entry(date(2024, 6, 1), "deficit", "nev", 2023, 77, A))
    assert ledger.unsettled(date(2024, 8, 31)) == []
    [late] = ledger.unsettled(date(2024, 9, 1))
    assert late["owed"] == 77 and late["deadline"] == "2024-08-31"
    assert "product catalogue" in late["consequence"]
    with pytest.raises(Refused, match="date order"):
        ledger.append(Entry(date(2024, 1, 1), "earn", "nev", 2023, 1, A))


ENTITIES = (A, B, C)
entry = st.builds(
    lambda kind, credit, vintage, amount, entity, other, day: (
        kind,
        credit,
        vintage,
        amount,
        entity,
        other,
        day,
    ),
    st.sampled_from(("earn", "deficit", "transfer", "trade", "offset")),
    st.sampled_from(("cafc", "nev")),
    st.integers(2019, 2023),
    st.integers(1, 500),
    st.sampled_from(ENTITIES),
    st.sampled_from(ENTITIES),
    st.integers(0, 6 * 365),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entry, min_size=1, max_size=40))
def test_invariants_under_random_entries(raw: list[tuple[object, ...]]) -> None:
    ledger = _ledger()
    created: dict[str, float] = defaultdict(float)  # nominal credits earned, per type
    start = date(2020, 1, 1)
    for kind, credit, vintage, amount, entity, other, offset_days in sorted(
        raw, key=lambda r: r[-1]
    ):
        day = date.fromordinal(start.toordinal() + int(offset_days))  # type: ignore[arg-type]
        settles = int(vintage) + (int(offset_days) % 3)  # type: ignore[call-overload]
        candidate = Entry(
            day,
            str(kind),
            str(credit),
            int(vintage),
            float(amount),
            str(entity),  # type: ignore[arg-type]
            counterparty=str(other),
            settles=settles,
            settles_credit=str(credit),
            price=1000.0,
        )
        before = ledger.balances()
        try:
            ledger.append(candidate)
        except Refused:
            assert ledger.balances() == before  # a refused entry changes nothing
            continue
        if kind == "earn":
            created[str(credit)] += float(amount)  # type: ignore[arg-type]
    rows = ledger.balances()
    lots = [r for r in rows if r["origin"] != "deficit"]
    assert all(r["credits"] >= -1e-6 for r in lots)  # nothing spent twice
    for credit in ("cafc", "nev"):  # transfers and trades move credits, offsets only consume
        held = sum(r["credits"] for r in lots if r["credit"] == credit)
        assert held <= created[credit] + 1e-6
    for r in lots:  # every balance is the sum of its entries
        changes = ledger.explain(r["entity"], r["credit"], r["vintage"])
        total = sum(c["change"] for c in changes if c["origin"] == r["origin"])
        assert total == pytest.approx(r["credits"], abs=1e-6)
    for e in ledger.entries:  # no credit was used past its life
        if e.kind == "offset":
            assert e.settles is not None
            assert 0 <= e.settles - e.vintage <= RULES.life(e.credit, e.vintage)


def test_ledger_command(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    entries = tmp_path / "entries.csv"
    entries.write_text(
        "day,kind,credit,vintage,amount,entity,counterparty,settles,settles_credit,price\n"
        f"2023-06-01,earn,nev,2022,500,{A},,,,\n"
        f"2023-06-02,trade,nev,2022,200,{A},{C},,,1128\n"
        f"2023-06-03,deficit,cafc,2022,150,{C},,,,\n"
        f"2023-06-04,offset,nev,2022,100,{C},,2022,cafc,\n",
        encoding="utf-8",
    )
    code, out, err = cli("credits", "ledger", str(entries), "--as-of", "2023-12-31", "--json")
    assert code == 0, err
    result = json.loads(out)
    held = {(r["entity"], r["origin"]): r["credits"] for r in result["balances"]}
    assert held == {(A, "own"): 300, (C, "bought"): 100, (C, "deficit"): -50}
    assert [u["owed"] for u in result["unsettled"]] == [50]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "day,kind,credit,vintage,amount,entity\n"
        f"2023-06-01,earn,nev,2022,500,{A}\n2023-06-02,trade,nev,2022,900,{A}\n",
        encoding="utf-8",
    )
    code, _out, err = cli("credits", "ledger", str(bad))
    assert code == 2 and "row 3, column kind" in err and "buyer" in err
