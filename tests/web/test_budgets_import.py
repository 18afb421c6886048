"""The budgets import form and the Excel downloads, served for real on a budget store without
budgets and used in Chromium in Chinese: a regulator uploads a workbook with Chinese headers
(the province and one prefecture) and sees them in the cascade; uploads one whose prefecture
exceeds the province and sees the problem at its row and column in Chinese, nothing stored;
downloads the export and the blank template and reads them back with openpyxl. An enterprise
user sees no form and is refused the import."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Browser, Page

from carbonpeak.io.budgets import HEADERS, read_budgets
from carbonpeak.services.budgets import list_budgets
from carbonpeak.store.db import transaction

from .budget_store import BudgetStore, actor, build
from .conftest import local_page
from .test_budgets_page import log_in, served, shot

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ("范围", "代码", "年度", "指标", "总量上限", "月度分布")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> BudgetStore:
    return build(tmp_path_factory.mktemp("budgets-import"), budgets=False)


@pytest.fixture(scope="module")
def url(store: BudgetStore) -> Iterator[str]:
    yield from served(store.engine)


@pytest.fixture
def page(browser: Browser, url: str) -> Iterator[Page]:
    with local_page(browser, height=900) as opened:
        yield opened


def workbook(path: Path, rows: list[tuple[Any, ...]]) -> Path:
    """A budgets workbook as a regulator's clerk makes one: sheet 预算, Chinese headers and
    Chinese labels, one row per budget."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "预算"
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def stored(store: BudgetStore, year: int) -> list[dict[str, Any]]:
    with transaction(store.engine) as session:
        return list_budgets(session, actor(session, "demo-regulator"), year)


def test_a_regulator_imports_sees_the_problems_and_exports(
    page: Page, url: str, store: BudgetStore, tmp_path: Path
) -> None:
    year = store.year
    log_in(page, url, "demo-regulator")
    page.goto(f"{url}/budgets?year={year}")
    assert page.locator("#budgets-import h2").inner_text() == "导入预算表"
    assert "表单" in page.locator("#no-budgets").inner_text()
    good = workbook(
        tmp_path / "预算.xlsx",
        [
            ("地区", store.province, year, "二氧化碳", 1_000_000, "均匀"),
            ("地区", store.prefecture, year, "二氧化碳", 200_000, "均匀"),
        ],
    )
    page.set_input_files("#budgets-import input[type=file]", str(good))
    page.click("#import-budgets")
    page.wait_for_url(f"{url}/budgets?year={year}&saved=2")
    assert "2" in page.locator("#import-saved").inner_text()
    rows = page.locator("#cascade tbody tr")
    assert rows.count() == 2
    assert store.province in rows.nth(0).inner_text()
    assert store.prefecture in rows.nth(1).inner_text()
    assert rows.nth(1).get_attribute("class") == "depth-1"  # the prefecture under the province
    shot(page, "budgets-imported-zh")

    # The next year: the prefecture's 200 exceeds the province's limit, 100 x (1 - 0) = 100,
    # by 100; placed at the province's row (2) and its cap column as the file spells it.
    bad = workbook(
        tmp_path / "超出.xlsx",
        [
            ("地区", store.province, year + 1, "二氧化碳", 100, "均匀"),
            ("地区", store.prefecture, year + 1, "二氧化碳", 200, "均匀"),
        ],
    )
    page.set_input_files("#budgets-import input[type=file]", str(bad))
    page.click("#import-budgets")
    page.wait_for_url(f"{url}/budgets/import")
    problems = page.locator("#problems tbody tr")
    assert problems.count() == 1
    cells = [problems.first.locator("td").nth(i).inner_text() for i in range(5)]
    assert cells[:4] == ["超出.xlsx", "预算", "2", "总量上限"]
    assert "下级预算合计 200" in cells[4] and "上限 100" in cells[4]
    assert page.locator("#problems .note").inner_text().startswith("未保存任何数据")
    shot(page, "budgets-import-problem-zh")
    assert stored(store, year + 1) == []  # nothing stored
    assert len(stored(store, year)) == 2

    page.goto(f"{url}/budgets?year={year}")
    with page.expect_download() as download:
        page.click("#export-budgets")
    assert download.value.suggested_filename == f"budgets-{year}.xlsx"
    exported = tmp_path / "export.xlsx"
    download.value.save_as(exported)
    book = load_workbook(exported)
    assert book.sheetnames == ["预算", "跟踪", "说明"]
    sheet = book["预算"]
    assert [c.value for c in sheet[1]] == list(HEADERS.values())
    assert [c.value for c in sheet[2]] == list(HEADERS)
    values = [dict(zip(HEADERS, [c.value for c in row], strict=True)) for row in sheet.iter_rows(3)]
    assert [(v["scope"], v["code"], v["year"], v["quantity"], v["cap"]) for v in values] == [
        ("地区", store.province, year, "二氧化碳", 1_000_000),
        ("地区", store.prefecture, year, "二氧化碳", 200_000),
    ]
    back = read_budgets(exported)  # the export reads back as the same budgets
    assert [(r["code"], float(r["cap"])) for r in back.rows] == [
        (store.province, 1_000_000.0),
        (store.prefecture, 200_000.0),
    ]

    with page.expect_download() as download:
        page.click("#budgets-template")
    blank = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert blank.sheetnames == ["预算", "说明"]
    assert [c.value for c in blank["预算"][1]] == list(HEADERS.values())
    assert blank["预算"].max_row == 2  # the headers, Chinese and English, and nothing else
    notes = [row[0].value for row in blank["说明"].iter_rows(2)]
    assert notes == list(HEADERS.values())


def test_an_enterprise_user_sees_no_form_and_is_refused_the_import(
    page: Page, url: str, store: BudgetStore, tmp_path: Path
) -> None:
    log_in(page, url, "demo-enterprise")
    page.goto(f"{url}/budgets?year={store.year + 2}")
    assert page.locator("#budgets-import").count() == 0
    assert page.locator("#budgets-template").count() == 0
    assert "监管部门" in page.locator("#no-budgets").inner_text()
    path = workbook(
        tmp_path / "b.xlsx",
        [("地区", store.province, store.year + 2, "二氧化碳", 1000, "均匀")],
    )
    response = page.request.post(
        f"{url}/budgets/import",
        multipart={"file": {"name": "b.xlsx", "mimeType": XLSX, "buffer": path.read_bytes()}},
    )
    assert response.status == 403
    assert stored(store, store.year + 2) == []
