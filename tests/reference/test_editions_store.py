"""Editions in the store (services/reference_editions.py), on SQLite and PostgreSQL: an editor
imports an edition workbook as a draft with what it changes; another person, a reviewer,
approves it with a comment and the library in force changes from its date; its own editor,
a user without the duty, or a bad workbook change nothing. The document is a test fixture."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from carbonpeak.errors import InputError, PermissionDenied
from carbonpeak.io.reference_edition import write_edition_template
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.access import Actor
from carbonpeak.services.reference import reference_of
from carbonpeak.services.reference_editions import (
    decide,
    edition_view,
    import_edition,
    list_editions,
)
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry, User
from carbonpeak.store.models_reference import ReferenceEdition

PASSWORD = "correct horse battery"


def _actor(engine: Engine, name: str, role: str, duties: list[str], regions: list[str]) -> Actor:
    with transaction(engine) as session:
        add_user(session, name, role, PASSWORD, regions, [], "test", duties)
    with transaction(engine) as session:
        return Actor.of(session.execute(select(User).where(User.username == name)).scalar_one())


def _book(tmp_path: Path, value: object = 0.5555) -> bytes:
    path = tmp_path / "edition.xlsx"
    write_edition_template(path, default_reference(), ["grid_emission_factors"])
    book = load_workbook(path)
    fields = {
        "来源代码 (source_id)": "test_fixture_grid_2024",
        "标题 (title)": "电网排放因子调整（test fixture, not a real rule）",
        "文号 (document_number)": "测试〔2026〕9号",
        "生效日期 (valid_from)": datetime(2024, 1, 1),
    }
    sheet = book["版本 (edition)"]
    for line in range(2, sheet.max_row + 1):
        if sheet.cell(line, 1).value in fields:
            sheet.cell(line, 2, fields[str(sheet.cell(line, 1).value)])
    book["电网排放因子 (grid_emission_factors)"].append(["national", "ets", value, "kgCO2/kWh"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ets(engine: Engine, on: date) -> float:
    with transaction(engine) as session:
        reference = reference_of(session)
        return reference.lookup(
            "grid_emission_factors", as_of=on, area="national", kind="ets"
        ).value


def test_imported_reviewed_approved_then_in_force(engine: Engine, tmp_path: Path) -> None:
    editor = _actor(engine, "editor", "admin", ["reference_editor"], [])
    reviewer = _actor(engine, "reviewer", "regulator", ["reference_reviewer"], ["130000"])
    with transaction(engine) as session:
        draft = import_edition(session, editor, "电网因子.xlsx", _book(tmp_path))
    assert draft["state"] == "draft" and draft["author"] == "editor" and draft["rows"] == 1
    [change] = draft["changes"]["rows"]
    assert change["action"] == "change" and change["key"] == {"area": "national", "kind": "ets"}
    assert change["before"]["value"] == 0.5703 and change["after"]["value"] == 0.5555
    assert _ets(engine, date(2024, 6, 1)) == 0.5703  # a draft changes nothing
    number = draft["edition_id"]
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        decide(session, _with_review(editor), number, "approve", "ok")
    assert "another person" in str(raised.value)
    with transaction(engine) as session:
        done = decide(session, reviewer, number, "approve", "核对了通知原文")
    assert done["state"] == "approved" and done["reviewer"] == "reviewer"
    assert _ets(engine, date(2024, 6, 1)) == 0.5555  # in force from its valid_from
    assert _ets(engine, date(2023, 6, 1)) == 0.5703  # history kept
    with transaction(engine) as session:
        shown = edition_view(session, number, reviewer)  # what it changed, over the library before
        assert shown["changes"]["rows"][0]["before"]["value"] == 0.5703
        assert [e["state"] for e in list_editions(session)] == ["approved"]
        actions = session.execute(select(AuditEntry.action)).scalars().all()
        assert "reference.edition.import" in actions and "reference.edition.approve" in actions
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        decide(session, reviewer, number, "reject", "again")
    assert "is approved, not a draft" in str(raised.value)


def _with_review(actor: Actor) -> Actor:
    """The editor also holding the reviewer's duty: still not for its own edition."""
    return Actor(
        actor.user_id,
        actor.username,
        actor.role,
        actor.regions,
        actor.enterprises,
        actor.duties | {"reference_reviewer"},
    )


