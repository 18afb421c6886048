"""`/api/v1/green` on both stores: an enterprise's certificates with their expiry, another's
404, the regulator's summary and motors, the exports as files, a list imported as a draft
(201) and bad input answered 422 with its place (nothing stored), 403 without the duty."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from carbonpeak.api.app import create_app
from carbonpeak.store.db import transaction
from carbonpeak.store.models_reference import ReferenceEdition
from tests.green.cases import CEMENT, GLASS, PASSWORD, build

USERS = ("cement", "glass", "hebei", "editor")


@pytest.fixture
def client(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    monkeypatch.setenv("CARBONPEAK_LAKE", str(tmp_path / "lake"))
    build(engine)
    client = TestClient(create_app(engine))
    headers = {}
    for name in USERS:
        answer = client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
        headers[name] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    yield client, headers
    client.close()


def test_reads(client: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    http, who = client
    answer = http.get(f"/api/v1/green/enterprises/{CEMENT}", headers=who["cement"])
    assert answer.status_code == 200, answer.text
    expiry = {e["key"]: (e["status"], e["days_left"]) for e in answer.json()["entries"]}
    assert expiry["GBM-A"] == ("expiring", 30) and expiry["GBM-C"] == ("expired", -1)
    assert http.get(f"/api/v1/green/enterprises/{CEMENT}", headers=who["glass"]).status_code == 404
    answer = http.get("/api/v1/green/certificates?limit=3&offset=0", headers=who["hebei"])
    assert (answer.json()["total"], len(answer.json()["entries"])) == (4, 3)  # GBM-A..D
    answer = http.get("/api/v1/green/summary?by=industry", headers=who["hebei"])
    assert answer.json()["unmatched_count"] == 1
    assert answer.status_code == 200
    assert [g["code"] for g in answer.json()["groups"]] == ["30"]
    answer = http.get("/api/v1/green/motors", headers=who["hebei"])
    assert answer.status_code == 200 and answer.json()["total"]["motors"] == 3
    assert answer.json()["target"]["source_id"] == "mot_2021_45"
    total = answer.json()["total"]
    assert answer.json()["target"]["basis"] == "unstated" and total["meets_target"] is None
    assert (total["known_motors"], total["count_by_grade"]["unknown"]) == (2, 1)
    assert "green.motors.basis_unstated" in {w["code"] for w in answer.json()["warnings"]}
    for bad in (
        "/api/v1/green/summary?within_days=-1",
        "/api/v1/green/summary?by=county",
        "/api/v1/green/motors?to_grade=3",
        "/api/v1/green/certificates?on=2026-02-30",
        "/api/v1/green/exports/other",
        "/api/v1/green/certificates?limit=0",
    ):
        assert http.get(bad, headers=who["hebei"]).status_code == 422, bad
    assert http.get("/api/v1/green/summary").status_code == 401


def test_exports(client: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    http, who = client
    answer = http.get("/api/v1/green/exports/certificates?format=csv", headers=who["cement"])
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    table = rows[1 : rows.index([])]  # the notes follow an empty row
    assert sorted(r[1] for r in table) == ["GBM-A", "GBM-B", "GBM-C"]
    answer = http.get("/api/v1/green/exports/motors?format=xlsx&by=region", headers=who["hebei"])
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).worksheets[0]
    assert [r[0] for r in sheet.iter_rows(values_only=True)][1:] == ["130100", "total"]


def test_import(client: tuple[TestClient, dict[str, dict[str, str]]], engine: Engine) -> None:
    http, who = client
    good = (
        "证书编号,统一社会信用代码,企业名称,产品类别,证书等级,发证日期,有效期至\n"
        f"GBM-G,{GLASS},玻璃厂,建筑节能玻璃,二星级,2025-01-01,2028-01-01\n"
    ).encode()
    form = {"kind": "building_material", "source_id": "gbm_api", "title": "测试", "note": "test"}
    answer = http.post(
        "/api/v1/green/lists",
        headers=who["editor"],
        data=form,
        files={"file": ("list.csv", good, "text/csv")},
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["state"], answer.json()["matched"]) == ("draft", 1)
    with transaction(engine) as session:
        before = session.scalar(select(func.count()).select_from(ReferenceEdition))
    bad = good.replace(b"2028-01-01", b"2024-12-31")
    answer = http.post(
        "/api/v1/green/lists",
        headers=who["editor"],
        data={**form, "source_id": "gbm_api_bad"},
        files={"file": ("bad.csv", bad, "text/csv")},
    )
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert (problem["file"], problem["row"], problem["field"]) == ("bad.csv", 2, "expires_on")
    answer = http.post(
        "/api/v1/green/lists",
        headers=who["hebei"],
        data={**form, "source_id": "gbm_api_2"},
        files={"file": ("list.csv", good, "text/csv")},
    )
    assert answer.status_code == 403
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(ReferenceEdition)) == before
