"""Migration 0019 (the market's process sheets, issue 21) goes down and up again on both
stores: the table and its indexes go, 0018's schema is left as it was, and the upgrade makes
them again."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from carbonpeak.store.db import current_revision, head_revision, upgrade
from tests.store.migrations import downgrade


def test_0019_goes_down_and_up_again(engine: Engine) -> None:
    assert "market_process_rows" in inspect(engine).get_table_names()
    downgrade(engine, "0019")
    before = set(inspect(engine).get_table_names()) - {"market_process_rows"}
    downgrade(engine, "0018")
    assert current_revision(engine) == "0018"
    assert set(inspect(engine).get_table_names()) == before
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    indexes = {i["name"] for i in inspect(engine).get_indexes("market_process_rows")}
    assert {"ix_market_process_rows_enterprise_id", "ix_market_process_rows_year"} <= indexes
