"""Product carbon in the store over the API (issue 22): an enterprise files its process map of
a year, checked against its stored reports; its footprints and CBAM goods then show; refusals
are placed (4xx) and store nothing; a regulator reads and may not file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from carbonpeak.store.db import transaction
from carbonpeak.store.models_product import ProductMap
from tests.api.conftest import CEMENT, Api
from tests.api.test_market_api import _upload

EXAMPLES = Path(__file__).parents[2] / "examples"
MAP = (EXAMPLES / "product_map.xlsx").read_bytes()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post(api: Api, content: bytes = MAP, who: str = "cement", year: int = 2024) -> object:
    return api.client.post(
        f"/api/v1/product/maps/{CEMENT}?year={year}",
        headers=api.headers(who),
        files={"file": ("工序图.xlsx", content, XLSX)},
    )


def _maps(api: Api) -> int:
    with transaction(api.engine) as session:
        return int(session.scalar(select(func.count()).select_from(ProductMap)) or 0)


def test_a_map_filed_gives_footprints_and_cbam_goods(api: Api) -> None:
    _upload(api, pd.read_csv(EXAMPLES / "product_activity.csv", dtype=str))
    stored = _post(api)
    assert stored.status_code == 201, stored.text  # type: ignore[attr-defined]
    body = stored.json()  # type: ignore[attr-defined]
    assert body["units"] == ["回转窑", "水泥磨"] and body["year"] == 2024
    view = api.client.get(
        f"/api/v1/product/enterprises/{CEMENT}?year=2024&import_year=2026&electricity_factor=0.5",
        headers=api.headers("hebei"),
    )
    assert view.status_code == 200, view.text
    results = view.json()["results"]
    # 190.029885 t (coal) + 440 t (limestone) in the kiln, 60 % of 500 MWh at 0.5777 kg/kWh
    clinker = next(f for f in results["footprints"] if f["product"] == "clinker")
    assert clinker["total_tco2e_per_t"] == pytest.approx(
        (190.029885 + 440) / 800 + 300_000 * 0.5777e-3 / 800, abs=1e-6
    )
    goods = {g["product"]: g for g in results["goods"]}
    assert goods["clinker"]["default_marked_up"] == pytest.approx(1.529)
    assert goods["clinker"]["see_counted"] == pytest.approx(
        (190.029885 + 440) / 800 + 300 * 0.5 / 800, abs=1e-6
    )
    assert {d["component"]: d["difference_t"] for d in results["reconciliation"]}["direct"] == 0


def test_refusals_are_placed_and_store_nothing(api: Api) -> None:
    no_reports = _post(api)
    assert no_reports.status_code == 422  # type: ignore[attr-defined]
    assert "2024" in no_reports.text  # type: ignore[attr-defined]
    _upload(api, pd.read_csv(EXAMPLES / "product_activity.csv", dtype=str))
    broken = _post(api, b"not a workbook")
    assert broken.status_code == 422, broken.text  # type: ignore[attr-defined]
    assert "工序图.xlsx" in broken.text  # type: ignore[attr-defined]
    assert _post(api, who="hebei").status_code == 403  # type: ignore[attr-defined]
    assert _maps(api) == 0
    nobody = api.client.get(
        "/api/v1/product/enterprises/911302007A3K9C2D25?year=2024", headers=api.headers("hebei")
    )
    assert nobody.status_code in (404, 422)


def test_the_template_downloads(api: Api) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    answer = api.client.get("/api/v1/product/template", headers=api.headers("cement"))
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    assert "工序 (units)" in load_workbook(BytesIO(answer.content)).sheetnames


def test_the_cbam_communication_downloads(api: Api, tmp_path: Path) -> None:
    from carbonpeak.io.cbam_workbook import read_communication

    url = f"/api/v1/product/enterprises/{CEMENT}/cbam.xlsx"
    _upload(api, pd.read_csv(EXAMPLES / "product_activity.csv", dtype=str))
    none = api.client.get(f"{url}?year=2024", headers=api.headers("cement"))
    assert none.status_code == 422 and "2024" in none.text  # no map stored yet
    assert _post(api).status_code == 201  # type: ignore[attr-defined]
    answer = api.client.get(
        f"{url}?year=2024&electricity_factor=0.5&electricity_source=D.4(a)",
        headers=api.headers("hebei"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    path = tmp_path / "cbam.xlsx"
    path.write_bytes(answer.content)
    model = read_communication(path)
    site = model.installation
    assert (site.name, site.city, site.country) == (
        "示例水泥有限公司 (example cement)",
        "Tangshan",
        "China",
    )
    kiln = model.processes[0]
    assert kiln.direct_emissions == pytest.approx(190.029885 + 440, abs=1e-6)
    assert (kiln.electricity_ef, kiln.electricity_ef_source) == (0.5, "D.4(a)")
    bad = api.client.get(f"{url}?year=2024&electricity_source=D.9", headers=api.headers("cement"))
    assert bad.status_code == 422
    assert api.client.get(f"{url}?year=2024", headers=api.headers("neimenggu")).status_code == 404
