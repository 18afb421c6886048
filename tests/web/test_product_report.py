"""The footprint report of a demo exporter's year (`reports.product`), downloaded from the
product page as PDF and as a workbook in each language: the products' totals, the standing,
the CBAM goods and the reconciliation as the service computes them; and the carbon price paid
in China, from a ledger position worked by hand."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from carbonpeak.api.app import create_app
from carbonpeak.reports.product import carbon_price

from ..conftest import require_binary, require_pdf_rendering
from .conftest import Served
from .test_pages import _login
from .test_product_page import _kinds, _view


@pytest.fixture
def client(demo_store: Engine) -> Iterator[TestClient]:
    yield TestClient(create_app(demo_store))


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [require_binary("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize(
    ("lang", "title", "price"),
    [
        ("zh_CN", "产品碳足迹报告", "在中国已支付的碳价"),
        ("en", "Product carbon footprint report", "Carbon price paid in China"),
    ],
)
def test_the_report_as_pdf(
    client: TestClient, served: Served, tmp_path: Path, lang: str, title: str, price: str
) -> None:
    require_pdf_rendering()
    mill = _kinds(served.engine)["bf_bof"]
    _login(client, "demo-enterprise", served.password)
    client.get(f"/lang/{lang}?next=/")
    got = client.get(f"/product/{mill}/report.pdf?year=2023&import_year=2026")
    assert got.status_code == 200 and got.content[:4] == b"%PDF"
    text = " ".join(_text(got.content, tmp_path).split())
    view = _view(served.engine, mill)["results"]
    assert isinstance(view, dict)
    assert title in text and price in text and "GB/T 24067-2024" in text
    for found in view["footprints"]:
        assert f"{found['product']}: {found['total_tco2e_per_t']:,.3f} tCO2e/t" in text
    assert "72011011" in text and "72061000" in text
    assert "[D]" in text


def test_the_report_as_a_workbook(client: TestClient, served: Served) -> None:
    kinds = _kinds(served.engine)
    _login(client, "demo-regulator", served.password)
    got = client.get(f"/product/{kinds['cement']}/report.xlsx?year=2023&electricity_factor=0.5")
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.content))
    assert book.sheetnames == ["碳足迹", "构成", "全国位置", "CBAM", "碳价", "对照", "说明"]
    view = _view(served.engine, kinds["cement"], 0.5)["results"]
    assert isinstance(view, dict)
    rows = list(book["碳足迹"].iter_rows(min_row=6, values_only=True))
    totals = {row[0]: row[6] for row in rows}
    assert totals == {f["product"]: f["total_tco2e_per_t"] for f in view["footprints"]}
    cbam = book["CBAM"]
    assert cbam["A1"].value == "按 2026 年进口计价" and cbam["C1"].value == 0.5
    goods = {row[0]: row[5] for row in cbam.iter_rows(min_row=3, values_only=True)}
    assert goods == {g["product"]: g["see_counted"] for g in view["goods"]}
    assert {row[9] for row in cbam.iter_rows(min_row=3, values_only=True)} == {"unverified"}
    assert book["全国位置"]["B2"].value == "水泥熟料"  # the kiln graded as clinker
    assert "没有该企业当年度的记录" in str(book["碳价"]["A2"].value)  # no ledger entry here
    # a year without a map, a kind not served, another's enterprise: not found
    assert client.get(f"/product/{kinds['cement']}/report.xlsx?year=2019").status_code == 404
    assert client.get(f"/product/{kinds['cement']}/report.docx?year=2023").status_code == 404
    enterprise = TestClient(client.app)
    _login(enterprise, "demo-enterprise", served.password)
    refused = enterprise.get(f"/product/{kinds['cement']}/report.xlsx?year=2023")
    assert refused.status_code == 404


def test_the_carbon_price_paid_by_hand() -> None:
    """Of the year 2025: 100 t of vintage 2025 bought at 80 yuan and 50 t at 100: 13,000 yuan
    for 150 t, 86.67 yuan/t. Not in it: a vintage-2024 purchase, a purchase without a price, a
    sale. A position with no entry of its year (review25 H2: not in the market that year) has
    none."""
    position = {
        "year": 2025,
        "sector": "steel",
        "obligation_t": "1000",
        "allocated_t": "950",
        "surrendered_t": "1000",
        "shortfall_t": "0",
        "entries": [
            {"kind": "allocated", "amount": "950", "price": None, "vintage": 2025, "year": None},
            {"kind": "bought", "amount": "100", "price": "80", "vintage": 2025, "year": None},
            {"kind": "bought", "amount": "50", "price": "100.00", "vintage": 2025, "year": None},
            {"kind": "bought", "amount": "400", "price": "95", "vintage": 2024, "year": None},
            {"kind": "bought", "amount": "7", "price": None, "vintage": 2025, "year": None},
            {"kind": "sold", "amount": "20", "price": "90", "vintage": 2025, "year": None},
            {"kind": "obligation", "amount": "1000", "price": None, "vintage": None, "year": 2025},
        ],
    }
    found = carbon_price(position)
    assert found is not None
    assert (found["bought_t"], found["paid_yuan"]) == (150, 13_000)
    assert found["price_yuan_per_t"] == pytest.approx(13_000 / 150)
    assert (found["obligation_t"], found["allocated_t"]) == (1000.0, 950.0)
    other_year = position | {"year": 2023, "obligation_t": None, "allocated_t": "0"}
    assert carbon_price(other_year) is None  # nothing of 2023 in the ledger
    assert carbon_price(position | {"entries": []}) is None
    assert carbon_price(None) is None


def test_the_demo_mills_and_smelter_cbam_workbooks_read_back(
    client: TestClient, served: Served, tmp_path: Path
) -> None:
    """The demo's BF-BOF and EAF mills and its smelter: each one's CBAM communication, from
    the product page, reads back (`io.cbam_read`), the mill's as a communication that writes
    and reads back the same; the template's own SEE of each process equal the product
    view's."""
    from carbonpeak.io.cbam_read import read_communication
    from carbonpeak.io.cbam_workbook import write_communication
    from carbonpeak.product.cbam import waste_gas
    from carbonpeak.product.cbam_see import template_see
    from carbonpeak.reference.loader import default_reference

    kinds = _kinds(served.engine)
    _login(client, "demo-regulator", served.password)
    for kind in ("bf_bof", "eaf", "aluminium"):
        got = client.get(f"/product/{kinds[kind]}/cbam.xlsx?year=2023&electricity_factor=0.5")
        assert got.status_code == 200, kind
        first = tmp_path / f"{kind}.xlsx"
        first.write_bytes(got.content)
        model = read_communication(first)
        if kind == "bf_bof":  # (a workbook written takes a few seconds: one is enough)
            again = tmp_path / f"{kind}-again.xlsx"
            write_communication(model, again)
            assert read_communication(again) == model
        see = template_see(model, waste_gas(default_reference()))
        view = _view(served.engine, kinds[kind], 0.5)["results"]
        assert isinstance(view, dict)
        for node in view["see"]:
            assert see[node["name"]].direct == pytest.approx(node["direct"], abs=1e-5), kind
    page = client.get(f"/product/{kinds['bf_bof']}?year=2023")
    assert 'id="cbam-workbook"' in page.text
    assert client.get(f"/product/{kinds['cement']}/cbam.xlsx?year=2019").status_code == 404
