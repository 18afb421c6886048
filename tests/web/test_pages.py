"""The dashboard's pages without a browser: catalogs, redirects, CSV against the services."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carbonpeak.api.app import create_app
from carbonpeak.i18n import CATALOGS, LOCALES, day, number, problem_text
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting_versions import accounts_of, list_submissions, roll_up_visible
from carbonpeak.store.db import transaction
from carbonpeak.store.models import User

from .conftest import Served

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "src" / "carbonpeak"


def _source_messages() -> set[str]:
    """Every message of the files `make messages` extracts from (`babel.cfg`)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    return {
        _singular(m[2])
        for m in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)
        if m[2]
    }


def _singular(message: object) -> str:
    return str(message[0] if isinstance(message, tuple) else message)


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogs_cover_every_message_and_only_those(locale: str) -> None:
    with (CATALOGS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    known = {_singular(m.id) for m in catalog if m.id}
    source = _source_messages()
    assert source - known == set(), "messages without a catalog entry (pybabel update)"
    assert known - source == set(), "catalog entries no page uses any more"
    for message in catalog:  # a translation takes the values of its template
        if isinstance(message.id, str) and "{" in message.id and message.string:
            fields = [
                name
                for _text, name, _spec, _as in Formatter().parse(message.id)
                if name is not None
            ]
            values = ["x"] * len(fields)
            assert message.id.format(*values) and str(message.string).format(*values)
    if locale == "zh_CN":
        untranslated = sorted(
            _singular(m.id)
            for m in catalog
            if m.id and not (any(m.string) if isinstance(m.string, tuple) else m.string)
        )
        assert untranslated == []


def test_numbers_follow_the_locale() -> None:
    assert number(1234567.891, "en", 1) == "1,234,567.9"
    assert number(1234567.891, "zh_CN") == "1,234,568"
    assert number(None, "en") == "–"


def test_problems_read_in_the_chosen_language() -> None:
    from carbonpeak.errors import Place, Problem

    problem = Problem.of(Place(row=3, column="unit"), "unit {!r} is not {} per {}", "kg", "GJ", "t")
    assert problem.message == "unit 'kg' is not GJ per t"
    assert problem_text(problem, "en") == problem.message
    assert problem_text(problem, "zh_CN") == "单位 “kg” 不是每 t 的 GJ"  # Chinese quotes
    tab = Problem.of(Place(row=3), "unit {!r} is not {} per {}", "k\tg", "GJ", "t")
    assert problem_text(tab, "zh_CN") == "单位 “k\\tg” 不是每 t 的 GJ"  # escaped as repr does
    plain = Problem(Place(field="x"), "no template")
    assert problem_text(plain, "zh_CN") == "no template"
    assert day("2025-12-31", "zh_CN") == "2025年12月31日"
    assert day("2025-12-31", "en") == "Dec 31, 2025"
    assert day(None, "en") == "–"


@pytest.fixture
def client(demo_store: Engine) -> TestClient:
    return TestClient(create_app(demo_store))


def _actor(session: Session, username: str) -> Actor:
    return Actor.of(session.execute(select(User).where(User.username == username)).scalar_one())


def _login(client: TestClient, who: str, password: str, next: str = "/") -> str:
    response = client.post(
        "/login",
        data={"username": who, "password": password, "next": next},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return str(response.headers["location"])


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "overview"])
def test_login_redirects_only_within_the_site(
    client: TestClient, served: Served, target: str
) -> None:
    assert _login(client, "demo-regulator", served.password, target) == "/"
    client.close()


