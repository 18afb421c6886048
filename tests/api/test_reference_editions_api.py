"""Editions of the reference library over the API: the editor imports a workbook (201, what
it changes), the reviewer approves it with a comment, the editions list says so; a bad
workbook is a 422 naming file, sheet, row and column, nothing stored. Test fixtures only."""

from __future__ import annotations

import pytest

from .conftest import Api
from .test_authorization import _edition


def test_import_then_approve(api: Api) -> None:
    made = api.client.post(
        "/api/v1/reference/editions", headers=api.headers("admin"), files=_edition()
    )
    assert made.status_code == 201, made.text
    draft = made.json()
    assert draft["state"] == "draft" and draft["author"] == "admin"
    [row] = draft["changes"]["rows"]
    assert row["before"]["value"] == 0.5703 and row["after"]["value"] == 0.55
    number = draft["edition_id"]
    decided = api.client.post(
        f"/api/v1/reference/editions/{number}/decision",
        headers=api.headers("hebei"),
        json={"verdict": "approve", "comment": "核对原文"},
    )
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    again = api.client.post(
        f"/api/v1/reference/editions/{number}/decision",
        headers=api.headers("hebei"),
        json={"verdict": "reject", "comment": "no"},
    )
    assert again.status_code == 422 and "not a draft" in again.text
    listed = api.client.get("/api/v1/reference/editions", headers=api.headers("cement")).json()
    assert [(e["edition_id"], e["reviewer"]) for e in listed["editions"]] == [(number, "hebei")]
    shown = api.client.get(f"/api/v1/reference/editions/{number}", headers=api.headers("cement"))
    assert shown.json()["changes"]["rows"][0]["before"]["value"] == 0.5703
    # the library in force answers with the edition's row and its evidence from its date
    rows = api.client.get(
        "/api/v1/reference/tables/grid_emission_factors?as_of=2024-06-01",
        headers=api.headers("cement"),
    ).json()["rows"]
    [ets] = [r for r in rows if (r["area"], r["kind"]) == ("national", "ets")]
    assert ets["value"] == 0.55 and ets["status"] == "verified"
    assert ets["cited"] == "test fixture, not a real rule, 测试〔2026〕1号"
    tables = api.client.get("/api/v1/reference/tables", headers=api.headers("cement")).json()
    grid = next(t for t in tables["tables"] if t["table"] == "grid_emission_factors")
    assert grid["verified_pct"] == pytest.approx(grid["verified"] / grid["rows"] * 100)


def test_a_bad_workbook_is_refused_with_its_place(api: Api) -> None:
    import io

    from openpyxl import load_workbook

    _, content, kind = _edition()["file"]
    book = load_workbook(io.BytesIO(content))
    book["电网排放因子 (grid_emission_factors)"]["C2"] = "high"
    out = io.BytesIO()
    book.save(out)
    refused = api.client.post(
        "/api/v1/reference/editions",
        headers=api.headers("admin"),
        files={"file": ("因子.xlsx", out.getvalue(), kind)},
    )
    assert refused.status_code == 422
    [problem] = refused.json()["detail"]
    assert (problem["file"], problem["sheet"], problem["row"], problem["column"]) == (
        "因子.xlsx",
        "电网排放因子 (grid_emission_factors)",
        2,
        "value",
    )
    assert api.client.get("/api/v1/reference/editions", headers=api.headers("admin")).json() == {
        "editions": []
    }
