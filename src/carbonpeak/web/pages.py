"""The dashboard's pages: login, a home for each role, the regulator's overview, the
enterprise directory and each enterprise's accounts down to the reference rows they cite.

Every chart has its data table one click away and a CSV download of the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from carbonpeak.domain.codes import industry_by_code, region_by_code
from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.i18n import chosen, gettext_of, problem_text, translations
from carbonpeak.reference.loader import default_reference
from carbonpeak.reports.render import (
    STREAMS,
    AccountReport,
    RegionReport,
    account_pdf,
    account_xlsx,
    region_pdf,
    region_xlsx,
    stream_names,
    warning_text,
)
from carbonpeak.services import tokens
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting import (
    accounts_of,
    grades_of,
    grades_visible,
    list_submissions,
    roll_up_visible,
)
from carbonpeak.services.enterprises import get_enterprise, list_enterprises
from carbonpeak.services.users import authenticate
from carbonpeak.web.industry import industry_tables
from carbonpeak.web.site import COOKIE, LANG_COOKIE, Site, csv_response, local

VIEWS = ("year", "industry", "region")
REPORT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def routes(site: Site) -> APIRouter:
    """Login, home, overview, enterprises and sources."""
    router = APIRouter(include_in_schema=False)

    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/") -> HTMLResponse:
        return site.render(request, "login.html", next=local(next), error=None, username="")

    @router.post("/login", response_model=None)
    def login(
        request: Request,
        username: str = Form(""),
        password: str = Form(""),
        next: str = Form("/"),
    ) -> Response:
        with site.sessions() as db, db.begin():
            user = authenticate(db, username, password)
            token = tokens.issue(db, user) if user is not None else None
        if token is None:
            catalog = translations(site.locale_of(request))
            return site.render(
                request,
                "login.html",
                status=401,
                next=local(next),
                error=catalog.gettext("Wrong username or password."),
                username=username,
            )
        response = RedirectResponse(local(next), status_code=303)
        lifetime = int(tokens.LOGIN_LIFETIME.total_seconds())
        response.set_cookie(
            COOKIE, token, max_age=lifetime, httponly=True, samesite="strict", path="/"
        )
        return response

    @router.post("/logout")
    def logout(request: Request) -> RedirectResponse:
        token = request.cookies.get(COOKIE)
        if token:
            with site.sessions() as db, db.begin():
                tokens.revoke(db, token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get("/lang/{locale}")
    def switch_language(locale: str, next: str = "/") -> RedirectResponse:
        response = RedirectResponse(local(next), status_code=303)
        response.set_cookie(
            LANG_COOKIE, chosen(locale), max_age=365 * 86400, samesite="lax", path="/"
        )
        return response

    @router.get("/", response_model=None)
    def home(request: Request) -> Response:
        actor = site.signed_in(request)
        return site.render(request, "home.html", user=actor)

    @router.get("/overview", response_model=None)
    def overview(request: Request) -> Response:
        actor = site.signed_in(request)
        if actor.role not in ("admin", "regulator"):
            return site.render(request, "forbidden.html", status=403, user=actor)
        locale = site.locale_of(request)
        with site.sessions() as db:
            tables = overview_tables(db, actor, locale)
        catalog = translations(locale)
        charts = {view: _chart(view, table, catalog.gettext) for view, table in tables.items()}
        latest = tables["year"][-1] if tables["year"] else None
        return site.render(
            request, "overview.html", user=actor, tables=tables, charts=charts, latest=latest
        )

    @router.get("/overview/report.{kind}", response_model=None)
    def overview_report(request: Request, kind: str) -> Response:
        """The regional summary of the caller's scope as PDF or XLSX."""
        actor = site.signed_in(request)
        if actor.role not in ("admin", "regulator") or kind not in REPORT_TYPES:
            return Response("not found", status_code=404, media_type="text/plain")
        locale = site.locale_of(request)
        with site.sessions() as db:
            tables = overview_tables(db, actor, locale)
            year = tables["year"][-1]["key"] if tables["year"] else ""
            graded = grades_visible(db, actor, year) if year else []
        industry = industry_tables(graded, None, locale)
        report = RegionReport(
            scope=_scope_name(actor, locale),
            year=year,
            tables=tables,
            grades=industry["counts"],
            below=industry["below"],
            reference=default_reference(),
            locale=locale,
        )
        content = region_pdf(report) if kind == "pdf" else region_xlsx(report)
        return Response(
            content,
            media_type=REPORT_TYPES[kind],
            headers={"Content-Disposition": f'attachment; filename="summary-{year}.{kind}"'},
        )

    @router.get("/overview/{view}.csv", response_model=None)
    def overview_csv(request: Request, view: str) -> Response:
        actor = site.signed_in(request)
        if actor.role not in ("admin", "regulator") or view not in VIEWS:
            return Response("not found", status_code=404, media_type="text/plain")
        with site.sessions() as db:
            table = overview_tables(db, actor, site.locale_of(request))[view]
        return csv_response(
            f"overview-{view}.csv",
            ["key", "label", "enterprises", *FIGURES],
            (
                [row["key"], row["label"], row["enterprises"], *(round(row[f], 3) for f in FIGURES)]
                for row in table
            ),
        )

    @router.get("/enterprises", response_model=None)
    def enterprises(request: Request, page: int = 1) -> Response:
        actor = site.signed_in(request)
        size = 50
        page = max(page, 1)
        english = site.locale_of(request) == "en"
        with site.sessions() as db:
            total, rows = list_enterprises(db, actor, limit=size, offset=(page - 1) * size)
            listed = [
                {
                    "enterprise_id": e.enterprise_id,
                    "name": e.name,
                    "region": _region_name(e.region_code, english),
                    "industry": _industry_name(e.industry_code, english),
                }
                for e in rows
            ]
        pages = max(1, -(-total // size))
        return site.render(
            request,
            "enterprises.html",
            user=actor,
            rows=listed,
            total=total,
            page=page,
            pages=pages,
        )

    def enterprise_data(
        request: Request, actor: Actor, enterprise_id: str, period: str | None
    ) -> dict[str, Any] | None:
        """What the enterprise page and its reports show; None if the caller cannot see it."""
        english = site.locale_of(request) == "en"
        with site.sessions() as db:
            try:
                found = get_enterprise(db, actor, enterprise_id)
            except CarbonpeakError:
                return None
            accounts = accounts_of(db, actor, enterprise_id)
            grades = grades_of(db, actor, enterprise_id)
            _count, submissions = list_submissions(
                db, actor, enterprise_id=enterprise_id, limit=200
            )
        periods = [a["period"] for a in accounts]
        chosen_period = period if period in periods else (periods[-1] if periods else None)
        return {
            "enterprise": {
                "enterprise_id": found.enterprise_id,
                "name": found.name,
                "region": _region_name(found.region_code, english),
                "industry": _industry_name(found.industry_code, english),
            },
            "periods": periods,
            "period": chosen_period,
            "account": next((a for a in accounts if a["period"] == chosen_period), None),
            "grades": [g for g in grades if g["period"] == chosen_period],
            "submissions": sorted(submissions, key=lambda s: (s["period"], s["version"])),
        }

    @router.get("/enterprises/{enterprise_id}", response_model=None)
    def enterprise(request: Request, enterprise_id: str, period: str | None = None) -> Response:
        actor = site.signed_in(request)
        locale = site.locale_of(request)
        data = enterprise_data(request, actor, enterprise_id, period)
        if data is None:
            return site.render(request, "missing.html", status=404, user=actor)
        items = {
            str(r["item"]): str(r["name_en"] if locale == "en" else r["name_zh"])
            for r in default_reference().rows("items")
        }
        streams = _streams(data["account"], locale) if data["account"] else []
        return site.render(
            request,
            "enterprise.html",
            user=actor,
            chart=_streams_chart(streams),
            streams=streams,
            items=items,
            warning_text=lambda warning: warning_text(warning, locale),
            **data,
        )

    @router.get("/enterprises/{enterprise_id}/monitoring", response_model=None)
    def monitoring(request: Request, enterprise_id: str) -> Response:
        """Metered energy of the enterprise: meter quality, daily energy, the energy model
        and its CUSUM."""
        from carbonpeak.io.lake import default_lake
        from carbonpeak.services.monitoring import enterprise_monitoring

        actor = site.signed_in(request)
        english = site.locale_of(request) == "en"
        with site.sessions() as db:
            try:
                found = get_enterprise(db, actor, enterprise_id)
                view = enterprise_monitoring(db, actor, enterprise_id, default_lake())
            except CarbonpeakError:
                return site.render(request, "missing.html", status=404, user=actor)
        _ = gettext_of(site.locale_of(request))
        return site.render(
            request,
            "monitoring.html",
            user=actor,
            enterprise={
                "enterprise_id": found.enterprise_id,
                "name": found.name,
                "region": _region_name(found.region_code, english),
                "industry": _industry_name(found.industry_code, english),
            },
            view=view,
            daily_chart=_daily_chart(view.daily, _),
            cusum_chart=_cusum_chart(view.savings, _) if view.savings else None,
            warning_text=lambda warning: warning_text(warning, site.locale_of(request)),
        )

    @router.get("/credits", response_model=None)
    def credits_page(request: Request, as_of: str | None = None) -> Response:
        """The dual-credit ledger: balances by enterprise, type and vintage, open deficits,
        the NEV supply/demand ratio of each year and the entries."""
        from datetime import date

        from carbonpeak.errors import PermissionDenied
        from carbonpeak.services.credits import ledger_view

        actor = site.signed_in(request)
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            day = None
        with site.sessions() as db:
            try:
                view = ledger_view(db, actor, day)
            except PermissionDenied:
                return site.render(request, "forbidden.html", status=403, user=actor)
        _ = gettext_of(site.locale_of(request))
        return site.render(
            request,
            "credits.html",
            user=actor,
            view=view,
            chart=_credits_chart(view["balances"], _),
        )

    def plan_page(
        request: Request, text: str, result: dict[str, Any] | None, error: str | None
    ) -> Response:
        actor = site.signed_in(request)
        if actor.role not in ("admin", "automaker"):
            return site.render(request, "forbidden.html", status=403, user=actor)
        _ = gettext_of(site.locale_of(request))
        return site.render(
            request,
            "plan.html",
            status=400 if error else 200,
            user=actor,
            text=text,
            result=result,
            error=error,
            chart=_plan_chart(result, _) if result else None,
        )

    @router.get("/credits/plan", response_model=None)
    def plan_form(request: Request) -> Response:
        """A compliance plan to edit and run (YAML, as `carbonpeak credits plan` takes it)."""
        actor = site.signed_in(request)
        first = sorted(actor.enterprises)[0] if actor.enterprises else "91110000100000000X"
        return plan_page(request, EXAMPLE_PLAN.format(enterprise_id=first), None, None)

    @router.post("/credits/plan", response_model=None)
    def plan_run(request: Request, plan: str = Form("")) -> Response:
        """Run the plan: the cheapest compliant path, or what is wrong with the plan."""
        import yaml

        from carbonpeak.services.credits import plan as solve_plan

        try:
            data = yaml.safe_load(plan)
            result = solve_plan(data)
        except yaml.YAMLError as error:
            return plan_page(request, plan, None, f"YAML: {error}")
        except CarbonpeakError as error:
            return plan_page(request, plan, None, str(error))
        return plan_page(request, plan, result, None)

    def applications_page(
        request: Request, text: str, kind: str, error: str | None, status: int = 200
    ) -> Response:
        from carbonpeak.services.applications import list_applications

        actor = site.signed_in(request)
        with site.sessions() as db:
            items = list_applications(db, actor)
        return site.render(
            request,
            "applications.html",
            status=status,
            user=actor,
            items=items,
            text=text,
            kind=kind,
            error=error,
            enterprises=sorted(actor.enterprises),
        )

    @router.get("/applications", response_model=None)
    def applications(request: Request) -> Response:
        """Applications to the policy engines: their verdicts and decisions; a form to submit
        one (enterprises) and to decide (regulators)."""
        return applications_page(request, EXAMPLE_SWAP, "swap", None)

    @router.post("/applications", response_model=None)
    def submit_application_form(
        request: Request,
        kind: str = Form("swap"),
        enterprise_id: str = Form(""),
        body: str = Form(""),
    ) -> Response:
        import yaml

        from carbonpeak.services.applications import submit_application

        actor = site.signed_in(request)
        try:
            data = yaml.safe_load(body)
            if not isinstance(data, dict):
                raise CarbonpeakError("the application is a mapping of its fields")
            with site.sessions() as db, db.begin():
                submit_application(db, actor, kind, enterprise_id, data)
        except yaml.YAMLError as error:
            return applications_page(request, body, kind, f"YAML: {error}", 400)
        except InputError as error:
            locale = site.locale_of(request)
            text = "; ".join(problem_text(p, locale) for p in error.problems)
            return applications_page(request, body, kind, text, 400)
        except CarbonpeakError as error:
            return applications_page(request, body, kind, str(error), 400)
        return RedirectResponse("/applications", status_code=303)

    @router.post("/applications/{application_id}/decision", response_model=None)
    def decide_form(
        request: Request,
        application_id: int,
        decision: str = Form(""),
        comment: str = Form(""),
    ) -> Response:
        from carbonpeak.services.applications import decide

        actor = site.signed_in(request)
        try:
            with site.sessions() as db, db.begin():
                decide(db, actor, application_id, decision, comment)
        except InputError as error:
            locale = site.locale_of(request)
            text = "; ".join(problem_text(p, locale) for p in error.problems)
            return applications_page(request, EXAMPLE_SWAP, "swap", text, 400)
        except CarbonpeakError as error:
            return applications_page(request, EXAMPLE_SWAP, "swap", str(error), 403)
        return RedirectResponse("/applications", status_code=303)

    @router.get("/caps", response_model=None)
    def caps_form(request: Request) -> Response:
        """Energy-use control: upload a regional table, see each region against its path."""
        actor = site.signed_in(request)
        if actor.role not in ("admin", "regulator"):
            return site.render(request, "forbidden.html", status=403, user=actor)
        return caps_page(request, None, None, "industry_energy_2025")

    def caps_page(
        request: Request, result: dict[str, Any] | None, error: str | None, target: str
    ) -> Response:
        actor = site.signed_in(request)
        _ = gettext_of(site.locale_of(request))
        targets = [str(r["target"]) for r in default_reference().rows("intensity_targets")]
        return site.render(
            request,
            "caps.html",
            status=400 if error else 200,
            user=actor,
            result=result,
            error=error,
            target=target,
            targets=targets,
            chart=_caps_chart(result, _) if result else None,
        )

    @router.post("/caps", response_model=None)
    async def caps_run(request: Request) -> Response:
        from carbonpeak.io.tables import MAX_UPLOAD_BYTES, uploaded_name
        from carbonpeak.services.policy import track_caps

        actor = site.signed_in(request)
        if actor.role not in ("admin", "regulator"):
            return site.render(request, "forbidden.html", status=403, user=actor)
        async with request.form() as form:  # closes the uploaded file's spool
            target = str(form.get("target") or "industry_energy_2025")
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                return caps_page(request, None, "choose a CSV or XLSX file", target)
            content = await upload.read(MAX_UPLOAD_BYTES + 1)
            filename = upload.filename
        try:
            name = uploaded_name(filename, len(content))
            result = track_caps(name, content, target)
        except InputError as error:
            locale = site.locale_of(request)
            text = "; ".join(problem_text(p, locale) for p in error.problems)
            return caps_page(request, None, text, target)
        except CarbonpeakError as error:
            return caps_page(request, None, str(error), target)
        return caps_page(request, result, None, target)

    @router.get("/enterprises/{enterprise_id}/streams.csv", response_model=None)
    def streams_csv(request: Request, enterprise_id: str, period: str | None = None) -> Response:
        """The rows of the source-stream chart of a period."""
        actor = site.signed_in(request)
        data = enterprise_data(request, actor, enterprise_id, period)
        if data is None or data["account"] is None:
            return Response("not found", status_code=404, media_type="text/plain")
        rows = _streams(data["account"], site.locale_of(request))
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
        actor = site.signed_in(request)
        data = enterprise_data(request, actor, enterprise_id, period)
        if data is None or data["account"] is None or kind not in REPORT_TYPES:
            return site.render(request, "missing.html", status=404, user=actor)
        make = account_pdf if kind == "pdf" else account_xlsx
        content = make(
            AccountReport(
                data["enterprise"],
                data["account"],
                data["grades"],
                default_reference(),
                site.locale_of(request),
            )
        )
        name = f"account-{enterprise_id}-{data['period']}.{kind}"
        return Response(
            content,
            media_type=REPORT_TYPES[kind],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @router.get("/enterprises/{enterprise_id}/lines/{row}", response_model=None)
    def line(request: Request, enterprise_id: str, row: int, period: str) -> Response:
        """The methods and reference rows of one line (an HTMX fragment)."""
        actor = site.signed_in(request)
        with site.sessions() as db:
            try:
                accounts = accounts_of(db, actor, enterprise_id, period)
            except CarbonpeakError:
                accounts = []
        found = next((x for a in accounts for x in a["lines"] if x["row"] == row), None)
        if found is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return site.render(request, "_line.html", user=actor, line=found)

    @router.get("/sources/{source_id}", response_model=None)
    def source(
        request: Request, source_id: str, table: str | None = None, line: int | None = None
    ) -> Response:
        """A cited document and, when asked, the reference row (table, line) citing it."""
        actor = site.signed_in(request)
        reference = default_reference()
        try:
            document = reference.source(source_id)
            rows = reference.rows(table) if table else []
        except CarbonpeakError:
            return site.render(request, "missing.html", status=404, user=actor)
        row = next((r for r in rows if r.line == line and r.get("source_id") == source_id), None)
        values = [(k, "" if v is None else str(v)) for k, v in row.values.items()] if row else []
        return site.render(
            request,
            "source.html",
            user=actor,
            source=document,
            table=table,
            line=line,
            values=values,
        )

    return router


def _streams(account: dict[str, Any], locale: str) -> list[tuple[str, str, float]]:
    """(key, label, tonnes) per source stream of an account's CO2, then the other gases in
    CO2e."""
    names = stream_names(locale)
    _ = gettext_of(locale)
    rows = [(stream, names[stream], float(account[column])) for stream, column in STREAMS]
    other = float(account["co2e_t"]) - float(account["co2_t"])
    return [*rows, ("other_gases", _("Other gases (CO2e)"), other)]


def _streams_chart(rows: list[tuple[str, str, float]]) -> str:
    """A bar per source stream."""
    option = {
        "color": ["#1b7f5b"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "top": 16, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": "t", "splitNumber": 4},
        "yAxis": {"type": "category", "data": [label for _k, label, _v in rows][::-1]},
        "series": [
            {"type": "bar", "barMaxWidth": 36, "data": [round(v, 1) for _k, _l, v in rows][::-1]}
        ],
    }
    return json.dumps(option, ensure_ascii=False)


def _daily_chart(daily: list[dict[str, Any]], _: Callable[[str], str]) -> str:
    """Energy (tce) and CO2 (t) by day."""
    option = {
        "color": ["#1b7f5b", "#c8553d"],
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [r["period_start"][:10] for r in daily]},
        "yAxis": {"type": "value", "splitNumber": 4},
        "series": [
            {
                "name": _("Energy (tce)"),
                "type": "line",
                "showSymbol": False,
                "data": [r["energy_tce"] for r in daily],
            },
            {
                "name": _("CO2 (t)"),
                "type": "line",
                "showSymbol": False,
                "data": [r["co2_t"] for r in daily],
            },
        ],
    }
    return json.dumps(option, ensure_ascii=False)


def _credits_chart(balances: list[dict[str, Any]], _: Callable[[str], str]) -> str:
    """Credits held (and deficits open) by vintage, stacked by type and origin."""
    vintages = sorted({int(r["vintage"]) for r in balances})
    names = {
        ("cafc", "own"): _("CAFC credits"),
        ("nev", "own"): _("NEV credits"),
        ("nev", "bought"): _("NEV credits bought"),
        ("nev", "pool"): _("NEV credits in the pool"),
        ("cafc", "deficit"): _("CAFC deficit"),
        ("nev", "deficit"): _("NEV deficit"),
    }
    series = []
    for (credit, origin), name in names.items():
        values = [
            sum(
                r["credits"]
                for r in balances
                if (r["credit"], r["origin"], int(r["vintage"])) == (credit, origin, v)
            )
            for v in vintages
        ]
        if any(values):
            series.append({"name": name, "type": "bar", "stack": "credits", "data": values})
    option = {
        "color": ["#1b7f5b", "#3f8fc4", "#7db8de", "#9b6fc0", "#c8553d", "#e39b3b"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [str(v) for v in vintages]},
        "yAxis": {"type": "value", "splitNumber": 4},
        "series": series,
    }
    return json.dumps(option, ensure_ascii=False)


EXAMPLE_SWAP = """sector: cement              # steel | cement | flat_glass | aluminium
application_date: 2025-03-01
location: {region_code: "130200"}
built: [{equipment: clinker_kiln, capacity_t: 1500000}]
exit:  [{equipment: clinker_kiln, capacity_t: 3000000, region_code: "130200", status: operating}]
reaches_benchmark: true
"""

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


def _caps_chart(result: dict[str, Any], _: Callable[[str], str]) -> str:
    """Each region's intensity against its path, by year."""
    rows = [r for r in result["rows"] if "year" in r]
    years = sorted({int(r["year"]) for r in rows})
    series: list[dict[str, Any]] = []
    for code in sorted({str(r["region_code"]) for r in rows}):
        mine = {int(r["year"]): r for r in rows if r["region_code"] == code}
        series.append(
            {
                "name": code,
                "type": "line",
                "data": [mine[y]["intensity"] if y in mine else None for y in years],
            }
        )
        series.append(
            {
                "name": f"{code} {_('path')}",
                "type": "line",
                "lineStyle": {"type": "dashed"},
                "data": [mine[y]["path_intensity"] if y in mine else None for y in years],
            }
        )
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [str(y) for y in years]},
        "yAxis": {"type": "value", "scale": True, "splitNumber": 4},
        "series": series,
    }
    return json.dumps(option, ensure_ascii=False)


def _plan_chart(result: dict[str, Any], _: Callable[[str], str]) -> str:
    """Volumes by line and year, stacked."""
    years = [str(y["year"]) for y in result["years"]]
    names = list(result["years"][0]["volumes"]) if result["years"] else []
    option = {
        "color": ["#8a8f98", "#1b7f5b", "#3f8fc4", "#e39b3b", "#9b6fc0", "#c8553d"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": years},
        "yAxis": {"type": "value", "name": _("cars"), "splitNumber": 4},
        "series": [
            {
                "name": name,
                "type": "bar",
                "stack": "volume",
                "data": [y["volumes"][name] for y in result["years"]],
            }
            for name in names
        ],
    }
    return json.dumps(option, ensure_ascii=False)


def _cusum_chart(saved: dict[str, Any], _: Callable[[str], str]) -> str:
    """Actual against predicted energy by day of the reporting period, and their CUSUM."""
    rows = saved["rows"]
    option = {
        "color": ["#1b7f5b", "#8a8f98", "#c8553d"],
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [r["period"] for r in rows]},
        "yAxis": [{"type": "value", "splitNumber": 4}, {"type": "value", "splitNumber": 4}],
        "series": [
            {
                "name": _("Actual (tce)"),
                "type": "line",
                "showSymbol": False,
                "data": [r["actual"] for r in rows],
            },
            {
                "name": _("Predicted (tce)"),
                "type": "line",
                "showSymbol": False,
                "data": [r["predicted"] for r in rows],
            },
            {
                "name": _("CUSUM (tce)"),
                "type": "line",
                "showSymbol": False,
                "yAxisIndex": 1,
                "data": [r["cusum"] for r in rows],
            },
        ],
    }
    return json.dumps(option, ensure_ascii=False)


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
    )


