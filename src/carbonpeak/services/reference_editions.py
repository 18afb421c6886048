"""The reference library's editions in the store (issue 20): a user with the duty
`reference_editor` imports an edition workbook as a draft (checked against the library in
force, with what it would change); a user with the duty `reference_reviewer` who did not import
it approves or rejects it with a comment; approved editions, in the order they were approved,
apply over the shipped tables (edition zero) and the authority rows in `reference_of` (the
budgets, the diagnoses, the reference pages) and over the shipped tables in
`library_in_force`, which every other calculation of the services uses: the submitted
reports' accounts, the overview restated, the carbon-efficiency grades and the industry view,
monitoring (the enterprise view, the regional status, meters, batches and their flush), the
policy applications and the energy-use control, the pathways' history and builder, the dual
credits (ledger, fleet, plans), the home page, and the blank workbooks the dashboard hands
out. Still on the shipped library: the CLI's commands on files without a store (an analyst's
use of the published tables; `accounting submit` and `monitoring flush`, on the store, go
through the services); and the demo's synthetic province (built the same from the same seed
whatever the store holds; what it loads goes through the services). Each step is in the audit
chain.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.domain.days import china_today
from carbonpeak.errors import (
    N_,
    InputError,
    NotFoundError,
    PermissionDenied,
    Place,
    Problem,
    Term,
)
from carbonpeak.io.reference_edition import read_edition_upload
from carbonpeak.io.reference_package import read_package, write_package
from carbonpeak.reference.editions import (
    Applied,
    Edition,
    EditionRow,
    RowChange,
    apply_edition,
)
from carbonpeak.reference.loader import Reference, default_reference
from carbonpeak.services import reference as reference_service
from carbonpeak.services.access import Actor
from carbonpeak.services.memo import kept
from carbonpeak.services.reference_impact import impact_on_store
from carbonpeak.store import audit
from carbonpeak.store.models import User, now
from carbonpeak.store.models_reference import ReferenceEdition

EDITOR, REVIEWER = "reference_editor", "reference_reviewer"
# the command line reads the whole store (as the administrator does)
ADMIN = Actor(0, "cli", "admin", frozenset(), frozenset())


def content_of(edition: Edition) -> dict[str, Any]:
    """An edition as the store keeps it (JSON)."""
    return {
        "document": dict(edition.document),
        "valid_from": edition.valid_from.isoformat(),
        "sources": [dict(s) for s in edition.sources],
        "rows": [
            {
                "table": r.table,
                "action": r.action,
                "values": dict(r.values),
                "sheet": r.place.sheet,
                "row": r.place.row,
            }
            for r in edition.rows
        ],
    }


def edition_of(row: ReferenceEdition) -> Edition:
    """The stored edition as the engine takes it; problems placed in its file as imported."""
    content = row.content
    return Edition(
        document=content["document"],
        valid_from=date.fromisoformat(content["valid_from"]),
        rows=tuple(
            EditionRow(
                r["table"],
                r["values"],
                r["action"],
                Place(file=row.file_name, sheet=r.get("sheet"), row=r.get("row")),
            )
            for r in content["rows"]
        ),
        sources=tuple(content["sources"]),
        place=Place(file=row.file_name),
    )


def with_editions(session: Session, reference: Reference) -> Reference:
    """`reference` with the approved editions applied, in the order they were approved (kept
    per library and editions, so that a look-up of the library in force costs one query). An
    approved edition that no longer applies (a later release's shipped edition wrote the same
    rows) is left out rather than failing every calculation: `not_applying` names it, and the
    editions page says so, for a reviewer to withdraw it."""
    return _applied(session, reference)[0]


def not_applying(session: Session) -> list[dict[str, Any]]:
    """The approved editions left out of the library in force, each with why."""
    return list(_applied(session, reference_service.authority_reference(session))[1])


def _applied(
    session: Session, reference: Reference
) -> tuple[Reference, tuple[dict[str, Any], ...]]:
    approved = list(
        session.execute(
            select(ReferenceEdition)
            .where(ReferenceEdition.state == "approved")
            .order_by(ReferenceEdition.decided_at, ReferenceEdition.edition_id)
        ).scalars()
    )
    if not approved:
        return reference, ()
    key = (reference.digest, tuple((r.edition_id, r.digest) for r in approved))
    found = _APPLIED.get(key)
    if found is None:
        kept, skipped = reference, []
        for row in approved:
            try:
                kept = apply_edition(kept, edition_of(row)).reference
            except InputError as exc:
                skipped.append({"edition_id": row.edition_id, "problems": list(exc.problems)})
                said = [str(p) for p in exc.problems]
                log.warning("approved edition %s no longer applies: %s", row.edition_id, said)
        found = (kept, tuple(skipped))
        if len(_APPLIED) >= 8:
            _APPLIED.pop(next(iter(_APPLIED)))
        _APPLIED[key] = found
    return found


_APPLIED: dict[tuple[object, ...], tuple[Reference, tuple[dict[str, Any], ...]]] = {}
log = logging.getLogger(__name__)


def _changes(applied: Applied, valid_from: date) -> dict[str, Any]:
    """What an edition changes, for its page and the API: counts per table and each row's
    key, action, and the columns before and after that differ."""
    undated = sorted(
        {c.table for c in applied.changes if not applied.reference.spec(c.table).temporal}
    )

    def starts(change: RowChange) -> date | None:
        given = (change.after or {}).get("valid_from")
        return given if isinstance(given, date) else None

    earlier = sorted(
        {
            c.table
            for c in applied.changes
            if c.after is not None
            and applied.reference.spec(c.table).temporal
            and (starts(c) is None or starts(c) < valid_from)  # type: ignore[operator]
        }
    )
    return {
        "tables": applied.by_table(),
        # tables without dates: their rows hold for every date once approved (a restatement
        # of past reports too), whatever the edition's valid_from
        "every_date": undated,
        # dated rows that start before the edition's own date (or have no start): approved,
        # they restate results from their own date, not from the edition's (review 22 L2)
        "before_its_date": earlier,
        "rows": [
            {
                "table": c.table,
                "key": {k: _json(v) for k, v in c.key},
                "action": c.action,
                "columns": list(c.columns),
                "before": {k: _json((c.before or {}).get(k)) for k in c.columns}
                if c.before
                else None,
                "after": {k: _json((c.after or {}).get(k)) for k in c.columns} if c.after else None,
            }
            for c in applied.changes
        ],
    }


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def import_edition(session: Session, actor: Actor, name: str, content: bytes) -> dict[str, Any]:
    """Keep an uploaded edition workbook as a draft: read, applied over the library in force
    (shipped, authority rows and approved editions) to check it and to say what it changes;
    every problem placed, nothing stored on error."""
    if EDITOR not in actor.duties:
        raise PermissionDenied("importing an edition of the reference library is an editor's duty")
    reference = reference_service.reference_of(session)
    if name.lower().endswith(".zip"):  # a package from another installation
        edition, manifest = read_package(name, content)
        given = manifest.get("origin")
        origin: dict[str, Any] = given if isinstance(given, dict) else {}
        edition = replace(
            edition,
            document={
                **edition.document,
                "note": "; ".join(
                    filter(
                        None,
                        [
                            edition.document.get("note"),
                            f"imported as a package from {origin.get('installation', '?')} "
                            f"(its edition {origin.get('edition_id', '?')}, approved by "
                            f"{origin.get('reviewer', '?')} on {origin.get('decided_at', '?')}; "
                            f"digest {edition.digest})",
                        ],
                    )
                ),
            },
        )
    else:
        edition = read_edition_upload(name, content, reference)
    return keep_edition(session, actor, name, edition, reference)


def keep_edition(
    session: Session,
    actor: Actor,
    name: str,
    edition: Edition,
    reference: Reference | None = None,
    *,
    accounts: bool = True,
) -> dict[str, Any]:
    """Keep an edition already read (from an edition workbook, a package, or another wing's
    reader: the directory's catalogue spreadsheets) as a draft, as `import_edition` does.
    `accounts=False` for an edition of tables no account reads (the directory's): its impact
    on the stored accounts is none, and is not computed."""
    if EDITOR not in actor.duties:
        raise PermissionDenied("importing an edition of the reference library is an editor's duty")
    reference = reference or reference_service.reference_of(session)
    _not_waiting(edition, reference, name)
    try:
        applied = apply_edition(reference, edition)
    except InputError as exc:
        raise InputError([_in_file(p, name) for p in exc.problems]) from None
    row = ReferenceEdition(
        source_id=edition.source_id,
        title=str(edition.document.get("title", "")),
        valid_from=edition.valid_from,
        state="draft",
        digest=edition.digest,
        file_name=name,
        content=content_of(edition),
        author=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor.username,
        "reference.edition.import",
        "reference_edition",
        str(row.edition_id),
        None,
        {"digest": row.digest, "state": "draft", "source_id": row.source_id},
    )
    impact = impact_on_store(session, reference, applied.reference, actor) if accounts else []
    return {
        **summary_of(session, row),
        "changes": _changes(applied, edition.valid_from),
        "impact": impact,
    }


def _not_waiting(edition: Edition, reference: Reference, name: str) -> None:
    """A table without dates holds one row per key for every date, so an edition cannot
    change it from a later day (review 21 #5): once approved, the new row would restate every
    date at once. Refused at the table's first row; an edition of today or before (a
    correction, which restates history on purpose) is shown with a warning instead."""
    today = china_today()
    if edition.valid_from <= today:
        return
    first: dict[str, EditionRow] = {}
    for row in edition.rows:
        if row.table in reference.catalog.tables and not reference.spec(row.table).temporal:
            first.setdefault(row.table, row)
    if first:
        raise InputError(
            [
                _in_file(
                    Problem.of(
                        row.place,
                        N_(
                            "{} has no dates: its rows hold for every date, so they cannot "
                            "wait until {}; give them in an edition in force today, or an "
                            "edition of the tables with dates only"
                        ),
                        table,
                        edition.valid_from.isoformat(),
                    ),
                    name,
                )
                for table, row in first.items()
            ]
        )


def _in_file(problem: Problem, name: str) -> Problem:
    return replace(problem, place=replace(problem.place, file=name))


def summary_of(session: Session, row: ReferenceEdition) -> dict[str, Any]:
    names = dict(session.execute(select(User.user_id, User.username)).all())
    return {
        "edition_id": row.edition_id,
        "source_id": row.source_id,
        "title": row.title,
        "valid_from": row.valid_from.isoformat(),
        "state": row.state,
        "digest": row.digest,
        "file_name": row.file_name,
        "rows": len(row.content["rows"]),
        "author": names.get(row.author),
        "created_at": row.created_at.isoformat(),
        "reviewer": names.get(row.reviewer) if row.reviewer else None,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "comment": row.comment,
        "withdrawn_by": names.get(row.withdrawn_by) if row.withdrawn_by else None,
        "withdrawn_at": row.withdrawn_at.isoformat() if row.withdrawn_at else None,
        "withdrawal_comment": row.withdrawal_comment,
    }


def list_editions(session: Session) -> list[dict[str, Any]]:
    """Every edition, newest first (every user may read the rules that apply)."""
    rows = session.execute(
        select(ReferenceEdition).order_by(ReferenceEdition.edition_id.desc())
    ).scalars()
    return [summary_of(session, r) for r in rows]


def edition_view(
    session: Session, edition_id: int, actor: Actor, impact: bool = True
) -> dict[str, Any]:
    """An edition with what it changes: a draft over the library in force now; an approved
    or rejected one over the library as it was before it (what it changed, or would have);
    with `impact`, what it changes on the official reports `actor` may see. Kept per store
    state and caller scope (`services.memo.kept`): a page view does not account the store."""
    return kept(
        session,
        actor,
        "reference.edition",
        (edition_id, impact),
        lambda: _edition_view(session, edition_id, actor, impact),
    )


def _edition_view(
    session: Session, edition_id: int, actor: Actor, with_impact: bool
) -> dict[str, Any]:
    row = _get(session, edition_id)
    base = (
        reference_service.reference_of(session) if row.state == "draft" else _before(session, row)
    )
    try:
        applied = apply_edition(base, edition_of(row))
    except InputError as exc:  # a draft that no longer fits the library in force
        changes = {"tables": {}, "rows": [], "problems": [str(p) for p in exc.problems]}
        return {**summary_of(session, row), "changes": changes, "impact": []}
    impact = impact_on_store(session, base, applied.reference, actor) if with_impact else []
    return {
        **summary_of(session, row),
        "changes": _changes(applied, row.valid_from),
        "impact": impact,
    }


def _before(session: Session, row: ReferenceEdition) -> Reference:
    """The library before `row` was decided: the shipped tables and authority rows with the
    editions approved before it."""
    base = reference_service.authority_reference(session)
    earlier = session.execute(
        select(ReferenceEdition)
        .where(ReferenceEdition.state == "approved")
        .where(ReferenceEdition.decided_at < row.decided_at)
        .order_by(ReferenceEdition.decided_at, ReferenceEdition.edition_id)
    ).scalars()
    left_out = {e["edition_id"] for e in not_applying(session)}
    for each in earlier:
        if each.edition_id not in left_out:  # as the library in force leaves it out
            base = apply_edition(base, edition_of(each)).reference
    return base


def _get(session: Session, edition_id: int) -> ReferenceEdition:
    row = session.get(ReferenceEdition, edition_id)
    if row is None:
        raise NotFoundError(f"no edition {edition_id}")
    return row


def decide(
    session: Session,
    actor: Actor,
    edition_id: int,
    verdict: Literal["approve", "reject", "withdraw"],
    comment: str,
) -> dict[str, Any]:
    """Approve or reject a draft: a reviewer who did not import it, with a comment. An
    approval checks the edition again over the library in force (another edition may have been
    approved since it was imported) and makes it part of that library from its valid_from.
    `withdraw` takes an approved edition out of the library in force (`withdraw`)."""
    if REVIEWER not in actor.duties:
        raise PermissionDenied("approving an edition of the reference library is a reviewer's duty")
    audit.lock(session)  # decisions one after another: two conflicting drafts cannot both pass
    row = session.execute(
        select(ReferenceEdition).where(ReferenceEdition.edition_id == edition_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"no edition {edition_id}")
    if verdict == "withdraw":
        return _withdraw(session, actor, row, comment)
    problems = _in_state(row, "draft", N_("edition {} is {}, not a draft"))
    problems += _second_person(
        row,
        actor,
        comment,
        N_("an edition is approved or rejected by another person than its editor"),
    )
    if problems:
        raise InputError(problems)
    if verdict == "approve":
        try:
            apply_edition(reference_service.reference_of(session), edition_of(row))
        except InputError as exc:
            raise InputError([_in_file(p, row.file_name) for p in exc.problems]) from None
    before = {"state": row.state}
    row.state = "approved" if verdict == "approve" else "rejected"
    row.reviewer, row.decided_at, row.comment = actor.user_id, now(), comment.strip()
    session.flush()
    audit.record(
        session,
        actor.username,
        f"reference.edition.{verdict}",
        "reference_edition",
        str(row.edition_id),
        before,
        {"state": row.state, "digest": row.digest, "comment": row.comment},
    )
    return summary_of(session, row)


def _in_state(row: ReferenceEdition, wanted: str, otherwise: str) -> list[Problem]:
    """A decision's edition in the state it acts on, else why not (its number and state)."""
    if row.state == wanted:
        return []
    return [Problem.of(Place(field="edition_id"), otherwise, row.edition_id, Term(row.state))]


def _second_person(
    row: ReferenceEdition, actor: Actor, comment: str, not_the_author: str
) -> list[Problem]:
    """What every decision on an edition asks: another person than its editor, and why."""
    problems = []
    if row.author == actor.user_id:
        problems.append(Problem.of(Place(field="reviewer"), not_the_author))
    if not comment.strip():
        problems.append(Problem.of(Place(field="comment"), N_("say why, in a comment")))
    return problems


def _withdraw(
    session: Session, actor: Actor, row: ReferenceEdition, comment: str
) -> dict[str, Any]:
    """Take an approved edition out of the library in force: the results computed with it
    keep it (as reported); the library restated no longer has it. Refused while a later
    approved edition builds on its rows (withdraw that one first)."""
    problems = _in_state(
        row, "approved", N_("edition {} is {}: only an approved edition is withdrawn")
    )
    problems += _second_person(
        row, actor, comment, N_("an edition is withdrawn by another person than its editor")
    )
    if problems:
        raise InputError(problems)
    library = default_reference()  # what the accounting reads: no authority rows
    others = session.execute(
        select(ReferenceEdition)
        .where(ReferenceEdition.state == "approved")
        .where(ReferenceEdition.edition_id != row.edition_id)
        .order_by(ReferenceEdition.decided_at, ReferenceEdition.edition_id)
    ).scalars()
    left_out = {e["edition_id"] for e in not_applying(session)}
    for other in others:
        try:
            library = apply_edition(library, edition_of(other)).reference
        except InputError:
            if other.edition_id in left_out:
                continue  # already left out before: not this withdrawal's doing
            raise InputError(
                [
                    Problem.of(
                        Place(field="edition_id"),
                        N_("edition {} builds on edition {}: withdraw it first"),
                        other.edition_id,
                        row.edition_id,
                    )
                ]
            ) from None
    _still_accounted(session, library, row)
    row.state = "withdrawn"
    row.withdrawn_by, row.withdrawn_at = actor.user_id, now()
    row.withdrawal_comment = comment.strip()
    session.flush()
    audit.record(
        session,
        actor.username,
        "reference.edition.withdraw",
        "reference_edition",
        str(row.edition_id),
        {"state": "approved"},
        {"state": row.state, "digest": row.digest, "comment": row.withdrawal_comment},
    )
    return summary_of(session, row)


def _still_accounted(session: Session, library: Reference, row: ReferenceEdition) -> None:
    """Review 22 H1: the official reports stored must still account without the edition (one
    may use an item or a region it added); refused naming them otherwise."""
    from carbonpeak.services.reference_impact import accounted_apart, stored_activity

    activity, enterprises = stored_activity(session)
    if activity.empty:
        return
    _totals, failed = accounted_apart(activity, enterprises, library)
    if failed:
        raise InputError(
            [
                Problem.of(
                    Place(field="edition_id"),
                    N_("without edition {} the report of {} for {} no longer accounts: {}"),
                    row.edition_id,
                    f["enterprise_id"],
                    f["period"],
                    str(f["problem"]),
                )
                for f in failed[:5]
            ]
        )


def edition_template_tables(reference: Reference, tables: list[str]) -> list[str]:
    """The tables asked for a blank edition workbook, each checked to exist."""
    unknown = [t for t in tables if t not in reference.catalog.tables]
    if unknown:
        raise InputError(
            [Problem(Place(field="table"), f"no reference table {t!r}") for t in unknown]
        )
    return tables or ["grid_emission_factors"]


def _user(session: Session, username: str) -> Actor:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    return Actor.of(user)


def import_edition_as(username: str, name: str, content: bytes) -> dict[str, Any]:
    """`import_edition` into the configured store as the user named (the CLI's)."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        return import_edition(session, _user(session, username), name, content)


def decide_as(
    username: str,
    edition_id: int,
    verdict: Literal["approve", "reject", "withdraw"],
    comment: str,
) -> dict[str, Any]:
    """`decide` in the configured store as the user named (the CLI's)."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        return decide(session, _user(session, username), edition_id, verdict, comment)


def editions_in_store(edition_id: int | None = None) -> Any:
    """The configured store's editions, or one of them with what it changes (the CLI's)."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        if edition_id is None:
            return list_editions(session)
        return edition_view(session, edition_id, ADMIN)


def export_edition(
    session: Session, edition_id: int, installation: str | None = None
) -> tuple[str, bytes]:
    """An approved edition as a package for another installation (`io.reference_package`):
    its file name and bytes; the manifest names this installation (`installation`, else
    `CARBONPEAK_INSTALLATION`) and the approval."""
    from carbonpeak.settings import settings

    installation = installation or settings().installation
    row = _get(session, edition_id)
    if row.state != "approved":
        raise InputError(
            Problem.of(
                Place(field="edition_id"),
                N_("edition {} is {}: only an approved edition is packed"),
                edition_id,
                Term(row.state),
            )
        )
    summary = summary_of(session, row)
    origin = {
        "installation": installation,
        **{k: summary[k] for k in ("edition_id", "author", "reviewer", "decided_at", "comment")},
    }
    return f"edition-{edition_id}.zip", write_package(edition_of(row), origin)


def export_edition_from_store(
    edition_id: int, installation: str | None = None
) -> tuple[str, bytes]:
    """`export_edition` from the configured store (the CLI's)."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        return export_edition(session, edition_id, installation)
