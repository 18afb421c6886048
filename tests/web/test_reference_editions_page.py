"""The reference editions page (issue 20): the demo's administrator (the editor's duty)
downloads the blank workbook and uploads an edition, sees what it would change; the demo's
regulator (the reviewer's duty) approves it with a comment; an enterprise user may read but
not upload; a bad workbook is a 422 page with its problems placed. Test fixtures only."""

from __future__ import annotations

import html
import io
import re
from datetime import datetime

import pytest
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


def _decided(client: TestClient, where: str, verdict: str, comment: str) -> None:
    """A reviewer's decision on an edition's page (approve, reject, withdraw), taken."""
    done = client.post(
        f"{where}/decision",
        data={"verdict": verdict, "comment": comment},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:2000]


def _filled(blank: bytes, value: object) -> bytes:
    book = load_workbook(io.BytesIO(blank))
    sheet = book["版本 (edition)"]
    sheet["B2"], sheet["B3"] = "test_fixture_page", "页面测试（test fixture, not a real rule）"
    sheet["B5"], sheet["B10"] = "测试〔2026〕5号", datetime(2025, 1, 1)
    book["电网排放因子 (grid_emission_factors)"].append(["national", "ets", value, "kgCO2/kWh"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_review_approve(demo_store: Engine, served: Served) -> None:
    admin = _client(demo_store, "demo-admin", served.password)
    page = admin.get("/reference/editions")
    assert (
        page.status_code == 200 and 'id="edition-form"' in page.text and "参考数据版本" in page.text
    )
    # the blank workbook's table chooser: each table by its Chinese name and code
    chooser = html.unescape(page.text)
    assert (
        '<option value="grid_emission_factors" selected>电网排放因子 (grid_emission_factors)'
        in chooser
    )
    assert '<option value="formula_bands">公式分段 (formula_bands)</option>' in chooser
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
    counts = draft[draft.index('id="edition-changes"') :]
    assert '<td>电网排放因子 <span class="code">(grid_emission_factors)</span></td>' in counts
    assert "对已存报告的影响" in draft and 'id="edition-impact"' in draft
    assert 'id="edition-review"' not in draft  # the editor holds no reviewer's duty
    regulator = _client(demo_store, "demo-regulator", served.password)
    # each one's home says what waits: the reviewer a draft to decide, the editor its draft
    number = where.rsplit("/", 1)[1]
    home = html.unescape(regulator.get("/").text)
    waiting = home[home.index('id="cockpit-editions"') :]
    assert "待审定的参考数据版本" in waiting and f'href="{where}"' in waiting
    mine = html.unescape(admin.get("/").text)
    assert f"第 {number} 版" in mine and "等待审核" in mine
    shown = regulator.get(where).text
    assert 'id="edition-approve"' in shown
    empty = regulator.post(f"{where}/decision", data={"verdict": "approve", "comment": " "})
    assert empty.status_code == 422 and "请在意见中说明理由" in empty.text
    _decided(regulator, where, "approve", "核对了原文")
    after = html.unescape(regulator.get(where).text)
    assert "由 demo-regulator 审定：核对了原文" in after and "所作的修改" in after
    assert 'id="edition-review"' not in after
    package = regulator.get(f"{where}/package.zip")
    assert package.status_code == 200 and package.headers["content-type"] == "application/zip"
    enterprise = _client(demo_store, "demo-enterprise", served.password)
    assert enterprise.get("/reference/editions").status_code == 200  # every user reads them
    refused = enterprise.post(
        "/reference/editions", files={"file": ("e.xlsx", _filled(blank.content, 0.5), XLSX)}
    )
    assert refused.status_code == 403
    english = _client(demo_store, "demo-regulator", served.password, "en")
    listed = english.get("/reference/editions").text
    assert "Reference editions" in listed and "approved" in listed
    shown_en = html.unescape(english.get(where).text)
    assert '<td>Grid emission factors <span class="code">(grid_emission_factors)</span>' in shown_en


def _co2_2023(client: TestClient, basis: str = "") -> float:
    import csv

    got = client.get("/overview/year.csv" + (f"?basis={basis}" if basis else ""))
    assert got.status_code == 200
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(got.text.lstrip("\ufeff")))}
    return float(rows["2023"]["co2_t"])


