"""Fixtures of the policy tests."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from carbonpeak.services.access import Actor
from tests.policy.budget_people import hebei_with_plants


@pytest.fixture
def hebei(engine: Engine) -> Actor:
    """Hebei's regulator, with plant A in Shijiazhuang (130100) and B in Tangshan (130200)."""
    return hebei_with_plants(engine)
