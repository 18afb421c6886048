"""Anomalies against a meter's own profile, the same on both engines."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbonpeak.engine.session import Engine
from carbonpeak.io.lake import ingest, read_lake, read_meters
from carbonpeak.monitoring.anomalies import anomalies
from carbonpeak.monitoring.quality import QualityRules
from carbonpeak.reference.loader import default_reference

CEMENT = "911302007A3K9C2D24"
START = datetime(2024, 3, 4)  # a Monday, China Standard Time


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight weeks of an hourly meter: 100 kWh at night and 250 by day, a little noise; a
    spike of 900 at 03:00 on 12 March; Wednesday 3 April at double load all day; an idle
    meter that stays at 0."""
    folder = tmp_path_factory.mktemp("anomalies")
    meters = folder / "meters.csv"
    meters.write_text(
        "meter_id,enterprise_id,carrier,unit,kind,interval_minutes\n"
        f"e1,{CEMENT},electricity,kWh,interval,60\n"
        f"z1,{CEMENT},electricity,kWh,interval,60\n",
        encoding="utf-8",
    )
    rng = np.random.default_rng(5)
    times = [START + timedelta(hours=h) for h in range(8 * 7 * 24)]
    values = np.array([250.0 if 8 <= t.hour < 20 else 100.0 for t in times])
    values += rng.normal(0, 3, len(values))
    values[[i for i, t in enumerate(times) if t.date().isoformat() == "2024-04-03"]] *= 2
    values[times.index(datetime(2024, 3, 12, 3))] = 900.0
    frame = pd.DataFrame(
        {"meter_id": "e1", "ts": [t.isoformat() for t in times], "value": values.round(3)}
    )
    idle = pd.DataFrame({"meter_id": "z1", "ts": frame["ts"], "value": 0.0})
    readings = folder / "readings.csv"
    pd.concat([frame, idle]).to_csv(readings, index=False)
    ingest(readings, meters, folder / "lake", default_reference())
    return folder / "lake"


def test_readings_far_from_their_hour_are_flagged(lake: Path, frames: Engine) -> None:
    rules = QualityRules.of(default_reference())
    found = anomalies(frames, read_lake(frames, lake), read_meters(lake), rules, "reading")
    spike = [a for a in found if a["ts"] == "2024-03-12T03:00:00+08:00"]
    assert len(spike) == 1 and spike[0]["value"] == 900.0 and spike[0]["score"] > 6
    assert "above the meter's usual value at 03:00" in spike[0]["reason"]
    # the doubled day's readings are far from their hours too; nothing else, and the idle
    # meter flags nothing
    others = {a["ts"][:10] for a in found if a is not spike[0]}
    assert others == {"2024-04-03"}
    assert {a["meter_id"] for a in found} == {"e1"}


def test_days_far_from_their_weekday_are_flagged(lake: Path, frames: Engine) -> None:
    rules = QualityRules.of(default_reference())
    found = anomalies(frames, read_lake(frames, lake), read_meters(lake), rules, "day")
    # the spike's 800 extra kWh also lifts its Tuesday far above the usual (the noise of a
    # day total is about 15 kWh)
    assert [(a["meter_id"], a["day"]) for a in found] == [
        ("e1", "2024-03-12"),
        ("e1", "2024-04-03"),
    ]
    assert "on a Tuesday" in found[0]["reason"] and "on a Wednesday" in found[1]["reason"]
    assert found[1]["value"] == pytest.approx(2 * (12 * 250 + 12 * 100), rel=0.01)


def test_anomalies_command(lake: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = cli("monitor", "anomalies", "--lake", str(lake), "--level", "day", "--json")
    assert code == 0, err
    assert [a["day"] for a in json.loads(out)["anomalies"]] == ["2024-03-12", "2024-04-03"]
    code, out, err = cli(
        "monitor",
        "anomalies",
        "--lake",
        str(lake),
        "--level",
        "day",
        "--threshold",
        "1000",
        "--json",
    )
    assert code == 0 and json.loads(out)["anomalies"] == []
    code, _out, err = cli("monitor", "anomalies", "--lake", str(lake), "--level", "week")
    assert code == 2 and "--level" in err
