"""The dashboard in a real browser: Playwright driving Debian's Chromium (no browser download).

Screenshots of each page go to build/screenshots/ (looked at by a person: a page that renders
but is ugly or unreadable is a defect)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page

from ..conftest import require_binary
from .conftest import Served, drawn, log_in, shot


def downloaded_pdf_text(page: Page, link: str, folder: Path) -> str:
    """Click a PDF link; the text of the PDF downloaded (pdftotext)."""
    with page.expect_download() as download:
        page.click(link)
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return subprocess.run(
        [require_binary("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_regulator_overview_in_both_languages(page: Page, served: Served, tmp_path: Path) -> None:
    page.goto(served.url + "/overview")
    assert page.url.startswith(served.url + "/login")  # not signed in: the login page
    shot(page, "login")
    page.fill("input[name=username]", "demo-regulator")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert page.locator(".error").inner_text() == "用户名或密码错误。"
    page.fill("input[name=password]", served.password)
    page.click("button[type=submit]")
    page.wait_for_url(served.url + "/overview")
    assert page.locator("h1").inner_text() == "总览"
    # each chart drawn by ECharts (SVG renderer) with its bars
    for view in ("year", "industry", "region"):
        drawn(page, view)
    shot(page, "overview-zh")

    # the table behind a chart, one click away, with the same figures as its CSV download
    page.click("#industry summary")
    rows = page.locator("#industry tbody tr")
    assert rows.count() >= 3
    first = rows.first.locator("td").all_inner_texts()
    with page.expect_download() as download:
        page.click("#industry a.download")
    text = download.value.path().read_text(encoding="utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert table[0]["label"] == first[0]
    assert f"{round(float(table[0]['co2e_t'])):,}" == first[4]
    shot(page, "overview-table-zh")

    page.click("a.lang:has-text('English')")
    page.wait_for_url(served.url + "/overview")
    assert page.locator("h1").inner_text() == "Overview"
    assert page.locator("#year h2").inner_text() == "By year"
    assert page.locator("html").get_attribute("lang") == "en"
    drawn(page, "region")
    shot(page, "overview-en")
    text = downloaded_pdf_text(page, "#summary-pdf", tmp_path)
    assert "Regional energy and carbon summary" in text
    assert page.locator(".kpis strong").first.inner_text() in text  # reporting enterprises

    page.click("text=Log out")
    page.wait_for_url(served.url + "/login")
    page.goto(served.url + "/overview")
    assert page.url.startswith(served.url + "/login")  # the cookie no longer works


def test_enterprise_user_does_not_see_the_overview(page: Page, served: Served) -> None:
    log_in(page, served, "demo-enterprise")
    assert page.locator("nav a", has_text="总览").count() == 0
    shot(page, "home-enterprise")
    response = page.goto(served.url + "/overview")
    assert response is not None and response.status == 403


def test_enterprise_traces_a_figure_to_its_source(page: Page, served: Served) -> None:
    log_in(page, served, "demo-enterprise")
    links = [a.get_attribute("href") for a in page.locator(".cards a").all()]
    assert len(links) >= 2
    for link in links:  # the enterprise of the demo province has accounts
        page.goto(served.url + str(link))
        if page.locator("#lines").count():
            break
    else:
        pytest.fail("no enterprise of demo-enterprise has accounts")
    drawn(page, "streams", height=200)
    page.click("#streams summary")  # the chart's table, and its CSV
    chart_rows = page.locator("#streams tbody tr")
    assert chart_rows.count() == 5
    with page.expect_download() as download:
        page.click("#streams a.download")
    streams = list(
        csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig")))
    )
    shown = chart_rows.first.locator("td").nth(1).inner_text()
    assert f"{float(streams[0]['t']):,.1f}" == shown
    energy = page.locator("#energy").inner_text()
    assert energy.replace(",", "").isdigit() and int(energy.replace(",", "")) > 0
    shot(page, "enterprise-zh")

    first = page.locator("tr.line").first
    row = first.get_attribute("id").removeprefix("line-")  # type: ignore[union-attr]
    first.locator("button").click()  # HTMX fetches the line's references
    refs = page.locator(f"#refs-{row} .line-refs")
    refs.wait_for()
    assert "energy.gbt2589" in refs.inner_text()
    reference = refs.locator("a").first
    cited = reference.inner_text()  # "table · 行 N · source"
    shot(page, "enterprise-line-zh")
    reference.click()
    page.wait_for_url("**/sources/**")
    table_name = cited.split(" · ")[0]
    assert table_name in page.locator("section.figure h2").inner_text()
    assert page.locator("table.row-values th", has_text="source_id").count() == 1
    shot(page, "source-zh")


CEMENT = "911302007A3K9C2D24"  # an example enterprise of demo-enterprise, in Hebei


def _report(period: str, bad: bool) -> str:
    lines = [
        "enterprise_id,period,stream,item,direction,amount,unit",
        f"{CEMENT},{period},fuel,bituminous_coal,in,120000,t",
        f"{CEMENT},{period},electricity,electricity,in,95000,MWh",
        f"{CEMENT},{period},product,clinker,out,1100000,t",
    ]
    if bad:
        lines[1] = lines[1].replace("bituminous_coal", "unobtainium")
        lines[2] = lines[2].replace("95000", "-95000")
        lines[3] = lines[3].replace(period, "2024-13")
    return "\n".join(lines) + "\n"


def test_report_from_upload_to_approval(page: Page, served: Served, tmp_path: Path) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    period = "2024-01" if width < 1500 else "2024-02"  # each viewport files its own report
    log_in(page, served, "demo-enterprise")
    page.click("nav a[href='/upload']")
    with page.expect_download() as download:
        page.click("#template")
    assert download.value.suggested_filename == "activity-template.xlsx"
    download.value.save_as(tmp_path / "template.xlsx")
    workbook = load_workbook(tmp_path / "template.xlsx", read_only=True)
    assert workbook.sheetnames[0] == "活动数据 (activity)"
    workbook.close()

    def upload(name: str, text: str) -> None:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        page.set_input_files("input[type=file]", str(path))
        page.click("form.upload button")

    upload("report.csv", _report(period, bad=True))
    problems = page.locator("#problems tbody tr")
    problems.first.wait_for()
    cells = {tuple(r.locator("td").all_inner_texts()[1:4]) for r in problems.all()}
    assert cells == {("", "2", "item"), ("", "3", "amount"), ("", "4", "period")}
    assert page.locator("#problems h2").inner_text() == "文件中有 3 个问题"
    messages = page.locator("#problems tbody td:nth-child(5)").all_inner_texts()
    assert "未知品种 “unobtainium”：参考数据表 items 中没有" in messages
    shot(page, "upload-problems-zh")

    upload("fixed.csv", _report(period, bad=False))
    preview = page.locator("#preview tbody tr")
    preview.first.wait_for()
    assert preview.count() == 1
    assert preview.first.locator("td").nth(3).inner_text() == "草稿"
    shot(page, "upload-preview-zh")
    page.click("#submit-drafts")
    page.wait_for_url(f"**/enterprises/{CEMENT}")
    page.click("text=退出登录")
    page.wait_for_url(served.url + "/login")

    log_in(page, served, "demo-regulator")
    page.click("a.lang:has-text('English')")
    page.click("nav a[href='/review']")
    page.fill("form.filter input[name=enterprise]", CEMENT)
    page.click("form.filter button")

    def report() -> Locator:
        link = page.locator(f"a[href='/enterprises/{CEMENT}?period={period}']")
        return page.locator("tr", has=link)

    report().locator("button[value=verify]").click()
    page.wait_for_url(f"**/review?state=submitted&enterprise={CEMENT}")
    page.click(f"a[href='/review?state=verified&enterprise={CEMENT}']")
    report().locator("input[name=comment]").fill("checked against the meter readings")
    report().locator("button[value=approve]").click()
    page.click(f"a[href='/review?state=approved&enterprise={CEMENT}']")
    assert "checked against the meter readings" in report().inner_text()
    shot(page, "review-approved-en")

    # the approved account as PDF: its text holds the enterprise's name and totals
    report().locator("a").click()
    page.wait_for_url(f"**/enterprises/{CEMENT}?period={period}")
    name = page.locator("h1").inner_text()
    energy, co2 = page.locator("#energy").inner_text(), page.locator("#co2").inner_text()
    text = downloaded_pdf_text(page, "#report-pdf", tmp_path)
    assert "Energy and carbon account" in text
    assert name in text and energy in text and co2 in text
    assert "approved" in text


def test_regulator_finds_the_units_below_the_baseline(page: Page, served: Served) -> None:
    log_in(page, served, "demo-regulator")
    page.click("nav a[href='/industry']")
    assert page.locator("h1").inner_text() == "行业能效"
    page.goto(served.url + "/industry?year=2023")  # other tests file 2024 reports
    drawn(page, "grades", height=200)
    below = page.locator("#below tbody tr")
    assert below.count() >= 1
    first = below.first.locator("td").all_inner_texts()
    # the deadline of a 2021-edition area, before the candidate technologies' column
    assert first[-2].startswith("2025年12月31日")
    shot(page, "industry-zh")
    # an area's ranking: best first, every unit with its grade
    page.locator("#grades summary").click()
    page.locator("#grades tbody a").first.click()
    ranked = page.locator("#ranking tbody tr")
    values = [
        float(r.locator("td").nth(2).inner_text().split()[0].replace(",", "")) for r in ranked.all()
    ]
    assert values == sorted(values) and len(values) >= 3
    below.first.locator("a").click()
    page.wait_for_url("**/enterprises/**")
    assert page.locator("#grades .grade-below_baseline").count() >= 1


def test_analyst_runs_and_compares_pathways(page: Page, served: Served) -> None:
    log_in(page, served, "demo-regulator")
    page.click("nav a[href='/pathways']")
    assert page.locator("h1").inner_text() == "达峰路径"
    drawn(page, "pathways-history", height=200)
    page.fill("input[name=draws]", "300")
    page.click("#pathways-form button[type=submit]")
    page.wait_for_selector("#pathways-result")
    drawn(page, "pathways-result")
    drawn(page, "pathways-comparison", height=200)
    rows = page.locator("#peaks tbody tr")
    assert rows.count() == 6  # two scenarios x (steel, cement, total)
    assert "POLICY" in page.locator("#pathways-comparison h2").inner_text()
    shot(page, "pathways-zh")
    page.select_option("#pathways-history select[name=sector]", "steel")
    page.select_option("#pathways-history select[name=region]", "130000")
    page.click("#pathways-history button")
    drawn(page, "pathways-history", height=200)
    assert page.locator("#pathways-history .chart svg text:has-text('Hebei')").count() >= 1
    shot(page, "pathways-history-zh")


def test_a_hostile_scenario_name_stays_text(page: Page, served: Served) -> None:
    """A scenario named like a script element: the chart still draws its series, named as
    typed, and no script of the name runs."""
    from carbonpeak.pathways.projection import example_text

    name = "</script><script>alert(1)</script>"
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, served, "demo-regulator")
    page.goto(served.url + "/pathways")
    page.fill("#scenario", example_text().replace("BAU", json.dumps(name)))
    page.fill("input[name=draws]", "50")
    page.click("#pathways-form button[type=submit]")
    page.wait_for_selector("#pathways-result")
    drawn(page, "pathways-result")
    option = json.loads(page.locator("#chart-pathways").text_content() or "")
    assert any(series.get("name", "").startswith(name) for series in option["series"])
    assert page.locator("script:not([src]):not([type='application/json'])").count() == 0
    assert dialogs == []


def test_energy_manager_diagnoses_a_plant(page: Page, served: Served) -> None:
    log_in(page, served, "demo-admin")
    page.click("nav a[href='/diagnosis']")
    assert page.locator("h1").inner_text() == "节能诊断报告"
    page.click("#advanced summary")  # the plant file, for analysts, under the forms
    page.click("#diagnosis-form button[value=run]")
    page.wait_for_selector("#diagnosis-result")
    assert page.locator("#measures tbody tr").count() == 8
    assert page.locator("#diagnosis-flow svg path").count() == 6  # carriers to equipment
    box = page.locator("#diagnosis-flow svg").bounding_box()
    assert box is not None and box["width"] > 600
    assert page.locator("#diagnosis-mac svg rect").count() == 8
    shot(page, "diagnosis-zh")
