"""The diagnosis page without YAML: the inventory workbook uploaded (its preview as tables, its
diagnosis with the measures named in the reader's language), a bad workbook refused with every
problem placed and nothing stored, the equipment form (rows added and removed, problems placed
by field, a valid form diagnosed)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from carbonpeak.api.app import create_app
from carbonpeak.diagnosis.plant import example_text
from carbonpeak.io.inventory import title, write_inventory
from carbonpeak.io.plant_form import form_values
from carbonpeak.store.models import Opportunity

from .conftest import DemoLake, Served
from .test_pages import _login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def client(demo_store: Engine, demo_lake: DemoLake, served: Served) -> Iterator[TestClient]:
    made = TestClient(create_app(demo_store))
    _login(made, "demo-admin", served.password)
    yield made


def _workbook(tmp_path: Path) -> bytes:
    path = tmp_path / "设备清单.xlsx"
    write_inventory(path, yaml.safe_load(example_text()))
    return path.read_bytes()


def _opportunities(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Opportunity)) or 0)


def test_the_template_downloads_and_an_upload_is_diagnosed_in_chinese(
    client: TestClient, tmp_path: Path
) -> None:
    got = client.get("/diagnosis/inventory.xlsx")
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    (tmp_path / "t.xlsx").write_bytes(got.content)
    assert "电动机 (motor)" in load_workbook(tmp_path / "t.xlsx").sheetnames
    run = client.post(
        "/diagnosis/inventory",
        files={"file": ("设备清单.xlsx", _workbook(tmp_path), XLSX)},
        data={"action": "run"},
    )
    assert run.status_code == 200, run.text[:2000]
    page = html.unescape(run.text)
    assert 'id="plant-preview"' in page and 'id="preview-motor"' in page
    assert "M-101 raw mill fan motor" in page
    result = page[page.index('id="diagnosis-result"') :]
    for name in ("高效电动机", "变频调速", "燃烧调整", "余热回收"):
        assert name in result
    assert "更换为 1 级能效电动机" in result and "replace by" not in result
    assert "type: motor" in page  # the advanced box holds the plant as YAML


def test_the_measures_in_english(client: TestClient, tmp_path: Path) -> None:
    client.cookies.set("lang", "en")
    run = client.post(
        "/diagnosis/inventory",
        files={"file": ("inventory.xlsx", _workbook(tmp_path), XLSX)},
        data={"action": "run"},
    )
    result = html.unescape(run.text[run.text.index('id="diagnosis-result"') :])
    assert "High-efficiency motor" in result and "replace by a grade-1 motor" in result
    assert "高效电动机" not in result


def test_a_bad_workbook_is_refused_by_place(
    client: TestClient, served: Served, tmp_path: Path
) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(_workbook(tmp_path))
    book = load_workbook(path)
    book[title("motor")]["A2"] = "sprocket"
    book[title("pump")].merge_cells("B1:C1")
    del book[title("prices")]
    book.save(path)
    before = _opportunities(served.engine)
    refused = client.post(
        "/diagnosis/inventory",
        files={"file": ("bad.xlsx", path.read_bytes(), XLSX)},
        data={"action": "run"},
    )
    assert refused.status_code == 422
    problems = html.unescape(refused.text[refused.text.index('id="problems"') :])
    assert "文件中有 3 个问题" in problems
    assert "电动机 (motor)" in problems and "设备类型 (type)" in problems
    assert "能源价格 (prices)" in problems and "缺少该工作表" in problems
    assert "B1:C1" in problems
    assert 'id="diagnosis-result"' not in refused.text
    assert _opportunities(served.engine) == before


def _posted(plant: dict[str, object]) -> dict[str, str]:
    shown = form_values(plant)
    out: dict[str, str] = dict(shown["plant"])
    for j, price in enumerate(shown["prices"]):
        out |= {f"prices.{j}.{k}": v for k, v in price.items()}
    for i, (kind, values) in enumerate(shown["equipment"]):
        out[f"equipment.{i}.type"] = kind
        out |= {f"equipment.{i}.{k}": v for k, v in values.items()}
    return out | {"rest": shown["rest"]}


def test_the_form_with_errors_then_valid(client: TestClient) -> None:
    plant = yaml.safe_load(example_text())
    plant["equipment"] = plant["equipment"][:1]  # one motor
    form = _posted(plant)
    added = client.post("/diagnosis/form", data={**form, "action": "add:pump"})
    assert added.status_code == 200
    assert 'id="equipment-1"' in added.text and 'name="equipment.1.rated_head_m"' in added.text
    assert "额定扬程" in added.text and "[m]" in added.text
    bad = {**form, "equipment.0.efficiency": "1.5", "equipment.0.poles": "4", "year": "1990"}
    refused = client.post("/diagnosis/form", data={**bad, "action": "run"})
    assert refused.status_code == 422
    assert 'id="error-equipment.0.efficiency"' in refused.text
    assert 'id="error-year"' in refused.text
    assert 'value="1.5"' in refused.text  # the form keeps what was typed
    assert 'id="diagnosis-result"' not in refused.text
    run = client.post("/diagnosis/form", data={**form, "action": "run"})
    assert run.status_code == 200
    result = html.unescape(run.text[run.text.index('id="diagnosis-result"') :])
    assert "高效电动机" in result and "M-101 raw mill fan motor" in result
    unknown = client.post(
        "/diagnosis/form", data={**form, "equipment.0.type": "sprocket", "action": "run"}
    )
    assert unknown.status_code == 422
    assert "无法识别的设备类型 “sprocket”" in html.unescape(unknown.text)
    removed = client.post("/diagnosis/form", data={**form, "action": "remove:0"})
    assert 'id="equipment-0"' not in removed.text


def test_the_register_says_its_measures_in_chinese(
    client: TestClient, served: Served, demo_lake: DemoLake
) -> None:
    from .test_diagnosis_page import _plant_text

    text = _plant_text(served.engine, demo_lake.plants[2])
    stored = client.post(
        "/diagnosis", data={"plant": text, "action": "register"}, follow_redirects=False
    )
    assert stored.status_code == 303
    register = html.unescape(client.get("/opportunities").text)
    assert "高效电动机" in register and "更换为 1 级能效电动机" in register
