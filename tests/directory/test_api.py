"""The directory over HTTP: search with filters, an entry, exports, a catalogue's spreadsheet
imported as a draft (or refused with every problem placed, 422), and the entry a measure
used; bad input answers 4xx, never 500."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carbonpeak.api.app import create_app
from carbonpeak.services.demo import DEMO_PASSWORD

from .conftest import DirectoryStore, workbook


@pytest.fixture(scope="module")
def http(directory_store: DirectoryStore) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    client = TestClient(create_app(directory_store.engine))
    headers = {}
    for who in ("demo-admin", "demo-regulator", "demo-enterprise"):
        answer = client.post(
            "/api/v1/auth/token", data={"username": who, "password": DEMO_PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        headers[who] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    yield client, headers
    client.close()


def test_search_and_an_entry(http: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, headers = http
    found = client.get(
        "/api/v1/directory/search", params={"q": "余热"}, headers=headers["demo-admin"]
    )
    assert found.status_code == 200
    assert [r["key"] for r in found.json()["results"]] == ["demo_illustrative:6"]
    kept = client.get(
        "/api/v1/directory/search", params={"sector": "建材"}, headers=headers["demo-admin"]
    ).json()
    assert [r["key"] for r in kept["results"]] == ["demo_illustrative:7", "demo_illustrative:8"]
    entry = client.get(
        "/api/v1/directory/entry", params={"key": "demo_illustrative:7"},
        headers=headers["demo-regulator"],
    )  # fmt: skip
    assert entry.status_code == 200 and entry.json()["name_zh"] == "第四代篦冷机"
    assert client.get("/api/v1/directory/search").status_code == 401


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/directory/search", {"limit": "0"}),
        ("/api/v1/directory/search", {"q": "x" * 201}),
        ("/api/v1/directory/entry", {}),
        ("/api/v1/directory/export", {"form": "pdf"}),
    ],
)
def test_bad_questions_are_422(
    http: tuple[TestClient, dict[str, dict[str, str]]], path: str, params: dict[str, str]
) -> None:
    client, headers = http
    assert client.get(path, params=params, headers=headers["demo-admin"]).status_code == 422


def test_an_unknown_entry_is_404(http: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, headers = http
    answer = client.get(
        "/api/v1/directory/entry", params={"key": "nowhere:1"}, headers=headers["demo-admin"]
    )
    assert answer.status_code == 404


def test_exports_hold_what_the_search_finds(
    http: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, headers = http
    params = {"q": "变频 余热"}
    found = client.get(
        "/api/v1/directory/search", params=params, headers=headers["demo-admin"]
    ).json()["results"]
    text = client.get("/api/v1/directory/export", params=params, headers=headers["demo-admin"]).text
    lines = text.strip().splitlines()
    assert lines[0].startswith("key,catalogue,entry_no,name_zh")
    assert [line.split(",")[0] for line in lines[1:]] == [r["key"] for r in found]
    book = client.get(
        "/api/v1/directory/export", params={**params, "form": "xlsx"},
        headers=headers["demo-admin"],
    )  # fmt: skip
    sheet = load_workbook(BytesIO(book.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [r["key"] for r in found]


def _stored(store: DirectoryStore) -> tuple[int, int]:
    """The editions and the audit entries in the store."""
    from sqlalchemy import func, select

    from carbonpeak.store.db import transaction
    from carbonpeak.store.models import AuditEntry
    from carbonpeak.store.models_reference import ReferenceEdition

    with transaction(store.engine) as session:
        return (
            session.execute(select(func.count(ReferenceEdition.edition_id))).scalar_one(),
            session.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
        )


def test_a_catalogue_without_sources_is_422_and_stores_nothing(
    http: tuple[TestClient, dict[str, dict[str, str]]], directory_store: DirectoryStore
) -> None:
    client, headers = http
    before = _stored(directory_store)
    content = workbook([["序号", "技术名称", "行业", "来源"], [1, "甲", "建材", None]])
    form = {"catalogue": "t", "source_id": "t_src", "title": "T", "document_number": "1"}
    answer = client.post(
        "/api/v1/directory/catalogues",
        data=form,
        files={"file": ("t.xlsx", content)},
        headers=headers["demo-admin"],
    )
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert (problem["sheet"], problem["row"], problem["column"]) == ("目录", 2, "来源")
    refused = client.post(
        "/api/v1/directory/catalogues",
        data=form,
        files={"file": ("t.xlsx", content)},
        headers=headers["demo-enterprise"],
    )
    assert refused.status_code == 403
    assert _stored(directory_store) == before  # no edition, no audit entry
    good = workbook([["序号", "技术名称", "行业"], [1, "甲", "建材"]])
    made = client.post(
        "/api/v1/directory/catalogues",
        data=form | {"valid_from": "2024-01-01"},
        files={"file": ("t.xlsx", good)},
        headers=headers["demo-admin"],
    )
    assert made.status_code == 201, made.text
    assert made.json()["state"] == "draft" and made.json()["rows"] == 1
    bad_date = client.post(
        "/api/v1/directory/catalogues",
        data=form | {"valid_from": "2024-13-01"},
        files={"file": ("t.xlsx", good)},
        headers=headers["demo-admin"],
    )
    assert bad_date.status_code == 422


def test_recording_a_use(http: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, headers = http
    register = client.get("/api/v1/opportunities", headers=headers["demo-admin"]).json()["items"]
    motor = next(o for o in register if o["measure"] == "motor_replacement")
    path = f"/api/v1/directory/opportunities/{motor['opportunity_id']}"
    done = client.put(
        path, json={"technology": "demo_illustrative:1"}, headers=headers["demo-admin"]
    )
    assert done.status_code == 200 and done.json()["technology"] == "demo_illustrative:1"
    assert (
        client.put(path, json={"technology": "x:9"}, headers=headers["demo-admin"]).status_code
        == 422
    )
    assert client.put(path, json={}, headers=headers["demo-admin"]).status_code == 422
    assert (
        client.put(path, json={"technology": None}, headers=headers["demo-regulator"]).status_code
        == 403
    )
    missing = client.put(
        "/api/v1/directory/opportunities/999999", json={"technology": None},
        headers=headers["demo-admin"],
    )  # fmt: skip
    assert missing.status_code == 404
    assert client.put(path, json={"technology": None}, headers=headers["demo-admin"]).json() == {
        "opportunity_id": motor["opportunity_id"],
        "technology": None,
    }


def test_the_payloads_say_which_entries_are_illustrative(
    http: tuple[TestClient, dict[str, dict[str, str]]], directory_store: DirectoryStore
) -> None:
    client, headers = http
    found = client.get("/api/v1/directory/search", headers=headers["demo-admin"]).json()
    flags = {r["key"]: r["illustrative"] for r in found["results"]}
    assert flags["demo_illustrative:2"] is True and flags["mot_2021:1"] is False
    made = client.post(
        "/api/v1/diagnoses", json={"plant": directory_store.plant}, headers=headers["demo-admin"]
    )
    assert made.status_code == 200, made.text
    candidates = [t for ts in made.json()["technologies"].values() for t in ts]
    assert candidates and all(t["illustrative"] is True for t in candidates)
