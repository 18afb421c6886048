"""Anomalies against a meter's own profile: readings far from the meter's usual value at that
hour of the China Standard Time day, and days whose total is far from the meter's usual total
for that day of the week.

The usual value is the median of the group (meter and hour, or meter and weekday) over the
window; the score is (value - median) / spread, the spread being 1.4826 x the median absolute
deviation (at least `spike_scale_floor` x |median|), and a reading or day whose |score|
exceeds the threshold (`spike_mad_multiple` of `monitoring_parameters`, unless given) is
flagged with its reason. A group whose spread is zero (an idle meter always at 0) flags
nothing. Days far from an energy model's prediction are in `enpi.residual_anomalies`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd

from carbonpeak.engine.session import CST_OFFSET_SECONDS, Engine
from carbonpeak.monitoring.quality import MAD_TO_SD, QualityRules, in_window, span_days

LEVELS = ("reading", "day")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def anomalies(
    engine: Engine,
    readings: Any,
    meters: pd.DataFrame,
    rules: QualityRules,
    level: str = "reading",
    start: date | None = None,
    end: date | None = None,
    threshold: float | None = None,
) -> list[dict[str, Any]]:
    """The anomalies of the counted readings (or their daily totals) of the window, by meter
    and time."""
    if level not in LEVELS:
        raise ValueError(f"level {level!r}: one of {', '.join(LEVELS)}")
    F, W = engine.F, engine.Window
    if start is None or end is None:
        first, last = span_days(meters)
        start, end = start or first, end or last
    limit = rules.spike_mad_multiple if threshold is None else threshold
    local = engine.epoch(F.col("ts")) + F.lit(CST_OFFSET_SECONDS)
    counted = in_window(engine, readings, start, end).filter(
        F.col("counted") & F.col("value").isNotNull()
    )
    if level == "reading":
        items = counted.select(
            "meter_id",
            local.alias("at"),
            F.floor((local % F.lit(86400)) / F.lit(3600)).cast("int").alias("slot"),
            "value",
        )
    else:
        day = F.floor(local / F.lit(86400)).cast("long")
        items = (
            counted.groupBy("meter_id", day.alias("n"))
            .agg(F.sum("value").alias("value"))
            .select(
                "meter_id",
                (F.col("n") * F.lit(86400)).alias("at"),
                ((F.col("n") + F.lit(3)) % F.lit(7)).cast("int").alias("slot"),  # 0 = Monday
                "value",
            )
        )
    group = W.partitionBy("meter_id", "slot")
    centred = items.select(
        "meter_id", "at", "slot", "value", F.median("value").over(group).alias("usual")
    )
    scored = centred.select(
        "meter_id",
        "at",
        "slot",
        "value",
        "usual",
        F.median(F.abs(F.col("value") - F.col("usual"))).over(group).alias("mad"),
    )
    spread = F.greatest(
        F.col("mad") * F.lit(MAD_TO_SD), F.abs(F.col("usual")) * F.lit(rules.spike_scale_floor)
    )
    flagged = scored.select(
        "meter_id",
        "at",
        "slot",
        "value",
        "usual",
        engine.safe_divide(F.col("value") - F.col("usual"), spread).alias("score"),
    ).filter(F.abs(F.col("score")) > F.lit(limit))
    out = []
    for row in flagged.collect():
        local_time = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(row["at"]))
        stamp = local_time.replace(tzinfo=None).isoformat() + "+08:00"
        score = float(row["score"])
        side = "above" if score > 0 else "below"
        if level == "reading":
            where = f"at {int(row['slot']):02d}:00"
        else:
            where = f"on a {WEEKDAYS[int(row['slot'])]}"
            stamp = stamp[:10]
        out.append(
            {
                "meter_id": row["meter_id"],
                "ts" if level == "reading" else "day": stamp,
                "value": round(float(row["value"]), 6),
                "usual": round(float(row["usual"]), 6),
                "score": round(score, 3),
                "reason": (
                    f"{side} the meter's usual {'value' if level == 'reading' else 'total'} "
                    f"{where} ({float(row['usual']):.6g}) by {abs(score):.1f} spreads "
                    f"(limit {limit:g})"
                ),
            }
        )
    key = "ts" if level == "reading" else "day"
    return sorted(out, key=lambda a: (str(a["meter_id"]), str(a[key])))
