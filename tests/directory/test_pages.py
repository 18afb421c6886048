"""The directory's pages in Chinese and English: the search with its filters and downloads, an
entry's page, the diagnosis's measures and their candidate technologies (the demo's journey
from a finding to an entry), the catalogue import refusing an entry without a source, and the
workbook export read back as a catalogue."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carbonpeak.api.app import create_app
from carbonpeak.directory.catalogue import technologies
from carbonpeak.io.directory import CatalogueInfo, read_catalogue
from carbonpeak.reference.editions import apply_edition
from carbonpeak.services.demo import DEMO_PASSWORD
from carbonpeak.services.reference import library_in_force
from carbonpeak.store.db import transaction

from .conftest import DirectoryStore, workbook


def _client(store: DirectoryStore, who: str, lang: str = "zh_CN") -> TestClient:
    client = TestClient(create_app(store.engine))
    answer = client.post(
        "/login",
        data={"username": who, "password": DEMO_PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    if lang == "en":
        client.cookies.set("lang", "en")
    return client


@pytest.fixture(scope="module")
def admin(directory_store: DirectoryStore) -> Iterator[TestClient]:
    client = _client(directory_store, "demo-admin")
    yield client
    client.close()


@pytest.mark.parametrize(("lang", "words"), [("zh_CN", "技术目录"), ("en", "Technology directory")])
def test_the_search_page_in_both_languages(
    directory_store: DirectoryStore, lang: str, words: str
) -> None:
    client = _client(directory_store, "demo-regulator", lang)
    page = client.get("/directory", params={"q": "篦冷机"})
    assert page.status_code == 200
    assert words in page.text
    assert "/directory/entry?key=demo_illustrative%3A7" in page.text
    name = "第四代篦冷机" if lang == "zh_CN" else "Fourth-generation clinker cooler"
    assert name in page.text
    assert "demo_illustrative:1" not in page.text  # the motor is not found
    entry = client.get("/directory/entry", params={"key": "demo_illustrative:7"})
    assert entry.status_code == 200 and "cement_clinker" in entry.text
    assert "illustrative" in entry.text
    assert client.get("/directory/entry", params={"key": "nowhere:1"}).status_code == 404
    client.close()


def test_from_a_finding_to_its_technologies(
    directory_store: DirectoryStore, admin: TestClient
) -> None:
    """The demo's journey: diagnose the plant, follow a measure's candidate technology, reach
    the entry's page, which lists the enterprise among those whose gaps it addresses."""
    text = yaml.safe_dump(directory_store.plant, allow_unicode=True)
    page = admin.post("/diagnosis", data={"plant": text, "action": "run"})
    assert page.status_code == 200
    link = "/directory/entry?key=demo_illustrative%3A2"
    assert link in page.text and "泵与风机变频调速技术" in page.text
    entry = admin.get(link)
    assert entry.status_code == 200
    assert directory_store.enterprise_id in entry.text
    assert 'id="use-form"' in entry.text


def test_downloads_hold_what_the_search_finds(admin: TestClient) -> None:
    rows = list(csv.reader(io.StringIO(admin.get("/directory/directory.csv?sector=建材").text)))
    assert rows[0][0].lstrip("\ufeff") == "key"
    assert [r[0] for r in rows[1:]] == ["demo_illustrative:7", "demo_illustrative:8"]
    book = load_workbook(io.BytesIO(admin.get("/directory/directory.xlsx").content))
    sheet = book.active
    assert sheet is not None
    assert sheet.max_row == 14  # the header, the three shipped entries and the demo's ten


