"""The budgets wing's alerts and nowcast on the store (SQLite and PostgreSQL): a fall to a
lower level that is not green leaves an alert of that level open (no alert raised again
without a crossing), the open alerts of a year over are closed and the cockpit counts this
year's only, and the nowcast of January is calibrated on last year's reports."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from carbonpeak.policy.budgets import BudgetLevel
from carbonpeak.services import budgets as service
from carbonpeak.services import budgets_alerts, budgets_tracking
from carbonpeak.services.access import Actor
from carbonpeak.services.accounting import submit
from carbonpeak.services.accounting_versions import official_months
from carbonpeak.services.home import cockpit
from carbonpeak.services.reference import enter_authority_rows
from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry, BudgetAlert
from tests.policy.budget_people import A, _actor
from tests.policy.test_budgets_store import CASCADE


def _months(code: str, year: int, mwh: list[float]) -> pd.DataFrame:
    rows = [
        {"enterprise_id": code, "period": f"{year}-{m:02d}", "stream": "electricity",
         "item": "electricity", "direction": "in", "amount": value, "unit": "MWh"}
        for m, value in enumerate(mwh, 1)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def _judged(budget_id: str, level: str) -> tuple[Any, list[BudgetLevel], list[Any]]:
    status = SimpleNamespace(
        budget_id=budget_id, used_share=0.5, elapsed_share=0.4, projected_share=1.3
    )
    judged = BudgetLevel(
        budget_id=budget_id, level=level, pace=1.25, projection=1.3, indicator="pace",
        value=1.25, threshold=1.0,
    )  # fmt: skip
    return SimpleNamespace(statuses=(status,)), [judged], []


def test_a_fall_to_yellow_leaves_a_yellow_alert_open(
    engine: Engine, hebei: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # judged red, yellow, yellow, green, yellow: raised red; cleared red (the open alert is
    # now yellow); nothing; cleared yellow; raised yellow
    with transaction(engine) as session:
        (saved,) = service.save_budgets(session, hebei, [{**CASCADE[3], "cap": 1000}])
    budget_id = str(saved["budget_id"])
    days = iter(["red", "yellow", "yellow", "green", "yellow"])
    monkeypatch.setattr(budgets_alerts, "tracked", lambda *a, **k: _judged(budget_id, next(days)))
    seen = []
    for day in range(1, 6):
        with transaction(engine) as session:
            changes = service.record_alerts(session, date(2026, 5, day))
        seen.append([(c["kind"], c["level"], c["current"]) for c in changes])
    assert seen == [
        [("raised", "red", "red")],
        [("cleared", "red", "yellow")],
        [],
        [("cleared", "yellow", "green")],
        [("raised", "yellow", "yellow")],
    ]
    with transaction(engine) as session:
        stored = [
            (a.level, a.raised_at is not None, a.cleared_at is None, a.detail["previous"])
            for a in session.execute(select(BudgetAlert).order_by(BudgetAlert.alert_id)).scalars()
        ]
    assert stored == [
        ("red", True, False, None),
        ("yellow", True, False, "red"),  # left open on the fall, closed by the green
        ("yellow", True, True, None),
    ]


def test_the_cockpit_counts_the_alerts_of_a_new_judgement(
    engine: Engine, hebei: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the cockpit's alert counts are kept per audit position (services.memo.kept): a
    # judgement that raises or clears an alert is audited, so the next view counts anew
    with transaction(engine) as session:
        (saved,) = service.save_budgets(session, hebei, [{**CASCADE[3], "cap": 1000}])
    budget_id = str(saved["budget_id"])
    days = iter(["red", "red", "yellow"])
    monkeypatch.setattr(budgets_alerts, "tracked", lambda *a, **k: _judged(budget_id, next(days)))

    def counts(day: int) -> tuple[int, int, int]:
        with transaction(engine) as session:
            alerts = cockpit(session, hebei, date(2026, 5, day), None)["alerts"]
        return alerts["red"], alerts["yellow"], alerts["total"]

    def audited() -> list[str]:
        with transaction(engine) as session:
            return [e.action for e in session.execute(select(AuditEntry)).scalars()]

    assert counts(1) == (0, 0, 0)
    with transaction(engine) as session:
        assert service.record_alerts(session, date(2026, 5, 1)) != []  # raised red
    assert counts(1) == (1, 0, 1)
    entries = audited().count("budget.alerts")
    assert entries == 1
    with transaction(engine) as session:
        assert service.record_alerts(session, date(2026, 5, 1)) == []  # red again: nothing
    assert audited().count("budget.alerts") == 1  # a judgement changing nothing is not audited
    with transaction(engine) as session:
        assert service.record_alerts(session, date(2026, 5, 1)) != []  # red cleared, yellow open
    assert counts(1) == (0, 1, 1)
    assert audited().count("budget.alerts") == 2


def test_the_alerts_of_a_year_over_are_closed_and_not_counted(engine: Engine, hebei: Actor) -> None:
    plant = _actor(engine, "plant", "enterprise", enterprises=[A])
    with transaction(engine) as session:
        service.save_budgets(session, hebei, [{**CASCADE[3], "year": 2025, "cap": 500}])
        red = [{"quantity": "co2", "indicator": "pace", "level": "red", "threshold": 1.2,
                "valid_from": "2025-01-01", "status": "verified"}]  # fmt: skip
        enter_authority_rows(session, hebei, "budget_alert_thresholds", "130000", red, "notice")
        submit(session, plant, _months(A, 2025, [300.0] * 12))
        co2 = sum(m["co2_t"] for m in official_months(session, 2025, [A]))
    # on 31 Dec the whole year has elapsed: pace = used share = co2 / 500 t
    assert co2 / 500 >= 1.2
    with transaction(engine) as session:
        raised = service.record_alerts(session, date(2025, 12, 31))
    assert [(c["kind"], c["level"]) for c in raised] == [("raised", "red")]
    # in mid-2026, before any judgement, the cockpit counts 2026's open alerts only
    with transaction(engine) as session:
        assert cockpit(session, hebei, date(2026, 6, 30), None)["alerts"]["total"] == 0
        assert cockpit(session, plant, date(2026, 6, 30), None)["alerts"] == []
        assert cockpit(session, hebei, date(2025, 12, 31), None)["alerts"]["red"] == 1
    with transaction(engine) as session:
        closed = service.record_alerts(session, date(2026, 6, 30))
    assert [(c["kind"], c["level"], c["current"]) for c in closed] == [("cleared", "red", None)]
    with transaction(engine) as session:
        (alert,) = session.execute(select(BudgetAlert)).scalars()
        assert alert.cleared_at is not None and alert.detail["year_over"] is True
        assert service.list_alerts(session, hebei, open_only=True) == []
        assert service.record_alerts(session, date(2026, 7, 1)) == []


def test_januarys_nowcast_is_calibrated_on_last_years_reports(
    engine: Engine, hebei: Actor, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A reports every month of 2025; its meters read half of the reported use every day
    # (k = reported / metered = 2). On 20 Jan 2026, nothing reported in 2026: the nowcast of
    # January is metered (half of January 2025's daily use x 20 days) x 20/20 x k = 2, i.e.
    # January 2025's CO2 x 20 / 31, calibrated (no `uncalibrated` warning).
    plant = _actor(engine, "plant", "enterprise", enterprises=[A])
    with transaction(engine) as session:
        service.save_budgets(session, hebei, [{**CASCADE[3], "cap": 5000}])
        submit(session, plant, _months(A, 2025, [100.0 + m for m in range(12)]))
        reported = {
            m["period"]: (m["co2_t"], m["energy_tce"]) for m in official_months(session, 2025, [A])
        }
    days, day = [], date(2025, 1, 1)
    while day <= date(2026, 1, 31):
        co2, energy = reported.get(f"{day:%Y-%m}", reported["2025-01"])
        length = calendar.monthrange(day.year, day.month)[1]
        days.append({"enterprise_id": A, "day": day, "energy_tce": energy / 2 / length,
                     "co2_t": co2 / 2 / length})  # fmt: skip
        day += timedelta(days=1)
    daily = pd.DataFrame(days)

    def daily_use(_session: Any, lake: Path, ids: Any, start: date, end: date) -> pd.DataFrame:
        return daily.loc[(daily["day"] >= start) & (daily["day"] <= end)].reset_index(drop=True)

    monkeypatch.setattr(budgets_tracking, "daily_use", daily_use)
    with transaction(engine) as session:
        tracking, _, notes = service.tracked(session, hebei, 2026, date(2026, 1, 20), tmp_path)
    assert tracking is not None
    january = tracking.months.loc[tracking.months["period"] == "2026-01"].iloc[0]
    assert january["nowcast"] == pytest.approx(reported["2025-01"][0] * 20 / 31)
    assert "monitoring.nowcast.uncalibrated" not in [w["code"] for w in notes]
