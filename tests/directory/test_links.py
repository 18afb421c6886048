"""The directory linked both ways, in a store with the demo's illustrative catalogue approved:
a diagnosis's findings and measures list their candidate entries, and an entry lists the
enterprises whose gaps it addresses and the register's measures that used it (with what their
meters verified)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from carbonpeak.errors import InputError, NotFoundError, PermissionDenied
from carbonpeak.services import directory as service
from carbonpeak.services.demo_journeys import _user
from carbonpeak.services.diagnosis import diagnose_plant, list_opportunities
from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry, Opportunity

from .conftest import DirectoryStore

DRIVES = "demo_illustrative:2"  # 泵与风机变频调速技术: pump fan variable_speed_drive


def test_a_finding_lists_its_candidate_technologies(directory_store: DirectoryStore) -> None:
    """The example plant's pump P-201 gets a variable-speed drive: the demo's entry 2 names
    both the equipment kind and the measure; the gas boiler's combustion tuning entry 5."""
    with transaction(directory_store.engine) as session:
        result = diagnose_plant(session, directory_store.plant)
    found = result["technologies"]
    assert [t["key"] for t in found["variable_speed_drive"]] == [DRIVES]
    assert [t["key"] for t in found["pump"]] == [DRIVES]
    assert [t["key"] for t in found["combustion_tuning"]] == ["demo_illustrative:5"]
    assert found["pump"][0]["name_zh"] == "泵与风机变频调速技术"
    measures = {m["measure"] for m in result["measures"]}
    assert set(found) == (measures | {f["kind"] for f in result["findings"]}) - {"reach_benchmark"}


def test_search_from_a_finding_to_the_entry_page(directory_store: DirectoryStore) -> None:
    """The demo's journey: the finding's measure, its candidates, the entry's page."""
    with transaction(directory_store.engine) as session:
        admin = _user(session, "demo-admin")
        found = service.search(session, "变频", link="variable_speed_drive")
        assert [r["key"] for r in found["results"]] == [DRIVES]
        entry = service.technology(session, admin, found["results"][0]["key"])
    assert entry["energy_saving"] == 200.0 and entry["co2_reduction"] == 1130.0
    assert (entry["investment_min"], entry["investment_max"]) == (20.0, 80.0)
    assert "illustrative" in entry["note"] and entry["status"] == "unverified"
    assert entry["source_id"] == "demo_directory_illustrative"
    (gap,) = [g for g in entry["gaps"] if g["enterprise_id"] == directory_store.enterprise_id]
    assert gap["measures"] == ["variable_speed_drive"]


def test_a_unit_below_the_benchmark_level_is_a_gap(directory_store: DirectoryStore) -> None:
    """The clinker cooler addresses cement_clinker: every graded clinker unit of the latest
    year at the baseline grade or below is listed, none at the benchmark level."""
    with transaction(directory_store.engine) as session:
        regulator = _user(session, "demo-regulator")
        entry = service.technology(session, regulator, "demo_illustrative:7")
    units = [u for g in entry["gaps"] for u in g["units"]]
    assert units, "the small province has clinker units below the benchmark level"
    assert {u["area"] for u in units} == {"cement_clinker"}
    assert {u["grade"] for u in units} <= {"baseline", "below_baseline"}
    # exactly the clinker units graded below the benchmark level, none dropped
    from carbonpeak.store.models import GradeResult, Submission

    with transaction(directory_store.engine) as session:
        want = session.execute(
            select(Submission.enterprise_id, GradeResult.grade)
            .join(Submission, Submission.submission_id == GradeResult.submission_id)
            .where(GradeResult.area == "cement_clinker")
        ).all()
    below = sorted((e, g) for e, g in want if g in ("baseline", "below_baseline"))
    assert (
        sorted((g["enterprise_id"], u["grade"]) for g in entry["gaps"] for u in g["units"]) == below
    )


def test_a_measure_that_used_an_entry_shows_on_its_page(directory_store: DirectoryStore) -> None:
    with transaction(directory_store.engine) as session:
        admin = _user(session, "demo-admin")
        drive = next(
            o for o in list_opportunities(session, admin) if o["measure"] == "variable_speed_drive"
        )
        assert drive["technology"] == DRIVES  # the demo marked it
        row = session.get(Opportunity, drive["opportunity_id"])
        assert row is not None
        row.verification = {"annualised_tce": 12.5, "realisation": 0.84, "method": "option C"}
        row.state, row.implemented_on = "verified", date(2024, 10, 1)
    with transaction(directory_store.engine) as session:
        entry = service.technology(session, _user(session, "demo-admin"), DRIVES)
        (use,) = entry["uses"]
        assert use["opportunity_id"] == drive["opportunity_id"]
        assert (use["verified_tce"], use["realisation"]) == (12.5, 0.84)
        assert use["implemented_on"] == "2024-10-01"
        # a verified measure is no open gap any more
        assert all(m["opportunity_id"] != use["opportunity_id"] for m in entry["open_measures"])
        row = session.get(Opportunity, drive["opportunity_id"])
        assert row is not None
        row.verification, row.state, row.implemented_on = None, "proposed", None


