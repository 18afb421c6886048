"""The pathways page: the example runs with its bands, peaks and the comparison waterfall; a
bad file is shown by key; the observed history of a key sector and a province."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from carbonpeak.api.app import create_app
from carbonpeak.pathways.projection import example_text
from carbonpeak.services.pathways import run_scenarios

from .conftest import Served
from .test_pages import _login


@pytest.fixture
def client(demo_store: Engine) -> Iterator[TestClient]:
    yield TestClient(create_app(demo_store))


def _chart(text: str, name: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', text, re.S)
    assert found, name
    return json.loads(found.group(1))


def test_the_pathways_page(client: TestClient, served: Served) -> None:
    _login(client, "demo-enterprise", served.password)
    shown = client.get("/pathways")
    assert shown.status_code == 200 and "model: carbonpeak example" in shown.text
    history = _chart(shown.text, "chart-history")
    assert history["xAxis"]["data"][0] == "1997" and history["xAxis"]["data"][-1] == "2019"
    run = client.post("/pathways", data={"scenario": example_text(), "draws": "200"})
    assert run.status_code == 200 and 'id="pathways-result"' in run.text
    option = _chart(run.text, "chart-pathways")
    names = {s["name"] for s in option["series"]}
    assert {"BAU", "POLICY", "BAU 5-95%", "POLICY 5-95%"} <= names
    waterfall = _chart(run.text, "chart-waterfall")
    bars = waterfall["series"][1]["data"]
    assert len(bars) == 5 and waterfall["xAxis"]["data"][0] == "BAU"
    # the floating bars end where the other scenario's total is (the same seeded run)
    same = run_scenarios(example_text(), 200, ("BAU", "POLICY"))
    policy = same["scenarios"]["POLICY"]["total"]["values"]["2030"]
    assert bars[-1]["value"] == pytest.approx(policy)
    assert bars[0]["value"] == pytest.approx(same["scenarios"]["BAU"]["total"]["values"]["2030"])
    assert 'id="pathways-changes"' in run.text
    change = same["changes"]["BAU"]
    assert sum(change["additive"].values()) == pytest.approx(change["total_change"])
    bad = client.post(
        "/pathways", data={"scenario": "base_year: 2020\nhorizon: 2010\nscenarios: {}"}
    )
    assert bad.status_code == 400 and "horizon must be after" in bad.text
    worse = client.post("/pathways", data={"scenario": example_text(), "draws": "many"})
    assert worse.status_code == 400 and "whole numbers" in worse.text
    steel = client.get("/pathways?sector=steel&region=130000")
    chart = _chart(steel.text, "chart-history")
    assert [s["name"] for s in chart["series"]][1] == "Hebei"


BUILT = {
    "name": "BAU",
    "sectors": ["steel", "power"],
    "regions": ["130000", "140000"],
    "horizon": "2050",
    "growth_year": ["2019", "2030", ""],
    "growth_rate": ["2", "-1", ""],
    "intensity_year": ["2019", "2050", ""],
    "intensity_value": ["100", "60", ""],
    "low": "-10",
    "high": "10",
}


def test_a_bad_builder_form_is_shown_again_with_its_problems_placed(
    client: TestClient, served: Served
) -> None:
    _login(client, "demo-regulator", served.password)
    bad = {**BUILT, "name": "", "growth_rate": ["2", "abc", ""], "high": "200"}
    shown = client.post("/pathways/builder", data={**bad, "action": "run"})
    assert shown.status_code == 422
    assert 'id="builder-result"' not in shown.text and 'id="chart-builder"' not in shown.text
    placed = dict(re.findall(r'data-field="([^"]+)">([^<]*)<', shown.text))
    assert set(placed) == {"name", "growth_rate.2", "high"}
    # Chinese first; the value is named (review19 #1: the builder's one number rule)
    assert html.unescape(placed["growth_rate.2"]) == "“abc” 不是数字"
    assert 'value="abc"' in shown.text  # the form keeps what was typed
    client.cookies.set("lang", "en")
    shown = client.post("/pathways/builder", data={**bad, "action": "preview"})
    placed = dict(re.findall(r'data-field="([^"]+)">([^<]*)<', shown.text))
    assert shown.status_code == 422 and placed["name"] == "name the scenario"
    client.cookies.delete("lang")


def test_the_builder_runs_keeps_and_compares(client: TestClient, served: Served) -> None:
    _login(client, "demo-regulator", served.password)
    preview = client.post("/pathways/builder", data={**BUILT, "action": "preview"})
    assert preview.status_code == 200 and 'id="builder-result"' not in preview.text
    assert "model: carbonpeak scenario builder" in preview.text
    download = client.post("/pathways/builder", data={**BUILT, "action": "file"})
    file = yaml.safe_load(download.text)
    assert set(file["scenarios"]["BAU"]["regions"]) == {"130000", "140000"}
    # the analyst's box runs the same file to the same totals
    same = run_scenarios(download.text, 1000)["scenarios"]["BAU"]["total"]["values"]
    ran = client.post("/pathways/builder", data={**BUILT, "action": "run"})
    assert ran.status_code == 200 and _chart(ran.text, "chart-builder")["series"]
    line = next(s for s in _chart(ran.text, "chart-builder")["series"] if s["name"] == "BAU")
    assert line["data"][0] == pytest.approx(same["2019"]) and line["data"][-1] == pytest.approx(
        same["2050"]
    )
    kept = client.post("/pathways/builder", data={**BUILT, "action": "keep"})
    found = re.search(r'name="kept" value="([^"]*)"', kept.text)
    assert kept.status_code == 200 and found and 'id="builder-kept"' in kept.text
    kept_file = html.unescape(found.group(1))
    low = {**BUILT, "name": "LOW", "intensity_value": ["100", "30", ""], "kept": kept_file}
    both = client.post("/pathways/builder", data={**low, "action": "run"})
    assert both.status_code == 200
    names = {s["name"] for s in _chart(both.text, "chart-builder")["series"]}
    assert {"BAU", "LOW"} <= names
    rows = re.findall(
        r"<tr><td class=\"n\">(\d{4})</td>", both.text.split('id="builder-difference"')[1]
    )
    assert rows == ["2019", "2020", "2025", "2030", "2035", "2040", "2045", "2050"]
    # same name as the kept one: placed on the name, nothing run
    again = client.post("/pathways/builder", data={**BUILT, "kept": kept_file, "action": "run"})
    assert again.status_code == 422 and 'data-field="name"' in again.text
    # the hidden kept file edited (a horizon no year): placed on it, not a 500
    for horizon in ("abc", "[1]"):
        edited = kept_file.replace("horizon: 2050", f"horizon: {horizon}")
        assert edited != kept_file
        bad = client.post("/pathways/builder", data={**low, "kept": edited, "action": "run"})
        assert bad.status_code == 422 and 'data-field="kept"' in bad.text


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_scenario_workbook_downloads_uploads_and_runs(
    client: TestClient, served: Served, tmp_path: Path
) -> None:
    """The page's workbook is the builder's example; uploaded, it is run and its scenario
    file shown in the editor; a bad cell is placed by sheet, row and header in the reader's
    language (422, nothing run)."""
    _login(client, "demo-enterprise", served.password)
    page = client.get("/pathways")
    assert (
        'href="/pathways/scenario.xlsx"' in page.text and 'id="scenario-workbook-form"' in page.text
    )
    got = client.get("/pathways/scenario.xlsx")
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    run = client.post(
        "/pathways/workbook",
        files={"file": ("情景.xlsx", got.content, XLSX)},
        data={"action": "run"},
    )
    assert run.status_code == 200, run.text[:2000]
    assert 'id="pathways-result"' in run.text
    shown = html.unescape(run.text)
    assert "model: carbonpeak scenario builder" in shown and "示例:" in shown
    path = tmp_path / "bad.xlsx"
    path.write_bytes(got.content)
    book = load_workbook(path)
    book["路径 (paths)"]["E3"].value = "abc"
    book.save(path)
    for lang, said in (("zh_CN", "不是数字"), ("en", "is not a number")):
        client.cookies.set("lang", lang)
        bad = client.post(
            f"/pathways/workbook?lang={lang}",
            files={"file": ("bad.xlsx", path.read_bytes(), XLSX)},
            data={"action": "run"},
        )
        assert bad.status_code == 422
        row = html.unescape(bad.text.split('id="problems"')[1].split("</tbody>")[0])
        assert "路径 (paths)" in row and "产出增速 (growth_rate) [%/a]" in row and said in row
        assert 'id="pathways-result"' not in bad.text
    refused = client.post(
        "/pathways/workbook", files={"file": ("s.csv", b"a,b\n", "text/csv")}, data={}
    )
    assert refused.status_code == 422 and "s.csv" in refused.text
