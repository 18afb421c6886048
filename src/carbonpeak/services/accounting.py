"""Submissions: an activity table goes in whole or not at all, and comes out as accounts.

`submit` checks the whole table (every problem at once), checks that the caller may report for
every enterprise in it, then, per enterprise and period, stores a new version of the report
with its rows and its computed accounts in one transaction. A table whose rows for an
enterprise and period are the same as the latest version's is that version (same content hash),
not a new one; the content of an older version sent again is a new version, so a wrong upload is
undone by sending the right file again.

Which version counts: regulators, roll-ups, grades and overviews use each enterprise-period's
official version (`OFFICIAL_STATES`); an enterprise sees its own latest, drafts marked as such.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Label, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from carbonpeak import __version__
from carbonpeak.accounting.activity import COLUMNS, check_activity
from carbonpeak.accounting.economic import VALUE_ADDED_COLUMN
from carbonpeak.accounting.engine import TOTAL_COLUMNS, account
from carbonpeak.benchmarking.grades import grade
from carbonpeak.errors import (
    N_,
    CarbonpeakError,
    InputError,
    NotFoundError,
    PermissionDenied,
    Place,
    Problem,
)
from carbonpeak.io.activity import bilingual_activity
from carbonpeak.io.commits import fault_point
from carbonpeak.io.energy_form import read_energy_form_upload
from carbonpeak.io.headers import place_as_written
from carbonpeak.io.tables import place_problems, read_upload
from carbonpeak.reference.loader import Reference, default_reference
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import (
    enterprise_named,
    get_enterprise,
)
from carbonpeak.services.memo import kept
from carbonpeak.services.store import store_session
from carbonpeak.store import audit
from carbonpeak.store.models import (
    AccountResult,
    ActivityLine,
    Enterprise,
    GradeResult,
    ProductionUnit,
    Site,
    Submission,
    User,
)

RESULT_COLUMNS = (*TOTAL_COLUMNS, "uncertainty_pct")


def _content_hash(rows: list[dict[str, str]]) -> str:
    text = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def submit(
    session: Session,
    actor: Actor,
    activity: pd.DataFrame,
    file_name: str | None = None,
    reference: Reference | None = None,
    draft: bool = False,
) -> list[dict[str, Any]]:
    """Store and account an activity table; return one record per enterprise and period.
    A draft is stored and accounted but not yet submitted for review."""
    check_submitter(actor)
    ref = reference or default_reference()
    problems = check_activity(activity, ref)
    if problems:
        raise InputError(problems)
    frame = activity.copy()
    if "row" not in frame.columns:
        frame["row"] = np.arange(2, len(frame) + 2)
    frame["enterprise_id"] = frame["enterprise_id"].astype(str).str.strip()
    frame["period"] = frame["period"].astype(str).str.strip()
    codes = sorted(set(frame["enterprise_id"]))
    known = {
        e.enterprise_id: e
        for e in session.execute(
            select(Enterprise).where(Enterprise.enterprise_id.in_(codes))
        ).scalars()
    }
    access: list[Problem] = []
    for code in codes:
        enterprise = known.get(code)
        rows = frame.loc[frame["enterprise_id"] == code, "row"]
        place = Place(row=int(rows.iloc[0]), column="enterprise_id")
        if enterprise is None or not actor.can_see(code, enterprise.region_code):
            access.append(Problem.of(place, N_("{}: no such enterprise"), code))
    if access:
        raise InputError(sorted(access, key=lambda p: p.place.row or 0))

    enterprises = pd.DataFrame(
        [
            {
                "enterprise_id": e.enterprise_id,
                "region_code": e.region_code,
                "industry_code": e.industry_code,
            }
            for e in known.values()
        ]
    )
    columns = [c for c in COLUMNS if c in frame.columns]
    # The accounting (the long part) runs before the lock, so a large table does not hold up
    # the others: only reading the versions and writing the new ones run one after another.
    accounts = account(frame, enterprises, reference=ref)  # the whole table in one run
    results = {(r["enterprise_id"], r["period"]): r for r in accounts.results()}
    totals: dict[tuple[str, str], dict[str, float]] = {
        (str(r["enterprise_id"]), str(r["period"])): {c: float(r[c]) for c in RESULT_COLUMNS}
        for r in accounts.totals.to_dict("records")
    }
    graded: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for graded_row in grade(frame, enterprises, ref, accounts=accounts).results():
        graded.setdefault((str(graded_row["enterprise_id"]), str(graded_row["period"])), []).append(
            graded_row
        )
    fault_point("submission-accounted")
    audit.lock(session)  # submissions run one after another: versions are read, then written
    # what is stored already for these enterprises: versions and content hashes
    stored: dict[tuple[str, str], list[Submission]] = {}
    for row in session.execute(
        select(Submission).where(Submission.enterprise_id.in_(codes))
    ).scalars():
        stored.setdefault((row.enterprise_id, row.period), []).append(row)
    out = []
    for (code, period), group in frame.groupby(["enterprise_id", "period"], sort=True):
        key = (str(code), str(period))
        rows = [
            {c: "" if pd.isna(v) else str(v) for c, v in zip(columns, values, strict=True)}
            for values in group[columns].itertuples(index=False)
        ]
        digest = _content_hash(rows)
        earlier = stored.get(key, [])
        latest = max(earlier, key=lambda s: s.version, default=None)
        # (a returned version sent again unchanged is sent again: a new version)
        if latest is not None and latest.content_hash == digest and latest.state != "returned":
            # the same report again: nothing new, unless it now submits its own draft
            if latest.state == "draft" and not draft:
                _move(session, actor, latest, "submit", None)
            out.append(_summary(latest, created=False))
            continue
        # new content, or an earlier version's sent again to undo a later one: a new version
        version = latest.version + 1 if latest is not None else 1
        submission = Submission(
            enterprise_id=key[0],
            period=key[1],
            version=version,
            state="draft" if draft else "submitted",
            content_hash=digest,
            file_name=file_name,
            created_by=actor.user_id,
        )
        session.add(submission)
        session.flush()
        session.add_all(
            ActivityLine(submission_id=submission.submission_id, row=int(r), values=values)
            for r, values in zip(group["row"], rows, strict=True)
        )
        result, total = results[key], totals[key]
        session.add(
            AccountResult(
                submission_id=submission.submission_id,
                enterprise_id=key[0],
                period=key[1],
                **total,
                detail={
                    "lines": result["lines"],
                    "warnings": result["warnings"],
                    VALUE_ADDED_COLUMN: result[VALUE_ADDED_COLUMN],
                    "output": result["output"],
                },
                code_version=__version__,
                reference_digest=ref.digest,
            )
        )
        session.add_all(
            GradeResult(
                submission_id=submission.submission_id,
                area=str(row["area"]),
                grade=row["grade"],
                indicator_value=row["indicator_value"],
                detail=row,
                code_version=__version__,
                reference_digest=ref.digest,
            )
            for row in graded.get(key, [])
        )
        audit.record(
            session,
            actor.username,
            "submission.create",
            "submission",
            f"{key[0]}/{key[1]}/v{version}",
            None,
            {"content_hash": digest, "state": "draft" if draft else "submitted"},
        )
        out.append(_summary(submission, created=True))
    session.flush()
    fault_point("submission-written")  # every row written, not yet committed
    return out


def submit_file(
    session: Session, actor: Actor, name: str, content: bytes, draft: bool = False
) -> list[dict[str, Any]]:
    """`submit` an uploaded file (CSV, a workbook's sheet `activity`, or a filled NBS form
    205-1 workbook, `io/energy_form.py`); every problem is placed in the file by the name it
    was uploaded with."""
    check_submitter(actor)
    form = read_energy_form_upload(name, content, default_reference())
    if form is not None:
        try:
            return submit(session, actor, form.frame, name, draft=draft)
        except InputError as exc:
            problems = form.in_form_terms(list(exc.problems))
            raise InputError(place_problems(problems, Path(name), form.sheet)) from None
    frame, columns, problems = bilingual_activity(
        read_upload(name, content, "activity"), default_reference()
    )
    if problems:
        raise InputError(place_problems(problems, Path(name), "activity"))
    try:
        return submit(session, actor, frame, name, draft=draft)
    except InputError as exc:
        raise InputError(
            place_problems(place_as_written(exc.problems, columns), Path(name), "activity")
        ) from None


def _version(submission: Submission) -> dict[str, Any]:
    """Which report a record is of: enterprise, period, version and its state."""
    return {
        "enterprise_id": submission.enterprise_id,
        "period": submission.period,
        "version": submission.version,
        "state": submission.state,
    }


def _summary(submission: Submission, created: bool) -> dict[str, Any]:
    return {"submission_id": submission.submission_id, **_version(submission), "created": created}


def _latest_results(
    session: Session,
    actor: Actor,
    model: type[AccountResult] | type[GradeResult],
    enterprise_id: str,
    period: str | None,
) -> list[Any]:
    """(result, submission) rows of `model` for the version of each period the caller is
    shown (`_counts`) of an enterprise it may see (404 otherwise), optionally of one period."""
    get_enterprise(session, actor, enterprise_id)
    query = (
        select(model, Submission)
        .join(Submission, Submission.submission_id == model.submission_id)
        .where(Submission.enterprise_id == enterprise_id, _counts(actor))
        .order_by(Submission.period)
    )
    if period:
        query = query.where(Submission.period == period)
    return list(session.execute(query).all())


def accounts_of(
    session: Session, actor: Actor, enterprise_id: str, period: str | None = None
) -> list[dict[str, Any]]:
    """The accounts of each period (or of one period): the official version's, or for the
    enterprise itself its latest, drafts included (each with its `state`)."""
    results = [
        _account_record(result, submission)
        for result, submission in _latest_results(
            session, actor, AccountResult, enterprise_id, period
        )
    ]
    if period and not results:
        raise NotFoundError(f"no accounts of {enterprise_id} for {period}")
    return results


def _account_record(result: AccountResult, submission: Submission) -> dict[str, Any]:
    return {
        **_version(submission),
        **{c: getattr(result, c) for c in RESULT_COLUMNS},
        "code_version": result.code_version,
        "reference_digest": result.reference_digest,
        # in the detail JSON (no column): None and [] for accounts stored before they were
        VALUE_ADDED_COLUMN: result.detail.get(VALUE_ADDED_COLUMN),
        "output": result.detail.get("output", []),
        "warnings": result.detail.get("warnings", []),
        "lines": result.detail.get("lines", []),
    }


def enterprise_accounts(
    session: Session, actor: Actor, enterprise_id: str, period: str | None, english: bool
) -> dict[str, Any]:
    """What the dashboard shows of an enterprise the caller may see (else `NotFoundError`):
    the enterprise by name, its periods, the chosen one (else the latest) with its account and
    grades, and its submissions. Computed once per store state, caller scope and question."""
    return kept(
        session,
        actor,
        "enterprise_accounts",
        (enterprise_id, period, english),
        lambda: _enterprise_accounts(session, actor, enterprise_id, period, english),
    )


def _enterprise_accounts(
    session: Session, actor: Actor, enterprise_id: str, period: str | None, english: bool
) -> dict[str, Any]:
    enterprise = enterprise_named(session, actor, enterprise_id, english)
    accounts = accounts_of(session, actor, enterprise_id)
    grades = grades_of(session, actor, enterprise_id)
    _count, submissions = list_submissions(session, actor, enterprise_id=enterprise_id, limit=200)
    periods = [a["period"] for a in accounts]
    chosen = period if period in periods else (periods[-1] if periods else None)
    return {
        "enterprise": enterprise,
        "periods": periods,
        "period": chosen,
        "account": next((a for a in accounts if a["period"] == chosen), None),
        "grades": [g for g in grades if g["period"] == chosen],
        "submissions": sorted(submissions, key=lambda s: (s["period"], s["version"])),
    }


def account_line(
    session: Session, actor: Actor, enterprise_id: str, period: str, row: int
) -> dict[str, Any] | None:
    """One line of a period's account (its methods and the reference rows it cites), or None
    if there is none the caller may see."""
    try:
        accounts = accounts_of(session, actor, enterprise_id, period)
    except CarbonpeakError:
        return None
    return next((x for a in accounts for x in a["lines"] if x["row"] == row), None)


def upload_drafts(
    session: Session, actor: Actor, name: str, content: bytes
) -> list[dict[str, Any]]:
    """Keep an uploaded file's reports as drafts; each enterprise-period of it with its
    (draft or stored) accounts, to preview before submitting."""
    out = []
    for record in submit_file(session, actor, name, content, draft=True):
        # the accounts of the version this upload is (whoever previews: an admin's view of
        # figures is the official one, but a preview is of the file)
        result, submission = session.execute(
            select(AccountResult, Submission)
            .join(Submission, Submission.submission_id == AccountResult.submission_id)
            .where(Submission.submission_id == record["submission_id"])
        ).one()
        out.append({**record, "account": _account_record(result, submission)})
    return out


def submit_drafts(
    session: Session, actor: Actor, submission_ids: list[int]
) -> list[dict[str, Any]]:
    """Submit drafts for review."""
    return [review(session, actor, number, "submit") for number in submission_ids]


OFFICIAL_STATES = ("submitted", "verified", "approved")
"""The states whose figures count as an enterprise's report. A draft is work in progress that
only its enterprise sees; a returned version was sent back by the regulator to be corrected,
so until it is sent again the enterprise's figures are its latest version in one of these
states (a report submitted and under review counts as reported, as the statistics offices
count a report on receipt)."""


# a later version of the same enterprise-period, in the conditions below: built once (building
# an alias and its columns costs more than the query it serves)
_NEWER = aliased(Submission, name="newer")


def _official() -> ColumnElement[bool]:
    """SQL condition: the `Submission` row is its enterprise-period's official version, the
    latest in an official state (what regulators, roll-ups, grades and overviews count)."""
    newer = _NEWER
    return Submission.state.in_(OFFICIAL_STATES) & ~exists().where(
        newer.enterprise_id == Submission.enterprise_id,
        newer.period == Submission.period,
        newer.version > Submission.version,
        newer.state.in_(OFFICIAL_STATES),
    )


def _counts(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: the version of an enterprise-period this caller is shown. An enterprise
    sees its own latest version whatever its state (marked by `state`, so a draft reads as a
    draft); everyone else sees the official version only."""
    if not _sees_drafts(actor):
        return _official()
    newer = _NEWER
    return ~exists().where(
        newer.enterprise_id == Submission.enterprise_id,
        newer.period == Submission.period,
        newer.version > Submission.version,
    )


