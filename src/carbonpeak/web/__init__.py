"""Floor 3: the dashboard, server-rendered pages on the platform's services.

Jinja2 templates, HTMX for partial updates and Apache ECharts for charts, both vendored from
npm under `static/vendor/` (see `scripts/vendor-js`); Simplified Chinese by default and
English, from the Babel catalogs under `locale/`. Pages call `services` like the API does.

The package is one module per wing or platform area, each exporting a `router`, with its
templates under `templates/<module>/`; `site` is the kit they share and `charts` builds their
ECharts options. This module is the only one importing the page modules: `PAGES` lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.staticfiles import StaticFiles

from carbonpeak.web import (
    accounting,
    auth,
    benchmarking,
    budgets,
    credits,
    diagnosis,
    directory,
    enterprises,
    green,
    home,
    market,
    monitoring,
    overview,
    pathways,
    policy,
    product,
    reference,
    reference_editions,
    utilisation,
)
from carbonpeak.web.listing import BadListing
from carbonpeak.web.site import (
    STATIC,
    CrossSite,
    NotSignedIn,
    Site,
    actor_of,
    cross_site,
    render,
    same_origin,
    target,
)

# The page modules, each with its `router`; their paths do not overlap, so the order is only
# that of the menu.
PAGES = (
    auth,
    home,
    overview,
    enterprises,
    monitoring,
    budgets,
    accounting,
    benchmarking,
    credits,
    market,
    product,
    green,
    utilisation,
    policy,
    reference,
    reference_editions,
    pathways,
    diagnosis,
    directory,
)


def mount(app: FastAPI, sessions: Callable[[], AbstractContextManager[Session]]) -> None:
    """Add the dashboard to `app`: its pages, the redirect to the login page, the static
    files; the store behind `sessions` is kept on `app.state.site`."""
    app.state.site = Site(sessions)
    for page in PAGES:  # every form is checked against cross-site forgery
        app.include_router(page.router, dependencies=[Depends(same_origin)])
    app.add_exception_handler(NotSignedIn, _to_login)
    app.add_exception_handler(CrossSite, _refuse_cross_site)
    app.add_exception_handler(BadListing, _bad_listing)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")


async def _refuse_cross_site(request: Request, _exc: Exception) -> Response:
    return cross_site(request)


async def _bad_listing(request: Request, exc: Exception) -> Response:
    """A long table asked for a column, number or page it does not have: a 400 page saying
    which, in the reader's language."""
    assert isinstance(exc, BadListing)
    return render(
        request,
        "bad_request.html",
        status=400,
        user=actor_of(request),
        message=exc.message,
        values=exc.values,
        back=request.url.path,
    )


async def _to_login(request: Request, _exc: Exception) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(target(request))}", status_code=303)
