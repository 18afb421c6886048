"""Migration 0022 (the utilisation wing's solid-waste reports, issue 23) goes down and up again
on both stores: its table goes, 0021's schema is left as it was, and the upgrade makes it again
with its one-report-per-enterprise-and-year constraint."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from carbonpeak.store.db import current_revision, head_revision, upgrade
from tests.store.migrations import downgrade

TABLES = {"solid_waste_reports"}


def test_0022_goes_down_and_up_again(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= TABLES
    downgrade(engine, "0022")
    before = set(inspect(engine).get_table_names()) - TABLES
    downgrade(engine, "0021")
    assert current_revision(engine) == "0021"
    assert set(inspect(engine).get_table_names()) == before
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    unique = {
        tuple(u["column_names"])
        for u in inspect(engine).get_unique_constraints("solid_waste_reports")
    }
    assert ("enterprise_id", "year") in unique
    indexes = {i["name"] for i in inspect(engine).get_indexes("solid_waste_reports")}
    assert "ix_solid_waste_reports_year" in indexes
