"""The automaker's fleet page (wing `credits`): upload the fleet workbook (or the CSV of
`carbonpeak credits compute`) and see its CAFC and NEV credits per year and its vehicles; the
workbook to download. The fleet is computed on upload and not stored (the store has no fleet
table); before an upload the page shows the workbook's example fleet, made out to the user's
own automaker, so that it has figures to read."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response

from carbonpeak.errors import InputError
from carbonpeak.i18n import problem_text
from carbonpeak.io.fleet import EXAMPLE_ROWS, FLEET_SPECS, fleet_template_bytes, read_fleet
from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.policy.dual_credit.compute import compute
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.access import Actor
from carbonpeak.web.site import forbidden, locale_of, render, signed_in

SHOWN = 200  # vehicles shown on the page
EXAMPLE_MAKER = "911302007A3K9C2D24"  # the workbook's synthetic maker

router = APIRouter(include_in_schema=False)


def _allowed(actor: Actor) -> bool:
    return actor.role in ("admin", "automaker")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _example(maker: str) -> pd.DataFrame:
    """The workbook's example rows as the CSV gives them."""
    codes = [s.code for s in FLEET_SPECS]
    rows = [
        dict(
            zip(
                codes,
                map(_text,
                (maker, "2021", model, powertrain, mass, seats, fuel, rng, energy, "",
                 volume, "否")),
                strict=True,
            )
        )
        for model, powertrain, mass, seats, fuel, rng, energy, volume in EXAMPLE_ROWS
    ]  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["row"] = range(2, len(frame) + 2)
    return frame


def _figures(fleet: pd.DataFrame) -> dict[str, Any]:
    credits = compute(fleet, default_reference())
    models = credits.models.sort_values(["enterprise_id", "year", "model_id"])
    vehicles = [
        {str(k): v for k, v in r.items()} for r in models.head(SHOWN).to_dict("records")
    ]
    return {"years": credits.results(), "vehicles": vehicles, "count": len(models)}


def _page(
    request: Request,
    actor: Actor,
    figures: dict[str, Any] | None,
    name: str | None,
    status: int = 200,
    problems: list[dict[str, Any]] | None = None,
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
    )


@router.get("/credits/fleet", response_model=None)
def fleet_page(request: Request) -> Response:
    """The upload form and, until a fleet is uploaded, the example fleet's credits."""
    from carbonpeak.io.fleet import check_bilingual_fleet

    actor = signed_in(request)
    if not _allowed(actor):
        return forbidden(request, actor)
    maker = min(actor.enterprises, default=EXAMPLE_MAKER)
    tidy, problems = check_bilingual_fleet(_example(maker), default_reference())
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
    """The credits of an uploaded fleet, or its problems placed (422, nothing computed)."""
    actor = signed_in(request)
    if not _allowed(actor):
        return forbidden(request, actor)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    try:
        name = uploaded_name(file.filename, len(content))
        tidy = read_fleet(name, content, default_reference())
    except InputError as error:
        locale = locale_of(request)
        problems = [{**p.as_dict(), "message": problem_text(p, locale)} for p in error.problems]
        return _page(request, actor, None, None, 422, problems)
    return _page(request, actor, _figures(tidy), name)
