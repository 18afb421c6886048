"""Whose budget is it (services.budgets, SQLite and PostgreSQL): a changed budget is checked
on the stored row as well as on the new values, only the parent's regulators change or delete
a budget with a parent, a budget moved to another year leaves a re-parented and re-checked
group behind, and a refused project's freed hold does not block deleting its budget."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from carbonpeak.errors import InputError, PermissionDenied
from carbonpeak.policy.budgets import check_cascade
from carbonpeak.services.access import Actor
from carbonpeak.services.budgets import (
    delete_budget,
    enterprise_regions,
    floor2,
    hold,
    save_budgets,
    settle,
)
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Budget, BudgetCommitment, PolicyApplication
from tests.policy.budget_people import A, B, _actor
from tests.policy.test_budgets_store import CASCADE


def _stored(engine: Engine) -> dict[str, tuple[int, int | None, int, float]]:
    """code -> (budget_id, parent_id, year, cap)"""
    with transaction(engine) as session:
        return {
            r.code: (r.budget_id, r.parent_id, r.year, r.cap)
            for r in session.execute(select(Budget)).scalars()
        }


def test_a_budget_id_the_caller_cannot_see_is_no_budget(engine: Engine, hebei: Actor) -> None:
    # Shijiazhuang's regulator (130100) gives Tangshan's (130200) id with a code of its own
    # county, and the province's id: neither is a budget it may see, so neither is found,
    # and no cascade sum of others' budgets is shown
    sjz = _actor(engine, "sjz", "regulator", regions=["130100"])
    with transaction(engine) as session:
        save_budgets(session, hebei, CASCADE[:3])
    before = _stored(engine)
    tangshan, province = before["130200"][0], before["130000"][0]
    for given in (tangshan, province):
        row = {**CASCADE[1], "code": "130103", "cap": 1, "budget_id": given}
        with pytest.raises(InputError) as raised, transaction(engine) as session:
            save_budgets(session, sjz, [row])
        messages = [str(p) for p in raised.value.problems]
        assert messages == [f"row 1, field budget_id: no budget {given}"]
    assert _stored(engine) == before


def test_only_the_parents_regulators_change_or_delete_a_budget(
    engine: Engine, hebei: Actor
) -> None:
    # the province gives Shijiazhuang 600 t of its 100,000 t (less 10 %: 90,000 t)
    sjz = _actor(engine, "sjz", "regulator", regions=["130100"])
    with transaction(engine) as session:
        save_budgets(
            session,
            hebei,
            [{**CASCADE[0], "cap": 100_000}, {**CASCADE[1], "cap": 600}],
        )
    ids = {code: row[0] for code, row in _stored(engine).items()}
    raised_cap = {**CASCADE[1], "cap": 90_000, "budget_id": ids["130100"]}
    with (
        pytest.raises(InputError, match="set by the regulators of 130000"),
        transaction(engine) as session,
    ):
        save_budgets(session, sjz, [raised_cap])
    with pytest.raises(PermissionDenied, match="130000"), transaction(engine) as session:
        delete_budget(session, sjz, ids["130100"])
    assert _stored(engine)["130100"][3] == 600
    # it sets its enterprise's budget out of its own (parent 130100: covered) ...
    with transaction(engine) as session:
        (made,) = save_budgets(session, sjz, [{**CASCADE[3], "cap": 500}])
    assert made["parent_id"] == ids["130100"]
    with transaction(engine) as session:
        save_budgets(session, sjz, [{**CASCADE[3], "cap": 400, "budget_id": made["budget_id"]}])
    # ... and the province changes the prefecture's: 600 -> 700 t
    with transaction(engine) as session:
        save_budgets(session, hebei, [{**CASCADE[1], "cap": 700, "budget_id": ids["130100"]}])
    assert _stored(engine)["130100"][3] == 700


def test_a_prefectures_own_top_level_budget_is_its_own(engine: Engine, hebei: Actor) -> None:
    # no province budget for 2027: Shijiazhuang sets, changes and deletes its own
    sjz = _actor(engine, "sjz", "regulator", regions=["130100"])
    top = {**CASCADE[1], "year": 2027}
    with transaction(engine) as session:
        (made,) = save_budgets(session, sjz, [top])
    with transaction(engine) as session:
        save_budgets(session, sjz, [{**top, "cap": 4000, "budget_id": made["budget_id"]}])
    # once the province sets one, the prefecture's is its child: the province's to change
    with transaction(engine) as session:
        save_budgets(session, hebei, [{**CASCADE[0], "year": 2027}])
    with (
        pytest.raises(InputError, match="set by the regulators of 130000"),
        transaction(engine) as session,
    ):
        save_budgets(session, sjz, [{**top, "cap": 3000, "budget_id": made["budget_id"]}])
    with pytest.raises(PermissionDenied), transaction(engine) as session:
        delete_budget(session, sjz, made["budget_id"])


def test_a_budget_moved_to_another_year_leaves_its_group_re_parented(
    engine: Engine, hebei: Actor
) -> None:
    # 130000 > 130100 > A (2026); 130100 moves to 2027: A (2026) takes the province's 2026
    # budget as parent, and the stored cascade holds
    rows = [CASCADE[0], CASCADE[1], {**CASCADE[3], "cap": 4000}]
    with transaction(engine) as session:
        save_budgets(session, hebei, rows)
    before = _stored(engine)
    with transaction(engine) as session:
        save_budgets(
            session, hebei, [{**CASCADE[1], "year": 2027, "budget_id": before["130100"][0]}]
        )
    after = _stored(engine)
    assert after["130100"][1:3] == (None, 2027)
    assert after[A][1] == before["130000"][0]
    with transaction(engine) as session:
        stored = list(session.execute(select(Budget)).scalars())
        budgets = [
            floor2(r).model_copy(update={"parent_id": str(r.parent_id) if r.parent_id else None})
            for r in stored
        ]
        assert check_cascade(budgets, enterprise_regions(session)) == []


def test_a_refused_projects_freed_hold_does_not_block_deleting(
    engine: Engine, hebei: Actor
) -> None:
    plant = _actor(engine, "plant", "enterprise", enterprises=[B])
    with transaction(engine) as session:
        save_budgets(
            session, hebei, [{**CASCADE[0], "cap": 500_000}, {**CASCADE[2], "cap": 200_000}]
        )
    tangshan = _stored(engine)["130200"][0]
    with transaction(engine) as session:
        application = PolicyApplication(
            kind="project", enterprise_id=B, body={}, verdict={}, submitted_by=plant.user_id
        )
        session.add(application)
        session.flush()
        number = application.application_id
        hold(session, tangshan, number, 76_503.0)
    with pytest.raises(InputError, match="hold part"), transaction(engine) as session:
        delete_budget(session, hebei, tangshan)  # pending: held
    with transaction(engine) as session:
        settle(session, number, approved=False)  # refused: released, holds nothing
    with transaction(engine) as session:
        delete_budget(session, hebei, tangshan)
        assert session.execute(select(BudgetCommitment)).first() is None
    assert "130200" not in _stored(engine)


def test_an_id_past_the_stores_column_is_no_budget(engine: Engine, hebei: Actor) -> None:
    # 2^70 does not fit the 32-bit id column (SQLite raised OverflowError: exit 70)
    from carbonpeak.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no budget"), transaction(engine) as session:
        delete_budget(session, hebei, 2**70)
