"""The regulator's monitoring view (/monitoring) on the hand-worked lake of
tests/monitoring/test_status, its enterprises two of the demo province's: the figures, the
sorts, the CSV of every table, the enterprise page's per-meter status, the scope (a regulator
of another province sees none of it), an empty lake, a new commit of the lake seen at once,
and the page in Chinese and English in the browser."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carbonpeak.api.app import create_app
from carbonpeak.io.lake import ingest
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise, User
from tests.monitoring.test_status import build_lake

from .conftest import Served, log_in, shot
from .test_pages import _actor, _login


@pytest.fixture(scope="module")
def pair(demo_store: Engine) -> tuple[str, str]:
    """A: the demo enterprise user's first enterprise; B: one it may not see."""
    with Session(demo_store) as session:
        own = _actor(session, "demo-enterprise").enterprises
        ids = sorted(session.execute(select(Enterprise.enterprise_id)).scalars())
    first = sorted(own)[0]
    return first, next(e for e in ids if e not in own)


@pytest.fixture(scope="module")
def hand_lake(tmp_path_factory: pytest.TempPathFactory, pair: tuple[str, str]) -> Path:
    return build_lake(tmp_path_factory.mktemp("region"), *pair)


@pytest.fixture
def lake(hand_lake: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CARBONPEAK_LAKE", str(hand_lake))
    yield hand_lake


@pytest.fixture
def client(demo_store: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(demo_store)) as made:
        made.cookies.set("lang", "en")
        yield made


def _text(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[page.index(">", start) + 1 :].split("<", 1)[0]


def _row(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</tr>", start)]


def _csv(client: TestClient, table: str) -> list[dict[str, str]]:
    response = client.get(f"/monitoring/{table}.csv")
    assert response.status_code == 200 and response.text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(response.text[1:])))


def test_the_figures_of_the_hand_worked_lake(
    client: TestClient, served: Served, lake: Path, pair: tuple[str, str]
) -> None:
    a, b = pair
    _login(client, "demo-regulator", served.password)
    page = client.get("/monitoring")
    assert page.status_code == 200
    text = page.text
    assert _text(text, "kpi-enterprises") == "2" and _text(text, "kpi-meters") == "4"
    assert _text(text, "kpi-completeness") == "85.1"  # 143 of 168 readings yesterday
    assert _text(text, "kpi-below") == "1" and _text(text, "kpi-silent") == "1"
    assert "2024-01-10 12:00" in _text(text, "as-of")
    # today: 1,790 kWh x 0.5306 kg/kWh (the national grid factor, 2023's for 2024) and 560 Nm3
    # of natural gas x 2.1622 kg/Nm3 (its default NCV, carbon content and oxidation) = 2.16 t
    assert _text(text, "kpi-co2") == "2.2"
    threshold = text[
        text.index('id="threshold"') : text.index("</p>", text.index('id="threshold"'))
    ]
    assert (
        "90%" in threshold
        and "unverified" in threshold
        and "/sources/mon_notes_policy" in threshold
    )
    row = _row(text, f"enterprise-{a}")
    assert f'href="/enterprises/{a}/monitoring"' in row
    assert "82.6%" in row and "98.1%" in row  # yesterday 119/144, 30 days 1271/1296
    assert "30.0" in _row(text, "silent-A-S60")
    assert "A-G60" in _row(text, "anomaly-1") and "9,900.0" in _row(text, "anomaly-1")
    assert 'data-chart="chart-completeness"' in text
    # the sorts: A is the less complete, has the silent meter and the larger rise of energy
    for sort in ("completeness", "silent", "change"):
        ordered = client.get(f"/monitoring?sort={sort}").text
        assert ordered.index(f"enterprise-{a}") < ordered.index(f"enterprise-{b}"), sort
    by_id = client.get("/monitoring?sort=enterprise").text
    assert (by_id.index(f"enterprise-{a}") < by_id.index(f"enterprise-{b}")) == (a < b)


def test_every_table_downloads_as_csv(
    client: TestClient, served: Served, lake: Path, pair: tuple[str, str]
) -> None:
    a, b = pair
    _login(client, "demo-regulator", served.password)
    enterprises = {r["enterprise_id"]: r for r in _csv(client, "enterprises")}
    assert set(enterprises) == {a, b}
    assert (enterprises[a]["expected_yesterday"], enterprises[a]["received_yesterday"]) == (
        "144",
        "119",
    )
    assert enterprises[a]["completeness_yesterday_pct"] == "82.64"
    assert enterprises[a]["silent_meters"] == "1" and enterprises[b]["silent_meters"] == "0"
    assert enterprises[b]["completeness_30d_pct"] == "100.0"
    [silent] = _csv(client, "silent")
    assert (silent["meter_id"], silent["hours_since_last"], silent["last_reading_cst"]) == (
        "A-S60",
        "30.0",
        "2024-01-09 06:00",
    )
    assert sorted(m["meter_id"] for m in _csv(client, "meters")) == [
        "A-E15",
        "A-G60",
        "A-S60",
        "B-E60",
    ]
    [spike] = _csv(client, "anomalies")
    assert (spike["meter_id"], spike["ts"], spike["score"]) == (
        "A-G60",
        "2024-01-10T09:00:00+08:00",
        "9900.0",
    )
    assert client.get("/monitoring/secrets.csv").status_code == 404


def test_the_enterprise_page_shows_its_meters_status(
    client: TestClient, served: Served, lake: Path, pair: tuple[str, str]
) -> None:
    a, b = pair
    _login(client, "demo-enterprise", served.password)
    text = client.get(f"/enterprises/{a}/monitoring").text
    row = _row(text, "status-A-S60")
    assert "29.2%" in row and "92.1%" in row and "2024-01-09 06:00" in row  # 7/24, 199/216
    assert "<strong>yes</strong>" in row
    assert "+761.5%" in _row(text, "status-A-G60")  # 560 Nm3 against 65
    assert 'id="status-B-E60"' not in text
    # an enterprise user's view holds its own enterprises only
    own = client.get("/monitoring").text
    assert f'id="enterprise-{a}"' in own and f'id="enterprise-{b}"' not in own
    assert [r["enterprise_id"] for r in _csv(client, "enterprises")] == [a]


def test_a_regulator_of_another_province_sees_none_of_it(
    client: TestClient, served: Served, lake: Path, pair: tuple[str, str]
) -> None:
    with transaction(served.engine) as session:
        if not session.execute(select(User).where(User.username == "monitor-beijing")).first():
            add_user(session, "monitor-beijing", "regulator", served.password, ["110000"])
    _login(client, "monitor-beijing", served.password)
    page = client.get("/monitoring")
    assert page.status_code == 200 and 'id="no-monitored"' in page.text
    assert all(e not in page.text for e in pair) and "A-S60" not in page.text
    for table in ("enterprises", "meters", "silent", "anomalies"):
        assert _csv(client, table) == []


def test_an_empty_lake_is_a_clear_state(
    client: TestClient, served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARBONPEAK_LAKE", str(tmp_path / "no-lake"))
    _login(client, "demo-regulator", served.password)
    page = client.get("/monitoring")
    assert page.status_code == 200 and 'id="no-monitored"' in page.text
    assert _csv(client, "enterprises") == []


def test_a_new_commit_of_the_lake_is_seen_when_computed(
    client: TestClient,
    served: Served,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pair: tuple[str, str],
) -> None:
    lake = build_lake(tmp_path, *pair)
    monkeypatch.setenv("CARBONPEAK_LAKE", str(lake))
    _login(client, "demo-regulator", served.password)
    assert _text(client.get("/monitoring").text, "kpi-silent") == "1"
    # A-S60 speaks again at 11:00 of the 10th (an hour before the lake's latest reading)
    pd.DataFrame({"meter_id": ["A-S60"], "ts": ["2024-01-10T11:00:00"], "value": [20.0]}).to_csv(
        tmp_path / "late.csv", index=False
    )
    ingest(tmp_path / "late.csv", tmp_path / "meters.csv", lake, default_reference())
    # the page of the state before answers while the new state is computed in the background
    deadline = time.monotonic() + 60
    text = client.get("/monitoring").text
    while _text(text, "kpi-silent") != "0":
        assert _text(text, "kpi-silent") == "1" and time.monotonic() < deadline
        time.sleep(0.1)
        text = client.get("/monitoring").text
    assert 'id="no-silent"' in text and [r["meter_id"] for r in _csv(client, "silent")] == []


def test_the_page_in_the_browser_in_chinese_and_english(
    page: Page, served: Served, lake: Path, pair: tuple[str, str]
) -> None:
    a, _b = pair
    log_in(page, served, "demo-regulator")
    page.click("nav a[href='/monitoring']")
    page.wait_for_url(served.url + "/monitoring")
    assert page.locator("h1").inner_text() == "在线监测"
    assert page.locator("#kpi-silent").inner_text() == "1"
    assert "参考值" in page.locator("#threshold").inner_text()
    svg = page.locator("#completeness .chart svg")
    svg.wait_for()
    box = svg.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 200
    page.locator("#completeness summary").click()  # the chart's table, one click away
    assert page.locator("#completeness details table tbody tr").count() == 2
    with page.expect_download() as download:
        page.click("#csv-silent")
    saved = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert saved.splitlines()[1].startswith(f"A-S60,{a},electricity,kWh,60,")
    shot(page, "monitoring-region-zh")
    page.click("a.lang")  # English
    page.wait_for_url(served.url + "/monitoring")
    assert page.locator("h1").inner_text() == "Online monitoring"
    assert "Silent meters" in page.locator("#silent h2").inner_text()
    page.click("#sort-silent")
    page.wait_for_url(served.url + "/monitoring?sort=silent")
    page.click(f"#enterprise-{a} a")
    page.wait_for_url(f"{served.url}/enterprises/{a}/monitoring")
    assert page.locator("#status-A-S60").is_visible()
    shot(page, "monitoring-region-en")
    page.goto(served.url + "/lang/zh_CN?next=/")
