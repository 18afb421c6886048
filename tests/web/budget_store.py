"""A small demo province (60 enterprises) with this year's carbon budgets, set up through the
services: monthly accounts of two enterprises of one prefecture up to last month, a cascade
province -> prefecture -> the two enterprises, the authority's thresholds, the alerts recorded,
and a swap application waiting for a decision. `A` (the demo enterprise user's first
enterprise) runs at twice its budget's pace (red); `B` at half of it (green).

Caps (c = an enterprise's CO2 of one month, the same every month):
- A: cap 6 c, so by the end of month m-1 it has used (m-1) c = (m-1)/6 of the cap while
  (m-1)/12 of the year (by days, close to it) has elapsed: pace about 2 -> red (>= 1.2);
- B: cap 24 c: pace about 0.5 -> green;
- the prefecture: cap 60 (c_A + c_B) >= 6 c_A + 24 c_B; the province 10 times that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carbonpeak.demo.province import generate_province, write_province
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting import submit
from carbonpeak.services.accounting_versions import official_months
from carbonpeak.services.budgets import record_alerts, save_budgets
from carbonpeak.services.demo import load_province
from carbonpeak.services.policy import submit_application
from carbonpeak.services.reference import enter_authority_rows
from carbonpeak.store.db import make_engine, transaction, upgrade
from carbonpeak.store.models import Enterprise, User

SWAP = """sector: cement
application_date: 2025-03-01
location: {region_code: "130200"}
built: [{equipment: clinker_kiln, capacity_t: 1500000}]
exit:  [{equipment: clinker_kiln, capacity_t: 3000000, region_code: "130200", status: operating}]
reaches_benchmark: true
"""
THRESHOLDS = [  # test values of an authority (not any real authority's)
    ("pace", "yellow", 1.05),
    ("pace", "red", 1.2),
    ("projection", "yellow", 1.05),
    ("projection", "red", 1.2),
]


@dataclass
class BudgetStore:
    engine: Engine
    year: int
    province: str
    prefecture: str
    a: str  # red
    b: str  # green
    ids: dict[str, int]  # budget ids: province, prefecture, a, b
    application_id: int
    month_co2: dict[str, float]


def actor(session: Session, username: str) -> Actor:
    return Actor.of(session.execute(select(User).where(User.username == username)).scalar_one())


def build(folder: Path, budgets: bool = True) -> BudgetStore:
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    upgrade(engine)
    province = generate_province(seed=2030, enterprises=60)
    write_province(province, folder / "province")
    activity = pd.read_csv(folder / "province" / "activity.csv", dtype=str, keep_default_na=False)
    today = date.today()
    year = today.year
    with transaction(engine) as session:
        load_province(session, province, activity)
    with transaction(engine) as session:
        admin = actor(session, "demo-admin")
        own = actor(session, "demo-enterprise")
        a = sorted(own.enterprises & set(activity["enterprise_id"]))[0]
        regions = {
            str(e): str(r)
            for e, r in session.execute(select(Enterprise.enterprise_id, Enterprise.region_code))
        }
        prefecture = regions[a][:4] + "00"
        b = next(
            e
            for e in sorted(set(activity["enterprise_id"]))
            if e != a and regions[e][:4] == regions[a][:4]
        )
        region = province.region.region_code
        if budgets:
            rows = activity[activity["enterprise_id"].isin([a, b])]
            months = []
            for m in range(1, max(today.month - 1, 1) + 1):  # one month at least
                month = rows.copy()
                month["period"] = f"{year}-{m:02d}"
                month["amount"] = (month["amount"].astype(float) / 12).map(lambda v: f"{v:.6f}")
                months.append(month)
            submit(session, admin, pd.concat(months, ignore_index=True), "months.csv")
    month_co2: dict[str, float] = {}
    ids: dict[str, int] = {}
    application_id = 0
    with transaction(engine) as session:
        if budgets:
            for m in official_months(session, year, [a, b]):
                month_co2[m["enterprise_id"]] = float(m["co2_t"])
            ca, cb = month_co2[a], month_co2[b]
            regulator = actor(session, "demo-regulator")
            enter_authority_rows(
                session,
                regulator,
                "budget_alert_thresholds",
                region,
                [
                    {
                        "authority": region,
                        "quantity": "co2",
                        "indicator": indicator,
                        "level": level,
                        "threshold": threshold,
                        "valid_from": f"{year}-01-01",
                        "status": "unverified",
                        "note": "test values",
                    }
                    for indicator, level, threshold in THRESHOLDS
                ],
                "test notice of the authority",
            )
            made = save_budgets(
                session,
                regulator,
                [
                    {"scope": "region", "code": region, "year": year, "quantity": "co2",
                     "cap": 600 * (ca + cb), "profile": "even"},
                    {"scope": "region", "code": prefecture, "year": year, "quantity": "co2",
                     "cap": 60 * (ca + cb), "profile": "even"},
                    {"scope": "enterprise", "code": a, "year": year, "quantity": "co2",
                     "cap": 6 * ca, "profile": "even"},
                    {"scope": "enterprise", "code": b, "year": year, "quantity": "co2",
                     "cap": 24 * cb, "profile": "even"},
                ],
            )  # fmt: skip
            ids = dict(
                zip(
                    ("province", "prefecture", "a", "b"),
                    (r["budget_id"] for r in made),
                    strict=True,
                )
            )
            record_alerts(session, today)
            application_id = submit_application(
                session, actor(session, "demo-enterprise"), "swap", a, yaml.safe_load(SWAP)
            )["application_id"]
    return BudgetStore(engine, year, region, prefecture, a, b, ids, application_id, month_co2)
