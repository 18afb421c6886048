"""The demo's carbon dual control (issue 18 item 7): its 2026 months reach the store for the
months before the demo's day, both cascades hold, exactly two key enterprises are yellow and
one red (every other budget green), two project applications wait for review with their
region's budget, and the addition keeps the demo's build small."""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from carbonpeak.accounting.activity import check_activity
from carbonpeak.accounting.engine import account
from carbonpeak.demo.dual_control import (
    PREVIOUS_YEAR,
    YEAR,
    DualControl,
    demo_day,
    dual_control,
)
from carbonpeak.demo.province import Province, generate_province, province_activity
from carbonpeak.policy.application_states import STATES
from carbonpeak.policy.budgets import check_cascade, levels, parse_budgets, track
from carbonpeak.reference.loader import Reference, default_reference
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting_versions import official_months
from carbonpeak.services.budgets import list_alerts, list_budgets, tracked, with_parents
from carbonpeak.services.demo import load_dual_control, make_demo
from carbonpeak.services.demo_journeys import decide_applications, other_kinds
from carbonpeak.services.policy import list_applications
from carbonpeak.store.db import make_engine, transaction
from carbonpeak.store.models import User

TODAY = date(2026, 12, 5)
REFERENCE = default_reference()


def _activity(province: Province) -> pd.DataFrame:
    return province_activity(province).astype(str).replace("nan", "")


@pytest.fixture(scope="module")
def province() -> Province:
    return generate_province(seed=2030, enterprises=300)


@pytest.fixture(scope="module")
def control(province: Province) -> DualControl:
    return dual_control(province, _activity(province), TODAY)


def _regions(province: Province) -> dict[str, str]:
    return {e.enterprise.enterprise_id: e.enterprise.region_code for e in province.enterprises}


def _with_thresholds(made: DualControl) -> Reference:
    rows = [{**r, "authority": made.authority, "source_id": "demo"} for r in made.thresholds]
    source = {"source_id": "demo", "title": made.document, "issuer": "demo", "note": "demo"}
    return REFERENCE.with_records("budget_alert_thresholds", rows, [source], origin="demo")


@pytest.mark.parametrize(
    ("today", "as_of", "last"),
    [
        (date(2026, 12, 5), date(2026, 12, 5), 11),  # November the last full month
        (date(2026, 12, 1), date(2026, 12, 1), 11),
        (date(2026, 7, 31), date(2026, 7, 31), 6),  # July is not over
        (date(2027, 3, 1), date(2026, 12, 31), 12),  # 2026 over: all its months
        (date(2026, 1, 20), date(2026, 2, 1), 1),  # before any full month: the first
    ],
)
def test_the_demo_day_and_its_months(today: date, as_of: date, last: int) -> None:
    assert demo_day(today) == (as_of, list(range(1, last + 1)))


def test_the_months_are_valid_reports_with_value_added(
    province: Province, control: DualControl
) -> None:
    activity = control.activity
    assert check_activity(activity, REFERENCE) == []
    keys = set(control.key_enterprises)
    assert set(activity["enterprise_id"]) == keys
    assert province.enterprises[0].enterprise.enterprise_id in keys  # the demo login's
    # two per prefecture (the largest emitters) and the login's enterprise
    assert len({_regions(province)[k] for k in keys}) == len(province.prefectures)
    periods = sorted(set(activity["period"]))
    assert periods == [f"2026-{m:02d}" for m in range(1, 12)]
    value_added = activity[activity["item"] == "value_added"]
    assert len(value_added) == len(keys) * 11  # one line per enterprise-month
    assert set(value_added["unit"]) == {"10^4 yuan"}
    assert (value_added["amount"].astype(float) > 0).all()
    assert (activity["stream"] == "product").any()
    # a month's lines are the demo year's lines of the enterprise, scaled alike: the ratio of
    # any two lines is the demo year's (3 decimals of rounding aside)
    annual = _activity(province)
    code = control.key_enterprises[0]
    year = annual[annual["enterprise_id"] == code]["amount"].astype(float).to_numpy()
    march = activity[(activity["enterprise_id"] == code) & (activity["period"] == "2026-03")]
    march = march[march["stream"] != "economic"]["amount"].astype(float).to_numpy()
    assert march / march[0] == pytest.approx(year / year[0], rel=1e-5)
    # seasonal share x growth (0.96-1.06) x deviation: a month is near a twelfth of the year
    assert 0.05 < march[0] / year[0] < 0.13


