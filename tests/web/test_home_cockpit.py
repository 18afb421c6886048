"""The cockpit on the demo province of the dashboard's tests (300 enterprises, a lake of
three plants): the units below the baseline level with their upgrade deadlines, the online
monitoring's silent meters, the credit deficits for the administrator alone, and the
automaker's home as before."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from carbonpeak.api.app import create_app

from .conftest import DemoLake, Served
from .test_pages import _login


@pytest.fixture
def client(demo_store: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(demo_store)) as made:
        made.cookies.set("lang", "en")
        yield made


def _section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</section>", start)]


def test_the_regulator_s_cockpit_on_the_demo_province(
    client: TestClient, served: Served, demo_lake: DemoLake
) -> None:
    _login(client, "demo-regulator", served.password)
    page = client.get("/").text
    assert "<h1>Cockpit" in page
    below = _section(page, "cockpit-below")
    # the demo province has units below the baseline (its grades of 2023): each a link to its
    # enterprise and an upgrade deadline from the reference table upgrade_deadlines
    assert 'id="no-below"' not in below
    assert re.search(r'href="/enterprises/91\w{16}"', below)
    assert "upgrade by 20" in below
    monitoring = _section(page, "cockpit-monitoring")
    assert 'href="/monitoring?sort=silent"' in monitoring
    assert "silent meters" in monitoring
    assert 'id="cockpit-deficits"' not in page  # the national department's alone
    assert 'id="no-budgets"' in page  # no budgets in the demo store yet: what to do
    _login(client, "demo-admin", served.password)
    assert 'id="cockpit-deficits"' in client.get("/").text


def test_an_automaker_keeps_its_home(client: TestClient, served: Served) -> None:
    _login(client, "demo-automaker", served.password)
    page = client.get("/").text
    assert "Cockpit" not in page and 'class="cards"' in page
