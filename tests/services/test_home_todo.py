"""The home pages' to-do lists computed from hand-built stores: the reports returned to an
enterprise to fix (until it sends a new version), the submitted reports waiting for the
regulator's review, and an automaker's open credit deficits and credits held."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from carbonpeak.services.access import Actor
from carbonpeak.services.accounting import submit
from carbonpeak.services.accounting_review import review
from carbonpeak.services.credits import append_entry
from carbonpeak.services.home import automaker, cockpit, returned_reports
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise, User

EXAMPLES = Path(__file__).parents[2] / "examples"
CEMENT, STEEL = "911302007A3K9C2D24", "911302005B8M2P4Q99"
MAKER = "91130100DEMCAR013R"
DAY = date(2026, 6, 15)


def _actor(session: object, name: str) -> Actor:
    user = session.execute(select(User).where(User.username == name)).scalar_one()  # type: ignore[attr-defined]
    return Actor.of(user)


def _store(engine: Engine) -> None:
    enterprises = pd.read_csv(EXAMPLES / "enterprises.csv", dtype=str, keep_default_na=False)
    with transaction(engine) as session:
        for row in enterprises.to_dict("records"):
            session.add(Enterprise(**{k: str(v) for k, v in row.items()}))
        session.add(
            Enterprise(
                enterprise_id=MAKER, name="演示汽车", region_code="130100", industry_code="3612"
            )
        )
        session.flush()
        add_user(session, "hebei", "regulator", "pw-hebei-0001", regions=["130000"])
        add_user(session, "works", "enterprise", "pw-works-0001", enterprises=[CEMENT, STEEL])
        add_user(session, "admin", "admin", "pw-admin-0001")
        add_user(session, "maker", "automaker", "pw-maker-0001", enterprises=[MAKER])


def test_a_returned_report_waits_on_the_enterprise_until_it_is_sent_again(
    engine: Engine,
) -> None:
    _store(engine)
    activity = pd.read_csv(EXAMPLES / "activity.csv", dtype=str, keep_default_na=False)
    activity = activity[activity["period"] == "2023"]
    both = activity[activity["enterprise_id"].isin([CEMENT, STEEL])]
    with transaction(engine) as session:
        works, hebei = _actor(session, "works"), _actor(session, "hebei")
        sent = {s["enterprise_id"]: s for s in submit(session, works, both, "a.csv")}
        assert returned_reports(session, works) == []
        # two reports submitted, none reviewed: the regulator has two waiting
        assert cockpit(session, hebei, DAY, None)["reviews"]["waiting"] == 2
        review(session, hebei, sent[CEMENT]["submission_id"], "return", "check the clinker")
        review(session, hebei, sent[STEEL]["submission_id"], "verify")
        todo = returned_reports(session, works)
        assert [(r["enterprise_id"], r["period"], r["version"]) for r in todo] == [
            (CEMENT, "2023", 1)
        ]
        assert todo[0]["comment"] == "check the clinker"
        assert todo[0]["href"] == f"/enterprises/{CEMENT}?period=2023"
        assert cockpit(session, works, DAY, None)["returned"] == todo
        # reviewed, both: nothing waits for the regulator
        assert cockpit(session, hebei, DAY, None)["reviews"]["waiting"] == 0
        # the corrected version sent again (a new version 2, submitted): nothing left to fix,
        # and the regulator has it to review
        submit(session, works, activity[activity["enterprise_id"] == CEMENT], "b.csv")
        assert returned_reports(session, works) == []
        assert cockpit(session, hebei, DAY, None)["reviews"]["waiting"] == 1


def test_an_automaker_sees_its_open_deficits_and_credits_held(engine: Engine) -> None:
    _store(engine)
    with transaction(engine) as session:
        admin, maker = _actor(session, "admin"), _actor(session, "maker")
        assert automaker(session, maker, DAY) | {"as_of": None} == {
            "kind": "automaker",
            "as_of": None,
            "deficits": [],
            "held": {},
            "plan_href": "/credits/plan",
            "fleet": None,  # no fleet stored: the card says how to upload one
            "fleet_href": "/credits/fleet",
            "names": {"91130100DEMCAR013R": "演示汽车"},  # its enterprise's card, by name
        }
        for kind, credit, amount in (("earn", "nev", 1200.0), ("deficit", "cafc", 300.0)):
            append_entry(
                session,
                admin,
                {
                    "day": date(2024, 7, 1),
                    "kind": kind,
                    "credit": credit,
                    "vintage": 2023,
                    "amount": amount,
                    "entity": MAKER,
                },
            )
        on_the_day = automaker(session, maker, date(2024, 7, 1))
        assert on_the_day["held"] == {"nev": 1200.0}
        assert [
            (d["credit"], d["vintage"], d["owed"], d["overdue"]) for d in on_the_day["deficits"]
        ] == [("cafc", 2023, 300.0, False)]
        # years on, the 2023 deficit is past its settlement deadline (the demo's as well)
        later = automaker(session, maker, DAY)["deficits"]
        assert [(d["owed"], d["overdue"]) for d in later] == [(300.0, True)]