def _sees_drafts(actor: Actor) -> bool:
    """Drafts are seen by the enterprise users that made them (and by the platform's admin in
    the list of submissions, never in any figure)."""
    return actor.role in ("enterprise", "automaker")


def roll_up_visible(
    session: Session, actor: Actor, by: str = "region_code", year: str | None = None
) -> list[dict[str, Any]]:
    """Latest accounts of every visible enterprise, summed by region, province or industry."""
    keys: dict[str, ColumnElement[str] | InstrumentedAttribute[str]] = {
        "region_code": Enterprise.region_code,
        "province_code": func.substr(Enterprise.region_code, 1, 2),
        "industry_code": Enterprise.industry_code,
        "industry_division": func.substr(Enterprise.industry_code, 1, 2),
    }
    if by not in keys:
        raise InputError(Problem(Place(field="by"), f"choose one of {', '.join(keys)}"))
    key: Label[str] = keys[by].label("group")
    query = (
        select(
            key,
            Submission.period,
            func.count(func.distinct(Submission.enterprise_id)),
            *(func.sum(getattr(AccountResult, c)) for c in TOTAL_COLUMNS),
        )
        .select_from(AccountResult)
        .join(Submission, Submission.submission_id == AccountResult.submission_id)
        .where(_official())
        .join(Enterprise, Enterprise.enterprise_id == Submission.enterprise_id)
        .where(actor.visible())
        .group_by(key, Submission.period)
        .order_by(key, Submission.period)
    )
    if year:
        query = query.where(Submission.period.startswith(year))
    rows = []
    for group, period, count, *sums in session.execute(query).all():
        value = str(group) + ("0000" if by == "province_code" else "")
        rows.append(
            {
                by: value,
                "period": period,
                "enterprises": int(count),
                **dict(zip(TOTAL_COLUMNS, (float(s or 0) for s in sums), strict=True)),
            }
        )
    return rows


