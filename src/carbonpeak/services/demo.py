"""Load the synthetic demo province into the store, with a login of each kind."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.demo.province import Province, load_profile
from carbonpeak.domain.entities import Enterprise as EnterpriseEntity
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting import submit
from carbonpeak.services.users import add_user
from carbonpeak.store.models import Enterprise, ProductionUnit, Site, User

DEMO_PASSWORD = "carbonpeak-demo"  # a local demo's shared password, printed by `make demo`


def load_province(session: Session, province: Province, activity: pd.DataFrame) -> dict[str, Any]:
    """Add what is missing of the province to the store and submit its activity (again
    submitting the same activity changes nothing)."""
    present = set(session.execute(select(Enterprise.enterprise_id)).scalars())
    examples = [EnterpriseEntity(**e) for e in load_profile()["examples"]]
    candidates = [e.enterprise for e in province.enterprises] + examples
    new = [e for e in candidates if e.enterprise_id not in present]
    session.add_all(Enterprise(**e.model_dump()) for e in new)
    session.flush()
    sites = set(session.execute(select(Site.site_id)).scalars())
    session.add_all(Site(**s.model_dump()) for s in province.sites if s.site_id not in sites)
    session.flush()
    units = set(session.execute(select(ProductionUnit.unit_id)).scalars())
    session.add_all(
        ProductionUnit(**u.model_dump()) for u in province.units if u.unit_id not in units
    )
    first = province.enterprises[0].enterprise.enterprise_id
    logins = {
        "demo-admin": ("admin", [], []),
        "demo-regulator": ("regulator", [province.region.region_code], []),
        "demo-enterprise": ("enterprise", [], [first, *(e.enterprise_id for e in examples)]),
    }
    users = set(session.execute(select(User.username)).scalars())
    for name, (role, regions, enterprises) in logins.items():
        if name not in users:
            add_user(session, name, role, DEMO_PASSWORD, regions, enterprises, actor="demo")
    admin = session.execute(select(User).where(User.username == "demo-admin")).scalar_one()
    submissions = submit(session, Actor.of(admin), activity, "demo-province/activity.csv")
    makers = _automakers(session, province, Actor.of(admin))
    return {
        "enterprises_added": len(new),
        "submissions_created": sum(1 for s in submissions if s["created"]),
        "logins": {name: DEMO_PASSWORD for name in (*logins, "demo-automaker")},
        "demo_enterprise": first,
        "demo_automakers": makers,
    }


AUTOMAKERS = (  # synthetic makers: name, affiliate group
    ("演示新能源汽车有限公司", "demo-group-1"),
    ("演示汽车销售有限公司", "demo-group-1"),
    ("演示合资汽车有限公司", "demo-group-2"),
)


def _automakers(session: Session, province: Province, admin: Actor) -> list[str]:
    """Three synthetic automakers of the province (two affiliates), a `demo-automaker` login
    for the first two, and two years of their credit ledger (results, a trade, transfers,
    offsets, a pool deposit and a deficit left open) unless the ledger has entries."""
    from carbonpeak.domain.uscc import make_uscc, organisation_check_character
    from carbonpeak.services.credits import append_entry
    from carbonpeak.store.models import CreditEntry

    region = province.prefectures[0].region_code
    bodies = [f"DEMCAR0{i}" for i in range(1, 4)]
    codes = [make_uscc(f"91{region}{b}{organisation_check_character(b)}") for b in bodies]
    present = set(session.execute(select(Enterprise.enterprise_id)).scalars())
    for code, (name, group) in zip(codes, AUTOMAKERS, strict=True):
        if code not in present:
            session.add(
                Enterprise(
                    enterprise_id=code,
                    name=name,
                    region_code=region,
                    industry_code="3612",
                    affiliate_group=group,
                )
            )
    session.flush()
    if not session.execute(select(User).where(User.username == "demo-automaker")).first():
        add_user(session, "demo-automaker", "automaker", DEMO_PASSWORD, [], codes[:2], actor="demo")
    if session.execute(select(CreditEntry.entry_id)).first():
        return codes
    a, b, c = codes
    for entry in (
        ("2023-07-01", "earn", "nev", 2022, 120000, a, {}),
        ("2023-07-01", "earn", "cafc", 2022, 80000, a, {}),
        ("2023-07-01", "deficit", "cafc", 2022, 30000, b, {}),
        ("2023-07-01", "deficit", "nev", 2022, 40000, c, {}),
        ("2023-07-15", "trade", "nev", 2022, 40000, a, {"counterparty": c, "price": 1128}),
        ("2023-08-01", "offset", "nev", 2022, 40000, c, {"settles": 2022, "settles_credit": "nev"}),
        ("2023-08-10", "transfer", "cafc", 2022, 30000, a, {"counterparty": b}),
        (
            "2023-08-20",
            "offset",
            "cafc",
            2022,
            30000,
            b,
            {"settles": 2022, "settles_credit": "cafc"},
        ),
        ("2024-07-01", "earn", "nev", 2023, 150000, a, {}),
        ("2024-07-01", "deficit", "nev", 2023, 50000, c, {}),
        ("2024-07-01", "deficit", "cafc", 2023, 20000, b, {}),
        ("2024-07-10", "deposit", "nev", 2023, 30000, a, {}),
    ):
        day, kind, credit, vintage, amount, entity, extra = entry
        append_entry(
            session,
            admin,
            {
                "day": date.fromisoformat(day),
                "kind": kind,
                "credit": credit,
                "vintage": vintage,
                "amount": float(amount),
                "entity": entity,
                **extra,
            },
        )
    return codes
