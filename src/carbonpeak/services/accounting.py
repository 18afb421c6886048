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
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak import __version__
from carbonpeak.accounting.activity import COLUMNS, check_activity
from carbonpeak.accounting.economic import VALUE_ADDED_COLUMN
from carbonpeak.accounting.engine import account
from carbonpeak.benchmarking.grades import grade
from carbonpeak.errors import (
    N_,
    InputError,
    NotFoundError,
    Place,
    Problem,
)
from carbonpeak.io.activity import bilingual_activity
from carbonpeak.io.commits import fault_point
from carbonpeak.io.energy_form import (
    is_energy_form,
    read_energy_form,
    read_energy_form_upload,
    write_energy_form,
)
from carbonpeak.io.headers import place_as_written
from carbonpeak.io.tables import place_problems, read_table, read_upload
from carbonpeak.io.template import write_activity_template
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting_review import check_submitter, review, transition
from carbonpeak.services.accounting_versions import RESULT_COLUMNS, account_record, summary_of
from carbonpeak.services.reference import library_in_force
from carbonpeak.services.store import store_session
from carbonpeak.store import audit
from carbonpeak.store.models import (
    AccountResult,
    ActivityLine,
    Enterprise,
    GradeResult,
    Submission,
    User,
)


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
    ref = reference or library_in_force(session)
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
                transition(session, actor, latest, "submit", None)
            out.append(summary_of(latest, created=False))
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
        out.append(summary_of(submission, created=True))
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
    form = read_energy_form_upload(name, content, library_in_force(session))
    if form is not None:
        try:
            return submit(session, actor, form.frame, name, draft=draft)
        except InputError as exc:
            problems = form.in_form_terms(list(exc.problems))
            raise InputError(place_problems(problems, Path(name), form.sheet)) from None
    frame, columns, problems = bilingual_activity(
        read_upload(name, content, "activity"), library_in_force(session)
    )
    if problems:
        raise InputError(place_problems(problems, Path(name), "activity"))
    try:
        return submit(session, actor, frame, name, draft=draft)
    except InputError as exc:
        raise InputError(
            place_problems(place_as_written(exc.problems, columns), Path(name), "activity")
        ) from None


BLANK_WORKBOOKS = ("activity", "energy_form")


def blank_workbook(session: Session, kind: str) -> bytes:
    """The blank workbook an upload reads (`submit_file`), its choices from the library in
    force: `activity` the activity table template (`io/template.py`), `energy_form` NBS form
    205-1 (`io/energy_form.py`)."""
    if kind not in BLANK_WORKBOOKS:
        raise InputError(
            [Problem(Place(field="kind"), f"{kind!r} is not one of {', '.join(BLANK_WORKBOOKS)}")]
        )
    write = write_activity_template if kind == "activity" else write_energy_form
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{kind}.xlsx"
        write(path, library_in_force(session))
        return path.read_bytes()


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
        out.append({**record, "account": account_record(result, submission)})
    return out


def submit_drafts(
    session: Session, actor: Actor, submission_ids: list[int]
) -> list[dict[str, Any]]:
    """Submit drafts for review."""
    return [review(session, actor, number, "submit") for number in submission_ids]


def submit_as(username: str, path: Path, period: str | None = None) -> list[dict[str, Any]]:
    """`submit` an activity file, or a filled NBS form 205-1 workbook (`period`: its 报告期
    when the header gives none), to the configured store as the user named (a command's batch
    load): read with the library in force, as an upload is; every problem placed in the file
    (sheet, row, and the column as the file writes it)."""
    with store_session() as session:
        reference = library_in_force(session)
        form = read_energy_form(path, reference, period) if is_energy_form(path) else None
        sheet = form.sheet if form is not None else "activity"
        columns: dict[str, str] = {}  # code -> the header as the file writes it
        try:
            if form is not None:
                frame = form.frame
            else:
                frame, columns, problems = bilingual_activity(
                    read_table(path, "activity"), reference
                )
                if problems:
                    raise InputError(problems)
            user = session.execute(
                select(User).where(User.username == username)
            ).scalar_one_or_none()
            if user is None:
                raise NotFoundError(f"no user {username!r}")
            try:
                return submit(session, Actor.of(user), frame, path.name)
            except InputError as error:
                if form is not None:
                    raise InputError(form.in_form_terms(list(error.problems))) from None
                raise InputError(place_as_written(error.problems, columns)) from None
        except InputError as error:
            raise InputError(
                [p if p.place.file else place_problems([p], path, sheet)[0] for p in error.problems]
            ) from None
