"""The register's technology column on both stores (SQLite and PostgreSQL, migration 0021): a
catalogue imported by an editor and approved by a reviewer, a measure that used one of its
entries, and the entry's page that lists it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, inspect

from carbonpeak.io.directory import CatalogueInfo
from carbonpeak.services import directory as service
from carbonpeak.services.access import Actor
from carbonpeak.services.reference_editions import decide
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise, Opportunity, User

from .conftest import workbook

CEMENT = "911302007A3K9C2D24"


def test_a_measure_that_used_an_entry_on_both_stores(engine: Engine) -> None:
    assert "technology" in {c["name"] for c in inspect(engine).get_columns("opportunities")}
    with transaction(engine) as session:
        session.add(Enterprise(enterprise_id=CEMENT, name="示例水泥", region_code="130200",
                               industry_code="3011"))  # fmt: skip
        add_user(session, "editor", "admin", "a long enough password",
                          duties=["reference_editor"])  # fmt: skip
        add_user(session, "reviewer", "regulator", "a long enough password",
                            regions=["130000"], duties=["reference_reviewer"])  # fmt: skip
    with transaction(engine) as session:
        actors = {u.username: Actor.of(u) for u in session.query(User).all()}
        content = workbook(
            [
                ["序号", "技术名称", "行业", "平台关联"],
                [7, "第四代篦冷机", "建材", "cement_clinker"],
            ]
        )
        info = CatalogueInfo(catalogue="c", source_id="c_src", title="C", document_number="1",
                             valid_from=date(2024, 1, 1))  # fmt: skip
        draft = service.import_catalogue(session, actors["editor"], "c.xlsx", content, info)
        decide(session, actors["reviewer"], draft["edition_id"], "approve", "read")
        row = Opportunity(enterprise_id=CEMENT, measure_id="kiln:reach_benchmark",
                          measure="reach_benchmark", description="", expected={"energy_tce": 5.0},
                          state="proposed", created_by=actors["editor"].user_id)  # fmt: skip
        session.add(row)
        session.flush()
        service.use_technology(session, actors["editor"], row.opportunity_id, "c:7")
    with transaction(engine) as session:
        entry = service.technology(session, actors["reviewer"], "c:7")
        assert entry["name_zh"] == "第四代篦冷机"
        assert [(u["enterprise_id"], u["expected_tce"]) for u in entry["uses"]] == [(CEMENT, 5.0)]
