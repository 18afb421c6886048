"""The budgets wing's files and commands: budgets imported from a workbook or CSV with Chinese
headers and exported with their tracking (`io/budgets.py`), the tracking view the API and the
CLI print, the authority's alert thresholds entered from a table, and each use case of
`services.budgets` on the configured store as a named user (`*_as`, the CLI's).

A file's problems come back placed at its file, sheet, row and column, and nothing is stored
when any stands.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.domain.days import china_today
from carbonpeak.domain.schema import FIRST_YEAR, LAST_YEAR
from carbonpeak.errors import InputError, NotFoundError, PermissionDenied, Place, Problem
from carbonpeak.io.budgets import BudgetSheet, read_budget_upload, read_budgets, write_budgets
from carbonpeak.io.tables import EXCEL_SUFFIXES, read_table
from carbonpeak.policy.budgets.alerts import TABLE as THRESHOLDS
from carbonpeak.services import budgets as service
from carbonpeak.services.access import Actor
from carbonpeak.services.reference import enter_authority_rows, reference_of
from carbonpeak.services.store import store_session
from carbonpeak.store.models import Enterprise, User

T = TypeVar("T")


def save_sheet(session: Session, actor: Actor, sheet: BudgetSheet) -> list[dict[str, Any]]:
    """Save the budgets of a sheet read by `io.budgets`; problems placed in the file."""
    try:
        return service.save_budgets(session, actor, sheet.rows)
    except InputError as error:
        raise InputError(sheet.place(error.problems)) from None


def import_upload(
    session: Session, actor: Actor, name: str, content: bytes
) -> list[dict[str, Any]]:
    """Save the budgets of an uploaded workbook or CSV (Chinese or English headers)."""
    return save_sheet(session, actor, read_budget_upload(name, content))


def _names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """The name of each code: an enterprise's from the store, a region's from the regions
    table (Chinese)."""
    found = {
        str(e): str(n)
        for e, n in session.execute(
            select(Enterprise.enterprise_id, Enterprise.name).where(
                Enterprise.enterprise_id.in_(sorted(set(codes)))
            )
        ).all()
    }
    regions = {
        str(r["region_code"]): str(r["name_zh"]) for r in reference_of(session).rows("regions")
    }
    return {c: found.get(c) or regions.get(c, "") for c in codes}


def tracking_view(
    session: Session, actor: Actor, year: int, as_of: date, lake: Path | None = None
) -> dict[str, Any]:
    """The caller's budgets of `year` tracked to `as_of`: each budget's status with its name,
    level and indicators; the month rows; the warnings of the statuses, levels and nowcast."""
    tracking, judged, notes = service.tracked(session, actor, year, as_of, lake)
    if tracking is None:
        return {
            "year": year,
            "as_of": as_of.isoformat(),
            "budgets": [],
            "months": [],
            "warnings": notes,
        }
    data = tracking.as_dict()
    levels = {j.budget_id: j for j in judged}
    names = _names(session, [s.code for s in tracking.statuses])
    budgets = []
    for status in data["budgets"]:
        level = levels.get(status["budget_id"])
        extra = level.as_dict() if level is not None else {}
        budgets.append(
            {
                **status,
                "name": names.get(status["code"], ""),
                "level": extra.get("level"),
                "pace": _number(extra.get("pace")),
                "projection": _number(extra.get("projection")),
                "indicator": extra.get("indicator"),
                "threshold": extra.get("threshold"),
                "warnings": status["warnings"] + extra.get("warnings", []),
            }
        )
    return {
        "year": year,
        "as_of": as_of.isoformat(),
        "budgets": budgets,
        "months": data["months"],
        "warnings": notes,
    }


def _number(value: Any) -> float | None:
    return (
        None
        if value is None or value != value or value in (float("inf"), float("-inf"))
        else float(value)
    )


def export_workbook(
    session: Session, actor: Actor, year: int, as_of: date | None = None, lake: Path | None = None
) -> bytes:
    """The export workbook of the caller's budgets of `year` (io/budgets.py), tracked to
    `as_of` (default: the year's last day, or today within the year)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InputError(
            [Problem(Place(field="year"), f"{year} is outside the years {FIRST_YEAR}-{LAST_YEAR}")]
        )
    when = as_of or min(china_today(), date(year, 12, 31))
    budgets = service.list_budgets(session, actor, year)
    view = tracking_view(session, actor, year, when, lake) if budgets else {"budgets": []}
    buffer = io.BytesIO()
    write_budgets(buffer, budgets, view["budgets"], when.isoformat())
    return buffer.getvalue()


def record_for(
    session: Session, actor: Actor, as_of: date, lake: Path | None = None
) -> list[dict[str, Any]]:
    """`services.budgets.record_alerts`, asked for by a regulator or the administrator."""
    if actor.role not in ("regulator", "admin"):
        raise PermissionDenied("regulators and the administrator record alerts")
    return service.record_alerts(session, as_of, lake)


