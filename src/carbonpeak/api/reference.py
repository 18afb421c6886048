"""Reference: the reference tables the engines judge by, and their rows on a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from carbonpeak.api.deps import Caller
from carbonpeak.errors import NotFoundError
from carbonpeak.reference.loader import ReferenceLookupError, default_reference

router = APIRouter(tags=["reference"])


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


@router.get("/reference/tables")
def reference_tables(caller: Caller) -> dict[str, Any]:
    ref = default_reference()
    return {
        "tables": [
            {"table": n, "rows": sum(ref.counts(n).values()), **ref.counts(n)}
            for n in ref.table_names
        ]
    }


@router.get("/reference/tables/{table}")
def reference_table(table: str, caller: Caller, as_of: date | None = None) -> dict[str, Any]:
    ref = default_reference()
    try:
        rows = ref.rows(table, as_of=as_of)
    except ReferenceLookupError as exc:
        raise NotFoundError(str(exc)) from None
    return {
        "table": table,
        "as_of": as_of,
        "rows": [{"line": r.line, **{k: _json(v) for k, v in r.values.items()}} for r in rows],
    }
