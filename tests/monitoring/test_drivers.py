"""Daily drivers in the lake: checked by row and column, later files win, nothing written from
a bad file; and the demo plants' meters add up to their activity."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from carbonpeak.demo.meters import demo_meters
from carbonpeak.demo.province import generate_province, province_activity
from carbonpeak.domain.units import conversion_factor
from carbonpeak.errors import InputError
from carbonpeak.io.lake import ingest_drivers, read_drivers
from carbonpeak.monitoring.readings import check_meters, check_readings, to_intervals
from carbonpeak.reference.loader import default_reference

CEMENT = "911302007A3K9C2D24"


def test_drivers_later_files_win_and_bad_files_write_nothing(tmp_path: Path) -> None:
    reference = default_reference()
    lake = tmp_path / "lake"
    first = tmp_path / "a.csv"
    first.write_text(
        "enterprise_id,day,production_t,temperature_c\n"
        f"{CEMENT},2024-01-01,100,-3.5\n{CEMENT},2024-01-02,120,-1\n",
        encoding="utf-8",
    )
    assert ingest_drivers(first, lake, reference) == {"rows": 4, "new_parts": 1}
    assert ingest_drivers(first, lake, reference) == {"rows": 0, "new_parts": 0}
    fix = tmp_path / "b.csv"
    fix.write_text(f"enterprise_id,day,production_t\n{CEMENT},2024-01-02,125\n", encoding="utf-8")
    ingest_drivers(fix, lake, reference)
    table = read_drivers(lake, CEMENT)
    assert table["production_t"].tolist() == [100.0, 125.0]
    assert table["temperature_c"].tolist() == [-3.5, -1.0]
    bad = tmp_path / "c.csv"
    bad.write_text(
        "enterprise_id,day,production_t\n"
        f"{CEMENT},2024-13-01,1\n91110000100000000Y,2024-01-03,x\n{CEMENT},2024-01-01,1\n"
        f"{CEMENT},2024-01-01,2\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        ingest_drivers(bad, lake, reference)
    places = {(p.place.row, p.place.column) for p in raised.value.problems}
    assert places == {(2, "day"), (3, "enterprise_id"), (3, "production_t"), (5, "day")}
    assert len(list((lake / "drivers").glob("*.parquet"))) == 2


def test_drivers_command(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    path = tmp_path / "d.csv"
    path.write_text(f"enterprise_id,day,production_t\n{CEMENT},2024-01-01,5\n", encoding="utf-8")
    code, out, err = cli("monitor", "drivers", str(path), "--lake", str(tmp_path / "l"), "--json")
    assert code == 0 and json.loads(out) == {"rows": 1, "new_parts": 1}, err
    code, _out, err = cli(
        "monitor", "drivers", str(tmp_path / "none.csv"), "--lake", str(tmp_path / "l")
    )
    assert code == 2 and "none.csv" in err


def test_the_demo_meters_add_up_to_the_activity() -> None:
    reference = default_reference()
    activity = province_activity(generate_province(seed=2030, enterprises=300))
    made = demo_meters(activity, plants=2)
    meters, problems = check_meters(made.meters, reference)
    assert problems == []
    readings, problems = check_readings(made.readings, meters)
    assert problems == []
    intervals = to_intervals(readings, meters)
    totals = intervals.groupby("meter_id")["value"].sum()
    for meter in made.meters.itertuples():
        lines = activity[
            (activity["enterprise_id"] == meter.enterprise_id) & (activity["item"] == meter.carrier)
        ]
        yearly = sum(
            float(a) * conversion_factor(u, meter.unit)
            for a, u in zip(lines["amount"], lines["unit"], strict=True)
        )
        # the planted faults (a spike, a gap, a duplicate kept once) and a counter's first
        # reading (no interval) move the totals by well under 1 %
        assert totals[meter.meter_id] == pytest.approx(yearly, rel=0.01), meter.meter_id
    production = made.drivers.groupby("enterprise_id")["production_t"]
    assert (production.min() == 0).all()  # each plant has its maintenance stop
    assert np.isfinite(made.drivers["temperature_c"]).all()
    assert len(pd.unique(made.readings["meter_id"])) == len(made.meters)


def test_driver_days_lie_in_the_times_of_readings(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "enterprise_id,day,production_t\n"
        f"{CEMENT},1677-01-01,5\n{CEMENT},2024-01-01,6\n{CEMENT},2200-01-01,7\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        ingest_drivers(path, tmp_path / "lake", default_reference())
    found = [(p.place.row, p.place.column) for p in raised.value.problems]
    assert found == [(2, "day"), (4, "day")]
    assert not (tmp_path / "lake" / "drivers").exists()
