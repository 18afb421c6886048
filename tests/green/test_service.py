"""End to end on both stores: a certificate list imported, approved by another person, then
an enterprise's certificates with their expiry; the regulator's counts, shares and expiring
certificates; the motors of a registered diagnosis against the target; bad lists refused with
nothing stored; exports read back."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from carbonpeak.domain.days import china_today
from carbonpeak.errors import InputError, NotFoundError, PermissionDenied
from carbonpeak.services import green
from carbonpeak.services.diagnosis import register_diagnosis
from carbonpeak.services.reference_editions import decide
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models_green import DiagnosisMotor
from carbonpeak.store.models_reference import ReferenceEdition
from tests.green.cases import (
    CEMENT,
    DOCUMENT,
    GLASS,
    PASSWORD,
    actor,
    build,
    certificate_list,
    plant,
)


@pytest.fixture
def store(engine: Engine) -> Engine:
    build(engine)
    return engine


def test_an_enterprise_sees_its_certificates_and_their_expiry(store: Engine) -> None:
    with transaction(store) as session:
        view = green.certifications(session, actor(store, "cement"), within_days=90)
    by_key = {e["key"]: e for e in view["entries"]}
    assert set(by_key) == {"GBM-A", "GBM-B", "GBM-C"}  # not another's
    assert (by_key["GBM-A"]["status"], by_key["GBM-A"]["days_left"]) == ("expiring", 30)
    assert by_key["GBM-B"]["status"] == "valid"
    assert (by_key["GBM-C"]["status"], by_key["GBM-C"]["days_left"]) == ("expired", -1)
    assert by_key["GBM-A"]["star_level"] == 3
    assert [e["key"] for e in view["expiring"]] == ["GBM-A"]
    with transaction(store) as session:
        wider = green.certifications(session, actor(store, "cement"), within_days=200)
    assert [e["key"] for e in wider["expiring"]] == ["GBM-A", "GBM-B"]
    with transaction(store) as session, pytest.raises(NotFoundError):
        green.certifications(session, actor(store, "glass"), enterprise_id=CEMENT)


def test_the_regulator_sees_counts_shares_and_expiring(store: Engine) -> None:
    with transaction(store) as session:
        view = green.summary(session, actor(store, "hebei"), by="region", within_days=90)
    groups = {g["code"]: g for g in view["groups"]}
    assert set(groups) == {"130100", "130200"}  # Inner Mongolia is not Hebei's
    assert groups["130100"]["shares"]["building_material"] == 1.0
    assert groups["130100"]["entries"]["building_material"] == 2  # the expired one not held
    assert groups["130200"]["shares"]["building_material"] == 0
    assert [e["key"] for e in view["expiring"]] == ["GBM-A"]
    assert [e["key"] for e in view["unmatched"]] == ["GBM-D"]  # not on the platform
    assert view["total"]["enterprises"] == 2
    with transaction(store) as session:
        by_industry = green.summary(session, actor(store, "hebei"), by="industry")
    assert {g["code"] for g in by_industry["groups"]} == {"30"}
    with transaction(store) as session:
        by_province = green.summary(session, actor(store, "hebei"), by="province")
        motors = green.motors(session, actor(store, "hebei"), by="province")
    # rolled up within the regulator's region: Hebei's two prefectures in one group
    assert [(g["code"], g["enterprises"]) for g in by_province["groups"]] == [("130000", 2)]
    assert [(g["code"], g["motors"]) for g in motors["groups"]] == [("130000", 3)]
    with transaction(store) as session, pytest.raises(InputError):
        green.summary(session, actor(store, "hebei"), within_days=-1)


def test_the_motors_of_a_diagnosis_against_the_target(store: Engine) -> None:
    with transaction(store) as session:
        view = green.motors(session, actor(store, "hebei"), by="industry")
    total = view["total"]
    # M1 grade 1 (75 kW), M2 grade 3 (15 kW), M3 (11 kW) no efficiency given: grade unknown,
    # out of both shares (1 of 2 motors, 75 of 90 kW) and of the saving; coverage 2 of 3
    assert total["motors"] == 3 and total["count_by_grade"] == {
        "1": 1,
        "2": 0,
        "3": 1,
        "below": 0,
        "unknown": 1,
    }
    assert (total["known_motors"], total["coverage"]) == (2, pytest.approx(2 / 3))
    assert total["share_by_count"] == pytest.approx(1 / 2)
    assert total["share_by_kw"] == pytest.approx(75 / 90)
    assert total["replaced_motors"] == 1
    # the plan does not say count or kW: no verdict
    assert view["target"]["basis"] == "unstated" and total["meets_target"] is None
    # by hand: rated kW x load x hours x (1/η3 - 1/η2), η from GB 18613-2020 Table 1 (4 poles):
    # 15 kW 92.1 % -> 93.9 %; the 11 kW motor of unknown grade saves nothing here
    hand = 15 * 0.6 * 5000 * (1 / 0.921 - 1 / 0.939)
    assert total["saving_kwh"] == pytest.approx(hand, rel=1e-9)
    codes = {w["code"] for w in view["warnings"]}
    assert codes >= {"green.motors.efficiency_unknown", "green.motors.basis_unstated"}
    with transaction(store) as session:
        register_diagnosis(session, actor(store, "editor"), plant(CEMENT, "130100"))
    with transaction(store) as session:  # registered again: the year's motors replaced
        assert session.scalar(select(func.count()).select_from(DiagnosisMotor)) == 3
    with transaction(store) as session:
        assert green.motors(session, actor(store, "glass"))["total"]["motors"] == 0


def test_bad_lists_stored_nowhere(store: Engine) -> None:
    today = china_today()
    bad = (
        "证书编号,统一社会信用代码,企业名称,产品类别,证书等级,发证日期,有效期至\n"
        f"GBM-X,{GLASS},玻璃厂,建筑节能玻璃,一星级,{today},{today.replace(year=today.year - 1)}\n"
    ).encode()
    with transaction(store) as session:
        before = session.scalar(select(func.count()).select_from(ReferenceEdition))
    with transaction(store) as session, pytest.raises(InputError) as error:
        green.import_list(
            session,
            actor(store, "editor"),
            "building_material",
            "bad.csv",
            bad,
            {**DOCUMENT, "source_id": "gbm_test_bad"},
        )
    assert [(p.place.row, p.place.field) for p in error.value.problems] == [(2, "expires_on")]
    with transaction(store) as session, pytest.raises(InputError) as error:
        green.import_list(
            session,
            actor(store, "editor"),
            "building_material",
            "nosource.csv",
            certificate_list(today),
            {},
        )
    assert {p.place.field for p in error.value.problems} >= {"source_id"}
    with transaction(store) as session, pytest.raises(PermissionDenied):
        green.import_list(
            session,
            actor(store, "hebei"),
            "building_material",
            "list.csv",
            certificate_list(today),
            {**DOCUMENT, "source_id": "gbm_test_other"},
        )
    with transaction(store) as session:
        assert session.scalar(select(func.count()).select_from(ReferenceEdition)) == before


def test_an_import_names_its_unmatched_rows(store: Engine) -> None:
    with transaction(store) as session:
        kept = green.import_list(
            session,
            actor(store, "editor"),
            "building_material",
            "again.csv",
            certificate_list(china_today()).replace(b"GBM-", b"GBM2-"),
            {**DOCUMENT, "source_id": "gbm_test_again"},
        )
    assert kept["state"] == "draft" and kept["rows"] == 4 and kept["matched"] == 3
    assert [u["row"] for u in kept["unmatched"]] == [5]


def _read_back(content: bytes, book: bytes) -> tuple[list[list[str]], list[list[str]]]:
    """The CSV's rows, and the workbook's first sheet and notes sheet as one list of rows (an
    empty row between), every cell as text: they must be the same values."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheets = load_workbook(io.BytesIO(book)).worksheets
    cells: list[list[str]] = []
    for number, sheet in enumerate(sheets):
        if number:
            cells.append([])
        for row in sheet.iter_rows(values_only=True):
            cells.append(["" if c is None else str(c) for c in row])
    if sheets[1:]:  # a sheet's rows are as wide as its widest: the notes' padding dropped
        start = len(cells) - sheets[-1].max_row
        cells[start:] = [_trimmed(r) for r in cells[start:]]
    return rows, cells


