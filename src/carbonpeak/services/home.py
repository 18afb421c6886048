"""The home page's use case: what a signed-in user must act on, gathered from the wings.

- **Regulator (and administrator): the cockpit.** The region's budget use this month and year
  to date (the top budgets of the caller's cascade), the open alerts of this year's budgets by
  level, the enterprises and prefectures furthest over (the highest pace: used share / elapsed
  share), applications waiting for a decision (submitted or under review, each counted), units
  below the baseline level with their upgrade deadline (each unit by its latest stored grade),
  overdue dual-credit deficits (administrator only: the national department's ledger), and the
  online monitoring's silent meters and incomplete enterprises (when a lake is configured), and the
  number of submitted reports waiting for review.
- **Automaker.** Its open dual-credit deficits (those past their settlement deadline marked),
  its credit balances, and the compliance plan to run.
- **Enterprise user.** The reports and the applications returned to it to fix (with the
  regulator's comment), its
  budgets and levels, the open alerts of this year's budgets, the months of this year up to
  last month without an official monthly report, its open measures (proposed or accepted), and
  its enterprises by name (`names`: code to stored name, for the cards and lists that show codes).

Every item carries the page where it is handled (`href`); nothing is stored.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from carbonpeak.errors import CarbonpeakError
from carbonpeak.policy.application_states import WAITING
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting_versions import (
    grades_visible,
    list_submissions,
    official_months,
)
from carbonpeak.services.benchmarking import industry_tables, industry_view
from carbonpeak.services.budgets import list_alerts
from carbonpeak.services.budgets_view import budgets_page
from carbonpeak.services.credits import ledger_view
from carbonpeak.services.diagnosis import list_opportunities
from carbonpeak.services.enterprises import names_of
from carbonpeak.services.memo import kept
from carbonpeak.services.monitoring_region import region_monitoring
from carbonpeak.services.policy import list_applications
from carbonpeak.services.reference import library_in_force
from carbonpeak.services.reference_editions import EDITOR, REVIEWER, list_editions

FURTHEST = 5  # the enterprises and the prefectures furthest over, each
BELOW = 10  # the units below the baseline shown (the largest saving potential first)
OPEN_MEASURES = ("proposed", "accepted")


def cockpit(
    session: Session, actor: Actor, as_of: date, lake: Path | None, english: bool = False
) -> dict[str, Any]:
    """What the home page of `actor` shows as of `as_of` (see the module's docstring):
    `kind` is `regulator` (regulators and the administrator), `automaker` or `enterprise`."""
    if actor.role in ("regulator", "admin"):
        return _regulator(session, actor, as_of, lake, english)
    if actor.role == "automaker":
        return automaker(session, actor, as_of)
    return _enterprise(session, actor, as_of, lake, english)


def returned_reports(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The reports the regulator returned that are still to fix: each enterprise-period whose
    latest version is `returned`, with the regulator's comment and the page of that period."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    _total, rows = list_submissions(session, actor, limit=10_000)
    for row in rows:
        key = (str(row["enterprise_id"]), str(row["period"]))
        if key not in latest or int(row["version"]) > int(latest[key]["version"]):
            latest[key] = row
    return [
        r | {"href": f"/enterprises/{r['enterprise_id']}?period={r['period']}"}
        for _key, r in sorted(latest.items())
        if r["state"] == "returned"
    ]


def _pace(row: dict[str, Any]) -> float | None:
    if row.get("pace") is not None:
        return float(row["pace"])
    used, elapsed = row.get("used_share"), row.get("elapsed_share")
    return used / elapsed if used is not None and elapsed else None


def _furthest(rows: list[dict[str, Any]], keep: Any) -> list[dict[str, Any]]:
    chosen = [r for r in rows if keep(r) and _pace(r) is not None]
    chosen.sort(key=lambda r: (-(_pace(r) or 0.0), r["code"]))
    return [r | {"pace": _pace(r), "href": f"/budgets/{r['budget_id']}"} for r in chosen[:FURTHEST]]


def _regulator(
    session: Session, actor: Actor, as_of: date, lake: Path | None, english: bool
) -> dict[str, Any]:
    view = budgets_page(session, actor, as_of.year, as_of, lake, english)
    rows = view["rows"]
    top = [r | {"href": f"/budgets/{r['budget_id']}"} for r in rows if r["depth"] == 0]
    # what comes from the store alone, kept per store state (the budgets' use and the
    # monitoring also read the lake, which the audit head does not version)
    alerts, applications, below, grades_year, waiting, deficits = kept(
        session,
        actor,
        "cockpit",
        (as_of, english),
        lambda: _stored(session, actor, as_of, english),
    )
    by_level = Counter(str(a["level"]) for a in alerts)
    return {
        "kind": "regulator",
        "as_of": as_of,
        "year": as_of.year,
        "budgets": top,
        "budget_count": len(rows),
        "alerts": {
            "red": by_level.get("red", 0),
            "yellow": by_level.get("yellow", 0),
            "total": len(alerts),
            "href": "/budgets/alerts",
        },
        "furthest_enterprises": _furthest(rows, lambda r: r["scope"] == "enterprise"),
        "furthest_regions": _furthest(rows, lambda r: r["scope"] == "region" and r["depth"] > 0),
        "applications": [
            a | {"href": f"/applications#application-{a['application_id']}"} for a in applications
        ],
        "application_counts": {
            "submitted": sum(a["state"] == "submitted" for a in applications),
            "under_review": sum(a["state"] == "under_review" for a in applications),
        },
        "reviews": {"waiting": waiting, "href": "/review?state=submitted"},
        "below_baseline": below[:BELOW],
        "below_baseline_count": len(below),
        "grades_year": grades_year,
        "deficits": deficits,
        "monitoring": _monitoring(session, actor, lake, english),
        "editions": _editions(session, actor),
    }


def _editions(session: Session, actor: Actor) -> list[dict[str, Any]] | None:
    """The reference editions waiting for a decision that this user may take (a reviewer, not
    their editor) or has uploaded (an editor); None for a user with neither duty."""
    if not {REVIEWER, EDITOR} & actor.duties:
        return None
    drafts = [e for e in list_editions(session) if e["state"] == "draft"]
    return [
        e
        | {"href": f"/reference/editions/{e['edition_id']}", "mine": e["author"] == actor.username}
        for e in drafts
        if (REVIEWER in actor.duties and e["author"] != actor.username)
        or (EDITOR in actor.duties and e["author"] == actor.username)
    ]


def _stored(session: Session, actor: Actor, as_of: date, english: bool) -> tuple[Any, ...]:
    """The regulator's open alerts of the year, applications waiting, units below the
    baseline (and their latest period), submissions waiting and overdue deficits."""
    alerts = [a for a in list_alerts(session, actor, open_only=True) if a["year"] == as_of.year]
    applications = [a for a in list_applications(session, actor) if a["state"] in WAITING]
    below, grades_year = _below_baseline(session, actor, english)
    waiting, _page = list_submissions(session, actor, state="submitted", limit=1)
    return alerts, applications, below, grades_year, waiting, _deficits(session, actor, as_of)


def _below_baseline(
    session: Session, actor: Actor, english: bool
) -> tuple[list[dict[str, Any]], str | None]:
    """The units whose latest stored grade (each enterprise and area by its latest graded
    period, whatever the year: a unit graded below the baseline stays there until a newer
    report grades it again) is below the baseline level, with their deadline; and the latest
    period among them. Computed once per store state, caller scope and language."""
    return kept(
        session, actor, "below_baseline", (english,), lambda: _latest_below(session, actor, english)
    )


def _latest_below(
    session: Session, actor: Actor, english: bool
) -> tuple[list[dict[str, Any]], str | None]:
    years = industry_view(session, actor, None, None, english)["years"]
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for year in years:
        for row in grades_visible(session, actor, year):
            key = (str(row.get("enterprise_id")), str(row.get("area")))
            if key not in latest or str(row.get("period")) >= str(latest[key].get("period")):
                latest[key] = row
    rows = industry_tables(list(latest.values()), None, english, library_in_force(session))["below"]
    below = [
        {
            "enterprise_id": r.get("enterprise_id"),
            "name": r.get("name"),
            "area": r.get("area"),
            "area_name": r.get("area_name"),
            "deadline": r.get("deadline"),
            "days_left": r.get("days_left"),
            "href": f"/enterprises/{r.get('enterprise_id')}",
        }
        for r in rows
    ]
    periods = [str(r.get("period")) for r in latest.values() if r.get("period")]
    return below, max(periods)[:4] if periods else None


def _deficits(session: Session, actor: Actor, as_of: date) -> list[dict[str, Any]] | None:
    """Overdue dual-credit deficits: the national department's (the administrator's) alone;
    None for a provincial regulator."""
    if actor.role != "admin":
        return None
    unsettled = ledger_view(session, actor, as_of)["unsettled"]
    return [u | {"href": "/credits"} for u in unsettled]


def _monitoring(
    session: Session, actor: Actor, lake: Path | None, english: bool
) -> dict[str, Any] | None:
    if lake is None or not Path(lake).exists():
        return None
    try:
        view = region_monitoring(session, actor, lake, english)
    except CarbonpeakError:
        return None
    if view.empty:
        return None
    return {
        "enterprises": view.totals.get("enterprises", 0),
        "silent_meters": view.totals.get("silent_meters", 0),
        "enterprises_below": view.totals.get("enterprises_below", 0),
        "href": "/monitoring?sort=silent",
    }


def _enterprise(
    session: Session, actor: Actor, as_of: date, lake: Path | None, english: bool
) -> dict[str, Any]:
    view = budgets_page(session, actor, as_of.year, as_of, lake, english)
    budgets = [r | {"href": f"/budgets/{r['budget_id']}"} for r in view["rows"]]
    alerts = [
        a | {"href": f"/budgets/{a['budget_id']}"}
        for a in list_alerts(session, actor, open_only=True)
        if a["year"] == as_of.year  # the open alerts of this year's budgets
    ]
    own = sorted(actor.enterprises)
    reported = {
        (m["enterprise_id"], m["period"]) for m in official_months(session, as_of.year, own)
    }
    months = [f"{as_of.year}-{m:02d}" for m in range(1, as_of.month)]
    # monthly reports are due from the enterprises that report monthly this year: those with a
    # budget of the year or a monthly report in it (an enterprise that reports once a year is
    # not late every month)
    monthly = {e for e, _ in reported} | {
        r["code"] for r in budgets if r.get("scope") == "enterprise"
    }
    due = [
        {"enterprise_id": e, "months": missing, "href": "/upload"}
        for e in own
        if e in monthly and (missing := [p for p in months if (e, p) not in reported])
    ]
    names = names_of(session, own)
    measures = [
        o
        | {
            "href": f"/opportunities#opportunity-{o['opportunity_id']}",
            "name": names.get(o["enterprise_id"], ""),
        }
        for o in list_opportunities(session, actor)
        if o.get("state") in OPEN_MEASURES
    ]
    return {
        "kind": "enterprise",
        "returned": returned_reports(session, actor),
        "returned_applications": [
            a | {"href": f"/applications#application-{a['application_id']}"}
            for a in list_applications(session, actor, state="returned")
        ],
        "as_of": as_of,
        "year": as_of.year,
        "budgets": budgets,
        "alerts": alerts,
        "due": due,
        "measures": measures,
        "enterprises": [
            {"enterprise_id": e, "name": names.get(e, ""), "href": f"/enterprises/{e}"} for e in own
        ],
        "names": names,
    }


def automaker(session: Session, actor: Actor, as_of: date) -> dict[str, Any]:
    """An automaker's to-do: the deficits of its enterprises still open (the overdue ones, past
    their settlement deadline, marked), the credits it holds by type, and its plan's page."""
    view = ledger_view(session, actor, as_of)
    overdue = {(u["entity"], u["credit"], u["year"]) for u in view["unsettled"]}
    deficits = [
        {
            "entity": r["entity"],
            "credit": r["credit"],
            "vintage": r["vintage"],
            "owed": -float(r["credits"]),
            "overdue": (r["entity"], r["credit"], r["vintage"]) in overdue,
            "href": "/credits#balances",
        }
        for r in view["balances"]
        if r["origin"] == "deficit"
    ]
    held: dict[str, float] = {}
    for r in view["balances"]:
        if r["origin"] != "deficit":
            held[str(r["credit"])] = held.get(str(r["credit"]), 0.0) + float(r["credits"])
    return {
        "kind": "automaker",
        "as_of": as_of,
        "deficits": deficits,
        "held": dict(sorted(held.items())),
        "plan_href": "/credits/plan",
        "fleet": _fleet_summary(session, actor),
        "fleet_href": "/credits/fleet",
        "names": names_of(session, actor.enterprises),
    }


def _fleet_summary(session: Session, actor: Actor) -> dict[str, Any] | None:
    """The stored fleet's latest year: its models and the CAFC and NEV credits of its
    enterprises (summed), or None without a stored fleet."""
    from carbonpeak.policy.dual_credit.compute import compute
    from carbonpeak.services.fleet import stored_fleet

    fleet = stored_fleet(session, actor)
    if not len(fleet):
        return None
    year = int(fleet["year"].max())
    results = compute(fleet, library_in_force(session), [year]).results()
    return {
        "year": year,
        "models": int((fleet["year"] == year).sum()),
        "cafc_credits": sum(float(r["cafc_credits"]) for r in results),
        "nev_credits": sum(float(r["nev_credits"]) for r in results),
    }
