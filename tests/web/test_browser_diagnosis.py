"""The diagnosis page in a real browser (Playwright, Debian's Chromium): the inventory workbook
downloaded from the page, uploaded back and diagnosed, in Chinese and in English; a row added
to the equipment form. Screenshots go to build/screenshots/."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from .conftest import Served, log_in, shot


def _upload_and_run(page: Page, served: Served, workbook: Path) -> str:
    page.goto(served.url + "/diagnosis")
    page.set_input_files("#inventory-file", str(workbook))
    page.click("#inventory-run")
    page.wait_for_selector("#diagnosis-result")
    return page.locator("#measures").inner_text()


def test_the_inventory_workbook_in_both_languages(
    page: Page, served: Served, tmp_path: Path
) -> None:
    log_in(page, served, "demo-enterprise")
    page.goto(served.url + "/diagnosis")
    assert page.locator("#inventory-upload h2").inner_text() == "设备清单工作簿"
    with page.expect_download() as download:
        page.click("#inventory-template")
    workbook = tmp_path / download.value.suggested_filename
    download.value.save_as(workbook)
    assert workbook.name == "equipment-inventory.xlsx"

    measures = _upload_and_run(page, served, workbook)
    names = ("高效电动机", "变频调速", "高效变压器", "压缩空气泄漏治理", "燃烧调整", "余热回收")
    assert all(name in measures for name in names), measures
    assert "replace" not in measures
    assert page.locator("#preview-motor tbody tr").count() == 2
    assert page.locator("#preview-motor th").first.inner_text() == "设备编号及名称"
    shot(page, "diagnosis-inventory-zh")

    page.click("#add-fan")
    page.wait_for_selector("[name='equipment.7.rated_pressure_pa']")
    assert "额定全压 [Pa]" in page.locator("#equipment-7").inner_text()
    shot(page, "diagnosis-form-zh")

    page.context.add_cookies([{"name": "lang", "value": "en", "url": served.url}])
    measures = _upload_and_run(page, served, workbook)
    assert "High-efficiency motor" in measures and "replace by a grade-1 motor" in measures
    assert "高效电动机" not in measures
    shot(page, "diagnosis-inventory-en")
