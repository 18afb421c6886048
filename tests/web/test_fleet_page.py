"""The automaker's fleet page: the demo automaker's stored fleet at first login, the workbook
downloaded, a fleet uploaded in Chinese (workbook) and in English (the CSV), stored and its
credits shown, bad input refused (422) with every problem placed and nothing stored; the
example fleet's figures for an automaker without a fleet; in a browser too."""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from playwright.sync_api import Page
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from carbonpeak.api.app import create_app
from carbonpeak.services.users import add_user
from carbonpeak.store.models import AuditEntry, Enterprise, FleetModel, User

from .conftest import Served, log_in, shot
from .test_pages import _login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = Path(__file__).parents[2] / "examples" / "fleet.csv"
LABELS = {"ice": "传统能源", "hev": "混合动力", "phev": "插电式混合动力", "bev": "纯电动"}


@pytest.fixture
def client(demo_store: Engine, served: Served) -> Iterator[TestClient]:
    made = TestClient(create_app(demo_store))
    _login(made, "demo-automaker", served.password)
    yield made


def _maker(engine: Engine) -> str:
    """demo-automaker's first enterprise, which the demo gave a fleet."""
    with Session(engine) as session:
        return min(
            session.scalars(
                select(Enterprise.enterprise_id).where(Enterprise.enterprise_id.like("%DEMCAR01%"))
            )
        )


def _csv(maker: str, drop: str | None = None) -> bytes:
    """examples/fleet.csv made out to `maker`."""
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False).assign(enterprise_id=maker)
    return frame.drop(columns=[drop] if drop else []).to_csv(index=False).encode()


