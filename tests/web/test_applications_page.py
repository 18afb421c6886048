"""The applications page: an enterprise submits, the regulator decides, errors shown on the page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from carbonpeak.api.app import create_app

from .conftest import Served
from .test_pages import _login

SWAP = """sector: cement
application_date: 2025-03-01
location: {region_code: "130200"}
built: [{equipment: clinker_kiln, capacity_t: 1500000}]
exit: [{equipment: clinker_kiln, capacity_t: 3000000, region_code: "130200"}]
reaches_benchmark: true
"""


@pytest.fixture
def client(demo_store: Engine) -> Iterator[TestClient]:
    yield TestClient(create_app(demo_store))


def test_submit_and_decide_on_the_page(client: TestClient, served: Served) -> None:
    _login(client, "demo-enterprise", served.password)
    page = client.get("/applications")
    assert page.status_code == 200 and 'id="application-form"' in page.text
    choices = page.text.split('name="enterprise_id"', 1)[1]
    enterprise = choices.split('<option value="', 1)[1].split('"', 1)[0]
    assert len(enterprise) == 18  # one of the user's enterprises, offered in the form
    made = client.post(
        "/applications",
        data={"kind": "swap", "enterprise_id": enterprise, "body": SWAP},
        follow_redirects=False,
    )
    assert made.status_code == 303
    bad = client.post(
        "/applications", data={"kind": "swap", "enterprise_id": enterprise, "body": "sector: paper"}
    )
    assert bad.status_code == 400 and 'id="application-error"' in bad.text and "sector" in bad.text
    listed = client.get("/applications").text
    number = int(re.search(r'id="application-(\d+)"', listed).group(1))  # type: ignore[union-attr]
    regulator = TestClient(client.app)
    _login(regulator, "demo-regulator", served.password)
    view = regulator.get("/applications").text
    assert f'action="/applications/{number}/decision"' in view
    decided = regulator.post(
        f"/applications/{number}/decision",
        data={"decision": "approve", "comment": ""},
        follow_redirects=False,
    )
    assert decided.status_code == 303  # compliant: no comment needed
    after = regulator.get("/applications").text
    assert f'action="/applications/{number}/decision"' not in after


def _count(client: TestClient) -> int:
    return len(re.findall(r'id="application-\d+"', client.get("/applications").text))


def test_the_data_centre_form_submits_like_the_file(client: TestClient, served: Served) -> None:
    _login(client, "demo-enterprise", served.password)
    page = client.get("/applications?form=datacentre")
    assert 'id="fields-form"' in page.text and 'name="months.0.total_kwh"' in page.text
    assert 'min="1"' in page.text and "required" in page.text  # the racks' HTML limits
    enterprise = page.text.split('name="enterprise_id"', 1)[1]
    enterprise = enterprise.split('<option value="', 1)[1].split('"', 1)[0]
    form = {
        "form_kind": "datacentre",
        "enterprise_id": enterprise,
        "region_code": "330100",
        "evaluation_date": "2025-06-30",
        "racks": "5000",
        "months.0.month": "2024-01",
        "months.0.total_kwh": "1250000",
        "months.0.it_kwh": "1000000",
    }
    added = client.post("/applications/form", data={**form, "action": "add:months"})
    assert added.status_code == 200 and 'name="months.1.month"' in added.text
    assert 'value="1250000"' in added.text  # the posted values come back
    before = _count(client)
    bad = client.post("/applications/form", data={**form, "racks": "0", "action": "submit"})
    assert bad.status_code == 422 and "racks" in bad.text and _count(client) == before
    unknown = client.post(
        "/applications/form", data={**form, "months.0.month": "", "action": "submit"}
    )
    assert unknown.status_code == 422 and "months.0.month" in unknown.text
    made = client.post(
        "/applications/form", data={**form, "action": "submit"}, follow_redirects=False
    )
    assert made.status_code == 303 and _count(client) == before + 1
    # PUE 1,250,000 / 1,000,000 = 1.25: stored as the file would be
    listed = client.get("/applications").text
    assert "数据中心" in listed  # its kind by name


def test_the_workbook_downloads_and_uploads(client: TestClient, served: Served) -> None:
    from tests.io.test_application_book import _filled

    _login(client, "demo-enterprise", served.password)
    page = client.get("/applications?form=factory").text
    assert 'href="/applications/template/factory.xlsx"' in page
    enterprise = page.split('name="enterprise_id"', 1)[1]
    enterprise = enterprise.split('<option value="', 1)[1].split('"', 1)[0]
    template = client.get("/applications/template/factory.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    before = _count(client)
    bad = _filled("factory", {("indicators", 3, 3): "sometimes"})
    refused = client.post(
        "/applications/book",
        data={"form_kind": "factory", "enterprise_id": enterprise},
        files={"file": ("f.xlsx", bad)},
    )
    assert refused.status_code == 422 and "indicators" in refused.text
    assert _count(client) == before
    # no file chosen: said in the page's language (Chinese by default)
    empty = client.post(
        "/applications/book", data={"form_kind": "factory", "enterprise_id": enterprise}
    )
    assert empty.status_code == 422 and "请选择 XLSX 文件" in empty.text
    assert "choose an XLSX file" not in empty.text
    made = client.post(
        "/applications/book",
        data={"form_kind": "factory", "enterprise_id": enterprise},
        files={"file": ("f.xlsx", _filled("factory"))},
        follow_redirects=False,
    )
    assert made.status_code == 303 and _count(client) == before + 1


def _enterprise(page: str) -> str:
    choices = page.split('name="enterprise_id"', 1)[1]
    return choices.split('<option value="', 1)[1].split('"', 1)[0]


def test_the_swap_form_submits_like_the_file(client: TestClient, served: Served) -> None:
    from tests.io.test_application_form import _swap_form

    _login(client, "demo-enterprise", served.password)
    page = client.get("/applications?form=swap").text
    assert 'name="built.0.capacity_t"' in page and 'name="exit.0.status"' in page
    # reaches_benchmark: a three-way choice, not a checkbox
    choice = page.split('name="reaches_benchmark"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="([a-z]*)"', choice) == ["", "true", "false"]
    form = {"form_kind": "swap", "enterprise_id": _enterprise(page), **_swap_form()}
    added = client.post("/applications/form", data={**form, "action": "add:exit"})
    assert added.status_code == 200 and 'name="exit.1.equipment"' in added.text
    before = _count(client)
    for bad, field in (
        ({"built.0.capacity_t": "-1"}, "built.0.capacity_t"),  # out of range
        ({"application_date": ""}, "application_date"),  # required
        ({"exit.0.status": "retired"}, "exit.0.status"),  # unknown choice
        ({"reaches_benchmark": "maybe"}, "reaches_benchmark"),
    ):
        refused = client.post("/applications/form", data={**form, **bad, "action": "submit"})
        assert refused.status_code == 422 and field in refused.text
    assert _count(client) == before
    made = client.post(
        "/applications/form", data={**form, "action": "submit"}, follow_redirects=False
    )
    assert made.status_code == 303 and _count(client) == before + 1


def test_the_project_form_and_workbook(client: TestClient, served: Served) -> None:
    from tests.io.test_application_book import _filled
    from tests.io.test_application_form import _project_form

    _login(client, "demo-enterprise", served.password)
    page = client.get("/applications?form=project").text
    assert 'name="energy.0.stream"' in page and 'name="output_amount"' in page
    enterprise = _enterprise(page)
    form = {"form_kind": "project", "enterprise_id": enterprise, **_project_form()}
    before = _count(client)
    refused = client.post(
        "/applications/form", data={**form, "energy.1.oxidation_rate": "2", "action": "submit"}
    )
    assert refused.status_code == 422 and "energy.1.oxidation_rate" in refused.text
    assert _count(client) == before
    made = client.post(
        "/applications/form", data={**form, "action": "submit"}, follow_redirects=False
    )
    assert made.status_code == 303 and _count(client) == before + 1
    template = client.get("/applications/template/project.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    bad = _filled("project", {("energy", 2, 1): "coal"})  # not a stream
    refused = client.post(
        "/applications/book",
        data={"form_kind": "project", "enterprise_id": enterprise},
        files={"file": ("p.xlsx", bad)},
    )
    assert refused.status_code == 422 and "energy" in refused.text
    assert _count(client) == before + 1
    uploaded = client.post(
        "/applications/book",
        data={"form_kind": "swap", "enterprise_id": enterprise},
        files={"file": ("s.xlsx", _filled("swap"))},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303 and _count(client) == before + 2