def test_the_export_reads_back_as_its_catalogues(
    directory_store: DirectoryStore, admin: TestClient
) -> None:
    """The workbook the page exports (of two catalogues) names its columns by their codes,
    which the reader knows: read back (over the library in force, which holds the sources the
    rows cite), every entry keeps its catalogue, status, texts, figures and links; read back
    twice, its note says once where it was imported from."""
    from dataclasses import replace

    from carbonpeak.io.directory import workbook_bytes
    from carbonpeak.services.directory import EXPORT_COLUMNS, _cell

    content = admin.get("/directory/directory.xlsx").content
    info = CatalogueInfo(catalogue="again", source_id="again_src", title="again",
                         document_number="1", valid_from=date(2024, 1, 1))  # fmt: skip
    with transaction(directory_store.engine) as session:
        before = {t.key: t for t in technologies(library_in_force(session))}
        library = apply_edition(
            library_in_force(session), read_catalogue("again.xlsx", content, info)
        ).reference
    assert {t.catalogue for t in before.values()} == {"mot_2021", "demo_illustrative"}
    for _ in range(2):  # and once more, from what the first read made
        after = {t.key: t for t in technologies(library)}
        assert set(after) == set(before)  # no entry moved to the form's catalogue
        for key, was in before.items():
            now = after[key]
            assert (now.texts, now.figures, now.links) == (was.texts, was.figures, was.links)
            assert (now.status, now.source_id, now.illustrative) == (
                was.status, was.source_id, was.illustrative,
            )  # fmt: skip
            assert now.note.count("imported from") == 1
        rows = [[_cell(t.as_dict(), c) for c in EXPORT_COLUMNS] for t in after.values()]
        content = workbook_bytes(list(EXPORT_COLUMNS), rows, "directory")
        info = replace(info, source_id=info.source_id + "_next")  # a document of its own
        library = apply_edition(library, read_catalogue("again.xlsx", content, info)).reference


def test_the_import_form_places_every_problem(
    directory_store: DirectoryStore, admin: TestClient
) -> None:
    content = workbook([["序号", "技术名称", "行业", "来源"], [1, "甲", "建材", None]])
    form = {"catalogue": "p", "source_id": "p_src", "title": "P", "document_number": "1"}
    page = admin.post("/directory/catalogues", data=form, files={"file": ("p.xlsx", content)})
    assert page.status_code == 422
    assert 'id="problems"' in page.text and "来源" in page.text
    good = workbook([["序号", "技术名称", "行业"], [1, "甲", "建材"]])
    made = admin.post("/directory/catalogues", data=form, files={"file": ("p.xlsx", good)})
    assert made.status_code == 200 and 'id="directory-draft"' in made.text
    # the draft says its entry has no links (no 平台关联, no word of directory_link_words)
    assert "1 个条目没有平台关联" in made.text
    enterprise = _client(directory_store, "demo-enterprise")
    assert 'id="catalogue-form"' not in enterprise.get("/directory").text
    refused = enterprise.post("/directory/catalogues", data=form, files={"file": ("p.xlsx", good)})
    assert refused.status_code == 403
    enterprise.close()


def test_a_unit_below_the_benchmark_level_links_to_its_technologies(
    directory_store: DirectoryStore,
) -> None:
    """The industry page's ranking of clinker: a unit at the baseline grade (below the
    benchmark level) links to the entries for cement_clinker, which list it as a gap."""
    client = _client(directory_store, "demo-regulator")
    page = client.get("/industry", params={"area": "cement_clinker"})
    assert page.status_code == 200
    assert "/directory?link=cement_clinker" in page.text
    found = client.get("/directory", params={"link": "cement_clinker"})
    assert "第四代篦冷机" in found.text and "立磨/辊压机料床终粉磨系统" in found.text
    client.close()


def test_the_register_links_a_measure_to_the_technology_it_used(admin: TestClient) -> None:
    page = admin.get("/opportunities")
    assert page.status_code == 200
    assert "/directory/entry?key=demo_illustrative%3A2" in page.text


@pytest.mark.parametrize("number", ["99999999999999999999", "2147483648", "0", "9" * 5000])
def test_the_use_form_bounds_the_measure_number(admin: TestClient, number: str) -> None:
    """A number past the register's 32-bit ids is the form's 400 page, never a 500."""
    answer = admin.post(
        "/directory/entry",
        data={"key": "demo_illustrative:2", "opportunity_id": number, "action": "use"},
    )
    assert answer.status_code == 400
    assert "opportunity_id" in answer.text


