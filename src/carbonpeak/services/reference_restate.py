"""Figures "as reported" or "restated" (issue 20 part 4): each stored account keeps the
reference library it was computed with (its `reference_digest`); a view either sums those
stored results as they are ("as reported"), or accounts the same official reports again with
the library in force now, the approved editions included ("restated"). Neither is silent: a
view says which it shows, and the restatement report says what changed and why (the editions
approved since)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import pandas as pd
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from carbonpeak.accounting.engine import TOTAL_COLUMNS, account
from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting_versions import _official, roll_up_visible
from carbonpeak.services.reference_impact import accounted_apart, stored_activity
from carbonpeak.store.models import AccountResult, Enterprise, Submission

Basis = Literal["reported", "restated"]
BASES: tuple[Basis, ...] = ("restated", "reported")
_KEYS = ("region_code", "province_code", "industry_code", "industry_division")


def computed_otherwise(session: Session, actor: Actor, digest: str) -> int:
    """How many official accounts the caller sees were computed with another library than
    `digest` (none: the restated figures are the reported ones, nothing is computed again)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(AccountResult)
            .join(Submission, Submission.submission_id == AccountResult.submission_id)
            .join(Enterprise, Enterprise.enterprise_id == Submission.enterprise_id)
            .where(_official(), actor.visible(), AccountResult.reference_digest != digest)
        )
        or 0
    )


def restated_totals(session: Session, actor: Actor, reference: Reference) -> pd.DataFrame:
    """Per official enterprise-period the caller sees: its totals accounted with `reference`,
    with the enterprise's region and industry. A report `reference` cannot account (it uses
    what a withdrawn edition added) counts as reported, and is named in the frame's
    `attrs["not_restated"]` (enterprise_id, period, problem)."""
    columns = ["enterprise_id", "period", "region_code", "industry_code", *TOTAL_COLUMNS]
    activity, enterprises = stored_activity(session, actor)
    if activity.empty:
        return pd.DataFrame(columns=columns)
    totals, failed = accounted_apart(activity, enterprises, reference)
    if failed:
        pairs = [(f["enterprise_id"], f["period"]) for f in failed]
        stored = session.execute(
            select(
                Submission.enterprise_id,
                Submission.period,
                *(getattr(AccountResult, c) for c in TOTAL_COLUMNS),
            )
            .join(AccountResult, AccountResult.submission_id == Submission.submission_id)
            .where(_official(), tuple_(Submission.enterprise_id, Submission.period).in_(pairs))
        ).all()
        reported = pd.DataFrame(stored, columns=["enterprise_id", "period", *TOTAL_COLUMNS])
        totals = pd.concat([totals, reported], ignore_index=True)
    merged = totals.merge(enterprises, on="enterprise_id", how="left")[columns]
    merged.attrs["not_restated"] = failed
    return merged


