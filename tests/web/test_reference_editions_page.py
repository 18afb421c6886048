"""The reference editions page (issue 20): the demo's administrator (the editor's duty)
downloads the blank workbook and uploads an edition, sees what it would change; the demo's
regulator (the reviewer's duty) approves it with a comment; an enterprise user may read but
not upload; a bad workbook is a 422 page with its problems placed. Test fixtures only."""

from __future__ import annotations

import html
import io
from datetime import datetime

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from carbonpeak.api.app import create_app

from .conftest import Served
from .test_pages import _login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _client(engine: Engine, who: str, password: str, lang: str = "zh_CN") -> TestClient:
    client = TestClient(create_app(engine))
    _login(client, who, password)
    client.cookies.set("lang", lang)
    return client


def _filled(blank: bytes, value: object) -> bytes:
    book = load_workbook(io.BytesIO(blank))
    sheet = book["版本 (edition)"]
    sheet["B2"], sheet["B3"] = "test_fixture_page", "页面测试（test fixture, not a real rule）"
    sheet["B5"], sheet["B10"] = "测试〔2026〕5号", datetime(2025, 1, 1)
    book["grid_emission_factors"].append(["national", "ets", value, "kgCO2/kWh"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_review_approve(demo_store: Engine, served: Served) -> None:
    admin = _client(demo_store, "demo-admin", served.password)
    page = admin.get("/reference/editions")
    assert (
        page.status_code == 200 and 'id="edition-form"' in page.text and "参考数据版本" in page.text
    )
    blank = admin.get("/reference/editions/template.xlsx?table=grid_emission_factors")
    assert blank.status_code == 200 and blank.headers["content-type"] == XLSX
    bad = admin.post(
        "/reference/editions",
        files={"file": ("坏的.xlsx", _filled(blank.content, "high"), XLSX)},
    )
    assert bad.status_code == 422
    text = html.unescape(bad.text)
    assert "坏的.xlsx" in text and "grid_emission_factors" in text and "value" in text
    made = admin.post(
        "/reference/editions",
        files={"file": ("电网因子.xlsx", _filled(blank.content, 0.55), XLSX)},
        follow_redirects=False,
    )
    assert made.status_code == 303
    where = made.headers["location"]
    draft = html.unescape(admin.get(where).text)
    assert "将作的修改" in draft and "0.5703" in draft and "0.55" in draft
    assert "对已存报告的影响" in draft and 'id="edition-impact"' in draft
    assert 'id="edition-review"' not in draft  # the editor holds no reviewer's duty
    regulator = _client(demo_store, "demo-regulator", served.password)
    shown = regulator.get(where).text
    assert 'id="edition-approve"' in shown
    empty = regulator.post(f"{where}/decision", data={"verdict": "approve", "comment": " "})
    assert empty.status_code == 422 and "请在意见中说明理由" in empty.text
    done = regulator.post(
        f"{where}/decision",
        data={"verdict": "approve", "comment": "核对了原文"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = html.unescape(regulator.get(where).text)
    assert "由 demo-regulator 审定：核对了原文" in after and "所作的修改" in after
    assert 'id="edition-review"' not in after
    enterprise = _client(demo_store, "demo-enterprise", served.password)
    assert enterprise.get("/reference/editions").status_code == 200  # every user reads them
    refused = enterprise.post(
        "/reference/editions", files={"file": ("e.xlsx", _filled(blank.content, 0.5), XLSX)}
    )
    assert refused.status_code == 403
    english = _client(demo_store, "demo-regulator", served.password, "en")
    listed = english.get("/reference/editions").text
    assert "Reference editions" in listed and "approved" in listed
