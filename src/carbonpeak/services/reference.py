"""The reference library an installation works with: the shipped tables plus the rows its
authorities entered for the tables declared `authority_supplied` (the early-warning thresholds
of carbon budgets, the metering coverage rates), each row citing the authority's own document.

A regulator enters rows for its own region (one of its scope's codes); the administrator for
any region. Rows are checked as the shipped tables are before anything is stored, and each
entry goes into the audit log. `library_in_force` (the shipped tables with the approved
editions) is what the services compute with; `reference_of` adds the authority rows, for the
budgets' early-warning thresholds and the diagnosis's metering rates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, NotFoundError, PermissionDenied, Place, Problem
from carbonpeak.reference.loader import Reference, ReferenceLookupError, default_reference
from carbonpeak.services.access import Actor
from carbonpeak.store import audit
from carbonpeak.store.models import AuthorityRow

REGION_COLUMN = "authority"  # the column of an authority-supplied table naming the region


def _source_id(row: AuthorityRow) -> str:
    return f"authority-{row.region_code}-{row.row_id}"


def _source(row: AuthorityRow) -> dict[str, Any]:
    return {
        "source_id": _source_id(row),
        "title": row.document,
        "issuer": f"authority of region {row.region_code}",
        "note": f"entered on the platform by user {row.entered_by} on {row.entered_at:%Y-%m-%d}",
    }


def reference_of(session: Session, base: Reference | None = None) -> Reference:
    """The library in force: the shipped tables (edition zero) with every stored authority
    row merged in and the approved editions applied in the order they were approved."""
    from carbonpeak.services.reference_editions import with_editions

    return with_editions(session, authority_reference(session, base))


def library_in_force(session: Session) -> Reference:
    """The library every calculation of the services uses: the shipped tables with the
    approved editions (the authority-supplied tables, entered per region as authority rows,
    are read by the budgets and the diagnosis through `reference_of`; an edition may not touch
    them),
    so a report accounted now and one restated now name the same library when nothing changed
    but the authority's own rows."""
    from carbonpeak.services.reference_editions import with_editions

    return with_editions(session, default_reference())


def authority_reference(session: Session, base: Reference | None = None) -> Reference:
    """The shipped library with every stored authority row merged in."""
    reference = base or default_reference()
    stored = session.execute(select(AuthorityRow).order_by(AuthorityRow.row_id)).scalars().all()
    tables = sorted({r.table_name for r in stored})
    for table in tables:
        rows = [r for r in stored if r.table_name == table]
        reference = reference.with_records(
            table,
            [{**r.values, "source_id": _source_id(r)} for r in rows],
            [_source(r) for r in rows],
            origin=f"authority rows of {table}",
        )
    return reference


def list_authority_rows(session: Session, table: str | None = None) -> list[dict[str, Any]]:
    """The stored authority rows (every user may read the rules that apply)."""
    query = select(AuthorityRow).order_by(AuthorityRow.row_id)
    if table is not None:
        query = query.where(AuthorityRow.table_name == table)
    return [
        {
            "row_id": r.row_id,
            "table": r.table_name,
            "region_code": r.region_code,
            "values": r.values,
            "document": r.document,
            "entered_at": r.entered_at.isoformat(),
        }
        for r in session.execute(query).scalars()
    ]


def enter_authority_rows(
    session: Session,
    actor: Actor,
    table: str,
    region_code: str,
    rows: Sequence[Mapping[str, Any]],
    document: str,
) -> list[dict[str, Any]]:
    """Store `rows` of the authority-supplied `table` for `region_code`, citing `document`
    (the authority's notice or decision the values come from). Every problem at once, placed
    by row and column; nothing stored when any stands."""
    reference = reference_of(session)
    problems: list[Problem] = []
    spec = reference.spec(table)  # raises for an unknown table
    if not spec.authority_supplied:
        problems.append(
            Problem(Place(field="table"), f"{table} is not a table the authority supplies")
        )
    if actor.role not in ("regulator", "admin"):
        raise PermissionDenied("only a regulator or the administrator enters authority rows")
    if actor.role == "regulator" and region_code not in actor.regions:
        raise PermissionDenied(f"region {region_code} is not one of yours")
    if not rows:
        problems.append(Problem(Place(field="rows"), "no rows to enter"))
    if not document.strip():
        problems.append(Problem(Place(field="document"), "name the document the values come from"))
    for number, row in enumerate(rows, 1):
        named = row.get(REGION_COLUMN)
        if REGION_COLUMN in spec.header and named not in (None, "", region_code):
            problems.append(
                Problem(
                    Place(row=number, column=REGION_COLUMN),
                    f"{named!r} is not the region entered for ({region_code})",
                )
            )
    if problems:
        raise InputError(problems)
    stored = []
    for row in rows:
        values = {k: v for k, v in row.items() if k not in ("source_id",)}
        if REGION_COLUMN in spec.header:
            values[REGION_COLUMN] = region_code
        added = AuthorityRow(
            table_name=table,
            region_code=region_code,
            values=values,
            document=document.strip(),
            entered_by=actor.user_id,
        )
        session.add(added)
        stored.append(added)
    session.flush()
    reference_of(session)  # checked with the rows stored before: raises and rolls back if bad
    made = list_authority_rows(session, table)[-len(stored) :] if stored else []
    for entry in made:
        audit.record(
            session,
            actor.username,
            "reference.enter",
            "authority_row",
            str(entry["row_id"]),
            after=entry,
        )
    return made


def tables_in_force(session: Session) -> list[dict[str, Any]]:
    """Every table of the library in force (its code, its names in Chinese and English) with
    its rows in all and by status (the verified share of each: how much of what the platform
    computes with was read in its source)."""
    reference = reference_of(session)
    out = []
    for name in reference.table_names:
        spec = reference.spec(name)
        counts = reference.counts(name)
        rows = sum(counts.values())
        out.append(
            {
                "table": name,
                "name_zh": spec.name_zh,
                "name_en": spec.name_en,
                "description": spec.description,
                "rows": rows,
                **counts,
                "verified_pct": counts.get("verified", 0) / rows * 100 if rows else None,
            }
        )
    return out


def table_in_force(session: Session, table: str, as_of: date | None = None) -> dict[str, Any]:
    """A table's rows of the library in force (those valid on `as_of` if given), each with
    its evidence: status, the document it cites (title, number, clause) and its note."""
    reference = reference_of(session)
    try:
        spec = reference.spec(table)
        records = reference.rows(table, as_of=as_of)
    except ReferenceLookupError as exc:
        raise NotFoundError(str(exc)) from None
    rows = []
    for record in records:
        values = {k: v.isoformat() if isinstance(v, date) else v for k, v in record.values.items()}
        source_id = record.get("source_id")
        cited = reference.source(str(source_id)).cite() if source_id else None
        rows.append({"line": record.line, **values, "cited": cited})
    return {
        "table": table,
        "name_zh": spec.name_zh,
        "name_en": spec.name_en,
        "description": spec.description,
        "as_of": as_of.isoformat() if as_of else None,
        "columns": list(spec.header),
        "key": list(spec.key),
        "rows": rows,
    }
