"""Monitoring: the online-monitoring status of the enterprises in the caller's scope (the
regulator's monitoring view): completeness yesterday and over 30 days against the reference
threshold, upload rate, silent meters, energy and CO2 today against the same weekday last
week, the largest anomalies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from carbonpeak.api.deps import Caller, Db, WarningOut
from carbonpeak.io.lake import default_lake
from carbonpeak.services.monitoring_region import RegionMonitoring, region_monitoring

router = APIRouter(tags=["monitoring"])
ENCODED_SIZE = 64  # encoded answers kept (app.state.monitoring_encoded)


class ThresholdOut(BaseModel):
    """The completeness a day must reach, with its reference row."""

    value: float
    table: str
    parameter: str
    source_id: str
    source: str
    status: str = Field(description="verified or unverified")
    note: str | None = None


class OptionsOut(BaseModel):
    silent_hours: float
    history_days: int
    anomaly_days: int
    anomaly_count: int


class MeterOut(BaseModel):
    meter_id: str
    enterprise_id: str
    carrier: str
    unit: str
    interval_minutes: int
    expected_yesterday: int
    received_yesterday: int
    completeness_yesterday: float | None
    expected_history: int
    received_history: int
    completeness_history: float | None
    expected_24h: int
    received_24h: int
    upload_rate: float | None
    last_reading: datetime | None
    hours_since_last: float | None
    silent: bool
    value_today: float = Field(description="in the meter's unit, today so far")
    value_last_week: float = Field(description="the same span of the same weekday last week")
    energy_tce_today: float | None
    energy_tce_last_week: float | None
    co2_t_today: float | None
    co2_t_last_week: float | None
    energy_change: float | None = Field(description="(today - last week) / last week")


class EnterpriseOut(BaseModel):
    enterprise_id: str
    name: str
    region_code: str
    meters: int
    silent_meters: int
    expected_yesterday: int
    received_yesterday: int
    completeness_yesterday: float | None
    passes_yesterday: bool
    expected_history: int
    received_history: int
    completeness_history: float | None
    received_24h: int
    expected_24h: int
    upload_rate: float | None
    last_reading: datetime | None
    hours_since_last: float | None
    energy_tce_today: float
    energy_tce_last_week: float
    co2_t_today: float
    co2_t_last_week: float
    energy_change: float | None
    anomalies: int


class AnomalyOut(BaseModel):
    meter_id: str
    enterprise_id: str
    ts: str = Field(description="China Standard Time, ISO 8601 with +08:00")
    value: float
    usual: float
    score: float
    reason: str


class TotalsOut(BaseModel):
    enterprises: int
    meters: int
    silent_meters: int
    expected_yesterday: int
    received_yesterday: int
    completeness_yesterday: float | None
    enterprises_below: int
    energy_tce_today: float
    energy_tce_last_week: float
    co2_t_today: float
    co2_t_last_week: float
    energy_change: float | None


class StatusOut(BaseModel):
    """The view as of `now` (null, and every list empty, when no monitored enterprise is in
    the caller's scope)."""

    now: datetime | None
    clock: str = Field(description="lake: now is the lake's latest reading; wall: the clock")
    today: date | None
    yesterday: date | None
    history_start: date | None
    threshold: ThresholdOut
    options: OptionsOut
    totals: TotalsOut | None
    enterprises: list[EnterpriseOut]
    meters: list[MeterOut] = Field(description="the silent meters, or every meter if asked")
    anomalies: list[AnomalyOut]
    warnings: list[WarningOut]


@router.get("/monitoring/status", response_model=StatusOut)
def monitoring_status(
    request: Request,
    db: Db,
    caller: Caller,
    silent_hours: Annotated[
        int | None,
        Query(
            ge=1,
            le=720,
            description="hours without a reading after which a meter is silent (default: the "
            "setting CARBONPEAK_MONITORING_SILENT_HOURS, 24, the platform's choice)",
        ),
    ] = None,
    meters: Annotated[
        bool, Query(description="every meter's figures, not only the silent meters'")
    ] = False,
) -> Response:
    """The online-monitoring status of the monitored enterprises the caller may see: per
    enterprise, the silent meters (every meter with `meters=true`), the largest anomalies."""
    # The service keeps one view per scope and lake state; its JSON is kept beside it (with
    # the view itself, so that the key cannot name another view), so that a province's
    # thousands of enterprises are encoded once, not on every request.
    view = region_monitoring(db, caller, default_lake(), False, silent_hours)
    kept: dict[tuple[int, bool], tuple[RegionMonitoring, bytes]] = (
        request.app.state.monitoring_encoded
    )
    found = kept.get((id(view), meters))
    if found is None or found[0] is not view:
        found = (view, _status_out(view, meters).model_dump_json().encode())
        if len(kept) >= ENCODED_SIZE:
            kept.clear()
        kept[(id(view), meters)] = found
    return Response(found[1], media_type="application/json")


def _status_out(view: RegionMonitoring, meters: bool) -> StatusOut:
    status = view.status
    common = {
        "clock": view.clock,
        "threshold": ThresholdOut.model_validate(view.threshold, from_attributes=True),
        "options": OptionsOut.model_validate(view.options, from_attributes=True),
    }
    if status is None:
        return StatusOut(
            now=None,
            today=None,
            yesterday=None,
            history_start=None,
            totals=None,
            enterprises=[],
            meters=[],
            anomalies=[],
            warnings=[],
            **common,
        )
    return StatusOut(
        now=status.now,
        today=status.today,
        yesterday=status.yesterday,
        history_start=status.history_start,
        totals=TotalsOut(**view.totals),
        enterprises=[
            EnterpriseOut(
                name=view.names[e.enterprise_id]["name"],
                region_code=view.names[e.enterprise_id]["region_code"],
                **{k: v for k, v in vars(e).items()},
            )
            for e in status.enterprises
        ],
        meters=[
            MeterOut.model_validate(m, from_attributes=True)
            for m in status.meters
            if meters or m.silent
        ],
        anomalies=[AnomalyOut.model_validate(a, from_attributes=True) for a in status.anomalies],
        warnings=[WarningOut(**w) for w in status.warnings],
        **common,
    )
