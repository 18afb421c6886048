"""The home page. A regulator's (and the administrator's) is the cockpit: budget use, alerts,
the budgets furthest over, applications waiting, units below the baseline, overdue credit
deficits (administrator) and monitoring, each a link to where it is handled. An enterprise
user's: its returned reports, enterprises, budgets, alerts, reports due and open measures. An
automaker's: its open credit deficits, credits held and compliance plan (`services.home.cockpit`
gathers each)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.domain.days import china_today
from carbonpeak.io.lake import default_lake
from carbonpeak.services.access import Actor
from carbonpeak.services.home import cockpit
from carbonpeak.web.cache import kept_page
from carbonpeak.web.site import caller, locale_of, render, session

router = APIRouter(include_in_schema=False)
TEMPLATES = {
    "regulator": "home/cockpit.html",
    "enterprise": "home/enterprise.html",
    "automaker": "home/automaker.html",
}


@router.get("/", response_model=None)
async def home(request: Request) -> Response:
    """Kept while the store and the lake stay the same, per day (`web.cache`)."""
    actor = await caller(request)
    if actor.role not in TEMPLATES and actor.role != "admin":
        return render(request, "home/home.html", user=actor)
    return await kept_page(request, actor, lambda: _home(request, actor), lake=True)


def _home(request: Request, actor: Actor) -> Response:
    lake = default_lake()
    with session(request) as db:
        gathered = cockpit(
            db, actor, china_today(), lake if lake.exists() else None, locale_of(request) == "en"
        )
    name = TEMPLATES[gathered["kind"]]
    return render(request, name, user=actor, c=gathered)
