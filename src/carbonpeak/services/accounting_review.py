"""The review of submitted reports: the enterprise submits a draft; a regulator (or admin)
returns it with a reason, verifies or approves it (`TRANSITIONS`); each step audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import (
    N_,
    InputError,
    NotFoundError,
    PermissionDenied,
    Place,
    Problem,
)
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting_versions import summary_of
from carbonpeak.store import audit
from carbonpeak.store.models import (
    Enterprise,
    Submission,
)


def check_submitter(actor: Actor) -> None:
    if actor.role not in ("admin", "enterprise"):
        raise PermissionDenied("only an enterprise user (or an admin) submits reports")


TRANSITIONS = {
    "submit": ("draft", "submitted"),
    "return": ("submitted", "returned"),
    "verify": ("submitted", "verified"),
    "approve": ("verified", "approved"),
}


def _visible_submission(session: Session, actor: Actor, submission_id: int) -> Submission:
    row = session.execute(
        select(Submission, Enterprise)
        .join(Enterprise, Enterprise.enterprise_id == Submission.enterprise_id)
        .where(Submission.submission_id == submission_id)
    ).first()
    if (
        row is None
        or not actor.can_see(row[1].enterprise_id, row[1].region_code)
        or (row[0].state == "draft" and actor.role == "regulator")
    ):
        raise NotFoundError(f"no submission {submission_id}")
    submission: Submission = row[0]
    return submission


def review(
    session: Session, actor: Actor, submission_id: int, action: str, comment: str | None = None
) -> dict[str, Any]:
    """The enterprise submits a draft; a regulator (or admin) returns, verifies or approves."""
    submission = _visible_submission(session, actor, submission_id)
    reviewers = ("enterprise", "admin") if action == "submit" else ("regulator", "admin")
    if actor.role not in reviewers:
        raise PermissionDenied(
            "only the enterprise submits its draft"
            if action == "submit"
            else "only a regulator reviews submissions"
        )
    if action not in TRANSITIONS:
        raise InputError(
            Problem.of(Place(field="action"), N_("choose one of {}"), ", ".join(TRANSITIONS))
        )
    source = TRANSITIONS[action][0]
    if submission.state != source:
        raise InputError(
            Problem.of(
                Place(field="action"),
                N_("cannot {} a {} submission"),
                action,
                submission.state,
            )
        )
    if action == "return" and not (comment or "").strip():
        raise InputError(Problem.of(Place(field="comment"), N_("say why the report is returned")))
    transition(session, actor, submission, action, comment)
    return summary_of(submission, created=False) | {"comment": submission.comment}


def transition(
    session: Session, actor: Actor, submission: Submission, action: str, comment: str | None
) -> None:
    """Put a submission in the state `action` leads to, with its audit entry."""
    before = {"state": submission.state, "comment": submission.comment}
    submission.state, submission.comment = TRANSITIONS[action][1], comment or submission.comment
    submission.updated_at = datetime.now(UTC)
    audit.record(
        session,
        actor.username,
        f"submission.{action}",
        "submission",
        str(submission.submission_id),
        before,
        {"state": submission.state, "comment": submission.comment},
    )
    session.flush()
