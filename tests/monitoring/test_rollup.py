"""Roll-ups: China Standard Time periods, tce and CO2 from the accounting factors, the same
rows on DuckDB and Spark."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from carbonpeak.engine.session import Engine
from carbonpeak.io.lake import ingest, read_lake, read_meters
from carbonpeak.monitoring.rollup import BY_WORDS, roll_up
from carbonpeak.reference.loader import default_reference

CEMENT = "911302007A3K9C2D24"
# GB/T 2589 equivalent values: 0.1229 kgce/kWh, natural gas 1.2143 kgce/Nm3. The national grid
# factor of 2023 (0.5306 kgCO2/kWh, MEE/NBS) is the latest, so 2024 falls back to it. Natural
# gas by the 2013 NDRC guideline defaults: NCV 389.31 GJ/10^4 Nm3, carbon content 15.3 tC/TJ,
# oxidation 99 %: 0.038931 GJ x 0.0153 tC/GJ x 0.99 x 44/12 tCO2 per Nm3.
KWH_TCE, KWH_CO2 = 0.1229e-3, 0.5306e-3
NM3_TCE, NM3_CO2 = 1.2143e-3, 0.038931 * 0.0153 * 0.99 * 44 / 12


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rollup")
    meters = folder / "meters.csv"
    meters.write_text(
        "meter_id,enterprise_id,carrier,unit,kind,interval_minutes\n"
        f"e1,{CEMENT},electricity,kWh,interval,60\n"
        f"g1,{CEMENT},natural_gas,Nm3,cumulative,60\n"
        f"a1,{CEMENT},compressed_air,Nm3,interval,60\n",
        encoding="utf-8",
    )
    readings = folder / "readings.csv"
    readings.write_text(
        "meter_id,ts,value\n"
        # 23:00 on 1 January and 00:00 on 2 January in China; both 1 January in UTC
        "e1,2024-01-01T23:00:00+08:00,1000\n"
        "e1,2024-01-01T16:00:00Z,2000\n"
        "e1,2024-01-02T00:30:00+08:00,500\n"
        "e1,2024-02-01T00:00:00+08:00,\n"  # no value: not counted in the sum
        "g1,2024-01-01T22:00:00,0\n"
        "g1,2024-01-01T23:00:00,100\n"
        "g1,2024-01-02T01:00:00,300\n"
        "a1,2024-01-01T12:00:00,50\n",
        encoding="utf-8",
    )
    ingest(readings, meters, folder / "lake", default_reference())
    return folder / "lake"


def _rows(engine: Engine, lake: Path, freq: str, by: str = "meter") -> list[dict]:
    result = roll_up(
        engine,
        read_lake(engine, lake),
        read_meters(lake),
        default_reference(),
        freq=freq,
        by=BY_WORDS[by],
    )
    return result.records()


def test_daily_energy_in_china_standard_time(lake: Path, frames: Engine) -> None:
    rows = {(r["meter_id"], r["period_start"]): r for r in _rows(frames, lake, "day")}
    assert set(rows) == {
        ("a1", "2024-01-01T00:00:00+08:00"),
        ("e1", "2024-01-01T00:00:00+08:00"),
        ("e1", "2024-01-02T00:00:00+08:00"),
        ("e1", "2024-02-01T00:00:00+08:00"),
        ("g1", "2024-01-01T00:00:00+08:00"),
        ("g1", "2024-01-02T00:00:00+08:00"),
    }
    day1, day2 = (
        rows[("e1", "2024-01-01T00:00:00+08:00")],
        rows[("e1", "2024-01-02T00:00:00+08:00")],
    )
    assert (day1["value"], day2["value"]) == (1000.0, 2500.0)
    assert day2["energy_tce"] == pytest.approx(2500 * KWH_TCE, rel=1e-6)
    assert day2["co2_t"] == pytest.approx(2500 * KWH_CO2, rel=1e-6)
    assert rows[("e1", "2024-02-01T00:00:00+08:00")]["value"] is None
    gas = rows[("g1", "2024-01-02T00:00:00+08:00")]
    assert gas["value"] == 200.0 and gas["unit"] == "Nm3"
    assert gas["energy_tce"] == pytest.approx(200 * NM3_TCE, rel=1e-6)
    assert gas["co2_t"] == pytest.approx(200 * NM3_CO2, rel=1e-4)
    air = rows[("a1", "2024-01-01T00:00:00+08:00")]
    assert air["value"] == 50.0 and air["energy_tce"] is None and air["co2_t"] is None


def test_hours_months_and_groups_add_up(lake: Path, frames: Engine) -> None:
    hours = _rows(frames, lake, "hour")
    e1 = [(r["period_start"], r["value"]) for r in hours if r["meter_id"] == "e1"]
    assert e1 == [
        ("2024-01-01T23:00:00+08:00", 1000.0),
        ("2024-01-02T00:00:00+08:00", 2500.0),  # 00:00 and 00:30
        ("2024-02-01T00:00:00+08:00", None),
    ]
    months = _rows(frames, lake, "month")
    january = {r["meter_id"]: r for r in months if r["period_start"] == "2024-01-01T00:00:00+08:00"}
    assert january["e1"]["value"] == 3500.0 and january["g1"]["value"] == 300.0
    enterprise = _rows(frames, lake, "month", by="enterprise")
    total = next(r for r in enterprise if r["period_start"] == "2024-01-01T00:00:00+08:00")
    assert "value" not in total  # units cannot be summed across carriers
    assert total["energy_tce"] == pytest.approx(3500 * KWH_TCE + 300 * NM3_TCE, rel=1e-6)
    carriers = _rows(frames, lake, "day", by="carrier")
    assert {r["carrier"] for r in carriers} == {"electricity", "natural_gas", "compressed_air"}


def test_rollup_command(
    lake: Path, tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, err = cli("monitor", "rollup", "--lake", str(lake), "--period", "day", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result["rows"][0]) >= {
        "meter_id",
        "period_start",
        "value",
        "unit",
        "energy_tce",
        "co2_t",
    }
    codes = {w["code"] for w in result["warnings"]}
    assert "monitoring.rollup.no_factor" in codes  # compressed air
    assert "accounting.electricity.grid_year_fallback" in codes  # 2024 takes 2023's factor
    target = tmp_path / "daily.parquet"
    code, out, err = cli("monitor", "rollup", "--lake", str(lake), "--out", str(target))
    assert code == 0, err
    assert len(pd.read_parquet(target)) == len(result["rows"])
    code, _out, err = cli("monitor", "rollup", "--lake", str(lake), "--period", "week")
    assert code == 2 and "--period" in err
    code, _out, err = cli(
        "monitor", "rollup", "--lake", str(lake), "--out", str(tmp_path / "x.txt")
    )
    assert code == 2 and not (tmp_path / "x.txt").exists()


def test_freq_and_by_columns_with_the_old_names_kept(
    lake: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    code, new, err = cli(
        "monitoring", "rollup", "--lake", str(lake), "--freq", "month", "--by", "carrier", "--json"
    )
    assert code == 0 and err == ""
    result = json.loads(new)
    assert (result["freq"], result["by"]) == ("month", ["enterprise_id", "carrier"])
    # the columns themselves, and the old option name, which says it is deprecated
    code, same, err = cli(
        "monitor", "rollup", "--lake", str(lake), "--period", "month", "--by",
        "enterprise_id,carrier", "--json",
    )  # fmt: skip
    assert code == 0 and same == new and "--period is deprecated; use --freq" in err
    code, _out, err = cli("monitoring", "rollup", "--lake", str(lake), "--by", "unit")
    assert code == 2 and "--by 'unit'" in err
