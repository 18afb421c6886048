"""The dual-credit endpoints: a regulator records the year's results, automakers trade and
settle, each sees what is theirs; refused entries are 422 with the reason and store nothing;
the ledger table refuses UPDATE and DELETE in the database itself (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from carbonpeak.domain.uscc import make_uscc
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise

from .conftest import PASSWORD, Api

MAKER_A, MAKER_B = make_uscc("91130200MA0AAAAA1"), make_uscc("91130200MA0BBBBB2")


@pytest.fixture
def makers(api: Api, engine: Engine) -> Api:
    with transaction(engine) as session:
        for code, name, group in ((MAKER_A, "A 汽车", "group-a"), (MAKER_B, "B 汽车", "group-b")):
            session.add(
                Enterprise(
                    enterprise_id=code,
                    name=name,
                    region_code="130200",
                    industry_code="3612",
                    affiliate_group=group,
                )
            )
        add_user(session, "maker-a", "automaker", PASSWORD, enterprises=[MAKER_A])
        add_user(session, "maker-b", "automaker", PASSWORD, enterprises=[MAKER_B])
    for name in ("maker-a", "maker-b"):
        response = api.client.post(
            "/api/v1/auth/token", data={"username": name, "password": PASSWORD}
        )
        api.tokens[name] = response.json()["access_token"]
    return api


def _post(api: Api, who: str, **entry: object) -> tuple[int, dict]:
    response = api.client.post("/api/v1/credits/entries", json=entry, headers=api.headers(who))
    return response.status_code, response.json()


def test_results_trades_and_offsets(makers: Api) -> None:
    api = makers
    assert (
        _post(
            api,
            "tangshan",
            day="2023-07-01",
            kind="earn",
            credit="nev",
            vintage=2022,
            amount=1000,
            entity=MAKER_A,
        )[0]
        == 201
    )
    assert (
        _post(
            api,
            "tangshan",
            day="2023-07-01",
            kind="deficit",
            credit="nev",
            vintage=2022,
            amount=300,
            entity=MAKER_B,
        )[0]
        == 201
    )
    code, body = _post(
        api,
        "maker-a",
        day="2023-07-02",
        kind="earn",
        credit="nev",
        vintage=2022,
        amount=5,
        entity=MAKER_A,
    )
    assert code == 403  # an automaker does not record its own results
    code, body = _post(
        api,
        "maker-a",
        day="2023-07-03",
        kind="trade",
        credit="nev",
        vintage=2022,
        amount=400,
        entity=MAKER_A,
        counterparty=MAKER_B,
        price=1128,
    )
    assert code == 201 and body["entry_id"] == 3
    code, body = _post(
        api,
        "maker-b",
        day="2023-07-04",
        kind="trade",
        credit="nev",
        vintage=2022,
        amount=100,
        entity=MAKER_B,
        counterparty=MAKER_A,
        price=900,
    )
    assert code == 422 and "refused" in body["detail"][0]["message"]  # bought: not for resale
    assert (
        _post(
            api,
            "maker-b",
            day="2023-07-05",
            kind="offset",
            credit="nev",
            vintage=2022,
            amount=300,
            entity=MAKER_B,
            settles=2022,
            settles_credit="nev",
        )[0]
        == 201
    )
    code, _ = _post(
        api,
        "maker-a",
        day="2023-07-06",
        kind="trade",
        credit="nev",
        vintage=2022,
        amount=1,
        entity=MAKER_B,
        counterparty=MAKER_A,
        price=1,
    )
    assert code == 404  # not its enterprise: as if it did not exist
    mine = api.client.get("/api/v1/credits/ledger?as_of=2023-12-31", headers=api.headers("maker-a"))
    assert mine.status_code == 200
    assert {(r["entity"], r["origin"], r["credits"]) for r in mine.json()["balances"]} == {
        (MAKER_A, "own", 600.0)
    }
    everything = api.client.get(
        "/api/v1/credits/ledger?as_of=2023-12-31", headers=api.headers("tangshan")
    ).json()
    assert {(r["entity"], r["origin"]) for r in everything["balances"]} == {
        (MAKER_A, "own"),
        (MAKER_B, "bought"),
    }
    assert everything["ratios"] == {"2022": pytest.approx(1000 / 300, rel=1e-3)}
    assert len(everything["entries"]) == 4
    assert (
        api.client.get("/api/v1/credits/ledger", headers=api.headers("cement")).status_code == 403
    )


def test_the_ledger_table_is_append_only(makers: Api, engine: Engine) -> None:
    assert (
        _post(
            makers,
            "tangshan",
            day="2023-07-01",
            kind="earn",
            credit="cafc",
            vintage=2022,
            amount=10,
            entity=MAKER_A,
        )[0]
        == 201
    )
    for statement in ("UPDATE credit_entries SET amount = 1e9", "DELETE FROM credit_entries"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))


def test_compute_and_plan(makers: Api) -> None:
    api = makers
    fleet = (
        "enterprise_id,year,model_id,powertrain,curb_mass_kg,seat_rows,"
        "fuel_consumption_l_per_100km,electric_range_km,volume\n"
        f"{MAKER_A},2022,M1,ice,1500,2,6,,50000\n{MAKER_A},2022,M2,bev,1600,2,,500,9000\n"
    )
    response = api.client.post(
        "/api/v1/credits/compute?year=2022",
        files={"file": ("fleet.csv", fleet.encode())},
        headers=api.headers("maker-a"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["enterprises"][0]["cafc_actual"] == round(
        6 * 50000 / (50000 + 1.8 * 9000), 2
    )
    bad = fleet.replace("bev,1600", "steam,1600")
    response = api.client.post(
        "/api/v1/credits/compute?year=2022",
        files={"file": ("fleet.csv", bad.encode())},
        headers=api.headers("maker-a"),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["row"] == 3
    plan = {
        "enterprise_id": MAKER_A,
        "years": [2024],
        "total": {"2024": 100000},
        "lines": [
            {
                "name": "ice",
                "powertrain": "ice",
                "curb_mass_kg": 1450,
                "fuel_consumption_l_per_100km": 6.2,
                "volume": {"2024": [0, 100000]},
            },
            {
                "name": "bev",
                "powertrain": "bev",
                "curb_mass_kg": 1750,
                "electric_range_km": 500,
                "volume": {"2024": [0, 60000]},
                "cost": {"2024": 6000},
            },
        ],
        "prices": {"buy": {"2024": 1500}},
    }
    response = api.client.post("/api/v1/credits/plan", json=plan, headers=api.headers("maker-a"))
    assert response.status_code == 200, response.text
    assert response.json()["years"][0]["volumes"]["bev"] > 0
    plan["lines"][0]["curb_mass_kg"] = "heavy"
    response = api.client.post("/api/v1/credits/plan", json=plan, headers=api.headers("maker-a"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "lines.0.curb_mass_kg"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": True}, "amount"),  # not 1
        ({"vintage": True}, "vintage"),
        ({"day": "0001-01-01"}, "day"),
        ({"carryable": 0}, "carryable"),
        ({"colour": "red"}, "colour"),  # unknown keys are refused, not ignored
    ],
)
def test_a_ledger_entry_is_read_strictly(makers: Api, change: dict, field: str) -> None:
    entry = {
        "day": "2023-07-01",
        "kind": "earn",
        "credit": "nev",
        "vintage": 2022,
        "amount": 1000,
        "entity": MAKER_A,
        **change,
    }
    code, body = _post(makers, "tangshan", **entry)
    assert code == 422, body
    assert field in str(body["detail"])
