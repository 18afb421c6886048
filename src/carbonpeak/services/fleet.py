"""An automaker's fleet in the store: the models of its fleet workbook by enterprise and year.

An upload replaces, for each enterprise and year in it, the models stored before; an automaker
stores the fleets of its own enterprises only, an administrator of any enterprise in the store
(a row of another enterprise is a problem at its row, and nothing is stored). The upload goes
into the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from carbonpeak.errors import N_, InputError, PermissionDenied, Place, Problem
from carbonpeak.io.fleet import check_bilingual_fleet, example_fleet, read_fleet_upload
from carbonpeak.io.tables import place_problems
from carbonpeak.policy.dual_credit.compute import Credits, compute
from carbonpeak.policy.dual_credit.fleet import OPTIONAL, REQUIRED
from carbonpeak.policy.dual_credit.rules import NEV
from carbonpeak.services.access import Actor
from carbonpeak.services.reference import library_in_force
from carbonpeak.store import audit
from carbonpeak.store.models import Enterprise, FleetModel

FIELDS = (
    *[c for c in REQUIRED if c != "volume"],
    *[c for c in OPTIONAL if c != "imported"],
    "volume",
    "imported",
)


def _allowed(actor: Actor) -> None:
    if actor.role not in ("admin", "automaker"):
        raise PermissionDenied("only automakers and the administrator keep fleets")


def store_fleet(
    session: Session,
    actor: Actor,
    fleet: pd.DataFrame,
    file: str,
    column: str = "enterprise_id",
    sheet: str | None = None,
) -> dict[str, Any]:
    """Store a checked fleet (`check_fleet`); `InputError` naming each row of an enterprise
    the actor may not keep (at `column`, as the file wrote it), nothing stored."""
    _allowed(actor)
    codes = sorted(set(fleet["enterprise_id"]))
    known = set(
        session.scalars(select(Enterprise.enterprise_id).where(Enterprise.enterprise_id.in_(codes)))
    )
    mine = known if actor.role == "admin" else known & actor.enterprises
    problems = [
        Problem.of(
            Place(file=file, sheet=sheet, row=int(row), column=column),
            N_("{!r} is not an enterprise of yours in the store"),
            code,
        )
        for code, row in zip(fleet["enterprise_id"], fleet["row"], strict=True)
        if code not in mine
    ]
    if problems:
        raise InputError(problems)
    pairs = sorted(
        {(str(e), int(y)) for e, y in zip(fleet["enterprise_id"], fleet["year"], strict=True)}
    )
    session.execute(
        delete(FleetModel).where(tuple_(FleetModel.enterprise_id, FleetModel.year).in_(pairs))
    )
    for record in fleet.to_dict("records"):
        session.add(FleetModel(**{f: _plain(record[f]) for f in FIELDS}, uploaded_by=actor.user_id))
    session.flush()
    summary = {"file": file, "models": len(fleet), "enterprise_years": [list(p) for p in pairs]}
    audit.record(session, actor.username, "fleet.upload", "fleet", ",".join(codes), after=summary)
    return summary


def _plain(value: Any) -> Any:
    """A cell as the database takes it: None for a missing number, numpy scalars as Python's."""
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def stored_fleet(session: Session, actor: Actor) -> pd.DataFrame:
    """The stored fleet of the enterprises the actor keeps, as `check_fleet` gives a fleet
    (empty when none)."""
    _allowed(actor)
    query = select(FleetModel).order_by(
        FleetModel.enterprise_id, FleetModel.year, FleetModel.model_id
    )
    if actor.role != "admin":
        query = query.where(FleetModel.enterprise_id.in_(sorted(actor.enterprises)))
    rows = [{f: getattr(m, f) for f in FIELDS} for m in session.scalars(query)]
    fleet = pd.DataFrame(rows, columns=list(FIELDS))
    for column in FIELDS[4:-1]:
        fleet[column] = pd.to_numeric(fleet[column]).astype(float)
    fleet["year"] = fleet["year"].astype(int)
    fleet["seat_rows"] = fleet["seat_rows"].astype(int)
    fleet["imported"] = fleet["imported"].astype(bool)
    fleet["row"] = range(2, len(fleet) + 2)
    fleet["nev"] = fleet["powertrain"].isin(NEV)
    return fleet


def fleet_credits(session: Session, actor: Actor, maker: str) -> tuple[Credits, bool]:
    """The credits of the actor's stored fleet under the library in force, or, until one is
    stored, of the example fleet of `maker` (the second value says which). A stored year the
    library no longer covers, or a model without an input its year's formula reads, is the
    `CarbonpeakError` to show."""
    fleet = stored_fleet(session, actor)
    reference = library_in_force(session)
    if len(fleet):
        return compute(fleet, reference), True
    example, problems = check_bilingual_fleet(example_fleet(maker), reference)
    if problems:
        raise InputError(problems)
    return compute(example, reference), False


def upload_fleet(
    session: Session, actor: Actor, name: str, content: bytes
) -> tuple[pd.DataFrame, Credits]:
    """Read an uploaded fleet workbook under the library in force, store it and give its
    credits; every problem placed and nothing stored on error (the caller's transaction)."""
    reference = library_in_force(session)
    read = read_fleet_upload(name, content, reference)
    try:
        credits = compute(read.fleet, reference)
    except InputError as error:  # an input the year's formula reads, missing at a row
        raise InputError(place_problems(error.problems, Path(name), read.sheet)) from None
    store_fleet(session, actor, read.fleet, name, read.enterprise_column, read.sheet)
    return read.fleet, credits
