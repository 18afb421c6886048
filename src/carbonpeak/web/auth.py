"""Signing in and out, and the language of the dashboard (a cookie)."""

from __future__ import annotations

import math

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carbonpeak.errors import AuthenticationError, TooManyAttempts
from carbonpeak.i18n import chosen, translations
from carbonpeak.services import tokens
from carbonpeak.services.users import sign_in
from carbonpeak.web.site import COOKIE, LANG_COOKIE, local, locale_of, render, session

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "auth/login.html", next=local(next), error=None, username="")


@router.post("/login", response_model=None)
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
) -> Response:
    catalog = translations(locale_of(request))
    address = request.client.host if request.client else "unknown"
    try:
        with session(request) as db, db.begin():
            token = sign_in(db, username, password, address)
    except AuthenticationError:
        return render(
            request,
            "auth/login.html",
            status=401,
            next=local(next),
            error=catalog.gettext("Wrong username or password."),
            username=username,
        )
    except TooManyAttempts as waiting:
        refused = render(
            request,
            "auth/login.html",
            status=429,
            next=local(next),
            error=catalog.gettext("Too many failed logins: try again in %(minutes)s minutes.")
            % {"minutes": math.ceil(waiting.retry_after / 60)},
            username=username,
        )
        refused.headers["Retry-After"] = str(waiting.retry_after)
        return refused
    response = RedirectResponse(local(next), status_code=303)
    lifetime = int(tokens.LOGIN_LIFETIME.total_seconds())
    response.set_cookie(COOKIE, token, max_age=lifetime, httponly=True, samesite="strict", path="/")
    return response


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    token = request.cookies.get(COOKIE)
    if token:
        with session(request) as db, db.begin():
            tokens.revoke(db, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/lang/{locale}")
def switch_language(locale: str, next: str = "/") -> RedirectResponse:
    response = RedirectResponse(local(next), status_code=303)
    response.set_cookie(LANG_COOKIE, chosen(locale), max_age=365 * 86400, samesite="lax", path="/")
    return response
