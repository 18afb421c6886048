"""Every demo login is a journey: the demo built and loaded as `make demo` does (a smaller
province: 300 enterprises, 3 metered plants; once for the module), served, and each login's
home walked in Chromium: the enterprise's returned report with the regulator's comment and its
accounts of two years with grades, its monitored plant; the regulator's applications decided
and waiting and the reports waiting for review; the automaker's deficits, credits and plan."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.api.app import create_app
from carbonpeak.services.demo import make_demo
from carbonpeak.services.demo_journeys import RETURN_COMMENT
from carbonpeak.store.db import make_engine
from carbonpeak.store.models_market import MarketPlan

from ..conftest import free_port
from .conftest import Served, log_in, shot

NAMES = ("CARBONPEAK_HOME", "CARBONPEAK_LAKE", "CARBONPEAK_DATABASE_URL")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str, str]]:
    """The served demo, its enterprise login's first enterprise and first metered plant."""
    folder: Path = tmp_path_factory.mktemp("journeys")
    before = {name: os.environ.pop(name, None) for name in NAMES}
    os.environ["CARBONPEAK_HOME"] = str(folder / "home")  # its store and its lake
    os.environ["CARBONPEAK_LAKE"] = str(folder / "home" / "lake")
    try:
        made = make_demo(folder / "out", enterprises=300, plants=3, load=True)
        loaded = made.results["loaded"]
        engine = make_engine(f"sqlite:///{folder / 'home' / 'carbonpeak.db'}")
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(engine), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.05)
        plant = _plants(folder)[0]
        yield Served(f"http://127.0.0.1:{port}", engine), loaded["demo_enterprise"], plant
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
    finally:
        for name in NAMES:
            os.environ.pop(name, None)
        os.environ.update({k: v for k, v in before.items() if v is not None})


def _plants(folder: Path) -> list[str]:
    import pandas as pd

    meters = pd.read_csv(folder / "out" / "meters.csv", dtype=str)
    return list(dict.fromkeys(meters["enterprise_id"]))[:1]


# What each language's pages say (the catalogues' texts), to know a page came in the right one.
SAID = {
    "zh-CN": {
        "welcome": "欢迎，demo-enterprise",
        "motor": "高效电动机",
        "area": "高炉工序",
        "returned": "退回待修改的报告",
        "lines": "填报明细",
        "monitoring": "在线监测",
        "cockpit": "驾驶舱",
        "waiting": "待审批的申请",
        "applications": "政策事项申请",
        "deficits": "待抵偿的积分缺口",
        "plan": "达标规划",
        "cost": "总成本：",
        "submitted": "已提交",
        "approved": "已批准",
        "refused": "不予批准",
        "under_review": "审查中",
        "returned_state": "已退回",
        "resubmitted": "已重新提交",
        "kinds": ("项目碳排放评价", "产能置换", "数据中心", "绿色工厂"),
    },
    "en": {
        "welcome": "Welcome, demo-enterprise",
        "motor": "High-efficiency motor",
        "area": "blast-furnace process",
        "returned": "Reports returned to fix",
        "lines": "Lines of the report",
        "monitoring": "Monitoring",
        "cockpit": "Cockpit",
        "waiting": "Applications waiting for a decision",
        "applications": "Policy applications",
        "deficits": "Credit deficits to offset",
        "plan": "Compliance plan",
        "cost": "Total cost: ",
        "submitted": "submitted",
        "approved": "approved",
        "refused": "refused",
        "under_review": "under review",
        "returned_state": "returned",
        "resubmitted": "resubmitted",
        "kinds": (
            "Project carbon assessment",
            "Capacity replacement",
            "Data centre",
            "Green factory",
        ),
    },
}
LANGUAGES = list(SAID)


@pytest.fixture(params=LANGUAGES)
def lang(request: pytest.FixtureRequest) -> str:
    """Each journey in Chinese (the site's default: no cookie, as a new user arrives) and in
    English (the site's `lang` cookie, as its language link sets it)."""
    return str(request.param)


