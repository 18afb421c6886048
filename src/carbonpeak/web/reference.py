"""The reference data behind a figure: the tables of the library in force with the share of
their rows read in their source, a table's rows with their evidence on a date, and a cited
document with the reference row citing it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.errors import CarbonpeakError, NotFoundError
from carbonpeak.services.reference import reference_of, table_in_force, tables_in_force
from carbonpeak.web.site import day_of, missing, render, session, signed_in

router = APIRouter(include_in_schema=False)


@router.get("/sources/{source_id}", response_model=None)
def source(
    request: Request, source_id: str, table: str | None = None, line: int | None = None
) -> Response:
    """A cited document and, when asked, the reference row (table, line) citing it."""
    actor = signed_in(request)
    try:
        with session(request) as db:
            reference = reference_of(db)  # the library in force: editions' sources too
        document = reference.source(source_id)
        rows = reference.rows(table) if table else []
    except CarbonpeakError:
        return missing(request, actor)
    row = next((r for r in rows if r.line == line and r.get("source_id") == source_id), None)
    values = [(k, "" if v is None else str(v)) for k, v in row.values.items()] if row else []
    return render(
        request,
        "reference/source.html",
        user=actor,
        source=document,
        table=table,
        line=line,
        values=values,
    )


@router.get("/reference", response_model=None)
def tables_page(request: Request) -> Response:
    """Every table of the library in force with its verified share."""
    actor = signed_in(request)
    with session(request) as db:
        tables = tables_in_force(db)
    return render(request, "reference/tables.html", user=actor, tables=tables)


@router.get("/reference/tables/{table}", response_model=None)
def table_page(request: Request, table: str, as_of: str | None = None) -> Response:
    """A table's rows (those in force on `as_of` when given), each with its evidence."""
    actor = signed_in(request)
    day = day_of(as_of)
    with session(request) as db:
        try:
            shown = table_in_force(db, table, day)
        except NotFoundError:
            return missing(request, actor)
    reviewer = "reference_reviewer" in actor.duties
    return render(request, "reference/table.html", user=actor, shown=shown, reviewer=reviewer)
