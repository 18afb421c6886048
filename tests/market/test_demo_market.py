"""The demo's carbon market (issue 21): synthetic plans that pass the guideline's check,
monthly evidence complete except its planned gaps, and ledger entries that the ledger takes,
loaded into a store through the services (positions and coverage read back)."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from carbonpeak.demo.market import LABEL, market_demo
from carbonpeak.market.evidence import completeness
from carbonpeak.market.ledger import Ledger
from carbonpeak.market.ledger_rules import Rules
from carbonpeak.market.plan_checks import check_plan
from carbonpeak.reference.loader import default_reference
from carbonpeak.reports.market_plan import plan_document_xlsx
from carbonpeak.services.access import Actor
from carbonpeak.services.demo import load_market
from carbonpeak.services.market_evidence import coverage
from carbonpeak.services.market_ledger import positions
from carbonpeak.services.market_plans import plan_document
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise, User

STEEL_A, STEEL_B = "911302005B8M2P4Q99", "911302007A3K9C2D24"
MONTHS = [f"2026-{m:02d}" for m in range(1, 11)]


def _activity(iron: bool = False) -> pd.DataFrame:
    """Two steelworks' months (with `iron`, their pig iron too: the process sheet needs it)."""
    lines = [
        ("fuel", "coke", "in", "t", 30000),
        ("fuel", "bituminous_coal", "in", "t", 12000),
        ("fuel", "natural_gas", "in", "10^4 Nm3", 50),
        ("process", "limestone", "in", "t", 9000),
        ("electricity", "electricity", "in", "MWh", 40000),
        ("product", "crude_steel", "in", "t", 100000),
        *([("product", "pig_iron", "in", "t", 90000)] if iron else []),
    ]
    return pd.DataFrame(
        [
            {
                "enterprise_id": e,
                "period": p,
                "stream": s,
                "item": i,
                "direction": d,
                "amount": str(a),
                "unit": u,
            }
            for e in (STEEL_A, STEEL_B)
            for p in MONTHS
            for s, i, d, u, a in lines
        ]
    )


def test_the_synthetic_market_is_consistent() -> None:
    reference = default_reference()
    made = market_demo(
        _activity(),
        {STEEL_A: "演示钢铁A", STEEL_B: "演示钢铁B"},
        {STEEL_A: "3120", STEEL_B: "3120"},
        {STEEL_A: 600000.0, STEEL_B: 500000.0},
        date(2026, 12, 6),
        reference,
        seed=2030,
    )
    assert len(made.plans) == 2
    for plan in made.plans:
        checked = check_plan(plan, "steel", 2026, reference)
        assert checked.ok, checked.problems
    assert all(content.startswith(LABEL.encode()) for content in made.documents.values())
    # due by 6 December: January to September (October is due on 9 December)
    a, b = made.plans

    def month(plan, number):  # type: ignore[no-untyped-def]
        own = [r for r in made.evidence if r.enterprise == plan.enterprise.uscc]
        return completeness(plan, date(2026, number, 1), own, reference, date(2026, 12, 6))

    states = {(p.enterprise.uscc, m): month(p, m) for p in (a, b) for m in range(1, 10)}
    assert all(states[(STEEL_A, m)].complete for m in range(1, 9))
    assert not states[(STEEL_A, 9)].complete  # its last due month lacks the gas test report
    assert any("ncv" in line for line in states[(STEEL_A, 9)].missing)
    assert states[(STEEL_B, 9)].overdue  # not filed at all, due 9 November: overdue
    ledger = Ledger(Rules(reference), sectors={STEEL_A: "steel", STEEL_B: "steel"})
    for entry in made.entries:
        ledger.append(entry)
    position = ledger.position(STEEL_A, 2025, date(2026, 12, 6))
    assert position.obligation_t == round(600000.0 * 12 / 10, 2)
    assert abs(position.allocated_t / position.obligation_t - 1) <= 0.03 + 1e-9
    # the first of every three settles (buying what its allocation lacks); the second is short
    assert position.shortfall_t == 0
    assert ledger.position(STEEL_B, 2025, date(2026, 12, 6)).shortfall_t > 0


def _two_steelworks(engine: Engine) -> None:
    """The two steelworks of Tangshan and the demo's administrator and Hebei's regulator."""
    with transaction(engine) as session:
        for code in (STEEL_A, STEEL_B):
            session.add(
                Enterprise(
                    enterprise_id=code, name=code, region_code="130200", industry_code="3120"
                )
            )
        add_user(session, "demo-admin", "admin", "a long enough password")
        add_user(session, "demo-regulator", "regulator", "a long enough password", ["130000"])


