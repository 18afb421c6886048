"""The carbon-efficiency grade over the API, from stored official accounts with a value added:
each caller sees its own enterprises' grades and the means of their divisions only."""

from __future__ import annotations

import pytest

from tests.api.conftest import ALUMINIUM, CEMENT, STEEL, Api

LINES = "enterprise_id,period,stream,item,direction,amount,unit\n" + "".join(
    f"{e},2026,electricity,electricity,in,{mwh},MWh\n"
    f"{e},2026,economic,value_added,in,{va},10^4 yuan\n"
    for e, mwh, va in ((CEMENT, 1000, 500), (STEEL, 4000, 1000), (ALUMINIUM, 9000, 0))
)


def test_grades_come_from_the_accounts_and_are_seen_in_scope(api: Api) -> None:
    upload = api.client.post(
        "/api/v1/submissions",
        headers=api.headers("group"),
        files={"file": ("year.csv", LINES.encode(), "text/csv")},
    )
    assert upload.status_code in (200, 201), upload.text
    accounts = {
        e: api.client.get(f"/api/v1/enterprises/{e}/accounts", headers=api.headers("group")).json()[
            "results"
        ][0]["co2_t"]
        for e in (CEMENT, STEEL)
    }
    hebei = api.client.get(
        "/api/v1/benchmarking/carbon-efficiency?year=2026", headers=api.headers("hebei")
    )
    assert hebei.status_code == 200, hebei.text
    body = hebei.json()
    rows = {r["enterprise_id"]: r for r in body["results"]}
    assert set(rows) == {CEMENT, STEEL}  # the aluminium smelter is in Inner Mongolia
    # L = CO2 / value added; each is alone in its division (30 cement, 31 steel): K = 1,
    # grade 3 (0.8 < K <= 1.2)
    assert rows[CEMENT]["l_t_per_10k_yuan"] == pytest.approx(accounts[CEMENT] / 500)
    assert rows[STEEL]["l_t_per_10k_yuan"] == pytest.approx(accounts[STEEL] / 1000)
    assert [rows[e]["k"] for e in (CEMENT, STEEL)] == [pytest.approx(1.0), pytest.approx(1.0)]
    assert [rows[e]["grade"] for e in (CEMENT, STEEL)] == [3, 3]
    assert {i["industry_code"] for i in body["industries"]} == {"30", "31"}
    inner = api.client.get(
        "/api/v1/benchmarking/carbon-efficiency?year=2026", headers=api.headers("neimenggu")
    ).json()
    (smelter,) = inner["results"]  # a value added of 0: listed, not graded
    assert smelter["grade"] is None and smelter["warnings"]
    bad = api.client.get(
        "/api/v1/benchmarking/carbon-efficiency?year=abc", headers=api.headers("hebei")
    )
    assert bad.status_code == 422
