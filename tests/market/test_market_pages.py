"""The national carbon market's pages (issue 21): a regulator's coverage and an enterprise's
year by the steel guideline reconciled with its MIIT accounts, with its plan, months and
position; a cement works (no guideline found) said on the page; out of scope is not found."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.api.conftest import ALUMINIUM, CEMENT, PASSWORD, STEEL, Api, api  # noqa: F401
from tests.market.test_accounts import FUEL, PROCESS, PRODUCTS, WORKS, table
from tests.market.test_allocations import WORKS as BIG

FUEL_PROCESS_PRODUCTS = FUEL + PROCESS + PRODUCTS


def _upload(store: Api, frame: pd.DataFrame) -> None:
    answer = store.client.post(
        "/api/v1/submissions",
        headers=store.headers("group"),
        files={"file": ("year.csv", frame.to_csv(index=False).encode(), "text/csv")},
    )
    assert answer.status_code in (200, 201), answer.text


def _page_login(store: Api, who: str) -> None:
    answer = store.client.post(
        "/login", data={"username": who, "password": PASSWORD, "next": "/"}, follow_redirects=False
    )
    assert answer.status_code == 303


def test_market_pages(api: Api) -> None:  # noqa: F811
    _upload(api, table(*WORKS))
    _upload(
        api,
        table({"stream": "fuel", "item": "bituminous_coal", "amount": "9", "unit": "t"}).assign(
            enterprise_id=CEMENT
        ),
    )
    entry = {
        "day": "2025-08-31",
        "kind": "obligation",
        "holder": STEEL,
        "amount": 500,
        "year": 2024,
    }
    assert (
        api.client.post(
            "/api/v1/market/entries", headers=api.headers("hebei"), json=entry
        ).status_code
        == 201
    )
    _page_login(api, "hebei")
    overview = api.client.get("/market?year=2025&as_of=2025-12-31")
    assert overview.status_code == 200
    text = overview.text
    assert 'id="coverage"' in text and STEEL in text and CEMENT in text
    assert ALUMINIUM not in text  # Inner Mongolia: not Hebei's
    positions = text[text.index('id="positions"') : text.index('id="coverage"')]
    assert "500" in positions  # the 2024 obligation, unsettled: one emitter short
    detail = api.client.get(f"/market/enterprises/{STEEL}?year=2025&as_of=2025-12-31")
    assert detail.status_code == 200
    page = detail.text
    assert "CETS—AG—03.01—V01—2024" in page and 'id="reconciliation"' in page
    assert 'id="no-plan"' in page and 'id="position"' in page
    total = page[page.index("<tfoot>") : page.index("</tfoot>")]  # the year, by hand
    assert ">5,061.77<" in total and ">5,572.15<" in total and ">-27,309.00<" in total
    assert ">-16,675<" in total and ">500,000.00<" in total
    cement = api.client.get(f"/market/enterprises/{CEMENT}?year=2025").text
    assert 'id="refused"' in cement and "market_methods" in cement
    # a year it has not reported yet says the same, not "no report yet"
    cement = api.client.get(f"/market/enterprises/{CEMENT}?year=2026").text
    assert 'id="refused"' in cement and "market_methods" in cement
    assert api.client.get(f"/market/enterprises/{ALUMINIUM}?year=2025").status_code == 404


def test_an_enterprise_user_sees_its_own_from_the_navigation(api: Api) -> None:  # noqa: F811
    _page_login(api, "cement")
    home = api.client.get("/").text
    assert 'href="/market"' in home
    page = api.client.get("/market?year=2025").text
    assert CEMENT in page and STEEL not in page


def test_the_annual_report_workbook(api: Api) -> None:  # noqa: F811
    """The year's report by the guideline (Annex C as far as the platform holds the data):
    the summary in whole tonnes, the monthly table whose year column is the sum of the months,
    the reconciliation and the notes; Chinese sheet names."""
    import io

    from openpyxl import load_workbook

    monthly = pd.concat([table(*WORKS, period=f"2025-{m:02d}") for m in range(1, 13)])
    _upload(api, monthly)
    _page_login(api, "hebei")
    answer = api.client.get(f"/market/enterprises/{STEEL}/report.xlsx?year=2025")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == [
        "基本信息",
        "排放量汇总",
        "月度数据",
        "对照",
        "辅助报告项",
        "其他信息",
        "说明",
    ]
    summary = {row[0]: row[1] for row in book["排放量汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["企业排放量"] == round(12 * FUEL_PROCESS_PRODUCTS)  # the same works each month
    months = list(book["月度数据"].iter_rows(values_only=True))
    header, rows = months[0], months[1:]
    assert header[3:15] == tuple(f"2025-{m:02d}" for m in range(1, 13)) and header[15] == "全年"
    coke = next(r for r in rows if r[1] == "焦炭" and r[2] == "CO2（吨）")
    assert coke[15] == pytest.approx(sum(coke[3:15]), abs=0.05)
    notes = [row[0] for row in book["说明"].iter_rows(values_only=True)]
    assert "market.methods.indirect_outside" in notes
    assert (
        api.client.get(f"/market/enterprises/{ALUMINIUM}/report.xlsx?year=2025").status_code == 404
    )


def test_the_annual_report_as_pdf(api: Api) -> None:  # noqa: F811
    """The printed report: a PDF whose text (pdftotext) has the guideline, the year's total in
    whole tonnes and the reconciliation's steps, in Chinese."""
    import subprocess

    from tests.conftest import require_binary

    _upload(api, table(*WORKS))
    _page_login(api, "hebei")
    answer = api.client.get(f"/market/enterprises/{STEEL}/report.pdf?year=2025")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    text = subprocess.run(
        [require_binary("pdftotext"), "-", "-"],
        input=answer.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "全国碳市场年度排放报告" in text and "CETS—AG—03.01—V01—2024" in text
    assert "-16,675" in text  # the year's emissions, whole tonnes
    assert "边界" in text
    assert api.client.get(f"/market/enterprises/{STEEL}/report.doc?year=2025").status_code == 404


def test_the_what_if_says_why_no_allowance_in_the_readers_language(api: Api) -> None:  # noqa: F811
    """January and February of 2026: the library has no 2026 allocation rule for steel, and
    the page says so in Chinese (the API in English)."""
    _upload(api, pd.concat([table(*BIG, period=f"2026-0{m}") for m in (1, 2)]))
    _page_login(api, "hebei")
    page = api.client.get(f"/market/enterprises/{STEEL}?year=2026&as_of=2026-03-15").text
    what_if = page[page.index('id="what-if"') : page.index('id="reconciliation"')]
    assert "参考数据库中没有全国碳排放权交易市场" in what_if and "the library" not in what_if
    body = api.client.get(
        f"/api/v1/market/accounts/{STEEL}?year=2026", headers=api.headers("hebei")
    ).json()
    assert body["projection"]["refused"].startswith("the library has no allocation rule")


def test_the_page_says_the_sources_the_plan_misses(api: Api) -> None:  # noqa: F811
    """Review finding 14 on the page: the plan's missing source streams, in Chinese."""
    from tests.api.test_market_plans_api import _file_plan

    _upload(api, table(*WORKS))
    assert _file_plan(api).status_code == 201
    _page_login(api, "hebei")
    page = api.client.get(f"/market/enterprises/{STEEL}?year=2025&as_of=2025-12-31")
    assert page.status_code == 200
    listed = page.text[page.text.index('id="sources-missing"') :]
    assert "企业填报但方案未覆盖的排放源" in listed
    assert "bituminous_coal（fuel）出现在 2025 年度的活动数据中" in listed
