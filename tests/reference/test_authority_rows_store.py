"""Authority rows in the store: a regulator enters rows of an authority-supplied table for its
region, citing its document; every service then computes with them; bad rows store nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select

from carbonpeak.errors import InputError, PermissionDenied
from carbonpeak.services.access import Actor
from carbonpeak.services.reference import enter_authority_rows, reference_of
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry, AuthorityRow, User

RATES = "metering_coverage_requirements"
ROW = {
    "standard": "GB 17167-2025",
    "level": "unit",
    "energy": "electricity",
    "rate": 1.0,
    "valid_from": "2026-02-01",
    "status": "verified",
}
PASSWORD = "correct horse battery"


def _actor(engine: Engine, name: str, role: str, regions: list[str]) -> Actor:
    with transaction(engine) as session:
        add_user(session, name, role, PASSWORD, regions=regions)
    with transaction(engine) as session:
        user = session.execute(select(User).where(User.username == name)).scalar_one()
        return Actor.of(user)


def test_entered_rows_reach_the_reference_with_their_document(engine: Engine) -> None:
    hebei = _actor(engine, "hebei", "regulator", ["130000"])
    with transaction(engine) as session:
        (made,) = enter_authority_rows(session, hebei, RATES, "130000", [ROW], "冀工信〔2026〕1号")
    assert made["region_code"] == "130000" and made["document"] == "冀工信〔2026〕1号"
    with transaction(engine) as session:
        reference = reference_of(session)
        (row,) = reference.rows(RATES, as_of=date(2026, 3, 1))
        source = reference.source(str(row["source_id"]))
        assert source.title == "冀工信〔2026〕1号"
        actions = session.execute(select(AuditEntry.action)).scalars().all()
        assert actions.count("reference.enter") == 1


def test_bad_rows_or_another_region_store_nothing(engine: Engine) -> None:
    hebei = _actor(engine, "hebei", "regulator", ["130000"])
    with pytest.raises(PermissionDenied), transaction(engine) as session:
        enter_authority_rows(session, hebei, RATES, "140000", [ROW], "doc")
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        enter_authority_rows(session, hebei, RATES, "130000", [{**ROW, "rate": "high"}], " ")
    assert [str(p) for p in raised.value.problems] == [
        "field document: name the document the values come from",
    ]
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        enter_authority_rows(session, hebei, RATES, "130000", [{**ROW, "rate": "high"}], "doc")
    assert "column rate: 'high' is not a number" in str(raised.value.problems[0])
    refused = pytest.raises(InputError, match="not a table the authority supplies")
    with refused, transaction(engine) as session:
        enter_authority_rows(session, hebei, "gwp", "130000", [], "doc")
    with transaction(engine) as session:
        assert session.execute(select(AuthorityRow)).first() is None
