"""An enterprise's metered energy, for the dashboard: the quality of its meters, its daily
energy and CO2, and its energy performance model with CUSUM, from the lake
(`CARBONPEAK_LAKE`, default `$CARBONPEAK_HOME/lake`), computed with the library in force
(`services.reference.library_in_force`: the shipped tables with the approved editions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak.engine.session import open_engine
from carbonpeak.io.commits import committed
from carbonpeak.io.lake import read_drivers, read_lake, read_meters
from carbonpeak.io.lake_files import named_damage
from carbonpeak.monitoring.enpi import ModelDisqualified, ModelRules, fit, savings
from carbonpeak.monitoring.quality import QualityRules, quality, span_days
from carbonpeak.monitoring.rollup import roll_up
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import enterprise_named, get_enterprise
from carbonpeak.services.reference import library_in_force

REPORTING_DAYS = 92  # by default the last quarter of the data is the reporting period


@dataclass
class EnterpriseMonitoring:
    """What the monitoring page shows; `meters` empty when the lake has none of the
    enterprise's."""

    meters: list[dict[str, Any]] = field(default_factory=list)
    daily: list[dict[str, Any]] = field(default_factory=list)
    start: date | None = None
    end: date | None = None
    model: dict[str, Any] | None = None
    savings: dict[str, Any] | None = None
    refused: str | None = None
    drivers: list[str] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


def enterprise_monitoring(
    session: Session,
    actor: Actor,
    enterprise_id: str,
    lake: Path,
    baseline: tuple[date, date] | None = None,
) -> EnterpriseMonitoring:
    """The monitoring view of an enterprise the actor can see (else `NotFoundError`). The
    baseline of the energy model defaults to all days but the last `REPORTING_DAYS`."""
    get_enterprise(session, actor, enterprise_id)
    if not committed(lake).meters:  # no file ingested whole yet
        return EnterpriseMonitoring()
    registry = read_meters(lake)
    meters = registry[registry["enterprise_id"] == enterprise_id]
    meters = meters[meters["first_epoch"].notna()]  # registered meters with readings
    if meters.empty:
        return EnterpriseMonitoring()
    reference = library_in_force(session)
    start, end = span_days(meters)
    engine = open_engine()
    try:
        with named_damage(lake):
            readings = read_lake(engine, lake).filter(
                engine.F.col("enterprise_id") == enterprise_id
            )
            checked = quality(engine, readings, meters, QualityRules.of(reference), start, end)
            rolled = roll_up(
                engine,
                readings,
                meters,
                reference,
                freq="day",
                by=["enterprise_id"],
                start=start,
                end=end,
            )
            daily = rolled.records()
    finally:
        engine.stop()
    view = EnterpriseMonitoring(checked.meters, daily, start, end, warnings=rolled.factors.warnings)
    drivers = read_drivers(lake, enterprise_id)
    names = [c for c in drivers.columns if c not in ("enterprise_id", "day")]
    if not names or not daily:
        return view
    energy = pd.DataFrame(
        {
            "period": pd.to_datetime([r["period_start"][:10] for r in daily]),
            "energy_tce": [r["energy_tce"] for r in daily],
        }
    )
    table = energy.merge(
        drivers.assign(period=pd.to_datetime(drivers["day"])).drop(columns=["day"]),
        on="period",
    )
    chosen = [n for n in ("production_t",) if n in names] or names[:1]
    rules = ModelRules.of(reference)
    if baseline is None:
        baseline = (start, end - timedelta(days=REPORTING_DAYS))
    model = fit(table, "energy_tce", chosen, rules, baseline=baseline)
    view.model, view.drivers = model.as_dict(), chosen
    reporting = table[table["period"] > pd.Timestamp(baseline[1])]
    if len(reporting):
        try:
            view.savings = savings(model, reporting, rules)
        except ModelDisqualified as refused:
            view.refused = str(refused)
    return view


def monitoring_of(
    session: Session, actor: Actor, enterprise_id: str, lake: Path, english: bool
) -> tuple[dict[str, str], EnterpriseMonitoring]:
    """An enterprise the actor can see (else `NotFoundError`), by name, and its monitoring
    view (`enterprise_monitoring`)."""
    named = enterprise_named(session, actor, enterprise_id, english)
    return named, enterprise_monitoring(session, actor, enterprise_id, lake)


def meters_template(session: Session) -> bytes:
    """The meters registry workbook to fill in (`io/meter_sheet.py`), its choices from the
    library in force (the API's and the collector's meters are checked with it too)."""
    from carbonpeak.io.meter_sheet import meters_template_bytes

    return meters_template_bytes(library_in_force(session))


def daily_use(
    session: Session, lake: Path, enterprise_ids: Sequence[str], start: date, end: date
) -> pd.DataFrame:
    """The meters' energy (tce) and CO2 (t) by enterprise and China Standard Time day from
    `start` to `end`, of the enterprises named (what the budgets' nowcast scales), rolled up
    with the library in force: an empty frame when the lake holds none of them."""
    columns = ["enterprise_id", "day", "energy_tce", "co2_t"]
    if not enterprise_ids or not committed(lake).meters:
        return pd.DataFrame(columns=columns)
    registry = read_meters(lake)
    meters = registry[
        registry["enterprise_id"].isin(list(enterprise_ids)) & registry["first_epoch"].notna()
    ]
    if meters.empty:
        return pd.DataFrame(columns=columns)
    engine = open_engine()
    try:
        with named_damage(lake):
            readings = read_lake(engine, lake).filter(
                engine.F.col("enterprise_id").isin(sorted(set(meters["enterprise_id"])))
            )
            rolled = roll_up(
                engine,
                readings,
                meters,
                library_in_force(session),
                freq="day",
                by=["enterprise_id"],
                start=start,
                end=end,
            )
            records = rolled.records()
    finally:
        engine.stop()
    frame = pd.DataFrame(records)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["day"] = pd.to_datetime(frame["period_start"].str[:10]).dt.date
    return frame.loc[:, columns]
