"""Migration 0020 (product carbon's maps and footprints, issue 22) goes down and up again on
both stores: its three tables go, 0019's schema is left as it was, and the upgrade makes them
again with their constraints."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from carbonpeak.store.db import current_revision, head_revision, upgrade
from tests.store.migrations import downgrade

TABLES = {"product_maps", "product_footprints", "supplier_footprints"}


def test_0020_goes_down_and_up_again(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= TABLES
    downgrade(engine, "0020")  # the later revisions' tables go first
    before = set(inspect(engine).get_table_names()) - TABLES
    downgrade(engine, "0019")
    assert current_revision(engine) == "0019"
    assert set(inspect(engine).get_table_names()) == before
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    unique = {
        tuple(u["column_names"]) for u in inspect(engine).get_unique_constraints("product_maps")
    }
    assert ("enterprise_id", "year") in unique
    indexes = {i["name"] for i in inspect(engine).get_indexes("product_footprints")}
    assert "ix_product_footprints_enterprise_id" in indexes
