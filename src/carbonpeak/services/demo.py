"""Load the synthetic demo province into the store, with a login of each kind."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.demo.province import Province, load_profile
from carbonpeak.domain.entities import Enterprise as EnterpriseEntity
from carbonpeak.services.access import Actor
from carbonpeak.services.submissions import submit
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
    return {
        "enterprises_added": len(new),
        "submissions_created": sum(1 for s in submissions if s["created"]),
        "logins": {name: DEMO_PASSWORD for name in logins},
        "demo_enterprise": first,
    }
