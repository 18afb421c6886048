"""Editions of the reference library: a set of rows for one or more tables, published by an
authority in one document from one date, applied over the library in force (issue 20).

The shipped tables are edition zero. An edition names its document (the `sources` row its rows
cite unless they cite another) and the date it takes effect, `valid_from`, and says per row
what it does to the table:

- **add**: a row whose key has no row in force from that date (a new key, or a key whose rows
  all ended before it);
- **change**: a new row for a key with a row in force on the date. In a table whose rows carry
  validity dates, the row in force ends where the new one starts (its `valid_to` becomes the
  new row's `valid_from`) and a row that would start within the new row's span is superseded;
  so history is kept and a result as of an earlier date still finds the old row. A table
  without dates has one row per key: the new row replaces it;
- **retire**: the key's row in force ends on the date (no new row); in a table without dates
  the row leaves the table.

When a row gives no action, it changes the key's row if one is in force on its date and adds
it otherwise. A row of a dated table without its own `valid_from` starts on the edition's; a
`valid_from` written `open` (`OPEN_START`) keeps a row without a start, so that a row the
library holds without one (in force for every date before its `valid_to`) is changed in place,
as a verification of it does.

Everything is checked as the shipped tables are (types, units, keys, statuses and notes,
sources and references that resolve) plus: every table the edition touches exists, a row is
not added over a row in force (it would overlap it silently) and a change or a retirement has
a row to act on. `InputError` names every problem by the edition's place (file, sheet, row,
column). `apply_edition` is pure: a library and an edition in, the new library and what
changed out; the new library's `digest` covers the edition.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.reference.catalog import Catalog, TableSpec
from carbonpeak.reference.formulas import check_formulas
from carbonpeak.reference.loader import (
    Cell,
    Record,
    Reference,
    _check_keys,
    _check_notes,
    _check_references,
    _check_sources,
    _check_units,
    _typed_records,
)

Action = Literal["add", "change", "retire"]
OPEN_START = "open"  # a valid_from cell: the row has no start (see the module's docstring)
ACTIONS: tuple[Action, ...] = ("add", "change", "retire")
SOURCE_COLUMNS = (
    "source_id",
    "title",
    "issuer",
    "document_number",
    "date",
    "url",
    "clause",
    "note",
)


@dataclass(frozen=True)
class EditionRow:
    """One row of an edition: its table, what it does, its cells as text by column name (the
    table's columns and provenance; any may be missing) and where it was read."""

    table: str
    values: Mapping[str, str]
    action: Action | None = None
    place: Place = field(default_factory=Place)


@dataclass(frozen=True)
class Edition:
    """An authority's edition: the document it is published in (a `sources` row: source_id,
    title, issuer, document_number, date, url, clause, note), the date it takes effect, further
    documents its rows cite, and its rows."""

    document: Mapping[str, str]
    valid_from: date
    rows: tuple[EditionRow, ...]
    sources: tuple[Mapping[str, str], ...] = ()
    place: Place = field(default_factory=Place)

    @property
    def source_id(self) -> str:
        return str(self.document.get("source_id") or "")

    @property
    def digest(self) -> str:
        """SHA-256 of what the edition says (not where it was read)."""
        content = {
            "document": dict(sorted(self.document.items())),
            "valid_from": self.valid_from.isoformat(),
            "sources": [dict(sorted(s.items())) for s in self.sources],
            # blank cells are no values, and rows are in table order (as a package keeps them)
            "rows": [
                [r.table, r.action, {k: v for k, v in sorted(r.values.items()) if v}]
                for r in sorted(self.rows, key=lambda r: r.table)
            ],
        }
        return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class RowChange:
    """What an edition did to one key of a table: the row before (None: added) and after
    (None: retired), each as its values."""

    table: str
    key: tuple[tuple[str, Cell], ...]
    action: Action
    before: Mapping[str, Cell] | None
    after: Mapping[str, Cell] | None

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns whose value differs (every column of an added or retired row)."""
        before, after = self.before or {}, self.after or {}
        names = list(dict.fromkeys([*before, *after]))
        return tuple(n for n in names if before.get(n) != after.get(n))


@dataclass(frozen=True)
class Applied:
    """The library with the edition applied, and what it changed, table by table."""

    reference: Reference
    changes: tuple[RowChange, ...]

    def by_table(self) -> dict[str, dict[str, int]]:
        """Per table the number of rows added, changed and retired."""
        out: dict[str, dict[str, int]] = {}
        for change in self.changes:
            counts = out.setdefault(change.table, dict.fromkeys(ACTIONS, 0))
            counts[change.action] += 1
        return out


def apply_edition(reference: Reference, edition: Edition) -> Applied:
    """`reference` with `edition` applied (see the module's docstring), or `InputError` with
    every problem placed."""
    problems: list[Problem] = []
    sources = _sources(reference, edition, problems)
    known_sources = {s.source_id for s in reference.sources} | {
        str(r.get("source_id")) for r in sources
    }
    records = {name: list(reference._records[name]) for name in reference._records}
    records["sources"] = [*records["sources"], *sources]
    changes: list[RowChange] = []
    tables: dict[str, list[EditionRow]] = {}
    for row in edition.rows:
        tables.setdefault(row.table, []).append(row)
    for table, rows in tables.items():
        if table not in reference.catalog.tables:
            problems.append(
                Problem(rows[0].place, f"no reference table {table!r}: the edition cannot add one")
            )
    for table in reference.catalog.tables:  # declared order: a referenced table comes first
        if table in tables and reference.spec(table).authority_supplied:
            problems.append(
                Problem(
                    tables[table][0].place,
                    f"{table} is supplied by each authority for its region (authority rows), "
                    "not by an edition",
                )
            )
        elif table in tables:
            spec = reference.spec(table)
            records[table] = _apply_table(
                reference.catalog,
                spec,
                edition,
                tables[table],
                records,
                known_sources,
                changes,
                problems,
            )
    if not problems:
        # a retired or changed key that other tables name (an item, a region) would leave them
        # pointing at nothing: every reference of the library is checked again
        dangling: list[Problem] = []
        _check_references(reference.catalog, records, dangling)
        retiring = [r.place for r in edition.rows if r.action == "retire"] or [edition.place]
        problems += [
            Problem(retiring[0], f"{p.place.file}, row {p.place.row}: {p.message}")
            for p in dangling
        ]
        if "formulas" in tables or "formula_bands" in tables:
            problems += check_formulas(records, _formula_place(edition))
    if problems:
        raise InputError(problems)
    applied = Reference(reference.catalog, records, reference.directory)
    sha = hashlib.sha256(reference.digest.encode())
    sha.update(b"edition\0" + edition.digest.encode())
    applied._digest = sha.hexdigest()
    return Applied(applied, tuple(changes))


def _formula_place(edition: Edition) -> Callable[[Record, str], Place]:
    """A formula row's place in the edition: the edition's row of that formula (of `formulas`,
    else of its bands), else the edition itself (a shipped formula the edition's rows broke)."""

    def place(record: Record, column: str) -> Place:
        name = str(record.get("formula"))
        for table in ("formulas", "formula_bands"):
            for row in edition.rows:
                if row.table == table and row.values.get("formula") == name:
                    return replace(row.place, column=column)
        return edition.place

    return place


def _sources(reference: Reference, edition: Edition, problems: list[Problem]) -> list[Record]:
    """The edition's document and the further sources it gives, checked as `sources.csv`."""
    spec = reference.catalog.sources.model_copy(update={"file": edition.place.file or ""})
    given = [edition.document, *edition.sources]
    lines = (
        (n, ["" if s.get(c) is None else str(s.get(c)) for c in spec.header])
        for n, s in enumerate(given, 1)
    )
    found: list[Problem] = []
    records = _typed_records(spec, lines, found)
    _check_sources(records, found, spec.file)
    if not edition.source_id:
        found.append(Problem(edition.place, "the edition's document needs a source_id"))
    existing = {s.source_id for s in reference.sources}
    for record in records:
        if record.get("source_id") in existing:
            found.append(
                Problem(
                    replace(edition.place, column="source_id"),
                    f"source {record.get('source_id')!r} is in the library already: "
                    "cite it in the rows, do not give it again",
                )
            )
    _check_keys(spec, records, found)
    problems += [replace(p, place=replace(edition.place, column=p.place.column)) for p in found]
    return records


def _apply_table(
    catalog: Catalog,
    spec: TableSpec,
    edition: Edition,
    rows: Sequence[EditionRow],
    records: Mapping[str, list[Record]],
    known_sources: set[str],
    changes: list[RowChange],
    problems: list[Problem],
) -> list[Record]:
    """The table's records with `rows` applied (`records`: every table as the edition has
    made it so far); the changes and problems appended. Rows are found by their key through
    an index, so an edition of many rows costs in proportion to its rows."""
    current = records[spec.name]
    index: dict[tuple[str, ...], list[Record]] = defaultdict(list)
    for record in current:
        index[_key(spec, record.values)].append(record)
    lines: list[tuple[int, list[str]]] = []
    by_line: dict[int, EditionRow] = {}
    for number, row in enumerate(rows, start=1):
        cells = dict(row.values)
        if spec.temporal and cells.get("valid_from") == OPEN_START:
            cells["valid_from"] = ""
        elif spec.temporal and not cells.get("valid_from"):
            cells["valid_from"] = edition.valid_from.isoformat()
        if spec.provenance and not cells.get("source_id"):
            cells["source_id"] = edition.source_id
        if spec.provenance and not cells.get("status") and cells["source_id"] == edition.source_id:
            cells["status"] = "verified"  # the authority's own document
        if row.action == "retire":
            # only the key (and the date) matter; the rest need not be given
            found = index.get(_key(spec, cells), [])
            if not found:
                problems.append(
                    Problem(row.place, f"no row of {spec.name} with this key to retire")
                )
                continue
            if spec.temporal:
                # the row in force on the date, not the last one read (an earlier span may
                # have been added after it)
                on = _as_date(cells.get("valid_from")) or edition.valid_from
                found = [r for r in found if r.in_force(on)] or sorted(
                    found, key=lambda r: r.valid_from or date.min
                )
            cells = {**_as_text(found[-1].values), **{k: v for k, v in cells.items() if v}}
        line = row.place.row or number
        by_line[line] = row
        lines.append((line, [cells.get(c, "") or "" for c in spec.header]))
    found_here: list[Problem] = []
    made = _typed_records(spec.model_copy(update={"file": ""}), lines, found_here)
    problems += [_placed(p, by_line[p.place.row or 0].place) for p in found_here]
    typed = [(by_line[r.line], r) for r in made]
    checks: list[Problem] = []
    _check_units(spec, made, checks)
    _check_notes(spec, made, checks)
    known = {
        c.name: {r.get(catalog.tables[c.references].key[0]) for r in records[c.references]}
        for c in spec.columns
        if c.references
    }
    for record in made:
        for column, values in known.items():
            value = record.get(column)
            target = spec.column(column).references
            if value is not None and value not in values:
                checks.append(
                    Problem(Place(row=record.line, column=column), f"{value!r} is not in {target}")
                )
        if spec.provenance and record.get("source_id") not in known_sources:
            checks.append(
                Problem(
                    Place(row=record.line, column="source_id"),
                    f"{record.get('source_id')!r} is not in sources",
                )
            )
    # two rows of the edition for one key (and span): which one would hold is not said
    _check_keys(spec, made, checks)
    problems += [_placed(p, by_line[p.place.row or 0].place) for p in checks]
    refused = {p.place.row for p in checks}
    for row, record in typed:
        if record.line not in refused:  # the other rows still say what is wrong with them
            _act(spec, row, record, index, changes, problems)
    return [r for group in index.values() for r in group]


def _act(
    spec: TableSpec,
    row: EditionRow,
    record: Record,
    index: dict[tuple[str, ...], list[Record]],
    changes: list[RowChange],
    problems: list[Problem],
) -> None:
    """One edition row applied to the table's rows of its key (`index`, changed in place)."""
    starts = record.valid_from or date.min
    ends = record.valid_to or date.max
    key_text = _key(spec, record.values)
    same = index.get(key_text, [])
    if spec.temporal:
        overlapping = [
            r
            for r in same
            if (r.valid_from or date.min) < ends and starts < (r.valid_to or date.max)
        ]
    else:
        overlapping = list(same)
    action = row.action or ("change" if overlapping else "add")
    key = tuple((k, record.get(k)) for k in spec.key)
    label = ", ".join(f"{k}={v}" for k, v in key)
    if action == "add" and overlapping:
        lines = ", ".join(str(r.line) for r in overlapping)
        problems.append(
            Problem(
                row.place,
                f"{spec.name} has a row for {label} in force then (row {lines}): "
                "mark this row 'change' to replace it, or 'retire' the old one",
            )
        )
        return
    if action in ("change", "retire") and not overlapping:
        problems.append(
            Problem(row.place, f"{spec.name} has no row for {label} in force to {action}")
        )
        return
    kept = [r for r in same if r not in overlapping]
    if spec.temporal:
        for old in overlapping:
            old_start = old.valid_from or date.min
            old_end = old.valid_to or date.max
            if old_start < starts:  # it ends where the new row starts
                kept.append(replace(old, values={**old.values, "valid_to": record.valid_from}))
            if old_start > starts:  # a later span the new row would silently replace
                problems.append(
                    Problem(
                        row.place,
                        f"{spec.name} has a later row for {label} from {old.valid_from} (row "
                        f"{old.line}): give this row a valid_to, or change or retire that span "
                        "in a row of its own",
                    )
                )
            if old_end > ends:
                problems.append(
                    Problem(
                        row.place,
                        f"{spec.name} row {old.line} for {label} runs past this row's end "
                        f"({old.valid_to or 'open'} after {record.valid_to}): change or retire "
                        "that span in a row of its own",
                    )
                )
    before = dict(overlapping[-1].values) if overlapping else None
    if action == "retire":
        changes.append(RowChange(spec.name, key, "retire", before, None))
    else:
        kept.append(record)
        changes.append(RowChange(spec.name, key, action, before, dict(record.values)))
    index[key_text] = kept


def _key(spec: TableSpec, values: Mapping[str, Any]) -> tuple[str, ...]:
    """A row's key as text (typed values and edition cells compare alike: 2024 and 2024.0)."""
    return tuple(_text(values.get(k)) for k in spec.key)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _as_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None  # the row's own check names it


def _as_text(values: Mapping[str, Cell]) -> dict[str, str]:
    return {
        k: "" if v is None else v.isoformat() if isinstance(v, date) else str(v)
        for k, v in values.items()
    }


def _placed(problem: Problem, at: Place) -> Problem:
    """A problem of a row placed at the row's place in the edition (its column kept)."""
    return replace(problem, place=replace(at, column=problem.place.column or at.column))
