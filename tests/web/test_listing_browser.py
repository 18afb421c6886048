"""A long table in a real browser (Chromium, zh-CN): the industry page's ranking sorted by a
header and searched by a Chinese name, on the server, a page at a time."""

from __future__ import annotations

from playwright.sync_api import Page

from .conftest import Served, log_in, shot


def ranking_names(page: Page) -> list[str]:
    return page.locator("#ranking tbody tr td:nth-child(2)").all_inner_texts()


def test_regulator_sorts_and_searches_the_ranking(page: Page, served: Served) -> None:
    log_in(page, served, "demo-regulator")
    page.goto(served.url + "/industry?year=2023")
    assert page.locator("h1").inner_text() == "行业能效"
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 25  # a page, not the whole area
    assert page.locator("#ranking nav.pages").inner_text().startswith("第1页，共")
    header = page.locator("#ranking th[aria-sort]").filter(has_text="单位产品能耗")
    assert header.get_attribute("aria-sort") == "none"
    # the unit energy header twice: ascending, then descending (the worst first)
    header.locator("a").click()
    page.wait_for_url("**rank_sort=indicator_value**")
    header = page.locator("#ranking th[aria-sort]").filter(has_text="单位产品能耗")
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("a").click()
    page.wait_for_url("**rank_sort=-indicator_value**")
    header = page.locator("#ranking th[aria-sort]").filter(has_text="单位产品能耗")
    assert header.get_attribute("aria-sort") == "descending"
    values = [
        float(t.split()[0].replace(",", ""))
        for t in page.locator("#ranking tbody tr td:nth-child(3)").all_inner_texts()
    ]
    assert values == sorted(values, reverse=True) and len(values) == 25
    shot(page, "industry-ranking-sorted-zh")
    # a search by the first two characters of the first name: only names holding them,
    # the order kept, the count said
    word = ranking_names(page)[0][:2]
    page.locator("#ranking form.listing input[type=search]").fill(word)
    page.locator("#ranking form.listing button[type=submit]").click()
    page.wait_for_url("**rank_q=**")
    found = ranking_names(page)
    assert found and all(word in name for name in found)
    assert "rank_sort=-indicator_value" in page.url and "year=2023" in page.url
    assert page.locator("#ranking form.listing .count").inner_text().endswith("行")
    shot(page, "industry-ranking-searched-zh")
    # the whole page with both tables, to look at
    page.goto(served.url + "/industry?year=2023")
    shot(page, "industry-listing-zh")
