"""The review workflow in the store (SQLite and PostgreSQL): each step checked against the
transition table, audited in the hash chain; returning a project frees the budget it held and
its resubmission holds anew."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select

from carbonpeak.errors import Conflict, InputError, PermissionDenied
from carbonpeak.services.access import Actor
from carbonpeak.services.budgets import save_budgets
from carbonpeak.services.policy import review, submit_application
from carbonpeak.store import audit
from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry, BudgetCommitment
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
