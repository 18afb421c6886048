"""The defects a review of the SQL ingest found, each held by a test (issue 17's review):
a blank time, a time repeated across the files of one ingest, a path that reads as a pattern or
as hive partitions, a late repeat of the lake's latest reading, fractional seconds sent again,
files DuckDB's sniffer misread, the meters' order; a backfill before a counter's single
reading, a file written while read, a reader holding a listing across a compaction, a date
alone, the two engines' verdicts, a lake path that is a pattern."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from carbonpeak.engine.session import Engine
from carbonpeak.errors import InputError
from carbonpeak.io.lake import read_meters
from carbonpeak.io.lake_ingest import ingest
from carbonpeak.reference.loader import default_reference
from tests.io.test_lake_ingest import METERS, _lake_rows

REFERENCE = default_reference()


def _csv(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("meter_id,ts,value\n" + text, encoding="utf-8")
    return path


def test_a_blank_time_is_a_placed_problem(tmp_path: Path) -> None:
    path = _csv(tmp_path / "r.csv", "g1,2024-04-01T00:00,10\ng1,,20\ng1,2024-04-01T00:30,30\n")
    with pytest.raises(InputError) as caught:
        ingest(path, METERS, tmp_path / "lake", REFERENCE)
    assert [(p.place.row, p.place.column, p.message) for p in caught.value.problems] == [
        (3, "ts", "'' is not an ISO 8601 time")
    ]


def test_a_time_repeated_across_files_keeps_the_first_files_reading(tmp_path: Path) -> None:
    first = _csv(tmp_path / "a.csv", "g1,2024-04-01T00:00,100\ng1,2024-04-01T00:15,110\n")
    second = _csv(tmp_path / "b.csv", "g1,2024-04-01T00:15,999\ng1,2024-04-01T00:30,120\n")
    ingest([first, second], METERS, tmp_path / "lake", REFERENCE)
    rows = _lake_rows(tmp_path / "lake")
    assert rows["value"].tolist() == [10.0, 10.0] and rows["copies"].tolist() == [2, 1]
    assert read_meters(tmp_path / "lake").set_index("meter_id").loc["g1", "last_counter"] == 120


def test_a_path_is_a_name_not_a_pattern_nor_partitions(tmp_path: Path) -> None:
    _csv(tmp_path / "rX.csv", "e1,2024-06-01T00:00,7\n")
    own = _csv(tmp_path / "r[X].csv", "e1,2024-05-01T00:00,5\n")
    ingest(own, METERS, tmp_path / "lake", REFERENCE)
    assert _lake_rows(tmp_path / "lake")["value"].tolist() == [5.0]
    hive = _csv(tmp_path / "meter_id=g1" / "value=0" / "r.csv", "e1,2024-05-01T00:00,5\n")
    ingest(hive, METERS, tmp_path / "hive" / "enterprise_id=X" / "lake", REFERENCE)
    rows = _lake_rows(tmp_path / "hive" / "enterprise_id=X" / "lake")
    assert rows[["meter_id", "value"]].values.tolist() == [["e1", 5.0]]


def test_a_late_repeat_of_the_latest_reading_does_not_move_the_counter(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    ingest(
        _csv(tmp_path / "a.csv", "g1,2024-04-01T00:00,100\ng1,2024-04-01T00:15,150\n"),
        METERS,
        lake,
        REFERENCE,
    )
    ingest(_csv(tmp_path / "b.csv", "g1,2024-04-01T00:15,140\n"), METERS, lake, REFERENCE)
    ingest(_csv(tmp_path / "c.csv", "g1,2024-04-01T00:30,200\n"), METERS, lake, REFERENCE)
    counted = _lake_rows(lake).query("counted")
    assert counted["value"].tolist() == [50.0, 50.0]  # 150 -> 200, not 140 -> 200


def test_fractional_seconds_sent_again_are_repeats(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    text = (
        "e1,2024-04-01T00:00:00.500,1\ne1,2024-04-01T00:15:00.500,2\n"
        "g1,2024-04-01T00:00:00.5,10\ng1,2024-04-01T00:15:00.5,20\n"
    )
    ingest(_csv(tmp_path / "a.csv", text), METERS, lake, REFERENCE)
    again = ingest(
        _csv(tmp_path / "b.csv", "e1,2024-04-01T00:15:00.5,2\n" + text), METERS, lake, REFERENCE
    )
    assert again["readings"] == 0
    assert _lake_rows(lake).query("counted")["value"].sum() == 1 + 2 + 10


def test_a_whitespace_line_and_a_short_row_are_read_a_lone_cr_is_placed(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "r.csv",
        "e1,2024-04-01T00:00,1\n   \ne1,2024-04-01T00:15\ne1,2024-04-01T00:30,x\n",
    )
    with pytest.raises(InputError) as caught:
        ingest(path, METERS, tmp_path / "lake", REFERENCE)
    assert [(p.place.row, p.place.column) for p in caught.value.problems] == [(5, "value")]
    cr = tmp_path / "cr.csv"
    cr.write_bytes(b"meter_id,ts,value\re1,2024-04-01T00:00,1\r")
    with pytest.raises(InputError) as caught:
        ingest(cr, METERS, tmp_path / "lake", REFERENCE)
    assert [p.place.file for p in caught.value.problems] == [str(cr)]


def test_the_meters_order_does_not_rename_the_commit(tmp_path: Path) -> None:
    path = _csv(tmp_path / "r.csv", "e1,2024-04-01T00:00,1\n")
    ingest(path, METERS, tmp_path / "lake", REFERENCE)
    again = ingest(path, METERS.iloc[::-1], tmp_path / "lake", REFERENCE)
    assert again["new_parts"] == 0


def test_a_backfill_before_a_single_counter_reading_is_counted(tmp_path: Path) -> None:
    # F12: the lake holds one g1 reading (10:00 1000), which gave no interval; a backlog of
    # 08:00 900, 09:00 950 then arrives. No stored interval covers 08:00-10:00, so the backlog
    # is counted: 950 - 900 = 50 at 09:00, and it chains into the lake's first reading,
    # 1000 - 950 = 50 at 10:00; then 11:00 1040 continues from 10:00: 40. In all 1040 - 900.
    lake = tmp_path / "lake"
    ingest(_csv(tmp_path / "f0.csv", "g1,2024-04-01T10:00+08:00,1000\n"), METERS, lake, REFERENCE)
    text = "g1,2024-04-01T08:00+08:00,900\ng1,2024-04-01T09:00+08:00,950\n"
    ingest(_csv(tmp_path / "f1.csv", text), METERS, lake, REFERENCE)
    ingest(_csv(tmp_path / "f2.csv", "g1,2024-04-01T11:00+08:00,1040\n"), METERS, lake, REFERENCE)
    counted = _lake_rows(lake).query("counted")
    assert counted["value"].tolist() == [50.0, 50.0, 40.0]
    assert counted["ts"].dt.hour.tolist() == [1, 2, 3]  # 09:00, 10:00, 11:00 CST in UTC
    # the backlog sent again with its 10:00 reading is covered now: late, nothing counted
    again = text + "g1,2024-04-01T10:00+08:00,1000\n"
    ingest(_csv(tmp_path / "f3.csv", again), METERS, lake, REFERENCE)
    assert _lake_rows(lake).query("counted")["value"].sum() == 140.0
    registry = read_meters(lake).set_index("meter_id").loc["g1"]
    assert (registry["first_counter"], registry["last_counter"]) == (900.0, 1040.0)


def test_a_backfill_into_a_lake_whose_registry_predates_first_counter(tmp_path: Path) -> None:
    # a registry part without `first_us`/`first_counter` (written before they were kept): the
    # backfill before the first reading (08:00, 09:00) is still counted among itself (950 -
    # 900 = 50 at 09:00), not taken as late; the chain into 10:00 needs the first reading,
    # which that part lacks
    import pyarrow.parquet as pq

    lake = tmp_path / "lake"
    first = "g1,2024-04-01T10:00+08:00,1000\ng1,2024-04-01T10:15+08:00,1010\n"
    ingest(_csv(tmp_path / "f0.csv", first), METERS, lake, REFERENCE)
    for part in (lake / "meters").glob("part-*.parquet"):
        table = pq.read_table(part)
        pq.write_table(table.drop_columns(["first_us", "first_counter"]), part)
    text = "g1,2024-04-01T08:00+08:00,900\ng1,2024-04-01T09:00+08:00,950\n"
    ingest(_csv(tmp_path / "f1.csv", text), METERS, lake, REFERENCE)
    assert _lake_rows(lake).query("counted")["value"].tolist() == [50.0, 10.0]


def test_a_file_written_while_it_is_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # F13: a row appended after the digest was taken (between the scan and the commit) would
    # be committed under the digest of the two rows read first; the complete file sent again
    # would then be "already in the lake". The append is made by the scan itself, right
    # after it read the bytes, so the order is fixed.
    import carbonpeak.io.lake_ingest as lake_ingest

    path = _csv(tmp_path / "live.csv", "e1,2024-04-01T00:00,1\ne1,2024-04-01T00:15,2\n")
    original = lake_ingest.scan

    def scan_then_append(source: Path, digest: object) -> list[int]:
        lines = original(source, digest)  # type: ignore[arg-type]
        with path.open("a", encoding="utf-8") as handle:
            handle.write("e1,2024-04-01T00:30,3\n")
        return lines

    monkeypatch.setattr(lake_ingest, "scan", scan_then_append)
    with pytest.raises(InputError) as caught:
        ingest(path, METERS, tmp_path / "lake", REFERENCE)
    assert [(p.place.file, p.message) for p in caught.value.problems] == [
        (str(path), "the file changed while it was read; send it again once complete")
    ]
    monkeypatch.setattr(lake_ingest, "scan", original)
    assert ingest(path, METERS, tmp_path / "lake", REFERENCE)["readings"] == 3


def test_a_reader_holding_a_listing_survives_a_compaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # F11: the parts a reader listed before a compaction stay readable for the retention
    # time; readers of the lake after it see the merged parts only (no row twice); a manifest
    # removed between the listing of `_commits/` and its reading is absent, not damage
    import duckdb

    from carbonpeak.io import commits
    from carbonpeak.io.compaction import compact
    from carbonpeak.io.lake import read_meters as registry_of

    lake = tmp_path / "lake"
    for number in range(3):
        text = f"e1,2024-04-01T0{number}:00,{number + 1}\n"
        ingest(_csv(tmp_path / f"r{number}.csv", text), METERS, lake, REFERENCE)
    listed = [str(p) for p in commits.committed(lake).readings]
    assert compact(lake, min_parts=2)["replaced"] == 3
    held = duckdb.connect().execute(f"SELECT sum(value) FROM read_parquet({listed})").fetchone()
    assert held == (6.0,)  # 1 + 2 + 3, read from the replaced parts
    after = commits.committed(lake)
    assert len(after.readings) == 1 and _lake_rows(lake)["value"].sum() == 2 * 6.0
    assert registry_of(lake).set_index("meter_id").loc["e1", "readings"] == 3
    # a manifest that vanishes while `manifests()` reads the folder
    reading = Path.read_text
    victim = sorted(m.path for m in commits.manifests(lake) if m.replaces == [])[0]

    def vanishing(self: Path, *args: object, **kwargs: object) -> str:
        if self == victim:
            self.unlink()
        return reading(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", vanishing)
    assert len(commits.manifests(lake)) == 3  # four listed, one gone before it was read
    assert len(commits.committed(lake).readings) == 1
    monkeypatch.setattr(Path, "read_text", reading)
    monkeypatch.setenv("CARBONPEAK_LAKE_RETENTION", "0")
    with commits.locked(lake):  # a later lock removes what is past the retention
        pass
    assert sorted(lake.rglob("part-*.parquet")) == sorted([*after.readings, *after.meters])


def test_a_lake_path_with_pattern_characters_and_a_compaction_of_no_lake_are_refused(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    # a lake under `l[1]` would have its parts read as the pattern `l1`; `compact --lake /typo`
    # made an empty lake there and said "nothing to compact"
    readings = _csv(tmp_path / "r.csv", "e1,2024-04-01T00:00,1\n")
    meters = tmp_path / "meters.csv"
    METERS.to_csv(meters, index=False)
    for name in ("l[1]", "l*", "l?", "l{a,b}"):
        lake = tmp_path / name
        code, _out, err = cli(
            "monitoring", "ingest", str(readings), "--meters", str(meters), "--lake", str(lake)
        )
        assert code == 2 and "readers take it as a pattern" in err, err
        assert not lake.exists()
    typo = tmp_path / "typo"
    code, _out, err = cli("monitoring", "compact", "--lake", str(typo))
    assert code == 2 and "not a lake" in err and not typo.exists()
    code, _out, err = cli("monitoring", "compact", "--lake", str(tmp_path / "l*"))
    assert code == 2 and "not a lake" in err


def test_a_date_alone_is_midnight_china_standard_time_in_the_lake_and_the_reference(
    tmp_path: Path,
) -> None:
    # F10: 2024-04-01 is 2024-04-01T00:00+08:00 = 2024-03-31T16:00Z, in the SQL ingest and in
    # the pandas reference (whose offset pattern took the day's "-01" for an offset: UTC)
    import pandas as pd

    from carbonpeak.monitoring.readings import utc_times

    texts = pd.Series(["2024-04-01", "2024-04-01 08:00", "2024-04-01T08:00-01", "2024-04-01Z"])
    assert utc_times(texts).tolist()[:3] == [
        pd.Timestamp("2024-03-31T16:00Z"),
        pd.Timestamp("2024-04-01T00:00Z"),
        pd.Timestamp("2024-04-01T09:00Z"),
    ]
    assert pd.isna(utc_times(texts).iloc[3])
    ingest(_csv(tmp_path / "r.csv", "e1,2024-04-01,5\n"), METERS, tmp_path / "lake", REFERENCE)
    assert _lake_rows(tmp_path / "lake")["ts"].tolist() == [pd.Timestamp("2024-03-31T16:00Z")]


def test_both_engines_give_the_same_verdict_on_the_same_file(
    tmp_path: Path, spark_engine: Engine
) -> None:
    # F15: a number or a time one engine's cast reads and the other's does not is refused on
    # both, and the forms both read are stored alike
    path = _csv(
        tmp_path / "v.csv",
        "e1,2024-04-01T00:00:00,5d\n"  # 2: a value DuckDB refused, Spark read as 5
        "e1,2024-04-01T00:15:00,0x10\n"  # 3
        "e1,2024-04-01T00:30:00 +08:00,1\n"  # 4: a space before the offset (Spark read it)
        "e1,2024-04-01T24:00:00,1\n"  # 5: hour 24 (DuckDB read it as the next day)
        "e1,2024-04-01T01:00:00,1_000\n"  # 6: DuckDB read 1000
        "e1,2024-04-01T08,1\n"  # 7: an hour alone
        "e1,2024-04-01T02:00:00,inf\n"  # 8: not finite, on both
        "e1,2024-04-01T02:15:00+25:00,1\n"  # 9: no such offset
        "e1,2024-04-01t02:30:00,1\n"  # 10: a small t
        "e1,2024-04-01T02:45:00+08 00,1\n",  # 11: no such offset
    )
    verdicts = {}
    for name, engine in (("duckdb", None), ("spark", spark_engine)):
        with pytest.raises(InputError) as caught:
            ingest(path, METERS, tmp_path / name, REFERENCE, engine=engine)
        verdicts[name] = [(p.place.row, p.place.column, p.message) for p in caught.value.problems]
    assert verdicts["spark"] == verdicts["duckdb"]
    assert [(row, column) for row, column, _m in verdicts["duckdb"]] == [
        (2, "value"),
        (3, "value"),
        (4, "ts"),
        (5, "ts"),
        (6, "value"),
        (7, "ts"),
        (8, "value"),
        (9, "ts"),
        (10, "ts"),
        (11, "ts"),
    ]
    good = _csv(
        tmp_path / "good.csv",
        "e1,2024-04-01,1\ne1,2024-04-01 00:15,2\ne1,2024-04-01T00:30:00.5+0800,.5\n"
        "e1,2024-04-01T00:45+08,5.\ne1,2024-03-31T17:00:00Z,-1e1\ne1,2024-04-01T01:15:00,+3E-1\n",
    )
    lakes = []
    for name, engine in (("duckdb", None), ("spark", spark_engine)):
        ingest(good, METERS, tmp_path / f"good-{name}", REFERENCE, engine=engine)
        lakes.append(_lake_rows(tmp_path / f"good-{name}")[["ts", "value"]])
    # 16:00, 16:15, 16:30.5, 16:45, 17:00, 17:15 UTC
    assert lakes[0]["value"].tolist() == [1.0, 2.0, 0.5, 5.0, -10.0, 0.3]
    assert lakes[0]["ts"].dt.minute.tolist() == [0, 15, 30, 45, 0, 15]
    assert lakes[1].equals(lakes[0])


def test_a_file_without_a_readings_part_is_committed_not_already_in_the_lake(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    # the counter's first reading sent again (other bytes) writes no readings part (it gives
    # no interval) but commits the registry's: the CLI said "already in the lake: nothing
    # written"
    lake = tmp_path / "lake"
    meters = tmp_path / "meters.csv"
    METERS.to_csv(meters, index=False)
    first = _csv(tmp_path / "a.csv", "g1,2024-04-01T00:00,100\ng1,2024-04-01T00:30,130\n")
    late = _csv(tmp_path / "b.csv", "g1,2024-04-01T00:00,100.0\n")
    ingest(first, METERS, lake, REFERENCE)
    code, out, err = cli(
        "monitoring", "ingest", str(late), "--meters", str(meters), "--lake", str(lake), "--json"
    )
    assert code == 0, err
    import json

    assert json.loads(out) == {
        "readings": 0,
        "repeats": 0,
        "parts": 0,
        "new_parts": 0,
        "committed": 1,
    }
    code, out, _err = cli(
        "monitoring", "ingest", str(late), "--meters", str(meters), "--lake", str(lake)
    )
    assert code == 0 and "already in the lake" in out


def test_the_same_file_twice_in_one_ingest_is_refused(tmp_path: Path) -> None:
    """Given twice (by another path or a link), a mistake: each of its rows would be a repeat
    of itself. Named by file, nothing written."""
    path = _csv(tmp_path / "r.csv", "e1,2024-04-01T00:00,10\n")
    with pytest.raises(InputError) as caught:
        ingest([path, tmp_path / "." / "r.csv"], METERS, tmp_path / "lake", REFERENCE)
    assert [(p.place.file, p.message) for p in caught.value.problems] == [
        (str(tmp_path / "." / "r.csv"), "the same file is given twice")
    ]
    (tmp_path / "link.csv").hardlink_to(path)  # another name of the same file
    with pytest.raises(InputError):
        ingest([path, tmp_path / "link.csv"], METERS, tmp_path / "lake", REFERENCE)
    assert not (tmp_path / "lake" / "readings").exists()


def test_files_of_the_same_bytes_cut_elsewhere_name_another_commit(tmp_path: Path) -> None:
    """The commit of several files is named by their bytes and where each ends: `a`+`b` and
    `a'`+`b'` whose bytes run the same end to end, cut elsewhere, are other files. One file's
    name stays its bytes' (and its meters'), as the lakes already written know it."""
    from carbonpeak.io.lake_ingest import _scan

    one = [tmp_path / "1a.csv", tmp_path / "1b.csv"]
    two = [tmp_path / "2a.csv", tmp_path / "2b.csv"]
    for path, text in zip([*one, *two], ["ab", "cd", "abc", "d"], strict=True):
        path.write_text(text, encoding="utf-8")
    assert _scan(one, METERS)[0] != _scan(two, METERS)[0]
    assert _scan(one, METERS)[0] == _scan(list(one), METERS)[0]  # a name, not a coin toss
    whole = tmp_path / "whole.csv"
    whole.write_text("abcd", encoding="utf-8")
    alone = tmp_path / "alone.csv"
    alone.write_text("abcd", encoding="utf-8")
    assert _scan([whole], METERS)[0] == _scan([alone], METERS)[0]  # bytes, not the file's name


def test_the_folders_an_ingest_makes_are_listed_for_their_parents_to_sync(tmp_path: Path) -> None:
    from carbonpeak.io.commits import new_folders

    lake = tmp_path / "lake"
    (lake / "readings" / "year=2024").mkdir(parents=True)
    month = lake / "readings" / "year=2024" / "month=04"
    assert new_folders(month, lake) == {month}
    deeper = lake / "readings" / "year=2025" / "month=01"
    assert new_folders(deeper, lake) == {deeper, deeper.parent}
    assert new_folders(lake / "readings", lake) == set()
    assert new_folders(tmp_path / "elsewhere", lake) == set()  # never outside the lake
