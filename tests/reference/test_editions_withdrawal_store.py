"""Withdrawing an approved edition, and an approved edition that no longer applies (review 21
#11), on SQLite and PostgreSQL: a reviewer withdraws an approved edition with a comment and
the library in force loses it; a later edition that builds on it must go first; an approved
edition that no longer applies is left out, named, and every calculation goes on. The editions
are test fixtures, not real rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select

from carbonpeak.errors import InputError, PermissionDenied, Place
from carbonpeak.io.reference_package import write_package
from carbonpeak.reference.editions import Edition, EditionRow
from carbonpeak.reference.formulas import formulas_in_force
from carbonpeak.services.reference import library_in_force, reference_of
from carbonpeak.services.reference_editions import (
    decide,
    edition_view,
    import_edition,
    not_applying,
)
from carbonpeak.services.reference_restate import restatement
from carbonpeak.store import audit
from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry
from carbonpeak.store.models_reference import ReferenceEdition
from tests.reference.test_editions_store import _actor

ON = date(2026, 6, 30)
PROVENANCE = {"source_id": "", "status": "unverified", "note": "test fixture, not a real rule"}


def _package(number: int, action: str, valid_from: date, **values: str) -> bytes:
    source = f"test_fixture_withdrawal_{number}"
    edition = Edition(
        {
            "source_id": source,
            "title": f"撤回测试 {number}（test fixture, not a real rule）",
            "issuer": "carbonpeak tests",
            "date": "2026-12-06",
            "note": "a test fixture",
        },
        valid_from,
        (
            EditionRow(
                "formulas",
                {**PROVENANCE, "source_id": source, "valid_from": str(valid_from), **values},
                action,  # type: ignore[arg-type]
                Place(file="formulas.csv", row=2),
            ),
        ),
    )
    return write_package(edition, {"installation": "tests"})


LINEAR = {"formula": "test.f", "form": "linear", "variable": "curb_mass_kg", "slope": "0"}


def _approved(engine: Engine, editor, reviewer, package: bytes) -> int:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        number = int(import_edition(session, editor, "e.zip", package)["edition_id"])
    with transaction(engine) as session:
        decide(session, reviewer, number, "approve", "核对无误")
    return number


def _formulas(engine: Engine, on: date = ON) -> dict[str, float]:
    with transaction(engine) as session:
        found = formulas_in_force(library_in_force(session), on)
    return {name: f.intercept for name, f in found.forms.items()}


def test_a_reviewer_withdraws_an_approved_edition(engine: Engine) -> None:
    editor = _actor(engine, "editor", "admin", ["reference_editor"], [])
    reviewer = _actor(engine, "reviewer", "admin", ["reference_reviewer"], [])
    plain = _actor(engine, "plain", "admin", [], [])
    first = _approved(
        engine, editor, reviewer, _package(1, "add", date(2026, 1, 1), **LINEAR, intercept="1")
    )
    assert _formulas(engine) == {"test.f": 1.0}
    with pytest.raises(PermissionDenied), transaction(engine) as session:
        decide(session, plain, first, "withdraw", "不再适用")
    with pytest.raises(InputError, match="comment"), transaction(engine) as session:
        decide(session, reviewer, first, "withdraw", " ")
    with transaction(engine) as session:
        done = decide(session, reviewer, first, "withdraw", "文件已废止")
    assert done["state"] == "withdrawn" and done["withdrawn_by"] == "reviewer"
    assert done["withdrawal_comment"] == "文件已废止" and done["reviewer"] == "reviewer"
    assert _formulas(engine) == {}
    with pytest.raises(InputError, match="only an approved edition"), transaction(engine) as s:
        decide(s, reviewer, first, "withdraw", "again")
    with transaction(engine) as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert "reference.edition.withdraw" in actions


def test_an_edition_another_builds_on_is_withdrawn_after_it(engine: Engine) -> None:
    """The second edition retires, from 2027, the formula the first added: without the first it
    has nothing to retire, so the first cannot go while the second is in force."""
    editor = _actor(engine, "editor", "admin", ["reference_editor"], [])
    reviewer = _actor(engine, "reviewer", "admin", ["reference_reviewer"], [])
    first = _approved(
        engine, editor, reviewer, _package(1, "add", date(2026, 1, 1), **LINEAR, intercept="1")
    )
    second = _approved(
        engine, editor, reviewer, _package(2, "retire", date(2027, 1, 1), formula="test.f")
    )
    assert _formulas(engine) == {"test.f": 1.0} and _formulas(engine, date(2027, 6, 30)) == {}
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        decide(session, reviewer, first, "withdraw", "不再适用")
    assert f"edition {second} builds on edition {first}" in str(raised.value)
    with transaction(engine) as session:
        decide(session, reviewer, second, "withdraw", "先撤回后者")
    with transaction(engine) as session:
        decide(session, reviewer, first, "withdraw", "再撤回前者")
    assert _formulas(engine) == {}


def test_an_approved_edition_that_no_longer_applies_is_left_out_and_named(
    engine: Engine,
) -> None:
    """Two drafts adding the same formula, both approved (as two reviewers racing could, or a
    later release shipping the same row): the second no longer applies. It is left out of the
    library in force (not a failure of every calculation), and named with why."""
    editor = _actor(engine, "editor", "admin", ["reference_editor"], [])
    reviewer = _actor(engine, "reviewer", "admin", ["reference_reviewer"], [])
    with transaction(engine) as session:
        twin = int(
            import_edition(
                session,
                editor,
                "twin.zip",
                _package(2, "add", date(2026, 1, 1), **LINEAR, intercept="2"),
            )["edition_id"]
        )
    _approved(
        engine, editor, reviewer, _package(1, "add", date(2026, 1, 1), **LINEAR, intercept="1")
    )
    with transaction(engine) as session:  # approved behind the checks' back
        row = session.get(ReferenceEdition, twin)
        assert row is not None
        row.state, row.reviewer = "approved", reviewer.user_id
        row.decided_at, row.comment = datetime.now(UTC), "race"  # after the first, before any later
    assert _formulas(engine) == {"test.f": 1.0}  # the first approved applies
    with transaction(engine) as session:
        reference_of(session)  # every calculation goes on
        [left_out] = not_applying(session)
    assert left_out["edition_id"] == twin and "test.f" in " ".join(map(str, left_out["problems"]))
    # review 22 M2: an edition approved after the one left out is shown over the library as
    # the library in force has it (without the twin), and so is the restatement report
    later = _approved(
        engine,
        editor,
        reviewer,
        _package(3, "add", date(2026, 1, 1), **{**LINEAR, "formula": "test.g"}, intercept="3"),
    )
    with transaction(engine) as session:
        shown = edition_view(session, later, reviewer)
        assert shown["changes"]["rows"][0]["after"]["formula"] == "test.g"
        assert restatement(session, reviewer)["editions"]
    with transaction(engine) as session:
        decide(session, reviewer, twin, "withdraw", "与版本重复")
        assert not_applying(session) == []


def test_a_table_without_dates_cannot_wait_for_a_later_day(engine: Engine) -> None:
    """Review 21 #5: an undated table's rows hold for every date, so an edition from 2030
    changing one would restate every past report the day it is approved: refused at its row,
    nothing stored. (Edition 0001 corrects undated rows from its own day, on purpose.)"""
    editor = _actor(engine, "editor", "admin", ["reference_editor"], [])
    source = "test_fixture_undated"
    edition = Edition(
        {"source_id": source, "title": "未来版本（test fixture）", "note": "a test fixture"},
        date(2030, 1, 1),
        (
            EditionRow(
                "fuel_parameters",
                {"item": "anthracite", "ncv": "30", "source_id": source},
                "change",
                Place(file="fuel_parameters.csv", row=2),
            ),
        ),
    )
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        import_edition(session, editor, "future.zip", write_package(edition, {}))
    [problem] = raised.value.problems
    assert problem.place.file == "future.zip" and problem.place.row == 2
    assert "fuel_parameters has no dates" in problem.message and "2030-01-01" in problem.message
    with transaction(engine) as session:
        assert session.scalars(select(ReferenceEdition)).all() == []


PLANT = "911302007A3K9C2D24"
ITEM_SOURCE = "test_fixture_new_fuel"


def _new_fuel() -> bytes:
    """An edition adding a fuel, with its parameters (values invented: a test fixture)."""
    given = {"source_id": ITEM_SOURCE, "status": "unverified", "note": "test fixture, not a rule"}
    rows = [
        EditionRow(
            "items",
            {
                **given,
                "item": "test_fuel",
                "name_zh": "测试燃料",
                "name_en": "test fuel",
                "category": "fuel",
                "default_unit": "t",
            },
            "add",
            Place(file="items.csv", row=2),
        ),
        *(
            EditionRow(
                "fuel_parameters",
                {
                    **given,
                    "parameter_set": "guideline_2013",
                    "item": "test_fuel",
                    "parameter": parameter,
                    "value": value,
                    "unit": unit,
                },
                "add",
                Place(file="fuel_parameters.csv", row=n),
            )
            for n, (parameter, value, unit) in enumerate(
                (
                    ("ncv", "20", "GJ/t"),
                    ("carbon_content", "0.02", "tC/GJ"),
                    ("oxidation_rate", "0.9", "dimensionless"),
                ),
                start=2,
            )
        ),
        EditionRow(
            "standard_coal_coefficients",
            {
                **given,
                "item": "test_fuel",
                "method": "equivalent",
                "coefficient": "0.7",
                "coefficient_unit": "kgce/kg",
                "valid_from": "2020-01-01",
            },
            "add",
            Place(file="standard_coal_coefficients.csv", row=2),
        ),
    ]
    edition = Edition(
        {"source_id": ITEM_SOURCE, "title": "测试燃料（test fixture）", "note": "a test fixture"},
        date(2025, 1, 1),
        tuple(rows),
    )
    return write_package(edition, {"installation": "tests"})


def _with_a_report_on_the_new_fuel(engine: Engine) -> tuple[object, object, int]:
    import pandas as pd

    from carbonpeak.services.accounting import submit
    from carbonpeak.store.models import Enterprise

    editor = _actor(engine, "editor", "admin", ["reference_editor"], [])
    reviewer = _actor(engine, "reviewer", "admin", ["reference_reviewer"], [])
    with transaction(engine) as session:
        session.add(
            Enterprise(
                enterprise_id=PLANT, name="测试厂", region_code="130200", industry_code="3011"
            )
        )
    number = _approved(engine, editor, reviewer, _new_fuel())
    line = {
        "enterprise_id": PLANT,
        "period": "2025",
        "stream": "fuel",
        "item": "test_fuel",
        "amount": "100",
        "unit": "t",
        "direction": "in",
    }
    with transaction(engine) as session:
        submit(session, editor, pd.DataFrame([line]))
    return editor, reviewer, number


def test_an_edition_a_stored_report_uses_is_not_withdrawn(engine: Engine) -> None:
    """Review 22 H1: the report of 2025 burns the fuel the edition added; without the edition
    it would no longer account, so the withdrawal is refused naming the report."""
    _editor, reviewer, number = _with_a_report_on_the_new_fuel(engine)
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        decide(session, reviewer, number, "withdraw", "不再适用")
    [problem] = raised.value.problems
    assert f"without edition {number} the report of {PLANT} for 2025" in str(problem)
    assert "test_fuel" in str(problem)


def test_the_restated_views_go_on_past_a_report_they_cannot_account(engine: Engine) -> None:
    """Review 22 H1 (a store the check above did not guard: an edition withdrawn behind its
    back): the overview restated counts the report as reported, the restatement names it, and
    the enterprise's page keeps its figures as reported and says why it is not restated."""
    from carbonpeak.services.accounting_versions import enterprise_accounts
    from carbonpeak.services.overview import overview_tables
    from carbonpeak.services.reference_restate import restatement

    _editor, reviewer, number = _with_a_report_on_the_new_fuel(engine)
    with transaction(engine) as session:
        shown = enterprise_accounts(session, reviewer, PLANT, "2025", False)
        reported_co2 = shown["account"]["co2_t"]
        # 100 t x 20 GJ/t x 0.02 tC/GJ x 0.9 x 44/12 = 132 t
        assert reported_co2 == pytest.approx(132.0) and shown["restated"] is None
        row = session.get(ReferenceEdition, number)
        assert row is not None
        row.state = "withdrawn"  # behind the checks' back (but in the audit chain)
        audit.record(session, "test", "reference.edition.withdraw", "reference_edition", "1")
    with transaction(engine) as session:
        shown = enterprise_accounts(session, reviewer, PLANT, "2025", False)
        assert shown["account"]["co2_t"] == pytest.approx(reported_co2)  # as reported, kept
        assert shown["restated"]["measures"] == []
        assert "test_fuel" in str(shown["restated"]["problem"])
        assert [e["edition_id"] for e in shown["restated"]["editions"]] == []  # no withdrawn_at
        tables = overview_tables(session, reviewer, False, "restated")
        assert tables  # computed: the report counts as reported
        report = restatement(session, reviewer)
        [left] = report["not_restated"]
        assert (left["enterprise_id"], left["period"]) == (PLANT, "2025")
        assert [e["edition_id"] for e in report["withdrawn"]] == [number]


