"""The compliance ledger over the API (issue 21, part 3): the authorities record obligations
and allocations, an enterprise its surrenders; refusals name the rule and write nothing; the
positions add up, per enterprise and by sector."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import STEEL, Api


def _post(api: Api, who: str, body: dict[str, Any]) -> Any:
    return api.client.post("/api/v1/market/entries", headers=api.headers(who), json=body)


def test_a_year_recorded_surrendered_and_seen(api: Api) -> None:
    hebei = [
        {"day": "2025-08-31", "kind": "obligation", "holder": STEEL, "amount": 1000, "year": 2024},
        {"day": "2025-10-20", "kind": "allocated", "holder": STEEL, "amount": 980, "vintage": 2024},
    ]
    for body in hebei:
        answer = _post(api, "hebei", body)
        assert answer.status_code == 201, answer.text
    surrender = {
        "day": "2025-12-01",
        "kind": "surrendered",
        "holder": STEEL,
        "amount": 980,
        "vintage": 2024,
        "year": 2024,
    }
    assert _post(api, "hebei", surrender).status_code == 403  # not a regulator's entry
    assert _post(api, "group", surrender).status_code == 201
    too_much = {"day": "2025-12-02", "kind": "offset", "holder": STEEL, "amount": 51, "year": 2024}
    refused = _post(api, "group", too_much)
    assert refused.status_code == 422 and "5" in refused.text  # the 5 % cap of 1,000 t
    assert _post(api, "group", {**too_much, "amount": 20}).status_code == 201
    position = api.client.get(
        f"/api/v1/market/positions/{STEEL}?year=2024&on=2026-01-05", headers=api.headers("hebei")
    ).json()
    assert position["obligation_t"] == "1000" and position["surrendered_t"] == "980"
    assert position["offset_t"] == "20" and position["shortfall_t"] == "0"
    assert not position["late"] and len(position["entries"]) == 4
    overview = api.client.get(
        "/api/v1/market/positions?year=2024&on=2026-01-05", headers=api.headers("hebei")
    ).json()
    (steel,) = overview["sectors"]
    assert steel == {"sector": "steel", "emitters": 1, "short": 0, "late": 0, "shortfall_t": "0"}
    inner = api.client.get(
        "/api/v1/market/positions?year=2024", headers=api.headers("neimenggu")
    ).json()
    assert inner["positions"] == []


def test_entries_out_of_order_tiny_or_future(api: Api) -> None:
    """Registry records arrive late and from several holders: an entry dated before the last
    one is checked against the ledger as it stood on its day, and refused only if it breaks the
    same holder's later entries; a future day and an amount below the store's precision are
    refused, and the ledger keeps working after them."""
    from tests.api.conftest import CEMENT

    allocated = {
        "day": "2025-10-20",
        "kind": "allocated",
        "holder": STEEL,
        "amount": 100,
        "vintage": 2024,
    }
    assert _post(api, "hebei", allocated).status_code == 201
    assert (
        _post(api, "hebei", {**allocated, "holder": CEMENT, "day": "2025-06-01"}).status_code == 201
    )
    sold = {"day": "2025-11-01", "kind": "sold", "holder": STEEL, "amount": 100, "vintage": 2024}
    assert _post(api, "group", sold).status_code == 201
    early = {"day": "2025-10-25", "kind": "sold", "holder": STEEL, "amount": 1, "vintage": 2024}
    refused = _post(api, "group", early)  # 1 sold before would leave 99 for the 100 sold later
    assert refused.status_code == 422 and "later entry" in refused.text
    future = _post(api, "hebei", {**allocated, "day": "2099-12-31"})
    assert future.status_code == 422 and "after today" in future.text
    tiny = _post(api, "hebei", {**allocated, "amount": 0.0000004})
    assert tiny.status_code == 422
    position = api.client.get(
        f"/api/v1/market/positions/{STEEL}?year=2024&on=2026-01-05", headers=api.headers("hebei")
    )
    assert position.status_code == 200 and position.json()["held_t"] == {}


def test_an_obligation_before_the_sector_entered_the_market(api: Api) -> None:
    """Review finding 24: a 2023 obligation of a steelworks is refused from the library's rows
    (steel's first compliance year, 2024), placed and named; 2024 is taken."""
    entry = {"day": "2025-08-31", "kind": "obligation", "holder": STEEL, "amount": 500}
    early = api.client.post(
        "/api/v1/market/entries", headers=api.headers("hebei"), json=entry | {"year": 2023}
    )
    assert early.status_code == 422
    [problem] = early.json()["detail"]
    assert problem["field"] == "kind"
    assert "not in the national carbon market in 2023" in problem["message"]
    assert "compliance years from 2024" in problem["message"]
    taken = api.client.post(
        "/api/v1/market/entries", headers=api.headers("hebei"), json=entry | {"year": 2024}
    )
    assert taken.status_code == 201, taken.text
