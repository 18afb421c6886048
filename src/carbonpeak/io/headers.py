"""Bilingual sheets: the columns of a template in Chinese with the English code beside them.

A `ColumnSpec` says what a column is: its `code` (the field the engines know), its Chinese
`label`, help in Chinese and English, its fixed `unit` (if it has one), its `choices` (codes
with their Chinese labels: the drop-down list) and an `example` value. A template writes the
header `统一社会信用代码 (enterprise_id)` (`header`), with ` [unit]` after it where the unit
is fixed. A reader accepts the Chinese label, the English code or the combined form, in half-
or full-width brackets, with a bracketed unit note (`map_headers`); a header it does not know
is a problem at row 1 of its column, named as the user wrote it. A choice cell may likewise be
the code, the Chinese label or `原煤 (raw_coal)` (`choice_codes`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from carbonpeak.errors import N_, Place, Problem

_GROUP = re.compile(r"[(\[]([^()\[\]]*)[)\]]")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a bilingual sheet."""

    code: str
    label: str
    help_zh: str = ""
    help_en: str = ""
    unit: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    """(code, Chinese label) of each value the column may take; empty: any value."""
    example: object = None
    aliases: tuple[str, ...] = ()
    """Other Chinese names a reader accepts for the column."""

    @property
    def header(self) -> str:
        """The header a template writes: `统一社会信用代码 (enterprise_id)`, `... [tC/GJ]`."""
        text = f"{self.label} ({self.code})"
        return f"{text} [{self.unit}]" if self.unit else text


def _plain(text: str) -> str:
    """NFKC (full-width brackets, letters and digits to ASCII), blanks collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def split_header(header: str) -> tuple[str, list[str]]:
    """The bare name of a header and the contents of its bracketed groups, in order
    (`单位热值含碳量 (carbon_content_tc_per_gj) [tC/GJ]` -> the label, [code, unit])."""
    text = _plain(header)
    groups = [g.strip() for g in _GROUP.findall(text)]
    return _GROUP.sub(" ", text).strip(), groups


def match_header(
    header: str, specs: Sequence[ColumnSpec]
) -> tuple[ColumnSpec | None, tuple[str, tuple[object, ...]] | None]:
    """The column a header names and the problem with it, if any (a message and its
    arguments): the label or code alone, or with the code in brackets; other bracketed text is
    a unit note, allowed only on a column with a fixed unit and only that unit."""
    bare, groups = split_header(header)
    by_name: dict[str, ColumnSpec] = {}
    for each in specs:
        for name in (each.code, each.label, *each.aliases):
            by_name.setdefault(_key(name), each)
    named = by_name.get(_key(bare))
    codes = [g for g in groups if _key(g) in {_key(s.code) for s in specs}]
    coded = by_name.get(_key(codes[0])) if codes else None
    if named is None and coded is None:
        return None, None
    if named is not None and coded is not None and named is not coded:
        return None, (
            N_("column {!r} names two columns: {} and {}"),
            (header, named.code, coded.code),
        )
    spec = coded or named
    assert spec is not None
    notes = [g for g in groups if g not in codes]
    for note in notes:
        if spec.unit is None:
            return None, (
                N_("column {!r} has no fixed unit: give the unit in its own column"),
                (header,),
            )
        if _key(note) != _key(spec.unit):
            return None, (N_("the unit of column {!r} is {}, not {}"), (header, spec.unit, note))
    return spec, None


def map_headers(
    headers: Iterable[str],
    specs: Sequence[ColumnSpec],
    file: str | None = None,
    sheet: str | None = None,
) -> tuple[dict[str, str], list[Problem]]:
    """code -> the header as written, for each header a spec names; a problem at row 1 of its
    column (named as written) for a header none names, one that repeats a column, or a wrong
    unit note. Blank headers are left out."""
    columns: dict[str, str] = {}
    problems: list[Problem] = []
    known = ", ".join(s.header for s in specs)
    for header in headers:
        if not str(header).strip() or header == "row":
            continue
        place = Place(file=file, sheet=sheet, row=1, column=header)
        spec, reason = match_header(header, specs)
        if reason is not None:
            problems.append(Problem.of(place, reason[0], *reason[1]))
        elif spec is None:
            problems.append(
                Problem.of(place, N_("unknown column {!r}; the columns are: {}"), header, known)
            )
        elif spec.code in columns:
            problems.append(
                Problem.of(
                    place,
                    N_("column {!r} names {} as column {!r} does"),
                    header,
                    spec.code,
                    columns[spec.code],
                )
            )
        else:
            columns[spec.code] = header
    return columns, problems


def choice_label(code: str, label: str) -> str:
    """A value as a template's drop-down lists it: `原煤 (raw_coal)`."""
    return f"{label} ({code})"


