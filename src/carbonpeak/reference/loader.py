"""Load, validate and look up the reference tables.

`check(directory)` reads every table declared in `tables.yaml` and returns every problem at
once, each naming file, row (the line in the CSV, header = 1) and column:
types, units that pint cannot read or that do not convert to the declared unit, duplicate keys,
`source_id`s that do not resolve, statuses other than verified/unverified, unverified rows
without a note, and validity ranges of one key that overlap.

`Reference.load()` does the same and refuses to load if anything is wrong. Look-ups answer as of
a date for tables whose rules change over time, never falling back silently to another
edition, and return the value with its unit and provenance.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import ValidationError

from carbonpeak.domain.units import compatible, convert, parse_unit
from carbonpeak.errors import CarbonpeakError, InputError, Place, Problem, UnitError
from carbonpeak.reference.catalog import (
    STATUSES,
    Catalog,
    ColumnSpec,
    TableSpec,
    load_catalog,
    packaged_data_dir,
)

Cell = str | float | int | date | None


class ReferenceLookupError(CarbonpeakError):
    """A look-up that no row answers (unknown table, key or no row in force on the date)."""


@dataclass(frozen=True)
class Source:
    """A document that reference rows cite."""

    source_id: str
    title: str
    issuer: str | None
    document_number: str | None
    date: str | None
    url: str | None
    clause: str | None
    note: str | None

    def cite(self) -> str:
        parts = [self.title]
        if self.document_number:
            parts.append(self.document_number)
        if self.clause:
            parts.append(self.clause)
        return ", ".join(parts)


@dataclass(frozen=True)
class Record:
    """One row of a reference table, typed, with the line it came from."""

    table: str
    line: int
    values: Mapping[str, Cell]

    def __getitem__(self, column: str) -> Cell:
        return self.values[column]

    def get(self, column: str, default: Cell = None) -> Cell:
        return self.values.get(column, default)

    @property
    def valid_from(self) -> date | None:
        value = self.values.get("valid_from")
        return value if isinstance(value, date) else None

    @property
    def valid_to(self) -> date | None:
        value = self.values.get("valid_to")
        return value if isinstance(value, date) else None

    def in_force(self, on: date) -> bool:
        starts, ends = self.valid_from, self.valid_to
        return (starts is None or starts <= on) and (ends is None or on < ends)


@dataclass(frozen=True)
class Provenance:
    """Where a reference value comes from: table, key, edition, source and status."""

    table: str
    key: tuple[tuple[str, str], ...]
    column: str
    line: int
    source_id: str
    source: str
    status: str
    valid_from: date | None = None
    valid_to: date | None = None
    note: str | None = None

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "key": dict(self.key),
            "column": self.column,
            "line": self.line,
            "source_id": self.source_id,
            "source": self.source,
            "status": self.status,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class Value:
    """A reference number with its unit and provenance."""

    value: float
    unit: str
    provenance: Provenance = field(repr=False)

    def to(self, unit: str) -> float:
        """The value converted to `unit`."""
        return convert(self.value, self.unit, unit)

    @property
    def verified(self) -> bool:
        return self.provenance.verified


# --------------------------------------------------------------------------------------------
# Reading and checking


def _convert(spec: ColumnSpec, text: str) -> Cell:
    if spec.type == "str" or spec.type == "unit":
        if spec.type == "unit":
            parse_unit(text)
        return text
    if spec.type == "float":
        return float(text)
    if spec.type == "int":
        return int(text)
    return date.fromisoformat(text)


_TYPE_WORDS = {"float": "a number", "int": "an integer", "date": "an ISO date (YYYY-MM-DD)"}


def _read_table(directory: Path, spec: TableSpec, problems: list[Problem]) -> list[Record]:
    path = directory / spec.file
    if not path.exists():
        problems.append(Problem(Place(file=spec.file), "file is missing"))
        return []
    try:  # a table is UTF-8 text: an authority's file may be anything
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(
            Problem(
                Place(file=spec.file), f"not UTF-8 text (byte {error.start}): save it as CSV UTF-8"
            )
        )
        return []
    if "\x00" in text:
        problems.append(Problem(Place(file=spec.file), "not a text table (NUL characters)"))
        return []
    with io.StringIO(text, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            problems.append(Problem(Place(file=spec.file, row=1), "file is empty"))
            return []
        expected = list(spec.header)
        if header != expected:
            missing = [c for c in expected if c not in header]
            extra = [c for c in header if c not in expected]
            detail = []
            if missing:
                detail.append(f"missing {', '.join(missing)}")
            if extra:
                detail.append(f"unexpected {', '.join(extra)}")
            if not detail:
                detail.append(f"columns out of order, expected {', '.join(expected)}")
            problems.append(Problem(Place(file=spec.file, row=1), "; ".join(detail)))
            return []
        lines = ((reader.line_num, raw) for raw in reader)
        return _typed_records(spec, lines, problems)


def _typed_records(
    spec: TableSpec, lines: Iterable[tuple[int, list[str]]], problems: list[Problem]
) -> list[Record]:
    """The rows (line, cells in the header's order, as text) of a table, typed and checked
    cell by cell; each problem placed by the table's file, the line and the column."""
    expected = list(spec.header)
    columns = {c.name: c for c in spec.columns}
    provenance_spec = {
        "valid_from": ColumnSpec(name="valid_from", type="date", required=False),
        "valid_to": ColumnSpec(name="valid_to", type="date", required=False),
        "source_id": ColumnSpec(name="source_id", references="sources"),
        "status": ColumnSpec(name="status", choices=STATUSES),
        "note": ColumnSpec(name="note", required=False),
    }
    records = []
    for line, raw in lines:
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(expected):
            problems.append(
                Problem(
                    Place(file=spec.file, row=line),
                    f"{len(raw)} cells, expected {len(expected)}",
                )
            )
            continue
        values: dict[str, Cell] = {}
        for name, text in zip(expected, raw, strict=True):
            column = columns.get(name) or provenance_spec[name]
            text = text.strip()
            place = Place(file=spec.file, row=line, column=name)
            if not text:
                if column.required:
                    problems.append(Problem(place, "empty, a value is required"))
                values[name] = None
                continue
            try:
                values[name] = _convert(column, text)
            except UnitError as exc:
                problems.append(Problem(place, str(exc)))
                values[name] = None
                continue
            except ValueError:
                word = _TYPE_WORDS.get(column.type, column.type)
                problems.append(Problem(place, f"{text!r} is not {word}"))
                values[name] = None
                continue
            if column.choices and text not in column.choices:
                problems.append(
                    Problem(place, f"{text!r} is not one of {', '.join(column.choices)}")
                )
        for column in spec.columns:  # a date not before another of its row (an expiry)
            later, earlier = values.get(column.name), values.get(column.not_before or "")
            if isinstance(later, date) and isinstance(earlier, date) and later < earlier:
                problems.append(
                    Problem(
                        Place(file=spec.file, row=line, column=column.name),
                        f"{later.isoformat()} is before {column.not_before} {earlier.isoformat()}",
                    )
                )
        records.append(Record(spec.name, line, values))
    return records


def _check_units(spec: TableSpec, records: list[Record], problems: list[Problem]) -> None:
    for column in spec.columns:
        if column.type != "unit" or not column.compatible_with:
            continue
        for record in records:
            unit = record.get(column.name)
            if isinstance(unit, str) and not compatible(unit, column.compatible_with):
                problems.append(
                    Problem(
                        Place(file=spec.file, row=record.line, column=column.name),
                        f"unit {unit!r} does not convert to {column.compatible_with}",
                    )
                )


def _check_keys(spec: TableSpec, records: list[Record], problems: list[Problem]) -> None:
    groups: dict[tuple[Cell, ...], list[Record]] = defaultdict(list)
    for record in records:
        groups[tuple(record.get(k) for k in spec.key)].append(record)
    for key, group in groups.items():
        label = ", ".join(f"{k}={v}" for k, v in zip(spec.key, key, strict=True))
        if not spec.temporal:
            for duplicate in group[1:]:
                problems.append(
                    Problem(
                        Place(file=spec.file, row=duplicate.line, column=spec.key[0]),
                        f"duplicate key {label} (first on row {group[0].line})",
                    )
                )
            continue
        for record in group:
            if record.valid_from and record.valid_to and record.valid_to <= record.valid_from:
                problems.append(
                    Problem(
                        Place(file=spec.file, row=record.line, column="valid_to"),
                        f"valid_to {record.valid_to} is not after valid_from {record.valid_from}",
                    )
                )
        ordered = sorted(group, key=lambda r: r.valid_from or date.min)
        for earlier, later in itertools.pairwise(ordered):
            earlier_end = earlier.valid_to or date.max
            later_start = later.valid_from or date.min
            if later_start < earlier_end:
                problems.append(
                    Problem(
                        Place(file=spec.file, row=later.line, column="valid_from"),
                        f"validity of {label} overlaps row {earlier.line} "
                        f"({earlier.valid_from or '-'} to {earlier.valid_to or '-'})",
                    )
                )


def _check_references(
    catalog: Catalog, records: dict[str, list[Record]], problems: list[Problem]
) -> None:
    keys: dict[str, set[Cell]] = {}
    for spec in catalog.all():
        if len(spec.key) == 1:
            keys[spec.name] = {r.get(spec.key[0]) for r in records.get(spec.name, [])}
    for spec in catalog.tables.values():
        referencing = [c for c in spec.columns if c.references]
        if spec.provenance:
            referencing.append(ColumnSpec(name="source_id", references="sources"))
        for column in referencing:
            target = column.references or ""
            known = keys.get(target)
            if known is None:
                problems.append(
                    Problem(
                        Place(file="tables.yaml", field=f"{spec.name}.{column.name}"),
                        f"references {target!r}, which is not a table with one key column",
                    )
                )
                continue
            for record in records.get(spec.name, []):
                value = record.get(column.name)
                if value is not None and value not in known:
                    problems.append(
                        Problem(
                            Place(file=spec.file, row=record.line, column=column.name),
                            f"{value!r} is not in {target}",
                        )
                    )


def _check_notes(spec: TableSpec, records: list[Record], problems: list[Problem]) -> None:
    if not spec.provenance:
        return
    for record in records:
        if record.get("status") == "unverified" and not record.get("note"):
            problems.append(
                Problem(
                    Place(file=spec.file, row=record.line, column="note"),
                    "an unverified row needs a note saying why (recalled, secondary, derived)",
                )
            )


def _check_sources(
    records: list[Record], problems: list[Problem], file: str = "sources.csv"
) -> None:
    for record in records:
        if not any(record.get(c) for c in ("url", "document_number", "note")):
            problems.append(
                Problem(
                    Place(file=file, row=record.line, column="url"),
                    "a source needs a url, a document number, or a note saying where it was seen",
                )
            )


def _read_all(directory: Path) -> tuple[Catalog | None, dict[str, list[Record]], list[Problem]]:
    problems: list[Problem] = []
    try:
        catalog = load_catalog(directory)
    except FileNotFoundError:
        return None, {}, [Problem(Place(file="tables.yaml"), "file is missing")]
    except (yaml.YAMLError, ValidationError, TypeError, KeyError) as exc:
        return None, {}, [Problem(Place(file="tables.yaml"), f"invalid declarations: {exc}")]
    records: dict[str, list[Record]] = {}
    for spec in catalog.all():
        table_records = _read_table(directory, spec, problems)
        _check_units(spec, table_records, problems)
        _check_keys(spec, table_records, problems)
        _check_notes(spec, table_records, problems)
        records[spec.name] = table_records
    _check_sources(records["sources"], problems)
    _check_references(catalog, records, problems)
    from carbonpeak.reference.formulas import check_formulas  # it reads this module's Record

    problems += check_formulas(records)
    return catalog, records, problems


def check(directory: Path | None = None) -> list[Problem]:
    """Every problem in the reference tables of `directory` (default: the packaged ones)."""
    return _read_all(directory or packaged_data_dir())[2]


# --------------------------------------------------------------------------------------------
# The loaded library


class Reference:
    """The validated reference tables, answering look-ups with provenance."""

    def __init__(self, catalog: Catalog, records: dict[str, list[Record]], directory: Path):
        self.catalog = catalog
        self.directory = directory
        self._records = records
        self._index: dict[str, dict[tuple[Cell, ...], list[Record]]] = {}
        self._sources = {
            str(r["source_id"]): Source(
                source_id=str(r["source_id"]),
                title=str(r["title"]),
                issuer=_text(r.get("issuer")),
                document_number=_text(r.get("document_number")),
                date=_text(r.get("date")),
                url=_text(r.get("url")),
                clause=_text(r.get("clause")),
                note=_text(r.get("note")),
            )
            for r in records["sources"]
        }

    @property
    def digest(self) -> str:
        """SHA-256 of every file of the library: which edition of the tables made a result."""
        if not hasattr(self, "_digest"):
            sha = hashlib.sha256()
            for path in sorted(self.directory.iterdir()):
                if path.suffix in (".csv", ".yaml"):
                    sha.update(path.name.encode() + b"\0" + path.read_bytes())
            self._digest = sha.hexdigest()
        return self._digest

    @classmethod
    def load(cls, directory: Path | None = None) -> Reference:
        """Load and validate; raise `InputError` listing every problem if any."""
        directory = directory or packaged_data_dir()
        catalog, records, problems = _read_all(directory)
        if problems or catalog is None:
            raise InputError(problems)
        return cls(catalog, records, directory)

    def with_rows(self, table: str, path: Path) -> Reference:
        """This library with the rows of `table` read from `path` (a CSV with the table's
        header) added to the shipped ones: how an authority supplies the rows of a table
        declared `authority_supplied`, or a later edition of any table. The file is checked
        as the packaged tables are (header, types, units, statuses and notes, sources and
        references that resolve, keys whose validity overlaps the shipped rows or each other);
        `InputError` names every problem by file, row and column. The new library's `digest`
        covers the file, so results name what they used."""
        spec = self.spec(table).model_copy(update={"file": str(path)})
        problems: list[Problem] = []
        if not path.is_file():
            raise InputError([Problem(Place(file=str(path)), "file is missing")])
        added = _read_table(Path(), spec, problems)
        return self._merged(spec, added, [], problems, path.read_bytes())

    def with_records(
        self,
        table: str,
        rows: Sequence[Mapping[str, object]],
        sources: Sequence[Mapping[str, object]] = (),
        origin: str = "authority",
    ) -> Reference:
        """This library with `rows` of `table` (mappings of the table's columns, as entered by
        an authority and kept in the store) and the `sources` they cite added: the same checks
        as `with_rows`, each problem placed at `origin`, the row's position (from 1) and the
        column. The digest covers what was added."""
        spec = self.spec(table).model_copy(update={"file": origin})
        problems: list[Problem] = []

        def cells(header: Sequence[str], row: Mapping[str, object]) -> list[str]:
            return ["" if row.get(c) is None else str(row.get(c)) for c in header]

        source_spec = self.catalog.sources.model_copy(update={"file": f"{origin} (sources)"})
        new_sources = _typed_records(
            source_spec,
            ((n, cells(source_spec.header, r)) for n, r in enumerate(sources, 1)),
            problems,
        )
        _check_sources(new_sources, problems, source_spec.file)
        _check_keys(source_spec, [*self._records["sources"], *new_sources], problems)
        added = _typed_records(
            spec, ((n, cells(spec.header, r)) for n, r in enumerate(rows, 1)), problems
        )
        content = json.dumps([list(sources), list(rows)], default=str, sort_keys=True)
        return self._merged(spec, added, new_sources, problems, content.encode())

    def _merged(
        self,
        spec: TableSpec,
        added: list[Record],
        new_sources: list[Record],
        problems: list[Problem],
        content: bytes,
    ) -> Reference:
        table = spec.name
        _check_units(spec, added, problems)
        _check_notes(spec, added, problems)
        _check_keys(spec, [*self._records[table], *added], problems)
        referencing = [c for c in spec.columns if c.references]
        referencing.append(ColumnSpec(name="source_id", references="sources"))
        for column in referencing:
            target = column.references or ""
            target_spec = self.catalog.sources if target == "sources" else self.spec(target)
            known = {r.get(target_spec.key[0]) for r in self._records[target]}
            if target == "sources":
                known |= {r.get("source_id") for r in new_sources}
            for record in added:
                value = record.get(column.name)
                if value is not None and value not in known:
                    problems.append(
                        Problem(
                            Place(file=spec.file, row=record.line, column=column.name),
                            f"{value!r} is not in {target}",
                        )
                    )
        if problems:
            raise InputError(problems)
        records = {
            **self._records,
            "sources": [*self._records["sources"], *new_sources],
            table: [*self._records[table], *added],
        }
        merged = Reference(self.catalog, records, self.directory)
        sha = hashlib.sha256(self.digest.encode())
        sha.update(table.encode() + b"\0" + content)
        merged._digest = sha.hexdigest()
        return merged

    # -- tables ---------------------------------------------------------------------------

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(self.catalog.tables)

    def spec(self, table: str) -> TableSpec:
        try:
            return self.catalog.tables[table]
        except KeyError:
            raise ReferenceLookupError(
                f"no reference table {table!r}; tables: {', '.join(self.catalog.tables)}"
            ) from None

    def rows(
        self,
        table: str,
        as_of: date | None = None,
        where: Mapping[str, Cell] | None = None,
        **equal: Cell,
    ) -> list[Record]:
        """Rows of a table, those in force on `as_of` if given, whose columns equal the
        values in `where` and `equal`."""
        spec = self.spec(table)
        filters = {**(where or {}), **equal}
        for name in filters:
            if name not in spec.header:
                raise ReferenceLookupError(f"table {table} has no column {name!r}")
        candidates = self._records[table]
        if filters and set(filters) == set(spec.key):
            candidates = self._keyed(spec).get(tuple(filters[k] for k in spec.key), [])
        out = []
        for record in candidates:
            if as_of is not None and spec.temporal and not record.in_force(as_of):
                continue
            if all(record.get(k) == v for k, v in filters.items()):
                out.append(record)
        return out

    def _keyed(self, spec: TableSpec) -> dict[tuple[Cell, ...], list[Record]]:
        index = self._index.get(spec.name)
        if index is None:
            index = defaultdict(list)
            for record in self._records[spec.name]:
                index[tuple(record.get(k) for k in spec.key)].append(record)
            self._index[spec.name] = index
        return index

    def frame(self, table: str, as_of: date | None = None) -> pd.DataFrame:
        """A table as a DataFrame (rows in force on `as_of` if given)."""
        spec = self.spec(table) if table != "sources" else self.catalog.sources
        records = self._records[table] if table == "sources" else self.rows(table, as_of)
        return pd.DataFrame([dict(r.values) for r in records], columns=list(spec.header))

    def source(self, source_id: str) -> Source:
        try:
            return self._sources[source_id]
        except KeyError:
            raise ReferenceLookupError(f"no source {source_id!r}") from None

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(self._sources.values())

    # -- look-ups -------------------------------------------------------------------------

    def record(self, table: str, as_of: date | None = None, **key: Cell) -> Record:
        """The one row of `table` with this key (in force on `as_of` for temporal tables)."""
        spec = self.spec(table)
        if set(key) != set(spec.key):
            raise ReferenceLookupError(
                f"table {table} is keyed by {', '.join(spec.key)}; got {', '.join(key) or 'none'}"
            )
        if spec.temporal and as_of is None:
            raise ReferenceLookupError(f"table {table} changes over time: say as of which date")
        label = ", ".join(f"{k}={v}" for k, v in key.items())
        candidates = self.rows(table, where=key)
        if not candidates:
            raise ReferenceLookupError(f"no row of {table} for {label}")
        if not spec.temporal:
            return candidates[0]
        assert as_of is not None
        for record in candidates:
            if record.in_force(as_of):
                return record
        spans = "; ".join(
            f"{r.valid_from or '-'} to {r.valid_to or '-'}"
            for r in sorted(candidates, key=lambda r: r.valid_from or date.min)
        )
        raise ReferenceLookupError(
            f"no row of {table} for {label} in force on {as_of} (rows cover {spans})"
        )

    def lookup(
        self, table: str, column: str | None = None, as_of: date | None = None, **key: Cell
    ) -> Value:
        """A value with unit and provenance. `column` may be omitted if the table has one."""
        spec = self.spec(table)
        value_columns = spec.value_columns
        if column is None:
            if len(value_columns) != 1:
                names = ", ".join(c.name for c in value_columns)
                raise ReferenceLookupError(f"table {table} has several values ({names}): name one")
            value_spec = value_columns[0]
        else:
            try:
                value_spec = spec.column(column)
            except KeyError:
                raise ReferenceLookupError(f"table {table} has no column {column!r}") from None
            if not value_spec.is_value:
                raise ReferenceLookupError(f"{table}.{column} is not a value column")
        record = self.record(table, as_of=as_of, **key)
        number = record.get(value_spec.name)
        if not isinstance(number, int | float):
            raise ReferenceLookupError(
                f"{table} row {record.line} has no {value_spec.name} "
                f"for {', '.join(f'{k}={v}' for k, v in key.items())}"
            )
        unit = value_spec.unit or str(record.get(value_spec.unit_column or ""))
        source_id = str(record.get("source_id"))
        provenance = Provenance(
            table=table,
            key=tuple((k, str(record.get(k))) for k in spec.key),
            column=value_spec.name,
            line=record.line,
            source_id=source_id,
            source=self.source(source_id).cite(),
            status=str(record.get("status")),
            valid_from=record.valid_from,
            valid_to=record.valid_to,
            note=_text(record.get("note")),
        )
        return Value(float(number), unit, provenance)

    def counts(self, table: str) -> dict[str, int]:
        """Rows by status."""
        out: dict[str, int] = defaultdict(int)
        for record in self._records[table]:
            out[str(record.get("status"))] += 1
        return dict(out)


def _text(value: Cell) -> str | None:
    return None if value is None else str(value)


@lru_cache(maxsize=1)
def default_reference() -> Reference:
    """The packaged reference library, loaded once per process (it is read-only): the shipped
    tables (edition zero) with the platform's own editions (`data/editions/`) applied."""
    from carbonpeak.reference.edition_files import with_shipped_editions

    return with_shipped_editions(Reference.load())


def iter_problems(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """Problems as JSON-ready records."""
    return [
        {
            "file": p.place.file,
            "row": p.place.row,
            "column": p.place.column or p.place.field,
            "message": p.message,
        }
        for p in problems
    ]
