"""The audit log: append-only, hash-chained.

Each entry records who did what to which entity, when, and the SHA-256 of the entity's state
before and after (canonical JSON). Its hash is SHA-256 of the previous entry's hash and its own
content, so changing, removing or reordering any entry breaks the chain from there on;
`verify` finds the first break. Writers lock the one-row `audit_head` table, so concurrent
writers chain one after another.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carbonpeak.store.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def state_hash(state: Any) -> str | None:
    """SHA-256 of a state in canonical JSON (None for no state)."""
    if state is None:
        return None
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _entry_hash(prev_hash: str, content: dict[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + text).encode()).hexdigest()


def _content(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "before_hash": entry.before_hash,
        "after_hash": entry.after_hash,
    }


def lock(session: Session) -> None:
    """Take the audit head's write lock now (a no-op update), so that the rest of this
    transaction runs after any other writer's and before the next: used by writers that read
    before they write (new versions of a submission)."""
    session.execute(
        update(AuditHead).where(AuditHead.head_id == 1).values(last_seq=AuditHead.last_seq)
    )


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append an entry in the session's transaction (it commits with the change it records).
    The head's write lock is taken first (`lock`): SQLite's driver begins the transaction only
    at the first write, so a head read before it could be stale by the time of the insert (two
    writers at once gave the same `seq`); the head is read afresh, not from the session."""
    lock(session)
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.head_id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()  # created by the first migration
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=datetime.now(UTC).isoformat(),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before_hash=state_hash(before),
        after_hash=state_hash(after),
        prev_hash=head.last_hash,
        hash="",
    )
    entry.hash = _entry_hash(entry.prev_hash, _content(entry))
    session.add(entry)
    head.last_seq, head.last_hash = entry.seq, entry.hash
    session.flush()
    return entry


@dataclass(frozen=True)
class Verification:
    entries: int
    ok: bool
    problem: str | None = None
    seq: int | None = None


def verify(session: Session) -> Verification:
    """Walk the chain; report the first entry whose link or content does not hold."""
    previous, expected_seq, count = GENESIS, 1, 0
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        count += 1
        if entry.seq != expected_seq:
            return Verification(count, False, f"entry {expected_seq} is missing", expected_seq)
        if entry.prev_hash != previous:
            return Verification(count, False, "link to the previous entry is broken", entry.seq)
        if _entry_hash(entry.prev_hash, _content(entry)) != entry.hash:
            return Verification(count, False, "content does not match its hash", entry.seq)
        previous, expected_seq = entry.hash, expected_seq + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_seq, head.last_hash) != (expected_seq - 1, previous):
        return Verification(count, False, "entries after the last one were removed", expected_seq)
    return Verification(count, True)
