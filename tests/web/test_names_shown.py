"""Regulators' tables name an enterprise, its code beside (issue 19): the applications list
and the review queue, in Chinese and in English, from the store's names."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carbonpeak.api.app import create_app
from carbonpeak.store.models import AccountResult, Enterprise

from .conftest import Served
from .test_applications_page import SWAP
from .test_pages import _login


@pytest.fixture
def client(demo_store: Engine) -> Iterator[TestClient]:
    yield TestClient(create_app(demo_store))


def _names(engine: Engine) -> dict[str, str]:
    with Session(engine) as db:
        rows = db.execute(select(Enterprise.enterprise_id, Enterprise.name)).all()
    return {code: name for code, name in rows}


def _one_application(client: TestClient, served: Served) -> str:
    """An application the demo enterprise submits: its enterprise's code."""
    enterprise = TestClient(client.app)
    _login(enterprise, "demo-enterprise", served.password)
    form = enterprise.get("/applications").text.split('name="enterprise_id"', 1)[1]
    code = form.split('<option value="', 1)[1].split('"', 1)[0]
    made = enterprise.post(
        "/applications",
        data={"kind": "swap", "enterprise_id": code, "body": SWAP},
        follow_redirects=False,
    )
    assert made.status_code == 303
    return code


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_applications_list_names_the_enterprise(
    client: TestClient, served: Served, demo_store: Engine, lang: str
) -> None:
    code = _one_application(client, served)
    name = _names(demo_store)[code]
    _login(client, "demo-regulator", served.password)
    client.cookies.set("lang", lang)
    page = client.get("/applications").text
    summaries = re.findall(r"<summary>(.*?)</summary>", page, re.S)
    mine = [s for s in summaries if code in s]
    assert mine, "the application is listed"
    # the name is the text shown, the code beside it in its own span
    assert f'{name} <span class="code">{code}</span>' in mine[0]
    assert f"· {code} ·" not in mine[0]
    # and the list is searched by the name
    assert code in client.get("/applications", params={"q": name}).text


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_review_queue_names_the_enterprise(
    client: TestClient, served: Served, demo_store: Engine, lang: str
) -> None:
    names = _names(demo_store)
    _login(client, "demo-regulator", served.password)
    client.cookies.set("lang", lang)
    page = client.get("/review", params={"state": "submitted"}).text
    rows = re.findall(r'<tr id="submission-\d+">(.*?)</tr>', page, re.S)
    assert rows, "the demo has submitted reports waiting"
    for row in rows:
        code = re.search(r'<span class="code">(\w{18})</span>', row).group(1)  # type: ignore[union-attr]
        assert "?period=" in row and f">{names[code]}</a>" in row
        assert f">{code}</a>" not in row  # the link reads as the name, not the code


@pytest.mark.parametrize(
    ("lang", "grid", "province"),
    [("zh_CN", "华北电网", "河北省"), ("en", "North China grid", "Hebei")],
)
def test_an_accounts_warning_names_the_grid_and_the_province(
    client: TestClient,
    served: Served,
    demo_store: Engine,
    lang: str,
    grid: str,
    province: str,
) -> None:
    """The demo's Hebei plants have no provincial grid factor: their accounts warn that the
    North China grid's was used (regions.csv 130000 河北省 / Hebei, power_grids.csv north
    华北电网 / North China grid), by name on the enterprise page; the stored warning keeps
    its codes."""
    wanted = "accounting.electricity.regional_factor"
    with Session(demo_store) as db:
        found = [
            (r.enterprise_id, r.period, w)
            for r in db.execute(select(AccountResult)).scalars()
            for w in (r.detail or {}).get("warnings", [])
            if isinstance(w, dict) and w.get("code") == wanted
        ]
    hits = [f for f in found if f[2]["data"] == {"province": "130000", "area": "north"}]
    assert hits, f"a Hebei account in the demo warns {wanted}"
    enterprise, period, _warning = hits[0]
    _login(client, "demo-admin", served.password)
    client.cookies.set("lang", lang)
    page = client.get(f"/enterprises/{enterprise}", params={"period": period}).text
    shown = page[page.index('id="warnings"') :]
    shown = shown[: shown.index("</section>")]
    line = next(li for li in shown.split("<li>") if wanted in li)
    assert grid in line and province in line
    text = line.split("</span>:", 1)[1]  # what the reader reads, after the code's span
    assert "north" not in text and "130000" not in text
