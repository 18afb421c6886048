"""Which version of a report counts (issue 15, items 1 and 2): a draft never moves an official
figure, and sending an earlier version's content again makes it the latest."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from carbonpeak.services.access import Actor
from carbonpeak.services.overview import overview_tables
from carbonpeak.store.db import transaction
from carbonpeak.store.models import User
from tests.api.conftest import CEMENT, PASSWORD, Api


def _rows(amount: str, period: str = "2023") -> dict[str, Any]:
    return {
        "rows": [
            {
                "enterprise_id": CEMENT,
                "period": period,
                "stream": "fuel",
                "item": "raw_coal",
                "amount": amount,
                "unit": "t",
            }
        ]
    }


def _send(api: Api, amount: str, draft: bool = False) -> dict[str, Any]:
    made = api.client.post(
        "/api/v1/submissions/rows" + ("?draft=true" if draft else ""),
        json=_rows(amount),
        headers=api.headers("cement"),
    )
    assert made.status_code in (200, 201), made.text
    return made.json()["submissions"][0]  # type: ignore[no-any-return]


def _views(api: Api, who: str) -> tuple[float, float, float]:
    """The enterprise's CO2 as the caller sees it: its accounts, the region's roll-up, the
    overview's year table (the dashboard's home and its PDF)."""
    accounts = api.client.get(f"/api/v1/enterprises/{CEMENT}/accounts", headers=api.headers(who))
    rollup = api.client.get("/api/v1/rollups?by=region_code", headers=api.headers(who))
    assert accounts.status_code == rollup.status_code == 200
    with transaction(api.engine) as session:
        user = session.execute(select(User).where(User.username == who)).scalar_one()
        overview = overview_tables(session, Actor.of(user), english=True)
    return (
        accounts.json()["results"][0]["co2_t"],
        sum(r["co2_t"] for r in rollup.json()["rows"]),
        sum(r["co2_t"] for r in overview["year"]),
    )


def test_a_draft_never_moves_an_official_figure(api: Api) -> None:
    submitted = _send(api, "1000")
    official = _views(api, "tangshan")
    assert official[0] > 0 and official == pytest.approx((official[0],) * 3)
    draft = _send(api, "5000", draft=True)
    assert (draft["state"], draft["version"], draft["created"]) == ("draft", 2, True)
    for regulator in ("tangshan", "hebei", "admin"):
        assert _views(api, regulator) == pytest.approx(official)
    # the enterprise sees its draft, marked as one
    own = api.client.get(f"/api/v1/enterprises/{CEMENT}/accounts", headers=api.headers("cement"))
    (line,) = own.json()["results"]
    assert (line["state"], line["version"]) == ("draft", 2)
    assert line["co2_t"] == pytest.approx(5 * official[0])
    # and no regulator sees it in the list of submissions, nor by its id
    listed = api.client.get("/api/v1/submissions", headers=api.headers("tangshan")).json()
    assert [s["submission_id"] for s in listed["items"]] == [submitted["submission_id"]]
    url = f"/api/v1/submissions/{draft['submission_id']}/verify"
    hidden = api.client.post(url, json={}, headers=api.headers("tangshan"))
    missing = api.client.post(
        "/api/v1/submissions/999999/verify", json={}, headers=api.headers("tangshan")
    )
    assert hidden.status_code == missing.status_code == 404
    # submitted, the draft is the official version
    sent = api.client.post(
        f"/api/v1/submissions/{draft['submission_id']}/submit",
        json={},
        headers=api.headers("cement"),
    )
    assert sent.json()["state"] == "submitted"
    assert _views(api, "tangshan") == pytest.approx((5 * official[0],) * 3)


def test_a_returned_version_is_not_official(api: Api) -> None:
    _send(api, "1000")
    official = _views(api, "tangshan")
    wrong = _send(api, "3000")
    # each view, the overview's cached tables among them, follows the new version at once ...
    assert _views(api, "tangshan") == pytest.approx((3 * official[0],) * 3)
    returned = api.client.post(
        f"/api/v1/submissions/{wrong['submission_id']}/return",
        json={"comment": "the coal is counted three times"},
        headers=api.headers("tangshan"),
    )
    assert returned.json()["state"] == "returned"
    # ... and its change of state
    assert _views(api, "tangshan") == pytest.approx(official)


def test_sending_earlier_content_again_makes_it_the_latest(api: Api) -> None:
    first = _send(api, "1000")
    again = _send(api, "1000")
    assert (again["version"], again["created"]) == (first["version"], False)
    second = _send(api, "2000")
    assert (second["version"], second["created"]) == (2, True)
    undone = _send(api, "1000")
    assert (undone["version"], undone["created"]) == (3, True)
    co2 = _views(api, "tangshan")
    assert co2[0] == pytest.approx(_views(api, "cement")[0])
    api.client.post(
        "/api/v1/submissions/rows", json=_rows("2000", "2024"), headers=api.headers("cement")
    )
    ratio = api.client.get(
        f"/api/v1/enterprises/{CEMENT}/accounts?period=2024", headers=api.headers("tangshan")
    ).json()["results"][0]["co2_t"]
    assert ratio == pytest.approx(2 * co2[0])


def test_sending_a_draft_content_as_a_report_submits_the_draft(api: Api) -> None:
    draft = _send(api, "1000", draft=True)
    sent = _send(api, "1000")
    assert (sent["submission_id"], sent["created"], sent["state"]) == (
        draft["submission_id"],
        False,
        "submitted",
    )


def test_accounts_that_overflow_are_refused(api: Api) -> None:
    """Each number within its checks, the product past what a float holds: refused, nothing
    stored (issue 15, item 4)."""
    rows = _rows("1e10")
    rows["rows"][0] |= {"emission_factor": "1e300", "emission_factor_unit": "tCO2/t"}
    made = api.client.post("/api/v1/submissions/rows", json=rows, headers=api.headers("cement"))
    assert made.status_code == 422, made.text
    (problem,) = made.json()["detail"]
    assert problem["row"] == 2 and "overflow" in problem["message"]
    listed = api.client.get("/api/v1/submissions", headers=api.headers("cement")).json()
    assert listed["total"] == 0


def test_amounts_beyond_the_world_are_refused(api: Api) -> None:
    rows = _rows("1.7e308")
    rows["rows"].append({**rows["rows"][0], "item": "coke", "amount": "2e11", "unit": "t"})
    rows["rows"].append({**rows["rows"][0], "item": "coke", "amount": "2e13", "unit": "kg"})
    made = api.client.post("/api/v1/submissions/rows", json=rows, headers=api.headers("cement"))
    assert made.status_code == 422, made.text
    assert [(p["row"], p["column"]) for p in made.json()["detail"]] == [
        (2, "amount"),
        (3, "amount"),
    ]


def test_the_enterprise_page_marks_a_draft_and_hides_it_from_regulators(api: Api) -> None:
    _send(api, "1000")
    _send(api, "5000", draft=True)
    pages = {}
    for who in ("cement", "tangshan"):
        api.client.cookies.clear()
        logged = api.client.post(
            "/login",
            data={"username": who, "password": PASSWORD, "next": "/"},
            follow_redirects=False,
        )
        assert logged.status_code == 303
        api.client.cookies.set("lang", "en")
        pages[who] = api.client.get(f"/enterprises/{CEMENT}?period=2023").text
    assert 'id="not-official"' in pages["cement"] and "Version 2, draft" in pages["cement"]
    assert (
        'id="not-official"' not in pages["tangshan"] and "Version 1, submitted" in pages["tangshan"]
    )


def test_a_returned_version_sent_again_unchanged_is_sent_again(api: Api) -> None:
    first = _send(api, "1000")
    api.client.post(
        f"/api/v1/submissions/{first['submission_id']}/return",
        json={"comment": "show the invoices"},
        headers=api.headers("tangshan"),
    )
    again = _send(api, "1000")
    assert (again["version"], again["created"], again["state"]) == (2, True, "submitted")
    assert _views(api, "tangshan")[0] > 0


def test_periods_are_ascii_digits(api: Api) -> None:
    made = api.client.post(
        "/api/v1/submissions/rows", json=_rows("1000", "20٢٣"), headers=api.headers("cement")
    )
    assert made.status_code == 422 and made.json()["detail"][0]["column"] == "period"
    query = api.client.get(
        f"/api/v1/enterprises/{CEMENT}/accounts?period=20٢٣", headers=api.headers("cement")
    )
    assert query.status_code == 422


def test_an_admin_previews_the_file_it_uploaded(api: Api) -> None:
    api.client.cookies.clear()
    api.client.post("/login", data={"username": "admin", "password": PASSWORD, "next": "/"})
    rows = (
        "enterprise_id,period,stream,item,amount,unit\n" + f"{CEMENT},2023,fuel,raw_coal,1000,t\n"
    )
    preview = api.client.post("/upload", files={"file": ("a.csv", rows.encode(), "text/csv")})
    assert preview.status_code == 200, preview.text
    listed = api.client.get("/api/v1/submissions?state=draft", headers=api.headers("admin"))
    assert listed.json()["total"] == 1


def test_the_overview_page_follows_the_store(api: Api) -> None:
    """The regulator's home is kept per caller, language and audit head: a new version and a
    change of state show at once."""
    _send(api, "1000")
    api.client.cookies.clear()
    api.client.post("/login", data={"username": "tangshan", "password": PASSWORD, "next": "/"})
    api.client.cookies.set("lang", "en")
    first = api.client.get("/overview").text
    assert api.client.get("/overview").text == first  # the kept page
    wrong = _send(api, "3000")
    second = api.client.get("/overview").text
    assert second != first
    api.client.post(
        f"/api/v1/submissions/{wrong['submission_id']}/return",
        json={"comment": "three times the coal"},
        headers=api.headers("tangshan"),
    )
    assert api.client.get("/overview").text == first
