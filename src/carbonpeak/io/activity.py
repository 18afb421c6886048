"""Read the activity table and the enterprises table, checked, with every problem placed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from carbonpeak.accounting.activity import check_activity
from carbonpeak.domain.codes import industry_by_code, region_by_code
from carbonpeak.domain.uscc import check_uscc
from carbonpeak.errors import CarbonpeakError, InputError, Place, Problem
from carbonpeak.io.tables import place_problems, read_table
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


def read_enterprises(path: Path, reference: Reference) -> pd.DataFrame:
    """The checked enterprises table (CSV, or sheet `enterprises` of a workbook); raise
    `InputError` with every problem placed."""
    enterprises = read_table(path, "enterprises")
    problems = place_problems(check_enterprises(enterprises, reference), path, "enterprises")
    if problems:
        raise InputError(problems)
    return enterprises


def read_activity(
    path: Path, reference: Reference, enterprises_path: Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The checked activity table (CSV, or sheet `activity` of a workbook) and, if given, the
    enterprises table (CSV, or sheet `enterprises`); raise `InputError` with every problem of
    both, each placed in its file, sheet, row and column."""
    activity = read_table(path, "activity")
    problems = place_problems(check_activity(activity, reference), path, "activity")
    enterprises = None
    if enterprises_path is not None:
        enterprises = read_table(enterprises_path, "enterprises")
        problems += place_problems(
            check_enterprises(enterprises, reference), enterprises_path, "enterprises"
        )
    if problems:
        raise InputError(problems)
    return activity, enterprises
