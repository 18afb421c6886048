"""The policy wing's use cases: applications to the policy instruments and the energy-use
control of an uploaded table.

A project application is assessed against the stored CO2 budget of its region
(`services.budgets.region_budget`) for the year of its submission day (the server's clock, China
Standard Time; never the applicant's `application_date`, which could backdate the use to date),
and holds its annual CO2 of that budget while it is reviewed: approval debits it, refusal frees
it. Its `region_code` must lie inside its enterprise's region. Where a budget is stored it
replaces any `region_budget` the applicant typed (the verdict's `region_budget_source` says
`platform`, and a warning says the typed one was replaced); without one, a typed
`region_budget` is taken as the applicant's statement (`applicant`) and nothing is held.

Applications: an enterprise (or the administrator) submits one, the instrument's verdict is
stored with it, and a regulator of its region reviews it (`review`: take it under review, return
it to the applicant with a comment saying what to fix, approve or refuse it), each step checked
against the transition table of `policy.application_states` (a step the state does not allow is
a `Conflict`, HTTP 409). The applicant corrects a returned application by submitting a new one
that names it (`resubmits`): the earlier one becomes `resubmitted`, the new one starts again as
`submitted`. Returning an application frees the budget it held (its resubmission holds anew).
Submissions and every step go into the audit log. Kinds: `swap` (capacity replacement),
`project` (two-high screening),
`datacentre`, `factory` (green-factory sheet), each an entry of `policy.INSTRUMENTS` whose
`Verdict` is stored in its dict form. Approving an application whose verdict is not compliant
needs a comment that says why.

Energy-use control (`track_caps`): computed on an uploaded regional table, nothing stored.

Every verdict is computed with the library in force (`services.reference.library_in_force`:
the shipped tables with the approved editions).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.domain.days import china_today
from carbonpeak.domain.warnings import warn
from carbonpeak.errors import (
    N_,
    Conflict,
    InputError,
    NotFoundError,
    PermissionDenied,
    Place,
    Problem,
)
from carbonpeak.io.tables import place_problems, read_upload
from carbonpeak.policy import APPLICATION_KINDS, INSTRUMENTS
from carbonpeak.policy.application_states import (
    BY_REGULATOR,
    NEEDS_COMMENT,
    TransitionRefused,
    next_state,
)
from carbonpeak.policy.budgets import contains
from carbonpeak.policy.verdict import stored_compliance, stored_verdict
from carbonpeak.services.access import Actor
from carbonpeak.services.budgets import hold, region_budget, settle
from carbonpeak.services.enterprises import get_enterprise, reachable
from carbonpeak.services.reference import library_in_force
from carbonpeak.store import audit
from carbonpeak.store.models import Enterprise, PolicyApplication

KINDS = APPLICATION_KINDS
DECISIONS = {"approve": "approved", "refuse": "refused"}
REVIEW_ACTIONS = ("take", "return", "approve", "refuse")


def submission_day() -> date:
    """Today in China Standard Time: the day a submission is assessed as of."""
    return china_today()


def _as_dict(row: PolicyApplication) -> dict[str, Any]:
    return {
        "application_id": row.application_id,
        "kind": row.kind,
        "enterprise_id": row.enterprise_id,
        "state": row.state,
        "compliant": stored_compliance(row.verdict),
        "verdict": stored_verdict(row.verdict),
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "comment": row.comment,
        "resubmits": row.resubmits,
    }


def submit_application(
    session: Session,
    actor: Actor,
    kind: str,
    enterprise_id: str,
    body: dict[str, Any],
    today: date | None = None,
    resubmits: int | None = None,
) -> dict[str, Any]:
    """Run the engine on the application and store it with its verdict. `today`: the
    submission day a project's region budget is taken as of (None: `submission_day()`).
    `resubmits`: the returned application (same enterprise and kind) this one corrects."""
    if kind not in KINDS:
        raise InputError(
            [Problem(Place(field="kind"), f"{kind!r} is not one of {', '.join(KINDS)}")]
        )
    # as JSON stores it (YAML gives dates and the like): the stored body is what was checked
    body = json.loads(json.dumps(body, default=str))
    enterprise = get_enterprise(session, actor, enterprise_id)
    if actor.role == "regulator":
        raise PermissionDenied("regulators decide on applications; enterprises submit them")
    earlier = _returned(session, actor, resubmits, kind, enterprise_id)
    budget = None
    typed = body.get("region_budget") is not None
    if kind == "project":
        _check_region(body, enterprise.region_code)
        # a body that gives no CO2 (a two-high screen of energy alone) is not weighed against
        # the budget: the assessment would refuse a budget it cannot weigh
        weighable = bool(body.get("energy")) or body.get("annual_co2_t") is not None
        if weighable:
            budget = _region_budget(session, body, today or submission_day())
    if budget is not None:  # the platform knows the region's budget: the assessment uses it
        body = {**body, "region_budget": {k: budget[k] for k in ("cap_t", "used_t", "committed_t")}}
    try:
        verdict = INSTRUMENTS[kind].run(body, library_in_force(session))
    except InputError as error:
        raise InputError(
            [Problem(Place(field=f"body.{p.place.field}"), p.message) for p in error.problems]
        ) from None
    if kind == "project":
        source = "platform" if budget is not None else "applicant" if typed else None
        verdict.detail["region_budget_source"] = source
        if budget is not None and typed:
            verdict.warnings.append(
                warn("policy.project_assessment.region_budget_replaced", year=budget["year"])
            )
    row = PolicyApplication(
        kind=kind,
        enterprise_id=enterprise_id,
        body=body,
        verdict=json.loads(json.dumps(verdict.as_dict(), default=str)),
        state="submitted",
        submitted_by=actor.user_id,
        resubmits=resubmits,
    )
    session.add(row)
    session.flush()
    if earlier is not None:
        before = _as_dict(earlier)
        earlier.state = next_state(earlier.state, "resubmit")
        session.flush()
        audit.record(
            session,
            actor.username,
            "application.resubmit",
            "policy_application",
            str(earlier.application_id),
            before=before,
            after=_as_dict(earlier) | {"resubmitted_as": row.application_id},
        )
    co2_t = verdict.detail.get("co2_t") if budget is not None else None
    if budget is not None and isinstance(co2_t, int | float) and co2_t > 0:
        hold(session, budget["budget_id"], row.application_id, float(co2_t))
    made = _as_dict(row)
    audit.record(
        session,
        actor.username,
        "application.submit",
        "policy_application",
        str(row.application_id),
        after=made,
    )
    return made


def _returned(
    session: Session, actor: Actor, resubmits: int | None, kind: str, enterprise_id: str
) -> PolicyApplication | None:
    """The returned application a resubmission corrects (None when it corrects none)."""
    if resubmits is None:
        return None
    # locked: two resubmissions of one returned application wait for each other (the second
    # then finds it resubmitted: 409), as two reviewers do in `review`
    earlier = session.get(
        PolicyApplication, resubmits, with_for_update=True, populate_existing=True
    )
    if earlier is None or not reachable(session, actor, earlier.enterprise_id):
        raise NotFoundError(f"no application {resubmits}")
    if (earlier.kind, earlier.enterprise_id) != (kind, enterprise_id):
        raise InputError(
            [
                Problem.of(
                    Place(field="resubmits"),
                    N_(
                        "application {0} is a {1} of {2}: a resubmission keeps the kind and "
                        "the enterprise"
                    ),
                    resubmits,
                    earlier.kind,
                    earlier.enterprise_id,
                )
            ]
        )
    try:
        next_state(earlier.state, "resubmit")
    except TransitionRefused as refused:
        raise Conflict([refused.problem(Place(field="resubmits"))]) from None
    return earlier


def _check_region(body: dict[str, Any], enterprise_region: str) -> None:
    """A project's region must lie inside its enterprise's region (a plant of Tangshan does not
    apply against Jiangsu's budget)."""
    region = body.get("region_code")
    if isinstance(region, str) and not contains(enterprise_region, region):
        raise InputError(
            [
                Problem(
                    Place(field="body.region_code"),
                    f"{region} is not inside the enterprise's region {enterprise_region}",
                )
            ]
        )


def _region_budget(session: Session, body: dict[str, Any], today: date) -> dict[str, Any] | None:
    """The stored CO2 budget of the project's region for the submission day's year (cap, use to
    date, what other projects hold), as of that day; None without one."""
    region = body.get("region_code")
    if not isinstance(region, str):
        return None
    budget = region_budget(session, region, today.year, today)
    return None if budget is None else {**budget, "year": today.year}


def list_applications(
    session: Session, actor: Actor, state: str | None = None
) -> list[dict[str, Any]]:
    """The applications of the enterprises the actor can see, newest first, each with its
    `enterprise_name` (from the same query)."""
    query = (
        select(PolicyApplication, Enterprise.name)
        .join(Enterprise, Enterprise.enterprise_id == PolicyApplication.enterprise_id)
        .where(actor.visible())
        .order_by(PolicyApplication.application_id.desc())
    )
    if state is not None:
        query = query.where(PolicyApplication.state == state)
    # with the body sent: a returned application's corrected version starts from it
    return [
        _as_dict(r) | {"body": r.body, "enterprise_name": name}
        for r, name in session.execute(query).all()
    ]


def decide(
    session: Session, actor: Actor, application_id: int, decision: str, comment: str | None
) -> dict[str, Any]:
    """A regulator of the enterprise's region (or the administrator) approves or refuses;
    also takes it under review (`take`) or returns it with a comment (`return`): see
    `review`."""
    return review(session, actor, application_id, decision, comment)


def review(
    session: Session, actor: Actor, application_id: int, action: str, comment: str | None
) -> dict[str, Any]:
    """A step of the regulator's review: `take`, `return` (a comment saying what to fix),
    `approve` (a comment when the rules find it non-compliant) or `refuse`. A step the
    application's state does not allow is a `Conflict` naming the states that allow it."""
    # locked until the step commits: a second reviewer of the same application waits, then
    # finds the state the first left (a refused transition, 409), not the one both read
    row = session.get(
        PolicyApplication, application_id, with_for_update=True, populate_existing=True
    )
    if row is None or not reachable(session, actor, row.enterprise_id):
        raise NotFoundError(f"no application {application_id}")
    if actor.role not in ("regulator", "admin"):
        raise PermissionDenied("only a regulator reviews and decides on an application")
    if action not in BY_REGULATOR:
        raise InputError(
            [
                Problem.of(
                    Place(field="decision"),
                    N_("{0!r} is not one of {1}"),
                    action,
                    ", ".join(REVIEW_ACTIONS),
                )
            ]
        )
    try:
        state = next_state(row.state, action)
    except TransitionRefused as refused:
        raise Conflict([refused.problem(Place(field="decision"))]) from None
    text = (comment or "").strip()
    if action in NEEDS_COMMENT and not text:
        raise InputError(
            [
                Problem.of(
                    Place(field="comment"),
                    N_("returning an application needs a comment saying what to fix"),
                )
            ]
        )
    if action == "approve" and not stored_compliance(row.verdict) and not text:
        raise InputError(
            [
                Problem.of(
                    Place(field="comment"),
                    N_("approving an application the rules find non-compliant needs a comment"),
                )
            ]
        )
    before = _as_dict(row)
    row.state = state
    row.decided_by = actor.user_id
    row.decided_at = datetime.now(UTC)
    if action != "take":
        row.comment = text or None
    if action in DECISIONS:
        settle(session, application_id, approved=action == "approve")
    elif action == "return":  # the budget it held is freed: its resubmission holds anew
        settle(session, application_id, approved=False)
    session.flush()
    after = _as_dict(row)
    audit.record(
        session,
        actor.username,
        f"application.{action}",
        "policy_application",
        str(application_id),
        before=before,
        after=after,
    )
    return after


def caps_targets(session: Session) -> list[str]:
    """The targets of `intensity_targets` in the library in force that `track_caps` tracks
    against (the caps page's choices)."""
    return [str(r["target"]) for r in library_in_force(session).rows("intensity_targets")]


def track_caps(session: Session, name: str, content: bytes, target: str) -> dict[str, Any]:
    """The energy-use control of an uploaded regional table against a target of the library
    in force."""
    caps = INSTRUMENTS["caps"]
    reference = library_in_force(session)
    data = {"target": target, "table": read_upload(name, content, "regions")}
    try:
        tracking = caps.parse(data, reference)
    except InputError as error:  # the table's problems are placed in the uploaded file
        raise InputError(
            [
                p if p.place.field == "target" else place_problems([p], Path(name), "regions")[0]
                for p in error.problems
            ]
        ) from None
    return caps.judge(tracking, reference).as_dict()
