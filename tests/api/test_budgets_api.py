"""The budgets endpoints (issue 18), on SQLite and PostgreSQL: a cascade imported from a
workbook with Chinese headers, the export that imports back unchanged, every bad input a 422
placed at its file, sheet, row and column with nothing stored, each caller seeing its own
budgets, and tracking, thresholds and alerts on a hand-worked case."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from .conftest import CEMENT, STEEL, Api

HEADER = ["预算编号", "范围", "代码", "年度", "指标", "总量上限（t CO2 或 tce）", "月度分布"]
HEADER += ["分配比例", "预留比例", "强度上限", "强度基准", "计划分母"]
CASCADE = [
    # province 1000 t, 10 % held back: its prefectures may share 900 t (400 + 500 = 900)
    ["", "地区", "130000", 2025, "二氧化碳", 1000, "均匀", "", 0.1],
    ["", "地区", "130100", 2025, "二氧化碳", 400, "按季", "0.1;0.2;0.3;0.4"],
    ["", "地区", "130200", 2025, "二氧化碳", 500, "均匀"],
    # Tangshan's two enterprises: 200 + 250 <= 500
    ["", "企业", CEMENT, 2025, "二氧化碳", 200, "均匀"],
    ["", "企业", STEEL, 2025, "二氧化碳", 250, "按月", ";".join(["0.0625"] * 8 + ["0.125"] * 4)],
]


def _book(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "预算"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(api: Api, who: str, content: bytes, name: str = "预算.xlsx") -> Any:
    return api.client.post(
        "/api/v1/budgets/import",
        files={"file": (name, content, "application/octet-stream")},
        headers=api.headers(who),
    )


def _listed(api: Api, who: str = "admin") -> list[dict[str, Any]]:
    response = api.client.get("/api/v1/budgets?year=2025", headers=api.headers(who))
    assert response.status_code == 200, response.text
    return [{k: v for k, v in b.items() if k != "updated_at"} for b in response.json()["items"]]


@pytest.fixture
def cascade(api: Api) -> dict[str, int]:
    made = _import(api, "hebei", _book(CASCADE))
    assert made.status_code == 201, made.text
    return {b["code"]: b["budget_id"] for b in made.json()["items"]}


def test_a_cascade_from_a_chinese_workbook(api: Api, cascade: dict[str, int]) -> None:
    by_code = {b["code"]: b for b in _listed(api)}
    assert by_code["130000"]["parent_id"] is None
    assert by_code["130100"]["parent_id"] == by_code["130200"]["parent_id"] == cascade["130000"]
    assert by_code[CEMENT]["parent_id"] == by_code[STEEL]["parent_id"] == cascade["130200"]
    assert (by_code[CEMENT]["scope"], by_code[CEMENT]["quantity"]) == ("enterprise", "co2")
    assert by_code["130100"]["profile"] == "quarterly"
    assert by_code["130100"]["shares"] == [0.1, 0.2, 0.3, 0.4]
    assert by_code["130000"]["reserve"] == 0.1


def test_the_export_imports_back_unchanged(api: Api, cascade: dict[str, int]) -> None:
    before = _listed(api)
    export = api.client.get("/api/v1/budgets/export?year=2025", headers=api.headers("hebei"))
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["预算", "跟踪", "说明"]
    sheet = book["预算"]
    assert [c.value for c in sheet[1]][:3] == ["预算编号", "范围", "代码"]
    assert [c.value for c in sheet[2]][:3] == ["budget_id", "scope", "code"]
    assert sheet.max_row == 2 + len(CASCADE)
    tracking = book["跟踪"]
    assert [c.value for c in tracking[1]][:3] == ["预算编号", "代码", "名称"]
    assert {r[2] for r in tracking.iter_rows(min_row=3, values_only=True)} >= {"河北省"}
    again = _import(api, "hebei", export.content, "budgets-2025.xlsx")
    assert again.status_code == 201, again.text
    assert _listed(api) == before


def _problems(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 422, response.text
    return [
        (p["file"], p["sheet"], p["row"], p["column"], p["message"])
        for p in response.json()["detail"]
    ]


CHANGED = 1000  # not a row of any case


@pytest.mark.parametrize(
    ("who", "rows", "header", "row", "column", "words"),
    [
        pytest.param(
            "hebei",
            [CASCADE[0], CASCADE[1], ["", "地区", "130200", 2025, "二氧化碳", 600, "均匀"]],
            HEADER,
            None,
            None,
            "above its limit",
            id="parts-exceed-the-whole",
        ),
        pytest.param(
            "tangshan",
            [["", "地区", "130100", 2025, "二氧化碳", 400, "均匀"]],
            HEADER,
            2,
            "代码",
            "outside your regions",
            id="outside-the-regulators-scope",
        ),
        pytest.param(
            "hebei",
            [["", "地区", "130000", 2025, "二氧化碳", "", "均匀", "", "", 0.5, "增加值", ""]],
            HEADER,
            2,
            "计划分母",
            "planned denominator",
            id="intensity-without-planned",
        ),
        pytest.param(
            "hebei",
            [CASCADE[2], ["", "地区", "130200", 2025, "二氧化碳", 300, "均匀"]],
            HEADER,
            3,
            "年度",
            "overlapping",
            id="duplicate-in-the-file",
        ),
        pytest.param(
            "hebei",
            [CASCADE[0]],
            [*HEADER[:8], "备注"],
            1,
            "备注",
            "unknown column",
            id="unknown-header",
        ),
    ],
)
def test_bad_input_is_placed_and_stores_nothing(
    api: Api,
    who: str,
    rows: list[list[Any]],
    header: list[str],
    row: int | None,
    column: str | None,
    words: str,
) -> None:
    response = _import(api, who, _book(rows, header), "坏.xlsx")
    found = _problems(response)
    assert any(
        f == "坏.xlsx"
        and s == "预算"
        and (row is None or r == row)
        and (column is None or c == column)
        and words in m
        for f, s, r, c, m in found
    ), found
    assert _listed(api) == []


def test_parts_exceeding_the_whole_name_the_parent_row(api: Api) -> None:
    rows = [CASCADE[0], CASCADE[1], ["", "地区", "130200", 2025, "二氧化碳", 600, "均匀"]]
    found = _problems(_import(api, "hebei", _book(rows)))
    # 400 + 600 = 1000 > 1000 x (1 - 0.1) = 900: placed at the province's row (2), its cap
    assert [(r, c, m) for _, _, r, c, m in found] == [
        (
            2,
            "总量上限（t CO2 或 tce）",
            "the children of budget 130000 sum to 1000, above its limit 900 "
            "(cap x (1 - reserve)) by 100",
        )
    ]


def test_a_budget_already_stored_is_refused(api: Api, cascade: dict[str, int]) -> None:
    before = _listed(api)
    found = _problems(_import(api, "hebei", _book([CASCADE[3]])))
    assert [(r, c) for _, _, r, c, m in found if "exists already" in m] == [(2, "年度")]
    assert _listed(api) == before


def test_json_rows_and_their_places(api: Api) -> None:
    bad = [
        {"scope": "region", "code": "130000", "year": 2025, "quantity": "co2", "cap": 1000},
        {
            "scope": "region",
            "code": "130200",
            "year": 2025,
            "quantity": "co2",
            "intensity": 0.5,
            "basis": "value_added",
        },
    ]
    response = api.client.post("/api/v1/budgets", json=bad, headers=api.headers("hebei"))
    assert [(p["row"], p["field"]) for p in response.json()["detail"]] == [(2, "planned")]
    bad[1]["planned"] = 1000.0  # implied cap 0.5 x 1000 = 500 <= 1000
    made = api.client.post("/api/v1/budgets", json=bad, headers=api.headers("hebei"))
    assert made.status_code == 201, made.text
    assert made.json()["items"][1]["parent_id"] == made.json()["items"][0]["budget_id"]
    refused = api.client.post("/api/v1/budgets", json=bad[:1], headers=api.headers("cement"))
    assert refused.status_code == 403


def test_each_caller_sees_its_own(api: Api, cascade: dict[str, int]) -> None:
    assert [b["code"] for b in _listed(api, "cement")] == [CEMENT]
    assert {b["code"] for b in _listed(api, "tangshan")} == {"130200", CEMENT, STEEL}
    assert _listed(api, "neimenggu") == []
    steel = api.client.delete(f"/api/v1/budgets/{cascade[STEEL]}", headers=api.headers("cement"))
    absent = api.client.delete("/api/v1/budgets/99999", headers=api.headers("cement"))
    assert steel.status_code == absent.status_code == 404
    own = api.client.delete(f"/api/v1/budgets/{cascade[CEMENT]}", headers=api.headers("cement"))
    assert own.status_code == 403
    gone = api.client.delete(f"/api/v1/budgets/{cascade[STEEL]}", headers=api.headers("tangshan"))
    assert (gone.status_code, gone.json()["deleted"]) == (200, True)
    assert STEEL not in {b["code"] for b in _listed(api)}


def _coal(api: Api, period: str, tonnes: str) -> None:
    row = {"enterprise_id": CEMENT, "period": period, "stream": "fuel", "item": "raw_coal"}
    made = api.client.post(
        "/api/v1/submissions/rows",
        json={"rows": [{**row, "amount": tonnes, "unit": "t"}]},
        headers=api.headers("cement"),
    )
    assert made.status_code == 201, made.text


def test_tracking_thresholds_and_alerts(api: Api, cascade: dict[str, int]) -> None:
    _coal(api, "2025-01", "10")
    _coal(api, "2025-02", "20")
    accounts = api.client.get(
        f"/api/v1/enterprises/{CEMENT}/accounts", headers=api.headers("cement")
    ).json()["results"]
    used = sum(a["co2_t"] for a in accounts if a["period"] in ("2025-01", "2025-02"))
    assert used > 0
    rows = [
        {
            "quantity": "co2",
            "indicator": "pace",
            "level": "yellow",
            "threshold": 1.0,
            "valid_from": "2025-01-01",
        },
        {
            "quantity": "co2",
            "indicator": "pace",
            "level": "red",
            "threshold": 1.5,
            "valid_from": "2025-01-01",
        },
    ]
    body = {"region": "130000", "document": "冀发改〔2025〕1号", "rows": rows}
    refused = api.client.post(
        "/api/v1/budgets/thresholds", json=body, headers=api.headers("tangshan")
    )
    assert refused.status_code == 403
    entered = api.client.post("/api/v1/budgets/thresholds", json=body, headers=api.headers("hebei"))
    assert entered.status_code == 201, entered.text
    assert len(entered.json()["items"]) == 2

    view = api.client.get(
        "/api/v1/budgets/tracking?year=2025&as_of=2025-02-28", headers=api.headers("hebei")
    )
    assert view.status_code == 200, view.text
    statuses = {b["code"]: b for b in view.json()["budgets"]}
    cement = statuses[CEMENT]
    # even profile: January and February elapsed = (31 + 28) / 365 of the year
    elapsed = 59 / 365
    assert cement["elapsed_share"] == pytest.approx(elapsed)
    assert cement["used_to_date"] == pytest.approx(used)
    assert cement["used_share"] == pytest.approx(used / 200)
    # the last months ran at the year's pace, so the rest of the year follows it:
    # projected = used + used / (200 x elapsed) x 200 x (1 - elapsed) = used / elapsed
    assert cement["projected"] == pytest.approx(used / elapsed)
    assert cement["months_reported"] == ["2025-01", "2025-02"]
    # pace = (used / 200) / elapsed; coal of 30 t is ~57 t CO2: ~1.76 >= 1.5, red
    pace = used / 200 / elapsed
    assert cement["pace"] == pytest.approx(pace)
    assert cement["level"] == ("red" if pace >= 1.5 else "yellow" if pace >= 1.0 else "green")
    # the province: the same use over 1000 t (steel reported nothing): a fifth of the pace
    assert statuses["130000"]["pace"] == pytest.approx(used / 1000 / elapsed)
    months = [m for m in view.json()["months"] if m["budget_id"] == str(cascade[CEMENT])]
    assert [m["allowed"] for m in months[:2]] == pytest.approx([200 * 31 / 365, 200 * 28 / 365])

    own = api.client.get(
        "/api/v1/budgets/tracking?year=2025&as_of=2025-02-28", headers=api.headers("cement")
    )
    assert [b["code"] for b in own.json()["budgets"]] == [CEMENT]
    assert (
        api.client.post(
            "/api/v1/budgets/alerts/record?as_of=2025-02-28", headers=api.headers("cement")
        ).status_code
        == 403
    )
    recorded = api.client.post(
        "/api/v1/budgets/alerts/record?as_of=2025-02-28", headers=api.headers("hebei")
    )
    assert recorded.status_code == 200, recorded.text
    raised = {(c["budget_id"], c["kind"], c["level"]) for c in recorded.json()["changes"]}
    assert (str(cascade[CEMENT]), "raised", cement["level"]) in raised
    again = api.client.post(
        "/api/v1/budgets/alerts/record?as_of=2025-02-28", headers=api.headers("hebei")
    )
    assert again.json()["changes"] == []  # the same level raises nothing
    alerts = api.client.get("/api/v1/budgets/alerts?open=true", headers=api.headers("cement"))
    assert [(a["code"], a["level"]) for a in alerts.json()["items"]] == [(CEMENT, cement["level"])]


def test_numbers_past_the_bound_are_refused_and_tracking_stays_whole(api: Api) -> None:
    # 10^200 t per 10^4 yuan x 10^200 planned overflowed to an infinite cap (tracking 500);
    # 10^6 x 2 x 10^6 = 2 x 10^12 t is past the 10^12 t bound; two children of 1.7e308 summed
    # to infinity and passed a finite parent. Each is a placed 422 and nothing is stored.
    base = {"scope": "region", "year": 2025, "quantity": "co2"}
    cases = [
        ([{**base, "code": "130000", "intensity": 1e200, "basis": "value_added",
           "planned": 1e200}], [(1, "intensity"), (1, "planned")]),
        ([{**base, "code": "130000", "intensity": 1e6, "basis": "value_added",
           "planned": 2e6}], [(1, "planned")]),
        ([{**base, "code": "130000", "cap": 1000}, {**base, "code": "130100", "cap": 1.7e308},
          {**base, "code": "130200", "cap": 1.7e308}], [(2, "cap"), (3, "cap")]),
    ]  # fmt: skip
    for rows, places in cases:
        response = api.client.post("/api/v1/budgets", json=rows, headers=api.headers("hebei"))
        assert response.status_code == 422, response.text
        assert sorted((p["row"], p["field"]) for p in response.json()["detail"]) == places
    assert _listed(api) == []
    tracking = api.client.get(
        "/api/v1/budgets/tracking?year=2025&as_of=2025-03-31", headers=api.headers("hebei")
    )
    assert tracking.status_code == 200, tracking.text