def _north_2023(blank: bytes, value: float, source: str) -> bytes:
    """An edition (a test fixture, not a real rule) correcting the north grid's 2023 factor,
    which the demo's Hebei plants use for 2023 (Hebei has no provincial 2023 factor)."""
    book = load_workbook(io.BytesIO(blank))
    sheet = book["版本 (edition)"]
    sheet["B2"], sheet["B3"] = source, "华北电网 2023 因子更正（test fixture, not a real rule）"
    sheet["B5"], sheet["B10"] = "测试〔2026〕8号", datetime(2023, 1, 1)
    book["电网排放因子 (grid_emission_factors)"].append(
        ["north", "average", value, "kgCO2/kWh", datetime(2023, 1, 1), datetime(2024, 1, 1)]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _approved(admin: TestClient, regulator: TestClient, content: bytes) -> str:
    made = admin.post(
        "/reference/editions", files={"file": ("e.xlsx", content, XLSX)}, follow_redirects=False
    )
    assert made.status_code == 303, made.text[:2000]
    where = str(made.headers["location"])
    _decided(regulator, where, "approve", "核对原文")
    return where


def test_the_overview_restated_changes_and_as_reported_does_not(
    demo_store: Engine, served: Served
) -> None:
    admin = _client(demo_store, "demo-admin", served.password)
    regulator = _client(demo_store, "demo-regulator", served.password)
    blank = admin.get("/reference/editions/template.xlsx").content
    restated, reported = _co2_2023(regulator), _co2_2023(regulator, "reported")
    assert restated == pytest.approx(reported, rel=1e-9)  # no edition touches 2023 yet
    draft = admin.post(
        "/reference/editions",
        files={"file": ("e.xlsx", _north_2023(blank, 0.63, "test_fixture_north_a"), XLSX)},
        follow_redirects=False,
    )
    page = html.unescape(admin.get(str(draft.headers["location"])).text)
    impact = page[page.index('id="edition-impact"') :]
    # every 2023 report of the demo changes (all its plants are in Hebei), before approval
    (accounts, changed) = re.findall(
        r'<td class="n">2023</td><td class="n">([\d,]+)</td><td class="n">([\d,]+)</td>', impact
    )[0]
    assert accounts == changed and int(accounts.replace(",", "")) > 100
    _decided(regulator, draft.headers["location"], "approve", "核对原文")
    # restated: every 2023 kWh of the demo's Hebei plants at 0.6300 instead of 0.6361 kg
    now = _co2_2023(regulator)
    assert now < restated and _co2_2023(regulator, "reported") == reported
    overview = html.unescape(regulator.get("/overview").text)
    assert "重算口径" in overview and 'href="/overview?basis=reported"' in overview
    report = html.unescape(regulator.get("/reference/restatement").text)
    assert "华北电网 2023 因子更正" in report and "0.6361" in report and "0.63" in report
    assert "份报告是按与今日不同的参考数据算出的" in report
    # the correction undone by a second edition (so the shared demo store's figures stay)
    _approved(admin, regulator, _north_2023(blank, 0.6361, "test_fixture_north_b"))
    assert _co2_2023(regulator) == pytest.approx(restated, rel=1e-9)
    assert regulator.get("/reference/restatement").status_code == 200
    enterprise = _client(demo_store, "demo-enterprise", served.password)
    assert enterprise.get("/reference/restatement").status_code == 403


def test_the_library_in_force_with_its_verified_share_and_evidence(
    demo_store: Engine, served: Served
) -> None:
    client = _client(demo_store, "demo-enterprise", served.password)
    tables = html.unescape(client.get("/reference").text)
    assert "参考数据" in tables and 'href="/reference/tables/grid_emission_factors"' in tables
    assert "已核实比例" in tables
    # each table by its Chinese name with its code; in English by its English name
    assert '">电网排放因子</a> <span class="code">(grid_emission_factors)</span>' in tables
    assert '">产能置换比例</a> <span class="code">(swap_ratios)</span>' in tables
    assert "Grid emission factors" not in tables
    page = html.unescape(client.get("/reference/tables/grid_emission_factors").text)
    assert "<title>电网排放因子 (grid_emission_factors) · " in page
    assert '<h1>电网排放因子 <span class="code">(grid_emission_factors)</span></h1>' in page
    english = _client(demo_store, "demo-enterprise", served.password, "en")
    listed = html.unescape(english.get("/reference").text)
    assert '">Grid emission factors</a> <span class="code">(grid_emission_factors)</span>' in listed
    assert "电网排放因子" not in listed
    page = html.unescape(english.get("/reference/tables/grid_emission_factors").text)
    assert "<title>Grid emission factors (grid_emission_factors) · " in page
    heading = '<h1>Grid emission factors <span class="code">(grid_emission_factors)</span></h1>'
    assert heading in page
    rows = client.get("/reference/tables/grid_emission_factors?as_of=2021-06-01")
    text = html.unescape(rows.text)
    # edition 1 verified the 2021 ETS factor from the Tianjin notice: its evidence shows
    assert rows.status_code == 200 and "0.581" in text and "已核实" in text
    assert "津环气候〔2022〕19号" in text
    assert client.get("/reference/tables/nope").status_code == 404


def test_a_reviewer_verifies_a_row_with_its_page_and_document(
    demo_store: Engine, served: Served
) -> None:
    regulator = _client(demo_store, "demo-regulator", served.password)
    table = html.unescape(regulator.get("/reference/tables/process_emission_factors").text)
    link = "/reference/tables/process_emission_factors/verify?item=magnesite&basis=stoichiometric&"
    assert link in table  # each row links the reviewer's form
    form = regulator.get(link)
    assert form.status_code == 200 and 'id="verify-form"' in form.text
    missing_clause = regulator.post(
        "/reference/tables/process_emission_factors/verify",
        data={
            "key_item": "magnesite",
            "key_basis": "stoichiometric",
            "source_id": "fx_derived",
            "clause": " ",
        },
    )
    assert missing_clause.status_code == 422 and "请注明读到的页码或条款" in missing_clause.text
    done = regulator.post(
        "/reference/tables/process_emission_factors/verify",
        data={
            "key_item": "magnesite",
            "key_basis": "stoichiometric",
            "source_id": "test_fixture_chem",
            "title": "化学手册（test fixture）",
            "clause": "p.7, MgCO3",
        },
        files={"document": ("手册.pdf", b"%PDF test fixture", "application/pdf")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    edition = html.unescape(regulator.get(str(done.headers["location"])).text)
    assert "核实记录：process_emission_factors" in edition and "已批准" in edition
    rows = html.unescape(regulator.get("/reference/tables/process_emission_factors").text)
    assert "p.7, MgCO3" in rows and "化学手册（test fixture）" in rows
    enterprise = _client(demo_store, "demo-enterprise", served.password)
    assert enterprise.get(link).status_code == 403
    assert "verify?" not in enterprise.get("/reference/tables/process_emission_factors").text


def test_a_report_citing_an_edition_renders(demo_store: Engine, served: Served) -> None:
    """A report accounted after an edition was approved cites that edition's source: its PDF
    and workbook find it (the full suite caught the report reading the shipped library only)."""
    import pandas as pd
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from carbonpeak.services.access import Actor
    from carbonpeak.services.accounting import submit
    from carbonpeak.store.models import User

    admin = _client(demo_store, "demo-admin", served.password)
    regulator = _client(demo_store, "demo-regulator", served.password)
    blank = admin.get("/reference/editions/template.xlsx").content
    # the north grid's 2023 factor re-stated at its own value by a test document, so that the
    # shared demo store's figures stay as they are while its rows cite the edition
    _approved(admin, regulator, _north_2023(blank, 0.6361, "test_fixture_north_cited"))
    plant = "911302007A3K9C2D24"  # a cement plant of demo-enterprise
    with Session(demo_store) as session, session.begin():
        user = session.execute(select(User).where(User.username == "demo-admin")).scalar_one()
        line = {
            "enterprise_id": plant,
            "period": "2025-11",
            "stream": "electricity",
            "item": "electricity",
            "amount": "10",
            "unit": "MWh",
            "direction": "in",
        }
        # a draft: the enterprise sees it, and the shared store's official figures (the
        # summary's latest year among them) stay as the other tests expect
        submit(session, Actor.of(user), pd.DataFrame([line]), draft=True)
    enterprise = _client(demo_store, "demo-enterprise", served.password)
    for kind, start in (("pdf", b"%PDF-"), ("xlsx", b"PK")):
        got = enterprise.get(f"/enterprises/{plant}/report.{kind}?period=2025-11")
        assert got.status_code == 200 and got.content[: len(start)] == start, got.text[:300]


def test_a_reviewer_withdraws_an_edition_and_the_overview_goes_back(
    demo_store: Engine, served: Served
) -> None:
    """Approved, then withdrawn on its page: the overview restated goes back to the shipped
    factor. An approved twin that no longer applies (stored behind the checks' back, as a race
    of two reviewers could) is named on the editions page and left out, not a failure."""
    from sqlalchemy import select

    from carbonpeak.store.db import transaction
    from carbonpeak.store.models_reference import ReferenceEdition

    admin = _client(demo_store, "demo-admin", served.password)
    regulator = _client(demo_store, "demo-regulator", served.password)
    blank = admin.get("/reference/editions/template.xlsx").content
    before = _co2_2023(regulator)
    where = _approved(admin, regulator, _north_2023(blank, 0.63, "test_fixture_north_w"))
    assert _co2_2023(regulator) < before
    number = int(where.rsplit("/", 1)[1])
    with transaction(demo_store) as session:
        first = session.execute(
            select(ReferenceEdition).where(ReferenceEdition.edition_id == number)
        ).scalar_one()
        twin = ReferenceEdition(
            source_id="test_fixture_north_twin",
            title=first.title,
            valid_from=first.valid_from,
            state="approved",
            digest=first.digest,
            file_name="twin.xlsx",
            content={
                **first.content,
                "document": {**first.content["document"], "source_id": "test_fixture_north_twin"},
                # "add" over the row the first put in force: it cannot apply after it
                "rows": [{**r, "action": "add"} for r in first.content["rows"]],
            },
            author=first.author,
            reviewer=first.reviewer,
            decided_at=first.decided_at.replace(year=2030),
            comment="race",
        )
        session.add(twin)
        session.flush()
        twin_id = twin.edition_id
    # an enterprise's page shows its 2023 report as reported and restated, naming the edition
    with transaction(demo_store) as session:
        from carbonpeak.services.accounting_versions import OFFICIAL_STATES
        from carbonpeak.store.models import Submission

        plant, period = session.execute(
            select(Submission.enterprise_id, Submission.period)
            .where(Submission.period.like("2023%"), Submission.state.in_(OFFICIAL_STATES))
            .limit(1)
        ).one()
    shown = html.unescape(regulator.get(f"/enterprises/{plant}?period={period}").text)
    restated = shown[shown.index('id="restated"') :]
    assert "按报告时口径与重算口径" in restated and f"/reference/editions/{number}" in restated
    assert re.search(r'<td class="n">-\d', restated)  # 0.63 < 0.6361 kg/kWh: CO2 goes down
    listed = html.unescape(regulator.get("/reference/editions").text)
    left = listed[listed.index('id="editions-left-out"') :]
    assert "未纳入现行参考数据的已批准版本" in left and f"/reference/editions/{twin_id}" in left
    page = html.unescape(regulator.get(where).text)
    assert 'id="edition-withdraw"' in page
    for edition in (where, f"/reference/editions/{twin_id}"):  # the twin applies once alone
        _decided(regulator, edition, "withdraw", "测试后撤回")
    after = html.unescape(regulator.get(where).text)
    assert "已撤回" in after and "demo-regulator 于" in after and "测试后撤回" in after
    assert 'id="edition-withdraw"' not in after
    assert _co2_2023(regulator) == pytest.approx(before, rel=1e-9)
    assert 'id="editions-left-out"' not in regulator.get("/reference/editions").text
    assert 'id="restated"' not in regulator.get(f"/enterprises/{plant}?period={period}").text


def test_an_authority_writes_a_formula_in_the_workbook(demo_store: Engine, served: Served) -> None:
    """Issue 20 part 5 as a user does it: the blank workbook of the two formula tables, a
    bands formula filled in (an illustration, not a rule of any authority), uploaded as a
    draft that adds one formula and its two bands; a formula without its bands is refused at
    its row. The draft is rejected afterwards (the demo store is shared)."""
    admin = _client(demo_store, "demo-admin", served.password)
    blank = admin.get("/reference/editions/template.xlsx?table=formulas&table=formula_bands")
    assert blank.status_code == 200

    def book(with_bands: bool) -> bytes:
        filled = load_workbook(io.BytesIO(blank.content))
        sheet = filled["版本 (edition)"]
        sheet["B2"], sheet["B3"] = (
            "test_fixture_formula",
            "公式示例（test fixture, not a real rule）",
        )
        sheet["B5"], sheet["B10"] = "测试〔2026〕7号", datetime(2026, 1, 1)
        formulas, bands = filled.worksheets[2], filled.worksheets[3]
        assert "formulas" in formulas.title and "formula_bands" in bands.title
        own = ["example.standard", "bands", "electric_range_km", None, None, None, "lower"]
        formulas.append([*own, None, 1.5, None, None, None, None, None, "新增"])
        if with_bands:
            for start, intercept, slope in ((0, 0, 0), (100, 0.3, 0)):
                bands.append(["example.standard", start, intercept, slope, *[None] * 5, "新增"])
        out = io.BytesIO()
        filled.save(out)
        return out.getvalue()

    refused = admin.post("/reference/editions", files={"file": ("公式.xlsx", book(False), XLSX)})
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "no rows of formula_bands for 'example.standard'" in text and "公式.xlsx" in text
    made = admin.post(
        "/reference/editions",
        files={"file": ("公式.xlsx", book(True), XLSX)},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text[:3000]
    draft = html.unescape(admin.get(made.headers["location"]).text)
    counts = draft[draft.index('id="edition-changes"') :]
    assert '计算公式 <span class="code">(formulas)</span></td><td class="n">1</td>' in counts
    assert '公式分段 <span class="code">(formula_bands)</span></td><td class="n">2</td>' in counts
    regulator = _client(demo_store, "demo-regulator", served.password)
    _decided(regulator, made.headers["location"], "reject", "测试夹具")


def test_a_draft_names_the_tables_whose_rows_hold_for_every_date(
    demo_store: Engine, served: Served
) -> None:
    """A correction of an undated table (the fossil-fuel parameters; a test fixture value)
    says on its draft page, by the table's Chinese name, that it holds for every date."""
    admin = _client(demo_store, "demo-admin", served.password)
    blank = admin.get("/reference/editions/template.xlsx?table=fuel_parameters").content
    book = load_workbook(io.BytesIO(blank))
    sheet = book["版本 (edition)"]
    sheet["B2"], sheet["B3"] = "test_fixture_every_date", "无日期表测试（test fixture）"
    sheet["B5"], sheet["B10"] = "测试〔2026〕12号", datetime(2026, 1, 1)
    parameters = book.worksheets[2]
    parameters.append(
        ["guideline_2013", "anthracite", "ncv", 26.8, "GJ/t", None, None, None, "修改"]
    )
    out = io.BytesIO()
    book.save(out)
    made = admin.post(
        "/reference/editions",
        files={"file": ("e.xlsx", out.getvalue(), XLSX)},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text[:2000]
    page = html.unescape(admin.get(made.headers["location"]).text)
    warning = page[page.index('id="every-date"') :]
    assert "化石燃料参数" in warning[: warning.index("</p>")]
    regulator = _client(demo_store, "demo-regulator", served.password)
    _decided(regulator, made.headers["location"], "reject", "测试夹具")