def choice_codes(choices: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each way a cell may give a choice (code, Chinese label, `label (code)`; compared after
    `value_key`) -> its code."""
    out: dict[str, str] = {}
    for code, label in choices:
        for name in (code, label, choice_label(code, label)):
            out.setdefault(value_key(name), code)
    return out


def value_key(text: str) -> str:
    """A cell compared with a list: NFKC, no blanks, lower case."""
    return _key(_plain(text))


def translate_choices(
    values: Sequence[str], codes: Mapping[str, str]
) -> tuple[list[str], list[int]]:
    """The cells as codes (`codes` from `choice_codes`), blanks kept, and the positions of the
    cells no choice names (kept as written)."""
    out: list[str] = []
    unknown: list[int] = []
    for position, value in enumerate(values):
        text = str(value)
        if not text.strip():
            out.append(text)
            continue
        code = codes.get(value_key(text))
        if code is None:
            unknown.append(position)
            out.append(text)
        else:
            out.append(code)
    return out, unknown


def frame_to_codes(
    frame: pd.DataFrame,
    specs: Sequence[ColumnSpec],
    file: str | None = None,
    sheet: str | None = None,
    keep_unknown: bool = False,
) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    """The frame with its known columns renamed to their codes (and `row` kept), code -> the
    header as written, and the problems of its header row (`map_headers`); unknown columns
    are left out of the frame (their problem names them), or with `keep_unknown` kept as they
    are, without a problem (a reader that has always let extra columns through)."""
    columns, problems = map_headers([str(c) for c in frame.columns], specs, file, sheet)
    if keep_unknown:
        problems = [p for p in problems if not p.template.startswith("unknown column")]
        kept = [str(c) for c in frame.columns]
    else:
        kept = [*columns.values(), *(["row"] if "row" in frame.columns else [])]
    renamed = frame[kept].rename(columns={h: c for c, h in columns.items()})
    return renamed, columns, problems


def frame_choices(
    frame: pd.DataFrame,
    code: str,
    choices: Iterable[tuple[str, str]],
    header: str,
    list_sheet: str,
    place: Place,
) -> list[Problem]:
    """Column `code` of `frame` given as codes (in place): each cell may be the code, the
    Chinese label or both; a non-ASCII cell no choice names is a problem at its row (and at
    column `header`, as written), saying where the list is; ASCII cells no choice names are
    left for the engine's own check."""
    if code not in frame.columns:
        return []
    values, unknown = translate_choices(frame[code].astype(str).tolist(), choice_codes(choices))
    frame[code] = values
    problems = []
    rows = frame["row"].tolist() if "row" in frame.columns else list(range(2, len(frame) + 2))
    for position in unknown:
        value = values[position]
        if value.isascii():
            continue
        problems.append(
            Problem.of(
                replace(place, row=int(rows[position]), column=header),
                N_("{!r} is not in the list of column {!r}: see sheet {} of the template"),
                value,
                header,
                list_sheet,
            )
        )
    return problems


def place_as_written(problems: Iterable[Problem], columns: Mapping[str, str]) -> list[Problem]:
    """The problems with their column given as the header was written (`columns`: code ->
    header), for problems an engine placed by code."""
    return [
        replace(p, place=replace(p.place, column=columns.get(p.place.column, p.place.column)))
        if p.place.column
        else p
        for p in problems
    ]
