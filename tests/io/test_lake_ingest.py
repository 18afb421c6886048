"""The lake's SQL ingest against the pandas reference (`monitoring.readings.to_intervals`), its
inputs (CSV, gzip'd CSV, Parquet, Excel give the same lake) and its placed problems."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak.engine.session import Engine
from carbonpeak.errors import InputError
from carbonpeak.io.lake import read_meters
from carbonpeak.io.lake_ingest import PROBLEM_LIMIT, ingest
from carbonpeak.monitoring.readings import check_meters, check_readings, to_intervals
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
CEMENT = "911302007A3K9C2D24"
METERS = pd.DataFrame(
    {
        "meter_id": ["e1", "g1", "g2"],
        "enterprise_id": [CEMENT] * 3,
        "carrier": ["electricity", "natural_gas", "natural_gas"],
        "unit": ["kWh", "Nm3", "Nm3"],
        "kind": ["interval", "cumulative", "cumulative"],
        "interval_minutes": ["15", "15", "60"],
    }
)
START = pd.Timestamp("2024-03-31T20:00:00+08:00")


def _lake_rows(lake: Path) -> pd.DataFrame:
    files = sorted((lake / "readings").rglob("part-*.parquet"))
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    return frame.sort_values(["meter_id", "ts", "counted"]).reset_index(drop=True)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


readings_rows = st.lists(
    st.tuples(
        st.sampled_from(["e1", "g1", "g2"]),
        st.integers(min_value=0, max_value=40),  # quarter hours from START: a month boundary
        st.one_of(
            st.none(),
            st.sampled_from([0.0, 5.0, 95.0, 99.5, 100.0, 950.0, 999.0, 1000.0]),
            st.floats(min_value=0, max_value=2000, allow_nan=False).map(lambda x: round(x, 3)),
        ),
    ),
    min_size=1,
    max_size=60,
)


def _time(moment: pd.Timestamp, style: str) -> str:
    """`offset`: ISO 8601 with +08:00; `utc`: with Z; `cst`: no offset (China Standard Time),
    a midnight as the date alone."""
    if style == "utc":
        return moment.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "cst":
        return moment.strftime(
            "%Y-%m-%d" if moment.hour == moment.minute == 0 else "%Y-%m-%d %H:%M"
        )
    return moment.isoformat()


def _frame(rows: list[tuple[str, int, float | None]], style: str = "offset") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "meter_id": [m for m, _q, _v in rows],
            "ts": [_time(START + pd.Timedelta(minutes=15 * q), style) for _m, q, _v in rows],
            "value": ["" if v is None else repr(v) for _m, _q, v in rows],
        }
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=readings_rows, style=st.sampled_from(["offset", "utc", "cst"]))
def test_one_file_into_an_empty_lake_is_the_pandas_reference(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, int, float | None]],
    style: str,
) -> None:
    """Repeated times (the first kept, `copies` counted), rows out of order, blank readings,
    counters that fall (a reset, or a rollover near a power of ten), the months' boundary and
    times with an offset, in UTC, or without one (China Standard Time; a midnight as a date
    alone): the lake holds what the reference computes."""
    folder = tmp_path_factory.mktemp("one")
    readings = _frame(rows, style)
    path = _write(readings, folder / "readings.csv")
    ingest(path, METERS, folder / "lake", REFERENCE)
    meters, _ = check_meters(METERS, REFERENCE)
    tidy, problems = check_readings(readings, meters)
    assert problems == []
    expected = to_intervals(tidy, meters).sort_values(["meter_id", "ts"]).reset_index(drop=True)
    if expected.empty:
        assert not (folder / "lake" / "readings").exists() or _no_rows(folder / "lake")
        return
    stored = _lake_rows(folder / "lake")
    assert stored["counted"].all()
    assert stored["meter_id"].tolist() == expected["meter_id"].tolist()
    assert stored["ts"].tolist() == expected["ts"].tolist()
    assert np.allclose(stored["value"], expected["value"], equal_nan=True)
    assert np.allclose(stored["counter"], expected["counter"], equal_nan=True)
    assert stored["copies"].tolist() == expected["copies"].tolist()


def _no_rows(lake: Path) -> bool:
    return all(len(pd.read_parquet(f)) == 0 for f in (lake / "readings").rglob("*.parquet"))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.floats(min_value=0, max_value=50).map(lambda x: round(x, 2)), min_size=4, max_size=30
    ),
    cut=st.integers(min_value=1, max_value=29),
)
def test_a_file_cut_in_two_by_time_stores_what_the_whole_file_stores(
    tmp_path_factory: pytest.TempPathFactory, steps: list[float], cut: int
) -> None:
    """A counter continues from the lake's latest reading: the later half's first reading
    gives an interval, so the two halves count exactly the whole file's energy; the whole
    file sent again after them adds repeats only."""
    folder = tmp_path_factory.mktemp("cut")
    counters = np.cumsum([100.0, *steps])
    rows = [("g1", q, float(v)) for q, v in enumerate(counters)]
    rows += [("e1", q, float(s)) for q, s in enumerate(steps)]
    whole = _frame(rows)
    cut = min(cut, len(steps))
    first = whole[whole["ts"] < (START + pd.Timedelta(minutes=15 * cut)).isoformat()]
    second = whole.drop(first.index)
    ingest(_write(whole, folder / "whole.csv"), METERS, folder / "one", REFERENCE)
    ingest(_write(first, folder / "first.csv"), METERS, folder / "two", REFERENCE)
    ingest(_write(second, folder / "second.csv"), METERS, folder / "two", REFERENCE)
    one, two = _lake_rows(folder / "one"), _lake_rows(folder / "two")
    assert one[["meter_id", "ts"]].equals(two[["meter_id", "ts"]])
    assert np.allclose(one["value"], two["value"])
    written = ingest(
        _write(whole.iloc[::-1], folder / "again.csv"), METERS, folder / "two", REFERENCE
    )
    assert written["readings"] == 0 and written["repeats"] == len(one)
    again = _lake_rows(folder / "two")
    counted = again[again["counted"]]
    assert np.isclose(counted["value"].sum(), one["value"].sum())


def test_csv_gzip_parquet_and_excel_give_the_same_lake(tmp_path: Path) -> None:
    readings = _frame(
        [("e1", q, float(q)) for q in range(8)] + [("g1", q, 10.0 + q) for q in range(8)]
    )
    csv_path = _write(readings, tmp_path / "r.csv")
    gz_path = tmp_path / "r.csv.gz"
    gz_path.write_bytes(gzip.compress(csv_path.read_bytes()))
    parquet_path = tmp_path / "r.parquet"
    readings.assign(value=pd.to_numeric(readings["value"])).to_parquet(parquet_path)
    excel_path = tmp_path / "r.xlsx"
    readings.to_excel(excel_path, sheet_name="readings", index=False)
    lakes = []
    for number, path in enumerate([csv_path, gz_path, parquet_path, excel_path]):
        written = ingest(path, METERS, tmp_path / f"lake{number}", REFERENCE)
        assert written == {"readings": 15, "repeats": 0, "parts": 1, "new_parts": 1, "committed": 1}
        lakes.append(_lake_rows(tmp_path / f"lake{number}"))
    for lake in lakes[1:]:
        pd.testing.assert_frame_equal(lake, lakes[0])
    registry = read_meters(tmp_path / "lake0")
    assert registry.set_index("meter_id")["readings"].to_dict() == {"e1": 8, "g1": 8}


def test_problems_are_placed_by_line_past_empty_lines_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    text = (
        "meter_id,ts,value\r\n"
        "e1,2024-04-01T00:00:00,1\r\n"
        "\r\n"
        "x9,2024-04-01T00:15:00,2\r\n"
        "e1,12:00,3\r\n"
        "\r\n\r\n"
        "e1,2024-04-01T00:45:00,abc\r\n"
        "e1,2300-01-01T00:00:00,1\r\n"
        "e1,2024-04-01T01:00:00,inf\r\n"
        "e1,2024-04-01T01:15:00,1e16\r\n"
    )
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        ingest(path, METERS, tmp_path / "lake", REFERENCE)
    found = [(p.place.row, p.place.column, p.message) for p in caught.value.problems]
    assert found == [
        (4, "meter_id", "unknown meter 'x9'"),
        (5, "ts", "'12:00' is not an ISO 8601 time"),
        (8, "value", "'abc' is not a number"),
        (9, "ts", "'2300-01-01T00:00:00' is not between 1970-01-01 and 2199-12-31 (UTC)"),
        (10, "value", "'inf' is not a finite number"),
        (11, "value", "'1e16' is beyond any meter's reading (at most 1e+15 in magnitude)"),
    ]
    assert all(p.place.file == str(path) for p in caught.value.problems)
    assert not list((tmp_path / "lake").rglob("*.parquet"))


def test_a_file_of_problems_lists_the_first_ones_and_counts_the_rest(tmp_path: Path) -> None:
    rows = PROBLEM_LIMIT + 5
    bad = pd.DataFrame({"meter_id": ["e1"] * rows, "ts": ["x"] * rows, "value": ["1"] * rows})
    with pytest.raises(InputError) as caught:
        ingest(_write(bad, tmp_path / "bad.csv"), METERS, tmp_path / "lake", REFERENCE)
    problems = caught.value.problems
    assert len(problems) == PROBLEM_LIMIT + 1
    assert problems[-1].message == "5 more problems are not listed"


def test_a_reading_naming_another_enterprise_is_refused(tmp_path: Path) -> None:
    readings = _frame([("e1", 0, 1.0)]).assign(enterprise_id="91110108551385082Q")
    with pytest.raises(InputError) as caught:
        ingest(_write(readings, tmp_path / "r.csv"), METERS, tmp_path / "lake", REFERENCE)
    (problem,) = caught.value.problems
    assert (problem.place.row, problem.place.column) == (2, "enterprise_id")
    assert CEMENT in problem.message


def test_the_same_ingest_on_spark_writes_the_same_lake(
    tmp_path: Path, spark_engine: Engine
) -> None:
    """The national backfill's engine: the same SQL on Spark gives the same rows, repeats and
    counters continued across files, and places the same problems."""
    first = _frame(
        [("e1", 0, 1.0), ("e1", 0, 9.0), ("g1", 0, 990.0), ("g1", 1, 995.0), ("e1", 4, None)]
        + [("g1", 2, 999.5)]
        + [("g2", q, 10.0 * q) for q in range(0, 12, 4)]
    )
    second = _frame([("g1", 3, 3.0), ("g1", 2, 999.5), ("e1", 0, 1.0), ("e1", 5, 2.0)])
    lakes = {}
    for name, engine in (("duckdb", None), ("spark", spark_engine)):
        lake = tmp_path / name
        for number, frame in enumerate((first, second)):
            path = _write(frame, tmp_path / f"{name}-{number}.csv")
            ingest(path, METERS, lake, REFERENCE, engine=engine)
        lakes[name] = _lake_rows(lake)
        registry = read_meters(lake).sort_values("meter_id").reset_index(drop=True)
        lakes[name + "-registry"] = registry
    columns = ["meter_id", "ts", "value", "counter", "copies", "counted", "interval_minutes"]
    pd.testing.assert_frame_equal(
        lakes["spark"][columns], lakes["duckdb"][columns], check_dtype=False
    )
    pd.testing.assert_frame_equal(
        lakes["spark-registry"], lakes["duckdb-registry"], check_dtype=False
    )
    g1 = lakes["duckdb"][lakes["duckdb"]["meter_id"] == "g1"]
    # 990 -> 995 -> 999.5, then a rollover at 1000 to 3.0 (3.5), and 999.5 sent again late:
    # kept, its interval from the stored 995 before it, not counted
    assert g1["value"].round(6).tolist() == [5.0, 4.5, 4.5, 3.5]
    assert g1["counted"].tolist() == [True, False, True, True]
    e1 = lakes["duckdb"][lakes["duckdb"]["meter_id"] == "e1"]
    assert e1["copies"].tolist() == [1, 2, 1, 1]  # sent again: a repeat; 1.0 kept of two
    assert e1["counted"].tolist() == [False, True, True, True]
    bad = tmp_path / "bad.csv"
    bad.write_text("meter_id,ts,value\n\ne1,12:00,1\nx1,2024-04-01T00:00,y\n", encoding="utf-8")
    found = {}
    for name, engine in (("duckdb", None), ("spark", spark_engine)):
        with pytest.raises(InputError) as caught:
            ingest(bad, METERS, tmp_path / f"{name}-bad", REFERENCE, engine=engine)
        found[name] = [(p.place.row, p.place.column, p.message) for p in caught.value.problems]
    assert (
        found["spark"]
        == found["duckdb"]
        == [
            (3, "ts", "'12:00' is not an ISO 8601 time"),
            (4, "meter_id", "unknown meter 'x1'"),
            (4, "value", "'y' is not a number"),
        ]
    )


def test_many_landed_parquet_files_are_read_in_one_scan_and_placed_by_file(
    tmp_path: Path,
) -> None:
    """A flush hands over hundreds of small landed files: one commit, each problem placed in
    its own file and row (a table per file once ran DuckDB out of memory)."""
    files = []
    for number in range(300):
        frame = _frame([("e1", number, float(number))])
        path = tmp_path / f"batch{number}.parquet"
        frame.assign(value=pd.to_numeric(frame["value"])).to_parquet(path)
        files.append(path)
    written = ingest(files, METERS, tmp_path / "lake", REFERENCE)
    assert written["readings"] == 300
    assert _lake_rows(tmp_path / "lake")["value"].sum() == sum(range(300))
    broken = tmp_path / "broken.parquet"
    _frame([("e1", 0, 1.0), ("x1", 1, 2.0)]).to_parquet(broken)
    lacking = tmp_path / "lacking.parquet"
    _frame([("e1", 2, 1.0)]).drop(columns="value").to_parquet(lacking)
    with pytest.raises(InputError) as caught:
        ingest([files[0], lacking, broken], METERS, tmp_path / "other", REFERENCE)
    assert [(p.place.file, p.place.column) for p in caught.value.problems] == [
        (str(lacking), "value")
    ]
    with pytest.raises(InputError) as caught:
        ingest([files[0], broken], METERS, tmp_path / "other", REFERENCE)
    assert [(p.place.file, p.place.row, p.place.column) for p in caught.value.problems] == [
        (str(broken), 2, "meter_id")
    ]
