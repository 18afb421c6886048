"""The cockpit on the demo province of the dashboard's tests (300 enterprises, a lake of
three plants): the units below the baseline level with their upgrade deadlines, the online
monitoring's silent meters, the credit deficits for the administrator alone, and the
automaker's home as before."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from carbonpeak.api.app import create_app
from carbonpeak.i18n import gettext_of
from carbonpeak.services.diagnosis import register_diagnosis
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise, Opportunity

from .conftest import DemoLake, Served
from .test_diagnosis_page import _plant_text
from .test_pages import _actor, _login


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


def test_the_enterprise_user_s_home_in_the_reader_s_language(
    client: TestClient, served: Served
) -> None:
    """The open measures are said in the reader's language (the diagnosis's template and values,
    not the stored English text), and each enterprise is shown by its name, code beside it."""
    with Session(served.engine) as session:
        own = sorted(_actor(session, "demo-enterprise").enterprises)[0]
        named = session.get(Enterprise, own)
        assert named is not None and named.name
        name = named.name
    with transaction(served.engine) as session:
        made = register_diagnosis(
            session, _actor(session, "demo-admin"), yaml.safe_load(_plant_text(served.engine, own))
        )
        stored = session.get(Opportunity, made["opportunity_ids"][0])
        assert stored is not None
        english, expected = stored.description, dict(stored.expected)
    _login(client, "demo-enterprise", served.password)
    for locale in ("zh_CN", "en"):
        client.cookies.set("lang", locale)
        page = html.unescape(client.get("/").text)
        said = gettext_of(locale)(expected["description_text"], **expected["description_values"])
        measure = page[page.index(f'id="measure-{made["opportunity_ids"][0]}"') :]
        measure = measure[: measure.index("</li>")]
        assert said in measure and gettext_of(locale)(expected["name"]) in measure
        assert name in measure and own in measure
        card = page[page.index(f'id="own-enterprise-{own}"') :]
        card = card[: card.index("</li>")]
        assert f"<strong>{name}</strong>" in card and f'<span class="code">{own}</span>' in card
        if locale == "zh_CN":  # the Chinese measure, not the stored English one
            assert said != english and english not in page
        else:
            assert said == english
