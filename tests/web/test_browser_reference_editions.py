"""The reference editions journey in a real browser (Playwright, Debian's Chromium), as the
demo's people walk it (issue 20): demo-admin (the editor's duty) downloads the blank edition
workbook from the page, fills in a corrected grid factor (a test fixture, not a real rule),
uploads it and sees what it would change; demo-regulator (the reviewer's duty) approves it
with a comment; the overview says it is restated and the restatement report names the edition;
an enterprise's page shows its 2023 report as reported and restated; then demo-regulator
withdraws the edition on its page (the demo store is shared). Screenshots go to
build/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from carbonpeak.services.accounting_versions import OFFICIAL_STATES
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Submission

from .conftest import Served, local_page, log_in, shot


@pytest.fixture
def zh(browser: Browser, served: Served) -> Iterator[Page]:
    with local_page(browser, locale="zh-CN") as opened:
        yield opened


def _edition(page: Page, served: Served, folder: Path, value: float, source: str) -> Path:
    page.goto(served.url + "/reference/editions")
    with page.expect_download() as download:
        page.click("#edition-template-form button")
    path = folder / f"{source}.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    sheet = book["版本 (edition)"]
    sheet["B2"], sheet["B3"] = source, "华北电网 2023 因子更正（浏览器测试, test fixture）"
    sheet["B5"], sheet["B10"] = "测试〔2026〕11号", datetime(2023, 1, 1)
    book["电网排放因子 (grid_emission_factors)"].append(
        ["north", "average", value, "kgCO2/kWh", datetime(2023, 1, 1), datetime(2024, 1, 1)]
    )
    book.save(path)
    return path


def _upload_and_approve(
    zh: Page, served: Served, path: Path, comment: str, name: str | None = None
) -> str:
    log_in(zh, served, "demo-admin")
    zh.goto(served.url + "/reference/editions")
    zh.set_input_files("#edition-file", str(path))
    zh.click("#edition-run")
    expect(zh.locator("#edition-changes")).to_contain_text("将作的修改")
    expect(zh.locator("#edition-impact")).to_contain_text("2023")
    if name:
        shot(zh, f"{name}-draft")
    where = zh.url
    zh.click("form[action='/logout'] button")
    log_in(zh, served, "demo-regulator")
    zh.goto(where)
    zh.fill("#edition-decision input[name=comment]", comment)
    zh.click("#edition-approve")
    expect(zh.locator("h1 + p.sub")).to_contain_text("由 demo-regulator 审定")
    if name:
        shot(zh, f"{name}-approved")
    zh.click("form[action='/logout'] button")
    return where


def test_an_edition_from_upload_to_restated_overview(
    zh: Page, served: Served, tmp_path: Path
) -> None:
    log_in(zh, served, "demo-admin")
    corrected = _edition(zh, served, tmp_path, 0.62, "browser_north_a")
    zh.click("form[action='/logout'] button")
    where = _upload_and_approve(zh, served, corrected, "核对了通知原文", "reference-edition")
    log_in(zh, served, "demo-regulator")
    zh.goto(served.url + "/overview")
    expect(zh.locator("#basis")).to_contain_text("重算口径")
    zh.goto(served.url + "/reference/restatement")
    expect(zh.locator("#restatement-why")).to_contain_text("华北电网 2023 因子更正")
    shot(zh, "reference-restatement")
    zh.goto(served.url + "/reference")
    expect(zh.locator("#reference-tables")).to_contain_text("grid_emission_factors")
    shot(zh, "reference-tables")
    # a Hebei plant's 2023 report: as reported beside restated, naming the edition
    with transaction(served.engine) as session:
        plant, period = session.execute(
            select(Submission.enterprise_id, Submission.period)
            .where(Submission.period.like("2023%"), Submission.state.in_(OFFICIAL_STATES))
            .limit(1)
        ).one()
    zh.goto(f"{served.url}/enterprises/{plant}?period={period}")
    expect(zh.locator("#restated")).to_contain_text("按报告时口径与重算口径")
    expect(zh.locator("#restated")).to_contain_text("华北电网 2023 因子更正")
    zh.locator("#restated").scroll_into_view_if_needed()
    shot(zh, "reference-enterprise-restated")
    # withdrawn on its page (the demo store is shared): the restated section goes
    zh.goto(where)
    zh.fill("#edition-withdraw-form input[name=comment]", "浏览器测试后撤回")
    zh.click("#edition-withdraw")
    expect(zh.locator("#edition-withdrawn")).to_contain_text("浏览器测试后撤回")
    shot(zh, "reference-edition-withdrawn")
    zh.goto(f"{served.url}/enterprises/{plant}?period={period}")
    expect(zh.locator("#restated")).to_have_count(0)
    zh.click("form[action='/logout'] button")