def test_a_withdrawal_is_named_where_it_restates(engine: Engine) -> None:
    """Review 22 M3: a report computed with an edition, restated after its withdrawal, names
    the withdrawn edition; L6: its own editor may not withdraw it."""
    editor = _actor(engine, "editor", "admin", ["reference_editor", "reference_reviewer"], [])
    reviewer = _actor(engine, "reviewer", "admin", ["reference_reviewer"], [])
    first = _approved(
        engine, editor, reviewer, _package(1, "add", date(2026, 1, 1), **LINEAR, intercept="1")
    )
    with (
        pytest.raises(InputError, match="another person than its editor"),
        transaction(engine) as session,
    ):
        decide(session, editor, first, "withdraw", "自己撤回")
    with transaction(engine) as session:
        assert decide(session, reviewer, first, "withdraw", "他人撤回")["state"] == "withdrawn"


def test_rows_that_start_before_the_editions_date_are_flagged(engine: Engine) -> None:
    """Review 22 L2: an edition from 2030 whose row starts in 2026 (a dated table) restates
    from 2026 once approved: its draft says so, as it says it of undated tables."""
    editor = _actor(engine, "editor", "admin", ["reference_editor"], [])
    package = _package(1, "add", date(2026, 1, 1), **LINEAR, intercept="1")
    with transaction(engine) as session:
        draft = import_edition(session, editor, "e.zip", package)
    assert draft["changes"]["before_its_date"] == []  # from its own date
    later = Edition(
        {"source_id": "test_fixture_later", "title": "晚于行的版本（test fixture）", "note": "x"},
        date(2030, 1, 1),
        (
            EditionRow(
                "formulas",
                {
                    **PROVENANCE,
                    **LINEAR,
                    "formula": "test.early",
                    "intercept": "2",
                    "source_id": "test_fixture_later",
                    "valid_from": "2026-01-01",
                },
                "add",
                Place(file="formulas.csv", row=2),
            ),
        ),
    )
    with transaction(engine) as session:
        flagged = import_edition(session, editor, "later.zip", write_package(later, {}))
    assert flagged["changes"]["before_its_date"] == ["formulas"]