def test_without_the_duty_or_with_a_bad_workbook_nothing_is_stored(
    engine: Engine, tmp_path: Path
) -> None:
    plain = _actor(engine, "plain", "admin", [], [])
    editor = _actor(engine, "editor2", "admin", ["reference_editor"], [])
    with pytest.raises(PermissionDenied), transaction(engine) as session:
        import_edition(session, plain, "e.xlsx", _book(tmp_path))
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        import_edition(session, editor, "坏.xlsx", _book(tmp_path, "high"))
    [problem] = raised.value.problems
    assert (problem.place.file, problem.place.sheet, problem.place.row, problem.place.column) == (
        "坏.xlsx",
        "电网排放因子 (grid_emission_factors)",
        2,
        "value",
    )
    with pytest.raises(InputError), transaction(engine) as session:
        import_edition(session, editor, "e.csv", b"a,b\n")
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(ReferenceEdition)) == 0
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        add_user(session, "ent", "enterprise", PASSWORD, [], [], "test", ["reference_editor"])
    assert "cannot hold the duty" in str(raised.value)


def test_a_report_filed_after_an_approval_is_accounted_with_it(
    engine: Engine, tmp_path: Path
) -> None:
    """Review 21 #1 and #2: submissions use the library in force (approved editions), so a
    report filed after the approval is "as reported" with the new factor; an authority's own
    rows (alert thresholds) do not make every stored account "computed with another library"."""
    import pandas as pd

    from carbonpeak.services.accounting import submit
    from carbonpeak.services.reference import enter_authority_rows, library_in_force
    from carbonpeak.services.reference_restate import computed_otherwise
    from carbonpeak.store.models import AccountResult, Enterprise

    editor = _actor(engine, "editor3", "admin", ["reference_editor"], [])
    reviewer = _actor(engine, "reviewer3", "regulator", ["reference_reviewer"], ["130000"])
    plant = "911302007A3K9C2D24"
    with transaction(engine) as session:
        session.add(
            Enterprise(enterprise_id=plant, name="p", region_code="130200", industry_code="3011")
        )
    line = {
        "enterprise_id": plant,
        "stream": "electricity",
        "item": "electricity",
        "amount": "1000",
        "unit": "MWh",
        "direction": "in",
    }
    with transaction(engine) as session:
        submit(session, editor, pd.DataFrame([{**line, "period": "2022"}]))
        enter_authority_rows(
            session,
            reviewer,
            "budget_alert_thresholds",
            "130000",
            [
                {
                    "quantity": "co2",
                    "indicator": "pace",
                    "level": "yellow",
                    "threshold": 1.0,
                    "valid_from": "2025-01-01",
                    "status": "verified",
                }
            ],
            "冀测试〔2026〕1号",
        )
        assert computed_otherwise(session, editor, library_in_force(session).digest) == 0
    # Hebei's 2022 factor 0.7252 corrected to 0.7 (a test fixture), approved
    book = _book(tmp_path, 0.7)
    import io as _io

    from openpyxl import load_workbook

    loaded = load_workbook(_io.BytesIO(book))
    sheet = loaded["电网排放因子 (grid_emission_factors)"]
    sheet.delete_rows(2)
    sheet.append(
        ["130000", "average", 0.7, "kgCO2/kWh", datetime(2022, 1, 1), datetime(2023, 1, 1)]
    )
    loaded["版本 (edition)"]["B10"] = datetime(2022, 1, 1)
    out = _io.BytesIO()
    loaded.save(out)
    with transaction(engine) as session:
        draft = import_edition(session, editor, "e.xlsx", out.getvalue())
    with transaction(engine) as session:
        decide(session, reviewer, draft["edition_id"], "approve", "核对原文")
    with transaction(engine) as session:
        submit(session, editor, pd.DataFrame([{**line, "period": "2022", "amount": "2000"}]))
        results = (
            session.execute(select(AccountResult).order_by(AccountResult.result_id)).scalars().all()
        )
        # the first report, filed before: 1,000 MWh x 0.7252; the second after: 2,000 x 0.7
        assert [round(r.co2_t, 3) for r in results] == [725.2, 1400.0]
        assert results[1].reference_digest == library_in_force(session).digest
