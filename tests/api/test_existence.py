"""Another tenant's object and an object that does not exist get the same answer, status and
body (the id asked for aside), from the API and from the dashboard: nothing tells a caller
that an id or a code exists, nor whose it is."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from carbonpeak.domain.uscc import make_uscc

from .conftest import ALUMINIUM, PASSWORD, Api
from .test_authorization import _application, _csv, _plant, _rows

MISSING_ID = 987654
MISSING_CODE = make_uscc("91150200399999999")  # a valid code no enterprise has
CALLERS = ("cement", "tangshan")  # neither may see ALUMINIUM (Inner Mongolia)


def _objects(api: Api) -> dict[str, str]:
    """One object of each kind, all of ALUMINIUM's, made by the administrator: kind -> id."""
    admin = api.headers("admin")
    submission = api.client.post(
        "/api/v1/submissions/rows", headers=admin, json={"rows": _rows(ALUMINIUM)}
    ).json()["submissions"][0]["submission_id"]
    application = api.client.post(
        "/api/v1/applications", headers=admin, json=_application(ALUMINIUM)
    ).json()["application_id"]
    opportunity = api.client.post(
        "/api/v1/diagnoses",
        headers=admin,
        json={"plant": _plant(ALUMINIUM), "to_register": True},
    ).json()["opportunity_ids"][0]
    job = api.client.post(
        "/api/v1/jobs/submissions",
        headers=admin,
        files={"file": ("a.csv", _csv(ALUMINIUM), "text/csv")},
    ).json()["job_id"]
    return {
        "submission": str(submission),
        "application": str(application),
        "opportunity": str(opportunity),
        "job": str(job),
        "enterprise": ALUMINIUM,
    }


# The API's requests on an object: method, path (with {id}), keywords of the request.
API: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "enterprise": [
        ("GET", "/api/v1/enterprises/{id}", {}),
        ("GET", "/api/v1/enterprises/{id}/accounts", {}),
        ("GET", "/api/v1/enterprises/{id}/accounts?period=2023", {}),
        ("GET", "/api/v1/enterprises/{id}/grades", {}),
        ("GET", "/api/v1/enterprises/{id}/grades?period=2023", {}),
        ("GET", "/api/v1/enterprises/{id}/sites", {}),
        (
            "POST",
            "/api/v1/enterprises/{id}/sites",
            {"json": {"site_id": "S-X", "name": "s", "region_code": "150200", "units": []}},
        ),
    ],
    "submission": [
        (
            "POST",
            f"/api/v1/submissions/{{id}}/{action}",
            {"json": {"comment": "ok"}},
        )
        for action in ("submit", "return", "verify", "approve")
    ],
    "application": [
        ("POST", "/api/v1/applications/{id}/decision", {"json": {"decision": "refuse"}}),
        ("POST", "/api/v1/applications/{id}/decision", {"json": {"decision": "approve"}}),
    ],
    "opportunity": [
        ("POST", "/api/v1/opportunities/{id}/state", {"json": {"state": "accepted"}}),
        ("POST", "/api/v1/opportunities/{id}/verify", {}),
    ],
    "job": [("GET", "/api/v1/jobs/{id}", {})],
}

# The dashboard's pages on an object.
WEB: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "enterprise": [
        ("GET", "/enterprises/{id}", {}),
        ("GET", "/enterprises/{id}?period=2023", {}),
        ("GET", "/enterprises/{id}/report.pdf", {}),
        ("GET", "/enterprises/{id}/report.xlsx", {}),
        ("GET", "/enterprises/{id}/streams.csv", {}),
        ("GET", "/enterprises/{id}/lines/2?period=2023", {}),
        ("GET", "/enterprises/{id}/monitoring", {}),
        ("GET", "/market/enterprises/{id}/plan.pdf?year=2025", {}),
        ("GET", "/market/enterprises/{id}/plan.xlsx?year=2025&version=1", {}),
    ],
    "submission": [
        ("POST", "/review/{id}", {"data": {"action": action}})
        for action in ("return", "verify", "approve")
    ],
    "application": [
        ("POST", "/applications/{id}/decision", {"data": {"decision": "refuse"}}),
    ],
    "opportunity": [
        ("POST", "/opportunities/{id}", {"data": {"action": "accepted"}}),
        ("POST", "/opportunities/{id}", {"data": {"action": "verify"}}),
    ],
}


def _missing(kind: str) -> str:
    return MISSING_CODE if kind == "enterprise" else str(MISSING_ID)


def _answer(client: TestClient, method: str, path: str, key: str, **kwargs: Any) -> tuple:
    response = client.request(method, path.replace("{id}", key), **kwargs)
    return response.status_code, response.content


def _differences(
    client: TestClient,
    requests: dict[str, list[tuple[str, str, dict[str, Any]]]],
    objects: dict,
    statuses: tuple[int, ...],
) -> list[tuple[Any, ...]]:
    different = []
    for kind, calls in requests.items():
        for method, path, kwargs in calls:
            other = _answer(client, method, path, objects[kind], **kwargs)
            status, body = _answer(client, method, path, _missing(kind), **kwargs)
            # the answer on a missing object, as if asked with the other tenant's id
            missing = status, body.replace(_missing(kind).encode(), objects[kind].encode())
            if other != missing or other[0] not in statuses:
                at = next(
                    (
                        i
                        for i, (a, b) in enumerate(zip(other[1], missing[1], strict=False))
                        if a != b
                    ),
                    min(len(other[1]), len(missing[1])),
                )
                where = slice(max(0, at - 60), at + 60)
                different.append((method, path, kwargs, other[0], missing[0], other[1][where]))
    return different


@pytest.mark.parametrize("caller", CALLERS)
def test_api_answers_alike_for_others_and_missing(api: Api, caller: str) -> None:
    objects = _objects(api)
    client = TestClient(api.client.app, headers=api.headers(caller))
    different = _differences(client, API, objects, (404,))
    assert not different, "\n".join(repr(d)[:400] for d in different)
    client.close()


@pytest.mark.parametrize("caller", CALLERS)
def test_pages_answer_alike_for_others_and_missing(api: Api, caller: str) -> None:
    objects = _objects(api)
    client = TestClient(api.client.app)
    signed = client.post(
        "/login",
        data={"username": caller, "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    # a page a role may not open at all (the review queue, for an enterprise) is 403
    statuses = (404,) if caller == "tangshan" else (403, 404)
    different = _differences(client, WEB, objects, statuses)
    assert not different, "\n".join(repr(d)[:400] for d in different)
    client.close()
