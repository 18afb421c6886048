"""The green products pages: for a regulator (or an administrator), the counts and shares of
its enterprises holding certified green building materials and the green manufacturing lists
by region or industry, the certificates expiring within N days (a form field), the published
entries that match no enterprise, and the motors of the registered diagnoses by GB 18613-2020
grade against the motor plan's target (a chart, its table one click away); for an enterprise,
its certifications and their expiry. Every table downloads as CSV or XLSX."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from carbonpeak.errors import N_, CarbonpeakError, InputError, NotFoundError, Place, Problem
from carbonpeak.i18n import gettext_of, problem_text
from carbonpeak.services import green
from carbonpeak.web.site import (
    day_of,
    forbidden,
    locale_of,
    missing,
    render,
    session,
    signed_in,
    strict_json,
)

router = APIRouter(include_in_schema=False)
KINDS = tuple(green.KIND_NAMES)
BAD_EXPORT = N_(
    "no such download: the tables are certificates, expiring, summary and motors, as csv or xlsx"
)


BY_WORDS = green.GROUPING_WORDS
DAY_WORDS = N_("{!r} is not a date (YYYY-MM-DD)")


def _form(
    by: str | None, within_days: str | None, on: str | None, default_by: str, locale: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's fields read (by, within_days, on) and the problems by field, said in the
    page's language."""
    errors: dict[str, Problem] = {}
    chosen = by or default_by
    if chosen not in green.GROUPINGS:
        errors["by"] = Problem.of(Place(field="by"), BY_WORDS)
        chosen = default_by
    within = 90
    if within_days not in (None, ""):
        text = str(within_days).strip()
        if text.isascii() and text.isdigit() and int(text) <= green.MAX_WITHIN_DAYS:
            within = int(text)
        else:
            errors["within_days"] = Problem.of(
                Place(field="within_days"), green.WINDOW_WORDS, green.MAX_WITHIN_DAYS
            )
    day: date | None = None
    if on not in (None, ""):
        day = day_of(on)
        if day is None:
            errors["on"] = Problem.of(Place(field="on"), DAY_WORDS, on)
    said = {name: problem_text(problem, locale) for name, problem in errors.items()}
    return {"by": chosen, "within_days": within, "on": day}, said


def _query(fields: dict[str, Any]) -> dict[str, str]:
    """The form's fields as a download link's query (every field the page was asked with, so
    that a download is the table the page shows)."""
    return {
        k: v.isoformat() if isinstance(v, date) else str(v)
        for k, v in fields.items()
        if v not in (None, "")
    }


def motor_chart(view: dict[str, Any], _: Any) -> str:
    """The high-efficiency share of each group's motors (by count and by rated kW) against the
    target share, as bars and a line (an ECharts option)."""
    groups = view["groups"]
    target = view["target"]["share"] * 100
    option = {
        "color": ["#1b7f5b", "#3f8fc4"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [g["name"] for g in groups]},
        "yAxis": {"type": "value", "name": "%", "max": 100},
        "series": [
            {
                "name": _("by count"),
                "type": "bar",
                "barMaxWidth": 28,
                "data": [_percent(g["share_by_count"]) for g in groups],
                "markLine": {
                    "symbol": "none",
                    "data": [{"yAxis": target, "name": _("target")}],
                    "label": {"formatter": _("target") + " {c}%"},
                },
            },
            {
                "name": _("by rated power"),
                "type": "bar",
                "barMaxWidth": 28,
                "data": [_percent(g["share_by_kw"]) for g in groups],
            },
        ],
    }
    return strict_json(option)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


