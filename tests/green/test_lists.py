"""A published list read into an edition: the columns mapped from the list's Chinese headers,
its other columns named as left out, and every bad input placed with nothing returned: an
entry without a source, a certificate expiring before it is issued, a code that is not one, a
star level out of 1-3, a date that is none, a certificate given twice. The sample is the first
rows of a real published list: MIIT's green factories (绿色工厂名单, batch 1) as the public
repository shangfr/GreenCreditPolicy keeps it (data/绿色工厂名单.csv at commit bc2a73d): names,
no codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carbonpeak.domain.uscc import make_uscc
from carbonpeak.errors import InputError
from carbonpeak.io.green_lists import parse_batch, parse_day, read_green_list
from carbonpeak.reference.editions import apply_edition
from carbonpeak.reference.loader import Reference, default_reference

SAMPLE = Path(__file__).parent / "data" / "green_factories_sample.csv"
HOLDER = make_uscc("91130100MA0GREEN1")
DOCUMENT = {
    "source_id": "gbm_test_list",
    "title": "绿色建材产品认证证书名单（测试）",
    "note": "made up for this test",
}
FACTORIES = {
    "source_id": "miit_green_factories_1",
    "title": "绿色工厂名单（第一批）",
    "url": "https://github.com/shangfr/GreenCreditPolicy/blob/"
    "bc2a73dbc23b668bd14fd3c8aa0f6dee7afd9527/data/%E7%BB%BF%E8%89%B2%E5%B7%A5%E5%8E%82"
    "%E5%90%8D%E5%8D%95.csv",
}
HEADER = "证书编号,统一社会信用代码,企业名称,产品类别,证书等级,发证日期,有效期至,来源\n"


@pytest.fixture(scope="module")
def reference() -> Reference:
    return default_reference()


def _read(reference: Reference, text: str, document: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return read_green_list(
        "certificates.csv",
        text.encode("utf-8"),
        "building_material",
        DOCUMENT if document is None else document,
        date(2026, 1, 1),
        reference,
    )


def test_certificates_read_and_applied(reference: Reference) -> None:
    text = HEADER + f"GBM-001,{HOLDER},示例建材有限公司,预拌混凝土,三星级,2024/3/1,2027年2月28日,\n"
    read = _read(reference, text)
    (row,) = read.edition.rows
    assert row.values["star_level"] == "3"
    assert (row.values["issued_on"], row.values["expires_on"]) == ("2024-03-01", "2027-02-28")
    assert row.values["source_id"] == "gbm_test_list"
    applied = apply_edition(reference, read.edition)
    (record,) = applied.reference.rows("green_building_materials")
    assert record["expires_on"] == date(2027, 2, 28) and record["star_level"] == 3


def test_every_bad_row_placed_and_nothing_read(reference: Reference) -> None:
    text = HEADER + (
        f"GBM-001,{HOLDER},甲,预拌混凝土,二星级,2025-05-01,2025-04-30,\n"  # row 2: expiry first
        "GBM-002,91130100MA0GREEN0,乙,预拌混凝土,一星级,2025-01-01,2028-01-01,\n"  # row 3: code
        f"GBM-003,{HOLDER},丙,预拌混凝土,四星级,2025-01-01,2028-01-01,\n"  # row 4: star
        f"GBM-004,{HOLDER},丁,预拌混凝土,1,2025-13-01,2028-01-01,\n"  # row 5: not a date
        f"GBM-001,{HOLDER},戊,预拌混凝土,1,2025-01-01,2028-01-01,\n"  # row 6: twice
    )
    with pytest.raises(InputError) as error:
        _read(reference, text)
    found = {(p.place.row, p.place.field) for p in error.value.problems}
    assert found == {
        (2, "expires_on"),
        (3, "uscc"),
        (4, "star_level"),
        (5, "issued_on"),
        (6, "certificate_number"),
    }
    placed = {p.place.row: p.place for p in error.value.problems}
    assert placed[2].file == "certificates.csv" and placed[2].column == "有效期至"


def test_an_entry_without_a_source_is_refused_at_its_row(reference: Reference) -> None:
    text = HEADER + (
        f"GBM-001,{HOLDER},甲,预拌混凝土,1,2025-01-01,2028-01-01,\n"
        f"GBM-002,{HOLDER},乙,预拌混凝土,1,2025-01-01,2028-01-01,mot_2021_45\n"
    )
    with pytest.raises(InputError) as error:
        _read(reference, text, document={})
    found = {(p.place.row, p.place.field) for p in error.value.problems}
    # the list names no source: row 2 has none of its own (row 3 cites a library source)
    assert found == {(None, "source_id"), (None, "title"), (2, "source_id")}


def test_a_published_list_of_green_factories(reference: Reference) -> None:
    read = read_green_list(
        SAMPLE.name,
        SAMPLE.read_bytes(),
        "factory",
        FACTORIES,
        date(2026, 1, 1),
        reference,
        year=2017,  # the year is the importer's to give (the file has none); any year reads
    )
    assert len(read.edition.rows) == 5 and read.left_out == ()
    first = read.edition.rows[0].values
    assert (first["list"], first["batch"], first["entry"]) == ("factory", "1", "1")
    assert first["enterprise_name"] == "北京京东方显示技术有限公司"
    assert first["region_name"] == "北京" and first["industry"] == "电子"
    assert not first.get("uscc")  # the published list gives names only
    applied = apply_edition(reference, read.edition)
    assert len(applied.reference.rows("green_manufacturing_lists")) == 5


def test_a_list_needs_its_year(reference: Reference) -> None:
    with pytest.raises(InputError) as error:
        read_green_list(
            SAMPLE.name, SAMPLE.read_bytes(), "factory", DOCUMENT, date(2026, 1, 1), reference
        )
    assert [p.place.field for p in error.value.problems] == ["year"]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("2024/3/1", date(2024, 3, 1)),
        ("2024年3月1日", date(2024, 3, 1)),
        ("2024-03-01 00:00:00", date(2024, 3, 1)),
        ("2024-02-30", None),
        ("March 2024", None),
        ("2024-03-01x", None),  # nothing may follow the date
        ("2024-03-01 (renewed)", None),
        ("2024-03-011", None),
    ],
)
def test_dates(text: str, day: date | None) -> None:
    assert parse_day(text) == day


@pytest.mark.parametrize(
    ("text", "batch"),
    [
        ("3", "3"),
        ("第3批", "3"),
        ("第一批", "1"),
        ("第十批", "10"),
        ("第十二批", "12"),
        ("第二十批", "20"),
        ("第二十三批", "23"),
        ("第一二批", "第一二批"),  # not a numeral: as it is, and refused
        ("首批", "首批"),
    ],
)
def test_batches(text: str, batch: str) -> None:
    assert parse_batch(text) == batch


def test_a_chinese_batch_and_a_workbook_of_one_sheet(reference: Reference) -> None:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "Sheet1"  # a published list's sheet is rarely named 名单
    sheet.append(["序号", "企业名称", "批次"])
    sheet.append(["1", "某工厂", "第一批"])
    sheet.append(["2", "另一工厂", "第十二批"])
    sheet.append(["3", "第三工厂", "首批"])
    buffer = BytesIO()
    book.save(buffer)
    with pytest.raises(InputError) as error:
        read_green_list(
            "list.xlsx",
            buffer.getvalue(),
            "factory",
            FACTORIES,
            date(2026, 1, 1),
            reference,
            year=2017,
        )
    # read from the only sheet; 首批 is no number: refused at its row, the others read
    (problem,) = error.value.problems
    assert (problem.place.row, problem.place.field) == (4, "batch")
    sheet.delete_rows(4)
    buffer = BytesIO()
    book.save(buffer)
    read = read_green_list(
        "list.xlsx",
        buffer.getvalue(),
        "factory",
        FACTORIES,
        date(2026, 1, 1),
        reference,
        year=2017,
    )
    assert [r.values["batch"] for r in read.edition.rows] == ["1", "12"]


def test_an_edition_of_any_file_is_checked_for_the_expiry_too(reference: Reference) -> None:
    """The table declares expires_on not before issued_on: an edition workbook (not only a
    published list) with a certificate expiring before it is issued is refused at its row."""
    from carbonpeak.errors import Place
    from carbonpeak.reference.editions import Edition, EditionRow

    row = EditionRow(
        "green_building_materials",
        {
            "certificate_number": "X-1",
            "enterprise_name": "x",
            "product_category": "水泥",
            "star_level": "1",
            "issued_on": "2025-05-02",
            "expires_on": "2025-05-01",
            "source_id": "gbm_test_list",
            "status": "verified",
        },
        "add",
        Place(file="edition.xlsx", sheet="green", row=7),
    )
    edition = Edition(DOCUMENT, date(2026, 1, 1), (row,), (), Place(file="edition.xlsx"))
    with pytest.raises(InputError) as error:
        apply_edition(reference, edition)
    (problem,) = error.value.problems
    assert problem.place.row == 7 and "before issued_on" in problem.message
