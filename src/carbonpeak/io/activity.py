"""Read the activity table and the enterprises table, checked, with every problem placed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from carbonpeak.accounting.activity import check_activity
from carbonpeak.domain.codes import industry_by_code, region_by_code
from carbonpeak.domain.uscc import check_uscc
from carbonpeak.errors import CarbonpeakError, InputError, Place, Problem
from carbonpeak.io.activity_columns import (
    ACTIVITY_SPECS,
    ENTERPRISE_SPECS,
    LIST_SHEET,
    choices_of,
)
from carbonpeak.io.headers import frame_choices, frame_to_codes, place_as_written
from carbonpeak.io.tables import EXCEL_SUFFIXES, place_problems, read_table
from carbonpeak.reference.loader import Reference

ENTERPRISE_COLUMNS = ("enterprise_id", "name", "region_code", "industry_code")


def check_enterprises(frame: pd.DataFrame, reference: Reference) -> list[Problem]:
    """Problems of an enterprises table (codes checked once per distinct value)."""
    missing = [c for c in ("enterprise_id", "region_code") if c not in frame.columns]
    if missing:
        return [Problem(Place(row=1, column=c), "required column is missing") for c in missing]
    problems: list[Problem] = []
    judges: dict[str, Callable[[str], str | None]] = {
        "enterprise_id": lambda v: check_uscc(v, reference).reason,
        "region_code": lambda v: _error(region_by_code, v, reference),
        "industry_code": lambda v: _error(industry_by_code, v, reference),
    }
    for column, judge in judges.items():
        if column not in frame.columns:
            continue
        reasons = {v: judge(v) for v in pd.unique(frame[column].astype(str)) if v != ""}
        for row, value in zip(frame["row"], frame[column].astype(str), strict=True):
            if reasons.get(value):
                problems.append(Problem(Place(row=int(row), column=column), str(reasons[value])))
    duplicated = frame["enterprise_id"].duplicated(keep="first")
    for row in frame.loc[duplicated, "row"]:
        problems.append(Problem(Place(row=int(row), column="enterprise_id"), "listed twice"))
    return problems


def _error(
    resolve: Callable[[str, Reference], object], value: str, reference: Reference
) -> str | None:
    try:
        resolve(value, reference)
    except CarbonpeakError as exc:
        return str(exc)
    return None


def bilingual_activity(
    frame: pd.DataFrame, reference: Reference, file: str | None = None, sheet: str | None = None
) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    """An activity table as read (headers in Chinese, English or both; streams, items and
    directions as codes or Chinese names) with its columns and choices as codes; code ->
    header as written; the problems of its headers and of Chinese names not in the lists."""
    coded, columns, problems = frame_to_codes(frame, ACTIVITY_SPECS, file, sheet)
    coded = coded.copy()
    place = Place(file=file, sheet=sheet)
    for code in ("stream", "item", "direction"):
        if code in columns:
            problems += frame_choices(
                coded, code, choices_of(code, reference), columns[code], LIST_SHEET, place
            )
    return coded, columns, problems


def check_bilingual_activity(
    frame: pd.DataFrame, reference: Reference, file: str | None = None, sheet: str | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """`bilingual_activity` then `check_activity`: the table with codes, and every problem,
    each column named as the file wrote it."""
    coded, columns, problems = bilingual_activity(frame, reference, file, sheet)
    said = {(p.place.row, p.place.column) for p in problems}
    problems += [
        p
        for p in place_as_written(check_activity(coded, reference), columns)
        if (p.place.row, p.place.column) not in said  # a Chinese name not in the lists
    ]
    return coded, problems


def _sheet(path: Path, sheet: str) -> str | None:
    return sheet if path.suffix.lower() in EXCEL_SUFFIXES else None


def _read_enterprises(path: Path, reference: Reference) -> tuple[pd.DataFrame, list[Problem]]:
    frame = read_table(path, "enterprises")
    coded, columns, problems = frame_to_codes(
        frame, ENTERPRISE_SPECS, str(path), _sheet(path, "enterprises")
    )
    if not problems:
        problems = place_problems(
            place_as_written(check_enterprises(coded, reference), columns), path, "enterprises"
        )
    return coded, problems


def read_enterprises(path: Path, reference: Reference) -> pd.DataFrame:
    """The checked enterprises table (CSV, or sheet `enterprises` of a workbook; headers in
    Chinese, English or both), columns named by code; raise `InputError` with every problem
    placed."""
    enterprises, problems = _read_enterprises(path, reference)
    if problems:
        raise InputError(problems)
    return enterprises


def read_activity(
    path: Path, reference: Reference, enterprises_path: Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The checked activity table (CSV, or sheet `activity` of a workbook) and, if given, the
    enterprises table (CSV, or sheet `enterprises`); raise `InputError` with every problem of
    both, each placed in its file, sheet, row and column."""
    activity, problems = check_bilingual_activity(
        read_table(path, "activity"), reference, str(path), _sheet(path, "activity")
    )
    problems = place_problems(problems, path, "activity")
    enterprises = None
    if enterprises_path is not None:
        enterprises, more = _read_enterprises(enterprises_path, reference)
        problems += more
    if problems:
        raise InputError(problems)
    return activity, enterprises