def _trimmed(row: list[str]) -> list[str]:
    while row and row[-1] == "":
        row = row[:-1]
    return row


def _same(a: str, b: str) -> bool:
    try:
        return float(a) == pytest.approx(float(b))
    except ValueError:
        return a == b


@pytest.mark.parametrize("what", green.EXPORTS)
def test_exports_read_back(store: Engine, what: str) -> None:
    hebei = actor(store, "hebei")
    with transaction(store) as session:
        content, name = green.export(session, hebei, what, "csv")
        book, book_name = green.export(session, hebei, what, "xlsx")
    assert name == f"green-{what}.csv" and book_name == f"green-{what}.xlsx"
    rows, cells = _read_back(content, book)
    assert len(rows) == len(cells) > 1
    for row, cell in zip(rows, cells, strict=True):  # the same values, not just the headers
        assert len(row) == len(cell) and all(map(_same, row, cell)), (row, cell)
    notes = rows[rows.index([]) + 1 :]
    assert notes[0] == ["说明 (notes)"]
    if what == "certificates":
        keys = {r[1] for r in rows[1 : rows.index([])]}
        assert {"GBM-A", "GBM-B", "GBM-C", "GBM-D"} <= keys


def test_exports_are_the_pages_view(store: Engine) -> None:
    hebei = actor(store, "hebei")
    day = china_today()
    with transaction(store) as session:
        page = green.summary(session, hebei, within_days=90, on=day)
        expiring, _ = green.export(session, hebei, "expiring", "csv", within_days=90, on=day)
        summary, _ = green.export(session, hebei, "summary", "csv", on=day)
        motor_file, _ = green.export(session, hebei, "motors", "csv")
    # the expiring certificates the page shows: GBM-D (out of province, unmatched, 10 days
    # left) is nobody's to renew and is not in the download
    rows = list(csv.reader(io.StringIO(expiring.decode("utf-8-sig"))))
    keys = [r[1] for r in rows[1 : rows.index([])]]
    assert keys == [e["key"] for e in page["expiring"]] == ["GBM-A"]
    assert ["日期 (on)", day.isoformat()] in rows
    # the summary's total row: 2 enterprises, 1 holding a building-material certificate
    rows = list(csv.reader(io.StringIO(summary.decode("utf-8-sig"))))
    total = rows[rows.index([]) - 1]
    assert total[:6] == ["total", "合计 (total)", "2", "1", "0.5", "2"]
    # the motors' provenance: the target's source, status, basis and the warnings
    rows = list(csv.reader(io.StringIO(motor_file.decode("utf-8-sig"))))
    notes = rows[rows.index([]) + 1 :]
    assert ["目标口径 (basis)", "unstated"] in notes
    assert any(r[:2] == ["来源 (source)", "mot_2021_45"] for r in notes)
    assert any(r[:2] == ["核实状态 (status)", "unverified"] for r in notes)
    warned = {r[1] for r in notes if r[0] == "提示 (warning)"}
    assert {"green.motors.basis_unstated", "green.motors.efficiency_unknown"} <= warned
    total = rows[rows.index([]) - 1]
    assert total[0] == "total" and "不判定 (not judged)" in total


