"""The diagnosis pages: run a plant file (findings, measures, the energy flow as a Sankey
chart, the MAC curve), put its measures into the opportunity register, and follow the register
(accept, implement, verify against the meters)."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from carbonpeak.errors import N_, CarbonpeakError, InputError, NotFoundError
from carbonpeak.i18n import problem_text
from carbonpeak.io.lake import default_lake
from carbonpeak.reports.diagnosis import charts
from carbonpeak.services import diagnosis as register
from carbonpeak.web.site import locale_of, missing, render, session, signed_in

# The states of the register, translated where they are shown
STATES = (N_("proposed"), N_("accepted"), N_("implemented"), N_("verified"), N_("rejected"))

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    text: str,
    result: dict[str, Any] | None,
    error: str | None,
    status: int | None = None,
) -> Response:
    actor = signed_in(request)
    flow, mac = charts(result, locale_of(request)) if result else ("", "")
    return render(
        request,
        "diagnosis/diagnosis.html",
        status=status or (400 if error else 200),
        user=actor,
        text=text,
        result=result,
        error=error,
        flow=flow,
        mac=mac,
    )


@router.get("/diagnosis", response_model=None)
def diagnosis_form(request: Request) -> Response:
    """A plant file to edit and run (as `carbonpeak diagnosis run` takes it), made out to the
    user's own enterprise, so that the register accepts it."""
    actor = signed_in(request)
    with session(request) as db:
        try:
            text = register.example_plant(db, actor)
        except CarbonpeakError:
            return missing(request, actor)
    return _page(request, text, None, None)


@router.post("/diagnosis", response_model=None)
def diagnosis_run(request: Request, plant: str = Form(""), action: str = Form("run")) -> Response:
    """Run the file; with `register`, store its measures as proposed."""
    actor = signed_in(request)
    try:
        data = yaml.safe_load(plant)
        if not isinstance(data, dict):
            raise CarbonpeakError("the plant file is a mapping of its fields")
        if action == "register":
            with session(request) as db, db.begin():
                register.register_diagnosis(db, actor, data)
            return RedirectResponse("/opportunities", status_code=303)
        result = register.diagnose_plant(data)
    except yaml.YAMLError as error:
        return _page(request, plant, None, f"YAML: {error}")
    except InputError as error:
        return _page(request, plant, None, _said(error, locale_of(request)))
    except CarbonpeakError as error:
        return _page(request, plant, None, str(error), 403 if action == "register" else 400)
    return _page(request, plant, result, None)


def _register_page(request: Request, error: str | None = None) -> Response:
    actor = signed_in(request)
    with session(request) as db:
        items = register.list_opportunities(db, actor)
    return render(
        request,
        "diagnosis/opportunities.html",
        status=400 if error else 200,
        user=actor,
        items=items,
        error=error,
        today=date.today().isoformat(),
    )


@router.get("/opportunities", response_model=None)
def opportunities(request: Request) -> Response:
    """The opportunity register of the enterprises the user can see."""
    return _register_page(request)


@router.post("/opportunities/{opportunity_id}", response_model=None)
def opportunity_action(
    request: Request,
    opportunity_id: int,
    action: str = Form(""),
    implemented_on: str = Form(""),
) -> Response:
    """Accept, reject, mark implemented (with its date) or verify a measure."""
    actor = signed_in(request)
    try:
        with session(request) as db, db.begin():
            if action == "verify":
                register.verify(db, actor, opportunity_id, default_lake())
            else:
                when = date.fromisoformat(implemented_on) if implemented_on else None
                register.advance(db, actor, opportunity_id, action, when)
    except ValueError:
        return _register_page(request, "the date is YYYY-MM-DD")
    except InputError as error:
        return _register_page(request, _said(error, locale_of(request)))
    except NotFoundError:  # missing, or another's: the same page
        return missing(request, actor)
    except CarbonpeakError as error:
        return _register_page(request, str(error))
    return RedirectResponse("/opportunities", status_code=303)


def _said(error: InputError, locale: str) -> str:
    """Every problem with its place (field), in the reader's language."""
    return "; ".join(
        f"{p.place}: {problem_text(p, locale)}" if str(p.place) else problem_text(p, locale)
        for p in error.problems
    )
