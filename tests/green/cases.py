"""The store the green tests share: two enterprises in Hebei (a cement works in 130100, a
glass works in 130200) and one in Inner Mongolia, an editor, a reviewer, a Hebei regulator and
each enterprise's user; a certificate list of the first enterprise (made up, with its source)
imported and approved; a diagnosis of the first enterprise with three motors registered."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, select

from carbonpeak.diagnosis.equipment import motor_minimum
from carbonpeak.domain.days import china_today
from carbonpeak.domain.uscc import make_uscc
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.access import Actor
from carbonpeak.services.diagnosis import register_diagnosis
from carbonpeak.services.green import import_list
from carbonpeak.services.reference_editions import decide
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise, User

CEMENT = make_uscc("91130100MA0CEMNT1")
GLASS = make_uscc("91130200MA0GLAXX2")
STEEL = make_uscc("91150200MA0TEEL03")
PASSWORD = "a long enough password"
DOCUMENT = {
    "source_id": "gbm_test_2026",
    "title": "绿色建材产品认证获证企业名单（测试用，非真实名单）",
    "note": "made up for the tests",
}


def certificate_list(today: date) -> bytes:
    """Three certificates of the cement works: one expiring in 30 days, one in 200, one
    expired yesterday; one of an enterprise not on the platform."""
    other = make_uscc("91440300MA0ATHER4")
    return (
        "证书编号,统一社会信用代码,企业名称,产品类别,证书等级,发证日期,有效期至\n"
        f"GBM-A,{CEMENT},水泥厂,预拌混凝土,三星级,2023-01-01,{today + timedelta(days=30)}\n"
        f"GBM-B,{CEMENT},水泥厂,水泥,二星级,2023-01-01,{today + timedelta(days=200)}\n"
        f"GBM-C,{CEMENT},水泥厂,砌块,一星级,2022-01-01,{today - timedelta(days=1)}\n"
        f"GBM-D,{other},外省建材公司,建筑节能玻璃,一星级,2023-01-01,{today + timedelta(days=10)}\n"
    ).encode()


def actor(engine: Engine, name: str) -> Actor:
    with transaction(engine) as session:
        return Actor.of(session.execute(select(User).where(User.username == name)).scalar_one())


def plant(enterprise_id: str, region: str) -> dict[str, Any]:
    """Three 4-pole motors: 75 kW grade 1, 15 kW at the grade-3 minimum, 11 kW without an
    efficiency (taken at grade 3)."""
    reference = default_reference()
    return {
        "enterprise_id": enterprise_id,
        "name": "test works",
        "region_code": region,
        "year": 2025,
        "prices": {"electricity": {"price": 0.6, "unit": "kWh"}},
        "equipment": [
            {
                "type": "motor",
                "id": "M1",
                "rated_kw": 75,
                "poles": 4,
                "efficiency": motor_minimum(reference, 75, 4, 1),
                "load": 0.75,
                "hours": 6000,
            },
            {
                "type": "motor",
                "id": "M2",
                "rated_kw": 15,
                "poles": 4,
                "efficiency": motor_minimum(reference, 15, 4, 3),
                "load": 0.6,
                "hours": 5000,
            },
            {"type": "motor", "id": "M3", "rated_kw": 11, "poles": 4, "load": 0.5, "hours": 4000},
        ],
    }


def build(engine: Engine) -> None:
    with transaction(engine) as session:
        for code, region, industry in (
            (CEMENT, "130100", "3011"),
            (GLASS, "130200", "3041"),
            (STEEL, "150200", "3120"),
        ):
            session.add(
                Enterprise(
                    enterprise_id=code, name=code, region_code=region, industry_code=industry
                )
            )
        session.flush()
        add_user(session, "editor", "admin", PASSWORD, duties=["reference_editor"])
        add_user(
            session, "reviewer", "regulator", PASSWORD, ["130000"], duties=["reference_reviewer"]
        )
        add_user(session, "hebei", "regulator", PASSWORD, ["130000"])
        add_user(session, "cement", "enterprise", PASSWORD, enterprises=[CEMENT])
        add_user(session, "glass", "enterprise", PASSWORD, enterprises=[GLASS])
        add_user(session, "group", "enterprise", PASSWORD, enterprises=[CEMENT, GLASS])
    with transaction(engine) as session:
        kept = import_list(
            session,
            actor(engine, "editor"),
            "building_material",
            "list.csv",
            certificate_list(china_today()),
            DOCUMENT,
        )
    with transaction(engine) as session:
        decide(session, actor(engine, "reviewer"), kept["edition_id"], "approve", "checked")
    with transaction(engine) as session:
        register_diagnosis(session, actor(engine, "editor"), plant(CEMENT, "130100"))
