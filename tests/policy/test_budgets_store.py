"""The budgets wing's use cases on the store (SQLite and PostgreSQL): a cascade saved with
inferred parents, refused inputs storing nothing, tracking from official monthly accounts, and
alerts stored once per crossing."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from carbonpeak.errors import InputError, NotFoundError, PermissionDenied
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting import submit
from carbonpeak.services.accounting_versions import official_months
from carbonpeak.services.budgets import (
    delete_budget,
    list_alerts,
    list_budgets,
    record_alerts,
    save_budgets,
    tracked,
)
from carbonpeak.services.reference import enter_authority_rows
from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry, Budget, BudgetAlert
from tests.policy.budget_people import A, B, _actor

CASCADE = [
    {"scope": "region", "code": "130000", "year": 2026, "quantity": "co2", "cap": 10000,
     "reserve": 0.1},
    {"scope": "region", "code": "130100", "year": 2026, "quantity": "co2", "cap": 5000},
    {"scope": "region", "code": "130200", "year": 2026, "quantity": "co2", "cap": 4000},
    {"scope": "enterprise", "code": A, "year": 2026, "quantity": "co2", "cap": 1200},
]  # fmt: skip


def test_a_cascade_is_saved_with_inferred_parents_and_audited(engine: Engine, hebei: Actor) -> None:
    with transaction(engine) as session:
        saved = save_budgets(session, hebei, CASCADE)
    ids = {b["code"]: b["budget_id"] for b in saved}
    parents = {b["code"]: b["parent_id"] for b in saved}
    assert parents == {
        "130000": None,
        "130100": ids["130000"],
        "130200": ids["130000"],
        A: ids["130100"],
    }
    with transaction(engine) as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
        assert actions.count("budget.create") == 4
        # changing a part within the whole's limit (10,000 x 0.9 = 9,000): 5,000 + 4,000 holds
        (changed,) = save_budgets(session, hebei, [{**CASCADE[2], "budget_id": ids["130200"]}])
        assert changed["cap"] == 4000


def test_every_refused_input_is_placed_and_stores_nothing(engine: Engine, hebei: Actor) -> None:
    shanxi = _actor(engine, "shanxi", "regulator", regions=["140000"])
    with transaction(engine) as session:
        save_budgets(session, hebei, CASCADE[:1])
    bad = [
        {**CASCADE[1], "cap": 5000},
        {**CASCADE[2], "cap": 4500},  # 5,000 + 4,500 = 9,500 > 9,000 (10,000 less 10 %)
        {"scope": "region", "code": "130300", "year": 2026, "quantity": "co2",
         "intensity": 0.5, "basis": "value_added"},  # no planned value added
        {**CASCADE[0]},  # the province's 2026 CO2 budget again: overlapping
    ]  # fmt: skip
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        save_budgets(session, hebei, bad)
    fields = sorted((p.place.row, p.place.field) for p in raised.value.problems)
    assert (3, "planned") in fields
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        save_budgets(session, hebei, [*bad[:2], bad[3]])
    messages = [str(p) for p in raised.value.problems]
    assert any("exists already" in m and m.startswith("row 3") for m in messages), messages
    assert any("9500" in m.replace(",", "") for m in messages), messages
    with pytest.raises(InputError, match="outside your regions"), transaction(engine) as session:
        save_budgets(session, shanxi, CASCADE[1:2])
    with transaction(engine) as session:
        assert session.execute(select(func.count()).select_from(Budget)).scalar_one() == 1


def test_an_enterprise_sees_its_own_budget_only(engine: Engine, hebei: Actor) -> None:
    with transaction(engine) as session:
        saved = save_budgets(session, hebei, CASCADE)
    plant = _actor(engine, "plant", "enterprise", enterprises=[B])
    with transaction(engine) as session:
        assert list_budgets(session, plant) == []
        with pytest.raises(NotFoundError):
            delete_budget(session, plant, saved[3]["budget_id"])
        with pytest.raises(PermissionDenied):
            save_budgets(session, plant, CASCADE[3:])
        assert len(list_budgets(session, hebei, 2026)) == 4


def _months(code: str, mwh: list[float]) -> pd.DataFrame:
    # purchased electricity, month by month; its CO2 is the accounting engine's (the grid
    # factor in force), read back from the stored accounts
    rows = [
        {"enterprise_id": code, "period": f"2026-{m:02d}", "stream": "electricity",
         "item": "electricity", "direction": "in", "amount": value, "unit": "MWh"}
        for m, value in enumerate(mwh, 1)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_tracking_sums_the_official_months_and_alerts_rise_once(
    engine: Engine, hebei: Actor
) -> None:
    with transaction(engine) as session:
        saved = save_budgets(session, hebei, CASCADE)
        thresholds = [
            {"quantity": "co2", "indicator": "pace", "level": level, "threshold": value,
             "valid_from": "2026-01-01", "status": "verified"}
            for level, value in (("yellow", 1.0), ("red", 1.2))
        ]  # fmt: skip
        table = "budget_alert_thresholds"
        enter_authority_rows(session, hebei, table, "130000", thresholds, "冀工信〔2026〕示例号")
    plant = _actor(engine, "plant", "enterprise", enterprises=[A])
    with transaction(engine) as session:
        submit(session, plant, _months(A, [200.0, 200.0, 200.0]))
        months = official_months(session, 2026, [A])
    assert [m["period"] for m in months] == ["2026-01", "2026-02", "2026-03"]
    co2 = sum(m["co2_t"] for m in months)
    assert co2 > 0
    with transaction(engine) as session:
        tracking, judged, _ = tracked(session, hebei, 2026, date(2026, 3, 31))
    assert tracking is not None
    statuses = {s.code: s for s in tracking.statuses}
    # A's own budget and every region containing it count the same three months
    for code in (A, "130100", "130000"):
        assert statuses[code].used_to_date == pytest.approx(co2)
    assert statuses["130200"].enterprises == 1 and statuses["130200"].months_missing
    # pace of A = (co2 / 1,200) / (90 / 365)
    pace = (co2 / 1200) / (90 / 365)
    level = {j.budget_id: j.level for j in judged}[str(saved[3]["budget_id"])]
    assert level is not None
    assert level == ("red" if pace >= 1.2 else "yellow" if pace >= 1.0 else "green")
    with transaction(engine) as session:
        first = record_alerts(session, date(2026, 3, 31))
        again = record_alerts(session, date(2026, 3, 31))
    assert again == []  # the same level raises nothing twice
    raised = [a for a in first if a["kind"] == "raised"]
    with transaction(engine) as session:
        stored_alerts = session.execute(select(func.count()).select_from(BudgetAlert)).scalar_one()
        assert stored_alerts == len(raised)
        assert {a["code"] for a in list_alerts(session, plant)} <= {A}


def test_a_project_holds_its_regions_budget_until_decided(engine: Engine, hebei: Actor) -> None:
    # Tangshan's 2026 budget: 80,000 t; no month reported yet. The hand-worked clinker line
    # (tests/policy/test_project_assessment.py) emits 77,363.99 t a year: the first project
    # fits (remaining 80,000 -> 2,636.01 t); a second one, while the first is pending, finds
    # 2,636.01 t left and is over.
    from carbonpeak.services.policy import decide, submit_application
    from carbonpeak.store.models import BudgetCommitment
    from tests.policy.test_project_assessment import CO2, _line

    plant = _actor(engine, "plant", "enterprise", enterprises=[B])
    with transaction(engine) as session:
        save_budgets(
            session, hebei, [{**CASCADE[0], "cap": 200_000}, {**CASCADE[2], "cap": 80_000}]
        )
        first = submit_application(
            session, plant, "project", B, _line(application_date="2026-03-01"), date(2026, 3, 1)
        )
    assert first["verdict"]["region_budget"]["remaining_before_t"] == pytest.approx(80_000)
    assert first["verdict"]["region_budget"]["remaining_after_t"] == pytest.approx(80_000 - CO2)
    with transaction(engine) as session:
        second = submit_application(
            session, plant, "project", B, _line(application_date="2026-03-02"), date(2026, 3, 2)
        )
        held = session.execute(select(BudgetCommitment.state, BudgetCommitment.amount)).all()
    assert second["verdict"]["region_budget"]["committed_t"] == pytest.approx(CO2)
    assert second["compliant"] is False
    assert sorted(held) == [("pending", pytest.approx(CO2)), ("pending", pytest.approx(CO2))]
    with transaction(engine) as session:
        decide(session, hebei, first["application_id"], "approve", None)
        decide(session, hebei, second["application_id"], "refuse", "over the budget")
        states = dict(
            session.execute(select(BudgetCommitment.application_id, BudgetCommitment.state)).all()
        )
    assert states == {first["application_id"]: "approved", second["application_id"]: "released"}


def test_a_project_is_judged_on_its_enterprises_region_and_the_platforms_budget_as_of_today(
    engine: Engine, hebei: Actor
) -> None:
    # Tangshan's 2026 budget 170,000 t; plant B reported January to May, 30,000 MWh a month.
    # (a) a region outside B's (Jiangsu, 320100) is refused at body.region_code, nothing stored;
    # (b) a typed region_budget (cap 1e9) is replaced by the stored one and a hold is written;
    # (c) backdating application_date to 1 January changes nothing: the use to date is the
    # submission day's (20 June); (d) an application year without a budget (2025) is judged
    # against the submission year's (2026) budget.
    from carbonpeak.services.policy import submit_application
    from carbonpeak.store.models import BudgetCommitment, PolicyApplication
    from tests.policy.test_project_assessment import _line

    plant = _actor(engine, "plant", "enterprise", enterprises=[B])
    jiangsu = _actor(engine, "jiangsu", "regulator", regions=["320000"])
    today = date(2026, 6, 20)
    with transaction(engine) as session:
        save_budgets(
            session, hebei, [{**CASCADE[0], "cap": 500_000}, {**CASCADE[2], "cap": 170_000}]
        )
        save_budgets(session, jiangsu, [{**CASCADE[0], "code": "320000", "cap": 90_000}])
        submit(session, plant, _months(B, [30_000.0] * 5))
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        submit_application(session, plant, "project", B, _line(region_code="320100"), today)
    assert [p.place.field for p in raised.value.problems] == ["body.region_code"]
    with transaction(engine) as session:
        for model in (PolicyApplication, BudgetCommitment):
            assert session.execute(select(func.count()).select_from(model)).scalar_one() == 0
    typed = {"cap_t": 1e9, "used_t": 0, "committed_t": 0}
    made = []
    for application_date, own in (
        ("2026-06-20", None),
        ("2026-06-20", typed),
        ("2026-01-01", None),
        ("2025-10-01", None),
    ):
        body = _line(application_date=application_date, region_budget=own)
        with transaction(engine) as session:
            made.append(submit_application(session, plant, "project", B, body, today))
    used = made[0]["verdict"]["region_budget"]["used_t"]
    assert used > 0  # the five reported months
    for application in made:
        assert application["verdict"]["region_budget"]["cap_t"] == pytest.approx(170_000)
        assert application["verdict"]["region_budget"]["used_t"] == pytest.approx(used)
        assert application["verdict"]["region_budget_source"] == "platform"
    codes = [[w["code"] for w in a["verdict"]["warnings"]] for a in made]
    assert "policy.project_assessment.region_budget_replaced" in codes[1]
    assert "policy.project_assessment.region_budget_replaced" not in codes[0]
    with transaction(engine) as session:
        holds = session.execute(select(func.count()).select_from(BudgetCommitment)).scalar_one()
    assert holds == 4


def test_a_typed_region_budget_without_a_stored_one_is_the_applicants_statement(
    engine: Engine, hebei: Actor
) -> None:
    # no budget stored: the typed region_budget is used as given and nothing is held
    from carbonpeak.services.policy import submit_application
    from carbonpeak.store.models import BudgetCommitment
    from tests.policy.test_project_assessment import _line

    plant = _actor(engine, "plant", "enterprise", enterprises=[B])
    typed = {"cap_t": 1e9, "used_t": 0, "committed_t": 0}
    with transaction(engine) as session:
        made = submit_application(
            session, plant, "project", B, _line(region_budget=typed), date(2026, 6, 20)
        )
        holds = session.execute(select(func.count()).select_from(BudgetCommitment)).scalar_one()
    assert made["verdict"]["region_budget"]["cap_t"] == pytest.approx(1e9)
    assert made["verdict"]["region_budget_source"] == "applicant"
    assert holds == 0


def test_a_screen_of_energy_alone_is_judged_in_a_budgeted_region_and_holds_nothing(
    engine: Engine, hebei: Actor
) -> None:
    # a two-high body of before (annual energy only, no CO2): the platform's budget cannot be
    # weighed against it, so it is not put in (the assessment would refuse it) and nothing held
    from carbonpeak.services.policy import submit_application
    from carbonpeak.store.models import BudgetCommitment
    from tests.policy.test_two_high import _clinker

    plant = _actor(engine, "plant", "enterprise", enterprises=[B])
    with transaction(engine) as session:
        save_budgets(
            session, hebei, [{**CASCADE[0], "cap": 200_000}, {**CASCADE[2], "cap": 80_000}]
        )
        made = submit_application(
            session, plant, "project", B, _clinker(98), today=date(2026, 3, 1)
        )
        held = session.execute(select(func.count()).select_from(BudgetCommitment)).scalar_one()
    assert made["verdict"]["verdict"] == "approve" and held == 0
    assert made["verdict"]["region_budget_source"] is None
