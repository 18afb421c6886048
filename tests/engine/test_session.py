"""The same DataFrame code on DuckDB (SQLFrame) and on Spark `local[2]` gives the same rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from carbonpeak.engine.session import Engine, open_engine
from carbonpeak.errors import CarbonpeakError


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2024, 1, day, hour, minute, tzinfo=UTC)


READINGS = [
    ("m1", at(15, 45), 1.5),  # 23:45 in China: still 1 January
    ("m1", at(16, 0), 2.0),  # 00:00 in China: 2 January, though 1 January in UTC
    ("m1", at(16, 0), 2.0),  # a duplicate
    ("m2", at(3, 0), None),  # no value
    ("m2", at(4, 0), 0.0),  # an idle hour
]


def _daily(engine: Engine) -> list[tuple[Any, ...]]:
    F = engine.F
    frame = engine.frame(READINGS, ["meter_id", "ts", "value"])
    daily = frame.groupBy("meter_id", engine.cst_day(F.col("ts")).alias("day")).agg(
        F.sum("value").alias("total"),
        F.count("value").alias("values"),
        F.count(F.lit(1)).alias("readings"),
    )
    shares = daily.select(
        "meter_id",
        "day",
        "total",
        engine.safe_divide(F.col("total"), F.col("values")).alias("mean"),
        engine.safe_divide(F.col("values"), F.col("total")).alias("per_unit"),
    )
    return sorted(
        tuple(round(v, 9) if isinstance(v, float) else v for v in row)
        for row in shares.orderBy("meter_id", "day").collect()
    )


def test_the_same_code_gives_the_same_rows_on_both_engines(frames: Engine) -> None:
    assert _daily(frames) == [
        ("m1", date(2024, 1, 1), 1.5, 1.5, round(1 / 1.5, 9)),
        ("m1", date(2024, 1, 2), 4.0, 2.0, 0.5),
        ("m2", date(2024, 1, 1), 0.0, 0.0, None),  # 0 / 0: NULL, not an error or NaN
    ]


def test_engine_is_chosen_by_argument_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARBONPEAK_ENGINE", "duckdb")
    assert open_engine().name == "duckdb"
    with pytest.raises(CarbonpeakError, match="choose one of duckdb, spark"):
        open_engine("flink")