def test_the_use_form_refuses_a_reader_with_403(directory_store: DirectoryStore) -> None:
    """A regulator sees the region's register but does not keep it: 403, and nothing kept."""
    from sqlalchemy import select

    from carbonpeak.store.models import Opportunity

    with transaction(directory_store.engine) as session:
        measure = (
            session.execute(
                select(Opportunity).where(
                    Opportunity.enterprise_id == directory_store.enterprise_id
                )
            )
            .scalars()
            .first()
        )
        assert measure is not None
        number, before = measure.opportunity_id, measure.technology
    client = _client(directory_store, "demo-regulator")
    answer = client.post(
        "/directory/entry",
        data={"key": "demo_illustrative:2", "opportunity_id": str(number), "action": "use"},
    )
    client.close()
    assert answer.status_code == 403
    with transaction(directory_store.engine) as session:
        assert session.get(Opportunity, number).technology == before  # type: ignore[union-attr]


def test_an_illustrative_entry_is_labelled_wherever_its_name_appears(
    directory_store: DirectoryStore, admin: TestClient
) -> None:
    """The demo's entries say 示例 on the search list, the entry page, a diagnosis's
    candidates, the register and the export; a published catalogue's entry does not."""
    badge = '<span class="badge illustrative">示例</span>'
    found = admin.get("/directory", params={"q": "篦冷机"}).text
    assert "第四代篦冷机</a>" + " " + badge in found
    shipped = admin.get("/directory", params={"catalogue": "mot_2021"}).text
    assert "浮标" in shipped and badge not in shipped
    assert badge in admin.get("/directory/entry", params={"key": "demo_illustrative:7"}).text
    text = yaml.safe_dump(directory_store.plant, allow_unicode=True)
    diagnosis = admin.post("/diagnosis", data={"plant": text, "action": "run"}).text
    assert "泵与风机变频调速技术</a> " + badge in diagnosis
    rows = list(csv.DictReader(io.StringIO(admin.get("/directory/directory.csv").text)))
    flags = {r["\ufeffkey" if "\ufeffkey" in r else "key"]: r["illustrative"] for r in rows}
    assert flags["demo_illustrative:7"] == "yes" and flags["mot_2021:2"] == ""
    register = admin.get("/opportunities").text
    assert "泵与风机变频调速技术</a> " + badge in register


def _clinker_below(directory_store: DirectoryStore) -> str:
    from sqlalchemy import select

    from carbonpeak.store.models import GradeResult, Submission

    with transaction(directory_store.engine) as session:
        return str(
            session.execute(
                select(Submission.enterprise_id)
                .join(GradeResult, GradeResult.submission_id == Submission.submission_id)
                .where(GradeResult.area == "cement_clinker", GradeResult.grade == "baseline")
            )
            .scalars()
            .first()
        )


