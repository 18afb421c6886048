"""Verification with evidence (issue 20 part 3): a user with the duty `reference_reviewer`
marks a row of the library in force verified by citing the document it was read in (a source
of the library, or a new one) and the page or clause, optionally attaching the document, kept
by its SHA-256; or marks it wrong with the corrected values.

Both are editions (`services.reference_editions`), so the audit chain and the restatement see
them like any other, and each says who did it, when and on what evidence:
- a **verification** changes no value (only the row's status, source and note): it is applied
  at once, approved by the reviewer who made it (four eyes are asked of a change of value, not
  of reading a value in its source);
- a **correction** changes a value: it is a draft, approved or rejected by another person.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.domain.days import china_today
from carbonpeak.errors import N_, InputError, NotFoundError, PermissionDenied, Place, Problem
from carbonpeak.reference.editions import OPEN_START, Edition, EditionRow, apply_edition
from carbonpeak.reference.loader import Record, Reference, ReferenceLookupError
from carbonpeak.services import reference as reference_service
from carbonpeak.services.access import Actor
from carbonpeak.services.reference_editions import REVIEWER, content_of, summary_of
from carbonpeak.store import audit
from carbonpeak.store.models import now
from carbonpeak.store.models_reference import ReferenceDocument, ReferenceEdition

PROVENANCE = ("source_id", "status", "note")
MAX_DOCUMENT_BYTES = 20 * 2**20


def _row(reference: Reference, table: str, key: dict[str, str], valid_from: str | None) -> Record:
    """The row of `table` with this key (and, in a dated table, this valid_from)."""
    try:
        spec = reference.spec(table)
    except ReferenceLookupError:
        raise NotFoundError(f"no reference table {table!r}") from None
    for record in reference.rows(table):
        if all(_text(record.get(k)) == _text(key.get(k)) for k in spec.key) and (
            not spec.temporal or _text(record.get("valid_from")) == _text(valid_from)
        ):
            return record
    raise NotFoundError(f"no row of {table} with {key} from {valid_from or '-'}")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def keep_document(session: Session, actor: Actor, name: str, content: bytes, kind: str) -> str:
    """Keep an attached document by its SHA-256 (once, whoever attaches it again)."""
    if not content or len(content) > MAX_DOCUMENT_BYTES:
        raise InputError(
            Problem.of(
                Place(file=name), N_("a document of 1 byte to {} MB"), MAX_DOCUMENT_BYTES >> 20
            )
        )
    digest = hashlib.sha256(content).hexdigest()
    if session.get(ReferenceDocument, digest) is None:
        session.add(
            ReferenceDocument(
                sha256=digest,
                file_name=name[:255],
                media_type=kind[:100] or "application/octet-stream",
                size=len(content),
                content=content,
                uploaded_by=actor.user_id,
            )
        )
        session.flush()
    return digest


def document(session: Session, digest: str) -> ReferenceDocument:
    """An attached document (every signed-in user may read the evidence)."""
    found = session.get(ReferenceDocument, digest)
    if found is None:
        raise NotFoundError(f"no document {digest}")
    return found


def verify_row(
    session: Session,
    actor: Actor,
    table: str,
    key: dict[str, str],
    valid_from: str | None,
    cited: dict[str, str],
    clause: str,
    corrected: dict[str, str] | None = None,
    attachment: tuple[str, bytes, str] | None = None,
) -> dict[str, Any]:
    """Mark a row verified, citing `cited` (`{"source_id": ...}` of a source of the library, or
    a new source's fields: source_id, title, issuer, document_number, date, url) and `clause`
    (the page, table or clause it was read on); with `corrected` values (column -> text) it is
    a correction instead. `attachment` (file name, bytes, media type) is kept by hash and
    linked from a new source. What was made: the edition's summary."""
    if REVIEWER not in actor.duties:
        raise PermissionDenied("verifying reference rows is a reviewer's duty")
    reference = reference_service.reference_of(session)
    record = _row(reference, table, key, valid_from)
    problems: list[Problem] = []
    if not clause.strip():
        problems.append(
            Problem.of(Place(field="clause"), N_("say on which page or clause it was read"))
        )
    source_id = cited.get("source_id", "").strip()
    known = {s.source_id for s in reference.sources}
    new_source = None
    if source_id not in known:
        new_source = {k: v.strip() for k, v in cited.items() if v and v.strip()}
        if attachment is not None and not new_source.get("url"):
            digest = keep_document(session, actor, *attachment)
            new_source["url"] = f"/reference/documents/{digest}"
            new_source.setdefault("note", f"attached as {attachment[0]}, SHA-256 {digest}")
        if not source_id or not new_source.get("title"):
            problems.append(
                Problem.of(
                    Place(field="source_id"),
                    N_("cite a source of the library, or give the new document's code and title"),
                )
            )
    spec = reference.spec(table)
    values = {k: _text(v) for k, v in record.values.items()}
    if spec.temporal and record.valid_from is None:
        values["valid_from"] = OPEN_START  # changed in place: its span kept, no start given
    changed = {c: v.strip() for c, v in (corrected or {}).items() if v.strip() != values.get(c, "")}
    bad = [c for c in changed if c in spec.key or c in PROVENANCE or c not in spec.header]
    for column in bad:
        problems.append(Problem.of(Place(field=column), N_("{} cannot be corrected here"), column))
    if problems:
        raise InputError(problems)
    count = session.scalar(select(func.count()).select_from(ReferenceEdition)) or 0
    record_id = f"verification_{count + 1}_{china_today():%Y%m%d}"
    label = ", ".join(f"{k}={key.get(k)}" for k in spec.key)
    kind = "更正" if changed else "核实"
    edition = Edition(
        document={
            "source_id": record_id,
            "title": f"{kind}记录：{table} {label}",
            "issuer": actor.username,
            "date": china_today().isoformat(),
            "note": f"{'correction' if changed else 'verification'} by {actor.username}",
        },
        valid_from=record.valid_from or china_today(),
        rows=(
            EditionRow(
                table,
                {
                    **values,
                    **changed,
                    "source_id": source_id,
                    "status": "verified",
                    "note": clause.strip(),
                },
                "change",
                Place(field=table),
            ),
        ),
        sources=(new_source,) if new_source else (),
        place=Place(field="edition"),
    )
    applied = apply_edition(reference, edition)  # checked as any edition; raises if bad
    row = ReferenceEdition(
        source_id=record_id,
        title=str(edition.document["title"]),
        valid_from=edition.valid_from,
        state="draft" if changed else "approved",
        digest=edition.digest,
        file_name=f"{kind} ({actor.username})",
        content=content_of(edition),
        author=actor.user_id,
    )
    if not changed:  # reading a value in its source: applied at once, by the reviewer
        row.reviewer, row.decided_at, row.comment = actor.user_id, now(), clause.strip()
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor.username,
        "reference.edition.correct" if changed else "reference.edition.verify",
        "reference_edition",
        str(row.edition_id),
        None,
        {"digest": row.digest, "state": row.state, "table": table, "key": key},
    )
    return {**summary_of(session, row), "rows_changed": len(applied.changes)}


def row_for_review(
    session: Session, table: str, key: dict[str, str], valid_from: str | None
) -> dict[str, Any]:
    """A row of the library in force as the reviewer's form shows it: the table's value
    columns with the row's values, its key, status, source and note, and the sources a
    reviewer may cite."""
    reference = reference_service.reference_of(session)
    record = _row(reference, table, key, valid_from)
    spec = reference.spec(table)
    values = {k: _text(v) for k, v in record.values.items()}
    return {
        "table": table,
        "key": {k: values.get(k, "") for k in spec.key},
        "valid_from": values.get("valid_from") or None,
        "columns": [c.name for c in spec.columns if c.name not in spec.key],
        "values": values,
        "sources": sorted(s.source_id for s in reference.sources),
    }
