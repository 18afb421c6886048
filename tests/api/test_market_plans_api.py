"""Data-quality control plans and monthly evidence over the API (issue 21, part 2): the
enterprise files its plan as a workbook and its month's records with their documents; the
regulator reads the coverage. Refusals are placed and write nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from carbonpeak.io.market_plan import plan_workbook_bytes
from carbonpeak.market.plans import Enterprise, PlanVersion
from tests.api.conftest import CEMENT, STEEL, Api
from tests.market.test_evidence import full_month
from tests.market.test_plans import plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STEELWORKS = Enterprise(name="示例钢铁有限公司", uscc=STEEL)
V1 = PlanVersion(number="V1", date=date(2024, 12, 20), reason="首次制定")


def _file_plan(api: Api, **change: Any) -> Any:
    fields = {"enterprise": STEELWORKS, "year": 2025, "versions": (V1,), **change}
    book = plan_workbook_bytes(plan(**fields))
    return api.client.post(
        f"/api/v1/market/plans/{STEEL}",
        headers=api.headers("group"),
        files={"file": ("plan.xlsx", book, XLSX)},
    )


def test_plan_versions_evidence_and_coverage(api: Api) -> None:
    first = _file_plan(api)
    assert first.status_code == 201, first.text
    assert first.json()["version"] == 1 and first.json()["guideline"]
    again = _file_plan(api)  # the same version number: a revision needs its B.1 row
    assert again.status_code == 422 and "B.1" in again.text
    v2 = PlanVersion(
        number="V2", date=date(2025, 3, 1), reason="新增计量器具", trigger="better_method"
    )
    revised = _file_plan(api, versions=(V1, v2))
    assert revised.status_code == 201, revised.text
    assert revised.json()["version"] == 2 and revised.json()["change"] is not None
    shown = api.client.get(f"/api/v1/market/plans/{STEEL}?year=2025", headers=api.headers("hebei"))
    assert [v["version"] for v in shown.json()["versions"]] == [1, 2]

    document = api.client.post(
        f"/api/v1/market/documents/{STEEL}",
        headers=api.headers("group"),
        files={"file": ("台账.pdf", b"%PDF-1.4 ledger of July", "application/pdf")},
    )
    assert document.status_code == 201, document.text
    digest = document.json()["sha256"]
    records = [
        {
            k: v
            for k, v in {
                "month": "2025-07-01",
                "emission_type": r.emission_type,
                "item": r.item,
                "parameter": r.parameter,
                "clause": r.clause,
                "value": r.value,
                "documents": [digest],
            }.items()
            if v not in ("", None)
        }
        for r in full_month()
    ]
    bare = [{**records[2], "documents": []}]  # anthracite NCV measured, no document
    refused = api.client.post(
        f"/api/v1/market/evidence/{STEEL}", headers=api.headers("group"), json={"records": bare}
    )
    assert refused.status_code == 422 and "documents" in refused.text
    filed = api.client.post(
        f"/api/v1/market/evidence/{STEEL}", headers=api.headers("group"), json={"records": records}
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["due"] == "2025-09-09"
    month = api.client.get(
        f"/api/v1/market/evidence/{STEEL}?month=2025-07-01&as_of=2025-09-01",
        headers=api.headers("hebei"),
    ).json()
    assert month["complete"] and month["days_left"] == 8 and month["missing"] == []
    coverage = api.client.get(
        "/api/v1/market/coverage?year=2025&as_of=2025-10-01", headers=api.headers("hebei")
    ).json()
    steel = next(e for e in coverage["enterprises"] if e["enterprise_id"] == STEEL)
    assert steel["plan_version"] == 2
    july = next(m for m in steel["months"] if m["month"] == "2025-07")
    assert july["complete"]
    august = next(m for m in steel["months"] if m["month"] == "2025-08")
    assert not august["complete"] and not august["overdue"]  # due 10 October
    # the cement works filed no plan: its months fall due all the same (January to June by
    # 31 October, July on 9 September: overdue; August on 10 October: not yet) and none is
    # complete; the most overdue are listed first
    cement = next(e for e in coverage["enterprises"] if e["enterprise_id"] == CEMENT)
    assert cement["plan_version"] is None and cement["complete"] == 0
    assert [m["month"] for m in cement["months"] if m["overdue"]] == ["2025-07"]
    assert cement["due"] == 1 and cement["overdue"] == 1
    overdue = [e["overdue"] for e in coverage["enterprises"]]
    assert overdue == sorted(overdue, reverse=True)
    assert (
        api.client.post(
            f"/api/v1/market/evidence/{STEEL}",
            headers=api.headers("hebei"),
            json={"records": records},
        ).status_code
        == 403
    )  # a regulator reads, it does not file


def test_sources_the_plan_misses_and_a_measured_ncv_across_years(api: Api) -> None:
    """Review findings 14 and 15 through the store: the 2025 report of the steelworks
    (test_accounts' WORKS) burns bituminous coal, uses dolomite and scrap, and sells pig iron,
    tar and benzol, which the 2025 plan of test_plans has no rows for (magnesite is not in A.2,
    electricity is outside the boundary: none needed); and the anthracite NCV measured in 2025
    may not take the default in the 2026 plan."""
    from tests.api.test_market_api import _upload
    from tests.market.test_accounts import WORKS, table
    from tests.market.test_plans import replaced

    _upload(api, table(*WORKS))
    assert _file_plan(api).status_code == 201
    shown = api.client.get(f"/api/v1/market/plans/{STEEL}?year=2025", headers=api.headers("hebei"))
    missing = shown.json()["sources_missing"]
    assert [m["message"].split(" ")[0] for m in missing] == [
        "bituminous_coal",
        "dolomite",
        "steel_scrap",
        "pig_iron",
        "coal_tar",
        "crude_benzene",
    ]
    assert {(m["sheet"], m["field"]) for m in missing} == {("B.4", "item")}
    coverage = api.client.get(
        "/api/v1/market/coverage?year=2025&as_of=2025-10-01", headers=api.headers("hebei")
    ).json()
    steel = next(e for e in coverage["enterprises"] if e["enterprise_id"] == STEEL)
    assert steel["sources_missing"] == [
        "bituminous_coal",
        "dolomite",
        "steel_scrap",
        "pig_iron",
        "coal_tar",
        "crude_benzene",
    ]

    default = replaced(
        ("fuel", "anthracite", "ncv"), acquisition="default", monitoring_frequency=None
    )
    v2026 = PlanVersion(number="V1", date=date(2025, 12, 20), reason="首次制定")
    refused = _file_plan(api, year=2026, versions=(v2026,), parameters=tuple(default))
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["detail"]
    assert problem["sheet"] == "参数 (parameters)" and problem["row"] == 6
    assert "was measured in the plan of 2025 (version V1)" in problem["message"]
    assert _file_plan(api, year=2026, versions=(v2026,)).status_code == 201