FIGURES = ("energy_tce", "co2_t", "co2e_t")


def overview_tables(db: Session, actor: Actor, locale: str) -> dict[str, list[dict[str, Any]]]:
    """Energy and emissions within the caller's scope: by year; by industry division and by
    region in the latest year."""
    by_year: dict[str, dict[str, Any]] = {}
    reporting: dict[tuple[str, str], int] = {}  # enterprises per (year, period), all provinces
    for row in roll_up_visible(db, actor, by="province_code"):
        year = str(row["period"])[:4]
        entry = by_year.setdefault(year, {"key": year, "label": year})
        reporting[(year, str(row["period"]))] = reporting.get((year, str(row["period"])), 0) + int(
            row["enterprises"]
        )
        for figure in FIGURES:
            entry[figure] = entry.get(figure, 0.0) + float(row[figure])
    for (year, _period), count in reporting.items():
        by_year[year]["enterprises"] = max(by_year[year].get("enterprises", 0), count)
    years = [by_year[y] for y in sorted(by_year)]
    latest = years[-1]["key"] if years else None
    out: dict[str, list[dict[str, Any]]] = {"year": years, "industry": [], "region": []}
    if latest is None:
        return out
    english = locale == "en"
    names: tuple[tuple[str, str, Callable[[str, bool], str]], ...] = (
        ("industry", "industry_division", _industry_name),
        ("region", "region_code", _region_name),
    )
    for view, by, name in names:
        groups: dict[str, dict[str, Any]] = {}
        for row in roll_up_visible(db, actor, by=by, year=latest):
            code = str(row[by])
            entry = groups.setdefault(
                code, {"key": code, "label": name(code, english), "enterprises": 0}
            )
            entry["enterprises"] = max(entry["enterprises"], int(row["enterprises"]))
            for figure in FIGURES:
                entry[figure] = entry.get(figure, 0.0) + float(row[figure])
        out[view] = sorted(groups.values(), key=lambda e: -e["co2e_t"])
    return out


