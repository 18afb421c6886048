"""Property-based fuzzing of the API from its own OpenAPI schema (schemathesis), with every
check: no 5xx, every response and status code conforms to the schema, and every request the
schema allows is accepted (the schema declares the constraints the handlers enforce), for an
admin on a store with data."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import Engine, select

from carbonpeak.api.app import create_app
from carbonpeak.services.tokens import issue
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise, User

# Operations whose schema-valid requests may still be refused by rules JSON Schema cannot say, so
# that `positive_data_acceptance` is left out for them alone: a USCC's check character and region
# and industry codes that must exist in their lists (enterprises and their sites, users, submission
# rows, diagnoses), the content of an uploaded table (submissions, jobs, caps, credits, LMDI), and
# free-form YAML/JSON documents checked by their own parsers (plans, scenarios, plants, an
# application's body by its instrument's), the observed-history look-ups of reference lists
# (sectors, provinces, series), meters (a carrier of the reference's items, a unit of its kind) and
# the body of a batch of readings (JSON lines, CSV or Parquet, of registered meters), budgets
# (region codes of the regions table, USCCs, shares summing to 1, the cascade's sums; an uploaded
# table) and threshold rows (checked with the reference's other rows), credit ledger entries (an
# offset names the deficit it settles, a counterparty is an enterprise of the store), the carbon
# market's ledger entries (a kind's year or vintage, an obligation to settle, the CCER cap), its
# plans (a workbook checked against the guideline), documents (not empty), monthly evidence
# (records of a filed plan's parameters) and process sheets (a table checked against the stored
# reports), suppliers' footprints (a PACT v3 file, of an enterprise of the store), a product
# year's CBAM communication (the year's process map must be stored), reference editions (a
# workbook checked against the library; a decision on a draft by another person than its
# editor), green lists (a list checked against the library, an editor's duty) and an
# enterprise's certifications (an enterprise of the store). Every other check runs on every
# operation.
# year's CBAM communication (the year's process map must be stored), solid-waste reports (a
# table of enterprises of the store, its sums checked) and an enterprise's rates, reference
# editions (a workbook checked against the library; a decision on a draft by another person
# than its editor). Every other check runs on every operation.
DOMAIN_CHECKED = {
    "POST /api/v1/enterprises",
    "POST /api/v1/enterprises/{enterprise_id}/sites",
    "POST /api/v1/users",
    "POST /api/v1/submissions",
    "POST /api/v1/submissions/rows",
    "POST /api/v1/jobs/submissions",
    "POST /api/v1/caps/track",
    "POST /api/v1/credits/compute",
    "POST /api/v1/credits/plan",
    "POST /api/v1/credits/entries",
    "POST /api/v1/market/entries",
    "POST /api/v1/market/plans/{enterprise_id}",
    "POST /api/v1/market/documents/{enterprise_id}",
    "POST /api/v1/market/evidence/{enterprise_id}",
    "GET /api/v1/market/evidence/{enterprise_id}",
    "POST /api/v1/market/processes/{enterprise_id}",
    "POST /api/v1/product/maps/{enterprise_id}",
    "GET /api/v1/product/enterprises/{enterprise_id}",
    "POST /api/v1/product/suppliers/{enterprise_id}",
    "GET /api/v1/product/suppliers/{enterprise_id}",
    "GET /api/v1/product/enterprises/{enterprise_id}/cbam.xlsx",
    "POST /api/v1/green/lists",
    "GET /api/v1/green/enterprises/{enterprise_id}",
    "GET /api/v1/green/exports/{table}",
    "POST /api/v1/utilisation/reports",
    "GET /api/v1/utilisation/enterprises/{enterprise_id}",
    "POST /api/v1/diagnoses",
    "POST /api/v1/directory/catalogues",
    "POST /api/v1/applications",
    "POST /api/v1/pathways/run",
    "POST /api/v1/pathways/lmdi",
    "GET /api/v1/pathways/history",
    "POST /api/v1/monitoring/meters",
    "POST /api/v1/monitoring/readings",
    "POST /api/v1/budgets",
    "POST /api/v1/budgets/import",
    "POST /api/v1/budgets/thresholds",
    "POST /api/v1/reference/editions",
    "POST /api/v1/reference/editions/{edition_id}/decision",
}


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


def _fresh(engine: Engine) -> dict[str, str]:
    """A new token of the admin: logging out must not end the token the other calls use
    (it did, and every operation after `auth/logout` was fuzzed with a 401)."""
    with transaction(engine) as session:
        user = session.execute(select(User).where(User.username == "admin")).scalar_one()
        return {"Authorization": f"Bearer {issue(session, user)}"}


def test_api_holds_its_schema(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite and on PostgreSQL (the `engine` fixture gives both)."""
    monkeypatch.setenv("CARBONPEAK_LAKE", str(tmp_path / "lake"))  # meters land in the test's
    headers = {"Authorization": f"Bearer {_seed(engine)}"}
    app = create_app(engine)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
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
            sent = _fresh(engine) if case.operation.label.endswith("/auth/logout") else headers
            excluded = [positive_data_acceptance] if case.operation.label in DOMAIN_CHECKED else []
            case.call_and_validate(headers=sent, excluded_checks=excluded)

        holds()
    # the calls were made as the admin to the end, not refused as logged out
    assert TestClient(app).get("/api/v1/enterprises", headers=headers).status_code == 200
