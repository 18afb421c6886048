"""Upload messages of the national layout (end device -> provincial platform), read as the
open-source implementations show them (docs/notes/research17.md §2): the data codes, times and
values below are the examples those sources quote, and the expectations are worked by hand."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak.domain.uscc import make_uscc
from carbonpeak.errors import InputError
from carbonpeak.monitoring.national import (
    ITEM_FIELDS,
    TABLE,
    check_national,
    parse_national,
)
from carbonpeak.reference.loader import Reference, default_reference

ENTERPRISE = make_uscc("91120116MA0500000")  # a well-formed Tianjin code made for the tests
DEVICE = "0123456789abcdef0123456789abcdef"  # 32 hex characters, as a platform assigns them
ETHYLENE = "02-02-0000-040100-30"  # P-AH: 乙烯装置-2 号单元-非能源类产品-乙烯-产出
PLANT = "00-00-0000-023300-11"  # P-YT sample row, a whole-plant item


@pytest.fixture(scope="module")
def reference() -> Reference:
    return default_reference()


def _item(code: str, value: Any, stat_type: Any, stat_date: str, scope: Any, **more: Any) -> dict:
    return {
        "dataCode": code,
        "dataValue": value,
        "inputType": 4,
        "statType": stat_type,
        "statDate": stat_date,
        "uploadDate": "2014-10-10 21:58:46",  # the specification's example, as P-TJ copies it
        "scope": scope,
        "valid": True,
    } | more


def _message(*items: dict) -> dict[str, Any]:
    return {"deviceId": DEVICE, "enterpriseCode": ENTERPRISE, "data": list(items)}


EXAMPLE = _message(
    _item(ETHYLENE, 12.5, 0, "2014-10-09 00:00:00", 3),
    _item(ETHYLENE, "13", "0", "2014-10-09 00:15:00", "3", inputType="4"),
    _item("04-01-0000-040200-30", 1200, 1, "2014-10-09 00:00:00", 3, inputType=1),
    _item(PLANT, 36000, 2, "2014-10-01 00:00:00", 1, inputType=1),
    _item("00-00-0000-011500-11", 7, 1, "not a time", 1, valid=False),
)


def _problems(message: Any, reference: Reference) -> list[str]:
    return [str(p) for p in check_national(message, reference)]


def test_the_examples_of_the_sources_by_hand(reference: Reference) -> None:
    batch = parse_national(EXAMPLE, reference)
    assert (batch.device_id, batch.enterprise_id) == (DEVICE, ENTERPRISE)
    # real-time items: statDate 00:00 and 00:15 China Standard Time = 16:00 and 16:15 UTC the
    # day before; each value covers the interval that begins there; "13" as text is 13.0
    readings = batch.readings
    assert readings["meter_id"].tolist() == [ETHYLENE, ETHYLENE]
    assert readings["ts"].tolist() == [
        pd.Timestamp("2014-10-08 16:00", tz="UTC"),
        pd.Timestamp("2014-10-08 16:15", tz="UTC"),
    ]
    assert readings["value"].tolist() == [12.5, 13.0] and readings["item"].tolist() == [0, 1]
    totals = batch.totals
    assert totals["item"].tolist() == [2, 3]
    assert totals["freq"].tolist() == ["day", "month"]
    assert totals["stat_type"].tolist() == ["1", "2"]
    assert totals["period_start"].tolist() == [
        pd.Timestamp("2014-10-08 16:00", tz="UTC"),  # 9 October 00:00 CST
        pd.Timestamp("2014-09-30 16:00", tz="UTC"),  # 1 October 00:00 CST
    ]
    assert totals["value"].tolist() == [1200.0, 36000.0]
    assert batch.monthly().to_dict("records") == [
        {"meter_id": PLANT, "month": "2014-10", "value": 36000.0}
    ]
    # the item sent with valid false is skipped and counted, its bad time not even read
    assert batch.skipped == (4,)
    codes = [w.code for w in batch.warnings]
    assert codes == ["monitoring.national.unverified_codes", "monitoring.national.items_skipped"]
    # provenance: every code row used, all unverified secondary transcriptions
    used = {tuple(dict(p.key).values()) for p in batch.provenance}
    assert used == {
        ("statType", "0"),
        ("statType", "1"),
        ("statType", "2"),
        ("scope", "1"),
        ("scope", "3"),
        ("inputType", "1"),
        ("inputType", "4"),
        ("energyClassCode", "02"),
        ("energyClassCode", "04"),
    }
    assert {p.table for p in batch.provenance} == {TABLE}
    assert {p.status for p in batch.provenance} == {"unverified"}
    assert all(p.source_id.startswith("mon_up_") for p in batch.provenance)


def test_every_problem_is_placed_by_item_and_field(reference: Reference) -> None:
    message = _message(
        _item("00-00-0000023400-80", "a", 9, "2014-10-09 01:00:00", 1, uploadDate="2014/10/10"),
        _item("01-00-0000-993400-80", 1, 1, "2014-10-09 00:00:00", 1, valid=0),
        _item(PLANT, float("inf"), 2, "2014-10-09 00:00:00", 5),
        {"dataCode": PLANT, "statType": 0},
        "not an item",
    )
    message["enterpriseCode"] = "91120116MA05000001"
    message["deviceId"] = ""
    assert _problems(message, reference) == [
        "field deviceId: required field is missing",
        "field enterpriseCode: '91120116MA05000001' is not a valid USCC: "
        f"check character is '1', expected {ENTERPRISE[-1]!r}",
        "field data.0.statType: 9 is not a code of statType in the reference table "
        "monitoring_data_codes (0, 1, 2, 3)",
        "field data.0.dataCode: '00-00-0000023400-80' is not a data-item code "
        "PP-UU-EEEE-CCVVVV-DD",  # P-SC's code, a hyphen missing
        "field data.0.uploadDate: '2014/10/10' is not a time yyyy-MM-dd HH:mm:ss "
        "(China Standard Time)",
        "field data.0.dataValue: 'a' is not a number",
        "field data.1.valid: 0 is not true or false (a 0 or 1 is refused: platforms differ on "
        "which is valid)",
        "field data.1.dataCode: '01-00-0000-993400-80': data class 99 is not a code of the "
        "reference table monitoring_data_codes (01, 02, 03, 04, 05, 06, 07, 08, 09, 10)",
        "field data.1.dataCode: '01-00-0000-993400-80': a whole-plant item (scope 1) has "
        "00-00-0000 for its process, unit and equipment",
        "field data.2.scope: 5 is not a code of scope in the reference table "
        "monitoring_data_codes (1, 2, 3, 4)",
        "field data.2.statDate: '2014-10-09 00:00:00' does not begin a month (its first day, "
        "00:00:00): statDate is the start of the period",
        "field data.2.dataValue: inf is not a finite number",
        *(
            f"field data.3.{name}: required field is missing"
            for name in ITEM_FIELDS
            if name not in ("dataCode", "statType")
        ),
        "field data.4: must be an object with dataCode, dataValue, inputType, statType, "
        "statDate, uploadDate, scope, valid",
    ]
    with pytest.raises(InputError) as raised:
        parse_national(message, reference)
    assert len(raised.value.problems) == 19
    # data.0's statDate 01:00 does not begin its day either, but its statType was refused
    # first, so the period it should begin is unknown: not reported twice


def test_times_periods_and_repeats(reference: Reference) -> None:
    message = _message(
        _item(PLANT, 1, 1, "2014-10-09 00:00:01", 1),  # a day begins at 00:00:00
        _item(PLANT, 1, 3, "2014-02-01 00:00:00", 1),  # a year on 1 January
        _item(PLANT, 1, 0, "2014-02-30 00:00:00", 1),  # no such day
        _item(PLANT, 1, 0, "1969-12-31 23:00:00", 1),  # before the lake's first instant
        _item(ETHYLENE, 1, 0, "2014-10-09 00:15:00", 3),
        _item(ETHYLENE, 2, 0, "2014-10-09 00:15:00", 3),  # the same item again
        _item(ETHYLENE, 2, 1, "2014-10-09 00:15:00", 3, valid="false"),  # skipped
        {"dataCode": "x", "valid": False},  # skipped: the rest of it is not read
    )
    assert _problems(message, reference) == [
        "field data.0.statDate: '2014-10-09 00:00:01' does not begin a day (00:00:00): "
        "statDate is the start of the period",
        "field data.1.statDate: '2014-02-01 00:00:00' does not begin a year (1 January, "
        "00:00:00): statDate is the start of the period",
        "field data.2.statDate: '2014-02-30 00:00:00' is not a time yyyy-MM-dd HH:mm:ss "
        "(China Standard Time)",
        "field data.3.statDate: '1969-12-31 23:00:00' is not between 1970-01-01 and "
        "2199-12-31 (UTC)",
        "field data.5.dataCode: repeats item 4 (the same dataCode, statType and statDate)",
    ]


def test_the_message_itself(reference: Reference) -> None:
    assert _problems([], reference) == [
        "the message must be an object with deviceId, enterpriseCode, data"
    ]
    assert _problems({"deviceId": 7, "enterpriseCode": ENTERPRISE, "data": {}}, reference) == [
        "field deviceId: 7 is not text",
        "field data: must be a list of items",
    ]
    assert _problems({"deviceId": DEVICE, "enterpriseCode": ENTERPRISE}, reference) == [
        "field data: required field is missing"
    ]
    empty = parse_national(_message(), reference)
    assert empty.readings.empty and empty.totals.empty and empty.monthly().empty
    assert empty.provenance == () and empty.warnings == ()


def test_a_real_time_step_that_is_no_collection_interval_is_flagged(
    reference: Reference,
) -> None:
    # the rules: every 15 minutes, relaxable to 30 or 60 (monitoring_parameters)
    def steps(*times: str) -> list[dict[str, Any]]:
        message = _message(*(_item(ETHYLENE, 1, 0, f"2014-10-09 {t}", 3) for t in times))
        batch = parse_national(message, reference)
        return [w.data for w in batch.warnings if w.code.endswith("unusual_interval")]

    assert steps("00:00:00", "00:15:00", "01:00:00") == []
    assert steps("00:00:00", "01:00:00") == []
    assert steps("00:00:00") == []
    assert steps("00:00:00", "00:10:00", "00:20:00") == [
        {"data_code": ETHYLENE, "minutes": 10.0, "allowed": [15, 30, 60]}
    ]


def test_the_monthly_totals_feed_the_day_vs_month_check(
    reference: Reference, tmp_path: Path
) -> None:
    """A day of 15-minute real-time values through the lake, against its reported month (the
    only day with readings): 96 x 2.5 = 240 kWh; a month reported as 240 agrees, one reported
    as 260 does not (|240 - 260| / 260 = 7.7 % > 5 %)."""
    from carbonpeak.engine.session import open_engine
    from carbonpeak.io.lake import ingest, read_lake, read_meters
    from carbonpeak.monitoring.quality import QualityRules, quality
    from carbonpeak.monitoring.readings import check_readings

    start = datetime(2014, 10, 1)
    realtime = [
        _item(PLANT, 2.5, 0, f"{start + timedelta(minutes=15 * k):%Y-%m-%d %H:%M:%S}", 1)
        for k in range(96)
    ]
    other = "00-00-0000-011500-11"
    message = _message(
        *realtime,
        *(_item(other, 2.5, 0, i["statDate"], 1) for i in realtime),
        _item(PLANT, 240, 2, "2014-10-01 00:00:00", 1),
        _item(other, 260, 2, "2014-10-01 00:00:00", 1),
    )
    batch = parse_national(message, reference)
    assert len(batch.readings) == 192 and len(batch.totals) == 2
    meters = tmp_path / "meters.csv"
    pd.DataFrame(
        {
            "meter_id": [PLANT, other],
            "enterprise_id": [ENTERPRISE] * 2,
            "carrier": ["electricity"] * 2,
            "unit": ["kWh"] * 2,
            "kind": ["interval"] * 2,
            "interval_minutes": [15, 15],
        }
    ).to_csv(meters, index=False)
    # the readings pass the readings check as they are (what a surface hands on)
    tidy, problems = check_readings(batch.readings, pd.read_csv(meters))
    assert problems == [] and tidy["ts"].tolist() == batch.readings["ts"].tolist()
    readings = tmp_path / "readings.csv"
    batch.readings[["meter_id", "ts", "value"]].assign(
        ts=lambda f: f["ts"].map(lambda t: t.isoformat())
    ).to_csv(readings, index=False)
    ingest(readings, meters, tmp_path / "lake", reference)
    engine = open_engine("duckdb")
    result = quality(
        engine,
        read_lake(engine, tmp_path / "lake"),
        read_meters(tmp_path / "lake"),
        QualityRules.of(reference),
        date(2014, 10, 1),
        date(2014, 10, 31),  # the check takes the months wholly inside the window
        monthly=batch.monthly(),
    )
    months = {m["meter_id"]: m for m in result.months}
    assert months[PLANT]["daily_total"] == pytest.approx(240.0) and months[PLANT]["passes"]
    assert months[other]["daily_total"] == pytest.approx(240.0)
    assert not months[other]["passes"]
    meters_quality = {m["meter_id"]: m for m in result.meters}
    assert meters_quality[PLANT]["received"] == 96  # one day of fifteen-minute readings


# -- properties ---------------------------------------------------------------------------

SCOPES = {1: "00-00-0000", 2: "03-00-0000", 3: "03-02-0000", 4: "03-02-0107"}
START = datetime(2014, 1, 1)


@st.composite
def items(draw: st.DrawFn) -> dict[str, Any]:
    stat_type = draw(st.sampled_from([0, 1, 2, 3]))
    scope = draw(st.sampled_from(sorted(SCOPES)))
    energy_class = draw(st.sampled_from([f"{k:02d}" for k in range(1, 11)]))
    code = f"{SCOPES[scope]}-{energy_class}{draw(st.integers(0, 9999)):04d}-" + draw(
        st.sampled_from(["11", "30", "80"])
    )
    if stat_type == 0:
        when = START + timedelta(minutes=15 * draw(st.integers(0, 4 * 96 * 365)))
    elif stat_type == 1:
        when = START + timedelta(days=draw(st.integers(0, 365)))
    elif stat_type == 2:
        when = datetime(2014 + draw(st.integers(0, 3)), draw(st.integers(1, 12)), 1)
    else:
        when = datetime(draw(st.integers(2000, 2030)), 1, 1)
    value = draw(
        st.one_of(
            st.integers(-(10**9), 10**9),
            st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False),
        )
    )
    text = draw(st.booleans())  # P-YT sends every value as text
    later = draw(st.integers(0, 86399))
    return {
        "dataCode": code,
        "dataValue": repr(value) if text else value,
        "inputType": draw(st.sampled_from([1, 2, 3, 4, 5, "5"])),
        "statType": stat_type,
        "statDate": f"{when:%Y-%m-%d %H:%M:%S}",
        "uploadDate": f"{when + timedelta(days=1, seconds=later):%Y-%m-%d %H:%M:%S}",
        "scope": scope if draw(st.booleans()) else str(scope),
        "valid": draw(st.sampled_from([True, True, True, False])),
    }


messages = st.lists(
    items(), max_size=30, unique_by=lambda i: (i["dataCode"], i["statType"], i["statDate"])
).map(lambda data: _message(*data))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_every_valid_item_is_a_reading_or_a_total(message: dict[str, Any]) -> None:
    reference = default_reference()
    batch = parse_national(message, reference)
    data = message["data"]
    assert sorted([*batch.readings["item"], *batch.totals["item"], *batch.skipped]) == list(
        range(len(data))
    )
    assert list(batch.skipped) == [k for k, i in enumerate(data) if not i["valid"]]
    for row in batch.readings.to_dict("records"):
        sent = data[row["item"]]
        assert str(sent["statType"]) == "0" and row["meter_id"] == sent["dataCode"]
        assert row["value"] == float(sent["dataValue"])
        # ts is the statDate read as China Standard Time
        local = datetime.strptime(sent["statDate"], "%Y-%m-%d %H:%M:%S")
        assert row["ts"] == pd.Timestamp(local - timedelta(hours=8), tz=UTC)
    monthly = batch.monthly()
    assert len(monthly) == sum(1 for i in data if i["valid"] and str(i["statType"]) == "2")
    assert all(
        m in {i["statDate"][:7] for i in data if str(i["statType"]) == "2"}
        for m in monthly["month"]
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_a_batch_written_back_reads_the_same(message: dict[str, Any]) -> None:
    reference = default_reference()
    batch = parse_national(message, reference)
    again = parse_national(batch.message(), reference)
    assert again.skipped == ()
    kept = batch.items.drop(columns="item").reset_index(drop=True)
    pd.testing.assert_frame_equal(again.items.drop(columns="item"), kept)
    assert again.message() == batch.message()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages.filter(lambda m: any(i["valid"] for i in m["data"])), st.data())
def test_a_missing_field_is_placed_at_its_item(
    message: dict[str, Any], data: st.DataObject
) -> None:
    reference = default_reference()
    valid = [k for k, i in enumerate(message["data"]) if i["valid"]]
    index = data.draw(st.sampled_from(valid))
    name = data.draw(st.sampled_from([f for f in ITEM_FIELDS if f != "valid"]))
    broken = copy.deepcopy(message)
    del broken["data"][index][name]
    assert [str(p) for p in check_national(broken, reference)] == [
        f"field data.{index}.{name}: required field is missing"
    ]
