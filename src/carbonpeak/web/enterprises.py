"""The enterprise directory and each enterprise's accounts: its source streams as a chart with
their CSV, its lines down to the reference rows they cite, its grades and submissions, and the
account of a period as a report (PDF or XLSX) with its provenance appendix."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.errors import CarbonpeakError
from carbonpeak.i18n import gettext_of, problem_text
from carbonpeak.reports.render import (
    STREAMS,
    AccountReport,
    account_pdf,
    account_xlsx,
    stream_names,
)
from carbonpeak.services import green as green_service
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting_versions import account_line, enterprise_accounts
from carbonpeak.services.enterprises import directory, directory_choices
from carbonpeak.services.reference import library_in_force
from carbonpeak.web.cache import kept_page
from carbonpeak.web.charts import streams_chart
from carbonpeak.web.listing import Column, asked, paged
from carbonpeak.web.site import (
    REPORT_TYPES,
    caller,
    csv_response,
    locale_of,
    missing,
    not_found,
    render,
    report_response,
    session,
    signed_in,
)

# The directory, paged, sorted, searched (name or code) and filtered (region, industry) in SQL.
DIRECTORY = (
    Column("name"),
    Column("enterprise_id"),
    Column("region", "choice"),
    Column("industry", "choice"),
)

router = APIRouter(include_in_schema=False)


@router.get("/enterprises", response_model=None)
def enterprises(request: Request) -> Response:
    actor = signed_in(request)
    english = locale_of(request) == "en"
    with session(request) as db:
        choices = directory_choices(db, actor, english)
        wanted = asked(
            list(request.query_params.multi_items()),
            DIRECTORY,
            choices={k: [code for code, _ in v] for k, v in choices.items()},
        )
        total, rows = directory(
            db,
            actor,
            english,
            limit=wanted.per,
            offset=wanted.offset,
            search=wanted.q,
            sort=wanted.sort,
            descending=wanted.descending,
            filters=dict(wanted.filters),
        )
    listing = paged(total, rows, DIRECTORY, wanted, choices)
    return render(request, "enterprises/enterprises.html", user=actor, listing=listing)


def _accounts(
    request: Request, actor: Actor, enterprise_id: str, period: str | None
) -> dict[str, Any] | None:
    """What the enterprise page and its downloads show; None if the caller cannot see it."""
    with session(request) as db:
        try:
            return enterprise_accounts(db, actor, enterprise_id, period, locale_of(request) == "en")
        except CarbonpeakError:
            return None


@router.get("/enterprises/{enterprise_id}", response_model=None)
async def enterprise(request: Request, enterprise_id: str, period: str | None = None) -> Response:
    """Kept while the store stays the same (`web.cache`)."""
    actor = await caller(request)
    return await kept_page(request, actor, lambda: _page(request, actor, enterprise_id, period))


def _page(request: Request, actor: Actor, enterprise_id: str, period: str | None) -> Response:
    locale = locale_of(request)
    data = _accounts(request, actor, enterprise_id, period)
    if data is None:
        return missing(request, actor)
    streams = _streams(data["account"], locale) if data["account"] else []
    restated = data.get("restated")
    if restated and restated.get("problem") is not None:  # said in the reader's language
        data = {
            **data,
            "restated": {**restated, "problem": problem_text(restated["problem"], locale)},
        }
    return render(
        request,
        "enterprises/enterprise.html",
        user=actor,
        chart=streams_chart(streams),
        streams=streams,
        green=_green(request, actor, enterprise_id),
        kind_names=green_service.KIND_NAMES,
        star_names=green_service.STAR_NAMES,
        **data,  # with the names of its items and areas in the library in force
    )


def _green(request: Request, actor: Actor, enterprise_id: str) -> dict[str, Any] | None:
    """The enterprise's green certifications and their expiry (`services.green`)."""
    with session(request) as db:
        try:
            return green_service.certifications(db, actor, enterprise_id=enterprise_id)
        except CarbonpeakError:
            return None


@router.get("/enterprises/{enterprise_id}/streams.csv", response_model=None)
def streams_csv(request: Request, enterprise_id: str, period: str | None = None) -> Response:
    """The rows of the source-stream chart of a period."""
    actor = signed_in(request)
    data = _accounts(request, actor, enterprise_id, period)
    if data is None or data["account"] is None:
        return not_found()
    rows = _streams(data["account"], locale_of(request))
    return csv_response(
        f"streams-{enterprise_id}-{data['period']}.csv",
        ["stream", "label", "t"],
        ([key, label, round(tonnes, 3)] for key, label, tonnes in rows),
    )


@router.get("/enterprises/{enterprise_id}/report.{kind}", response_model=None)
def enterprise_report(
    request: Request, enterprise_id: str, kind: str, period: str | None = None
) -> Response:
    """The account of a period as PDF or XLSX, with its provenance appendix."""
    actor = signed_in(request)
    data = _accounts(request, actor, enterprise_id, period)
    if data is None or data["account"] is None or kind not in REPORT_TYPES:
        return missing(request, actor)
    make = account_pdf if kind == "pdf" else account_xlsx
    with session(request) as db:
        reference = library_in_force(db)  # its citations include the approved editions
    content = make(
        AccountReport(
            data["enterprise"], data["account"], data["grades"], reference, locale_of(request)
        )
    )
    return report_response(content, kind, f"account-{enterprise_id}-{data['period']}.{kind}")


@router.get("/enterprises/{enterprise_id}/lines/{row}", response_model=None)
def line(request: Request, enterprise_id: str, row: int, period: str) -> Response:
    """The methods and reference rows of one line (an HTMX fragment)."""
    actor = signed_in(request)
    with session(request) as db:
        found = account_line(db, actor, enterprise_id, period, row)
    if found is None:
        return not_found()
    return render(request, "_line.html", user=actor, line=found)


def _streams(account: dict[str, Any], locale: str) -> list[tuple[str, str, float]]:
    """(key, label, tonnes) per source stream of an account's CO2, then the other gases in
    CO2e."""
    names = stream_names(locale)
    _ = gettext_of(locale)
    rows = [(stream, names[stream], float(account[column])) for stream, column in STREAMS]
    other = float(account["co2e_t"]) - float(account["co2_t"])
    return [*rows, ("other_gases", _("Other gases (CO2e)"), other)]
