"""The dashboard's pages compute with the library in force: a target of intensity_targets
added by an approved edition (a test fixture, not a real rule) is offered on the energy-use
control page and tracked against, and the pathways page shows the observed history as an
edition corrected it; on a store of the test's own (the demo's is shared)."""

from __future__ import annotations

import html
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from carbonpeak.api.app import create_app
from carbonpeak.services.access import Actor
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import User
from tests.reference.test_editions_wings import CAPS, approve_edition

from .test_pages import _login

PASSWORD = "a long enough password"
TARGET = "test_fixture_2025"  # a test fixture, not a real target


def _people(engine: Engine) -> tuple[Actor, Actor]:
    with transaction(engine) as session:
        add_user(session, "editor", "admin", PASSWORD, duties=["reference_editor"])
        add_user(session, "reviewer", "regulator", PASSWORD, ["130000"], [], "test",
                 ["reference_reviewer"])  # fmt: skip
    with transaction(engine) as session:
        users = session.execute(select(User).order_by(User.user_id)).scalars().all()
        found = {u.username: Actor.of(u) for u in users}
    return found["editor"], found["reviewer"]


def test_caps_and_pathways_pages_use_the_approved_editions(engine: Engine, tmp_path: Path) -> None:
    people = _people(engine)
    client = TestClient(create_app(engine))
    _login(client, "reviewer", PASSWORD)
    assert f'value="{TARGET}"' not in client.get("/caps").text
    history = html.unescape(client.get("/pathways?sector=steel&region=130000").text)
    assert "403.497292, 413.521771]" in history  # Hebei's steel CO2 in 2018 and 2019 (Mt)
    added = [TARGET, "industry", "energy_intensity", 2020, 2025, -0.2, "dimensionless"]
    approve_edition(engine, people, tmp_path, "intensity_targets", [[*added, "", "", "", "新增"]])
    approve_edition(
        engine, people, tmp_path, "ceads_history", [["130000", 2019, "steel", 400.0, "MtCO2"]]
    )
    assert f'value="{TARGET}"' in client.get("/caps").text
    tracked = client.post("/caps", files={"file": ("r.csv", CAPS)}, data={"target": TARGET})
    assert tracked.status_code == 200 and 'id="caps-result"' in tracked.text
    assert "-20.0%" in html.unescape(tracked.text)  # the edition's change, -0.2
    history = html.unescape(client.get("/pathways?sector=steel&region=130000").text)
    assert "403.497292, 400.0]" in history and "413.521771" not in history
