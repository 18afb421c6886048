"""Policy applications over the API: an enterprise submits a capacity replacement, the verdict
is stored with it, the regulator of its region decides; a non-compliant approval needs a
comment; bad bodies are 422 naming the field; everything is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carbonpeak.store.models import AuditEntry

from .conftest import CEMENT, Api


def _swap(exit_t: float) -> dict[str, Any]:
    return {
        "kind": "swap",
        "enterprise_id": CEMENT,
        "body": {
            "sector": "cement",
            "application_date": "2025-03-01",
            "location": {"region_code": "130200"},
            "built": [{"equipment": "clinker_kiln", "capacity_t": 1_000_000}],
            "exit": [{"equipment": "clinker_kiln", "capacity_t": exit_t}],
            "reaches_benchmark": True,
        },
    }


def test_submit_and_decide(api: Api, engine: Engine) -> None:
    made = api.client.post(
        "/api/v1/applications", json=_swap(1_500_000), headers=api.headers("cement")
    )
    assert made.status_code == 201, made.text
    application = made.json()
    assert application["state"] == "submitted" and application["compliant"] is False
    assert application["verdict"]["required_ratio"] == 2.0  # 唐山: an air-pollution key region
    number = application["application_id"]
    url = f"/api/v1/applications/{number}/decision"
    refused = api.client.post(url, json={"decision": "approve"}, headers=api.headers("tangshan"))
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "comment"
    decided = api.client.post(
        url, json={"decision": "refuse", "comment": "补足 50 万吨"}, headers=api.headers("tangshan")
    )
    assert decided.status_code == 200 and decided.json()["state"] == "refused"
    again = api.client.post(
        url, json={"decision": "approve", "comment": "x"}, headers=api.headers("tangshan")
    )
    assert again.status_code == 409  # already refused: the transition table refuses it
    good = api.client.post(
        "/api/v1/applications", json=_swap(2_000_000), headers=api.headers("cement")
    ).json()
    assert good["compliant"] is True
    listed = api.client.get(
        "/api/v1/applications?state=submitted", headers=api.headers("hebei")
    ).json()
    assert [a["application_id"] for a in listed["items"]] == [good["application_id"]]
    assert (
        api.client.get("/api/v1/applications", headers=api.headers("neimenggu")).json()["items"]
        == []
    )
    with Session(engine) as session:
        actions = [
            a for (a,) in session.execute(select(AuditEntry.action).order_by(AuditEntry.seq))
        ]
    assert actions[-3:] == ["application.submit", "application.refuse", "application.submit"]


def test_bad_bodies_name_their_field(api: Api) -> None:
    body = _swap(1_500_000)
    body["body"]["built"][0]["capacity_t"] = -1
    response = api.client.post("/api/v1/applications", json=body, headers=api.headers("cement"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body.built.0.capacity_t"
    regulator = api.client.post("/api/v1/applications", json=_swap(1), headers=api.headers("hebei"))
    assert regulator.status_code == 403


def test_caps_over_the_api(api: Api) -> None:
    table = (
        b"region_code,year,value_added_10k_yuan,energy_tce\n"
        b"130000,2020,100,100\n130000,2021,110,105\n"
    )
    response = api.client.post(
        "/api/v1/caps/track", files={"file": ("r.csv", table)}, headers=api.headers("hebei")
    )
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert rows[1]["path_intensity"] == round(0.865 ** (1 / 5), 6)
    bad = api.client.post(
        "/api/v1/caps/track?target=none",
        files={"file": ("r.csv", table)},
        headers=api.headers("hebei"),
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "target"


def test_review_workflow_over_the_api(api: Api, engine: Engine) -> None:
    """Take, return with a comment, resubmit (linked), approve; each refused step is a 409."""
    regulator, applicant = api.headers("tangshan"), api.headers("cement")
    first = api.client.post("/api/v1/applications", json=_swap(2_000_000), headers=applicant)
    number = first.json()["application_id"]
    url = f"/api/v1/applications/{number}/decision"
    returned_early = api.client.post(
        url, json={"decision": "return", "comment": "x"}, headers=regulator
    )
    assert returned_early.status_code == 409  # a submitted one is taken for review first
    assert "only one under_review can" in returned_early.json()["detail"][0]["message"]
    taken = api.client.post(url, json={"decision": "take"}, headers=regulator)
    assert taken.status_code == 200 and taken.json()["state"] == "under_review"
    assert api.client.post(url, json={"decision": "take"}, headers=regulator).status_code == 409
    silent = api.client.post(url, json={"decision": "return"}, headers=regulator)
    assert silent.status_code == 422 and silent.json()["detail"][0]["field"] == "comment"
    back = api.client.post(
        url, json={"decision": "return", "comment": "补充退出产能证明"}, headers=regulator
    )
    assert back.json()["state"] == "returned" and back.json()["comment"] == "补充退出产能证明"
    late = api.client.post(url, json={"decision": "approve"}, headers=regulator)
    assert late.status_code == 409
    listed = api.client.get("/api/v1/applications?state=returned", headers=applicant).json()
    assert [a["application_id"] for a in listed["items"]] == [number]
    again = api.client.post(
        "/api/v1/applications", json=_swap(2_000_000) | {"resubmits": number}, headers=applicant
    )
    assert again.status_code == 201 and again.json()["resubmits"] == number
    assert again.json()["state"] == "submitted"
    twice = api.client.post(
        "/api/v1/applications", json=_swap(2_000_000) | {"resubmits": number}, headers=applicant
    )
    assert twice.status_code == 409  # the earlier one is resubmitted already
    states = {
        a["application_id"]: a["state"]
        for a in api.client.get("/api/v1/applications", headers=applicant).json()["items"]
    }
    assert states == {number: "resubmitted", again.json()["application_id"]: "submitted"}
    second = f"/api/v1/applications/{again.json()['application_id']}/decision"
    api.client.post(second, json={"decision": "take"}, headers=regulator)
    done = api.client.post(second, json={"decision": "approve"}, headers=regulator)
    assert done.status_code == 200 and done.json()["state"] == "approved"
    with Session(engine) as session:
        actions = [
            a for (a,) in session.execute(select(AuditEntry.action).order_by(AuditEntry.seq))
        ]
    assert actions[-7:] == [
        "application.submit",
        "application.take",
        "application.return",
        "application.resubmit",  # the earlier one closed, then the corrected one stored
        "application.submit",
        "application.take",
        "application.approve",
    ]