def grades_visible(session: Session, actor: Actor, year: str) -> list[dict[str, Any]]:
    """The stored grades of the official version of every visible enterprise's periods of a
    year, each with the enterprise's name and region and the capacity of its production units
    making the graded product (summed per unit of capacity)."""
    rows = session.execute(
        select(GradeResult, Submission, Enterprise)
        .join(Submission, Submission.submission_id == GradeResult.submission_id)
        .where(Submission.period.startswith(year), _official())
        .join(Enterprise, Enterprise.enterprise_id == Submission.enterprise_id)
        .where(actor.visible())
        .order_by(GradeResult.area, Submission.enterprise_id, Submission.period)
    ).all()
    codes = sorted({enterprise.enterprise_id for _g, _s, enterprise in rows})
    capacity: dict[tuple[str, str], dict[str, float]] = {}
    for unit, site in session.execute(
        select(ProductionUnit, Site)
        .join(Site, Site.site_id == ProductionUnit.site_id)
        .where(Site.enterprise_id.in_(codes))
    ).all():
        per_unit = capacity.setdefault((site.enterprise_id, unit.product), {})
        per_unit[unit.capacity_unit] = per_unit.get(unit.capacity_unit, 0.0) + unit.capacity
    out = []
    for graded, submission, enterprise in rows:
        detail = graded.detail
        out.append(
            {
                **detail,
                "name": enterprise.name,
                "region_code": enterprise.region_code,
                "state": submission.state,
                "capacity": capacity.get((enterprise.enterprise_id, str(detail["product"])), {}),
            }
        )
    return out


