"""The lake ingest's parse of times and numbers (`io.lake_checks`): the common forms read first,
without the trim and the second pattern, give the same time and number as the full reading of
every text (the property), and the hand-worked forms read as `monitoring.readings` says."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.io.lake_checks import number_sql, time_sql
from carbonpeak.io.lake_runners import DuckDBRunner


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> DuckDBRunner:
    return DuckDBRunner(Path(tmp_path_factory.mktemp("parse")))


def _both(runner: DuckDBRunner, sql_of: object, texts: list[str | None]) -> list[tuple]:
    fast, slow = sql_of(runner, "x"), sql_of(runner, "x", fast=False)  # type: ignore[operator]
    runner.connection.execute("CREATE OR REPLACE TABLE texts (n INTEGER, x VARCHAR)")
    runner.connection.executemany("INSERT INTO texts VALUES (?, ?)", list(enumerate(texts)))
    return runner.rows(f"SELECT {fast}, {slow} FROM texts ORDER BY n")


digits = st.integers(min_value=0, max_value=99).map(lambda n: f"{n:02d}")
spaces = st.sampled_from(["", " ", "  ", "\t"])
times = st.builds(
    lambda lead, year, month, day, sep, hour, minute, second, fraction, offset, trail: (
        f"{lead}{year}-{month}-{day}{sep}{hour}:{minute}{second}{fraction}{offset}{trail}"
    ),
    spaces,
    st.sampled_from(["1969", "1970", "2024", "2199", "2200", "0001"]),
    st.sampled_from(["01", "02", "12", "13", "00", "1"]),
    st.sampled_from(["01", "29", "30", "31", "32", "1"]),
    st.sampled_from(["T", " ", "t", "TT", ""]),
    st.one_of(digits, st.sampled_from(["8", "24"])),
    digits,
    st.sampled_from(["", ":00", ":59", ":60", ":5"]),
    st.sampled_from(["", ".5", ".123456", ".123456789", ".1234567891", "."]),
    st.sampled_from(
        ["", "Z", "z", "+08:00", "+0800", "+08", "-05:30", "+14:00", "+15:00", "+08:60", " +08:00"]
    ),
    spaces,
)
dates = st.builds(lambda d, s: s + d + s, st.sampled_from(["2024-04-01", "2024-4-1"]), spaces)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.one_of(times, dates, st.none(), st.just("")), min_size=1, max_size=40))
def test_the_quick_reading_of_times_is_the_full_one(runner: DuckDBRunner, texts: list) -> None:
    for fast, slow in _both(runner, time_sql, texts):
        assert fast == slow


numbers = st.builds(
    lambda lead, body, trail: lead + body + trail,
    spaces,
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers().map(str),
        st.sampled_from(["1.", ".5", "+.5", "-0", "1e5", "1E+5", "5d", "0x10", "1_000", "inf"]),
        st.sampled_from(["-Infinity", "NaN", "nan", "1e", "e5", "--1", "1-", "", "."]),
    ),
    spaces,
)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.one_of(numbers, st.none()), min_size=1, max_size=40))
def test_the_quick_reading_of_numbers_is_the_full_one(runner: DuckDBRunner, texts: list) -> None:
    for fast, slow in _both(runner, number_sql, texts):
        assert fast == slow or (fast != fast and slow != slow)  # NaN is NaN


def test_the_common_forms_read_as_china_standard_time_or_their_offset(
    runner: DuckDBRunner,
) -> None:
    # 00:15 +08:00 is 16:15 UTC the day before; without an offset 00:15 is China Standard
    # Time too; 00:15Z is 00:15 UTC; a date alone is CST midnight, 16:00 UTC the day before
    got = _both(
        runner,
        time_sql,
        ["2024-04-01T00:15:00+08:00", "2024-04-01 00:15", "2024-04-01T00:15Z", " 2024-04-01 "],
    )
    shown = [f"{fast:%Y-%m-%d %H:%M}" for fast, _slow in got]
    assert shown == ["2024-03-31 16:15", "2024-03-31 16:15", "2024-04-01 00:15", "2024-03-31 16:00"]
    assert [fast == slow for fast, slow in got] == [True] * 4
