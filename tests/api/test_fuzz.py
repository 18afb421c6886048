"""Property-based fuzzing of the API from its own OpenAPI schema (schemathesis), with every
check: no 5xx, every response and status code conforms to the schema, and every request the
schema allows is accepted (the schema declares the constraints the handlers enforce), for an
admin on a store with data."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from carbonpeak.api.app import create_app
from carbonpeak.services.tokens import issue
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise


def _seed(engine: Engine) -> str:
    """A store with an enterprise and an admin; return the admin's token."""
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
        return issue(session, user)


def test_api_holds_its_schema(engine: Engine) -> None:
    """On SQLite and on PostgreSQL (the `engine` fixture gives both)."""
    headers = {"Authorization": f"Bearer {_seed(engine)}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(engine))
    # The one constraint left out of the generated data: the API refuses a NUL character in
    # any string (PostgreSQL cannot store one; the API's description says so), which JSON
    # Schema cannot declare of the keys and nested values of its free-form bodies (a plant
    # file, a scenario, a plan).
    schema.config.generation.update(allow_x00=False)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def holds(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers)

        holds()
