"""Long tables on the pages: the industry page and the enterprise directory sorted, searched
(Chinese text), filtered and paged on the server; bad parameters a 400 page that says why; the
CSV still the whole table."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from carbonpeak.api.app import create_app

from .conftest import DemoLake, Served


@pytest.fixture
def regulator(demo_store: Engine, served: Served, demo_lake: DemoLake) -> TestClient:
    """The regulator logged in; the demo's lake in place (CARBONPEAK_LAKE), which the monitoring
    page's table reads (asked for here, not left to an earlier module of the same process)."""
    client = TestClient(create_app(demo_store))
    response = client.post(
        "/login",
        data={"username": "demo-regulator", "password": served.password, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return client


def section(html: str, name: str) -> str:
    start = html.index(f'id="{name}"')
    end = html.find('<section class="figure"', start)
    return html[start : end if end > 0 else len(html)]


def cells(html: str) -> list[list[str]]:
    """The text of each body row's cells."""
    if "<tbody>" not in html:
        return []
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_ranking_pages_sorts_and_searches(regulator: TestClient) -> None:
    whole = cells(section(regulator.get("/industry?year=2023&rank_per=500").text, "ranking"))
    assert len(whole) > 25  # the area with the most units: more than a page
    first = cells(section(regulator.get("/industry?year=2023").text, "ranking"))
    assert first == whole[:25]  # 25 a page, ranked best first (the # column 1..25)
    assert [r[0] for r in first] == [str(n) for n in range(1, 26)]
    pages = -(-len(whole) // 25)
    html = regulator.get(f"/industry?year=2023&rank_page={pages}").text
    assert cells(section(html, "ranking")) == whole[25 * (pages - 1) :]
    # worst first: the ranking reversed (no unit without a value in a ranking)
    down = cells(section(regulator.get("/industry?year=2023&rank_sort=-rank").text, "ranking"))
    assert down == whole[::-1][:25]
    ranking = section(regulator.get("/industry?year=2023&rank_sort=-rank").text, "ranking")
    assert 'aria-sort="descending"' in ranking
    # a search by a piece of a Chinese name: every row holds it, and no other row does
    word = whole[0][1][:2]
    found = cells(section(regulator.get(f"/industry?year=2023&rank_q={word}").text, "ranking"))
    assert found and all(word in r[1] for r in found)
    assert len(found) == min(25, sum(word in r[1] for r in whole))
    # the grade filter: exactly the units of that grade, their rank kept
    ranked = regulator.get("/industry?year=2023&rank_per=500&rank_grade=benchmark").text
    assert cells(section(ranked, "ranking")) == [r for r in whole if r[3] == "达到标杆水平"]


def test_the_below_baseline_table_filters_by_area_and_keeps_the_whole_csv(
    regulator: TestClient,
) -> None:
    csv_text = regulator.get("/industry/below-baseline.csv?year=2023").content.decode("utf-8-sig")
    every = list(csv.DictReader(io.StringIO(csv_text)))
    area = every[0]["area"]
    html = regulator.get(f"/industry?year=2023&below_area={area}&below_per=500").text
    shown = cells(section(html, "below"))
    assert len(shown) == sum(r["area"] == area for r in every)
    assert "CSV 文件包含整张表" in section(html, "below")
    # the CSV of a filtered page is still the whole table
    again = regulator.get(f"/industry/below-baseline.csv?year=2023&below_area={area}")
    assert again.content.decode("utf-8-sig") == csv_text


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("rank_sort=colour", "此表没有可排序的列 colour。"),
        ("rank_page=999", "没有第 999 页"),
        ("below_page=abc", "below_page 须为 1 至 1000000 之间的整数，而不是 abc。"),
        ("rank_per=0", "rank_per 须为 1 至 500 之间的整数"),
    ],
)
def test_bad_parameters_are_a_400_page_in_chinese(
    regulator: TestClient, query: str, said: str
) -> None:
    response = regulator.get(f"/industry?year=2023&{query}")
    assert response.status_code == 400
    assert said in response.text and "请求有误" in response.text


def test_a_bad_parameter_in_english(regulator: TestClient) -> None:
    regulator.cookies.set("lang", "en")
    response = regulator.get("/enterprises?sort=colour")
    assert response.status_code == 400
    assert "There is no column colour to sort this table by." in response.text


def test_the_directory_sorts_searches_and_filters_in_sql(regulator: TestClient) -> None:
    every = cells(regulator.get("/enterprises?per=500").text)  # the regulator's province
    count, names = len(every), sorted(r[0] for r in every)
    assert count > 50
    html = regulator.get("/enterprises").text
    assert cells(html) == every[:50] and f"<small>{count}</small>" in html
    # by name, descending: the last 50 names in reverse (SQL's order of the same strings)
    down = regulator.get("/enterprises?sort=-name").text
    assert [r[0] for r in cells(down)] == names[::-1][:50]
    assert 'aria-sort="descending"' in down
    # a Chinese piece of a name: the rows holding it, and only those
    word = "化工"
    found = cells(regulator.get(f"/enterprises?q={word}&per=500").text)
    assert found and [r for r in every if word in r[0]] == found
    # the wildcards of SQL are text here: no name holds "%" or "_"
    assert cells(regulator.get("/enterprises?q=%25").text)[0] == ["没有符合搜索和筛选条件的行。"]
    assert cells(regulator.get("/enterprises?q=_").text)[0] == ["没有符合搜索和筛选条件的行。"]
    # the region filter: exactly its enterprises, the select keeping the choice
    region, region_name = "130200", "唐山市"
    shown = regulator.get(f"/enterprises?region={region}&per=500").text
    assert cells(shown) == [r for r in every if r[2] == region_name] != []
    assert f'<option value="{region}" selected>' in shown
    # a region that is none of the choices, and a page past the last
    assert regulator.get("/enterprises?region=999999").status_code == 400
    assert regulator.get(f"/enterprises?page={count}").status_code == 400


@pytest.mark.parametrize(
    ("path", "prefix", "shown"),
    [
        ("/enterprises", "", True),
        ("/review", "", True),
        ("/applications", "", True),
        ("/budgets", "", False),  # no budgets in this store: the page says what to do instead
        ("/industry", "rank_", True),
        ("/industry", "below_", True),
        ("/monitoring", "e_", True),
    ],
)
def test_every_long_table_refuses_an_unknown_column_and_answers_a_search(
    regulator: TestClient, path: str, prefix: str, shown: bool
) -> None:
    refused = regulator.get(f"{path}?{prefix}sort=colour")
    assert refused.status_code == 400 and "此表没有可排序的列 colour。" in refused.text
    assert regulator.get(f"{path}?{prefix}page=-1").status_code == 400
    searched = regulator.get(f"{path}?{prefix}q=钢铁&{prefix}per=5")
    assert searched.status_code == 200 and ('value="钢铁"' in searched.text) == shown


def test_the_review_queue_sorts_and_searches_in_sql(regulator: TestClient) -> None:
    state = next(  # a state with reports in it (other tests move them on)
        s
        for s in ("approved", "submitted", "verified", "returned")
        if len(cells(regulator.get(f"/review?state={s}&per=500").text)) >= 2
    )
    every = cells(regulator.get(f"/review?state={state}&per=500").text)
    ids = [int(r[0]) for r in every]
    assert ids == sorted(ids)  # the report's number by default
    down = cells(regulator.get(f"/review?state={state}&per=500&sort=-submission_id").text)
    assert [int(r[0]) for r in down] == sorted(ids, reverse=True)
    code = every[0][1].split()[-1]  # the enterprise's name, its code beside
    found = cells(regulator.get(f"/review?state={state}&per=500&q={code.lower()}").text)
    assert found == [r for r in every if r[1].endswith(code)]
