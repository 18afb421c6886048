"""The home page. A regulator's (and the administrator's) is the cockpit: budget use, alerts,
the budgets furthest over, applications waiting, units below the baseline, overdue credit
deficits (administrator) and monitoring, each a link to where it is handled. An enterprise
user's: its enterprises, budgets, alerts, reports due and open measures. An automaker's: its
enterprises (`services.home.cockpit` gathers the first two)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.domain.days import china_today
from carbonpeak.io.lake import default_lake
from carbonpeak.services.home import cockpit
from carbonpeak.web.site import locale_of, render, session, signed_in

router = APIRouter(include_in_schema=False)


@router.get("/", response_model=None)
def home(request: Request) -> Response:
    actor = signed_in(request)
    if actor.role not in ("admin", "regulator", "enterprise"):
        return render(request, "home/home.html", user=actor)
    lake = default_lake()
    with session(request) as db:
        gathered = cockpit(
            db, actor, china_today(), lake if lake.exists() else None, locale_of(request) == "en"
        )
    name = "home/cockpit.html" if gathered["kind"] == "regulator" else "home/enterprise.html"
    return render(request, name, user=actor, c=gathered)
