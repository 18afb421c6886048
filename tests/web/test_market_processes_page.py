"""The process sheet on the enterprise's market page (issue 21): the enterprise uploads it with
the page's form, the page then shows the process level (hand-worked in
tests/market/test_processes.py) and the annual report its C.4 table; a bad sheet is refused on
the page with its problems placed and nothing stored; a regulator reads but is not offered the
form."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.api.conftest import STEEL, Api, api  # noqa: F401
from tests.market.test_accounts import WORKS, table
from tests.market.test_market_pages import _page_login, _upload
from tests.market.test_processes import IRON, PROCESSES, SINTER, sheet

URL = f"/market/enterprises/{STEEL}"


def _form(store: Api, frame: pd.DataFrame, name: str = "工序.csv") -> object:
    content = frame.to_csv(index=False).encode()
    return store.client.post(
        f"{URL}/processes",
        data={"year": "2025"},
        files={"file": (name, content, "text/csv")},
        follow_redirects=False,
    )


def test_the_form_stores_the_sheet_and_the_page_shows_it(api: Api) -> None:  # noqa: F811
    monthly = pd.concat([table(*WORKS, period=f"2025-{m:02d}") for m in range(1, 13)])
    _upload(api, monthly)
    _page_login(api, "group")
    page = api.client.get(f"{URL}?year=2025").text
    assert 'id="processes-form"' in page and 'id="no-processes"' in page
    assert "工序.csv" not in page

    bad = sheet(*PROCESSES).assign(period="2025-01")
    bad.loc[0, "process"] = "轧钢"
    refused = _form(api, bad)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    text = refused.text  # type: ignore[attr-defined]
    assert 'id="problems"' in text and "轧钢" in text and 'id="no-processes"' in text
    assert 'name="year" value="2025"' in text  # the page of the year the form was on

    months = pd.concat([sheet(*PROCESSES).assign(period=f"2025-{m:02d}") for m in (1, 2)])
    stored = _form(api, months)
    assert stored.status_code == 303  # type: ignore[attr-defined]
    assert stored.headers["location"] == f"{URL}?year=2025#processes"  # type: ignore[attr-defined]
    page = api.client.get(f"{URL}?year=2025").text
    section = page[
        page.index('id="processes"') : page.index("</section>", page.index('id="processes"'))
    ]
    assert "工序.csv" in section and "炼铁" in section and "烧结" in section
    assert f">{IRON:,.2f}<" in section and ">1,000.00<" in section  # 558.68 t, 1,000 t pig iron
    assert f">{IRON / 1000:.4f}<" in section and f">{SINTER:,.2f}<" in section

    report = api.client.get(f"{URL}/report.xlsx?year=2025")
    book = load_workbook(io.BytesIO(report.content))
    assert book.sheetnames == [
        "基本信息",
        "排放量汇总",
        "月度数据",
        "工序数据",
        "对照",
        "辅助报告项",
        "其他信息",
        "说明",
    ]
    rows = list(book["工序数据"].iter_rows(values_only=True))
    header = rows[0]
    assert header[3:15] == tuple(f"2025-{m:02d}" for m in range(1, 13)) and header[15] == "全年"
    iron = [r for r in rows if r[0] == "炼铁"]
    co2 = next(r for r in iron if r[2] == "CO2（吨）")
    assert co2[3] == co2[4] == round(IRON, 2) and co2[5] is None  # no sheet for March
    assert co2[15] == pytest.approx(round(2 * IRON, 2))
    coke = next(r for r in iron if r[1] == "焦炭")
    assert coke[3] == 350 and coke[15] == 700
    assert coke[2] == "输入 (t)", coke[2]  # into the process, not 年份 (the pathways form's "in")
    intensity = next(r for r in iron if r[2] == "单位产品碳排放量")
    assert intensity[3] == round(IRON / 1000, 4) and intensity[15] == round(IRON / 1000, 4)
    notes = [r[1] for r in book["说明"].iter_rows(values_only=True)]
    assert not any("C.4" in str(n) for n in notes)  # nothing of C.4 left out

    import subprocess

    from tests.conftest import require_binary

    pdf = api.client.get(f"{URL}/report.pdf?year=2025").content
    printed = subprocess.run(
        [require_binary("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "工序数据" in printed and "炼铁" in printed and f"{IRON / 1000:.4f}" in printed
    assert "尚未保存本年度的工序数据表" not in printed  # C.4 not among what is left out

    api.client.cookies.set("lang", "en")  # in English the processes have their English names
    english = load_workbook(io.BytesIO(api.client.get(f"{URL}/report.xlsx?year=2025").content))
    named = {r[0] for r in list(english["Process data"].iter_rows(values_only=True))[1:]}
    assert {"ironmaking", "sintering"} <= named and "炼铁" not in named
    page = api.client.get(f"{URL}?year=2025").text
    assert ">ironmaking <" in page and "炼铁" not in page
    api.client.cookies.set("lang", "zh_CN")

    _page_login(api, "hebei")  # a regulator reads the process level, is not offered the form
    page = api.client.get(f"{URL}?year=2025").text
    assert "炼铁" in page and 'id="processes-form"' not in page
    assert _form(api, months).status_code == 403  # type: ignore[attr-defined]


def test_the_report_says_when_no_sheet_is_stored(api: Api) -> None:  # noqa: F811
    _upload(api, table(*WORKS))
    _page_login(api, "hebei")
    book = load_workbook(io.BytesIO(api.client.get(f"{URL}/report.xlsx?year=2025").content))
    assert "工序数据" not in book.sheetnames
    notes = [str(r[1]) for r in book["说明"].iter_rows(values_only=True)]
    assert "工序层级数据（C.4）：尚未保存本年度的工序数据表" in notes


def test_another_enterprise_or_region_neither_files_nor_sees_the_form(
    api: Api,  # noqa: F811
) -> None:
    _upload(api, table(*WORKS))
    sheet_ = sheet(*PROCESSES)
    for who in ("cement", "neimenggu"):  # another enterprise's user, another region's
        _page_login(api, who)
        assert _form(api, sheet_).status_code == 404  # type: ignore[attr-defined]
    _page_login(api, "group")
    page = api.client.get(f"{URL}?year=2025").text
    assert 'id="no-processes"' in page  # nothing stored by either
