"""Dual credits (CAFC and NEV): the ledger with its balances, open deficits and the NEV
supply/demand ratio of each year, a maker's compliance plan, run for its cheapest compliant
path, and its fleet page: upload the fleet workbook (or the CSV of `carbonpeak credits
compute`), stored for the automaker's enterprises (`services.fleet`), and see the stored
fleet's CAFC and NEV credits per year and its models; the workbook to download; and the
product footprints its suppliers sent in the PACT v3 data model (batteries, steel), kept with
the page's second form (`services.product`). Before any upload the fleet page shows the
workbook's example fleet, made out to the user's own automaker and said to be an example, so
that it has figures to read."""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from carbonpeak.errors import CarbonpeakError, InputError, PermissionDenied
from carbonpeak.i18n import gettext_of
from carbonpeak.io.fleet import (
    fleet_template_bytes,
)
from carbonpeak.io.plan_form import (
    POWERTRAIN_NAMES,
    edited,
    field_value,
    fleet_summary,
    form_of_fleet,
    layout,
    read_plan_form,
)
from carbonpeak.io.tables import MAX_FORM_FIELDS, MAX_UPLOAD_BYTES, uploaded_name
from carbonpeak.policy.dual_credit.compute import Credits
from carbonpeak.services.access import Actor
from carbonpeak.services.credits import ledger_view
from carbonpeak.services.credits import plan as solve_plan
from carbonpeak.services.enterprises import names_of
from carbonpeak.services.fleet import fleet_credits, stored_fleet, upload_fleet
from carbonpeak.services.product_suppliers import (
    DECLARED_UNITS,
    import_supplier_footprints,
    supplier_footprints_view,
)
from carbonpeak.web.charts import credits_chart, plan_chart
from carbonpeak.web.listing import Column, asked, listed
from carbonpeak.web.site import (
    by_field,
    caller,
    day_of,
    forbidden,
    locale_of,
    placed_rows,
    render,
    said,
    session,
    signed_in,
)

EXAMPLE_PLAN = """enterprise_id: {enterprise_id}
years: [2024, 2025]
total: {{2024: 100000, 2025: 100000}}   # cars a year
lines:
  - {{name: sedan, powertrain: ice, curb_mass_kg: 1450, seat_rows: 2,
     fuel_consumption_l_per_100km: 6.2,
     volume: {{2024: [0, 100000], 2025: [0, 100000]}}}}
  - {{name: sedan-ev, powertrain: bev, curb_mass_kg: 1750, seat_rows: 2, electric_range_km: 500,
     volume: {{2024: [0, 60000], 2025: [0, 60000]}},
     cost: {{2024: 6000, 2025: 5000}}}}   # extra cost of a car of the line, yuan
prices:   # yuan a NEV credit
  buy: {{2024: 1500, 2025: 2500}}
  sell: {{2024: 800, 2025: 1000}}
"""
EXAMPLE_MAKER = "91110000100000000X"  # the example's maker, for a caller with none

# The long tables of the pages, paged, sorted, filtered and searched on the server
# (web/listing.py): the ledger's entries and the fleet's models.
ENTRIES = (
    Column("entry_id", "number"),
    Column("day"),
    Column("kind", "choice", label="kind_name"),
    Column("credit", "choice", label="credit_name"),
    Column("vintage", "number"),
    Column("amount", "number"),
    Column("entity"),
    Column("name"),  # searched: an enterprise looked up by its name
    Column("counterparty"),
    Column("counterparty_name"),
)
MODELS = (
    Column("enterprise_id"),
    Column("name"),  # searched: the maker by its name
    Column("year", "number"),
    Column("model_id"),
    Column("powertrain", "choice", label="powertrain_name"),
    Column("curb_mass_kg", "number"),
    Column("volume", "number"),
    Column("fuel_l_per_100km", "number"),
    Column("target_l_per_100km", "number"),
    Column("nev_credit_per_vehicle", "number"),
)

router = APIRouter(include_in_schema=False)


def _query(request: Request) -> list[tuple[str, str]]:
    return list(request.query_params.multi_items()) if request.method == "GET" else []


@router.get("/credits", response_model=None)
def credits_page(request: Request, as_of: str | None = None) -> Response:
    """The dual-credit ledger: balances by enterprise, type and vintage, open deficits, the
    NEV supply/demand ratio of each year and the entries."""
    actor = signed_in(request)
    day = day_of(as_of)
    with session(request) as db:
        try:
            view = ledger_view(db, actor, day)
        except PermissionDenied:
            return forbidden(request, actor)
    _ = gettext_of(locale_of(request))
    entries = [
        e | {"kind_name": _(str(e["kind"])), "credit_name": str(e["credit"]).upper()}
        for e in view["entries"]
    ]
    return render(
        request,
        "credits/credits.html",
        user=actor,
        view=view,
        entries=listed(
            entries, ENTRIES, asked(_query(request), ENTRIES, sort="entry_id", descending=True)
        ),
        chart=credits_chart(view["balances"], _),
    )


