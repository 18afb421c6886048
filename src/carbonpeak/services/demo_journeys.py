"""What makes each demo login a journey, added through the services after the province and its
dual control are loaded (`services.demo`): the demo enterprise's later annual reports (a second
year verified by the regulator, a third returned to it with a comment to fix) and the
regulator's decisions on the demo's project applications (one approved, one refused, both
applied for again so that two still wait). Loading it again adds nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.services.access import Actor
from carbonpeak.store.models import PolicyApplication, Submission, User

# synthetic later years of the demo enterprise: its demo-year activity scaled (an efficiency
# gain the demo invents, not a measured one)
LATER_YEARS = (("2024", 0.97, "verify"), ("2025", 0.93, "return"))
RETURN_COMMENT = (
    "2025 年外购电力比 2024 年低 4%，但产量未变：请核对电费发票后修改并重新提交。"
    " (Purchased electricity is 4% below 2024 at the same output: check it against the"
    " electricity bills, correct and submit again.)"
)
REFUSE_COMMENT = (
    "项目单位产品能耗高于准入值，不予通过。 (The project's energy per unit of product is above"
    " the entry level: refused.)"
)


def _user(session: Session, name: str) -> Actor:
    return Actor.of(session.execute(select(User).where(User.username == name)).scalar_one())


def later_years(session: Session, activity: pd.DataFrame, enterprise_id: str) -> list[int]:
    """Submit the demo enterprise's later annual reports (by `demo-enterprise`), the regulator
    verifying the first and returning the second with a comment; the submission ids made
    (none when they are there already)."""
    from carbonpeak.services.accounting import review, submit

    enterprise, regulator = _user(session, "demo-enterprise"), _user(session, "demo-regulator")
    held = session.execute(
        select(Submission.submission_id).where(
            Submission.enterprise_id == enterprise_id, Submission.period == LATER_YEARS[0][0]
        )
    ).first()
    if held is not None:
        return []
    own = activity[activity["enterprise_id"] == enterprise_id]
    made = []
    for period, factor, action in LATER_YEARS:
        rows = own.assign(
            period=period,
            amount=(pd.to_numeric(own["amount"]) * factor).map(lambda v: f"{v:.6g}"),
        )
        for sent in submit(session, enterprise, rows, f"demo-province/activity_{period}.csv"):
            comment = RETURN_COMMENT if action == "return" else None
            review(session, regulator, sent["submission_id"], action, comment)
            made.append(int(sent["submission_id"]))
    return made


def decide_applications(
    session: Session, projects: list[tuple[str, dict[str, Any]]], as_of: date
) -> list[dict[str, Any]]:
    """The regulator approves the demo's first project application and refuses the second;
    `demo-enterprise` applies for both again (two wait for a decision). Only when the first two
    are both waiting (a demo loaded before)."""
    from carbonpeak.services.policy import decide, submit_application

    rows = list(
        session.execute(
            select(PolicyApplication)
            .where(PolicyApplication.kind == "project")
            .order_by(PolicyApplication.application_id)
        ).scalars()
    )
    if len(rows) != 2 or any(r.state != "submitted" for r in rows):
        return []
    regulator, applicant = _user(session, "demo-regulator"), _user(session, "demo-enterprise")
    done = [
        decide(session, regulator, rows[0].application_id, "approve", None),
        decide(session, regulator, rows[1].application_id, "refuse", REFUSE_COMMENT),
    ]
    for enterprise_id, body in projects:
        submit_application(session, applicant, "project", enterprise_id, body, as_of)
    return done
