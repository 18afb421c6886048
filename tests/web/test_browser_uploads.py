"""Chinese files through the upload page in a real browser (Playwright, Debian's Chromium), as an
enterprise energy manager in China makes them: the activity template downloaded from the page
and filled in Chinese (`原煤`, `燃料 (fuel)` from the drop-downs), a CSV saved by Excel in GBK
with Chinese headers, and a workbook naming an item that is in no list, whose problem names the
sheet, row and header as written and leaves nothing stored. Screenshots go to build/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from carbonpeak.store.models import Submission

from .conftest import Served, local_page, log_in, shot

CEMENT = "911302007A3K9C2D24"  # an enterprise of demo-enterprise (a cement plant, Hebei)
# Periods no other test files for CEMENT (test_browser.py files 2024-01 and 2024-02).
WORKBOOK_PERIOD, GBK_PERIOD, BAD_PERIOD = "2024-05", "2024-06", "2024-07"


@pytest.fixture
def zh(browser: Browser, served: Served) -> Iterator[Page]:
    with local_page(browser, locale="zh-CN") as opened:
        yield opened


@pytest.fixture
def en(browser: Browser, served: Served) -> Iterator[Page]:
    with local_page(browser, locale="en", english_at=served.url) as opened:
        yield opened


def _stored(served: Served, period: str) -> int:
    with served.engine.connect() as connection:
        return connection.execute(
            select(func.count())
            .select_from(Submission)
            .where(Submission.enterprise_id == CEMENT, Submission.period == period)
        ).scalar_one()


def _filled_template(page: Page, served: Served, folder: Path, period: str, item: str) -> Path:
    """The template downloaded from the upload page, its sheet `activity` filled with a cement
    plant's month in Chinese: choices as the drop-downs write them or as typed."""
    page.goto(served.url + "/upload")
    with page.expect_download() as download:
        page.click("#template")
    path = folder / "能源消费月报.xlsx"
    download.value.save_as(path)
    workbook = load_workbook(path)
    sheet = workbook["活动数据 (activity)"]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == [
        "统一社会信用代码 (enterprise_id)",
        "统计期 (period)",
        "类别 (stream)",
        "品种 (item)",
    ]
    column = {str(h).split(" (")[0]: i + 1 for i, h in enumerate(headers) if h}
    rows = [
        ("燃料 (fuel)", item, "输入", 12000, "t"),  # from the drop-downs / typed by hand
        ("电力", "电力", "输入 (in)", 9500, "MWh"),
        ("产品", "水泥熟料 (clinker)", "输出", 110000, "t"),
    ]
    for number, (stream, name, direction, amount, unit) in enumerate(rows, start=2):
        values = {
            "统一社会信用代码": CEMENT,
            "统计期": period,
            "类别": stream,
            "品种": name,
            "方向": direction,
            "数量": amount,
            "计量单位": unit,
        }
        for label, value in values.items():
            sheet.cell(row=number, column=column[label], value=value)
    workbook.save(path)
    return path


def _upload(page: Page, path: Path) -> None:
    page.set_input_files("input[type=file]", str(path))
    page.click("form.upload button")
    page.wait_for_load_state()


def test_the_chinese_template_filled_and_uploaded(zh: Page, served: Served, tmp_path: Path) -> None:
    page = zh
    log_in(page, served, "demo-enterprise")
    page.click("nav a[href='/upload']")
    expect(page.locator("h1")).to_have_text("填报上传")
    shot(page, "upload-page-zh")
    workbook = _filled_template(page, served, tmp_path, WORKBOOK_PERIOD, "原煤")
    _upload(page, workbook)
    preview = page.locator("#preview tbody tr")
    expect(preview).to_have_count(1)
    cells = preview.first.locator("td").all_inner_texts()
    assert cells[:4] == [CEMENT, WORKBOOK_PERIOD, "1", "草稿"], cells
    # 12,000 t raw coal at 0.7143 tce/t (GB/T 2589-2008 Annex A) = 8,571.6 tce, plus 9,500 MWh
    # of electricity at 0.1229 tce/MWh (equivalent value) = 1,167.55 tce: 9,739.15 tce
    assert cells[4] == "9,739", cells
    expect(page.locator("#preview h2")).to_have_text("能源消费月报.xlsx 的预览")
    shot(page, "upload-workbook-preview-zh")
    page.click("#submit-drafts")
    page.wait_for_url(f"**/enterprises/{CEMENT}")
    page.goto(f"{served.url}/enterprises/{CEMENT}?period={WORKBOOK_PERIOD}")
    expect(page.locator("#energy")).to_be_visible()
    assert "原煤" in page.locator("#lines").inner_text()
    shot(page, "upload-workbook-account-zh")
    assert _stored(served, WORKBOOK_PERIOD) == 1


GBK_CSV = (
    "统一社会信用代码,统计期,类别,品种,方向,数量,计量单位\n"
    f"{CEMENT},{GBK_PERIOD},燃料,烟煤,输入,１２０００,t\n"  # full-width digits, as typed
    f"{CEMENT},{GBK_PERIOD},电力,电力,输入,9500,MWh\n"
    f"{CEMENT},{GBK_PERIOD},产品产量,水泥熟料,输出,110000,t\n"
)


def test_a_gbk_csv_with_chinese_headers_is_accepted(
    en: Page, served: Served, tmp_path: Path
) -> None:
    page = en
    log_in(page, served, "demo-enterprise")
    page.click("nav a[href='/upload']")
    expect(page.locator("h1")).to_have_text("Upload a report")
    path = tmp_path / "月报.csv"
    path.write_bytes(GBK_CSV.encode("gbk"))
    _upload(page, path)
    expect(page.locator("#problems")).to_have_count(0)
    preview = page.locator("#preview tbody tr")
    expect(preview).to_have_count(1)
    cells = preview.first.locator("td").all_inner_texts()
    assert cells[:4] == [CEMENT, GBK_PERIOD, "1", "draft"], cells
    # the full-width １２０００ read as 12,000 t of bituminous coal at 0.6677 tce/t = 8,012.4 tce,
    # plus 9,500 MWh at 0.1229 tce/MWh = 1,167.55 tce: 9,179.95 tce
    assert cells[4] == "9,180", cells
    expect(page.locator("#preview h2")).to_have_text("Preview of 月报.csv")
    shot(page, "upload-gbk-preview-en")
    assert _stored(served, GBK_PERIOD) == 1  # a draft, until submitted


def test_an_item_in_no_list_is_named_where_it_was_written(
    zh: Page, served: Served, tmp_path: Path
) -> None:
    page = zh
    log_in(page, served, "demo-enterprise")
    workbook = _filled_template(page, served, tmp_path, BAD_PERIOD, "月亮煤")
    for lang, note in (("zh", "未保存任何数据"), ("en", "Nothing was stored")):
        page.context.add_cookies([{"name": "lang", "value": lang, "url": served.url}])
        page.goto(served.url + "/upload")
        _upload(page, workbook)
        problems = page.locator("#problems tbody tr")
        expect(problems).to_have_count(1)
        cells = problems.first.locator("td").all_inner_texts()
        assert cells[:4] == ["能源消费月报.xlsx", "activity", "2", "品种 (item)"], cells
        assert "月亮煤" in cells[4], cells
        expect(page.locator("#preview")).to_have_count(0)
        expect(page.locator("#problems .note")).to_contain_text(note)
        shot(page, f"upload-unknown-item-{lang}")
    assert _stored(served, BAD_PERIOD) == 0