def read_thresholds(path: Path, name: str | None = None) -> list[dict[str, Any]]:
    """The rows of a thresholds table (CSV, or the first sheet of a workbook): columns of
    `budget_alert_thresholds` (quantity, indicator, level, threshold, valid_from, ...), each
    row with `row`, blanks left out."""
    sheet = "budget_alert_thresholds"
    if path.suffix.lower() in EXCEL_SUFFIXES and path.exists():
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True)
            sheet = book.sheetnames[0]
            book.close()
        except Exception:  # read_table names what is wrong with the file
            pass
    try:
        frame = read_table(path, sheet)
    except InputError as error:
        if name is None:
            raise
        raise InputError(
            [
                Problem(
                    Place(file=name, row=p.place.row, column=p.place.column),
                    p.message,
                    p.template,
                    p.values,
                )
                for p in error.problems
            ]
        ) from None
    return [
        {str(k): str(v).strip() for k, v in r.items() if k == "row" or str(v).strip() != ""}
        for r in frame.to_dict("records")
    ]


def enter_thresholds(
    session: Session,
    actor: Actor,
    region_code: str,
    document: str,
    rows: Sequence[Mapping[str, Any]],
    file: str | None = None,
) -> list[dict[str, Any]]:
    """Enter rows of `budget_alert_thresholds` for `region_code` citing `document`
    (services.reference.enter_authority_rows); a row's problems at its `row` (of `file`).
    A row's `status` is `verified` unless given: the authority enters its own document's
    values."""
    if not rows:
        raise InputError([Problem(Place(file=file), "no threshold rows in the file")])
    lines = [int(r.get("row") or n) for n, r in enumerate(rows, 1)]
    values = [
        {"status": "verified", **{k: _threshold(k, v) for k, v in r.items() if k != "row"}}
        for r in rows
    ]
    try:
        return enter_authority_rows(session, actor, THRESHOLDS, region_code, values, document)
    except InputError as error:
        placed = []
        for p in error.problems:
            row = p.place.row
            if row is not None and 1 <= row <= len(lines):
                row = lines[row - 1]
            placed.append(
                Problem(
                    Place(
                        file=file,
                        sheet=p.place.sheet,
                        row=row,
                        column=p.place.column,
                        field=p.place.field,
                    ),
                    p.message,
                    p.template,
                    p.values,
                )
            )
        raise InputError(placed) from None


def _threshold(key: str, value: Any) -> Any:
    """A threshold as a number when it reads as one (the store keeps JSON)."""
    if key == "threshold" and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


# -- the commands: one use case on the configured store as a named user ---------------------


@contextmanager
def _as(username: str) -> Iterator[tuple[Session, Actor]]:
    with store_session() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise NotFoundError(f"no user {username!r}")
        yield session, Actor.of(user)


def _run(username: str, use: Callable[[Session, Actor], T]) -> T:
    with _as(username) as (session, actor):
        return use(session, actor)


def import_as(username: str, path: Path) -> list[dict[str, Any]]:
    """Save the budgets of a file as the user named."""
    sheet = read_budgets(path)
    return _run(username, lambda s, a: save_sheet(s, a, sheet))


def export_as(
    username: str, path: Path, year: int, as_of: date | None = None, lake: Path | None = None
) -> int:
    """Write the export workbook of the user's budgets of `year` to `path`; how many."""
    with _as(username) as (session, actor):
        book = export_workbook(session, actor, year, as_of, lake)
        try:
            path.write_bytes(book)
        except OSError as error:
            reason = error.strerror or str(error)
            raise InputError([Problem(Place(file=str(path)), f"cannot write: {reason}")]) from None
        return len(service.list_budgets(session, actor, year))


def list_as(username: str, year: int | None = None) -> list[dict[str, Any]]:
    return _run(username, lambda s, a: service.list_budgets(s, a, year))


def track_as(username: str, year: int, as_of: date, lake: Path | None = None) -> dict[str, Any]:
    return _run(username, lambda s, a: tracking_view(s, a, year, as_of, lake))


def alerts_as(username: str, open_only: bool = False) -> list[dict[str, Any]]:
    return _run(username, lambda s, a: service.list_alerts(s, a, open_only))


def record_in_store(as_of: date, lake: Path | None = None) -> list[dict[str, Any]]:
    """Record the alerts of `as_of` in the configured store (the scheduled judgement)."""
    with store_session() as session:
        return service.record_alerts(session, as_of, lake)


def thresholds_as(
    username: str, path: Path, region_code: str, document: str
) -> list[dict[str, Any]]:
    rows = read_thresholds(path)
    return _run(
        username,
        lambda s, a: enter_thresholds(s, a, region_code, document, rows, str(path)),
    )


def delete_as(username: str, budget_id: int) -> None:
    _run(username, lambda s, a: service.delete_budget(s, a, budget_id))
