"""The product carbon pages on the demo store (issue 22): the demo's four exporters' maps
(`demo.product`), each enterprise's footprints, CBAM goods and reconciliation as each role
sees them; a map that does not fit the account refused with its problems placed and nothing
stored; the chart drawn in a browser with its table one click away."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from carbonpeak.api.app import create_app
from carbonpeak.services.access import Actor
from carbonpeak.services.product import product_view
from carbonpeak.store.models import User
from carbonpeak.store.models_product import ProductMap

from .conftest import Served, drawn, log_in, shot
from .test_pages import _login

EXAMPLE_MAP = Path(__file__).parents[2] / "examples" / "product_map.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def client(demo_store: Engine) -> Iterator[TestClient]:
    yield TestClient(create_app(demo_store))


def _maps(engine: Engine) -> dict[str, str]:
    """The stored maps: enterprise -> file."""
    with Session(engine) as session:
        return dict(session.execute(select(ProductMap.enterprise_id, ProductMap.file_name)).all())


def _kinds(engine: Engine) -> dict[str, str]:
    """The demo's maps by kind (the file name says it: 演示工序图（合成，非真实）-eaf-2023.xlsx)."""
    return {file.split("-")[1]: code for code, file in _maps(engine).items()}


def _view(engine: Engine, enterprise: str, factor: float | None = None) -> dict[str, object]:
    with Session(engine) as session:
        admin = session.execute(select(User).where(User.username == "demo-admin")).scalar_one()
        return product_view(session, Actor.of(admin), enterprise, 2023, factor, 2026)


def _section(text: str, name: str) -> str:
    start = text.index(f'id="{name}"')
    end = text.find("<section", start)
    return text[start : end if end > 0 else len(text)]


def test_the_demo_files_four_exporters_maps(demo_store: Engine) -> None:
    kinds = _kinds(demo_store)
    assert sorted(kinds) == ["aluminium", "bf_bof", "cement", "eaf"]
    assert all("合成" in file for file in _maps(demo_store).values())  # labelled synthetic
    for enterprise in kinds.values():
        results = _view(demo_store, enterprise)["results"]
        assert isinstance(results, dict) and results["footprints"] and results["goods"]
        direct = next(d for d in results["reconciliation"] if d["component"] == "direct")
        assert direct["difference_t"] == 0  # every line of the account in exactly one unit
        # the bought materials have no factor: the outside row says it is incomplete
        outside = next(d for d in results["reconciliation"] if d["component"] == "outside_account")
        assert outside["reason"] == "outside_gaps"
    eaf = _view(demo_store, kinds["eaf"])["results"]
    assert isinstance(eaf, dict)
    said = [w for w in eaf["warnings"] if w["code"] == "product.cbam.default_other_route"]
    assert [(w["data"]["route"], w["data"]["default_route"]) for w in said] == [("E", "C")]


def test_an_enterprise_sees_its_mill_and_not_another(client: TestClient, served: Served) -> None:
    kinds = _kinds(served.engine)
    _login(client, "demo-enterprise", served.password)
    index = client.get("/product")
    assert index.status_code == 200 and 'id="map-form"' in index.text
    assert kinds["bf_bof"] in index.text and kinds["aluminium"] not in index.text
    page = client.get(f"/product/{kinds['bf_bof']}")  # the latest year with a map: 2023
    assert page.status_code == 200
    text = html.unescape(page.text)
    view = _view(served.engine, kinds["bf_bof"])["results"]
    assert isinstance(view, dict)
    footprints = _section(text, "footprints")
    for found in view["footprints"]:  # each product's total as the service gives it
        assert found["product"] in footprints
        assert f"{found['total_tco2e_per_t']:,.3f}" in footprints
    goods = _section(text, "cbam")
    assert "72011011" in goods and "72061000" in goods
    standing = _section(text, "standing")  # the mill's graded units: the BF and the BOF
    assert "炼铁" in standing and "转炉炼钢" in standing and "[D]" in standing
    reconciliation = _section(text, "reconciliation")
    assert "边界相同" in reconciliation and "全国电力碳足迹因子" in reconciliation
    chart = json.loads(re.search(r'id="chart-stages">(.*?)</script>', page.text, re.S)[1])
    assert chart["yAxis"]["data"] == [f["product"] for f in view["footprints"]][::-1]
    stacked = {s["name"]: s["data"] for s in chart["series"]}
    assert set(stacked) >= {"厂内（燃烧和工艺）", "外购能源"}
    for i, found in enumerate(view["footprints"][::-1]):  # the stages add up to the total
        total = sum(series[i] for series in stacked.values())
        assert total == pytest.approx(found["total_tco2e_per_t"], abs=1e-3)
    assert client.get(f"/product/{kinds['aluminium']}").status_code == 404


