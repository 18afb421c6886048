"""Property-based fuzzing of the API from its own OpenAPI schema (schemathesis): no 5xx, and
every response conforms to the schema, for an admin on a store with data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import Engine

from carbonpeak.api.app import create_app
from carbonpeak.services.tokens import issue
from carbonpeak.services.users import add_user
from carbonpeak.store.db import make_engine, transaction, upgrade
from carbonpeak.store.models import Enterprise

TOKEN: dict[str, str] = {}


@pytest.fixture(scope="module")
def fuzz_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'store.db'}")
    upgrade(engine)
    with transaction(engine) as session:
        session.add(
            Enterprise(
                enterprise_id="911302007A3K9C2D24",
                name="x",
                region_code="130200",
                industry_code="3011",
            )
        )
        user = add_user(session, "admin", "admin", "a long enough password")
        TOKEN["admin"] = issue(session, user)
    yield engine
    engine.dispose()


def test_api_holds_its_schema(fuzz_engine: Engine) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(fuzz_engine))
    headers = {"Authorization": f"Bearer {TOKEN['admin']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def holds(case: schemathesis.Case) -> None:
            # Schema-valid requests may still be invalid for the domain (a well-formed string
            # that is no valid USCC gets 422, by design), so that one check is left out.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        holds()