@router.get("/green", response_model=None)
def green_page(
    request: Request,
    by: str | None = None,
    within_days: str | None = None,
    on: str | None = None,
    motors_by: str | None = None,
) -> Response:
    """The regulator's page; an enterprise's user sees its enterprise's page, or the
    certifications of all its enterprises when it acts for several."""
    actor = signed_in(request)
    if actor.role == "enterprise" and actor.enterprises:
        if len(actor.enterprises) == 1:
            return RedirectResponse(f"/green/enterprises/{next(iter(actor.enterprises))}", 303)
        return _certifications_page(request, None, within_days, on)
    if actor.role not in ("admin", "regulator"):
        return forbidden(request, actor)
    locale = locale_of(request)
    asked, errors = _form(by, within_days, on, "region", locale)
    motor_by, motor_errors = _form(motors_by, None, None, "industry", locale)
    if "by" in motor_errors:
        errors["motors_by"] = motor_errors["by"]
    try:
        with session(request) as db:
            english = locale == "en"
            view = green.summary(db, actor, **asked, english=english)
            motors = green.motors(db, actor, by=motor_by["by"], on=asked["on"], english=english)
    except InputError as error:
        errors |= {str(p.place.field): problem_text(p, locale) for p in error.problems}
        view, motors = None, None
    return render(
        request,
        "green/index.html",
        status=400 if errors else 200,
        chart_page=True,
        user=actor,
        view=view,
        motors=motors,
        chart=motor_chart(motors, gettext_of(locale)) if motors else "",
        asked=asked,
        query=_query(asked),
        motor_query=_query({"by": motor_by["by"], "on": asked["on"]}),
        motors_by=motor_by["by"],
        errors=errors,
        kinds=KINDS,
        kind_names=green.KIND_NAMES,
        star_names=green.STAR_NAMES,
    )


@router.get("/green/enterprises/{enterprise_id}", response_model=None)
def enterprise_page(
    request: Request, enterprise_id: str, within_days: str | None = None, on: str | None = None
) -> Response:
    """An enterprise's certifications and their expiry."""
    return _certifications_page(request, enterprise_id, within_days, on)


def _certifications_page(
    request: Request, enterprise_id: str | None, within_days: str | None, on: str | None
) -> Response:
    """The certifications of one enterprise, or (None) of every enterprise the user sees."""
    actor = signed_in(request)
    asked, errors = _form(None, within_days, on, "region", locale_of(request))
    try:
        with session(request) as db:
            view = green.certifications(
                db,
                actor,
                enterprise_id=enterprise_id,
                on=asked["on"],
                within_days=asked["within_days"],
            )
    except NotFoundError:
        return missing(request, actor)
    return render(
        request,
        "green/enterprise.html",
        status=400 if errors else 200,
        user=actor,
        view=view,
        asked=asked,
        query=_query({**asked, "by": None, "enterprise_id": enterprise_id}),
        errors=errors,
        enterprise_id=enterprise_id,
        kind_names=green.KIND_NAMES,
        star_names=green.STAR_NAMES,
    )


def _bad(request: Request, actor: Any) -> Response:
    return render(
        request,
        "bad_request.html",
        status=400,
        user=actor,
        message=BAD_EXPORT,
        values={},
        back="/green",
    )


@router.get("/green/exports/{table}.{fmt}", response_model=None)
def export(
    request: Request,
    table: str,
    fmt: str,
    by: str | None = None,
    within_days: str | None = None,
    on: str | None = None,
    enterprise_id: str | None = None,
) -> Response:
    """A table of the pages as CSV or XLSX (400 for a bad table, format or field)."""
    actor = signed_in(request)
    default = "industry" if table == "motors" else "region"
    asked, errors = _form(by, within_days, on, default, locale_of(request))
    if errors or fmt not in ("csv", "xlsx") or table not in green.EXPORTS:
        return _bad(request, actor)
    try:
        with session(request) as db:
            content, name = green.export(
                db,
                actor,
                table,
                "csv" if fmt == "csv" else "xlsx",
                enterprise_id=enterprise_id or None,
                **asked,
            )
    except NotFoundError:
        return missing(request, actor)
    except CarbonpeakError:
        return _bad(request, actor)
    media = "text/csv; charset=utf-8" if fmt == "csv" else green.XLSX_MEDIA
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