def _plan_page(
    request: Request,
    text: str,
    result: dict[str, Any] | None,
    error: str | None,
    fields: dict[str, list[str]] | None = None,
    problems: dict[str, str] | None = None,
    status: int | None = None,
) -> Response:
    actor = signed_in(request)
    if actor.role not in ("admin", "automaker"):
        return forbidden(request, actor)
    yaml_run = fields is None
    with session(request) as db:
        fleet = stored_fleet(db, actor)
        makers = sorted(set(fleet["enterprise_id"]))
        names = names_of(db, [*makers, *actor.enterprises])
    fields = (
        fields
        if fields is not None
        else form_of_fleet(fleet, request.query_params.get("enterprise"))
    )
    shown = layout(fields)
    _ = gettext_of(locale_of(request))
    return render(
        request,
        "credits/plan.html",
        status=status or (400 if error else 200),
        user=actor,
        text=text,
        result=result,
        error=error,
        form=shown if fields else None,
        problems=problems or {},
        makers=makers,
        names=names,
        stored=fleet_summary(fleet, shown["enterprise_id"]) if fields else {},
        powertrains=POWERTRAIN_NAMES,
        yaml_open=yaml_run,
        chart=plan_chart(result, _) if result else None,
    )


def _yaml_of(plan: dict[str, Any]) -> str:
    return yaml.safe_dump(plan, allow_unicode=True, sort_keys=False, default_flow_style=None)


@router.get("/credits/plan", response_model=None)
def plan_form(request: Request, enterprise: str | None = None) -> Response:
    """A compliance plan to edit and run: the form pre-filled from the automaker's stored
    fleet (of `enterprise`, else its first with a fleet), and the same plan as YAML (as
    `carbonpeak credits plan` takes it); the YAML example when no fleet is stored."""
    actor = signed_in(request)
    if actor.role not in ("admin", "automaker"):
        return forbidden(request, actor)
    with session(request) as db:
        fields = form_of_fleet(stored_fleet(db, actor), enterprise)
    if not fields:
        first = sorted(actor.enterprises)[0] if actor.enterprises else EXAMPLE_MAKER
        return _plan_page(request, EXAMPLE_PLAN.format(enterprise_id=first), None, None, {})
    try:
        text = _yaml_of(read_plan_form(fields))
    except InputError as error:  # a stored value past the planner's bounds: shown at its field
        return _plan_page(request, "", None, None, fields, by_field(error, locale_of(request)))
    return _plan_page(request, text, None, None, fields)


@router.post("/credits/plan", response_model=None)
async def plan_run(request: Request) -> Response:
    """Run the plan (the form, or the YAML with `action=yaml` or only `plan` posted): the
    cheapest compliant path, or what is wrong (the form's problems at their row and field,
    422, nothing run). `add`, `remove-<row>` and `years` change the form and run nothing."""
    actor = await caller(request)
    if actor.role not in ("admin", "automaker"):
        return forbidden(request, actor)
    posted = await request.form(max_fields=MAX_FORM_FIELDS)  # a plan of MAX_LINES models fits
    fields = {k: [str(v) for v in posted.getlist(k)] for k in posted}
    action = field_value(fields, "action") or ("run" if "first_year" in fields else "yaml")
    text = (fields.get("plan") or [""])[0]  # as typed: YAML's first line may be indented
    if action == "yaml":
        return await run_in_threadpool(_run_yaml, request, text)
    return await run_in_threadpool(_run_form, request, fields, action, text)


def _run_form(request: Request, fields: dict[str, list[str]], action: str, text: str) -> Response:
    """The form's `action` (in a worker thread: it reads the store and may solve)."""
    if action != "run":
        changed = edited(fields, action)
        return _plan_page(request, text, None, None, changed)
    try:
        plan = read_plan_form(fields)
    except InputError as error:
        placed = by_field(error, locale_of(request))
        return _plan_page(request, text, None, None, fields, placed, 422)
    try:
        with session(request) as db:
            result = solve_plan(db, plan)
    except CarbonpeakError as error:
        placed = {"form": said(error, locale_of(request))}
        return _plan_page(request, _yaml_of(plan), None, None, fields, placed, 422)
    return _plan_page(request, _yaml_of(plan), result, None, fields)


def _run_yaml(request: Request, plan: str) -> Response:
    try:
        with session(request) as db:
            result = solve_plan(db, yaml.safe_load(plan))
    except yaml.YAMLError as error:
        return _plan_page(request, plan, None, f"YAML: {error}")
    except CarbonpeakError as error:
        return _plan_page(request, plan, None, str(error))
    return _plan_page(request, plan, result, None)


FLEET_MAKER = "911302007A3K9C2D24"  # the fleet workbook's synthetic maker


def _keeps_fleets(actor: Actor) -> bool:
    return actor.role in ("admin", "automaker")


