"""The REST API: login, tenancy, all-or-nothing idempotent uploads, accounts and roll-ups."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.accounting.engine import account

from .conftest import ALUMINIUM, CEMENT, EXAMPLES, PASSWORD, STEEL, Api


def test_login_and_credentials(api: Api) -> None:
    client = api.client
    bad = client.post("/api/v1/auth/token", data={"username": "admin", "password": "wrong one"})
    assert bad.status_code == 401
    assert client.get("/api/v1/enterprises").status_code == 401
    forged = client.get("/api/v1/enterprises", headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401
    key = client.post("/api/v1/auth/api-keys", json={"name": "etl"}, headers=api.headers("group"))
    assert key.status_code == 201
    machine = {"Authorization": f"Bearer {key.json()['api_key']}"}
    assert client.get("/api/v1/enterprises", headers=machine).json()["total"] == 3


def test_each_caller_sees_its_own(api: Api) -> None:
    seen = {
        who: {
            e["enterprise_id"]
            for e in api.client.get("/api/v1/enterprises", headers=api.headers(who)).json()["items"]
        }
        for who in ("admin", "hebei", "tangshan", "neimenggu", "cement")
    }
    assert seen == {
        "admin": {CEMENT, STEEL, ALUMINIUM},
        "hebei": {CEMENT, STEEL},
        "tangshan": {CEMENT, STEEL},
        "neimenggu": {ALUMINIUM},
        "cement": {CEMENT},
    }
    # another tenant's enterprise answers exactly like one that does not exist
    other = api.client.get(f"/api/v1/enterprises/{STEEL}", headers=api.headers("cement"))
    absent = api.client.get("/api/v1/enterprises/91310000631696382C", headers=api.headers("cement"))
    assert other.status_code == absent.status_code == 404
    assert other.json()["detail"].startswith("no enterprise")


def test_register_enterprise(api: Api) -> None:
    body = {
        "enterprise_id": "91310000631696382C",
        "name": "宝山钢铁股份有限公司",
        "region_code": "310000",
        "industry_code": "3120",
    }
    assert (
        api.client.post("/api/v1/enterprises", json=body, headers=api.headers("hebei")).status_code
        == 403
    )
    created = api.client.post("/api/v1/enterprises", json=body, headers=api.headers("admin"))
    assert created.status_code == 201 and created.json() == body
    again = api.client.post("/api/v1/enterprises", json=body, headers=api.headers("admin"))
    assert again.status_code == 422
    bad = api.client.post(
        "/api/v1/enterprises",
        headers=api.headers("admin"),
        json={**body, "enterprise_id": "91310000631696382D", "region_code": "999999"},
    )
    fields = {p["field"]: p["message"] for p in bad.json()["detail"]}
    assert bad.status_code == 422
    assert "expected 'C'" in fields["enterprise_id"] and "999999" in fields["region_code"]


def _upload(api: Api, who: str, content: bytes, name: str = "activity.csv") -> object:
    return api.client.post(
        "/api/v1/submissions", headers=api.headers(who), files={"file": (name, content, "text/csv")}
    )


def test_upload_is_idempotent_and_accounts_match_the_engine(api: Api) -> None:
    content = (EXAMPLES / "activity.csv").read_bytes()
    first = _upload(api, "group", content)
    assert first.status_code == 201, first.text
    made = first.json()["submissions"]
    assert len(made) == 4 and all(s["created"] and s["version"] == 1 for s in made)
    second = _upload(api, "group", content).json()["submissions"]
    assert [s["submission_id"] for s in second] == [s["submission_id"] for s in made]
    assert not any(s["created"] for s in second)
    result = api.client.get(
        f"/api/v1/enterprises/{CEMENT}/accounts?period=2023", headers=api.headers("cement")
    ).json()["results"][0]
    activity = pd.read_csv(EXAMPLES / "activity.csv", dtype=str, keep_default_na=False)
    enterprises = pd.read_csv(EXAMPLES / "enterprises.csv", dtype=str)
    expected = account(activity, enterprises).totals.set_index(["enterprise_id", "period"])
    assert result["co2e_t"] == pytest.approx(expected.loc[(CEMENT, "2023"), "co2e_t"])
    assert result["energy_tce"] == pytest.approx(expected.loc[(CEMENT, "2023"), "energy_tce"])
    assert result["lines"][0]["references"] and result["warnings"]
    assert len(result["reference_digest"]) == 64
    # a changed file makes version 2; accounts follow the latest version
    changed = content.decode().replace(",118000,", ",120000,").encode()
    third = _upload(api, "group", changed).json()["submissions"]
    versions = {(s["enterprise_id"], s["period"]): (s["version"], s["created"]) for s in third}
    assert versions[(CEMENT, "2023")] == (2, True) and versions[(STEEL, "2023")] == (1, False)
    latest = api.client.get(
        f"/api/v1/enterprises/{CEMENT}/accounts", headers=api.headers("cement")
    ).json()["results"]
    assert [r["version"] for r in latest] == [2]
    assert latest[0]["energy_tce"] > result["energy_tce"]


def test_stored_accounts_carry_value_added_and_output(api: Api) -> None:
    # the stored detail JSON keeps them (no column): 4 200 x 10^4 yuan; 83 000 t of clinker
    content = (
        "enterprise_id,period,stream,item,amount,unit\n"
        f"{CEMENT},2025-03,fuel,diesel,5,t\n"
        f"{CEMENT},2025-03,product,clinker,83000,t\n"
        f"{CEMENT},2025-03,economic,value_added,4200,10^4 yuan\n"
        f"{CEMENT},2025-04,fuel,diesel,5,t\n"
    ).encode()
    assert _upload(api, "cement", content).status_code == 201
    results = api.client.get(
        f"/api/v1/enterprises/{CEMENT}/accounts", headers=api.headers("cement")
    ).json()["results"]
    by_period = {r["period"]: r for r in results}
    assert by_period["2025-03"]["value_added_10k_yuan"] == 4200.0
    assert by_period["2025-03"]["output"] == [{"item": "clinker", "amount": 83000.0, "unit": "t"}]
    assert by_period["2025-04"]["value_added_10k_yuan"] is None
    assert by_period["2025-04"]["output"] == []


def test_bad_upload_lists_every_problem_and_stores_nothing(api: Api) -> None:
    bad = (
        "enterprise_id,period,stream,item,amount,unit\n"
        f"{CEMENT},2023,fuel,diesel,5,t\n"
        f"{CEMENT},2023,fuel,unobtainium,5,t\n"
        f"{CEMENT},2023-13,fuel,diesel,-1,kWh\n"
    ).encode()
    response = _upload(api, "cement", bad, "mine.csv")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {(p["file"], p["row"], p["column"]) for p in detail} == {
        ("mine.csv", 3, "item"),
        ("mine.csv", 4, "period"),
        ("mine.csv", 4, "amount"),
        ("mine.csv", 4, "unit"),
    }
    accounts = api.client.get(
        f"/api/v1/enterprises/{CEMENT}/accounts", headers=api.headers("cement")
    )
    assert accounts.json()["results"] == []
    # an enterprise user cannot file for another enterprise: named as not existing
    other = _upload(api, "cement", (EXAMPLES / "activity.csv").read_bytes())
    assert other.status_code == 422
    assert {p["message"] for p in other.json()["detail"]} == {
        f"{STEEL}: no such enterprise",
        f"{ALUMINIUM}: no such enterprise",
    }
    assert _upload(api, "hebei", bad).status_code == 403
    wrong_type = _upload(api, "cement", b"x", "activity.pdf")
    assert wrong_type.status_code == 422


def test_json_rows_and_rollups(api: Api) -> None:
    rows = [
        {
            "enterprise_id": CEMENT,
            "period": "2023",
            "stream": "fuel",
            "item": "diesel",
            "amount": "100",
            "unit": "t",
        }
    ]
    made = api.client.post(
        "/api/v1/submissions/rows", json={"rows": rows}, headers=api.headers("cement")
    )
    assert made.status_code == 201, made.text
    before = api.client.get("/api/v1/rollups?by=province_code", headers=api.headers("hebei"))
    assert before.json()["rows"][0]["enterprises"] == 1
    _upload(api, "group", (EXAMPLES / "activity.csv").read_bytes())
    # the cached roll-up follows the store
    hebei = api.client.get(
        "/api/v1/rollups?by=province_code&year=2023", headers=api.headers("hebei")
    ).json()["rows"]
    assert [r["province_code"] for r in hebei] == ["130000"]
    assert hebei[0]["enterprises"] == 2
    admin = api.client.get("/api/v1/rollups?by=province_code", headers=api.headers("admin"))
    provinces = {(r["province_code"], r["period"]) for r in admin.json()["rows"]}
    assert provinces == {("130000", "2023"), ("130000", "2024-01"), ("150000", "2023")}
    total = sum(r["co2e_t"] for r in admin.json()["rows"])
    by_region = api.client.get("/api/v1/rollups?by=region_code", headers=api.headers("admin"))
    assert sum(r["co2e_t"] for r in by_region.json()["rows"]) == pytest.approx(total)
    assert (
        api.client.get("/api/v1/rollups?by=colour", headers=api.headers("admin")).status_code == 422
    )


def test_reference_and_users(api: Api) -> None:
    tables = api.client.get("/api/v1/reference/tables", headers=api.headers("cement")).json()
    assert any(t["table"] == "efficiency_levels" for t in tables["tables"])
    levels = api.client.get(
        "/api/v1/reference/tables/efficiency_levels?as_of=2024-01-01", headers=api.headers("cement")
    ).json()
    assert {r["area"]: r["baseline"] for r in levels["rows"]}["ferrosilicon"] == 1850
    assert (
        api.client.get("/api/v1/reference/tables/nope", headers=api.headers("cement")).status_code
        == 404
    )
    assert api.client.get("/api/v1/users", headers=api.headers("hebei")).status_code == 403
    users = api.client.get("/api/v1/users", headers=api.headers("admin")).json()["items"]
    assert {u["username"] for u in users} >= {"admin", "hebei", "cement"}
    regulators = api.client.get(
        "/api/v1/users?role=regulator&limit=2", headers=api.headers("admin")
    ).json()
    assert regulators["total"] == 3 and len(regulators["items"]) == 2
    json.dumps(users)  # plain JSON
    made = api.client.post(
        "/api/v1/users",
        headers=api.headers("admin"),
        json={"username": "new", "role": "regulator", "password": "short", "regions": []},
    )
    assert made.status_code == 422
    assert {p["field"] for p in made.json()["detail"]} == {"password", "region"}


def test_review_workflow(api: Api) -> None:
    made = api.client.post(
        "/api/v1/submissions/rows",
        headers=api.headers("cement"),
        json={
            "rows": [
                {
                    "enterprise_id": CEMENT,
                    "period": "2023",
                    "stream": "fuel",
                    "item": "diesel",
                    "amount": "7",
                    "unit": "t",
                }
            ]
        },
    ).json()["submissions"][0]
    sid = made["submission_id"]
    url = f"/api/v1/submissions/{sid}"
    pending = api.client.get("/api/v1/submissions?state=submitted", headers=api.headers("hebei"))
    assert [s["submission_id"] for s in pending.json()["items"]] == [sid]
    assert (
        api.client.post(f"{url}/approve", json={}, headers=api.headers("hebei")).status_code == 422
    )
    no_reason = api.client.post(f"{url}/return", json={}, headers=api.headers("hebei"))
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["field"] == "comment"
    verified = api.client.post(f"{url}/verify", json={}, headers=api.headers("hebei"))
    assert verified.json()["state"] == "verified"
    approved = api.client.post(
        f"{url}/approve", json={"comment": "fine"}, headers=api.headers("hebei")
    )
    assert (approved.status_code, approved.json()["state"]) == (200, "approved")
    assert api.client.post(f"{url}/dance", json={}, headers=api.headers("hebei")).status_code == 422
    mine = api.client.get("/api/v1/submissions", headers=api.headers("cement")).json()
    assert [s["state"] for s in mine["items"]] == ["approved"]


def _wait(api: Api, url: str, who: str) -> dict:  # type: ignore[type-arg]
    import time

    for _ in range(200):
        job = api.client.get(url, headers=api.headers(who)).json()
        if job["state"] in ("done", "failed"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"job did not finish: {job}")


def test_background_submission_jobs(api: Api) -> None:
    started = api.client.post(
        "/api/v1/jobs/submissions",
        headers=api.headers("group"),
        files={"file": ("activity.csv", (EXAMPLES / "activity.csv").read_bytes(), "text/csv")},
    )
    assert started.status_code == 202
    body = started.json()
    assert body["state"] == "queued" and body["status"] == f"/api/v1/jobs/{body['job_id']}"
    done = _wait(api, body["status"], "group")
    assert done["state"] == "done" and len(done["outcome"]["submissions"]) == 4
    assert api.client.get(body["status"], headers=api.headers("cement")).status_code == 404
    bad = api.client.post(
        "/api/v1/jobs/submissions",
        headers=api.headers("cement"),
        files={"file": ("x.csv", b"enterprise_id,period\nx,2023\n", "text/csv")},
    ).json()
    failed = _wait(api, bad["status"], "cement")
    assert failed["state"] == "failed"
    assert {p["column"] for p in failed["outcome"]["problems"]} == {
        "stream",
        "item",
        "amount",
        "unit",
    }


def test_sites_and_grades(api: Api) -> None:
    site = {
        "site_id": "CEM-1",
        "name": "窑线一厂",
        "region_code": "130200",
        "units": [
            {
                "unit_id": "CEM-1-K1",
                "process": "clinker_kiln",
                "product": "clinker",
                "capacity": 4000,
                "capacity_unit": "t/d",
            }
        ],
    }
    url = f"/api/v1/enterprises/{CEMENT}/sites"
    assert api.client.post(url, json=site, headers=api.headers("cement")).status_code == 201
    again = api.client.post(url, json=site, headers=api.headers("cement"))
    assert again.status_code == 422
    assert {p["field"] for p in again.json()["detail"]} == {"site_id", "units"}
    bad = api.client.post(
        url,
        headers=api.headers("cement"),
        json={
            **site,
            "site_id": "CEM-2",
            "region_code": "999999",
            "units": [
                {
                    **site["units"][0],
                    "unit_id": "CEM-2-K1",
                    "product": "unobtainium",
                    "capacity_unit": "tonnez",
                }
            ],
        },
    )
    fields = {p["field"] for p in bad.json()["detail"]}
    assert fields == {"region_code", "units.0.product", "units.0.capacity_unit"}
    listed = api.client.get(url, headers=api.headers("hebei")).json()["items"]
    assert [s["site_id"] for s in listed] == ["CEM-1"]
    assert listed[0]["units"][0]["capacity"] == 4000
    # grades come from the stored rows of the latest version
    _upload(api, "group", (EXAMPLES / "activity.csv").read_bytes())
    grades = api.client.get(
        f"/api/v1/enterprises/{CEMENT}/grades?period=2023", headers=api.headers("cement")
    ).json()["results"]
    assert [(g["area"], g["grade"]) for g in grades] == [("cement_clinker", "benchmark")]
    assert (
        api.client.get(
            f"/api/v1/enterprises/{CEMENT}/grades?period=2020", headers=api.headers("cement")
        ).status_code
        == 404
    )


def test_store_outage_is_a_503_not_a_traceback(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from carbonpeak.api.app import create_app
    from carbonpeak.store.db import make_engine, upgrade

    path = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    client = TestClient(create_app(engine))
    path.unlink()
    path.mkdir()  # the file is gone and cannot be created: every new connection fails
    engine.dispose()
    response = client.post("/api/v1/auth/token", data={"username": "a", "password": "b"})
    assert response.status_code == 503
    assert response.json() == {"detail": "the store is unavailable; try again later"}
    client.close()
    engine.dispose()


def test_logout_revokes_the_token(api: Api) -> None:
    token = api.client.post(
        "/api/v1/auth/token", data={"username": "cement", "password": PASSWORD}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/enterprises", headers=headers).status_code == 200
    assert api.client.post("/api/v1/auth/logout", headers=headers).json()["revoked"] is True
    after = api.client.get("/api/v1/enterprises", headers=headers)
    assert after.status_code == 401 and after.json()["detail"] == "token expired or revoked"


def test_drafts_are_submitted_by_their_enterprise(api: Api) -> None:
    rows = [
        {
            "enterprise_id": CEMENT,
            "period": "2022",
            "stream": "fuel",
            "item": "diesel",
            "amount": "9",
            "unit": "t",
        }
    ]
    made = api.client.post(
        "/api/v1/submissions/rows?draft=true", json={"rows": rows}, headers=api.headers("cement")
    ).json()["submissions"][0]
    assert made["state"] == "draft"
    url = f"/api/v1/submissions/{made['submission_id']}"
    # a draft is its enterprise's own: to a regulator it does not exist yet
    early = api.client.post(f"{url}/verify", json={}, headers=api.headers("hebei"))
    assert early.status_code == 404
    assert (
        api.client.post(f"{url}/submit", json={}, headers=api.headers("hebei")).status_code == 404
    )
    admin = api.client.post(f"{url}/verify", json={}, headers=api.headers("admin"))
    assert (
        admin.status_code == 422 and "cannot verify a draft" in admin.json()["detail"][0]["message"]
    )
    sent = api.client.post(f"{url}/submit", json={}, headers=api.headers("cement"))
    assert (sent.status_code, sent.json()["state"]) == (200, "submitted")
    verified = api.client.post(f"{url}/verify", json={}, headers=api.headers("hebei"))
    assert verified.json()["state"] == "verified"


def test_nul_characters_are_refused_where_they_are(api: Api) -> None:
    """PostgreSQL cannot store a NUL character: every way in names the field instead of
    failing in the store (found by the schema fuzzer on the login form)."""
    login = api.client.post("/api/v1/auth/token", data={"username": "\x00", "password": "x"})
    assert login.status_code == 422
    [problem] = login.json()["detail"]
    assert (problem["field"], problem["message"]) == ("body.username", "contains a NUL character")
    rows = [
        {
            "enterprise_id": CEMENT,
            "period": "2023",
            "stream": "fuel",
            "item": "diesel",
            "amount": "1",
            "unit": "t",
            "area": "kiln\x00",
        }
    ]
    posted = api.client.post(
        "/api/v1/submissions/rows", json={"rows": rows}, headers=api.headers("cement")
    )
    assert posted.status_code == 422
    assert posted.json()["detail"][0]["field"] == "body.rows.0.area"
    query = api.client.get("/api/v1/rollups?by=region%00", headers=api.headers("admin"))
    assert query.status_code == 422 and query.json()["detail"][0]["field"] == "query.by"
    upload = _upload(
        api,
        "cement",
        f"enterprise_id,period,stream,item,amount,unit\n{CEMENT},2023,fuel,diesel,5\x00,t\n".encode(),
        "nul.csv",
    )
    assert upload.status_code == 422
    assert [(p["file"], p["row"], p["column"]) for p in upload.json()["detail"]] == [
        ("nul.csv", 2, "amount")
    ]
