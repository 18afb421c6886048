"""The people and plants of the budgets wing's store tests: Hebei's regulator with plant A in
Shijiazhuang (130100) and plant B in Tangshan (130200)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from carbonpeak.domain.uscc import make_uscc
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import create_enterprise
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import User

PASSWORD = "correct horse battery"
A = make_uscc("91130100MA0000001")  # in Shijiazhuang (130100)
B = make_uscc("91130200MA0000002")  # in Tangshan (130200)


def _actor(engine: Engine, name: str, role: str, **scope: list[str]) -> Actor:
    with transaction(engine) as session:
        add_user(session, name, role, PASSWORD, **scope)
    with transaction(engine) as session:
        return Actor.of(session.execute(select(User).where(User.username == name)).scalar_one())


def hebei_with_plants(engine: Engine) -> Actor:
    regulator = _actor(engine, "hebei", "regulator", regions=["130000"])
    with transaction(engine) as session:
        for code, region in ((A, "130100"), (B, "130200")):
            create_enterprise(
                session,
                regulator,
                {"enterprise_id": code, "name": f"plant {region}", "region_code": region,
                 "industry_code": "3011"},
            )  # fmt: skip
    return regulator
