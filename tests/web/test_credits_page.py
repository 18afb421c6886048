"""The dual-credit page: the demo automakers' ledger as a regulator and as an automaker sees it,
and not at all for an enterprise user; the chart drawn in a browser."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carbonpeak.api.app import create_app
from carbonpeak.store.models import Enterprise

from .conftest import Served, drawn, log_in, shot
from .test_pages import _login


@pytest.fixture
def client(demo_store: Engine) -> Iterator[TestClient]:
    yield TestClient(create_app(demo_store))


def test_the_ledger_as_each_role_sees_it(client: TestClient, served: Served) -> None:
    _login(client, "demo-regulator", served.password)
    page = client.get("/credits?as_of=2025-01-01")
    assert page.status_code == 200
    text = page.text
    assert text.count("DEMCAR0") >= 3  # the three demo makers
    # the 2023 CAFC deficit of the second maker is open after 31 August 2024
    assert 'id="unsettled"' in text and "2024-08-31" in text and "公告" in text
    industry = text[text.index('id="industry"') : text.index('id="entries"')]
    assert "12.00" in industry and "2,128.80" in industry  # 2022 recorded NEV earned; 2023 official
    ratios = text[text.index('id="ratios"') :]
    assert '<td class="n">2023</td><td class="n">3.00</td>' in ratios  # 150,000 / 50,000
    with Session(served.engine) as session:
        groups = dict(
            session.execute(
                select(Enterprise.enterprise_id, Enterprise.affiliate_group).where(
                    Enterprise.affiliate_group.is_not(None)
                )
            ).all()
        )
    mine = {code for code, group in groups.items() if group == "demo-group-1"}
    other = {code for code, group in groups.items() if group == "demo-group-2"}
    assert len(mine) == 2 and len(other) == 1
    automaker = TestClient(client.app)
    _login(automaker, "demo-automaker", served.password)
    own = automaker.get("/credits?as_of=2025-01-01").text
    assert 'id="industry"' not in own  # the national view is for regulators
    balances = own[own.index('id="balances"') : own.index('id="entries"')]
    assert all(code in balances for code in mine)
    assert not any(code in balances for code in other)  # (it appears as a trade's counterparty)
    enterprise = TestClient(client.app)
    _login(enterprise, "demo-enterprise", served.password)
    assert enterprise.get("/credits").status_code == 403


def test_the_credit_chart_is_drawn(page: Page, served: Served) -> None:
    log_in(page, served, "demo-regulator")
    page.goto(f"{served.url}/credits?as_of=2025-01-01")
    drawn(page, "balances", height=200)
    shot(page, "credits")


def test_the_plan_page(client: TestClient, served: Served) -> None:
    _login(client, "demo-automaker", served.password)
    form = client.get("/credits/plan")
    assert form.status_code == 200 and 'name="line_name" value="A4"' in form.text  # its fleet
    example = form.text.split('name="plan" rows="16" spellcheck="false">', 1)[1].split(
        "</textarea>", 1
    )[0]
    ran = client.post("/credits/plan", data={"plan": html.unescape(example)})
    assert (
        ran.status_code == 200
        and 'id="plan-result"' in ran.text
        and 'data-chart="chart-plan"' in ran.text
    )
    bad = client.post("/credits/plan", data={"plan": "years: [2024]\nlines: nothing"})
    assert bad.status_code == 400 and 'id="plan-error"' in bad.text
    regulator = TestClient(client.app)
    _login(regulator, "demo-regulator", served.password)
    assert regulator.get("/credits/plan").status_code == 403


def test_the_plan_chart_is_drawn(page: Page, served: Served) -> None:
    log_in(page, served, "demo-automaker")
    page.goto(f"{served.url}/credits/plan")
    page.click("#plan-run")
    drawn(page, "plan-result", height=200)
    shot(page, "plan")


def test_the_entries_page_sort_filter_and_search(client: TestClient, served: Served) -> None:
    from .test_listing_pages import cells, section

    _login(client, "demo-regulator", served.password)

    def rows(query: str) -> list[list[str]]:
        got = client.get(f"/credits?as_of=2025-01-01&{query}")
        assert got.status_code == 200, got.text[:500]
        return cells(section(got.text, "entries"))

    every = rows("per=500")
    ids = [int(r[0]) for r in every]
    assert len(ids) >= 4 and ids == sorted(ids, reverse=True)  # the newest entry first
    assert rows("per=2") == every[:2] and rows("per=2&page=2") == every[2:4]
    assert [int(r[0]) for r in rows("per=500&sort=entry_id")] == sorted(ids)
    nev = rows("per=500&credit=nev")
    assert nev and nev == [r for r in every if r[3] == "NEV"]
    code = every[0][6].split()[-1]  # the enterprise's name, its code beside
    assert rows(f"per=500&q={code.lower()}") == [r for r in every if code in r[6] or code in r[7]]
    refused = client.get("/credits?sort=colour")
    assert refused.status_code == 400 and "此表没有可排序的列 colour。" in refused.text
