"""What every page of the dashboard shares (the surface's kit): the templates, the language of
a request, the signed-in user (a login token in an HttpOnly, SameSite=Strict cookie), the
headers that keep a page to this server, CSV and report downloads.

The dashboard's state, a `Site` holding the store's session factory, lives on
`app.state.site`; a handler reaches it through its request (`site_of`), so that no page module
holds state of its own and this module imports none of them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.i18n import (
    LOCALES,
    chosen,
    day,
    gettext_of,
    language_name,
    ngettext_of,
    number,
    problem_text,
    translations,
)
from carbonpeak.io.sheets import csv_text
from carbonpeak.services import tokens
from carbonpeak.services.access import Actor
from carbonpeak.services.memo import Kept

COOKIE = "carbonpeak_session"
PAGE_BYTES = 64 * 2**20  # rendered pages kept (a cockpit is ~6 kB, the industry page ~20 kB)
LANG_COOKIE = "lang"
STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
# What a page may load: only this server. Styles set by ECharts need inline styles.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # a page is one signed-in caller's: a proxy or a shared cache must not keep it for another
    "Cache-Control": "private, no-cache",
}
REPORT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html",))
)
# In JSON, <, >, & and the two line separators appear only inside strings, where \u escapes
# read the same: escaped, a value cannot end its <script> element nor open another.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def strict_json(value: Any) -> str:
    """`value` as strict JSON: a float that is NaN or infinite becomes null (a gap in a
    chart), never a `NaN` that would stop the browser reading the whole of it."""
    return json.dumps(_finite(value), ensure_ascii=False, allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def json_script(value: Any) -> Markup:
    """JSON (a string of it, or a value to dump) safe inside a `<script>` element: the
    filter of every chart option a page carries."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return Markup(text.translate(_SCRIPT_ESCAPES))


environment.filters["json_script"] = json_script


class NotSignedIn(Exception):
    """The page needs a login: answered with a redirect to the login page."""


class Site:
    """The dashboard on the store behind `sessions` (kept on `app.state.site`)."""

    def __init__(self, sessions: Callable[[], AbstractContextManager[Session]]):
        self.sessions = sessions
        # rendered pages that change only with the data they show (`web.cache`)
        self.pages = Kept(PAGE_BYTES)


def site_of(request: Request) -> Site:
    """The dashboard `mount` put on the application serving `request`."""
    return cast(Site, request.app.state.site)


def session(request: Request) -> AbstractContextManager[Session]:
    """A session on the store, for the services a handler calls."""
    return site_of(request).sessions()


def locale_of(request: Request) -> str:
    return chosen(request.cookies.get(LANG_COOKIE))


def role_name(request: Request, role: str) -> str:
    _ = translations(locale_of(request)).gettext
    names = {
        "admin": _("administrator"),
        "regulator": _("regulator"),
        "enterprise": _("enterprise user"),
        "automaker": _("automaker"),
    }
    return names.get(role, role)


def actor_of(request: Request) -> Actor | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    actor = tokens.recently_checked(token)
    if actor is not None:
        return actor
    with session(request) as db:
        try:
            return tokens.checked_actor(db, token)
        except CarbonpeakError:
            return None


def signed_in(request: Request) -> Actor:
    """The caller; `NotSignedIn` (a redirect to the login page) without a valid login."""
    actor = actor_of(request)
    if actor is None:
        raise NotSignedIn
    return actor


async def caller(request: Request) -> Actor:
    """`signed_in` for an async handler: a login checked in the last seconds costs no worker
    thread (`tokens.recently_checked`), else it is checked in one."""
    token = request.cookies.get(COOKIE)
    actor = tokens.recently_checked(token) if token else None
    if actor is None:
        actor = await run_in_threadpool(signed_in, request)
    return actor


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The template `name` in the caller's language, with the security headers."""
    locale = locale_of(request)
    text = gettext_of(locale)
    user = context.get("user")
    page = environment.get_template(name).render(
        gettext=text,
        _=text,
        ngettext=ngettext_of(locale),
        lang=locale,
        html_lang="zh-CN" if locale == "zh_CN" else "en",
        languages=[(code, language_name(code)) for code in LOCALES],
        num=lambda value, digits=0: number(value, locale, digits),
        day=lambda value: day(value, locale),
        here=target(request),
        role=role_name(request, user.role) if user else "",
        warning_text=lambda warning: _warning_text(warning, locale),
        **context,
    )
    return HTMLResponse(page, status_code=status, headers=SECURITY_HEADERS)


