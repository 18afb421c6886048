"""The demo's live day: every monitored plant's hourly batches, one plant silent from 10:00,
one spike, counters going on from the year's last reading."""

from __future__ import annotations

import pandas as pd

from carbonpeak.demo.meters import PER_DAY, demo_meters
from carbonpeak.demo.province import generate_province, province_activity
from carbonpeak.demo.replay import MONITORED, SILENT_FROM, SPIKE, SPIKE_AT, live_day


def test_the_live_day_has_every_state_the_regulator_view_shows() -> None:
    activity = province_activity(generate_province(seed=2030)).astype(str)
    made = demo_meters(activity, 12, 2030)
    live = live_day(made, activity)
    assert live.day == pd.Timestamp("2024-01-01", tz="Asia/Shanghai")  # after the demo year
    assert len(live.new_meters) == MONITORED - 12
    assert not set(live.new_meters["meter_id"]) & set(made.meters["meter_id"])
    sent = pd.concat([b for _e, _b, b in live.batches], ignore_index=True)
    enterprises = {e for e, _b, _r in live.batches}
    assert len(enterprises) == MONITORED
    assert len({b for _e, b, _r in live.batches}) == len(live.batches)  # batch ids unique
    times = pd.to_datetime(sent["ts"])
    assert times.min() == live.day and times.max() == live.day + pd.Timedelta(minutes=15 * 95)
    silent = sent[
        sent["meter_id"].isin(
            made.meters.loc[made.meters["enterprise_id"] == live.silent, "meter_id"]
        )
    ]
    assert pd.to_datetime(silent["ts"]).max() < live.day + pd.Timedelta(SILENT_FROM + ":00")
    spiked = sent[sent["meter_id"] == live.spiked].set_index(
        pd.to_datetime(sent.loc[sent["meter_id"] == live.spiked, "ts"])
    )
    at = live.day + pd.Timedelta(SPIKE_AT + ":00")
    others = spiked["value"].drop(at)
    assert spiked.loc[at, "value"] > 0.8 * SPIKE * others.median()
    counter = made.meters.loc[made.meters["kind"] == "cumulative", "meter_id"].iloc[0]
    year = made.readings.loc[made.readings["meter_id"] == counter, "value"].to_numpy()
    step = float(pd.Series(year[-PER_DAY:]).diff().median())
    first = float(sent.loc[sent["meter_id"] == counter, "value"].iloc[0])
    assert 0.8 * step < first - year[-1] < 1.2 * step  # it goes on from the year's last reading
    assert len(sent[sent["meter_id"] == counter]) == PER_DAY