def test_the_same_day_gives_the_same_rows_and_a_later_day_only_adds_months(
    province: Province, control: DualControl
) -> None:
    again = dual_control(province, _activity(province), TODAY)
    pd.testing.assert_frame_equal(again.activity, control.activity)
    assert again.budgets == control.budgets and again.projects == control.projects
    later = dual_control(province, _activity(province), date(2027, 1, 3)).activity
    before = later[later["period"] < "2026-12"].reset_index(drop=True)
    pd.testing.assert_frame_equal(before, control.activity.reset_index(drop=True))
    assert sorted(set(later["period"]))[-1] == "2026-12"


@pytest.mark.parametrize("year", [PREVIOUS_YEAR, YEAR])
def test_both_cascades_hold(province: Province, control: DualControl, year: int) -> None:
    regions = _regions(province)
    rows = control.budgets[year]
    budgets = with_parents(
        parse_budgets([{**r, "budget_id": r["code"]} for r in rows], REFERENCE), regions
    )
    assert check_cascade(budgets, regions) == []
    scopes = Counter(b.scope for b in budgets)
    assert scopes["region"] == 1 + len(province.prefectures)
    assert scopes["enterprise"] == len(control.key_enterprises)
    # parts <= whole less its reserve, for every parent (the demo's reserves: 5 %)
    caps = {b.budget_id: b for b in budgets}
    parts: dict[str, float] = defaultdict(float)
    for b in budgets:
        if b.parent_id is not None:
            parts[b.parent_id] += b.implied_cap
    assert set(parts) == {b.budget_id for b in budgets if b.scope == "region"}
    for parent, total in parts.items():
        assert total <= caps[parent].implied_cap * (1 - caps[parent].reserve)
        assert caps[parent].reserve == 0.05


@settings(max_examples=6, deadline=None)
@given(today=st.dates(date(2026, 1, 1), date(2027, 6, 30)) | st.sampled_from([TODAY]))
def test_two_yellow_one_red_the_rest_green_on_any_day(province: Province, today: date) -> None:
    made = dual_control(province, _activity(province), today)
    regions = _regions(province)
    budgets = with_parents(
        parse_budgets([{**r, "budget_id": r["code"]} for r in made.budgets[YEAR]], REFERENCE),
        regions,
    )
    enterprises = pd.DataFrame([e.enterprise.model_dump() for e in province.enterprises])
    use = account(made.activity, enterprises).totals
    reference = _with_thresholds(made)
    judged = levels(
        track(budgets, use, None, None, made.as_of, regions, reference), reference, made.as_of
    )
    found = {b.code: (b.scope, j.level) for b, j in zip(budgets, judged, strict=True)}
    assert Counter(found.values()) == {
        ("enterprise", "yellow"): 2,
        ("enterprise", "red"): 1,
        ("enterprise", "green"): len(made.key_enterprises) - 3,
        ("region", "green"): 1 + len(province.prefectures),
    }
    assert {c: level for c, (_s, level) in found.items()} == made.intended
    # the demo login's enterprise is one of the two yellow ones
    assert found[province.enterprises[0].enterprise.enterprise_id] == ("enterprise", "yellow")


def test_the_thresholds_name_the_demo_authority_as_fictional(control: DualControl) -> None:
    assert "演示" in control.document and "虚构" in control.document
    assert "fictional" in control.document
    assert all(r["status"] == "unverified" and "fictional" in r["note"] for r in control.thresholds)
    assert {(r["indicator"], r["level"]) for r in control.thresholds} == {
        ("pace", "yellow"), ("pace", "red"), ("projection", "yellow"), ("projection", "red")
    }  # fmt: skip


# -- on the store ---------------------------------------------------------------------------