def test_loaded_through_the_services(engine: Engine) -> None:
    _two_steelworks(engine)
    control = SimpleNamespace(activity=_activity(), as_of=date(2026, 12, 6))
    with transaction(engine) as session:
        loaded = load_market(session, control)  # type: ignore[arg-type]
        assert loaded["plans"] == 2 and loaded["entries"] >= 4
        again = load_market(session, control)  # type: ignore[arg-type]
        assert again["plans"] == 0  # loading the demo again adds nothing
    with transaction(engine) as session:
        regulator = Actor.of(session.query(User).filter_by(username="demo-regulator").one())
        held = positions(session, regulator, 2025, date(2026, 12, 6))
        assert {p["holder"] for p in held["positions"]} == {STEEL_A, STEEL_B}
        covered = coverage(session, regulator, 2026, date(2026, 12, 6))
        months = {e["enterprise_id"]: e["months"] for e in covered["enterprises"]}
        assert sum(m["complete"] for m in months[STEEL_A]) == 8
        # the demo's plan as a document after Annex B: every B.4 row, the meters in B.6
        view = plan_document(session, regulator, STEEL_A, 2026)
    book = load_workbook(io.BytesIO(plan_document_xlsx(view, "zh_CN")))
    parameters = list(book["B.4 参数"].iter_rows(values_only=True))
    assert len(parameters) == 4 + len(view["plan"]["parameters"])  # title, blank, two headers
    metered = [r for r in view["plan"]["parameters"] if r["meter"]]
    ledger = [r for r in book["B.6 计量器具台账"].iter_rows(values_only=True) if r[1]]
    assert metered and all(any(m["meter"] == r[1] for r in ledger) for m in metered)


def test_the_synthetic_process_sheets_follow_the_activity() -> None:
    """Each month: the coke of 炼铁 and 烧结 is the month's coke, 炼铁's coal the month's, its
    pig iron the month's; its emissions (formula (2)) are the carbon of coke and coal less the
    drawn 45-55 % the blast-furnace gas carries out; sinter 1.25-1.45 t per t of pig iron."""
    from carbonpeak.market.accounts import account_market

    reference = default_reference()
    activity = _activity(iron=True)
    made = market_demo(
        activity,
        {STEEL_A: "演示钢铁A", STEEL_B: "演示钢铁B"},
        {STEEL_A: "3120", STEEL_B: "3120"},
        {},
        date(2026, 12, 6),
        reference,
        seed=2030,
    )
    assert sorted(made.processes) == [STEEL_A, STEEL_B]
    sheet = made.processes[STEEL_A]
    assert sorted(set(sheet["period"])) == MONTHS and set(sheet["process"]) == {"炼铁", "烧结"}
    january = sheet.loc[sheet["period"] == "2026-01"].assign(
        amount=lambda f: f["amount"].astype(float)
    )
    by = january.set_index(["process", "item"])["amount"]
    assert by[("炼铁", "coke")] + by[("烧结", "coke")] == pytest.approx(30000, abs=0.01)
    assert by[("炼铁", "bituminous_coal")] == 12000 and by[("炼铁", "pig_iron")] == 90000
    assert 1.25 <= by[("烧结", "sinter")] / 90000 <= 1.45
    result = account_market(activity, "steel", reference=reference, processes=sheet)
    assert result.processes is not None
    iron = result.processes.set_index(["period", "process"]).loc[("2026-01", "ironmaking")]
    carbon_in = (by[("炼铁", "coke")] * 28.435 * 0.02942 + 12000 * 23.736 * 0.02618) * 44 / 12
    carried_out = 1 - iron["co2_t"] / carbon_in  # the share of the blast-furnace gas
    assert 0.45 - 1e-4 <= carried_out <= 0.55 + 1e-4
    assert iron["output_t"] == 90000 and iron["intensity_t_per_t"] > 0


def test_the_demo_process_sheets_are_stored_and_shown(engine: Engine) -> None:
    from carbonpeak.services.accounting import submit
    from carbonpeak.services.market import market_accounts

    _two_steelworks(engine)
    activity = _activity(iron=True)
    with transaction(engine) as session:
        admin = Actor.of(session.query(User).filter_by(username="demo-admin").one())
        submit(session, admin, activity, "demo-province/activity_2026.csv")
    control = SimpleNamespace(activity=activity, as_of=date(2026, 12, 6))
    with transaction(engine) as session:
        loaded = load_market(session, control)  # type: ignore[arg-type]
        assert loaded["process_sheets"] == 2
    with transaction(engine) as session:
        regulator = Actor.of(session.query(User).filter_by(username="demo-regulator").one())
        view = market_accounts(session, regulator, STEEL_A, 2026)
    assert LABEL in view["process_sheet"]["file_name"]  # synthetic, and says so
    assert {(p["period"], p["process"]) for p in view["processes"]} == {
        (m, p) for m in MONTHS for p in ("ironmaking", "sintering")
    }
    assert view["process_refused"] is None
