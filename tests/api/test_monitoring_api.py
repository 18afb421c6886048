"""GET /api/v1/monitoring/status: the hand-worked lake's figures (tests/monitoring/test_status),
each caller seeing its scope's part of them; an empty lake is an empty view, not an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.monitoring.test_status import build_lake

from .conftest import ALUMINIUM, CEMENT, Api

URL = "/api/v1/monitoring/status"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A is the cement works (Tangshan, Hebei), B the aluminium works (Baotou, Inner Mongolia)
    return build_lake(tmp_path_factory.mktemp("monitoring-api"), CEMENT, ALUMINIUM)


def test_the_figures_by_hand_in_each_scope(
    api: Api, lake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARBONPEAK_LAKE", str(lake))
    body = api.client.get(URL, headers=api.headers("admin")).json()
    assert body["now"].startswith("2024-01-10T04:00:00") and body["clock"] == "lake"
    assert (body["yesterday"], body["history_start"]) == ("2024-01-09", "2023-12-11")
    threshold = body["threshold"]
    assert (threshold["value"], threshold["parameter"], threshold["status"]) == (
        0.9,
        "completeness_min",
        "unverified",
    )
    assert threshold["source_id"] == "mon_notes_policy"
    cement, aluminium = body["enterprises"]
    assert (cement["enterprise_id"], cement["region_code"]) == (CEMENT, "130200")
    assert (cement["expected_yesterday"], cement["received_yesterday"]) == (144, 119)
    assert cement["completeness_yesterday"] == round(119 / 144, 6)
    assert not cement["passes_yesterday"] and aluminium["passes_yesterday"]
    assert (cement["silent_meters"], cement["anomalies"]) == (1, 1)
    assert body["totals"]["completeness_yesterday"] == round(143 / 168, 6)
    # only the silent meter, unless every meter is asked for
    assert [m["meter_id"] for m in body["meters"]] == ["A-S60"]
    assert body["meters"][0]["hours_since_last"] == 30.0
    every = api.client.get(URL, params={"meters": "true"}, headers=api.headers("admin")).json()
    assert [m["meter_id"] for m in every["meters"]] == ["A-E15", "A-G60", "A-S60", "B-E60"]
    [spike] = body["anomalies"]
    assert (spike["meter_id"], spike["score"]) == ("A-G60", 9900.0)
    # a longer silence allowed: nothing is silent
    longer = api.client.get(URL, params={"silent_hours": 36}, headers=api.headers("admin"))
    assert longer.json()["totals"]["silent_meters"] == 0 and longer.json()["meters"] == []
    seen = {
        who: [
            e["enterprise_id"]
            for e in api.client.get(URL, headers=api.headers(who)).json()["enterprises"]
        ]
        for who in ("hebei", "tangshan", "neimenggu", "cement", "group")
    }
    assert seen == {
        "hebei": [CEMENT],
        "tangshan": [CEMENT],
        "neimenggu": [ALUMINIUM],
        "cement": [CEMENT],
        "group": [CEMENT, ALUMINIUM],
    }
    hebei = api.client.get(URL, headers=api.headers("hebei")).json()
    assert hebei["anomalies"][0]["enterprise_id"] == CEMENT
    assert hebei["totals"]["enterprises"] == 1 and hebei["totals"]["meters"] == 3
    neimenggu = api.client.get(URL, headers=api.headers("neimenggu")).json()
    assert neimenggu["anomalies"] == [] and neimenggu["meters"] == []


def test_an_empty_lake_is_an_empty_view(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARBONPEAK_LAKE", str(tmp_path / "nothing-yet"))
    response = api.client.get(URL, headers=api.headers("hebei"))
    assert response.status_code == 200
    body = response.json()
    assert body["now"] is None and body["enterprises"] == [] and body["totals"] is None
    assert body["threshold"]["value"] == 0.9
    refused = api.client.get(URL, params={"silent_hours": 0}, headers=api.headers("hebei"))
    assert refused.status_code == 422
