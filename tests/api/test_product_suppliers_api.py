"""An automaker's suppliers' footprints over the API (issue 22, item 4): a steel mill's PACT v3
file posted for the automaker's enterprise is kept and read back with the same PCF; a v2 file
is refused (422) placed at its item and field, a changed footprint under a held id (409), and
nothing is stored; another automaker gets 404 for the enterprise, a regulator reads (403 to
post)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine

from carbonpeak.domain.uscc import make_uscc
from carbonpeak.product.exchange import to_pact
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise
from tests.product.pact_cases import mill
from tests.product.test_suppliers import battery

from .conftest import PASSWORD, Api

MAKER_A, MAKER_B = make_uscc("91130200MA0AAAAA1"), make_uscc("91150200MA0BBBBB2")


@pytest.fixture
def makers(api: Api, engine: Engine) -> Api:
    with transaction(engine) as session:
        for code, region in ((MAKER_A, "130200"), (MAKER_B, "150200")):
            session.add(
                Enterprise(enterprise_id=code, name=code, region_code=region, industry_code="3612")
            )
        add_user(session, "maker-a", "automaker", PASSWORD, enterprises=[MAKER_A])
        add_user(session, "maker-b", "automaker", PASSWORD, enterprises=[MAKER_B])
    for name in ("maker-a", "maker-b"):
        answer = api.client.post(
            "/api/v1/auth/token", data={"username": name, "password": PASSWORD}
        )
        api.tokens[name] = answer.json()["access_token"]
    return api


def _post(api: Api, who: str, *objects: dict[str, Any], name: str = "answer.json") -> Any:
    content = json.dumps({"data": list(objects)}, ensure_ascii=False).encode()
    return api.client.post(
        f"/api/v1/product/suppliers/{MAKER_A}",
        headers=api.headers(who),
        files={"file": (name, content, "application/json")},
    )


def _held(api: Api, who: str = "maker-a") -> Any:
    return api.client.get(f"/api/v1/product/suppliers/{MAKER_A}", headers=api.headers(who))


def test_a_mills_file_goes_in_and_comes_back_with_its_pcf(makers: Api) -> None:
    sent = to_pact(mill())
    posted = _post(makers, "maker-a", sent, battery())
    assert posted.status_code == 201, posted.text
    assert posted.json()["stored"] == [sent["id"], battery()["id"]]
    held = _held(makers)
    assert held.status_code == 200, held.text
    found = {f["footprint_id"]: f for f in held.json()["footprints"]}
    steel = found[sent["id"]]
    assert steel["pcf_excluding_biogenic_kgco2e"] == sent["pcf"]["pcfExcludingBiogenicUptake"]
    assert steel["supplier"] == sent["companyName"] and steel["declared_unit"] == "kilogram"
    assert found[battery()["id"]]["classification"] == "un-cpc 4642"
    again = _post(makers, "maker-a", sent)
    assert again.status_code == 201 and again.json()["unchanged"] == [sent["id"]]
    assert _held(makers, "hebei").status_code == 200  # the region's regulator reads


def test_refusals_are_placed_and_store_nothing(makers: Api) -> None:
    old = to_pact(mill()) | {"specVersion": "2.2.0"}
    refused = _post(makers, "maker-a", battery(), old, name="v2.json")
    assert refused.status_code == 422
    (problem,) = refused.json()["detail"]
    assert (problem["file"], problem["row"], problem["field"]) == ("v2.json", 2, "specVersion")
    assert _post(makers, "maker-a", name="a.csv").status_code == 422  # not a JSON file
    assert _held(makers).json()["footprints"] == []
    assert _post(makers, "maker-a", to_pact(mill())).status_code == 201
    changed = to_pact(mill())
    changed["pcf"]["pcfExcludingBiogenicUptake"] = "1"
    conflict = _post(makers, "maker-a", battery(), changed)
    assert conflict.status_code == 409
    assert [(p["row"], p["field"]) for p in conflict.json()["detail"]] == [(2, "id")]
    assert len(_held(makers).json()["footprints"]) == 1


def test_another_automaker_neither_posts_nor_reads(makers: Api) -> None:
    assert _post(makers, "maker-b", to_pact(mill())).status_code == 404
    assert _held(makers, "maker-b").status_code == 404
    assert _post(makers, "hebei", to_pact(mill())).status_code == 403
    assert _held(makers).json()["footprints"] == []
