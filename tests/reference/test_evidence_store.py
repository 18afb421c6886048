"""Verification with evidence (services/reference_evidence.py), on SQLite and PostgreSQL: a
reviewer reads an unverified row in its source and marks it verified, citing the page and
attaching the document (kept by its SHA-256): in force at once, the value unchanged; a
correction of a value is a draft for another person; bad citations are refused. The documents
are test fixtures."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from carbonpeak.errors import InputError, NotFoundError, PermissionDenied
from carbonpeak.services.access import Actor
from carbonpeak.services.reference import reference_of
from carbonpeak.services.reference_evidence import document, verify_row
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import User

# an unverified row of the shipped library (process_emission_factors: stoichiometric limestone)
TABLE, KEY = "process_emission_factors", {"item": "limestone", "basis": "stoichiometric"}


def _actor(engine: Engine, name: str, duties: list[str]) -> Actor:
    with transaction(engine) as session:
        add_user(session, name, "regulator", "correct horse battery", ["130000"], [], "t", duties)
    with transaction(engine) as session:
        return Actor.of(session.execute(select(User).where(User.username == name)).scalar_one())


def test_a_row_verified_with_a_page_and_its_document(engine: Engine) -> None:
    reviewer = _actor(engine, "rv", ["reference_reviewer"])
    pdf = b"%PDF-1.4 test fixture, not a real standard"
    with transaction(engine) as session:
        before = reference_of(session).rows(TABLE, **KEY)[0]
        assert before["status"] == "unverified"
        made = verify_row(
            session,
            reviewer,
            TABLE,
            KEY,
            None,
            {
                "source_id": "test_fixture_gbt",
                "title": "测试标准（test fixture）",
                "document_number": "GB/T 0000-2026",
            },
            "表 A.1, p.12",
            attachment=("标准.pdf", pdf, "application/pdf"),
        )
    assert made["state"] == "approved" and made["reviewer"] == "rv"
    with transaction(engine) as session:
        reference = reference_of(session)
        [after] = reference.rows(TABLE, **KEY)
        assert after["value"] == before["value"] and after["status"] == "verified"
        assert after["note"] == "表 A.1, p.12"
        source = reference.source("test_fixture_gbt")
        assert source.url and source.url.startswith("/reference/documents/")
        kept = document(session, source.url.rsplit("/", 1)[1])
        assert kept.content == pdf and kept.file_name == "标准.pdf"


def test_a_correction_is_a_draft_and_bad_citations_are_refused(engine: Engine) -> None:
    reviewer = _actor(engine, "rv2", ["reference_reviewer"])
    plain = _actor(engine, "plain", [])
    with pytest.raises(PermissionDenied), transaction(engine) as session:
        verify_row(session, plain, TABLE, KEY, None, {"source_id": "fx_derived"}, "p.1")
    with transaction(engine) as session:
        made = verify_row(
            session,
            reviewer,
            TABLE,
            KEY,
            None,
            {"source_id": "fx_derived"},
            "p.3",
            corrected={"value": "0.4400"},
        )
    assert made["state"] == "draft"  # a value changes: another person approves it
    with transaction(engine) as session:
        assert reference_of(session).rows(TABLE, **KEY)[0]["value"] != 0.44
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        verify_row(
            session,
            reviewer,
            TABLE,
            KEY,
            None,
            {"source_id": "nowhere"},
            " ",
            corrected={"item": "x"},
        )
    fields = {p.place.field for p in raised.value.problems}
    assert fields == {"clause", "source_id", "item"}
    with pytest.raises(NotFoundError) as missing, transaction(engine) as session:
        verify_row(session, reviewer, TABLE, {"item": "x", "basis": "y"}, None, {}, "p")
    assert "no row of" in str(missing.value)


def test_a_dated_row_without_a_start_is_verified_in_place(engine: Engine) -> None:
    """Review 21 #12: a row of a dated table that has no valid_from (the converter gas's
    coefficient, in force for every date before 2021-04-01) is verified for its own span: no
    start is made up, its end is kept, and a look-up of 2020 finds it verified."""
    from datetime import date

    reviewer = _actor(engine, "rv", ["reference_reviewer"])
    table, key = "standard_coal_coefficients", {"item": "converter_gas", "method": "equivalent"}
    with transaction(engine) as session:
        [before] = [r for r in reference_of(session).rows(table, **key) if r.valid_from is None]
        assert before["status"] == "unverified" and before.valid_to == date(2021, 4, 1)
        verify_row(
            session,
            reviewer,
            table,
            key,
            None,
            {
                "source_id": "test_fixture_coal",
                "title": "测试手册（test fixture）",
                "note": "a fixture",
            },
            "p.3",
        )
    with transaction(engine) as session:
        reference = reference_of(session)
        rows = reference.rows(table, **key)
        [after] = [r for r in rows if r.valid_from is None]
        assert after.valid_to == date(2021, 4, 1) and after["status"] == "verified"
        assert after["coefficient"] == before["coefficient"] and after["note"] == "p.3"
        assert len(rows) == len(reference_of(session).rows(table, **key))
        found = reference.lookup(table, "coefficient", as_of=date(2020, 6, 1), **key)
        assert found.provenance.status == "verified"
