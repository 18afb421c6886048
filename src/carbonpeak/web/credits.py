"""Dual credits (CAFC and NEV): the ledger with its balances, open deficits and the NEV
supply/demand ratio of each year, and a maker's compliance plan, run for its cheapest
compliant path."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from carbonpeak.errors import CarbonpeakError, PermissionDenied
from carbonpeak.i18n import gettext_of
from carbonpeak.services.credits import ledger_view
from carbonpeak.services.credits import plan as solve_plan
from carbonpeak.web.charts import credits_chart, plan_chart
from carbonpeak.web.site import forbidden, locale_of, render, session, signed_in

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

router = APIRouter(include_in_schema=False)


@router.get("/credits", response_model=None)
def credits_page(request: Request, as_of: str | None = None) -> Response:
    """The dual-credit ledger: balances by enterprise, type and vintage, open deficits, the
    NEV supply/demand ratio of each year and the entries."""
    actor = signed_in(request)
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        day = None
    with session(request) as db:
        try:
            view = ledger_view(db, actor, day)
        except PermissionDenied:
            return forbidden(request, actor)
    _ = gettext_of(locale_of(request))
    return render(
        request,
        "credits/credits.html",
        user=actor,
        view=view,
        chart=credits_chart(view["balances"], _),
    )


def _plan_page(
    request: Request, text: str, result: dict[str, Any] | None, error: str | None
) -> Response:
    actor = signed_in(request)
    if actor.role not in ("admin", "automaker"):
        return forbidden(request, actor)
    _ = gettext_of(locale_of(request))
    return render(
        request,
        "credits/plan.html",
        status=400 if error else 200,
        user=actor,
        text=text,
        result=result,
        error=error,
        chart=plan_chart(result, _) if result else None,
    )


@router.get("/credits/plan", response_model=None)
def plan_form(request: Request) -> Response:
    """A compliance plan to edit and run (YAML, as `carbonpeak credits plan` takes it)."""
    actor = signed_in(request)
    first = sorted(actor.enterprises)[0] if actor.enterprises else EXAMPLE_MAKER
    return _plan_page(request, EXAMPLE_PLAN.format(enterprise_id=first), None, None)


@router.post("/credits/plan", response_model=None)
def plan_run(request: Request, plan: str = Form("")) -> Response:
    """Run the plan: the cheapest compliant path, or what is wrong with the plan."""
    try:
        result = solve_plan(yaml.safe_load(plan))
    except yaml.YAMLError as error:
        return _plan_page(request, plan, None, f"YAML: {error}")
    except CarbonpeakError as error:
        return _plan_page(request, plan, None, str(error))
    return _plan_page(request, plan, result, None)