@pytest.fixture
def page(browser: Browser, demo: tuple[Served, str, str], lang: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=lang)
    if lang == "en":
        context.add_cookies([{"name": "lang", "value": "en", "url": demo[0].url}])
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def _in_language(page: Page, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == lang


def _cards_named(page: Page) -> None:
    """Each of the login's enterprises on its home by name, its code under it."""
    cards = page.locator(".cards a")
    assert cards.count() >= 2
    names = page.locator(".cards a strong").all_inner_texts()
    assert len(names) == cards.count() and all(n.strip() for n in names), names


def test_the_enterprise_has_a_report_to_fix_accounts_of_two_years_and_readings(
    page: Page, demo: tuple[Served, str, str], lang: str
) -> None:
    served, first, plant = demo
    said = SAID[lang]
    log_in(page, served, "demo-enterprise")
    _in_language(page, lang)
    expect(page.locator("h1")).to_have_text(said["welcome"])
    expect(page.locator("#home-returned h2")).to_have_text(said["returned"])
    _cards_named(page)
    returned = page.locator("#home-returned li")
    expect(returned).to_have_count(1)
    expect(returned).to_contain_text(f"{first} 2025")
    expect(returned).to_contain_text(RETURN_COMMENT[:20])  # the regulator's words, as written
    # and its application returned with the regulator's comment, to correct
    expect(page.locator("#home-returned-applications li")).to_have_count(1)
    expect(page.locator("#home-returned-applications li")).to_contain_text("请补充证明材料")
    # the diagnosis's measures in the register, named in the page's language
    measures = page.locator("#home-measures")
    expect(measures).to_contain_text(said["motor"])
    assert ("replace by" in measures.inner_text()) == (lang == "en")
    shot(page, f"journey-enterprise-home-{lang}")
    page.locator("#home-returned li a").first.click()
    page.wait_for_url(re.compile(r"period=2025"))
    expect(page.locator("#not-official")).to_be_visible()  # the returned version, to fix
    page.goto(f"{served.url}/enterprises/{first}")
    periods = page.locator("nav.periods").inner_text()
    assert "2023" in periods and "2024" in periods  # two years of accounts
    expect(page.locator("#energy")).to_be_visible()
    page.goto(f"{served.url}/enterprises/{first}?period=2024")
    expect(page.locator("#grades")).to_be_visible()
    expect(page.locator("#no-accounts")).to_have_count(0)
    expect(page.locator("#lines h2")).to_have_text(said["lines"])
    expect(page.locator("#grades")).to_contain_text(said["area"])  # the area by its name
    shot(page, f"journey-enterprise-accounts-{lang}")
    # the enterprise's login holds the first metered plant: its monitoring has readings
    page.goto(f"{served.url}/enterprises/{plant}/monitoring")
    assert page.locator("h1").inner_text().startswith(said["monitoring"] + " · ")
    assert "P01-E1" in page.locator("main").inner_text()
    shot(page, f"journey-enterprise-monitoring-{lang}")
    # an enterprise without accounts says what to do next
    page.goto(f"{served.url}/enterprises/911302007A3K9C2D24")
    expect(page.locator("#no-accounts a[href='/upload']")).to_be_visible()


def test_the_regulator_has_applications_decided_and_waiting_and_reviews_waiting(
    page: Page, demo: tuple[Served, str, str], lang: str
) -> None:
    served, _first, _plant = demo
    said = SAID[lang]
    log_in(page, served, "demo-regulator")
    _in_language(page, lang)
    assert page.locator("h1").inner_text().startswith(said["cockpit"])
    expect(page.locator("#cockpit-applications h2")).to_have_text(said["waiting"])
    # waiting for a decision: two projects, two capacity replacements (one under review), two
    # data centres (one a corrected resubmission), a factory
    expect(page.locator("#cockpit-applications li")).to_have_count(7)
    expect(page.locator("#application-counts")).to_contain_text("1")
    expect(page.locator("#reviews-waiting")).to_be_visible()
    expect(page.locator("#alerts-red")).to_be_visible()
    shot(page, f"journey-regulator-home-{lang}")
    page.click("#reviews-waiting")
    page.wait_for_url(re.compile(r"/review"))
    page.goto(served.url + "/applications")
    expect(page.locator("h1")).to_have_text(said["applications"])
    listed = page.locator("main").inner_text()
    submitted, decided = said["submitted"], (said["approved"], said["refused"])
    # each application: its number, kind, enterprise by name and code, day, ..., state
    shown = re.findall(r"#\d+ · (.+?) · [^\n·]*?91\w{16} · .*? · .*? · ([^\n]+)", listed)
    for kind in said["kinds"]:  # each kind by its name in the page's language
        states = {s.strip() for k, s in shown if k == kind}
        assert submitted in states and any(d in states for d in decided), (kind, states)
    assert all(d in listed for d in decided)
    # the review workflow's states too: under review, returned, resubmitted
    for state in ("under_review", "returned_state", "resubmitted"):
        assert said[state] in listed, state
    shot(page, f"journey-regulator-applications-{lang}")


def test_the_automaker_has_a_deficit_to_offset_credits_and_a_plan(
    page: Page, demo: tuple[Served, str, str], lang: str
) -> None:
    served, _first, _plant = demo
    said = SAID[lang]
    log_in(page, served, "demo-automaker")
    _in_language(page, lang)
    expect(page.locator("#home-deficits h2")).to_have_text(said["deficits"])
    _cards_named(page)
    expect(page.locator("#home-deficits li")).to_have_count(1)  # the demo's open CAFC 2023
    expect(page.locator("#held-nev")).to_be_visible()
    shot(page, f"journey-automaker-home-{lang}")
    page.click("#plan-link")
    page.wait_for_url(re.compile(r"/credits/plan"))
    expect(page.locator("h1")).to_have_text(said["plan"])
    # the form holds the automaker's own fleet (2023: A1, A3, A4, A5), planned for 2024-2025
    names = page.locator("input[name=line_name]")
    assert [names.nth(i).input_value() for i in range(names.count())] == ["A1", "A3", "A4", "A5"]
    page.click("#plan-run")  # solved as it stands: no price given, nothing bought or sold
    expect(page.locator("#plan-result h2")).to_contain_text(said["cost"])
    assert page.locator("#plan-credits tbody tr").count() == 2  # the plan's two years
    # a selling price for 2024: the 14,480 NEV credits the plan can make that year (A4 8,000 x
    # 1.56 + A5 2,000 x 1) sold at 1,000 yuan, -14,480,000 yuan in all (no cost given)
    page.fill("input[name=sell_2024]", "1000")
    page.click("#plan-run")
    expect(page.locator("#plan-result h2")).to_contain_text("-14,480,000")
    sold = page.locator("#plan-credits tbody tr").first.locator("td").nth(2)
    expect(sold).to_have_text("14,480")
    expect(page.locator("input[name=sell_2024]")).to_have_value("1000")  # the form kept
    page.locator("#plan-result").scroll_into_view_if_needed()
    shot(page, f"journey-automaker-plan-{lang}")


def test_the_regulator_follows_the_carbon_market(
    page: Page, demo: tuple[Served, str, str], lang: str
) -> None:
    """Issue 21: the demo's key steelworks have their 2026 plans, months filed with gaps (one
    overdue) and 2025 positions; an enterprise's page shows its year by the guideline."""
    served, _first, _plant = demo
    log_in(page, served, "demo-regulator")
    _in_language(page, lang)
    page.goto(f"{served.url}/market?year=2026")
    coverage = page.locator("#coverage tbody tr")
    assert coverage.count() >= 2
    assert page.locator("#coverage .warning").count() >= 1  # an overdue month, or no plan
    expect(page.locator("#positions table")).to_be_visible()  # the 2025 positions by sector
    shot(page, f"journey-regulator-market-{lang}")
    with Session(served.engine) as session:
        planned = session.execute(select(MarketPlan.enterprise_id).limit(1)).scalar_one()
    page.goto(f"{served.url}/market/enterprises/{planned}?year=2026")
    expect(page.locator("#market-account")).to_contain_text("CETS—AG—03.01—V01—2024")
    expect(page.locator("#reconciliation table")).to_be_visible()
    expect(page.locator("#months tbody tr").first).to_be_visible()
    expect(page.locator("#position")).to_be_visible()
    shot(page, f"journey-regulator-market-enterprise-{lang}")


def test_the_enterprise_finds_technologies_for_its_findings(
    page: Page, demo: tuple[Served, str, str], lang: str
) -> None:
    """Issue 23: the example plant diagnosed on the equipment form, the pump's variable-speed
    drive lists its candidate technology (the demo's illustrative catalogue, entry 2), whose
    page says where it comes from and that it is illustrative; the directory's search finds it
    in Chinese and in English."""
    served, _first, _plant = demo
    name = "泵与风机变频调速技术" if lang == "zh-CN" else "Variable-speed drives for pumps and fans"
    log_in(page, served, "demo-enterprise")
    _in_language(page, lang)
    page.goto(f"{served.url}/diagnosis")
    page.click("#form-run")
    candidates = page.locator("#measures .technologies a", has_text=name)
    expect(candidates.first).to_be_visible()
    shot(page, f"journey-enterprise-technologies-{lang}")
    candidates.first.click()
    expect(page.locator("h1")).to_contain_text(name)
    expect(page.locator("#entry-source")).to_contain_text("DEMO-ILLUSTRATIVE")
    expect(page.locator("#entry-status")).to_contain_text("illustrative")
    shot(page, f"journey-enterprise-technology-{lang}")
    for words in ("变频", "variable speed"):
        page.goto(f"{served.url}/directory?q={words}")
        expect(page.locator("#technologies tbody tr").first).to_contain_text(name)
