"""The automaker's fleet page (wing `credits`): upload the fleet workbook (or the CSV of
`carbonpeak credits compute`), stored for the automaker's enterprises (`services.fleet`), and
see the stored fleet's CAFC and NEV credits per year and its models; the workbook to download.
Before any upload the page shows the workbook's example fleet, made out to the user's own
automaker and said to be an example, so that it has figures to read."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response

from carbonpeak.errors import InputError
from carbonpeak.i18n import problem_text
from carbonpeak.io.fleet import (
    FLEET_SPECS,
    check_bilingual_fleet,
    example_fleet,
    fleet_template_bytes,
    read_fleet,
)
from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.policy.dual_credit.compute import compute
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.access import Actor
from carbonpeak.services.fleet import store_fleet, stored_fleet
from carbonpeak.web.site import forbidden, locale_of, render, session, signed_in

SHOWN = 200  # vehicles shown on the page
EXAMPLE_MAKER = "911302007A3K9C2D24"  # the workbook's synthetic maker

router = APIRouter(include_in_schema=False)


def _allowed(actor: Actor) -> bool:
    return actor.role in ("admin", "automaker")


def _figures(fleet: pd.DataFrame) -> dict[str, Any]:
    credits = compute(fleet, default_reference())
    models = credits.models.sort_values(["enterprise_id", "year", "model_id"])
    vehicles = [{str(k): v for k, v in r.items()} for r in models.head(SHOWN).to_dict("records")]
    return {"years": credits.results(), "vehicles": vehicles, "count": len(models)}


def _page(
    request: Request,
    actor: Actor,
    figures: dict[str, Any] | None,
    name: str | None,
    status: int = 200,
    problems: list[dict[str, Any]] | None = None,
    stored: bool = False,
) -> Response:
    return render(
        request,
        "credits/fleet.html",
        status=status,
        user=actor,
        figures=figures,
        file_name=name,
        shown=SHOWN,
        problems=problems or [],
        stored=stored,
    )


@router.get("/credits/fleet", response_model=None)
def fleet_page(request: Request) -> Response:
    """The upload form and the stored fleet's credits; until a fleet is stored, the example
    fleet's."""
    actor = signed_in(request)
    if not _allowed(actor):
        return forbidden(request, actor)
    with session(request) as db:
        fleet = stored_fleet(db, actor)
    if len(fleet):
        return _page(request, actor, _figures(fleet), None, stored=True)
    maker = min(actor.enterprises, default=EXAMPLE_MAKER)
    tidy, problems = check_bilingual_fleet(example_fleet(maker), default_reference())
    assert not problems, problems
    return _page(request, actor, _figures(tidy), None)


@router.get("/credits/fleet.xlsx", response_model=None)
def fleet_template(request: Request) -> Response:
    """The fleet workbook, Chinese first."""
    actor = signed_in(request)
    if not _allowed(actor):
        return forbidden(request, actor)
    return Response(
        fleet_template_bytes(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="fleet.xlsx"'},
    )


@router.post("/credits/fleet", response_model=None)
async def fleet_upload(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    """Store an uploaded fleet and show its credits, or its problems placed (422, nothing
    stored)."""
    actor = signed_in(request)
    if not _allowed(actor):
        return forbidden(request, actor)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    try:
        name = uploaded_name(file.filename, len(content))
        tidy = read_fleet(name, content, default_reference())
        with session(request) as db, db.begin():
            column = _enterprise_header(content, name)
            sheet = "fleet" if name.lower().endswith((".xlsx", ".xlsm")) else None
            store_fleet(db, actor, tidy, name, column, sheet)
    except InputError as error:
        locale = locale_of(request)
        problems = [{**p.as_dict(), "message": problem_text(p, locale)} for p in error.problems]
        return _page(request, actor, None, None, 422, problems)
    return _page(request, actor, _figures(tidy), name, stored=True)


def _enterprise_header(content: bytes, name: str) -> str:
    """The enterprise column's header as the file wrote it (for placing a problem of it)."""
    from carbonpeak.io.fleet import SHEET
    from carbonpeak.io.headers import map_headers
    from carbonpeak.io.tables import read_upload

    columns, _ = map_headers(list(read_upload(name, content, SHEET).columns), FLEET_SPECS)
    return columns.get("enterprise_id", "enterprise_id")