def _figures(request: Request, credits: Credits, names: dict[str, str]) -> dict[str, Any]:
    """The fleet's credits per enterprise and year and its models, a page of them as asked,
    each maker by its name (`names`) and each powertrain by its name in the reader's
    language."""
    models = credits.models.sort_values(["enterprise_id", "year", "model_id"])
    text_of = gettext_of(locale_of(request))
    powertrains = {code: text_of(label) for code, label in POWERTRAIN_NAMES}
    rows = [
        {str(k): (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
        | {
            "name": names.get(str(r["enterprise_id"]), ""),
            "powertrain_name": powertrains.get(str(r["powertrain"]), str(r["powertrain"])),
        }
        for r in models.to_dict("records")
    ]
    return {
        "years": credits.results(),
        "models": listed(rows, MODELS, asked(_query(request), MODELS)),
    }


def _fleet_page(
    request: Request,
    actor: Actor,
    figures: dict[str, Any] | None,
    name: str | None,
    status: int = 200,
    problems: list[dict[str, Any]] | None = None,
    stored: bool = False,
    unaccounted: str | None = None,
) -> Response:
    with session(request) as db:  # the suppliers' footprints the automaker holds
        suppliers = supplier_footprints_view(db, actor)
    return render(
        request,
        "credits/fleet.html",
        status=status,
        user=actor,
        figures=figures,
        file_name=name,
        problems=problems or [],
        stored=stored,
        unaccounted=unaccounted,
        suppliers=suppliers,
        units=DECLARED_UNITS,
        buyers=sorted(actor.enterprises),
    )


@router.get("/credits/fleet", response_model=None)
def fleet_page(request: Request) -> Response:
    """The upload form and the stored fleet's credits; until a fleet is stored, the example
    fleet's."""
    actor = signed_in(request)
    if not _keeps_fleets(actor):
        return forbidden(request, actor)
    maker = min(actor.enterprises, default=FLEET_MAKER)
    try:
        with session(request) as db:
            credits, stored = fleet_credits(db, actor, maker)
            names = names_of(db, {*credits.models["enterprise_id"], maker})
    except CarbonpeakError as error:  # a stored year the library in force does not cover
        said_here = "; ".join(p["message"] for p in _problems(error, request))
        return _fleet_page(request, actor, None, None, unaccounted=said_here)
    return _fleet_page(request, actor, _figures(request, credits, names), None, stored=stored)


@router.get("/credits/fleet.xlsx", response_model=None)
def fleet_template(request: Request) -> Response:
    """The fleet workbook, Chinese first."""
    actor = signed_in(request)
    if not _keeps_fleets(actor):
        return forbidden(request, actor)
    return Response(
        fleet_template_bytes(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="fleet.xlsx"'},
    )


@router.post("/credits/fleet", response_model=None)
async def fleet_upload(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    """Store an uploaded fleet and show its credits, or its problems placed (422, nothing
    stored). The body is read on the event loop; parsed (once) and stored in a worker thread."""
    actor = await caller(request)
    if not _keeps_fleets(actor):
        return forbidden(request, actor)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    return await run_in_threadpool(_fleet_upload, request, actor, file.filename, content)


def _fleet_upload(request: Request, actor: Actor, filename: str | None, content: bytes) -> Response:
    try:
        name = uploaded_name(filename, len(content))
        with session(request) as db, db.begin():
            fleet, credits = upload_fleet(db, actor, name, content)
            names = names_of(db, set(fleet["enterprise_id"]))
    except CarbonpeakError as error:
        return _fleet_page(request, actor, None, None, 422, _problems(error, request))
    return _fleet_page(request, actor, _figures(request, credits, names), name, stored=True)


@router.post("/credits/fleet/footprints", response_model=None)
async def footprints_upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    enterprise_id: Annotated[str, Form()] = "",
) -> Response:
    """Keep a supplier's PACT v3 footprints for one of the automaker's enterprises and show
    them, or the file's problems placed (422, nothing stored)."""
    actor = await caller(request)
    if not _keeps_fleets(actor):
        return forbidden(request, actor)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    buyer = enterprise_id.strip() or min(actor.enterprises, default="")
    return await run_in_threadpool(_footprints, request, actor, buyer, file.filename, content)


def _footprints(
    request: Request, actor: Actor, buyer: str, file: str | None, content: bytes
) -> Response:
    try:
        name = uploaded_name(file, len(content), (".json",))
        with session(request) as db, db.begin():
            import_supplier_footprints(db, actor, buyer, content, name)
    except CarbonpeakError as error:
        return _fleet_page(request, actor, None, None, 422, _problems(error, request))
    return RedirectResponse("/credits/fleet#suppliers", status_code=303)


def _problems(error: CarbonpeakError, request: Request) -> list[dict[str, Any]]:
    """An error as the page's list of problems: each at its place where it is an
    `InputError`."""
    if isinstance(error, InputError):
        return placed_rows(error, locale_of(request))
    return [{"place": "", "message": said(error, locale_of(request))}]