def test_the_cbam_fields_change_the_goods(client: TestClient, served: Served) -> None:
    """With an electricity factor the cement's indirect SEE counts (Annex II: not the
    aluminium's); the page says which is not counted, in English when asked."""
    kinds = _kinds(served.engine)
    _login(client, "demo-regulator", served.password)
    index = client.get("/product").text
    assert all(code in index for code in kinds.values())
    assert 'id="map-form"' not in index  # a regulator reads, it does not file
    cement = client.get(f"/product/{kinds['cement']}?year=2023&electricity_factor=0.5")
    view = _view(served.engine, kinds["cement"], 0.5)["results"]
    assert isinstance(view, dict)
    clinker = next(g for g in view["goods"] if g["product"] == "熟料")
    assert clinker["see_indirect"] > 0
    assert clinker["see_counted"] == pytest.approx(
        clinker["see_direct"] + clinker["see_indirect"], abs=2e-6
    )
    assert f"{clinker['see_counted']:,.3f}" in html.unescape(_section(cement.text, "cbam"))
    client.get("/lang/en?next=/")
    aluminium = client.get(f"/product/{kinds['aluminium']}?electricity_factor=0.5").text
    goods = _section(aluminium, "cbam")
    assert "76011000" in goods and "(not counted)" in goods
    assert "Same boundary" in _section(aluminium, "reconciliation")


def test_fields_not_read_are_said_beside_them(client: TestClient, served: Served) -> None:
    """An import year before 2026 and a factor written with a comma (review25 M2): the page
    says each beside its field (422) and what it priced with: 2026, no factor."""
    cement = _kinds(served.engine)["cement"]
    _login(client, "demo-regulator", served.password)
    page = client.get(f"/product/{cement}?import_year=1900&electricity_factor=0,5")
    assert page.status_code == 422
    text = html.unescape(page.text)
    assert 'id="error-import-year"' in text and 'id="error-electricity-factor"' in text
    inputs = text[text.index('id="cbam-inputs"') :]
    inputs = inputs[: inputs.index("</p>")]
    assert "2026" in inputs and "未提供" in inputs
    fine = client.get(f"/product/{cement}?import_year=2030&electricity_factor=0.5")
    assert fine.status_code == 200 and "error-import-year" not in fine.text
    assert "2030" in html.unescape(fine.text[fine.text.index('id="cbam-inputs"') :])[:200]


def test_a_map_that_does_not_fit_is_refused_and_placed(client: TestClient, served: Served) -> None:
    kinds = _kinds(served.engine)
    before = _maps(served.engine)
    _login(client, "demo-enterprise", served.password)
    refused = client.post(
        "/product/maps",
        data={"enterprise_id": kinds["bf_bof"], "year": "2023"},
        files={"file": ("工序图.xlsx", EXAMPLE_MAP.read_bytes(), XLSX)},
    )
    assert refused.status_code == 422
    problems = html.unescape(_section(refused.text, "problems"))
    # the example is a cement plant's: the mill's account has no raw coal, and its coke is
    # in no unit
    assert "工序图.xlsx" in problems and "raw_coal" in problems and "coke" in problems
    assert _maps(served.engine) == before  # nothing stored
    bad_year = client.post(
        "/product/maps",
        data={"enterprise_id": kinds["bf_bof"], "year": "20x3"},
        files={"file": ("工序图.xlsx", EXAMPLE_MAP.read_bytes(), XLSX)},
    )
    assert bad_year.status_code == 422 and "2000" in bad_year.text
    other = client.post(  # another's enterprise: not found, as if it did not exist
        "/product/maps",
        data={"enterprise_id": kinds["aluminium"], "year": "2023"},
        files={"file": ("工序图.xlsx", EXAMPLE_MAP.read_bytes(), XLSX)},
    )
    assert other.status_code == 404
    assert _maps(served.engine) == before
    template = client.get("/product/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_an_automaker_has_no_maps(client: TestClient, served: Served) -> None:
    _login(client, "demo-automaker", served.password)
    index = client.get("/product")
    assert index.status_code == 200 and 'id="no-maps"' in index.text
    assert 'href="/product"' not in index.text  # not in its menu
    refused = client.post(
        "/product/maps",
        data={"enterprise_id": _kinds(served.engine)["eaf"], "year": "2023"},
        files={"file": ("工序图.xlsx", EXAMPLE_MAP.read_bytes(), XLSX)},
    )
    assert refused.status_code == 403
    with Session(served.engine) as session:
        assert session.scalar(select(func.count()).select_from(ProductMap)) == 4


def test_the_stage_chart_is_drawn_and_its_table_opens(page: Page, served: Served) -> None:
    kinds = _kinds(served.engine)
    log_in(page, served, "demo-enterprise")
    page.goto(f"{served.url}/product/{kinds['bf_bof']}?year=2023")
    drawn(page, "footprints", height=150)
    table = page.locator("#stage-table table")
    assert not table.is_visible()
    page.click("#stage-table summary")
    assert table.is_visible() and table.locator("tbody tr").count() == 2
    shot(page, "product-enterprise")