def test_a_renewed_certificate_changes_and_a_withdrawn_one_retires(store: Engine) -> None:
    today = china_today()
    renewed = today.replace(year=today.year + 3)
    content = (
        "证书编号,统一社会信用代码,企业名称,产品类别,证书等级,发证日期,有效期至,状态\n"
        f"GBM-A,{CEMENT},水泥厂,预拌混凝土,三星级,{today},{renewed},有效\n"
        f"GBM-C,{CEMENT},水泥厂,砌块,一星级,2022-01-01,{today},撤销\n"
        f"GBM-N,{CEMENT},水泥厂,砂浆,一星级,{today},{renewed},\n"
    ).encode()
    with transaction(store) as session:
        kept = green.import_list(
            session,
            actor(store, "editor"),
            "building_material",
            "renewal.csv",
            content,
            {**DOCUMENT, "source_id": "gbm_test_renewal"},
        )
    assert (kept["changed"], kept["retired"]) == (["GBM-A"], ["GBM-C"])
    with transaction(store) as session:
        decide(session, actor(store, "reviewer"), kept["edition_id"], "approve", "checked")
    with transaction(store) as session:
        view = green.certifications(session, actor(store, "cement"), within_days=90)
    by_key = {e["key"]: e for e in view["entries"]}
    assert set(by_key) == {"GBM-A", "GBM-B", "GBM-N"}  # GBM-C withdrawn
    assert (by_key["GBM-A"]["expires_on"], by_key["GBM-A"]["status"]) == (
        renewed.isoformat(),
        "valid",
    )
    withdrawn_unknown = content.replace(b"GBM-C,", b"GBM-Z,")
    with transaction(store) as session, pytest.raises(InputError) as error:
        green.import_list(
            session,
            actor(store, "editor"),
            "building_material",
            "renewal.csv",
            withdrawn_unknown.replace(b",\n", b",\xe5\x90\x8a\xe9\x94\x80\n"),  # 吊销
            {**DOCUMENT, "source_id": "gbm_test_renewal2"},
        )
    assert [(p.place.row, p.place.field) for p in error.value.problems] == [
        (3, "withdrawn"),  # GBM-Z is not held: nothing to retire
        (4, "withdrawn"),  # 吊销 is no status the reader knows
    ]


