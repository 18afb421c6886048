"""Migration 0023 (the green wing's motors of the diagnoses, issue 23) goes down and up again
on both stores: its table goes, 0022's schema is left as it was, and the upgrade makes it again
with its index."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from carbonpeak.store.db import current_revision, head_revision, upgrade
from tests.store.migrations import downgrade

TABLES = {"diagnosis_motors"}


def test_0023_goes_down_and_up_again(engine: Engine) -> None:
    downgrade(engine, "0023")  # any later revisions' tables go first
    assert set(inspect(engine).get_table_names()) >= TABLES
    before = set(inspect(engine).get_table_names()) - TABLES
    downgrade(engine, "0022")
    assert current_revision(engine) == "0022"
    assert set(inspect(engine).get_table_names()) == before
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    indexes = {i["name"] for i in inspect(engine).get_indexes("diagnosis_motors")}
    assert "ix_diagnosis_motors_enterprise_id" in indexes
