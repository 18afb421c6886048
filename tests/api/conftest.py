"""An API on a migrated store (SQLite and PostgreSQL) with the example enterprises and a user
of each kind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from carbonpeak.api.app import create_app
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise

EXAMPLES = Path(__file__).parents[2] / "examples"
PASSWORD = "a long enough password"
CEMENT, STEEL, ALUMINIUM = "911302007A3K9C2D24", "911302005B8M2P4Q99", "911502003C6N8R1T91"


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]
    engine: Engine

    def headers(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}


@pytest.fixture
def api(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    # the lake of the test's own (posted meter readings land there), never the user's
    monkeypatch.setenv("CARBONPEAK_LAKE", str(tmp_path / "lake"))
    enterprises = pd.read_csv(EXAMPLES / "enterprises.csv", dtype=str)
    with transaction(engine) as session:
        for row in enterprises.to_dict("records"):
            session.add(Enterprise(**{k: str(v) for k, v in row.items()}))
        add_user(session, "admin", "admin", PASSWORD, duties=["reference_editor"])
        add_user(session, "hebei", "regulator", PASSWORD, ["130000"], duties=["reference_reviewer"])
        add_user(session, "tangshan", "regulator", PASSWORD, regions=["130200"])
        add_user(session, "neimenggu", "regulator", PASSWORD, regions=["150000"])
        add_user(session, "cement", "enterprise", PASSWORD, enterprises=[CEMENT])
        add_user(session, "group", "enterprise", PASSWORD, enterprises=[CEMENT, STEEL, ALUMINIUM])
    client = TestClient(create_app(engine))
    tokens = {}
    for name in ("admin", "hebei", "tangshan", "neimenggu", "cement", "group"):
        response = client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
        assert response.status_code == 200, response.text
        tokens[name] = response.json()["access_token"]
    yield Api(client, tokens, engine)
    client.close()
