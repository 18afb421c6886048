"""Readings over HTTP (issue 17, item 2): a collector's key narrowed to its enterprise registers
meters and posts batches of readings; every bad input is placed and stores nothing; a batch
sent again is stored once; a flush moves the landed batches into the lake."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from carbonpeak.engine.session import open_engine
from carbonpeak.io.lake import read_lake, read_meters
from carbonpeak.io.landing import landed
from carbonpeak.services.monitoring_feed import flush_landed
from carbonpeak.store.db import transaction
from carbonpeak.store.models import ReadingBatch
from tests.api.conftest import ALUMINIUM, CEMENT, Api

Cli = Callable[..., tuple[int, str, str]]
METERS = [
    {
        "meter_id": "E-101",
        "enterprise_id": CEMENT,
        "carrier": "electricity",
        "unit": "kWh",
        "kind": "interval",
        "interval_minutes": 15,
    },
    {
        "meter_id": "G-1",
        "enterprise_id": CEMENT,
        "carrier": "natural_gas",
        "unit": "Nm3",
        "kind": "cumulative",
    },
]
ALUMINIUM_METER = {
    "meter_id": "AL-1",
    "enterprise_id": ALUMINIUM,
    "carrier": "electricity",
    "unit": "kWh",
    "kind": "interval",
    "interval_minutes": 15,
}


@pytest.fixture
def lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CARBONPEAK_LAKE", str(tmp_path / "lake"))
    return tmp_path / "lake"


def _key(api: Api, who: str, enterprise_id: str | None = None) -> dict[str, str]:
    body: dict[str, Any] = {"name": "collector"}
    if enterprise_id:
        body["enterprise_id"] = enterprise_id
    made = api.client.post("/api/v1/auth/api-keys", json=body, headers=api.headers(who))
    assert made.status_code == 201, made.text
    return {"Authorization": f"Bearer {made.json()['api_key']}"}


def _register(api: Api, key: dict[str, str], meters: list[dict[str, Any]]) -> Any:
    return api.client.post("/api/v1/monitoring/meters", json=meters, headers=key)


def _jsonl(rows: list[tuple[str, str, Any]]) -> bytes:
    return "".join(
        json.dumps({"meter_id": m, "ts": t, "value": v}) + "\n" for m, t, v in rows
    ).encode()


def _post(
    api: Api, key: dict[str, str], batch: str, body: bytes, kind: str = "application/x-ndjson"
) -> Any:
    return api.client.post(
        "/api/v1/monitoring/readings",
        content=body,
        headers={**key, "Content-Type": kind, "Idempotency-Key": batch},
    )


def _day(
    meter: str, start: str = "2024-03-01T00:00", count: int = 96
) -> list[tuple[str, str, Any]]:
    times = pd.date_range(start, periods=count, freq="15min")
    return [(meter, f"{t:%Y-%m-%dT%H:%M}", 1.0 + i % 7) for i, t in enumerate(times)]


def _lake_rows(lake: Path) -> pd.DataFrame:
    rows = read_lake(open_engine("duckdb"), lake).collect()
    return pd.DataFrame([r.asDict() for r in rows])


def _batches(api: Api) -> int:
    with transaction(api.engine) as session:
        return int(session.execute(select(func.count(ReadingBatch.reading_batch_id))).scalar_one())


@pytest.fixture
def collector(api: Api, lake: Path) -> dict[str, str]:
    """A key of the group user narrowed to the cement enterprise, with its meters registered."""
    key = _key(api, "group", CEMENT)
    registered = _register(api, key, METERS)
    assert registered.status_code == 201, registered.text
    assert registered.json() == {"registered": 2, "known": 0}
    return key


def test_a_narrowed_key_acts_for_its_enterprise_only(api: Api, lake: Path) -> None:
    key = _key(api, "group", CEMENT)
    listed = api.client.get("/api/v1/auth/api-keys", headers=api.headers("group")).json()
    assert [k["enterprise_id"] for k in listed["items"]] == [CEMENT]
    seen = api.client.get("/api/v1/enterprises", headers=key).json()
    assert [e["enterprise_id"] for e in seen["items"]] == [CEMENT]
    assert api.client.get(f"/api/v1/enterprises/{ALUMINIUM}", headers=key).status_code == 404
    # a key may be narrowed only to an enterprise its user can see
    refused = api.client.post(
        "/api/v1/auth/api-keys",
        json={"name": "x", "enterprise_id": ALUMINIUM},
        headers=api.headers("cement"),
    )
    assert refused.status_code == 404  # as an enterprise that does not exist
    # a regulator may not narrow a key: it would act as the enterprise it reviews
    regulator = api.client.post(
        "/api/v1/auth/api-keys",
        json={"name": "x", "enterprise_id": CEMENT},
        headers=api.headers("hebei"),
    )
    assert regulator.status_code == 403
    by_admin = _key(api, "admin", ALUMINIUM)
    assert api.client.get(f"/api/v1/enterprises/{CEMENT}", headers=by_admin).status_code == 404


def test_the_operator_sees_a_keys_enterprise(
    api: Api, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", str(api.engine.url.render_as_string(False)))
    _key(api, "group", CEMENT)
    code, out, _err = cli("users", "keys", "--json")
    assert code == 0 and json.loads(out)["items"][0]["enterprise_id"] == CEMENT
    code, out, _err = cli("users", "keys")
    assert code == 0 and f"for {CEMENT}" in out


def test_meters_are_registered_in_the_lake_and_listed(
    api: Api, lake: Path, collector: dict[str, str]
) -> None:
    registry = read_meters(lake)
    assert sorted(registry["meter_id"]) == ["E-101", "G-1"]
    assert registry["readings"].tolist() == [0, 0] and registry["first_epoch"].isna().all()
    again = _register(api, collector, METERS)
    assert again.status_code == 201 and again.json() == {"registered": 0, "known": 2}
    listed = api.client.get("/api/v1/monitoring/meters", headers=collector).json()["items"]
    assert [(m["meter_id"], m["readings"], m["last_ts"]) for m in listed] == [
        ("E-101", 0, None),
        ("G-1", 0, None),
    ]
    assert (
        api.client.get("/api/v1/monitoring/meters", headers=api.headers("neimenggu")).json()[
            "items"
        ]
        == []
    )


def test_bad_meters_are_placed_and_nothing_is_registered(
    api: Api, lake: Path, collector: dict[str, str]
) -> None:
    wrong_unit = {**METERS[0], "meter_id": "E-2", "unit": "Nm3"}
    theirs = {**ALUMINIUM_METER}
    taken = {**METERS[0], "unit": "MWh"}  # registered with kWh
    answer = _register(api, collector, [wrong_unit, theirs, taken])
    assert answer.status_code == 422
    places = [(p["row"], p["column"]) for p in answer.json()["detail"]]
    assert places == [(1, "unit"), (2, "enterprise_id")]
    answer = _register(api, collector, [taken])
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["column"] == "unit"
    assert sorted(read_meters(lake)["meter_id"]) == ["E-101", "G-1"]
    # a meter the lake holds for another enterprise is refused
    admin_key = api.headers("admin")
    other = _register(api, admin_key, [{**ALUMINIUM_METER, "meter_id": "E-101"}])
    assert other.status_code == 422
    assert "is in the lake for enterprise" in other.json()["detail"][0]["message"]
    assert _register(api, api.headers("hebei"), [ALUMINIUM_METER]).status_code == 403


@pytest.mark.parametrize("form", ["jsonl", "csv", "parquet", "octet"])
def test_each_body_format_is_landed_and_flushed_into_the_lake(
    api: Api, lake: Path, collector: dict[str, str], form: str
) -> None:
    rows = _day("E-101")
    frame = pd.DataFrame(rows, columns=["meter_id", "ts", "value"])
    if form == "jsonl":
        body, kind = _jsonl(rows), "application/x-ndjson"
    elif form == "csv":
        body, kind = frame.to_csv(index=False).encode(), "text/csv"
    else:
        sink = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
        body = sink.getvalue()
        kind = "application/vnd.apache.parquet" if form == "parquet" else "application/octet-stream"
    answer = _post(api, collector, "day-1", body, kind)
    assert answer.status_code == 201, answer.text
    assert answer.json()["readings"] == 96 and answer.json()["duplicate"] is False
    assert len(landed(lake)) == 1
    assert flush_landed(api.engine)["batches"] == 1
    assert landed(lake) == []
    readings = _lake_rows(lake)
    assert len(readings) == 96 and readings["value"].sum() == frame["value"].sum()
    assert read_meters(lake).set_index("meter_id").loc["E-101", "readings"] == 96
    listed = api.client.get("/api/v1/monitoring/meters", headers=collector).json()["items"]
    assert listed[0]["first_ts"] == "2024-02-29T16:00:00+00:00"  # China Standard Time in


def test_a_replayed_batch_is_stored_once_and_other_content_is_a_conflict(
    api: Api, lake: Path, collector: dict[str, str]
) -> None:
    body = _jsonl(_day("E-101"))
    assert _post(api, collector, "b-1", body).status_code == 201
    again = _post(api, collector, "b-1", body)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    by_query = api.client.post(
        "/api/v1/monitoring/readings?batch_id=b-1",
        content=body,
        headers={**collector, "Content-Type": "application/x-ndjson"},
    )
    assert by_query.status_code == 200 and by_query.json()["duplicate"] is True
    other = _post(api, collector, "b-1", _jsonl(_day("E-101", count=95)))
    assert other.status_code == 409
    assert other.json()["detail"][0]["field"] == "batch_id"
    assert "b-1" in other.json()["detail"][0]["file"]
    assert _batches(api) == 1 and len(landed(lake)) == 1
    flush_landed(api.engine)
    replay = _post(api, collector, "b-1", body)  # after the flush: still a duplicate
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert landed(lake) == []
    flush_landed(api.engine)
    assert len(_lake_rows(lake)) == 96


def test_every_bad_reading_is_placed_and_nothing_is_stored(
    api: Api, lake: Path, collector: dict[str, str]
) -> None:
    rows = [
        ("E-101", "2024-03-01T00:00", 1),
        ("X-9", "2024-03-01T00:15", 2),  # unknown meter
        ("E-101", "10:30", 3),  # a time without a date
        ("E-101", "2024-03-01T00:45", "many"),  # not a number
        ("E-101", "2024-03-01T01:00", 1e300),  # beyond any meter
    ]
    answer = _post(api, collector, "bad", _jsonl(rows))
    assert answer.status_code == 422
    places = [(p["file"], p["row"], p["column"]) for p in answer.json()["detail"]]
    assert places == [
        ("batch bad", 2, "meter_id"),
        ("batch bad", 3, "ts"),
        ("batch bad", 4, "value"),
        ("batch bad", 5, "value"),
    ]
    csv = b"meter_id,ts,value\nE-101,2024-03-01T00:00,1\nE-101,2024-03-01,x\n"
    answer = _post(api, collector, "bad-csv", csv, "text/csv")
    assert [(p["row"], p["column"]) for p in answer.json()["detail"]] == [(3, "value")]
    broken = _post(api, collector, "broken", b'{"meter_id": "E-101", "ts": \n')
    assert broken.status_code == 422 and broken.json()["detail"][0]["row"] == 1
    assert _post(api, collector, "x", b"a,b", "text/plain").status_code == 415
    missing = api.client.post(
        "/api/v1/monitoring/readings",
        content=_jsonl(_day("E-101")),
        headers={**collector, "Content-Type": "application/x-ndjson"},
    )
    assert missing.status_code == 422
    assert _post(api, collector, "no spaces", _jsonl(_day("E-101"))).status_code == 422
    assert _batches(api) == 0 and landed(lake) == []


def test_a_key_of_another_enterprise_stores_nothing(
    api: Api, lake: Path, collector: dict[str, str]
) -> None:
    assert _register(api, api.headers("admin"), [ALUMINIUM_METER]).status_code == 201
    cement_only = _key(api, "cement", CEMENT)
    # the aluminium smelter's meter is unknown to the cement enterprise's key
    answer = _post(api, cement_only, "al", _jsonl(_day("AL-1", count=4)))
    assert answer.status_code == 422
    assert {p["column"] for p in answer.json()["detail"]} == {"meter_id"}
    # and the key cannot post as the aluminium smelter
    answer = api.client.post(
        f"/api/v1/monitoring/readings?batch_id=al&enterprise_id={ALUMINIUM}",
        content=_jsonl(_day("AL-1", count=4)),
        headers={**cement_only, "Content-Type": "application/x-ndjson"},
    )
    assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == "enterprise_id"
    regulator = api.client.post(
        "/api/v1/monitoring/readings?batch_id=al",
        content=_jsonl(_day("AL-1", count=4)),
        headers={**api.headers("neimenggu"), "Content-Type": "application/x-ndjson"},
    )
    assert regulator.status_code == 403
    assert _batches(api) == 0 and landed(lake) == []


def test_a_batch_past_the_limit_is_refused_and_a_large_one_runs_as_a_job(
    api: Api, lake: Path, collector: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARBONPEAK_MAX_BATCH_READINGS", "150")
    monkeypatch.setenv("CARBONPEAK_BACKGROUND_BATCH_READINGS", "100")
    too_many = _post(api, collector, "big", _jsonl(_day("E-101", count=151)))
    assert too_many.status_code == 413
    assert "151" in too_many.json()["detail"] and "150" in too_many.json()["detail"]
    queued = _post(api, collector, "large", _jsonl(_day("E-101", count=120)))
    assert queued.status_code == 202, queued.text
    for _ in range(100):
        job = api.client.get(queued.json()["status"], headers=collector).json()
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["state"] == "done", job
    assert job["outcome"]["readings"] == 120 and job["outcome"]["duplicate"] is False
    bad = _post(api, collector, "large-bad", _jsonl([*_day("E-101", count=120), ("X", "x", 1)]))
    for _ in range(100):
        failed = api.client.get(bad.json()["status"], headers=collector).json()
        if failed["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert failed["state"] == "failed"
    assert [p["row"] for p in failed["outcome"]["problems"]] == [121, 121]
    assert _batches(api) == 1 and len(landed(lake)) == 1


def test_the_flush_command(
    api: Api, lake: Path, collector: dict[str, str], cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", str(api.engine.url.render_as_string(False)))
    assert _post(api, collector, "c-1", _jsonl(_day("E-101"))).status_code == 201
    assert (
        _post(api, collector, "c-2", _jsonl(_day("E-101", "2024-03-02T00:00"))).status_code == 201
    )
    code, out, err = cli("monitor", "flush", "--json")
    assert code == 0, out + err
    assert json.loads(out)["batches"] == 2 and json.loads(out)["readings"] == 192
    with transaction(api.engine) as session:
        flushed = session.execute(select(ReadingBatch.flushed_at)).scalars().all()
    assert len(flushed) == 2 and all(flushed)
    assert len(_lake_rows(lake)) == 192


def test_the_status_counts_a_meter_registered_without_readings_as_not_yet_monitored(
    api: Api, lake: Path, collector: dict[str, str]
) -> None:
    """A registered meter with no readings leaves the registry's times empty: the regulator's
    status answers (a float time once made it a 500) and lists the meters that sent."""
    assert _post(api, collector, "day-1", _jsonl(_day("E-101"))).status_code == 201
    flush_landed(api.engine)
    assert read_meters(lake)["first_epoch"].isna().sum() == 1  # the other meter: none yet
    answer = api.client.get("/api/v1/monitoring/status?meters=true", headers=api.headers("group"))
    assert answer.status_code == 200, answer.text
    assert [m["meter_id"] for m in answer.json()["meters"]] == ["E-101"]
    # its first day is today: nothing was expected of it yesterday, so it is not below; all 96
    # of its times since the start of that day came (the first one counts: 96 of 96, not 95)
    assert answer.json()["totals"]["enterprises_below"] == 0
    (meter,) = answer.json()["meters"]
    assert (meter["received_24h"], meter["expected_24h"], meter["upload_rate"]) == (96, 96, 1.0)


def test_a_national_upload_message_is_landed_as_readings(api: Api, lake: Path) -> None:
    """A body in the national online-monitoring layout (`application/json`): its real-time
    items become readings of meters named by their data codes, its daily totals are not
    readings; a message of another enterprise than the key's is refused at enterpriseCode."""
    key = _key(api, "group", CEMENT)
    code = "00-00-0000-020100-11"
    meter = {"meter_id": code, "enterprise_id": CEMENT, "carrier": "electricity"}
    meter |= {"unit": "kWh", "kind": "interval", "interval_minutes": 15}
    assert _register(api, key, [meter]).status_code == 201

    def item(value: float, stat_type: int, stat_date: str) -> dict[str, Any]:
        return {
            "dataCode": code, "dataValue": value, "inputType": 4, "statType": stat_type,
            "statDate": stat_date, "uploadDate": "2024-03-01 00:20:00", "scope": 1,
            "valid": True,
        }  # fmt: skip

    message = {
        "deviceId": "0123456789abcdef0123456789abcdef",
        "enterpriseCode": CEMENT,
        "data": [
            item(5.0, 0, "2024-03-01 00:00:00"),
            item(6.0, 0, "2024-03-01 00:15:00"),
            item(480.0, 1, "2024-02-29 00:00:00"),
        ],
    }
    body = json.dumps(message).encode()
    answer = _post(api, key, "national-1", body, "application/json")
    assert answer.status_code == 201, answer.text
    assert answer.json()["readings"] == 2
    flush_landed(api.engine)
    rows = _lake_rows(lake).sort_values("ts")
    assert rows["value"].tolist() == [5.0, 6.0]
    assert str(rows["ts"].iloc[0]).startswith("2024-02-29 16:00:00")  # UTC: China time sent
    other = json.dumps(message | {"enterpriseCode": "91110108551385082Q"}).encode()
    refused = _post(api, key, "national-2", other, "application/json")
    assert refused.status_code == 422, refused.text
    assert "enterpriseCode" in refused.text and "91110108551385082Q" in refused.text
