"""The demo's live day: the day after the demo year, as the monitored plants' collectors send
it to the platform, an hour's batch at a time.

The plants of `demo.meters` go on from where their year ended (a counter from its last reading,
an interval meter at its last week's mean quarter-hour, with the same noise); more plants, up
to `MONITORED` in all (the next largest users of electricity), join with an electricity meter
each, registered through the API. So that the regulator's view shows all its states, one plant
goes silent at `SILENT_FROM` and one meter has a spike at `SPIKE_AT` (twelve times its value).

Deterministic in the seed. Synthetic: no plant's readings are real.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from carbonpeak.demo.meters import PER_DAY, DemoMeters, _amount

MONITORED = 50
SILENT_PLANT = 2  # the third plant's collector stops
SILENT_FROM = "10:00"
SPIKE_PLANT = 3  # the fourth plant's electricity meter
SPIKE_AT = "11:00"
SPIKE = 12.0


@dataclass
class LiveDay:
    """What the collectors send: the new plants' meters (to register), and each batch as
    `(enterprise_id, batch_id, readings)` with `meter_id, ts, value` (ISO 8601 with +08:00)."""

    day: pd.Timestamp
    new_meters: pd.DataFrame
    batches: list[tuple[str, str, pd.DataFrame]]
    silent: str
    spiked: str


def live_day(
    made: DemoMeters, activity: pd.DataFrame, plants: int = MONITORED, seed: int = 2030
) -> LiveDay:
    """The day after the demo year for the plants of `made` and more, up to `plants`."""
    rng = np.random.default_rng([seed, 17])
    last = pd.to_datetime(made.readings["ts"]).max()
    day = (last.tz_convert("Asia/Shanghai").normalize() + pd.Timedelta(days=1)).tz_convert(
        "Asia/Shanghai"
    )
    stamps = day + pd.to_timedelta(np.arange(PER_DAY) * 15, unit="min")
    frames = []
    for meter in made.meters.itertuples():
        mine = made.readings[made.readings["meter_id"] == meter.meter_id]
        if meter.kind == "cumulative":
            start = float(mine["value"].iloc[-1])
            steps = np.diff(mine["value"].to_numpy()[-8 * PER_DAY :])
            step = float(np.median(steps[steps > 0])) if (steps > 0).any() else 0.0
            values = start + np.cumsum(step * rng.normal(1.0, 0.03, PER_DAY))
            values = np.where(values >= 1e8, values - 1e8, values)  # it rolls over at 10^8
        else:
            mean = float(mine["value"].to_numpy()[-7 * PER_DAY :].mean())
            values = mean * rng.normal(1.0, 0.03, PER_DAY)
        frames.append(
            pd.DataFrame(
                {
                    "enterprise_id": meter.enterprise_id,
                    "meter_id": meter.meter_id,
                    "ts": stamps,
                    "value": values,
                }
            )
        )
    new_meters = _joining(made, activity, plants)
    for meter_id, enterprise_id, yearly in zip(
        new_meters["meter_id"], new_meters["enterprise_id"], new_meters["yearly_kwh"], strict=True
    ):
        values = float(yearly) / 365 / PER_DAY * rng.normal(1.0, 0.03, PER_DAY)
        frames.append(
            pd.DataFrame(
                {
                    "enterprise_id": enterprise_id,
                    "meter_id": meter_id,
                    "ts": stamps,
                    "value": values,
                }
            )
        )
    readings = pd.concat(frames, ignore_index=True)
    enterprises = list(dict.fromkeys(made.meters["enterprise_id"]))
    silent = enterprises[SILENT_PLANT]
    quiet = (readings["enterprise_id"] == silent) & (
        readings["ts"] >= day + pd.Timedelta(SILENT_FROM + ":00")
    )
    readings = readings[~quiet]
    spiked = str(
        made.meters[
            (made.meters["enterprise_id"] == enterprises[SPIKE_PLANT])
            & (made.meters["kind"] == "interval")
        ]["meter_id"].iloc[0]
    )
    at = (readings["meter_id"] == spiked) & (readings["ts"] == day + pd.Timedelta(SPIKE_AT + ":00"))
    readings.loc[at, "value"] = readings.loc[at, "value"] * SPIKE
    readings["value"] = readings["value"].round(3)
    batches = []
    hours = readings["ts"].dt.hour
    for (enterprise_id, hour), batch in readings.groupby(["enterprise_id", hours], sort=True):
        body = batch[["meter_id", "ts", "value"]].assign(
            ts=batch["ts"].map(lambda t: t.isoformat())
        )
        batch_id = f"demo-{day:%Y%m%d}-{enterprise_id}-{int(hour):02d}"
        batches.append((str(enterprise_id), batch_id, body.reset_index(drop=True)))
    return LiveDay(day, new_meters.drop(columns="yearly_kwh"), batches, silent, spiked)


def _joining(made: DemoMeters, activity: pd.DataFrame, plants: int) -> pd.DataFrame:
    """An electricity meter for each of the next largest users of electricity, up to `plants`
    monitored in all (`yearly_kwh` their year's electricity)."""
    yearly = _amount(activity, "electricity", "kWh")
    monitored = set(made.meters["enterprise_id"])
    others = [e for e in yearly.sort_values(ascending=False).index if e not in monitored]
    chosen = others[: max(0, plants - len(monitored))]
    return pd.DataFrame(
        {
            "meter_id": [f"L{n + 1:02d}-E1" for n in range(len(chosen))],
            "enterprise_id": chosen,
            "carrier": "electricity",
            "unit": "kWh",
            "kind": "interval",
            "interval_minutes": 15,
            "yearly_kwh": [float(yearly[e]) for e in chosen],
        }
    )


def send(
    url: str, live: LiveDay, keys: dict[str, str], wait_seconds: float = 60.0, threads: int = 8
) -> dict[str, int]:
    """Send the live day to the platform at `url` as the plants' collectors would: each
    plant's new meters registered, then its batches posted as JSON lines with their ids, with
    the plant's own key (`keys`: enterprise -> API key). Waits up to `wait_seconds` for the
    server to answer first. A batch sent before (the demo started again) is answered as a
    duplicate and stores nothing twice. Returns the batches stored, duplicates and refused."""
    import json
    import time
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    base = url.rstrip("/") + "/api/v1"
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url.rstrip('/')}/openapi.json", timeout=5):
                break
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)

    def post(path: str, key: str, body: bytes, kind: str, batch: str | None = None) -> int:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": kind}
        if batch:
            headers["Idempotency-Key"] = batch
        request = urllib.request.Request(f"{base}{path}", body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as refused:
            return int(refused.code)

    for enterprise_id, meters in live.new_meters.groupby("enterprise_id"):
        body = json.dumps(meters.to_dict("records")).encode()
        status = post("/monitoring/meters", keys[str(enterprise_id)], body, "application/json")
        if status >= 400:
            raise RuntimeError(f"registering the meters of {enterprise_id}: HTTP {status}")

    def batch(item: tuple[str, str, pd.DataFrame]) -> int:
        enterprise_id, batch_id, readings = item
        lines = "\n".join(
            json.dumps({"meter_id": m, "ts": t, "value": v})
            for m, t, v in zip(readings["meter_id"], readings["ts"], readings["value"], strict=True)
        )
        return post(
            "/monitoring/readings",
            keys[enterprise_id],
            lines.encode(),
            "application/x-ndjson",
            batch_id,
        )

    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(batch, live.batches))
    return {
        "stored": sum(1 for s in statuses if s in (201, 202)),
        "duplicates": sum(1 for s in statuses if s == 200),
        "refused": sum(1 for s in statuses if s >= 400),
    }
