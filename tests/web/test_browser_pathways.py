"""The scenario builder in a real browser (Chromium, zh-CN then en): a form with a problem is
shown again with the problem at its field; a scenario is built from picked sectors and
provinces, run, kept, and compared with a second one on one chart with a difference table."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page

from .conftest import Served, drawn, log_in, shot


def _build_and_compare(page: Page, first: str, second: str) -> None:
    page.fill("#b-name", first)
    page.check("#b-regions input[value='140000']")  # Shanxi beside the default Hebei
    page.check("#b-sectors input[value='power']")
    page.click("#builder-form button[value=add]")  # one more row under each path
    page.wait_for_selector("#b-growth tbody tr:nth-child(5)")
    page.locator("#b-growth input[name=growth_year]").nth(2).fill("2040")
    page.locator("#b-growth input[name=growth_rate]").nth(2).fill("-2")
    page.click("#builder-run")
    page.wait_for_selector("#builder-result")
    drawn(page, "builder-result")
    page.click("#builder-keep")
    page.wait_for_selector("#builder-kept")
    assert first in page.locator("#builder-kept").inner_text()
    page.fill("#b-name", second)
    page.locator("#b-intensity input[name=intensity_value]").nth(1).fill("30")
    page.click("#builder-run")
    page.wait_for_selector("#builder-difference")
    drawn(page, "builder-result")
    for name in (first, second):  # both paths on one chart, named in its legend
        assert page.locator(f"#builder-result .chart svg text:text-is('{name}')").count() >= 1
    rows = page.locator("#builder-difference tbody tr")
    assert rows.count() == 10  # 2019, 2020, 2025 ... 2060
    assert rows.last.locator("td").first.inner_text() == "2060"
    assert rows.last.locator("td").last.inner_text().startswith("-")  # 30 % below 50 %
    page.click("#builder-table summary")
    assert page.locator("#builder-table tbody tr").count() == 2


def test_planner_builds_and_compares_two_scenarios(page: Page, served: Served) -> None:
    log_in(page, served, "demo-regulator")
    page.goto(served.url + "/pathways")
    assert page.locator("#pathways-builder h2").inner_text() == "构建情景"
    assert page.locator("#b-regions").inner_text().count("省") >= 20  # names from the data
    # out of range: the browser refuses it at the field (min/max), nothing is posted
    rate = page.locator("#b-growth input[name=growth_rate]").nth(1)
    rate.fill("80")
    page.click("#builder-run")
    assert rate.evaluate("e => !e.validity.valid") and page.url == served.url + "/pathways"
    rate.fill("-1")
    # what only the server knows: the first year is the base year, a year given twice;
    # shown at their fields in Chinese, the form as typed, nothing run
    page.fill("#b-name", "基准")
    page.locator("#b-growth input[name=growth_year]").nth(0).fill("2030")
    page.click("#builder-run")
    page.wait_for_selector("#builder-problems")
    said = {row: page.locator(f"[data-field='growth_year.{row}']").inner_text() for row in (1, 2)}
    assert said == {1: "第一行的年份应为基准年 2019", 2: "年份 2030 填写了两次"}
    assert page.locator("#builder-result").count() == 0
    shot(page, "pathways-builder-problems-zh")
    page.locator("#b-growth input[name=growth_year]").nth(0).fill("2019")
    _build_and_compare(page, "基准", "政策")
    assert "model: carbonpeak scenario builder" in page.locator("#scenario").input_value()
    shot(page, "pathways-builder-zh")

    page.click("a.lang:has-text('English')")
    page.wait_for_selector("#pathways-builder")
    assert page.locator("#pathways-builder h2").inner_text() == "Build a scenario"
    assert "Hebei" in page.locator("#b-regions").inner_text()
    _build_and_compare(page, "BAU", "POLICY")
    assert page.locator("#builder-difference caption").inner_text() == "POLICY against BAU, MtCO2"
    shot(page, "pathways-builder-en")


def test_the_scenario_workbook_uploaded_in_chinese_runs(
    page: Page, served: Served, tmp_path: Path
) -> None:
    """The workbook the page offers, a second scenario added in Chinese (its province by its
    Chinese name), uploaded and run: both scenarios drawn on the chart."""
    log_in(page, served, "demo-enterprise")
    page.goto(served.url + "/pathways")
    with page.expect_download() as waiting:
        page.click("#scenario-template")
    path = tmp_path / "情景.xlsx"
    waiting.value.save_as(path)
    book = load_workbook(path)
    book["情景 (scenarios)"].append(["快速", 2060, -5, 5])
    for year, growth, intensity in ((2019, 2, 100), (2060, None, 20)):
        book["路径 (paths)"].append(["快速", "山西省", "钢铁", year, growth, intensity])
    book.save(path)
    page.set_input_files("#scenario-file", str(path))
    page.click("#scenario-workbook-run")
    page.wait_for_selector("#pathways-result")
    for name in ("示例", "快速"):
        assert page.locator(f"#pathways-result .chart svg text:text-is('{name}')").count() >= 1
    assert "快速:" in page.locator("#scenario").input_value()
    drawn(page, "pathways-result", height=250)
    shot(page, "pathways-workbook")
