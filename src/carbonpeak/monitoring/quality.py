"""Data quality of metered readings, after the rules of the national online monitoring of key
energy-using units (`reference/data/monitoring_parameters.csv` holds the thresholds and their
sources).

Over a window of China Standard Time days, per meter:

- `expected`: the days of the window x 1440 / the meter's interval in minutes;
- `received`: distinct timestamps with a reading (a repeat of a timestamp counts once);
- `completeness` = received / expected; a meter-day passes when its own completeness reaches
  `completeness_min` (90 %), and `days_complete` counts the days that pass;
- `duplicates`: readings beyond the first of a timestamp, within a file and across files;
- `gaps`: runs of missing readings: a step between consecutive readings (or from the window's
  start, or to its end) longer than one and a half intervals;
- `negatives`: counted interval values below zero;
- `spikes`: counted values above median + `spike_mad_multiple` x 1.4826 x MAD of the meter's
  positive values in the window (the Hampel identifier; the spread is at least
  `spike_scale_floor` x the median, so a constant meter does not flag every change);
- where monthly totals are reported (`meter_id, month` as YYYY-MM, `value`), the sum of that
  month's daily values must agree with them within `daily_monthly_tolerance` (5 %).

A meter `passes` when every day of the window passes, it has no negative values and its
reported months agree. Spikes are flagged for review and do not fail a meter on their own.

The analytics use only the PySpark DataFrame API subset that SQLFrame on DuckDB and Spark
both run (`carbonpeak.engine`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.engine.session import CST_OFFSET_SECONDS, Engine
from carbonpeak.errors import N_, CarbonpeakError, Place, Problem
from carbonpeak.monitoring.readings import EARLIEST, LATEST, READING_LIMIT
from carbonpeak.reference.loader import Reference

MAD_TO_SD = 1.4826  # MAD x 1.4826 estimates the standard deviation of normal data


@dataclass(frozen=True)
class QualityRules:
    completeness_min: float
    daily_monthly_tolerance: float
    spike_mad_multiple: float
    spike_scale_floor: float

    @classmethod
    def of(cls, reference: Reference) -> QualityRules:
        def value(name: str) -> float:
            return float(reference.lookup("monitoring_parameters", parameter=name).value)

        return cls(
            value("completeness_min"),
            value("daily_monthly_tolerance"),
            value("spike_mad_multiple"),
            value("spike_scale_floor"),
        )


@dataclass
class Quality:
    """Per meter (`meters`) and per reported month (`months`), as lists of plain rows."""

    start: date
    end: date
    meters: list[dict[str, Any]]
    months: list[dict[str, Any]]


MONTHLY_COLUMNS = ("meter_id", "month", "value")


def check_monthly(monthly: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Reported monthly totals (`meter_id, month` as YYYY-MM, `value`) made tidy, and every
    problem by row and column."""
    missing = [c for c in MONTHLY_COLUMNS if c not in monthly.columns]
    if missing:
        return monthly, [
            Problem.of(Place(row=1, column=c), N_("required column is missing")) for c in missing
        ]
    rows = monthly["row"].to_numpy() if "row" in monthly.columns else np.arange(2, len(monthly) + 2)
    meter = monthly["meter_id"].fillna("").astype(str).str.strip()
    month = monthly["month"].fillna("").astype(str).str.strip()
    value = pd.to_numeric(monthly["value"].fillna("").astype(str).str.strip(), errors="coerce")
    good_month = month.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")
    year = pd.to_numeric(month.str[:4].where(good_month), errors="coerce")
    outside = good_month & ((year < EARLIEST.year) | (year >= LATEST.year))
    problems = []
    extra: dict[str, tuple[object, ...]] = {
        N_("{!r} is not between {} and {} (UTC)"): (f"{EARLIEST:%Y-%m}", f"{LATEST.year - 1}-12"),
        N_("{!r} is beyond any meter's reading (at most {} in magnitude)"): (f"{READING_LIMIT:g}",),
    }
    for mask, column, template, shown in (
        (meter == "", "meter_id", N_("give the meter's id"), meter),
        (~good_month, "month", N_("{!r} is not a month (YYYY-MM)"), month),
        (outside, "month", N_("{!r} is not between {} and {} (UTC)"), month),
        (value.isna(), "value", N_("{!r} is not a number"), monthly["value"]),
        (np.isinf(value), "value", N_("{!r} is not a finite number"), monthly["value"]),
        (
            np.isfinite(value) & (value.abs() > READING_LIMIT),
            "value",
            N_("{!r} is beyond any meter's reading (at most {} in magnitude)"),
            monthly["value"],
        ),
    ):
        chosen = np.asarray(mask, dtype=bool)
        for row, text in zip(rows[chosen], shown[chosen], strict=True):
            problems.append(
                Problem.of(
                    Place(row=int(row), column=column), template, text, *extra.get(template, ())
                )
            )
    problems.sort(key=lambda p: (p.place.row or 0, MONTHLY_COLUMNS.index(p.place.column or "")))
    return pd.DataFrame({"meter_id": meter, "month": month, "value": value}), problems


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants (without zone) where China Standard Time day `start` begins and day
    `end` ends."""
    offset = timedelta(seconds=CST_OFFSET_SECONDS)
    return (
        datetime.combine(start, time()) - offset,
        datetime.combine(end + timedelta(days=1), time()) - offset,
    )


def span_days(meters: pd.DataFrame) -> tuple[date, date]:
    """The first and last China Standard Time day of the lake's meters (`first_epoch`,
    `last_epoch` of the meter registry, `carbonpeak.io.lake.read_meters`); a meter registered
    without readings yet has neither and counts for nothing here."""
    if meters.empty or meters["first_epoch"].isna().all():  # registered, no readings yet
        raise CarbonpeakError("no meters: the lake holds no readings")
    epoch = datetime(1970, 1, 1) + timedelta(seconds=CST_OFFSET_SECONDS)
    return (
        (epoch + timedelta(seconds=int(meters["first_epoch"].min()))).date(),
        (epoch + timedelta(seconds=int(meters["last_epoch"].max()))).date(),
    )


def in_window(engine: Engine, readings: Any, start: date, end: date) -> Any:
    """The readings whose China Standard Time day is in [start, end]."""
    F = engine.F
    low, high = utc_bounds(start, end)
    stamp = engine.epoch(F.col("ts"))
    return readings.filter((stamp >= F.lit(_epoch(low))) & (stamp < F.lit(_epoch(high))))


def _epoch(instant: datetime) -> int:
    return int((instant - datetime(1970, 1, 1)).total_seconds())


def quality(
    engine: Engine,
    readings: Any,
    meters: pd.DataFrame,
    rules: QualityRules,
    start: date | None = None,
    end: date | None = None,
    monthly: pd.DataFrame | None = None,
) -> Quality:
    """The quality of `readings` (a DataFrame of the engine with the lake's columns) of the
    `meters` (the lake's registry) over the China Standard Time days `start`..`end` (default:
    the days the lake covers)."""
    F = engine.F
    if start is None or end is None:
        first, last = span_days(meters)
        start, end = start or first, end or last
    if end < start:
        raise CarbonpeakError(f"the window ends ({end}) before it starts ({start})")
    days = (end - start).days + 1
    window = in_window(engine, readings, start, end).withColumn("day", engine.cst_day(F.col("ts")))
    per_day = F.lit(1440) / F.col("interval_minutes")
    counted = F.col("counted")
    daily = window.groupBy("meter_id", "interval_minutes", "day").agg(
        F.countDistinct("ts").alias("received"),
        F.sum("copies").alias("copies"),
        F.sum(F.when(counted & (F.col("value") < 0), 1).otherwise(0)).alias("negatives"),
        F.sum(F.when(counted, F.col("value"))).alias("total"),
    )
    per_meter = daily.groupBy("meter_id").agg(
        F.sum("received").alias("received"),
        F.sum("copies").alias("copies"),
        F.sum("negatives").alias("negatives"),
        F.sum(
            F.when(F.col("received") >= F.lit(rules.completeness_min) * per_day, 1).otherwise(0)
        ).alias("days_complete"),
    )
    table = per_meter.join(_gaps(engine, window, start, end), on="meter_id", how="left").join(
        _spikes(engine, window, rules), on="meter_id", how="left"
    )
    found = {row["meter_id"]: row for row in table.collect()}
    rows = []
    for meter, minutes in zip(meters["meter_id"], meters["interval_minutes"], strict=True):
        interval = int(minutes)
        expected = days * 1440 // interval
        row = found.get(meter)
        received = int(row["received"] or 0) if row else 0

        def count(name: str, row: Any = row) -> int:
            return int(row[name] or 0) if row else 0

        rows.append(
            {
                "meter_id": meter,
                "interval_minutes": interval,
                "expected": expected,
                "received": received,
                "completeness": round(received / expected, 6),
                "duplicates": count("copies") - received,
                "gaps": int(row["gaps"]) if row and row["gaps"] is not None else 1,
                "negatives": count("negatives"),
                "spikes": count("spikes"),
                "days": days,
                "days_complete": count("days_complete"),
            }
        )
    months = _months(engine, daily, monthly, rules, start, end) if monthly is not None else []
    failing_months = {m["meter_id"] for m in months if not m["passes"]}
    for row in rows:
        row["passes"] = (
            row["days_complete"] == days
            and row["negatives"] == 0
            and row["meter_id"] not in failing_months
        )
    rows.sort(key=lambda r: str(r["meter_id"]))
    return Quality(start, end, rows, months)


def _gaps(engine: Engine, window: Any, start: date, end: date) -> Any:
    """Per meter, the runs of missing readings in the window."""
    F, W = engine.F, engine.Window
    low, high = utc_bounds(start, end)
    stamp = engine.epoch(F.col("ts"))
    times = window.select("meter_id", "interval_minutes", stamp.alias("t")).distinct()
    order = W.partitionBy("meter_id").orderBy("t")
    steps = times.select(
        "meter_id",
        "interval_minutes",
        "t",
        (F.col("t") - F.lag("t").over(order)).alias("step"),
    )
    longest = F.col("interval_minutes") * F.lit(90)  # one and a half intervals, in seconds
    per_meter = steps.groupBy("meter_id").agg(
        F.sum(F.when(F.col("step") > longest, 1).otherwise(0)).alias("inner"),
        F.min("t").alias("first"),
        F.max("t").alias("last"),
        F.max("interval_minutes").alias("interval_minutes"),
    )
    edge = F.col("interval_minutes") * F.lit(90)
    lead = F.when(F.col("first") - F.lit(_epoch(low)) > edge, 1).otherwise(0)
    trail = F.when(F.lit(_epoch(high)) - F.col("last") > edge, 1).otherwise(0)
    return per_meter.select("meter_id", (F.col("inner") + lead + trail).alias("gaps"))


def _spikes(engine: Engine, window: Any, rules: QualityRules) -> Any:
    """Per meter, the counted values far above its own typical positive value."""
    F = engine.F
    positive = window.filter(F.col("counted") & (F.col("value") > 0))
    centre = positive.groupBy("meter_id").agg(F.median("value").alias("centre"))
    spread = (
        positive.join(centre, on="meter_id")
        .groupBy("meter_id")
        .agg(
            F.median(F.abs(F.col("value") - F.col("centre"))).alias("mad"),
            F.max("centre").alias("centre"),
        )
    )
    scale = F.greatest(
        F.col("mad") * F.lit(MAD_TO_SD), F.col("centre") * F.lit(rules.spike_scale_floor)
    )
    limit = spread.select(
        "meter_id", (F.col("centre") + F.lit(rules.spike_mad_multiple) * scale).alias("limit")
    )
    return (
        window.filter(F.col("counted"))
        .join(limit, on="meter_id")
        .groupBy("meter_id")
        .agg(F.sum(F.when(F.col("value") > F.col("limit"), 1).otherwise(0)).alias("spikes"))
    )


def _months(
    engine: Engine,
    daily: Any,
    monthly: pd.DataFrame,
    rules: QualityRules,
    start: date,
    end: date,
) -> list[dict[str, Any]]:
    """Reported monthly totals against the sum of the month's daily values, for the months
    wholly inside the window."""
    F = engine.F
    sums = daily.groupBy(
        "meter_id", F.year("day").alias("year"), F.month("day").alias("month")
    ).agg(F.sum("total").alias("daily_total"))
    found = {
        (r["meter_id"], f"{int(r['year']):04d}-{int(r['month']):02d}"): r["daily_total"]
        for r in sums.collect()
    }
    out = []
    for meter, month, reported in zip(
        monthly["meter_id"], monthly["month"], monthly["value"], strict=True
    ):
        first = date(int(month[:4]), int(month[5:7]), 1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        if first < start or following - timedelta(days=1) > end:
            continue
        total = found.get((meter, month))
        daily_total = float(total) if total is not None else 0.0
        if reported:
            deviation: float | None = abs(daily_total - reported) / abs(reported)
        else:
            deviation = 0.0 if daily_total == 0 else None
        out.append(
            {
                "meter_id": meter,
                "month": month,
                "reported": float(reported),
                "daily_total": round(daily_total, 6),
                "deviation": round(deviation, 6) if deviation is not None else None,
                "passes": deviation is not None and deviation <= rules.daily_monthly_tolerance,
            }
        )
    return sorted(out, key=lambda m: (str(m["meter_id"]), str(m["month"])))