def test_recording_a_use_checks_the_entry_and_the_writer(directory_store: DirectoryStore) -> None:
    with transaction(directory_store.engine) as session:
        admin, regulator = _user(session, "demo-admin"), _user(session, "demo-regulator")
        boiler = next(
            o for o in list_opportunities(session, admin) if o["measure"] == "combustion_tuning"
        )
        number = boiler["opportunity_id"]
        with pytest.raises(InputError, match="no technology"):
            service.use_technology(session, admin, number, "demo_illustrative:99")
        with pytest.raises(PermissionDenied):
            service.use_technology(session, regulator, number, "demo_illustrative:5")
        with pytest.raises(NotFoundError):
            service.use_technology(session, admin, 10**6, "demo_illustrative:5")
        done = service.use_technology(session, admin, number, "demo_illustrative:5")
        assert done == {"opportunity_id": number, "technology": "demo_illustrative:5"}
        audit = (
            session.execute(select(AuditEntry).where(AuditEntry.action == "opportunity.technology"))
            .scalars()
            .all()
        )
        assert audit[-1].entity_id == str(number) and audit[-1].actor == "demo-admin"
        uses = service.technology(session, admin, "demo_illustrative:5")["uses"]
        assert [u["opportunity_id"] for u in uses] == [number]
        service.use_technology(session, admin, number, None)
        assert service.technology(session, admin, "demo_illustrative:5")["uses"] == []


def test_an_unknown_entry_is_not_found(directory_store: DirectoryStore) -> None:
    with transaction(directory_store.engine) as session, pytest.raises(NotFoundError):
        service.technology(session, _user(session, "demo-admin"), "nowhere:1")


def test_the_demo_catalogue_is_imported_once(directory_store: DirectoryStore) -> None:
    from carbonpeak.services.demo_journeys import directory_catalogue

    with transaction(directory_store.engine) as session:
        again = directory_catalogue(session)
    assert again == {"edition_id": directory_store.edition_id, "state": "approved"}


def test_an_entry_without_a_source_stores_nothing(directory_store: DirectoryStore) -> None:
    from carbonpeak.io.directory import CatalogueInfo
    from carbonpeak.store.models_reference import ReferenceEdition

    from .conftest import workbook

    content = workbook([["序号", "技术名称", "行业", "来源"], [1, "甲", "建材", None]])
    info = CatalogueInfo(catalogue="t", source_id="t_src", title="T", document_number="1",
                         valid_from=date(2024, 1, 1))  # fmt: skip
    with transaction(directory_store.engine) as session:
        before = session.execute(select(ReferenceEdition.edition_id)).all()
        with pytest.raises(InputError) as caught:
            service.import_catalogue(session, _user(session, "demo-admin"), "t.xlsx", content, info)
        assert [p.place.column for p in caught.value.problems] == ["来源"]
        assert session.execute(select(ReferenceEdition.edition_id)).all() == before
        with pytest.raises(PermissionDenied):
            service.import_catalogue(
                session, _user(session, "demo-enterprise"), "t.xlsx", content, info
            )


def test_a_year_of_accounts_without_grades_hides_no_gap(
    directory_store: DirectoryStore, tmp_path: Path
) -> None:
    """On a copy of the store, another enterprise reports 2024 (accounts, no grades): the
    clinker units graded at the baseline in 2023 are still the entry's gaps (their latest
    grade), exactly those, none dropped (the below-baseline ones neither)."""
    from sqlalchemy import inspect

    from carbonpeak.store.db import make_engine
    from carbonpeak.store.models import AccountResult, GradeResult, Submission

    source = directory_store.engine.url.database
    assert source is not None
    with sqlite3.connect(source) as read, sqlite3.connect(tmp_path / "store.db") as write:
        read.backup(write)  # the pages in the write-ahead log too
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with transaction(engine) as session:
        graded = session.execute(
            select(Submission.enterprise_id, GradeResult.grade, GradeResult.area).join(
                Submission, Submission.submission_id == GradeResult.submission_id
            )
        ).all()
        want = sorted(
            e for e, grade, area in graded
            if area == "cement_clinker" and grade in ("baseline", "below_baseline")
        )  # fmt: skip
        assert want, "the small province has clinker units below the benchmark level"
        other = next(
            r for r in session.execute(select(AccountResult)).scalars()
            if r.enterprise_id not in {e for e, _, _ in graded}
        )  # fmt: skip
        old = session.get(Submission, other.submission_id)
        assert old is not None
        later = Submission(
            enterprise_id=old.enterprise_id, period="2024" + old.period[4:], version=1,
            state=old.state, content_hash="0" * 64,
        )  # fmt: skip
        session.add(later)
        session.flush()
        columns = {c.key: getattr(other, c.key) for c in inspect(AccountResult).column_attrs}
        columns.update(result_id=None, submission_id=later.submission_id, period=later.period)
        session.add(AccountResult(**columns))
    with transaction(engine) as session:
        regulator = _user(session, "demo-regulator")
        entry = service.technology(session, regulator, "demo_illustrative:7")
    engine.dispose()
    units = sorted(g["enterprise_id"] for g in entry["gaps"] if g["units"])
    assert units == want


