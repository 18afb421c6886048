"""The state of online monitoring as of a moment: for each meter and each enterprise under
monitoring, how complete its data were yesterday and over the last days, how recently it
uploaded, whether it has fallen silent, its energy and CO2 today so far against the same
weekday last week, and the largest anomalies. What the regulator's monitoring view shows.

As of `now` (a UTC instant; `latest_time` gives the lake's latest reading, which the platform
uses by default so that a lake read twice gives the same figures), with days of China
Standard Time:

- **completeness** (national online monitoring of key energy-using units: uploaded /
  required, a day passing at `completeness_min` of `monitoring_parameters`, 90 %):
  `received` = distinct timestamps with a reading in the day (a repeat counts once, as in
  `quality`), `expected` = 1440 / the meter's interval a day, over *yesterday* (the China
  Standard Time day before `now`'s) and over the `history_days` days ending yesterday. A
  meter is expected from the day of its first reading on (a meter installed last week is not
  short of the weeks before it); an enterprise's completeness is its meters' received over
  their expected, summed.
- **upload rate**: readings received in the 24 hours up to `now` (`(now - 24 h, now]`) over
  those expected in that span (from the meter's first day on);
- **last reading** and the **hours since** it; a meter is **silent** when no reading has come
  for more than `silent_hours` (a platform setting, not a rule of the national system, whose
  rules bound the completeness of a day, not the length of a silence);
- **energy and CO2 today so far**: the counted readings from the start of today to `now`
  (inclusive), against the same span of the same weekday a week before; converted to tce and
  CO2 as the roll-up does (`rollup.carrier_factors`: the accounting methods for the year of
  each span), and the relative change (none when last week had no energy);
- **anomalies**: `anomalies.anomalies` (readings far from the meter's usual value at that hour)
  over the `anomaly_days` days up to `now`, the largest |score| first; a view of some
  enterprises (`Status.only`, a caller's scope) lists the `anomaly_count` largest of theirs.

A reading counts in the span that contains its timestamp, as everywhere in the lake. Written
in the PySpark DataFrame API subset both engines run (`carbonpeak.engine`): one aggregation of
the readings since the history's first day, and the anomalies' own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd

from carbonpeak.domain.warnings import warn
from carbonpeak.engine.session import CST_OFFSET_SECONDS, Engine
from carbonpeak.monitoring.anomalies import anomalies
from carbonpeak.monitoring.quality import QualityRules, utc_bounds
from carbonpeak.monitoring.rollup import carrier_factors
from carbonpeak.reference.loader import Reference

DAY = 86400
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class StatusOptions:
    """The view's choices, each the platform's (none a rule of a standard): a meter is silent
    after `silent_hours` without a reading (24: a whole day without data), completeness is
    also shown over the `history_days` days to yesterday (30), anomalies are sought over the
    `anomaly_days` days to now (7, so each hour of the day has a week of values) and the
    `anomaly_count` largest are listed (20)."""

    silent_hours: float = 24.0
    history_days: int = 30
    anomaly_days: int = 7
    anomaly_count: int = 20

    def __post_init__(self) -> None:
        if not 0 < self.silent_hours <= 24 * 366:
            raise ValueError(f"silent_hours {self.silent_hours}: between 0 and a year")
        if not 1 <= self.history_days <= 366 or not 1 <= self.anomaly_days <= 366:
            raise ValueError("history_days and anomaly_days: 1 to 366")
        if not 0 <= self.anomaly_count <= 10_000:
            raise ValueError("anomaly_count: 0 to 10,000")


@dataclass(frozen=True)
class Threshold:
    """The completeness a day must reach, with the reference row it comes from."""

    value: float
    table: str
    parameter: str
    source_id: str
    source: str
    status: str
    note: str | None


@dataclass
class MeterStatus:
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
    value_today: float
    value_last_week: float
    energy_tce_today: float | None
    energy_tce_last_week: float | None
    co2_t_today: float | None
    co2_t_last_week: float | None
    energy_change: float | None


@dataclass
class EnterpriseStatus:
    enterprise_id: str
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


@dataclass
class Anomaly:
    meter_id: str
    enterprise_id: str
    ts: str  # China Standard Time, ISO 8601 with +08:00
    value: float
    usual: float
    score: float
    reason: str


@dataclass
class Status:
    """The view as of `now`: per meter, per enterprise, the anomalies (every one, the largest
    first; `only` keeps the `anomaly_count` largest of some enterprises), the totals."""

    now: datetime
    today: date
    yesterday: date
    history_start: date
    options: StatusOptions
    threshold: Threshold
    meters: list[MeterStatus] = field(default_factory=list)
    enterprises: list[EnterpriseStatus] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def totals(self) -> dict[str, Any]:
        """The summary over the enterprises: how many, meters, silent meters, completeness
        yesterday (received over expected) and enterprises below the threshold, energy and
        CO2 today against last week."""
        expected = sum(e.expected_yesterday for e in self.enterprises)
        received = sum(e.received_yesterday for e in self.enterprises)
        today = sum(e.energy_tce_today for e in self.enterprises)
        before = sum(e.energy_tce_last_week for e in self.enterprises)
        return {
            "enterprises": len(self.enterprises),
            "meters": sum(e.meters for e in self.enterprises),
            "silent_meters": sum(e.silent_meters for e in self.enterprises),
            "expected_yesterday": expected,
            "received_yesterday": received,
            "completeness_yesterday": _ratio(received, expected),
            # an enterprise that was not yet monitored yesterday (nothing expected) is not below
            "enterprises_below": sum(
                1 for e in self.enterprises if e.expected_yesterday and not e.passes_yesterday
            ),
            "energy_tce_today": today,
            "energy_tce_last_week": before,
            "co2_t_today": sum(e.co2_t_today for e in self.enterprises),
            "co2_t_last_week": sum(e.co2_t_last_week for e in self.enterprises),
            "energy_change": _change(today, before),
        }

    def only(self, enterprise_ids: set[str]) -> Status:
        """The same view restricted to some enterprises (what a caller may see), with the
        `anomaly_count` largest anomalies of theirs."""
        return Status(
            self.now,
            self.today,
            self.yesterday,
            self.history_start,
            self.options,
            self.threshold,
            [m for m in self.meters if m.enterprise_id in enterprise_ids],
            [e for e in self.enterprises if e.enterprise_id in enterprise_ids],
            [a for a in self.anomalies if a.enterprise_id in enterprise_ids][
                : self.options.anomaly_count
            ],
            self.warnings,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def threshold_of(reference: Reference) -> Threshold:
    """`completeness_min` of `monitoring_parameters` with its source and status."""
    found = reference.lookup("monitoring_parameters", parameter="completeness_min")
    p = found.provenance
    return Threshold(
        float(found.value), p.table, "completeness_min", p.source_id, p.source, p.status, p.note
    )


def latest_time(meters: pd.DataFrame) -> datetime:
    """The lake's latest reading (UTC), from the meter registry's `last_epoch`."""
    return EPOCH + timedelta(seconds=int(meters["last_epoch"].max()))


def cst_day(instant: datetime) -> date:
    """The China Standard Time day of a UTC instant."""
    return (_utc(instant) + timedelta(seconds=CST_OFFSET_SECONDS)).date()


def _utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def _epoch(instant: datetime) -> int:
    return int((_utc(instant) - EPOCH).total_seconds())


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 6) if whole else None


def _change(today: float | None, before: float | None) -> float | None:
    if today is None or not before:
        return None
    return round((today - before) / before, 6)


def status(
    engine: Engine,
    readings: Any,
    meters: pd.DataFrame,
    reference: Reference,
    now: datetime,
    options: StatusOptions | None = None,
    enterprises: pd.DataFrame | None = None,
) -> Status:
    """The monitoring status of the `meters` (the lake's registry,
    `carbonpeak.io.lake.read_meters`) from `readings` (a DataFrame of the engine with the
    lake's columns) as of `now`; `enterprises` (`enterprise_id`, `region_code`) gives the
    grid factor of each enterprise's province, as in the roll-up."""
    options = options or StatusOptions()
    now = _utc(now)
    now_s = _epoch(now)
    today = cst_day(now)
    yesterday = today - timedelta(days=1)
    history_start = yesterday - timedelta(days=options.history_days - 1)
    threshold = threshold_of(reference)
    rules = QualityRules.of(reference)
    result = Status(now, today, yesterday, history_start, options, threshold)
    if threshold.status != "verified":
        result.warnings.append(
            warn(
                "monitoring.status.threshold_unverified",
                parameter=threshold.parameter,
                source=threshold.source,
            ).as_dict()
        )
    watched = meters[meters["first_epoch"] <= now_s].copy()
    if watched.empty:
        return result
    F = engine.F
    low = _epoch(utc_bounds(history_start, history_start)[0])
    today_s = _epoch(utc_bounds(today, today)[0])
    yesterday_s = today_s - DAY
    week = 7 * DAY
    stamp = engine.epoch(F.col("ts"))
    ids = watched["meter_id"].tolist()
    recent = readings.filter((stamp >= F.lit(low)) & (stamp <= F.lit(now_s)))
    if len(ids) < len(meters):
        recent = recent.filter(F.col("meter_id").isin(ids))
    # one row per meter and timestamp received. The counted rows are that already: the lake
    # keeps a repeat of a stored timestamp as a row not counted, and a file's repeats as one
    # row (`copies`). Of the rows not counted (repeats, a counter's late readings), a
    # timestamp no counted row has is received too, once. (Counting distinct timestamps over
    # all rows gives the same and is several times slower.)
    counted = recent.filter(F.col("counted")).select(
        "meter_id", stamp.alias("t"), F.col("value").alias("v")
    )
    late = recent.filter(~F.col("counted")).select("meter_id", stamp.alias("t")).distinct()
    seen = counted.select("meter_id", "t").join(late, on=["meter_id", "t"], how="left_semi")
    extra = late.join(seen, on=["meter_id", "t"], how="left_anti").select(
        "meter_id", "t", F.lit(None).cast("double").alias("v")
    )
    stamps = counted.union(extra)
    t, v = F.col("t"), F.col("v")

    def count(condition: Any) -> Any:
        return F.sum(F.when(condition, 1).otherwise(0))

    def total(condition: Any) -> Any:
        return F.sum(F.when(condition & v.isNotNull(), v).otherwise(F.lit(0.0)))

    per_meter = stamps.groupBy("meter_id").agg(
        count((t >= F.lit(yesterday_s)) & (t < F.lit(today_s))).alias("received_yesterday"),
        count(t < F.lit(today_s)).alias("received_history"),
        count(t > F.lit(now_s - DAY)).alias("received_24h"),
        F.max("t").alias("last"),
        total(t >= F.lit(today_s)).alias("value_today"),
        total((t >= F.lit(today_s - week)) & (t <= F.lit(now_s - week))).alias("value_last_week"),
    )
    found = {row["meter_id"]: row for row in per_meter.collect()}
    last = _last_readings(engine, readings, watched, found, now_s)
    years = sorted({today.year, (today - timedelta(days=7)).year})
    factors = carrier_factors(
        watched[["meter_id", "enterprise_id", "carrier", "unit"]], years, reference, enterprises
    )
    result.warnings.extend(factors.warnings)
    rates = {
        (m, int(y)): (tce, co2)
        for m, y, tce, co2 in factors.table[
            ["meter_id", "year", "tce_per_unit", "co2_t_per_unit"]
        ].itertuples(index=False)
    }
    spans = _Spans(now_s, today_s, yesterday_s, low, options.silent_hours)
    week_year = (today - timedelta(days=7)).year
    for meter in watched.itertuples(index=False):
        meter_id = str(meter.meter_id)
        one = _meter(meter, found.get(meter_id), last.get(meter_id))
        spans.expect(
            one,
            int(float(str(meter.first_epoch))),  # a float when a registered meter has none
            (rates.get((one.meter_id, today.year)), rates.get((one.meter_id, week_year))),
        )
        result.meters.append(one)
    result.meters.sort(key=lambda m: (m.enterprise_id, m.meter_id))
    flagged = _anomalies(engine, readings, watched, rules, now_s, today, options)
    owner = dict(zip(watched["meter_id"], watched["enterprise_id"], strict=True))
    counts: dict[str, int] = {}
    for item in flagged:
        counts[owner[item["meter_id"]]] = counts.get(owner[item["meter_id"]], 0) + 1
    flagged.sort(key=lambda a: (-abs(float(a["score"])), str(a["meter_id"]), str(a["ts"])))
    result.anomalies = [
        Anomaly(
            a["meter_id"],
            owner[a["meter_id"]],
            a["ts"],
            a["value"],
            a["usual"],
            a["score"],
            a["reason"],
        )
        for a in flagged
    ]
    result.enterprises = _enterprises(result.meters, counts, threshold.value)
    return result


@dataclass
class _Spans:
    """The instants (UTC epoch seconds) the expected counts are measured between."""

    now: int
    today: int
    yesterday: int
    history: int  # where the history's first day begins
    silent_hours: float

    def expect(
        self,
        meter: MeterStatus,
        first: int,
        rates: tuple[tuple[float, float] | None, tuple[float, float] | None],
    ) -> None:
        """Fill the expected counts (from the start of the meter's first day), the ratios,
        the silence, and the tce and CO2 of its values (`rates`: of today's year and of last
        week's)."""
        step = meter.interval_minutes * 60
        first_day = (first + CST_OFFSET_SECONDS) // DAY * DAY - CST_OFFSET_SECONDS
        per_day = DAY // step

        def days(start: int, end: int) -> int:
            return max(0, end - max(start, first_day)) // DAY

        meter.expected_yesterday = days(self.yesterday, self.today) * per_day
        meter.expected_history = days(self.history, self.today) * per_day
        if first_day > self.now - DAY:  # its times from the start of its first day, both ends in
            meter.expected_24h = max(0, (self.now - first_day) // step + 1)
        else:  # the times of the last 24 hours, (now - 24 h, now]
            meter.expected_24h = DAY // step
        meter.completeness_yesterday = _ratio(meter.received_yesterday, meter.expected_yesterday)
        meter.completeness_history = _ratio(meter.received_history, meter.expected_history)
        meter.upload_rate = _ratio(meter.received_24h, meter.expected_24h)
        if meter.last_reading is not None:
            since = self.now - _epoch(meter.last_reading)
            meter.hours_since_last = round(since / 3600, 4)
            meter.silent = since > self.silent_hours * 3600
        now_rates, week_rates = rates
        meter.energy_tce_today = _times(meter.value_today, now_rates, 0)
        meter.co2_t_today = _times(meter.value_today, now_rates, 1)
        meter.energy_tce_last_week = _times(meter.value_last_week, week_rates, 0)
        meter.co2_t_last_week = _times(meter.value_last_week, week_rates, 1)
        meter.energy_change = _change(meter.energy_tce_today, meter.energy_tce_last_week)


def _times(value: float, rates: tuple[float, float] | None, which: int) -> float | None:
    if rates is None or pd.isna(rates[which]):
        return None
    return round(value * float(rates[which]), 9)


def _meter(meter: Any, row: Any, last: int | None) -> MeterStatus:
    """A meter's received counts and values (the expected ones are filled by `_Spans`)."""

    def got(name: str) -> Any:
        return row[name] if row is not None and row[name] is not None else 0

    last_reading = EPOCH + timedelta(seconds=last) if last is not None else None
    return MeterStatus(
        meter_id=str(meter.meter_id),
        enterprise_id=str(meter.enterprise_id),
        carrier=str(meter.carrier),
        unit=str(meter.unit),
        interval_minutes=int(meter.interval_minutes),
        expected_yesterday=0,
        received_yesterday=int(got("received_yesterday")),
        completeness_yesterday=None,
        expected_history=0,
        received_history=int(got("received_history")),
        completeness_history=None,
        expected_24h=0,
        received_24h=int(got("received_24h")),
        upload_rate=None,
        last_reading=last_reading,
        hours_since_last=None,
        silent=True,
        value_today=round(float(got("value_today")), 9),
        value_last_week=round(float(got("value_last_week")), 9),
        energy_tce_today=None,
        energy_tce_last_week=None,
        co2_t_today=None,
        co2_t_last_week=None,
        energy_change=None,
    )


def _last_readings(
    engine: Engine, readings: Any, meters: pd.DataFrame, found: dict[str, Any], now_s: int
) -> dict[str, int]:
    """Each meter's last reading at or before `now` (UTC epoch seconds): the registry's
    `last_epoch` when that is not after `now`, else the latest within the history (found),
    else one look over the meter's whole readings."""
    last: dict[str, int] = {}
    wanted = []
    for meter, latest in zip(meters["meter_id"], meters["last_epoch"], strict=True):
        if int(latest) <= now_s:
            last[meter] = int(latest)
        elif meter in found and found[meter]["last"] is not None:
            last[meter] = int(found[meter]["last"])
        else:
            wanted.append(meter)
    if wanted:
        F = engine.F
        stamp = engine.epoch(F.col("ts"))
        older = (
            readings.filter(F.col("meter_id").isin(wanted) & (stamp <= F.lit(now_s)))
            .groupBy("meter_id")
            .agg(F.max(stamp).alias("last"))
        )
        for row in older.collect():
            if row["last"] is not None:
                last[row["meter_id"]] = int(row["last"])
    return last


def _anomalies(
    engine: Engine,
    readings: Any,
    meters: pd.DataFrame,
    rules: QualityRules,
    now_s: int,
    today: date,
    options: StatusOptions,
) -> list[dict[str, Any]]:
    if options.anomaly_count == 0:
        return []
    F = engine.F
    upto = readings.filter(engine.epoch(F.col("ts")) <= F.lit(now_s))
    start = today - timedelta(days=options.anomaly_days - 1)
    return anomalies(engine, upto, meters, rules, level="reading", start=start, end=today)


def _enterprises(
    meters: list[MeterStatus], anomaly_counts: dict[str, int], completeness_min: float
) -> list[EnterpriseStatus]:
    grouped: dict[str, list[MeterStatus]] = {}
    for meter in meters:
        grouped.setdefault(meter.enterprise_id, []).append(meter)
    out = []
    for enterprise_id, own in sorted(grouped.items()):
        expected = sum(m.expected_yesterday for m in own)
        received = sum(m.received_yesterday for m in own)
        completeness = _ratio(received, expected)
        lasts = [m.last_reading for m in own if m.last_reading is not None]
        hours = [m.hours_since_last for m in own if m.hours_since_last is not None]
        today = sum(m.energy_tce_today or 0.0 for m in own)
        before = sum(m.energy_tce_last_week or 0.0 for m in own)
        expected_24h = sum(m.expected_24h for m in own)
        received_24h = sum(m.received_24h for m in own)
        out.append(
            EnterpriseStatus(
                enterprise_id=enterprise_id,
                meters=len(own),
                silent_meters=sum(1 for m in own if m.silent),
                expected_yesterday=expected,
                received_yesterday=received,
                completeness_yesterday=completeness,
                passes_yesterday=completeness is not None and completeness >= completeness_min,
                expected_history=sum(m.expected_history for m in own),
                received_history=sum(m.received_history for m in own),
                completeness_history=_ratio(
                    sum(m.received_history for m in own), sum(m.expected_history for m in own)
                ),
                received_24h=received_24h,
                expected_24h=expected_24h,
                upload_rate=_ratio(received_24h, expected_24h),
                last_reading=max(lasts) if lasts else None,
                hours_since_last=min(hours) if hours else None,
                energy_tce_today=round(today, 9),
                energy_tce_last_week=round(before, 9),
                co2_t_today=round(sum(m.co2_t_today or 0.0 for m in own), 9),
                co2_t_last_week=round(sum(m.co2_t_last_week or 0.0 for m in own), 9),
                energy_change=_change(today, before),
                anomalies=anomaly_counts.get(enterprise_id, 0),
            )
        )
    return out
