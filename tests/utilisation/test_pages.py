"""The utilisation pages and API over both stores (issue 23): an enterprise files its report
with the page's form (a bad file is refused on the page with its problems placed, nothing
stored), the regulator's page ranks its prefectures against the target with the chart's table
one click away and lists the largest stocks, in Chinese and in English; the enterprise's page
shows its rates beside the province's and the nation's; the API refuses bad input with 4xx,
and the exports read back."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from carbonpeak.io.utilisation import (
    AVOIDED_COLUMNS,
    EXPORT_COLUMNS,
    csv_sections,
    read_rates_csv,
)
from carbonpeak.reference.loader import default_reference
from tests.api.conftest import ALUMINIUM, CEMENT, STEEL, Api, api  # noqa: F401
from tests.market.test_market_pages import _page_login
from tests.utilisation.cases import csv_bytes

# (enterprise, year, kind, flow, route, tonnes): made-up tonnes of the examples' enterprises
LINES = [
    (CEMENT, 2024, "fly_ash", "generated", "", 200),
    (CEMENT, 2024, "fly_ash", "utilised", "building_materials", 150),
    (CEMENT, 2024, "fly_ash", "stored", "", 50),
    (STEEL, 2024, "steel_slag", "opening_stock", "", 500),
    (STEEL, 2024, "steel_slag", "generated", "", 100),
    (STEEL, 2024, "steel_slag", "utilised", "building_materials", 40),
    (STEEL, 2024, "steel_slag", "stored", "", 60),
    (ALUMINIUM, 2024, "red_mud", "generated", "", 1000),
    (ALUMINIUM, 2024, "red_mud", "utilised", "backfill", 100),
    (ALUMINIUM, 2024, "red_mud", "stored", "", 900),
]


def _file(lines: list[tuple[object, ...]]) -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("固废.csv", csv_bytes(default_reference(), lines), "text/csv")}


def _region(api: Api) -> str:  # noqa: F811
    return str(
        api.client.get(f"/api/v1/enterprises/{CEMENT}", headers=api.headers("admin")).json()[
            "region_code"
        ]
    )


def test_the_form_the_regulator_s_page_and_the_enterprise_s(api: Api) -> None:  # noqa: F811
    _page_login(api, "group")
    bad = [*LINES, (CEMENT, 2024, "月尘", "generated", "", 1)]
    refused = api.client.post("/utilisation/reports", files=_file(bad), follow_redirects=False)
    assert refused.status_code == 422
    assert 'id="problems"' in refused.text and "月尘" in refused.text
    assert 'id="no-reports"' in refused.text  # nothing stored
    stored = api.client.post("/utilisation/reports", files=_file(LINES), follow_redirects=False)
    assert stored.status_code == 303, stored.text
    own = api.client.get(f"/utilisation/{CEMENT}?year=2024")
    assert own.status_code == 200 and 'id="comparison"' in own.text
    assert "75.0 %" in own.text  # 150 / 200, by hand

    _page_login(api, "hebei")
    for lang, words, gap, years in (
        ("zh_CN", "综合利用率", "距2025年全国目标", "平台将2025年目标用于2021—2025年"),
        ("en", "Utilisation rate", "Gap to the 2025 national target", "over 2021-2025"),
    ):
        api.client.get(f"/lang/{lang}?next=/")
        page = api.client.get("/utilisation?year=2024&by=prefecture")
        assert page.status_code == 200
        # 2024 against the 2025 target: the gap, never a verdict
        assert gap in page.text and years in page.text and 'id="target-years"' in page.text
        targets = page.text.split('id="targets"')[1].split("</section>")[0]
        assert ("全国" if lang == "zh_CN" else "national") in targets
        table = page.text.split('id="ranking-table"')[1].split("</details>")[0]
        assert ">no<" not in table and ">否<" not in table
        assert 'id="ranking"' in page.text and 'id="ranking-table"' in page.text
        assert words in page.text and 'id="stocks"' in page.text
        assert "no cited factor" in page.text or "没有有出处的因子" in page.text
        assert ALUMINIUM not in page.text  # Inner Mongolia: not the regulator's
    assert 'id="report-form"' not in page.text  # a regulator files no report


def test_api_refusals_and_exports(api: Api) -> None:  # noqa: F811
    bad = [
        (CEMENT, 2024, "fly_ash", "generated", "", 10),
        (CEMENT, 2024, "fly_ash", "utilised", "backfill", 11),
    ]
    answer = api.client.post(
        "/api/v1/utilisation/reports", headers=api.headers("cement"), files=_file(bad)
    )
    assert answer.status_code == 422
    problem = answer.json()["detail"][0]
    assert (problem["file"], problem["row"], problem["column"]) == (
        "固废.csv",
        3,
        "数量 (amount_t) [t]",
    )
    unknown = [(CEMENT, 2024, "moon_dust", "generated", "", 10)]
    answer = api.client.post(
        "/api/v1/utilisation/reports", headers=api.headers("cement"), files=_file(unknown)
    )
    assert answer.status_code == 422 and answer.json()["detail"][0]["column"] == "固废种类 (kind)"
    answer = api.client.get("/api/v1/utilisation/rates?by=moon", headers=api.headers("hebei"))
    assert answer.status_code == 422
    stored = api.client.post(
        "/api/v1/utilisation/reports", headers=api.headers("admin"), files=_file(LINES)
    )
    assert stored.status_code == 201, stored.text

    shown = api.client.get(
        "/api/v1/utilisation/rates?year=2024&by=province", headers=api.headers("admin")
    ).json()
    csv = api.client.get(
        "/api/v1/utilisation/rates.csv?year=2024&by=province", headers=api.headers("admin")
    )
    back = read_rates_csv(csv.content)
    assert list(back.columns) == [c for c, _ in EXPORT_COLUMNS]
    assert len(back) == len(shown["groups"])
    words = {True: "是", False: "否", None: ""}
    for line, group in zip(back.to_dict("records"), shown["groups"], strict=True):
        for code, _ in EXPORT_COLUMNS:
            cell, value = line[code], group[code]
            if code == "met":
                assert cell == words[value], code
            elif value is None:
                assert cell == "", code
            elif isinstance(value, bool | str):
                assert cell == str(value), code
            elif isinstance(value, int):
                assert cell == str(value), code  # 2025, never 2025.0
            else:
                assert float(cell) == pytest.approx(value), code
    sections = {s[0][0]: s[1:] for s in csv_sections(csv.content)[1:]}
    assert any("2021-2025" in line[1] for line in sections["说明 (notes)"])
    avoided_lines = sections["避免的二氧化碳 (avoided CO2)"]
    assert avoided_lines[0] == [h for _, h in AVOIDED_COLUMNS]
    assert avoided_lines[-1][:2] == ["合计 (total) [tCO2]", "0.0"]
    assert len(avoided_lines) == len(shown["avoided"]["rows"]) + 2
    codes = [line[0] for line in sections["警告 (warnings)"][1:]]
    assert codes == [w["code"] for w in shown["warnings"]]
    book = api.client.get(
        "/api/v1/utilisation/rates.xlsx?year=2024&by=province", headers=api.headers("admin")
    )
    workbook = load_workbook(io.BytesIO(book.content))
    sheet = workbook["综合利用率 (rates)"]
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    by_code = {c: h for c, h in EXPORT_COLUMNS}
    for line, group in zip(rows, shown["groups"], strict=True):
        for code in ("group", "name_zh", "target_source_id", "target_status", "target_year"):
            assert line[by_code[code]] == group[code], code
        assert line[by_code["rate"]] == pytest.approx(group["rate"])
    assert isinstance(rows[0][by_code["target_year"]], int)
    assert {"说明 (help)", "警告 (warnings)", "避免的二氧化碳 (avoided CO2)"} <= set(
        workbook.sheetnames
    )