def _warning_text(warning: Any, locale: str) -> str:
    """A warning (its record, its dict form, or a bare string of an old stored result) in the
    reader's language, by the catalogue."""
    from carbonpeak.reports.render import warning_text

    return warning_text(warning.as_dict() if hasattr(warning, "as_dict") else warning, locale)


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CrossSite(Exception):
    """A state-changing request a browser sent from a page of another site."""


async def same_origin(request: Request) -> None:
    """Refuse (`CrossSite`, a 403 page) a state-changing request a browser sent from another
    site: cross-site request forgery. The browser says where a request comes from in headers
    no page can set: `Sec-Fetch-Site` (every current browser) must be `same-origin` (or `none`,
    the user's own action); a browser too old for it sends `Origin`, which must name this
    host. A request with neither did not come from a browser page (a script, a test client),
    so it cannot be forged by one. This is the check of the Fetch Metadata standard and of
    Go's CrossOriginProtection; the session cookie is also SameSite=Strict. Every page's
    form is checked this way, the login form included."""
    if request.method not in UNSAFE_METHODS:
        return
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site in ("same-origin", "none"):
            return
        raise CrossSite
    origin = request.headers.get("origin")
    if origin is None:
        return
    if origin == "null" or urlsplit(origin).netloc != request.headers.get("host", ""):
        raise CrossSite


def cross_site(request: Request) -> HTMLResponse:
    """The page of a refused cross-site request."""
    return render(request, "cross_site.html", status=403, user=actor_of(request))


def forbidden(request: Request, actor: Actor) -> HTMLResponse:
    """The page of a role that may not see this one."""
    return render(request, "forbidden.html", status=403, user=actor)


def missing(request: Request, actor: Actor) -> HTMLResponse:
    """The page of something that does not exist or that the caller may not see."""
    return render(request, "missing.html", status=404, user=actor)


def not_found() -> Response:
    """A download that does not exist or that the caller may not have."""
    return Response("not found", status_code=404, media_type="text/plain")


def target(request: Request) -> str:
    """The path and query of a request: where to come back to."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def said(error: CarbonpeakError, locale: str) -> str:
    """An error in the reader's language: every problem of an `InputError` with its place (file,
    sheet, row, column, field), else its text."""
    if isinstance(error, InputError):
        return "; ".join(
            f"{p.place}: {problem_text(p, locale)}" if str(p.place) else problem_text(p, locale)
            for p in error.problems
        )
    return str(error)


def day_of(text: str | None) -> date | None:
    """A page's `as_of` query as a date; none when absent or not YYYY-MM-DD (the page then
    shows its default)."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def placed_rows(error: InputError, locale: str) -> list[dict[str, Any]]:
    """The problems of a refused file as `_problems.html` lists them: each placed (file, sheet,
    row, column) with its message in the reader's language."""
    return [{**p.as_dict(), "message": problem_text(p, locale)} for p in error.problems]


def by_field(error: InputError, locale: str) -> dict[str, str]:
    """Each problem of a form in the reader's language, keyed by its field and row (a form's
    row, from 1: `line_high_2025.2`), for the page to show beside the field; `form` for a
    problem of no field."""
    out: dict[str, str] = {}
    for p in error.problems:
        key = p.place.field or "form"
        key = f"{key}.{p.place.row}" if p.place.row is not None else key
        out[key] = "; ".join(filter(None, [out.get(key), problem_text(p, locale)]))
    return out


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download, no cell a formula (`io.sheets`); it starts with a byte-order mark, so
    that Excel reads Chinese text."""
    return Response(
        "\ufeff" + csv_text(header, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def report_response(content: bytes, kind: str, name: str) -> Response:
    """A report download (`kind` one of `REPORT_TYPES`)."""
    return Response(
        content,
        media_type=REPORT_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def local(target: str) -> str:
    """Only a path on this site may be a redirect target."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _words(_: Callable[[str], str]) -> tuple[str, ...]:
    """Words the pages translate from data (report states, reference statuses, grades, credit
    ledger entries and holdings); listed here so that the catalogs hold them."""
    return (
        _("fuel"),
        _("feedstock"),
        _("process"),
        _("electricity"),
        _("heat"),
        _("product"),
        _("economic"),
        _("draft"),
        _("submitted"),
        _("returned"),
        _("verified"),
        _("approved"),
        _("unverified"),
        _("benchmark"),
        _("baseline"),
        _("below_baseline"),
        _("own"),
        _("bought"),
        _("pool"),
        _("deficit"),
        _("earn"),
        _("transfer"),
        _("trade"),
        _("offset"),
        _("deposit"),
        _("withdraw"),
        _("refused"),
        _("under_review"),  # the review of an application (policy.application_states)
        _("resubmitted"),
    )
