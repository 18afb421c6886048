"""The fetched PACT v3.0.3 spec: build/pact-spec/ (`python scripts/pact_spec.py`), or the
directory CARBONPEAK_PACT_SPEC names. These tests run only when asked for (`make
pact-conformance` fetches first), so a missing spec is a failure, never a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from carbonpeak.io.pact import read_pact_schema
from carbonpeak.product.pact_schema import PactSchema

SPEC = Path(
    os.environ.get("CARBONPEAK_PACT_SPEC") or Path(__file__).parents[1] / "build" / "pact-spec"
)


@pytest.fixture(scope="session")
def spec() -> Path:
    if not (SPEC / "openapi.yaml").exists():
        pytest.fail(f"no PACT spec in {SPEC}: run python scripts/pact_spec.py")
    return SPEC


@pytest.fixture(scope="session")
def schema(spec: Path) -> PactSchema:
    return read_pact_schema(spec / "openapi.yaml")