def test_the_enterprise_page_lists_candidates_of_a_unit_below_the_benchmark(
    directory_store: DirectoryStore, admin: TestClient
) -> None:
    """An enterprise whose clinker is graded at the baseline sees the clinker entries beside
    its grade (not only the regulator's industry page); the API's grades carry them too."""
    enterprise = _clinker_below(directory_store)
    page = admin.get(f"/enterprises/{enterprise}")
    assert page.status_code == 200
    grades = page.text[page.text.index('id="grades"') :]
    assert "/directory/entry?key=demo_illustrative%3A7" in grades
    assert '第四代篦冷机</a> <span class="badge illustrative">' in grades
    token = admin.post(
        "/api/v1/auth/token", data={"username": "demo-admin", "password": DEMO_PASSWORD}
    ).json()["access_token"]
    answer = admin.get(
        f"/api/v1/enterprises/{enterprise}/grades",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200
    keys = [t["key"] for t in answer.json()["technologies"]["cement_clinker"]]
    assert "demo_illustrative:7" in keys and "demo_illustrative:8" in keys


@pytest.mark.parametrize(
    ("lang", "names"),
    [("zh_CN", ("水泥熟料", "变频调速", "泵")), ("en", ("cement clinker", "Variable-speed drive"))],
)
def test_the_platform_words_are_shown_by_their_names(
    directory_store: DirectoryStore, lang: str, names: tuple[str, ...]
) -> None:
    """The link filter and an entry's 'Addresses' name a benchmark area as efficiency_levels
    does and a measure as the gap table does, not by their codes."""
    client = _client(directory_store, "demo-regulator", lang)
    search = client.get("/directory").text
    entry = client.get("/directory/entry", params={"key": "demo_illustrative:2"}).text
    clinker = client.get("/directory/entry", params={"key": "demo_illustrative:7"}).text
    client.close()
    assert '<option value="cement_clinker">cement_clinker<' not in search
    assert '<option value="variable_speed_drive">variable_speed_drive<' not in search
    assert ">variable_speed_drive</a>" not in entry and ">cement_clinker</a>" not in clinker
    assert names[0] in clinker and names[1] in entry


def test_a_list_cut_at_the_limit_says_so(
    admin: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carbonpeak.web import directory as page

    monkeypatch.setattr(page, "LIMIT", 2)
    text = admin.get("/directory").text
    assert "共找到 13 个条目，显示前 2 个" in text  # the three shipped and the demo's ten
    monkeypatch.setattr(page, "LIMIT", 200)
    assert "13 个条目" in admin.get("/directory").text


def test_the_use_form_offers_done_measures_and_removes_a_use(
    directory_store: DirectoryStore, tmp_path: Path
) -> None:
    """On a copy of the store: a verified measure of the entry's links can record its use (not
    only open ones), and a use is removed by its button."""
    import sqlite3

    from sqlalchemy import select

    from carbonpeak.store.db import make_engine
    from carbonpeak.store.models import Opportunity

    copy = tmp_path / "store.db"
    source = str(directory_store.engine.url.database)
    with sqlite3.connect(source) as read, sqlite3.connect(copy) as write:
        read.backup(write)
    engine = make_engine(f"sqlite:///{copy}")
    with transaction(engine) as session:
        motor = (
            session.execute(select(Opportunity).where(Opportunity.measure == "motor_replacement"))
            .scalars()
            .first()
        )
        assert motor is not None
        motor.state, motor.technology = "verified", None
        number = motor.opportunity_id
    copied = DirectoryStore(engine, directory_store.enterprise_id, directory_store.region_code,
                            directory_store.plant, directory_store.edition_id)  # fmt: skip
    client = _client(copied, "demo-admin")
    page = client.get("/directory/entry", params={"key": "demo_illustrative:1"}).text
    form = page[page.index('id="use-form"') :]
    assert f'<option value="{number}">' in form
    used = client.post("/directory/entry", data={"key": "demo_illustrative:1",
                       "opportunity_id": str(number), "action": "use"})  # fmt: skip
    assert used.status_code == 200 and 'class="remove-use"' in used.text
    client.post("/directory/entry", data={"key": "demo_illustrative:1",
                "opportunity_id": str(number), "action": "remove"})  # fmt: skip
    client.close()
    with transaction(engine) as session:
        assert session.get(Opportunity, number).technology is None  # type: ignore[union-attr]
    engine.dispose()


def test_a_used_entry_no_longer_in_force_shows_as_withdrawn(
    directory_store: DirectoryStore, tmp_path: Path
) -> None:
    """On a copy of the store, a measure names an entry no edition in force holds (its edition
    withdrawn): the register says so instead of linking to a missing page."""
    import sqlite3

    from sqlalchemy import select

    from carbonpeak.store.db import make_engine
    from carbonpeak.store.models import Opportunity

    copy = tmp_path / "store.db"
    source = str(directory_store.engine.url.database)
    with sqlite3.connect(source) as read, sqlite3.connect(copy) as write:
        read.backup(write)
    engine = make_engine(f"sqlite:///{copy}")
    with transaction(engine) as session:
        measure = session.execute(select(Opportunity)).scalars().first()
        assert measure is not None
        measure.technology, number = "gone_2020:1", measure.opportunity_id
    copied = DirectoryStore(engine, directory_store.enterprise_id, directory_store.region_code,
                            directory_store.plant, directory_store.edition_id)  # fmt: skip
    client = _client(copied, "demo-admin")
    page = client.get("/opportunities").text
    client.close()
    engine.dispose()
    row = page[page.index(f'id="opportunity-{number}"') :]
    row = row[: row.index("</tr>")]
    assert "gone_2020:1" in row and "已撤回" in row
    assert "/directory/entry?key=gone_2020" not in row
