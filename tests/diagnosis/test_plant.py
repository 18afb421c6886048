"""A plant's diagnosis from its file: the example plant end to end (every measure's energy and
CO2 from the accounting engine, cost at the plant's prices, economics, MAC curve), and bad
files refused by field."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from carbonpeak.accounting.engine import account
from carbonpeak.diagnosis.plant import diagnose, parse
from carbonpeak.errors import InputError
from carbonpeak.reference.loader import Reference, default_reference

EXAMPLE = Path(str(resources.files("carbonpeak.diagnosis") / "example.yaml"))


@pytest.fixture(scope="module")
def reference() -> Reference:
    return default_reference()


@pytest.fixture(scope="module")
def plant() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return loaded


def test_the_example_plant(plant: dict[str, Any], reference: Reference) -> None:
    result = diagnose(parse(plant), reference)
    measures = {m["measure_id"]: m for m in result["measures"]}
    assert len(measures) == 8
    motor = measures["M-101 raw mill fan motor:motor_replacement"]
    # the saving's CO2 and energy are the accounting engine's for 6245.58 kWh in Hebei, 2024
    lines = account(
        pd.DataFrame(
            [
                {
                    "enterprise_id": plant["enterprise_id"],
                    "period": "2024",
                    "stream": "electricity",
                    "item": "electricity",
                    "direction": "in",
                    "amount": "6245.5777499",
                    "unit": "kWh",
                }
            ]
        ),
        pd.DataFrame([{"enterprise_id": plant["enterprise_id"], "region_code": "130900"}]),
    ).lines
    assert motor["co2_t"] == pytest.approx(float(lines["co2_t"].iloc[0]), rel=1e-6)
    assert motor["energy_tce"] == pytest.approx(float(lines["energy_tce"].iloc[0]), rel=1e-6)
    assert motor["cost_saving_yuan"] == pytest.approx(6245.5777 * 0.62, rel=1e-6)
    assert motor["simple_payback_years"] == pytest.approx(42_000 / motor["cost_saving_yuan"])
    boiler = measures["B-1 gas boiler:combustion_tuning"]
    assert boiler["savings"][0]["item"] == "natural_gas"
    assert boiler["cost_saving_yuan"] == pytest.approx(boiler["savings"][0]["amount"] * 3.4)
    totals = result["totals"]
    assert totals["co2_t"] == pytest.approx(sum(m["co2_t"] for m in measures.values()))
    curve = result["mac_curve"]
    assert [c["mac_yuan_per_t"] for c in curve] == sorted(c["mac_yuan_per_t"] for c in curve)
    assert curve[-1]["to_t"] == pytest.approx(totals["co2_t"])  # every measure here is priced
    assert any("taken at the limit value" in w["message"] for w in result["warnings"])
    grades = {f["equipment"]: f["state"].get("grade") for f in result["findings"]}
    assert grades["M-101 raw mill fan motor"] == 3 and grades["T-1 main transformer"] == 3


def _problems(data: dict[str, Any], reference: Reference) -> list[str]:
    with pytest.raises(InputError) as caught:
        diagnose(parse(data), reference)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("index", "field", "value", "expected"),
    [
        (
            0,
            "efficiency",
            1.2,
            "field equipment.0.motor.efficiency: Input should be less than or equal to 1",
        ),
        (0, "load", 1.3, "field equipment.0.motor.load: Input should be less than or equal to 1"),
        (
            2,
            "rated_flow_m3h",
            -5,
            "field equipment.2.pump.rated_flow_m3h: Input should be greater than 0",
        ),
        (
            0,
            "type",
            "teapot",
            "field equipment.0: Input tag 'teapot' found using 'type' does not match",
        ),
        (
            4,
            "input_kw",
            60,
            "field equipment.4.compressor: Value error, input_kw is more than 1.25 x rated_kw",
        ),
        (5, "flue_temperature_c", 10, "flue_temperature_c must be above air_temperature_c"),
        (4, "pressure_reduction_kpa", 2000, "is not below the discharge pressure"),
        (
            2,
            "profile",
            [{"flow": 1.0, "hours": 8000}, {"flow": 0.5, "hours": 8000}],
            "more than a year",
        ),
        (2, "shutoff_head_m", 30, "field equipment.2.rated_head_m: needs static rise"),
    ],
)
def test_impossible_physics_is_refused_by_field(
    plant: dict[str, Any], reference: Reference, index: int, field: str, value: Any, expected: str
) -> None:
    bad = copy.deepcopy(plant)
    bad["equipment"][index][field] = value
    assert any(expected in p for p in _problems(bad, reference))


def test_other_bad_plants(plant: dict[str, Any], reference: Reference) -> None:
    priceless = copy.deepcopy(plant)
    del priceless["prices"]["natural_gas"]
    assert _problems(priceless, reference) == [
        "field prices.natural_gas: the plant saves it: give its price"
    ]
    twice = copy.deepcopy(plant)
    twice["equipment"][1]["id"] = twice["equipment"][0]["id"]
    assert any("ids must be unique" in p for p in _problems(twice, reference))
    odd = copy.deepcopy(plant)
    odd["equipment"][3]["rated_kva"] = 999
    assert any(
        p.startswith("field equipment.3.rated_kva: no GB 20052-2024 row")
        for p in _problems(odd, reference)
    )
    cold = copy.deepcopy(plant)
    cold["equipment"][6]["outlet_c"] = 90
    assert any(
        "equipment.6.outlet_c" in p and "exit limit" in p for p in _problems(cold, reference)
    )


def test_the_cli(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path, plant: dict[str, Any]
) -> None:
    code, stdout, stderr = cli("diagnose", str(EXAMPLE), "--json")
    assert code == 0 and "taken at the limit value" in stderr
    assert len(json.loads(stdout)["measures"]) == 8
    code, stdout, _ = cli("diagnose", str(EXAMPLE))
    assert code == 0 and "MAC yuan/t" in stdout
    bad = copy.deepcopy(plant)
    bad["equipment"][0]["efficiency"] = 1.5
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    code, _, stderr = cli("diagnose", str(path))
    assert code == 2 and "bad.yaml, field equipment.0.motor.efficiency" in stderr
    assert "Traceback" not in stderr


def test_process_gaps_from_the_benchmarking_engine(
    plant: dict[str, Any],
    reference: Reference,
    tmp_path: Path,
    cli: Callable[..., tuple[int, str, str]],
) -> None:
    """With the plant's activity, each product above its benchmark level becomes a measure with
    the benchmarking engine's saving potential (energy and CO2)."""
    from carbonpeak.benchmarking.grades import grade
    from carbonpeak.demo.province import generate_province, province_activity

    province = generate_province(seed=7, enterprises=200)
    activity = province_activity(province).astype(str).replace("nan", "")
    steel = next(e for e in province.enterprises if e.sector == "steel").enterprise
    data = copy.deepcopy(plant) | {
        "enterprise_id": steel.enterprise_id,
        "region_code": steel.region_code,
        "year": int(activity["period"].iloc[0]),
        "equipment": [],
        "activity": "activity.csv",
        "prices": {**plant["prices"], "tce": {"price": 900, "unit": "tce"}},
        "process_costs": {"blast_furnace": {"capital_cost": 5e6, "lifetime_years": 15}},
    }
    mine = activity[activity["enterprise_id"] == steel.enterprise_id]
    expected = grade(
        mine,
        pd.DataFrame([{"enterprise_id": steel.enterprise_id, "region_code": steel.region_code}]),
    ).table
    result = diagnose(parse(data), reference, activity)
    gaps = {m["equipment"]: m for m in result["measures"]}
    for row in expected.to_dict("records"):
        if row["saving_potential_tce"] > 0:
            found = gaps[row["area"]]
            assert found["energy_tce"] == pytest.approx(row["saving_potential_tce"])
            assert found["co2_t"] == pytest.approx(row["saving_potential_co2_t"])
            assert found["cost_saving_yuan"] == pytest.approx(900 * row["saving_potential_tce"])
    assert gaps, "the demo steel plant has a gap to some benchmark"
    if "blast_furnace" in gaps:
        assert gaps["blast_furnace"]["npv_yuan"] is not None
    activity.to_csv(tmp_path / "activity.csv", index=False)
    (tmp_path / "plant.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    code, stdout, stderr = cli("diagnose", str(tmp_path / "plant.yaml"), "--json")
    assert code == 0, stderr
    assert {m["equipment"] for m in json.loads(stdout)["measures"]} == set(gaps)
    del data["prices"]["tce"]
    with pytest.raises(InputError, match="give its price"):
        diagnose(parse(data), reference, activity)
    (tmp_path / "plant.yaml").write_text(
        yaml.safe_dump(data | {"activity": "nope.csv"}), encoding="utf-8"
    )
    code, _, stderr = cli("diagnose", str(tmp_path / "plant.yaml"))
    assert code == 2 and "nope.csv: not found" in stderr


def test_management_checklist_and_metering(plant: dict[str, Any], reference: Reference) -> None:
    result = diagnose(parse(plant), reference)
    management = result["management"]
    # 10 clauses answered of 26: 4 yes, 4 partly (0.5), 2 no -> (4 + 2) / 10
    assert management["score"] == pytest.approx(60.0)
    assert management["answered"] == pytest.approx(10 / 26)
    assert {g["clause"] for g in management["gaps"]} == {"6.3", "6.4", "6.5", "6.6", "9.2", "10.2"}
    assert "6.5" in {g["clause"] for g in management["gaps"] if g["answer"] == "no"}
    metering = result["metering"]
    assert metering["levels"] == pytest.approx(
        {"unit": 1.0, "sub_unit": 7 / 8, "equipment": 31 / 40}
    )
    assert metering["verdict"] is None and "supplied by the authority" in metering["note"]
    bad = copy.deepcopy(plant)
    bad["management"]["11.9"] = "yes"
    assert _problems(bad, reference) == ["field management.11.9: no clause 11.9 in ISO 50001:2018"]
    worse = copy.deepcopy(plant)
    worse["meters"][0]["installed"] = 3
    assert any("installed is above required" in p for p in _problems(worse, reference))
