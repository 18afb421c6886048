"""The review workflow in the store (SQLite and PostgreSQL): each step checked against the
transition table, audited in the hash chain; returning a project frees the budget it held and
its resubmission holds anew."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carbonpeak.errors import Conflict, InputError, PermissionDenied
from carbonpeak.services.access import Actor
from carbonpeak.services.budgets import save_budgets
from carbonpeak.services.policy import review, submit_application
from carbonpeak.store import audit
from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry, BudgetCommitment, PolicyApplication
from tests.policy.budget_people import B, _actor
from tests.policy.test_budgets_store import CASCADE


def test_return_frees_the_budget_and_the_resubmission_holds_it_anew(
    engine: Engine, hebei: Actor
) -> None:
    # Tangshan's 2026 budget 80,000 t; the hand-worked clinker line (test_project_assessment)
    # holds its 77,363.99 t while pending, frees it when returned; the corrected one holds it
    from tests.policy.test_project_assessment import CO2, _line

    plant = _actor(engine, "plant", "enterprise", enterprises=[B])
    day = date(2026, 3, 1)
    with transaction(engine) as session:
        save_budgets(
            session, hebei, [{**CASCADE[0], "cap": 200_000}, {**CASCADE[2], "cap": 80_000}]
        )
        first = submit_application(session, plant, "project", B, _line(), day)
    number = first["application_id"]
    with transaction(engine) as session:
        with pytest.raises(PermissionDenied):
            review(session, plant, number, "take", None)  # the applicant does not review
        assert review(session, hebei, number, "take", None)["state"] == "under_review"
    with transaction(engine) as session, pytest.raises(InputError, match="comment"):
        review(session, hebei, number, "return", "  ")
    with transaction(engine) as session:
        back = review(session, hebei, number, "return", "补充能评报告")
    assert (back["state"], back["comment"]) == ("returned", "补充能评报告")
    with transaction(engine) as session:
        with pytest.raises(Conflict, match="an application returned cannot be approved"):
            review(session, hebei, number, "approve", None)
        again = submit_application(session, plant, "project", B, _line(), day, resubmits=number)
        held = dict(
            session.execute(select(BudgetCommitment.application_id, BudgetCommitment.state)).all()
        )
    # the returned one released, the corrected one holding the whole line again
    assert held == {number: "released", again["application_id"]: "pending"}
    assert again["verdict"]["region_budget"]["remaining_after_t"] == pytest.approx(80_000 - CO2)
    with transaction(engine) as session, pytest.raises(Conflict, match="resubmitted"):
        submit_application(session, plant, "project", B, _line(), day, resubmits=number)
    with transaction(engine) as session:
        review(session, hebei, again["application_id"], "approve", None)
        actions = [
            a
            for (a,) in session.execute(
                select(AuditEntry.action)
                .where(AuditEntry.action.like("application.%"))
                .order_by(AuditEntry.seq)
            )
        ]
        assert audit.verify(session).ok
    assert actions == [
        "application.submit",
        "application.take",
        "application.return",
        "application.resubmit",
        "application.submit",
        "application.approve",
    ]


def test_a_resubmission_keeps_kind_and_enterprise(engine: Engine, hebei: Actor) -> None:
    from tests.policy.test_project_assessment import _line

    plant = _actor(engine, "plant", "enterprise", enterprises=[B])
    with transaction(engine) as session:
        first = submit_application(session, plant, "project", B, _line(), date(2026, 3, 1))
        with pytest.raises(Conflict, match="only one returned can"):
            submit_application(
                session, plant, "project", B, _line(), resubmits=first["application_id"]
            )
        with pytest.raises(InputError, match="keeps the kind"):
            submit_application(session, plant, "factory", B, {}, resubmits=first["application_id"])


def _concurrently(
    engine: Engine, first: Callable[[Session], Any], second: Callable[[Session], Any]
) -> BaseException | None:
    """`first` in a transaction left open while `second` runs in another session (a thread);
    `second`'s error (None if it succeeded) once `first` has committed."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            with transaction(engine) as other:
                second(other)
            outcome.append(None)
        except BaseException as error:  # handed back to the test
            outcome.append(error)

    with transaction(engine) as session:
        first(session)
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(1.0)
        assert thread.is_alive()  # waiting on the application row the first step locked
    thread.join(30)
    assert not thread.is_alive()
    return outcome[0]


# PostgreSQL only: SQLite has no row locks (a writer holds the whole file)
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_two_reviewers_and_two_resubmissions_of_one_application_are_serialised(
    engine: Engine, hebei: Actor
) -> None:
    # PostgreSQL, READ COMMITTED: without the row lock both steps read `under_review` and both
    # pass the transition check (the last writer wins); locked, the second waits and then
    # finds the first's state
    from tests.policy.test_project_assessment import _line

    plant = _actor(engine, "plant", "enterprise", enterprises=[B])
    day = date(2026, 3, 1)
    with transaction(engine) as session:
        save_budgets(
            session, hebei, [{**CASCADE[0], "cap": 200_000}, {**CASCADE[2], "cap": 80_000}]
        )
        number = submit_application(session, plant, "project", B, _line(), day)["application_id"]
        review(session, hebei, number, "take", None)
    refused = _concurrently(
        engine,
        lambda s: review(s, hebei, number, "return", "补充能评报告"),
        lambda s: review(s, hebei, number, "approve", "x"),
    )
    assert isinstance(refused, Conflict) and "returned cannot be approved" in str(refused)
    twice = _concurrently(
        engine,
        lambda s: submit_application(s, plant, "project", B, _line(), day, resubmits=number),
        lambda s: submit_application(s, plant, "project", B, _line(), day, resubmits=number),
    )
    assert isinstance(twice, Conflict) and "resubmitted cannot be resubmitted" in str(twice)
    with transaction(engine) as session:
        held = session.execute(
            select(BudgetCommitment.state).where(BudgetCommitment.application_id == number)
        ).scalar_one()
        states = session.execute(
            select(PolicyApplication.state).order_by(PolicyApplication.application_id)
        ).scalars()
        assert (held, list(states)) == ("released", ["resubmitted", "submitted"])