@dataclass
class Loaded:
    engine: Engine
    control: DualControl
    done: dict[str, Any]
    cpu_s: float


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """The whole demo (1,500 enterprises, 12 metered plants) built and loaded as `make demo`
    does, into a store and lake of its own, with the CPU time it took."""
    folder: Path = tmp_path_factory.mktemp("demo")
    names = ("CARBONPEAK_HOME", "CARBONPEAK_LAKE", "CARBONPEAK_DATABASE_URL")
    before = {name: os.environ.pop(name, None) for name in names}
    os.environ["CARBONPEAK_HOME"] = str(folder / "home")  # its store and lake
    try:
        start = time.process_time()
        made = make_demo(folder / "out", load=True, today=TODAY)
        cpu = time.process_time() - start
    finally:
        os.environ.pop("CARBONPEAK_HOME", None)
        os.environ.update({k: v for k, v in before.items() if v is not None})
    assert made.dual_control is not None
    engine = make_engine(f"sqlite:///{folder / 'home' / 'carbonpeak.db'}")
    yield Loaded(engine, made.dual_control, made.results["loaded"]["dual_control"], cpu)
    engine.dispose()


def _actor(session: object, name: str) -> Actor:
    user = session.execute(select(User).where(User.username == name)).scalar_one()  # type: ignore[attr-defined]
    return Actor.of(user)


def test_the_months_reach_the_store(loaded: Loaded) -> None:
    with transaction(loaded.engine) as session:
        months = official_months(session, YEAR)
    by = defaultdict(list)
    for m in months:
        by[m["enterprise_id"]].append(m["period"])
        assert m["value_added_10k_yuan"] > 0 and m["co2_t"] > 0
    assert set(by) == set(loaded.control.key_enterprises)
    assert all(p == [f"2026-{m:02d}" for m in range(1, 12)] for p in by.values())
    assert loaded.done["reports_created"] == len(loaded.control.key_enterprises) * 11


def test_the_stored_cascades_hold_and_alert_two_yellow_one_red(loaded: Loaded) -> None:
    with transaction(loaded.engine) as session:
        regulator = _actor(session, "demo-regulator")
        for year in (PREVIOUS_YEAR, YEAR):
            stored = list_budgets(session, regulator, year)
            assert len(stored) == len(loaded.control.budgets[year])
            caps = {b["budget_id"]: b for b in stored}
            parts: dict[int, float] = defaultdict(float)
            for b in stored:
                if b["parent_id"] is not None:
                    parts[b["parent_id"]] += b["cap"]
            for parent, total in parts.items():
                assert total <= caps[parent]["cap"] * (1 - caps[parent]["reserve"])
            assert sum(1 for b in stored if b["parent_id"] is None) == 1  # the province
        tracking, judged, _ = tracked(session, regulator, YEAR, loaded.control.as_of)
        assert tracking is not None
        scope = {s.budget_id: s.scope for s in tracking.statuses}
        counts = Counter((scope[j.budget_id], j.level) for j in judged)
        alerts = list_alerts(session, regulator, open_only=True)
        mine = list_alerts(session, _actor(session, "demo-enterprise"))
    assert counts[("enterprise", "yellow")] == 2 and counts[("enterprise", "red")] == 1
    assert set(counts) == {("enterprise", "yellow"), ("enterprise", "red"),
                           ("enterprise", "green"), ("region", "green")}  # fmt: skip
    assert sorted(a["level"] for a in alerts) == ["red", "yellow", "yellow"]
    # the red one by its pace: its cap is its use to date / (1.25 x the judged share), the
    # share of an even profile that the months reported cover on 2026-12-05 (January to
    # November: 334 / 365 days; December is not reported yet, so its 5 elapsed days are not
    # judged: review 18 #5); the cap rounded to 100 t of millions moves the pace by less
    # than 1e-4
    [red] = [a for a in alerts if a["level"] == "red"]
    assert red["indicator"] == "pace" and red["value"] == pytest.approx(1.25, rel=1e-4)
    assert red["detail"]["elapsed_share"] == pytest.approx(339 / 365)
    assert red["value"] == pytest.approx(red["detail"]["used_share"] / (334 / 365))
    assert {a["scope"] for a in alerts} == {"enterprise"}
    assert [(a["code"], a["level"]) for a in mine] == [
        (loaded.control.key_enterprises[0], "yellow")
    ]


