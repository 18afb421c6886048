"""The review workflow on the pages: the regulator takes an application and returns it with a
comment, the enterprise sees it on its home, corrects it and submits it again, the regulator
approves the corrected one; a step the state does not allow is said on the page, in the
reader's language (its state names too)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from carbonpeak.api.app import create_app

from .conftest import Served
from .test_applications_page import SWAP
from .test_pages import _login

COMMENT = "请补充退出产能的证明文件"


@pytest.fixture
def client(demo_store: Engine) -> Iterator[TestClient]:
    yield TestClient(create_app(demo_store))


def _newest(page: str) -> int:
    return int(re.search(r'id="application-(\d+)"', page).group(1))  # type: ignore[union-attr]


def test_return_resubmit_approve(client: TestClient, served: Served) -> None:
    _login(client, "demo-enterprise", served.password)
    page = client.get("/applications").text
    choices = page.split('name="enterprise_id"', 1)[1]
    enterprise = choices.split('<option value="', 1)[1].split('"', 1)[0]
    made = client.post(
        "/applications",
        data={"kind": "swap", "enterprise_id": enterprise, "body": SWAP},
        follow_redirects=False,
    )
    assert made.status_code == 303
    number = _newest(client.get("/applications").text)
    regulator = TestClient(client.app)
    _login(regulator, "demo-regulator", served.password)
    url = f"/applications/{number}/decision"
    early = regulator.post(url, data={"decision": "return", "comment": COMMENT})
    # the page in Chinese (the default language): the refusal and its state names too
    assert early.status_code == 409
    assert "已提交的申请不能退回：只有审查中的申请可以" in early.text
    assert "cannot be returned" not in early.text and "under_review" not in early.text
    taken = regulator.post(url, data={"decision": "take"}, follow_redirects=False)
    assert taken.status_code == 303
    view = regulator.get("/applications").text
    assert 'value="return"' in view.split(f'id="application-{number}"', 1)[1].split("</details>")[0]
    back = regulator.post(
        url, data={"decision": "return", "comment": COMMENT}, follow_redirects=False
    )
    assert back.status_code == 303
    home = client.get("/").text
    item = home.split(f'id="returned-application-{number}"', 1)[1].split("</li>", 1)[0]
    assert COMMENT in item
    mine = client.get("/applications").text
    assert f'id="resubmit-{number}"' in mine
    again = client.post(
        "/applications",
        data={"kind": "swap", "enterprise_id": enterprise, "body": SWAP, "resubmits": number},
        follow_redirects=False,
    )
    assert again.status_code == 303
    listed = client.get("/applications").text
    corrected = _newest(listed)
    assert corrected != number and f'href="#application-{number}"' in listed
    assert f'id="returned-application-{number}"' not in client.get("/").text
    approved = regulator.post(
        f"/applications/{corrected}/decision",
        data={"decision": "approve", "comment": ""},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    regulator.cookies.set("lang", "en")
    closed = regulator.post(url, data={"decision": "approve", "comment": "x"})
    assert closed.status_code == 409
    said = "an application resubmitted cannot be approved: only one submitted or under review can"
    assert said in closed.text