def _scope_name(actor: Actor, locale: str) -> str:
    """The regions a caller oversees, by name (all of them for an admin)."""
    _ = gettext_of(locale)
    if actor.role == "admin" or not actor.regions:
        return _("All regions")
    return ", ".join(_region_name(code, locale == "en") for code in sorted(actor.regions))


def _industry_name(code: str, english: bool) -> str:
    try:
        industry = industry_by_code(code)
    except CarbonpeakError:
        return code
    return f"{code} {industry.name_en if english and industry.name_en else industry.name_zh}"


def _region_name(code: str, english: bool) -> str:
    try:
        region = region_by_code(code)
    except CarbonpeakError:
        return code
    return region.name_en if english and region.name_en else region.name_zh


def _chart(view: str, table: list[dict[str, Any]], _: Callable[..., str]) -> str:
    """An ECharts option (JSON) for a table: energy and CO2e in 10^4 units, as bars."""
    horizontal = view != "year"
    rows = table[::-1] if horizontal else table  # the largest on top
    category = {"type": "category", "data": [row["label"] for row in rows]}
    value = {"type": "value", "splitNumber": 4}
    series = [
        {
            "name": name,
            "type": "bar",
            "barMaxWidth": 48,
            "data": [round(row[figure] / 1e4, 1) for row in rows],
        }
        for name, figure in (
            (_("Energy (10⁴ tce)"), "energy_tce"),
            (_("CO2e (10⁴ t)"), "co2e_t"),
        )
    ]
    option = {
        "color": ["#2f6db5", "#1b7f5b"],
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": value if horizontal else category,
        "yAxis": category if horizontal else value,
        "series": series,
    }
    return json.dumps(option, ensure_ascii=False)
