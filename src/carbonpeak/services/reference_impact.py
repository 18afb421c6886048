"""What an edition of the reference library would change on data already stored (issue 20):
the official version of every enterprise-period's report accounted twice, with the library
before and after the edition, and compared year by year ("1,231 accounts of 2025 change; total
CO2e -0.4%"). The stored results are not touched: they keep the edition they were computed
with ("as reported")."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.accounting.engine import TOTAL_COLUMNS, account
from carbonpeak.errors import InputError
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting_versions import _official
from carbonpeak.store.models import ActivityLine, Enterprise, Submission

# a total is changed when it moves by more than this share of itself (or 1 g where it is 0)
RELATIVE = 1e-9
MEASURES = ("energy_tce", "co2_t", "co2e_t")


def stored_activity(
    session: Session,
    actor: Actor | None = None,
    enterprise_id: str | None = None,
    period: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The activity lines of every enterprise-period's official version (of the enterprises
    `actor` sees, if given; of one enterprise and period, if given), and the enterprises they
    are of (enterprise_id, region_code, industry_code)."""
    query = (
        select(ActivityLine.values, ActivityLine.row)
        .join(Submission, Submission.submission_id == ActivityLine.submission_id)
        .join(Enterprise, Enterprise.enterprise_id == Submission.enterprise_id)
        .where(_official())
        .order_by(ActivityLine.line_id)
    )
    if actor is not None:
        query = query.where(actor.visible())
    if enterprise_id is not None:
        query = query.where(Submission.enterprise_id == enterprise_id)
    if period is not None:
        query = query.where(Submission.period == period)
    rows = session.execute(query).all()
    frame = pd.DataFrame([{**values, "row": row} for values, row in rows])
    if frame.empty:
        return frame, pd.DataFrame(columns=["enterprise_id", "region_code", "industry_code"])
    codes = sorted(set(frame["enterprise_id"]))
    enterprises = pd.DataFrame(
        session.execute(
            select(
                Enterprise.enterprise_id, Enterprise.region_code, Enterprise.industry_code
            ).where(Enterprise.enterprise_id.in_(codes))
        ).all(),
        columns=["enterprise_id", "region_code", "industry_code"],
    )
    return frame, enterprises


def accounted_apart(
    activity: pd.DataFrame, enterprises: pd.DataFrame, reference: Reference
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The totals of every enterprise-period of `activity` that `reference` accounts, and the
    reports it does not (enterprise_id, period and the first problem), rather than one failure
    for the whole store: a library may lack what a stored report uses (an item an edition added
    and a reviewer withdrew). The reports are tried one by one only when the whole fails, those
    holding a line of a problem's row first."""
    failed: list[dict[str, Any]] = []
    keys = activity["enterprise_id"].astype(str) + "\0" + activity["period"].astype(str)
    remaining = activity
    while not remaining.empty:
        try:
            return account(remaining, enterprises, reference=reference).totals, failed
        except InputError as error:
            rows = {p.place.row for p in error.problems if p.place.row is not None}
            held = keys[remaining.index]
            suspects = held[remaining["row"].isin(rows)] if "row" in remaining else held
            bad = []
            suspected = set(suspects)
            for key in dict.fromkeys([*suspects, *held]):
                part = remaining[held == key]
                try:
                    account(part, enterprises, reference=reference)
                except InputError as why:
                    enterprise_id, period = key.split("\0")
                    bad.append(key)
                    failed.append(
                        {
                            "enterprise_id": enterprise_id,
                            "period": period,
                            "problem": why.problems[0],
                        }
                    )
                    if key in suspected:
                        break  # a suspect found: account the rest again at once
            if not bad:
                raise
            remaining = remaining[~held.isin(bad)]
    return pd.DataFrame(columns=["enterprise_id", "period", *TOTAL_COLUMNS]), failed


def impact(
    activity: pd.DataFrame, enterprises: pd.DataFrame, before: Reference, after: Reference
) -> list[dict[str, Any]]:
    """Per year: the accounts, how many change, and each measure's total before and after
    with its change in percent."""
    if activity.empty:
        return []
    totals = {
        name: account(activity, enterprises, reference=reference).totals.set_index(
            ["enterprise_id", "period"]
        )[list(MEASURES)]
        for name, reference in (("before", before), ("after", after))
    }
    old, new = totals["before"].align(totals["after"], join="outer", fill_value=0.0)
    moved = ((new - old).abs() > (old.abs() * RELATIVE).clip(lower=1e-6)).any(axis=1)
    year = pd.Series([str(p)[:4] for p in old.index.get_level_values("period")], index=old.index)
    out = []
    for y in sorted(set(year)):
        mask = year == y
        row: dict[str, Any] = {
            "year": y,
            "accounts": int(mask.sum()),
            "changed": int(moved[mask].sum()),
        }
        for measure in MEASURES:
            was, now = float(old.loc[mask, measure].sum()), float(new.loc[mask, measure].sum())
            row[f"{measure}_before"], row[f"{measure}_after"] = was, now
            row[f"{measure}_change_pct"] = (now - was) / was * 100 if was else None
        out.append(row)
    return out


def impact_on_store(
    session: Session, before: Reference, after: Reference, actor: Actor | None = None
) -> list[dict[str, Any]]:
    """`impact` on the store's official reports (those `actor` may see, if given)."""
    activity, enterprises = stored_activity(session, actor)
    return impact(activity, enterprises, before, after)