def test_csv_holds_the_roll_up_of_the_services(client: TestClient, served: Served) -> None:
    _login(client, "demo-regulator", served.password)
    year_csv = client.get("/overview/year.csv").content.decode("utf-8-sig")
    latest = list(csv.DictReader(io.StringIO(year_csv)))[-1]["key"]  # region: latest year
    response = client.get("/overview/region.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    with transaction(served.engine) as session:
        expected = roll_up_visible(
            session, _actor(session, "demo-regulator"), by="region_code", year=latest
        )
    # each row of the CSV is rounded to 3 decimals (a kilogram): the sums differ by at most
    # half of that a row (a relative bound failed once a test had stored a small latest year)
    assert sum(float(r["co2e_t"]) for r in rows) == pytest.approx(
        sum(r["co2e_t"] for r in expected), abs=0.0005 * len(rows)
    )
    assert {r["key"] for r in rows} == {r["region_code"] for r in expected}
    assert client.get("/overview/colour.csv").status_code == 404
    client.close()


def test_pages_need_a_login_and_a_role(client: TestClient, served: Served) -> None:
    assert client.get("/overview", follow_redirects=False).headers["location"] == (
        "/login?next=/overview"
    )
    assert client.get("/overview/year.csv", follow_redirects=False).status_code == 303
    _login(client, "demo-enterprise", served.password)
    assert client.get("/overview").status_code == 403
    assert client.get("/overview/year.csv").status_code == 404
    page = client.get("/")
    assert "Content-Security-Policy" in page.headers
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    # kept on the server per caller, never by a proxy: the browser asks again each time
    assert page.headers["Cache-Control"] == "private, no-cache"
    client.close()


def test_reports_of_an_enterprise(client: TestClient, served: Served) -> None:
    with transaction(served.engine) as session:
        actor = _actor(session, "demo-enterprise")
        enterprise = next(e for e in sorted(actor.enterprises) if accounts_of(session, actor, e))
    _login(client, "demo-enterprise", served.password)
    workbook = client.get(f"/enterprises/{enterprise}/report.xlsx")
    assert workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert workbook.content[:2] == b"PK"  # a zip container
    pdf = client.get(f"/enterprises/{enterprise}/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    assert client.get(f"/enterprises/{enterprise}/report.docx").status_code == 404
    assert client.get("/enterprises/911302007A3K9C2D25/report.pdf").status_code == 404
    client.close()


def test_industry_tables_for_regulators_only(client: TestClient, served: Served) -> None:
    _login(client, "demo-regulator", served.password)
    grades = client.get("/industry/grades.csv?year=2023").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(grades)))
    assert rows and all(
        int(r["benchmark"]) + int(r["baseline"]) + int(r["below_baseline"]) == int(r["total"])
        for r in rows
    )
    below = client.get("/industry/below-baseline.csv?year=2023").content.decode("utf-8-sig")
    listed = list(csv.DictReader(io.StringIO(below)))
    assert sum(int(r["below_baseline"]) for r in rows) == len(listed)
    assert all(r["deadline"] == "2025-12-31" for r in listed)
    assert client.get("/industry/colour.csv").status_code == 404
    client.close()
    other = TestClient(client.app)
    _login(other, "demo-enterprise", served.password)
    assert other.get("/industry").status_code == 403
    assert other.get("/industry/grades.csv").status_code == 404
    other.close()


def test_regional_summary_holds_the_overview(client: TestClient, served: Served) -> None:
    _login(client, "demo-regulator", served.password)
    pdf = client.get("/overview/report.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    book = load_workbook(io.BytesIO(client.get("/overview/report.xlsx").content))
    assert book.sheetnames == [
        "year",
        "industry",
        "region",
        "grades",
        "below_baseline",
        "provenance",
    ]
    region_csv = client.get("/overview/region.csv").content.decode("utf-8-sig")
    expected = sum(float(r["co2e_t"]) for r in csv.DictReader(io.StringIO(region_csv)))
    rows = list(book["region"].iter_rows(min_row=2, values_only=True))
    # the CSV's rows are rounded to 3 decimals, the workbook's are not: half of that a row
    assert sum(float(r[5]) for r in rows) == pytest.approx(expected, abs=0.0005 * len(rows))
    assert book["provenance"].max_row > 1  # the levels' documents
    assert client.get("/overview/report.docx").status_code == 404
    client.close()


def test_a_return_needs_a_reason_said_in_chinese(client: TestClient, served: Served) -> None:
    with transaction(served.engine) as session:
        _total, rows = list_submissions(
            session, _actor(session, "demo-regulator"), state="submitted", limit=1
        )
    _login(client, "demo-regulator", served.password)
    response = client.post(
        f"/review/{rows[0]['submission_id']}", data={"action": "return", "comment": " "}
    )
    assert response.status_code == 422
    assert "请说明退回的理由" in response.text
    client.close()