def test_another_catalogues_code_with_a_new_source_is_refused(
    directory_store: DirectoryStore,
) -> None:
    """mot_2021's entries cite the ministry's catalogue: a spreadsheet reusing the code with
    another document is refused (nothing stored); a code that is no code is refused."""
    from carbonpeak.io.directory import CatalogueInfo
    from carbonpeak.store.models_reference import ReferenceEdition

    from .conftest import workbook

    content = workbook([["序号", "技术名称", "行业"], [1, "篡改的条目", "航道及港口"]])
    info = CatalogueInfo(catalogue="mot_2021", source_id="my_own_src", title="T",
                         document_number="1", valid_from=date(2024, 1, 1))  # fmt: skip
    with transaction(directory_store.engine) as session:
        before = session.execute(select(ReferenceEdition.edition_id)).all()
        editor = _user(session, "demo-admin")
        with pytest.raises(InputError) as caught:
            service.import_catalogue(session, editor, "t.xlsx", content, info)
        (problem,) = caught.value.problems
        assert (problem.place.file, problem.place.row) == ("t.xlsx", 2)
        assert "mot_21_tech_catalogue" in problem.message
        assert session.execute(select(ReferenceEdition.edition_id)).all() == before
    bad = CatalogueInfo(catalogue="MOT 2021!", source_id="s", title="T", document_number="1",
                        valid_from=date(2024, 1, 1))  # fmt: skip
    assert [p.place.field for p in bad.problems()] == ["catalogue"]


def test_an_entry_shows_an_enterprise_only_its_own_gaps(directory_store: DirectoryStore) -> None:
    """The demo enterprise's user sees, on the pump entry (which its register's measure
    addresses) and the clinker entry, its own enterprise only; the regulator sees the others
    of its region too."""
    with transaction(directory_store.engine) as session:
        own = _user(session, "demo-enterprise")
        regulator = _user(session, "demo-regulator")
        mine = service.technology(session, own, DRIVES)
        clinker_own = service.technology(session, own, "demo_illustrative:7")
        clinker_all = service.technology(session, regulator, "demo_illustrative:7")
    assert [g["enterprise_id"] for g in mine["gaps"]] == [directory_store.enterprise_id]
    assert {m["enterprise_id"] for m in mine["open_measures"]} == {directory_store.enterprise_id}
    seen = {g["enterprise_id"] for g in clinker_own["gaps"]}
    assert seen <= {directory_store.enterprise_id}
    assert {g["enterprise_id"] for g in clinker_all["gaps"]} - seen  # others, hidden from it


def test_a_catalogue_as_published_is_linked_by_the_reference_words(
    directory_store: DirectoryStore,
) -> None:
    """No 平台关联 column (the ministries print none): an entry whose 工序 says 水泥熟料 gets
    cement_clinker from directory_link_words, its note saying the mapping is carbonpeak's; the
    draft warns of the entries left without links. Nothing is kept (the transaction rolls back)."""
    from carbonpeak.io.directory import CatalogueInfo

    from .conftest import workbook

    content = workbook([["序号", "技术名称", "行业", "工序"],
                        [1, "熟料冷却技术", "建材", "水泥熟料烧成"],
                        [2, "航标技术", "航道及港口", ""]])  # fmt: skip
    info = CatalogueInfo(catalogue="published_2025", source_id="published_2025_src",
                         title="T", document_number="1", valid_from=date(2024, 1, 1))  # fmt: skip
    from sqlalchemy.orm import Session

    from carbonpeak.store.models_reference import ReferenceEdition

    with Session(directory_store.engine) as session:
        made = service.import_catalogue(
            session, _user(session, "demo-admin"), "p.xlsx", content, info
        )
        stored = session.get(ReferenceEdition, made["edition_id"])
        assert stored is not None
        rows = {r["values"]["entry_no"]: r["values"] for r in stored.content["rows"]}
        session.rollback()
    assert rows["1"]["links"] == "cement_clinker"
    assert "links by carbonpeak's mapping" in rows["1"]["note"] and "水泥熟料" in rows["1"]["note"]
    assert not rows["2"].get("links")
    assert [w["data"]["count"] for w in made["warnings"] if "without_links" in w["code"]] == [1]