def test_two_project_applications_wait_with_their_regions_budget(loaded: Loaded) -> None:
    with transaction(loaded.engine) as session:
        listed = list_applications(session, _actor(session, "demo-regulator"))
    # the two projects were decided (services.demo_journeys: the first approved, the second
    # refused) and applied for again: these two wait, beside one of each other instrument
    waiting = [a for a in listed if a["state"] == "submitted" and a["kind"] == "project"]
    assert len(waiting) == 2
    assert {(a["kind"], a["state"]) for a in listed} == {
        ("project", "approved"),
        ("project", "refused"),
        ("project", "submitted"),
        ("swap", "approved"),
        ("swap", "refused"),
        ("swap", "submitted"),
        ("datacentre", "refused"),
        ("datacentre", "submitted"),
        ("factory", "approved"),
        ("factory", "submitted"),
        ("swap", "under_review"),
        ("factory", "returned"),
        ("datacentre", "resubmitted"),
    }
    # every state of the review workflow, a returned one with its comment, a resubmission
    # linked to the one it corrects
    assert {a["state"] for a in listed} == set(STATES)
    [returned] = [a for a in listed if a["state"] == "returned"]
    assert returned["comment"] and "重新提交" in returned["comment"]
    [earlier] = [a for a in listed if a["state"] == "resubmitted"]
    assert [a["state"] for a in listed if a["resubmits"] == earlier["application_id"]] == [
        "submitted"
    ]
    assert len({a["enterprise_id"] for a in waiting}) == 2
    verdicts = {a["enterprise_id"]: a["verdict"] for a in waiting}
    for verdict in verdicts.values():
        budget = verdict["region_budget"]
        assert budget["cap_t"] > budget["used_t"] > 0
        assert budget["remaining_before_t"] == pytest.approx(
            budget["cap_t"] - budget["used_t"] - budget["committed_t"]
        )
    fits = verdicts["911302007A3K9C2D24"]  # the clinker line: 77,363.99 t, under the benchmark
    assert fits["compliant"] is True and fits["region_budget"]["remaining_after_t"] > 0
    concern = verdicts[loaded.control.projects[1][0]]  # the EAF line: ~66 kgce/t > 61
    failed = [c["rule"] for c in concern["checks"] if not c["passed"]]
    assert concern["compliant"] is False
    assert failed == ["a new project designed to the benchmark level"]


def test_loading_again_adds_nothing(loaded: Loaded) -> None:
    with transaction(loaded.engine) as session:
        again = load_dual_control(session, loaded.control)
    assert again["reports_created"] == 0 and again["budgets_saved"] == 0
    assert again["alerts_raised"] == 0 and again["applications"] == []
    with transaction(loaded.engine) as session:
        assert decide_applications(session, loaded.control.projects, loaded.control.as_of) == []
        assert other_kinds(session, loaded.control.as_of) == []


def test_the_exporters_maps_are_filed_with_footprints_and_goods(loaded: Loaded) -> None:
    """`make demo` files the four exporters' process maps (`demo.product`) through the product
    service; each gives footprints and CBAM goods of 2026 imports, the demo enterprise's mill
    among them (its login sees it)."""
    from carbonpeak.services.product import list_maps, product_view

    with transaction(loaded.engine) as session:
        regulator = _actor(session, "demo-regulator")
        maps = list_maps(session, regulator)
        kinds = {m["file"].split("-")[1]: m["enterprise_id"] for m in maps}
        assert sorted(kinds) == ["aluminium", "bf_bof", "cement", "eaf"]
        for code in kinds.values():
            view = product_view(session, regulator, code, 2023, 0.5, 2026)
            assert view["results"]["footprints"] and view["results"]["goods"]
        own = list_maps(session, _actor(session, "demo-enterprise"))
    assert [m["enterprise_id"] for m in own] == [kinds["bf_bof"]]
