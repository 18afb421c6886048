"""The data-centre application form in a real browser (Playwright, Debian's Chromium), in
Chinese: the fields filled, a month added by the server round trip, submitted and listed.
Screenshots go to build/screenshots/."""

from __future__ import annotations

from playwright.sync_api import Page

from .conftest import Served, log_in, shot


def test_the_data_centre_form_in_chinese(page: Page, served: Served) -> None:
    log_in(page, served, "demo-enterprise")
    page.goto(served.url + "/applications?form=datacentre#form-application")
    form = page.locator("#fields-form")
    assert "标准机架数 (racks) [架]" in form.inner_text()
    before = page.locator("details.application").count()
    page.fill("[name='region_code']", "330100")
    page.fill("[name='evaluation_date']", "2025-06-30")
    page.fill("[name='racks']", "5000")
    page.fill("[name='months.0.month']", "2024-01")
    page.fill("[name='months.0.total_kwh']", "1250000")
    page.fill("[name='months.0.it_kwh']", "1000000")
    page.click("#add-months")
    page.wait_for_selector("[name='months.1.month']")
    assert page.input_value("[name='racks']") == "5000"  # the values come back
    page.fill("[name='months.1.month']", "2024-02")
    page.fill("[name='months.1.total_kwh']", "1250000")
    page.fill("[name='months.1.it_kwh']", "1000000")
    shot(page, "applications-form-zh")
    # the form submitted by its submit button (HTML validation as a click does); a synthetic
    # click on it after the add-row round trip did not start the post in headless Chromium
    page.locator("#fields-form").evaluate(
        "form => form.requestSubmit(form.querySelector('#fields-submit'))"
    )
    page.wait_for_url(served.url + "/applications")
    assert page.locator("details.application").count() == before + 1
    assert "数据中心" in page.locator("details.application").first.inner_text()
    shot(page, "applications-form-zh-submitted")