def check_submitter(actor: Actor) -> None:
    if actor.role not in ("admin", "enterprise"):
        raise PermissionDenied("only an enterprise user (or an admin) submits reports")


# -- review workflow -----------------------------------------------------------------------------

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
    _move(session, actor, submission, action, comment)
    return _summary(submission, created=False) | {"comment": submission.comment}


def _move(
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


# The review queue's orders: a column of the page to the store's column it sorts by.
SUBMISSION_ORDERS = {
    "submission_id": Submission.submission_id,
    "enterprise_id": Submission.enterprise_id,
    "period": Submission.period,
    "version": Submission.version,
}


def list_submissions(
    session: Session,
    actor: Actor,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
    enterprise_id: str | None = None,
    *,
    search: str = "",
    sort: str | None = None,
    descending: bool = False,
) -> tuple[int, list[dict[str, Any]]]:
    """Visible submissions, optionally in one state or of one enterprise: (total, page), paged
    in SQL. `search` is found (case-insensitive) in the enterprise's code or name, the period
    or the comment; `sort` a key of `SUBMISSION_ORDERS` (the report's number by default)."""
    query = (
        select(Submission)
        .join(Enterprise, Enterprise.enterprise_id == Submission.enterprise_id)
        .where(actor.visible())
    )
    if actor.role == "regulator":  # a draft is its enterprise's own until it is submitted
        query = query.where(Submission.state != "draft")
    if state:
        query = query.where(Submission.state == state)
    if enterprise_id:
        query = query.where(Submission.enterprise_id == enterprise_id)
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            func.lower(Submission.enterprise_id).like(pattern, escape="\\")
            | func.lower(Enterprise.name).like(pattern, escape="\\")
            | func.lower(Submission.period).like(pattern, escape="\\")
            | func.lower(func.coalesce(Submission.comment, "")).like(pattern, escape="\\")
        )
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    order = SUBMISSION_ORDERS[sort] if sort else Submission.submission_id
    rows = session.execute(
        query.order_by(order.desc() if descending else order.asc(), Submission.submission_id)
        .limit(limit)
        .offset(offset)
    ).scalars()
    return int(total), [_summary(s, created=False) | {"comment": s.comment} for s in rows]


