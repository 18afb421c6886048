"""The process sheets of the national carbon market in the store (issue 21): an enterprise's
fuels into and out of each process and its products (`market.processes`, steel guideline
CETS—AG—03.01—V01—2024 §7, formulas (2)–(4)), one sheet per enterprise and year.

An upload is read by the reader the CLI's `--processes` uses (a CSV, or sheet 工序 of a
workbook), checked row by row (the enterprise of the address, one year) and then against the
enterprise's stored official reports of that year by the guideline: a process sheet is part
of the enterprise's own account, so its periods are the activity's. Every problem is placed in
the file and nothing is stored when any stands; a stored sheet replaces the year's sheet
before it in the caller's transaction, and the upload goes into the audit log.

An enterprise files its own; the administrator may file for any; regulators read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import N_, InputError, PermissionDenied, Place, Problem
from carbonpeak.io.tables import place_problems, read_upload
from carbonpeak.market.accounts import account_market, with_processes
from carbonpeak.services.access import Actor
from carbonpeak.services.market import SHEET_COLUMNS, market_enterprise, stored_sheet
from carbonpeak.services.reference import library_in_force
from carbonpeak.services.reference_impact import stored_activity
from carbonpeak.store import audit
from carbonpeak.store.models_market import MarketProcessRow

SHEET = "工序"  # the sheet of a workbook the process rows are on (as `carbonpeak market`)
REQUIRED = SHEET_COLUMNS[:8]  # ncv and ncv_unit are optional
PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
_LENGTHS: dict[str, int] = {
    c.name: int(getattr(c.type, "length", 0) or 0)
    for c in MarketProcessRow.__table__.columns
    if c.name in SHEET_COLUMNS and getattr(c.type, "length", None)
}


def _files_for(actor: Actor, enterprise_id: str) -> None:
    if actor.role == "admin":
        return
    if actor.role == "enterprise" and enterprise_id in actor.enterprises:
        return
    raise PermissionDenied("an enterprise files its own process sheet")


def _checked_rows(sheet: pd.DataFrame, enterprise_id: str, name: str) -> tuple[pd.DataFrame, int]:
    """The rows with every column of the store (blank where the sheet has none) and their one
    year; `InputError` placing each missing column, row of another enterprise, period that is
    not YYYY or YYYY-MM of one year, and cell too long to keep."""
    missing = [c for c in REQUIRED if c not in sheet.columns]
    if missing:
        raise InputError(
            [
                Problem.of(Place(file=name, row=1, column=c), N_("column {} is missing"), c)
                for c in missing
            ]
        )
    if sheet.empty:
        raise InputError(Problem.of(Place(file=name), N_("the process sheet has no row")))
    frame = sheet.copy()
    for column in SHEET_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = frame[column].astype(str).str.strip()
    problems: list[Problem] = []
    years: dict[int, list[int]] = {}
    for record in frame.to_dict("records"):
        row = int(record["row"])
        if record["enterprise_id"] != enterprise_id:
            problems.append(
                Problem.of(
                    Place(file=name, row=row, column="enterprise_id"),
                    N_("the row is of enterprise {!r}, not {}"),
                    record["enterprise_id"],
                    enterprise_id,
                )
            )
        if PERIOD.match(record["period"]):
            years.setdefault(int(record["period"][:4]), []).append(row)
        else:
            problems.append(
                Problem.of(
                    Place(file=name, row=row, column="period"),
                    N_("{!r} is not YYYY or YYYY-MM"),
                    record["period"],
                )
            )
        for column, length in _LENGTHS.items():
            if len(record[column]) > length:
                problems.append(
                    Problem.of(
                        Place(file=name, row=row, column=column),
                        N_("at most {} characters"),
                        length,
                    )
                )
    if len(years) > 1:
        first = min(years)
        problems += [
            Problem.of(
                Place(file=name, row=row, column="period"),
                N_("a process sheet is of one year: this row is of {}, the first of {}"),
                year,
                first,
            )
            for year, rows in sorted(years.items())
            if year != first
            for row in rows
        ]
    if problems:
        raise InputError(problems)
    return frame, next(iter(years))


def upload_processes(
    session: Session, actor: Actor, enterprise_id: str, name: str, content: bytes
) -> dict[str, Any]:
    """Read, check and store an enterprise's process sheet of a year, replacing the year's
    sheet before it; `InputError` with every problem placed in the file, nothing stored. The
    answer: the year, the rows kept and the process level they give."""
    market_enterprise(session, actor, enterprise_id)  # 404 before 403: no existence leaks
    _files_for(actor, enterprise_id)
    return keep_processes(session, actor, enterprise_id, read_upload(name, content, SHEET), name)


def keep_processes(
    session: Session, actor: Actor, enterprise_id: str, sheet: pd.DataFrame, name: str
) -> dict[str, Any]:
    """Check and store a process sheet as the reader gives it (text cells and `row`), `name`
    the file it came from (`upload_processes`; the demo's sheets)."""
    _, sector = market_enterprise(session, actor, enterprise_id)
    _files_for(actor, enterprise_id)
    reference = library_in_force(session)
    rows, year = _checked_rows(sheet, enterprise_id, name)
    activity, enterprises = stored_activity(session, actor, enterprise_id)
    if not activity.empty:
        activity = activity.loc[activity["period"].astype(str).str.startswith(str(year))]
    if activity.empty:
        raise InputError(
            Problem.of(
                Place(file=name, column="period"),
                N_(
                    "enterprise {} has no official report of {} in the store: the process "
                    "sheet is part of its account and is checked against it"
                ),
                enterprise_id,
                year,
            )
        )
    activity = activity.reset_index(drop=True)
    result = account_market(activity, sector, enterprises, reference)
    try:
        result = with_processes(result, rows, activity, enterprises, reference)
    except InputError as error:
        raise InputError(place_problems(list(error.problems), Path(name), SHEET)) from None
    year_of = (MarketProcessRow.enterprise_id == enterprise_id, MarketProcessRow.year == year)
    replaced = session.scalar(select(func.count()).select_from(MarketProcessRow).where(*year_of))
    session.execute(delete(MarketProcessRow).where(*year_of))
    for record in rows.to_dict("records"):
        session.add(
            MarketProcessRow(
                enterprise_id=enterprise_id,
                year=year,
                line=int(record["row"]),
                file_name=name[:255],  # as the evidence documents keep it
                uploaded_by=actor.user_id,
                **{c: str(record[c]) for c in SHEET_COLUMNS if c != "enterprise_id"},
            )
        )
    session.flush()
    summary = {"enterprise_id": enterprise_id, "year": year, "file": name[:255], "rows": len(rows)}
    audit.record(
        session,
        actor.username,
        "market.processes",
        "market_process_sheet",
        f"{enterprise_id}/{year}",
        after=summary | {"replaced": int(replaced or 0)},
    )
    return summary | {"processes": result.process_results()}


def process_sheet(session: Session, actor: Actor, enterprise_id: str, year: int) -> dict[str, Any]:
    """The enterprise's stored process sheet of `year`: its rows as uploaded (with their line
    in the file), the file, who uploaded it and when; no rows when none is stored."""
    market_enterprise(session, actor, enterprise_id)
    sheet = stored_sheet(session, enterprise_id, year)
    if sheet is None:
        return {"enterprise_id": enterprise_id, "year": year, "stored": None, "rows": []}
    return {
        "enterprise_id": enterprise_id,
        "year": year,
        "stored": sheet.attrs["stored"],
        "rows": sheet.rename(columns={"row": "line"}).to_dict("records"),
    }
