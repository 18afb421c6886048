"""The reference data behind a figure: a cited document and the reference row citing it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.errors import CarbonpeakError
from carbonpeak.reference.loader import default_reference
from carbonpeak.web.site import missing, render, signed_in

router = APIRouter(include_in_schema=False)


@router.get("/sources/{source_id}", response_model=None)
def source(
    request: Request, source_id: str, table: str | None = None, line: int | None = None
) -> Response:
    """A cited document and, when asked, the reference row (table, line) citing it."""
    actor = signed_in(request)
    reference = default_reference()
    try:
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
