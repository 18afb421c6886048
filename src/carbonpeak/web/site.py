"""What every page of the dashboard shares: the templates, the language of a request, the
signed-in user (a login token in an HttpOnly, SameSite=Strict cookie), and the headers that
keep a page to this server."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session
from starlette.staticfiles import StaticFiles

from carbonpeak.errors import CarbonpeakError
from carbonpeak.i18n import (
    LOCALES,
    chosen,
    day,
    gettext_of,
    language_name,
    ngettext_of,
    number,
    translations,
)
from carbonpeak.services import tokens
from carbonpeak.services.access import Actor

COOKIE = "carbonpeak_session"
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
}

environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html",))
)


class NotSignedIn(Exception):
    """The page needs a login: answered with a redirect to the login page."""


class Site:
    """The dashboard on the store behind `sessions`."""

    def __init__(self, sessions: Callable[[], AbstractContextManager[Session]]):
        self.sessions = sessions

    def locale_of(self, request: Request) -> str:
        return chosen(request.cookies.get(LANG_COOKIE))

    def role_name(self, request: Request, role: str) -> str:
        _ = translations(self.locale_of(request)).gettext
        names = {
            "admin": _("administrator"),
            "regulator": _("regulator"),
            "enterprise": _("enterprise user"),
            "automaker": _("automaker"),
        }
        return names.get(role, role)

    def actor_of(self, request: Request) -> Actor | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        with self.sessions() as db:
            try:
                return tokens.actor_for(db, token)
            except CarbonpeakError:
                return None

    def signed_in(self, request: Request) -> Actor:
        actor = self.actor_of(request)
        if actor is None:
            raise NotSignedIn
        return actor

    def render(
        self, request: Request, name: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        locale = self.locale_of(request)
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
            here=_target(request),
            role=self.role_name(request, user.role) if user else "",
            **context,
        )
        return HTMLResponse(page, status_code=status, headers=SECURITY_HEADERS)


def _target(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download; it starts with a byte-order mark, so that Excel reads Chinese text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def local(target: str) -> str:
    """Only a path on this site may be a redirect target."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def install(app: FastAPI, sessions: Callable[[], AbstractContextManager[Session]]) -> None:
    """Add the dashboard to `app`: its pages, the redirect to the login page, the static
    files."""
    from carbonpeak.web import diagnosis, industry, pages, pathways, workflow

    site = Site(sessions)
    for module in (pages, industry, workflow, pathways, diagnosis):
        app.include_router(module.routes(site))

    async def to_login(request: Request, _exc: Exception) -> RedirectResponse:
        return RedirectResponse(f"/login?next={quote(_target(request))}", status_code=303)

    app.add_exception_handler(NotSignedIn, to_login)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