def grades_of(
    session: Session, actor: Actor, enterprise_id: str, period: str | None = None
) -> list[dict[str, Any]]:
    """Grades of the products of each period's version the caller is shown, as stored when the
    report was accounted (with the code version and reference digest that made them)."""
    rows = _latest_results(session, actor, GradeResult, enterprise_id, period)
    rows.sort(key=lambda r: (r[1].period, r[0].area))
    if period and not rows:
        raise NotFoundError(f"no grades of {enterprise_id} for {period}")
    return [
        {
            **stored.detail,
            "version": submission.version,
            "state": submission.state,
            "code_version": stored.code_version,
            "reference_digest": stored.reference_digest,
        }
        for stored, submission in rows
    ]


def submit_as(username: str, activity: pd.DataFrame, file_name: str) -> list[dict[str, Any]]:
    """`submit` to the configured store as the user named (a command's batch load)."""
    with store_session() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise NotFoundError(f"no user {username!r}")
        return submit(session, Actor.of(user), activity, file_name)


def official_months(
    session: Session, year: int, enterprise_ids: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The official monthly accounts (periods `YYYY-MM` of `year`) of the enterprises named
    (all when None): energy, CO2, and the value added and output each report carries (None
    where a report did not give them). What budget tracking counts; no caller filter: the
    services that use it check what their caller may see."""
    query = (
        select(AccountResult, Submission.enterprise_id, Submission.period)
        .join(Submission, Submission.submission_id == AccountResult.submission_id)
        .where(_official(), Submission.period.like(f"{year:04d}-__"))
        .order_by(Submission.enterprise_id, Submission.period)
    )
    if enterprise_ids is not None:
        query = query.where(Submission.enterprise_id.in_(sorted(set(enterprise_ids))))
    rows = []
    for result, enterprise_id, period in session.execute(query).all():
        detail = result.detail or {}
        rows.append(
            {
                "enterprise_id": enterprise_id,
                "period": period,
                "energy_tce": result.energy_tce,
                "co2_t": result.co2_t,
                "value_added_10k_yuan": detail.get("value_added_10k_yuan"),
                "output": detail.get("output") or [],
            }
        )
    return rows


def official_year(session: Session, year: int) -> list[dict[str, Any]]:
    """Each enterprise's CO2 and value added of `year` from its official accounts, for
    intensities per value added: the annual report where there is one, else the months that
    report a value added (their CO2 and value added summed, `months` saying how many)."""
    query = (
        select(AccountResult, Submission.enterprise_id, Submission.period, Enterprise)
        .join(Submission, Submission.submission_id == AccountResult.submission_id)
        .join(Enterprise, Enterprise.enterprise_id == Submission.enterprise_id)
        .where(_official(), Submission.period.startswith(f"{year:04d}"))
    )
    annual: dict[str, dict[str, Any]] = {}
    monthly: dict[str, dict[str, Any]] = {}
    for result, enterprise_id, period, enterprise in session.execute(query).all():
        added = (result.detail or {}).get("value_added_10k_yuan")
        base = {
            "enterprise_id": enterprise_id,
            "region_code": enterprise.region_code,
            "industry_code": enterprise.industry_code,
            "year": year,
        }
        if period == f"{year:04d}":
            annual[enterprise_id] = {
                **base,
                "co2_t": result.co2_t,
                "value_added_10k_yuan": added,
                "months": 12,
            }
        elif added is not None:
            row = monthly.setdefault(
                enterprise_id, {**base, "co2_t": 0.0, "value_added_10k_yuan": 0.0, "months": 0}
            )
            row["co2_t"] += result.co2_t
            row["value_added_10k_yuan"] += float(added)
            row["months"] += 1
    return [annual.get(e) or monthly[e] for e in sorted({*annual, *monthly})]
