"""Editions kept as text, how the platform ships its own (issue 20): a folder with
`edition.yaml` and a CSV per table, under `data/editions/`, applied over the shipped tables
(edition zero) in folder order by `loader.default_reference`."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from pathlib import Path

import yaml

from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.reference.editions import ACTIONS, Edition, EditionRow, apply_edition
from carbonpeak.reference.loader import Reference


def read_edition_dir(directory: Path) -> Edition:
    """An edition kept as text (how the platform ships its own): `edition.yaml` with
    `document` (a `sources` row), `valid_from` and optional further `sources`, and one
    `<table>.csv` per table with the table's columns (any subset; the key's always) and an
    optional `action` column. Problems are placed by file, row (header = 1) and column."""
    meta_path = directory / "edition.yaml"
    try:
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError([Problem(Place(file=str(meta_path)), f"unreadable: {exc}")]) from None
    problems: list[Problem] = []
    valid_from = meta.get("valid_from")
    if not isinstance(valid_from, date):
        problems.append(
            Problem(Place(file=str(meta_path), field="valid_from"), "a date is required")
        )
    rows: list[EditionRow] = []
    for path in sorted(directory.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            for line, cells in enumerate(reader, start=2):
                action = (cells.pop("action", "") or "").strip() or None
                place = Place(file=str(path), sheet=None, row=line)
                if action is not None and action not in ACTIONS:
                    problems.append(
                        Problem(
                            replace(place, column="action"),
                            f"{action!r} is not one of {', '.join(ACTIONS)}",
                        )
                    )
                    continue
                values = {k: (v or "").strip() for k, v in cells.items() if k}
                rows.append(EditionRow(path.stem, values, action, place))
    if problems:
        raise InputError(problems)
    document = {k: str(v) for k, v in (meta.get("document") or {}).items() if v is not None}
    sources = tuple(
        {k: str(v) for k, v in s.items() if v is not None} for s in meta.get("sources") or []
    )
    assert isinstance(valid_from, date)
    return Edition(document, valid_from, tuple(rows), sources, Place(file=str(meta_path)))


def shipped_editions(directory: Path) -> list[Path]:
    """The platform's own editions, in the order they apply: the folders of `editions/`."""
    root = directory / "editions"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def with_shipped_editions(reference: Reference) -> Reference:
    """The shipped tables (edition zero) with the platform's own editions applied in order."""
    for folder in shipped_editions(reference.directory):
        reference = apply_edition(reference, read_edition_dir(folder)).reference
    return reference