def roll_up(
    session: Session,
    actor: Actor,
    reference: Reference,
    by: str = "region_code",
    year: str | None = None,
    basis: Basis = "restated",
    restated: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """`accounting_versions.roll_up_visible` on either basis: the stored results as reported,
    or the same reports accounted with `reference` (the library in force); the two are the same
    figures when every account was computed with that library. `restated`: the totals of
    `restated_totals`, when the caller has them already (one accounting for several roll-ups)."""
    if by not in _KEYS:
        raise InputError(Problem(Place(field="by"), f"choose one of {', '.join(_KEYS)}"))
    if basis == "reported" or not computed_otherwise(session, actor, reference.digest):
        return roll_up_visible(session, actor, by=by, year=year)
    totals = restated if restated is not None else restated_totals(session, actor, reference)
    if year:
        totals = totals[totals["period"].astype(str).str.startswith(year)]
    key = {
        "region_code": totals["region_code"],
        "province_code": totals["region_code"].str[:2] + "0000",
        "industry_code": totals["industry_code"],
        "industry_division": totals["industry_code"].str[:2],
    }[by]
    grouped = totals.assign(group=key).groupby(["group", "period"], sort=True)
    out = []
    for (group, period), part in grouped:
        out.append(
            {
                by: str(group),
                "period": str(period),
                "enterprises": int(part["enterprise_id"].nunique()),
                **{c: float(part[c].sum()) for c in TOTAL_COLUMNS},
            }
        )
    return out


def restatement(session: Session, actor: Actor) -> dict[str, Any]:
    """The restatement report of the caller's scope: per year the official reports' totals as
    reported and as restated with the library in force, with their difference; how many
    accounts were computed with another library; and the approved editions, each with what it
    changed (why the figures differ)."""
    from carbonpeak.services.reference import library_in_force
    from carbonpeak.services.reference_editions import edition_view, list_editions

    reference = library_in_force(session)
    others = computed_otherwise(session, actor, reference.digest)
    restated = restated_totals(session, actor, reference) if others else None
    years: dict[str, dict[str, Any]] = {}
    for basis in BASES:
        rows = roll_up(
            session, actor, reference, by="province_code", basis=basis, restated=restated
        )
        for row in rows:
            entry = years.setdefault(str(row["period"])[:4], {"year": str(row["period"])[:4]})
            for column in ("energy_tce", "co2_t", "co2e_t"):
                key = f"{column}_{basis}"
                entry[key] = entry.get(key, 0.0) + float(row[column])
    for entry in years.values():
        for column in ("energy_tce", "co2_t", "co2e_t"):
            was, now = entry[f"{column}_reported"], entry[f"{column}_restated"]
            entry[f"{column}_change_pct"] = (now - was) / was * 100 if was else None
    listed = list_editions(session)
    approved = [e for e in listed if e["state"] == "approved"]
    return {
        "digest": reference.digest,
        "accounts_with_another_library": others,
        # reports the library in force cannot account (they use what a withdrawn edition
        # added): counted as reported, each with its first problem
        "not_restated": [] if restated is None else restated.attrs.get("not_restated", []),
        # withdrawn editions explain a difference too: what was in force is no longer
        "withdrawn": [e for e in listed if e["state"] == "withdrawn"],
        "years": [years[y] for y in sorted(years)],
        # what each changed (its impact is on its own page)
        "editions": [
            edition_view(session, e["edition_id"], actor, impact=False) for e in reversed(approved)
        ],
    }


MEASURES = ("energy_tce", "co2_t", "co2e_t")


def restated_account(
    session: Session, actor: Actor, reported: dict[str, Any] | None
) -> dict[str, Any] | None:
    """An enterprise-period's official account as reported beside its activity accounted
    again with the library in force, measure by measure, with the editions approved since it
    was computed; None where it was computed with the library in force or the figures are the
    same (or it is not the official version, which the restated figures count)."""
    from carbonpeak.services.accounting_versions import OFFICIAL_STATES
    from carbonpeak.services.reference import library_in_force

    if reported is None or reported.get("state") not in OFFICIAL_STATES:
        return None
    reference = library_in_force(session)
    if reported.get("reference_digest") == reference.digest:
        return None
    activity, enterprises = stored_activity(
        session, actor, str(reported["enterprise_id"]), str(reported["period"])
    )
    if activity.empty:
        return None
    try:
        [totals] = account(activity, enterprises, reference=reference).totals.to_dict("records")
    except InputError as error:  # it uses what a withdrawn edition added: said, not hidden
        return {"measures": [], "editions": _since(session, reported), "problem": error.problems[0]}
    if all(
        abs(float(totals[m]) - float(reported[m])) <= 1e-9 * abs(float(reported[m]))
        for m in MEASURES
    ):
        return None  # another library, the same figures: nothing to restate
    return {
        "measures": [
            {
                "measure": m,
                "reported": float(reported[m]),
                "restated": float(totals[m]),
                "change_pct": (float(totals[m]) - float(reported[m])) / float(reported[m]) * 100
                if reported[m]
                else None,
            }
            for m in MEASURES
        ],
        "editions": _since(session, reported),
        "problem": None,
    }


def _since(session: Session, reported: dict[str, Any]) -> list[dict[str, Any]]:
    """The editions approved, or withdrawn, since `reported` was computed: why its figures
    restated differ (review 22 M3)."""
    from carbonpeak.services.reference_editions import list_editions

    computed = _instant(str(reported.get("computed_at") or ""))
    return [
        e
        for e in list_editions(session)
        if (e["state"] == "approved" and _instant(e["decided_at"] or "") > computed)
        or (e["state"] == "withdrawn" and _instant(e["withdrawn_at"] or "") > computed)
    ]


def _instant(text: str) -> datetime:
    """An ISO time as an aware instant (a store that keeps no zone keeps UTC)."""
    if not text:
        return datetime.min.replace(tzinfo=UTC)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
