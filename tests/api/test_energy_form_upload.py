"""A filled NBS form 205-1 uploaded on the dashboard's upload page is read as an activity table
and kept as a draft, as an activity file is; a form with a problem stores nothing and lists the
problem at its row and the form's column heading; the blank form is downloadable."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook

from carbonpeak.io.energy_form import TITLE
from tests.api.conftest import CEMENT, PASSWORD, Api
from tests.io.test_energy_form import COAL, GAS, POWER, _form


def test_the_upload_page_reads_a_filled_form(api: Api, tmp_path: Path) -> None:
    api.client.cookies.clear()
    api.client.post("/login", data={"username": "admin", "password": PASSWORD, "next": "/"})
    blank = api.client.get("/upload/form-205-1.xlsx")
    assert blank.status_code == 200
    assert load_workbook(BytesIO(blank.content)).worksheets[0].title == TITLE

    bad = _form(tmp_path / "bad.xlsx", [COAL, ("其他焦化产品", "吨", {"4": 5})]).read_bytes()
    refused = api.client.post("/upload", files={"file": ("bad.xlsx", bad)})
    assert "其他焦化产品" in refused.text and "能源名称" in refused.text
    drafts = api.client.get("/api/v1/submissions?state=draft", headers=api.headers("admin"))
    assert drafts.json()["total"] == 0

    good = _form(tmp_path / "good.xlsx", [COAL, None, POWER, GAS]).read_bytes()
    preview = api.client.post("/upload", files={"file": ("good.xlsx", good)})
    assert preview.status_code == 200, preview.text
    listed = api.client.get("/api/v1/submissions?state=draft", headers=api.headers("admin"))
    assert [(s["enterprise_id"], s["period"]) for s in listed.json()["items"]] == [(CEMENT, "2025")]


def test_the_api_takes_a_filled_form_as_a_submission(api: Api, tmp_path: Path) -> None:
    good = _form(tmp_path / "good.xlsx", [COAL, POWER, GAS]).read_bytes()
    made = api.client.post(
        "/api/v1/submissions", headers=api.headers("cement"), files={"file": ("f.xlsx", good)}
    )
    assert made.status_code == 201, made.text
    assert [(s["enterprise_id"], s["period"]) for s in made.json()["submissions"]] == [
        (CEMENT, "2025")
    ]
    # a form of an enterprise the store does not know: refused at the code's header cell in
    # the form's sheet (the service's check, placed as the form has it), nothing stored
    other = _form(tmp_path / "other.xlsx", [GAS], uscc="911302005B8M2P4Q99").read_bytes()
    refused = api.client.post(
        "/api/v1/submissions", headers=api.headers("cement"), files={"file": ("o.xlsx", other)}
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == [
        {
            "file": "o.xlsx",
            "sheet": TITLE,
            "row": 3,
            "column": "统一社会信用代码",
            "field": None,
            "message": "911302005B8M2P4Q99: no such enterprise",
        }
    ]
