"""Reference: the reference tables the engines judge by, and their rows on a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from carbonpeak.api.deps import Caller
from carbonpeak.errors import NotFoundError
from carbonpeak.reference.loader import ReferenceLookupError, default_reference

router = APIRouter(tags=["reference"])


class TableCountOut(BaseModel):
    table: str
    rows: int
    verified: int | None = None
    unverified: int | None = None


class TablesOut(BaseModel):
    tables: list[TableCountOut]


class TableOut(BaseModel):
    table: str
    as_of: date | None
    rows: list[dict[str, Any]] = Field(
        description="The table's rows on `as_of`, each with its `line` and the table's columns "
        "(see `docs/reference.md`)"
    )


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


@router.get("/reference/tables", response_model=TablesOut, response_model_exclude_unset=True)
def reference_tables(caller: Caller) -> TablesOut:
    """Every reference table with its number of rows, in all and by status."""
    ref = default_reference()
    return TablesOut.model_validate(
        {
            "tables": [
                {"table": n, "rows": sum(ref.counts(n).values()), **ref.counts(n)}
                for n in ref.table_names
            ]
        }
    )


@router.get("/reference/tables/{table}", response_model=TableOut)
def reference_table(table: str, caller: Caller, as_of: date | None = None) -> TableOut:
    """The rows of a reference table (those valid on `as_of` when it is given)."""
    ref = default_reference()
    try:
        rows = ref.rows(table, as_of=as_of)
    except ReferenceLookupError as exc:
        raise NotFoundError(str(exc)) from None
    return TableOut(
        table=table,
        as_of=as_of,
        rows=[{"line": r.line, **{k: _json(v) for k, v in r.values.items()}} for r in rows],
    )