def test_the_unmatched_entries_are_bounded_and_the_entries_paged(store: Engine) -> None:
    today = china_today()
    lines = [
        f"GBM-U{i:03},,外省企业{i},砂浆,一星级,{today},{today.replace(year=today.year + 2)}"
        for i in range(60)
    ]
    content = "证书编号,统一社会信用代码,企业名称,产品类别,证书等级,发证日期,有效期至\n"
    with transaction(store) as session:
        kept = green.import_list(
            session,
            actor(store, "editor"),
            "building_material",
            "many.csv",
            (content + "\n".join(lines) + "\n").encode(),
            {**DOCUMENT, "source_id": "gbm_test_many"},
        )
    with transaction(store) as session:
        decide(session, actor(store, "reviewer"), kept["edition_id"], "approve", "checked")
    hebei = actor(store, "hebei")
    with transaction(store) as session:
        view = green.summary(session, hebei)
        page = green.certifications(session, hebei, limit=10, offset=60)
        everything, _ = green.export(session, hebei, "certificates", "csv")
    # 60 listed without a code, and GBM-D of a code not on the platform: 61, 50 shown
    assert view["unmatched_count"] == 61 and len(view["unmatched"]) == green.UNMATCHED_SHOWN
    # the cement works' 3 and the 61 unmatched: 64 in all, the page of 10 from 60 holds 4
    assert (page["total"], page["offset"], len(page["entries"])) == (64, 60, 4)
    rows = list(csv.reader(io.StringIO(everything.decode("utf-8-sig"))))
    assert len(rows[1 : rows.index([])]) == 64  # the download holds them all
    with transaction(store) as session, pytest.raises(InputError):
        green.certifications(session, hebei, limit=0)


def test_another_regions_regulator_sees_no_motor_and_matches_only_what_it_sees(
    store: Engine,
) -> None:
    with transaction(store) as session:
        add_user(session, "nm", "regulator", PASSWORD, ["150000"], duties=["reference_editor"])
    with transaction(store) as session:
        view = green.motors(session, actor(store, "nm"), by="region")
        summary = green.summary(session, actor(store, "nm"))
    # the cement works' diagnosis (Hebei) is not Inner Mongolia's
    assert (view["total"]["motors"], view["groups"], view["enterprises"]) == (0, [], 0)
    assert [g["code"] for g in summary["groups"]] == ["150200"]  # its own steel works only
    with transaction(store) as session:
        kept = green.import_list(
            session,
            actor(store, "nm"),
            "building_material",
            "nm.csv",
            certificate_list(china_today()).replace(b"GBM-", b"NM-"),
            {**DOCUMENT, "source_id": "gbm_test_nm"},
        )
    # the cement works' codes are on the platform but not this importer's to see
    assert kept["matched"] == 0 and len(kept["unmatched"]) == 4


@pytest.mark.parametrize("what", green.EXPORTS)
def test_the_table_of_a_view_is_the_export(store: Engine, what: str) -> None:
    """What the CLI writes of the view it printed (`table_of`) is the download itself."""
    hebei = actor(store, "hebei")
    with transaction(store) as session:
        content, _ = green.export(session, hebei, what, "csv", by="region")
        if what == "summary":
            view = green.summary(session, hebei, by="region")
        elif what == "motors":
            view = green.motors(session, hebei, by="region")
        else:
            view = green.certifications(session, hebei)
    assert green.table_of(what, view, "csv") == content