def _workbook(template: bytes, maker: str, powertrain: dict[int, str] | None = None) -> bytes:
    """examples/fleet.csv written into the template for `maker`, powertrains by their Chinese
    names."""
    book = load_workbook(io.BytesIO(template))
    sheet = book["车队 (fleet)"]
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False).assign(enterprise_id=maker)
    for r, row in enumerate(frame.to_dict("records"), start=2):
        for c, (key, value) in enumerate(row.items(), start=1):
            sheet.cell(r, c, LABELS.get(value, value) if key == "powertrain" else value)
    for r, value in (powertrain or {}).items():
        sheet.cell(r, 4, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _stored(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (
            int(session.scalar(select(func.count()).select_from(FleetModel)) or 0),
            int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0),
        )


def _credits(text: str) -> str:
    page = html.unescape(text)
    return page[page.index('id="fleet-credits"') : page.index('id="fleet-vehicles"')]


def test_the_demo_fleet_at_first_login(client: TestClient) -> None:
    page = client.get("/credits/fleet")
    assert page.status_code == 200
    shown = _credits(page.text)
    # the demo fleet: the workbook's example models A1, A3, A4, A5 in 2023, 40,000 cars.
    # NEV: A4 2.64 x 8,000 + A5 1.60 x 2,000 = 24,320 earned; required 18% of the
    # conventional (20,000 + 0.2 x 10,000 low-consumption) = 3,960; 24,320 - 3,960 = 20,360.
    # CAFC: (compliance 5.54 - actual 3.59) x 40,000 = 78,000.
    assert "已保存车队" in shown and "2023" in shown and "40,000" in shown
    assert "24,320" in shown and "3,960" in shown and "20,360" in shown and "78,000" in shown


def test_the_example_fleet_without_one(demo_store: Engine, served: Served) -> None:
    """An automaker the demo gave no fleet (the third demo maker's)."""
    with Session(demo_store) as session, session.begin():
        third = select(Enterprise.enterprise_id).where(Enterprise.enterprise_id.like("%DEMCAR03%"))
        codes = sorted(session.scalars(third))
        if not session.scalar(select(User).where(User.username == "fleetless-maker")):
            add_user(
                session, "fleetless-maker", "automaker", served.password, [], codes, actor="test"
            )
    made = TestClient(create_app(demo_store))
    _login(made, "fleetless-maker", served.password)
    shown = _credits(made.get("/credits/fleet").text)
    # the workbook's four example models in 2021 (worked the same way, 2021 rules)
    assert "示例车队" in shown and "40,000" in shown and "105,200" in shown and "20,820" in shown


def test_a_chinese_workbook_and_the_english_csv(client: TestClient, demo_store: Engine) -> None:
    got = client.get("/credits/fleet.xlsx")
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    before = _stored(demo_store)
    maker = _maker(demo_store)
    run = client.post(
        "/credits/fleet", files={"file": ("车队.xlsx", _workbook(got.content, maker), XLSX)}
    )
    assert run.status_code == 200, run.text[:2000]
    shown = _credits(run.text)
    # examples/fleet.csv in 2021, worked by hand in tests/policy/test_dual_credit.py:
    # CAFC credits 115,920, NEV credits 25,070 earned - 4,200 required = 20,870
    assert "车队.xlsx" in shown and "46,000" in shown and "115,920" in shown and "20,870" in shown
    vehicles = html.unescape(run.text)[run.text.index('id="fleet-vehicles"') :]
    assert vehicles.count("<tr>") == 7  # the head and six models
    client.cookies.set("lang", "en")
    english = client.post("/credits/fleet", files={"file": ("fleet.csv", _csv(maker), "text/csv")})
    assert english.status_code == 200
    shown = _credits(english.text)
    assert "Credits of fleet.csv" in shown and "115,920" in shown and "20,870" in shown
    stored = _stored(demo_store)
    assert stored[1] == before[1] + 2  # an audit entry an upload
    # the second upload replaced the first's 2021 models: 6 more than before in all
    with Session(demo_store) as session:
        years = session.scalars(select(FleetModel.year).where(FleetModel.enterprise_id == maker))
        assert sorted(years) == [2021] * 6 + [2023] * 4
    assert "2023" in _credits(client.get("/credits/fleet").text)  # the stored fleet, both years


def test_another_makers_fleet_is_refused(client: TestClient, demo_store: Engine) -> None:
    before = _stored(demo_store)
    run = client.post("/credits/fleet", files={"file": ("fleet.csv", CSV.read_bytes(), "text/csv")})
    assert run.status_code == 422 and "911302007A3K9C2D24" in html.unescape(run.text)
    assert _stored(demo_store) == before


def test_bad_input_is_refused_by_place(client: TestClient, demo_store: Engine) -> None:
    template = client.get("/credits/fleet.xlsx").content
    book = load_workbook(io.BytesIO(_workbook(template, _maker(demo_store), {3: "柴油车"})))
    book["车队 (fleet)"].cell(4, 11, -5)  # a negative count
    out = io.BytesIO()
    book.save(out)
    before = _stored(demo_store)
    run = client.post("/credits/fleet", files={"file": ("车队.xlsx", out.getvalue(), XLSX)})
    assert run.status_code == 422
    problems = html.unescape(run.text[run.text.index('id="problems"') :])
    assert "动力类型 (powertrain)" in problems and "柴油车" in problems
    assert "产量或进口量 (volume) [辆]" in problems and "车队.xlsx" in problems
    assert 'id="fleet-credits"' not in run.text
    missing = _csv(_maker(demo_store), drop="volume")
    refused = client.post("/credits/fleet", files={"file": ("fleet.csv", missing, "text/csv")})
    assert refused.status_code == 422 and "volume" in refused.text
    assert _stored(demo_store) == before


def test_not_for_an_enterprise_user(demo_store: Engine, served: Served) -> None:
    enterprise = TestClient(create_app(demo_store))
    _login(enterprise, "demo-enterprise", served.password)
    assert enterprise.get("/credits/fleet").status_code == 403
    assert enterprise.get("/credits/fleet.xlsx").status_code == 403


def test_the_fleet_page_in_a_browser(page: Page, served: Served, tmp_path: Path) -> None:
    log_in(page, served, "demo-automaker")
    page.goto(served.url + "/credits/fleet")
    assert "20,360" in page.locator("#fleet-credits").inner_text()  # figures at first login
    shot(page, "credits-fleet-demo-zh")
    with page.expect_download() as download:
        page.click("#fleet-template")
    workbook = tmp_path / download.value.suggested_filename
    workbook.write_bytes(_workbook(Path(download.value.path()).read_bytes(), _maker(served.engine)))
    page.set_input_files("#fleet-file", str(workbook))
    page.click("#fleet-run")
    page.wait_for_selector("#fleet-vehicles")
    assert "115,920" in page.locator("#fleet-credits").inner_text()
    shot(page, "credits-fleet-zh")


def test_the_home_shows_the_stored_fleet(client: TestClient) -> None:
    home = html.unescape(client.get("/").text)
    card = home[home.index('id="home-fleet"') : home.index('id="home-plan"')]
    # the demo fleet's latest year, 2023 (worked above): CAFC 78,000, NEV 20,360
    assert "2023" in card and "78,000" in card and "20,360" in card and "/credits/fleet" in card


def test_a_workbook_is_read_once_and_its_enterprise_column_named_as_written(
    client: TestClient, demo_store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upload parses the file once (the enterprise column's header, which places a refused
    row, comes from that read), and another maker's rows are placed at that header, sheet
    `fleet`."""
    from carbonpeak.io import fleet, tables

    read: list[str] = []
    real = tables.read_upload

    def counted(name: str, *args: Any, **kwargs: Any) -> pd.DataFrame:
        read.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(tables, "read_upload", counted)
    monkeypatch.setattr(fleet, "read_upload", counted)
    template = client.get("/credits/fleet.xlsx").content
    before = _stored(demo_store)
    other = _workbook(template, "911302007A3K9C2D24")  # the example maker's, not demo's
    run = client.post("/credits/fleet", files={"file": ("车队.xlsx", other, XLSX)})
    assert run.status_code == 422
    problems = html.unescape(run.text[run.text.index('id="problems"') :])
    assert "统一社会信用代码 (enterprise_id)" in problems and "911302007A3K9C2D24" in problems
    assert read == ["车队.xlsx"]
    assert _stored(demo_store) == before


def test_the_models_page_and_filter_by_powertrain(client: TestClient, demo_store: Engine) -> None:
    from .test_listing_pages import cells, section

    maker = _maker(demo_store)
    stored = client.post("/credits/fleet", files={"file": ("fleet.csv", _csv(maker), "text/csv")})
    assert stored.status_code == 200
    every = cells(section(client.get("/credits/fleet?per=500").text, "fleet-vehicles"))
    # the six models of examples/fleet.csv (2021) beside the demo's 2023 fleet, in order of
    # enterprise, year and model
    assert len(every) >= 8 and [r[:3] for r in every] == sorted(r[:3] for r in every)
    first = cells(section(client.get("/credits/fleet?per=4").text, "fleet-vehicles"))
    second = cells(section(client.get("/credits/fleet?per=4&page=2").text, "fleet-vehicles"))
    assert first + second == every[:8]
    heavy = cells(section(client.get("/credits/fleet?sort=-curb_mass_kg").text, "fleet-vehicles"))
    masses = [float(r[4].replace(",", "")) for r in heavy]
    assert masses == sorted(masses, reverse=True)
    bev = cells(section(client.get("/credits/fleet?powertrain=bev").text, "fleet-vehicles"))
    assert bev and bev == [r for r in every if r[3] == "纯电动（BEV）"]  # by its name
    assert client.get("/credits/fleet?page=99").status_code == 400  # past the last page
