"""The documents users write (applications, sheets, plans) are read by declared schemas: a YAML
`true` is not a number, a quantity that cannot be negative is refused below 0, dates lie in a
plausible window, `.inf` is not a number and unknown keys are refused; each problem names the
file and the field (issue 15, item 8). Every case goes through the real CLI."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.policy.test_capacity_swap import TANGSHAN, _steel
from tests.policy.test_data_centre import _centre
from tests.policy.test_green_factory import _sheet
from tests.policy.test_planner import _plan
from tests.policy.test_two_high import _clinker

Cli = Callable[..., tuple[int, str, str]]
COMMANDS = {
    "swap": ("policy", "swap"),
    "project": ("policy", "projects"),
    "datacentre": ("policy", "datacentre"),
    "factory": ("policy", "factory"),
    "plan": ("credits", "plan"),
}


def _base(kind: str) -> dict[str, Any]:
    return {
        "swap": lambda: _steel(TANGSHAN, 12_500_000),
        "project": lambda: _clinker(1.0),
        "datacentre": lambda: _centre(1.3),
        "factory": _sheet,
        "plan": lambda: _plan(1500),
    }[kind]()


def _set(data: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """`data` with the value at the dotted path `field` replaced (or added)."""
    data = copy.deepcopy(data)
    *parents, last = field.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[_key(node, key)]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[_key(node, last)] = value
    return data


def _key(node: dict[Any, Any], key: str) -> Any:
    return int(key) if key.isdigit() and int(key) in node else key


def _run(cli: Cli, tmp_path: Path, kind: str, data: dict[str, Any]) -> tuple[int, str, str]:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return cli(*COMMANDS[kind], str(path), "--json")


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_the_good_documents_pass(cli: Cli, tmp_path: Path, kind: str) -> None:
    code, _out, err = _run(cli, tmp_path, kind, _base(kind))
    assert code == 0, err


# (kind, field, value, the field the problem names): the defects quoted in the issue first,
# then their siblings in every other document
BAD = [
    ("swap", "exit.0.capacity_t", True, "exit.0.capacity_t"),  # was read as 1
    ("project", "unit_energy", -500, "unit_energy"),  # was approved
    ("datacentre", "evaluation_date", date(1, 1, 1), "evaluation_date"),  # was compliant
    ("plan", "colour", "red", "colour"),  # an unknown key was ignored
    ("plan", "lines.1.volume.2024", [0, float("inf")], "lines.1.volume.2024"),
    ("plan", "lines.0.volum", {2024: [0, 10]}, "lines.0.volum"),
    ("plan", "prices.buy.2024", True, "prices.buy.2024"),
    ("plan", "lines.0.curb_mass_kg", float("inf"), "lines.0.curb_mass_kg"),
    ("plan", "lines.0.seat_rows", True, "lines.0.seat_rows"),
    ("plan", "years", [1], "years.0"),
    ("plan", "prices.sell", {2024: -5}, "prices.sell.2024"),
    ("swap", "built.0.capacity_t", float("inf"), "built.0.capacity_t"),
    ("swap", "application_date", date(1, 1, 1), "application_date"),
    ("swap", "application_date", 20220301, "application_date"),  # not seconds since 1970
    ("swap", "in_site_upgrade", 1, "in_site_upgrade"),
    ("swap", "national_capacity_t", True, "national_capacity_t"),
    ("project", "annual_energy_tce", True, "annual_energy_tce"),
    ("project", "annual_energy_tce", float("inf"), "annual_energy_tce"),
    ("project", "application_date", date(9999, 1, 1), "application_date"),
    ("project", "remaining_energy_budget_tce", float("nan"), "remaining_energy_budget_tce"),
    ("datacentre", "racks", True, "racks"),
    ("datacentre", "months.0.total_kwh", float("inf"), "months.0.total_kwh"),
    ("datacentre", "large", "yes", "large"),
    ("factory", "sections.products.0.points", True, "sections.products.0.points"),
    ("factory", "basic.0.met", 1, "basic.0.met"),
    ("factory", "sections.products.0.score", float("nan"), "sections.products.0.score"),
]


@pytest.mark.parametrize(("kind", "field", "value", "named"), BAD)
def test_a_bad_value_is_refused_naming_file_and_field(
    cli: Cli, tmp_path: Path, kind: str, field: str, value: Any, named: str
) -> None:
    code, out, err = _run(cli, tmp_path, kind, _set(_base(kind), field, value))
    assert code == 2, out + err
    assert f"{kind}.yaml" in err and f"field {named}" in err, err


def test_an_int_where_a_float_is_expected_is_fine(cli: Cli, tmp_path: Path) -> None:
    data = _set(_base("datacentre"), "months.0.total_kwh", 1_300_000)
    data = _set(data, "months.0.it_kwh", 1_000_000)
    assert _run(cli, tmp_path, "datacentre", data)[0] == 0


# the plant of `diagnosis run` and the scenario of `pathways run`: the same rule
PLANT = Path(str(resources.files("carbonpeak.diagnosis") / "example.yaml"))
SCENARIO = {
    "base_year": 2020,
    "horizon": 2030,
    "scenarios": {
        "S": {
            "sectors": {
                "steel": {
                    "activity": {"unit": "Mt", "value": 100},
                    "emission_intensity": {"unit": "tCO2/t", "value": 2},
                }
            }
        }
    },
}
OTHERS = [
    ("diagnosis", "equipment.0.rated_kw", True, "equipment.0.motor.rated_kw"),
    ("diagnosis", "equipment.0.poles", True, "equipment.0.motor.poles"),
    ("diagnosis", "equipment.0.hours", float("inf"), "equipment.0.motor.hours"),
    ("diagnosis", "year", True, "year"),
    ("diagnosis", "discount_rate", float("nan"), "discount_rate"),
    ("diagnosis", "colour", "red", "colour"),
    ("pathways", "base_year", True, "base_year"),
    ("pathways", "scenarios.S.sectors.steel.activity.value", True, "scenarios.S.sectors.steel"),
    ("pathways", "scenarios.S.sectors.steel.activity.value", float("inf"), "scenarios.S"),
]


def _other(kind: str) -> dict[str, Any]:
    if kind == "diagnosis":
        loaded: dict[str, Any] = yaml.safe_load(PLANT.read_text(encoding="utf-8"))
        return loaded
    return copy.deepcopy(SCENARIO)


@pytest.mark.parametrize("kind", ["diagnosis", "pathways"])
def test_the_good_plant_and_scenario_pass(cli: Cli, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(yaml.safe_dump(_other(kind), allow_unicode=True), encoding="utf-8")
    code, _out, err = cli(kind, "run", str(path), "--json")
    assert code == 0, err


@pytest.mark.parametrize(("kind", "field", "value", "named"), OTHERS)
def test_a_bad_plant_or_scenario_is_refused(
    cli: Cli, tmp_path: Path, kind: str, field: str, value: Any, named: str
) -> None:
    path = tmp_path / f"{kind}.yaml"
    data = _set(_other(kind), field, value)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, err = cli(kind, "run", str(path), "--json")
    assert code == 2, out + err
    assert f"{kind}.yaml" in err and f"field {named}" in err, err


# the tables of `credits compute` and `credits ledger`: inf volumes and amounts, dates outside
# the window (an inf volume ended in exit 70)
FLEET = Path(__file__).parents[2] / "examples" / "fleet.csv"
LEDGER_HEAD = "day,kind,credit,vintage,amount,entity\n"
MAKER_ROW = ",earn,nev,2023,{},911302007A3K9C2D24\n"


@pytest.mark.parametrize(("volume", "year"), [("inf", "2021"), ("1e300", "2021"), ("20000", "1e9")])
def test_a_fleet_with_an_impossible_volume_or_year_is_refused(
    cli: Cli, tmp_path: Path, volume: str, year: str
) -> None:
    path = tmp_path / "fleet.csv"
    lines = FLEET.read_text(encoding="utf-8").splitlines()
    first = lines[1].replace(",20000,", f",{volume},").replace(",2021,", f",{year},", 1)
    assert first != lines[1] or volume == "20000"
    path.write_text("\n".join([lines[0], first, *lines[2:]]) + "\n", encoding="utf-8")
    code, out, err = cli("credits", "compute", str(path), "--year", "2021")
    assert code == 2, out + err
    assert "fleet.csv" in err and "row 2" in err and "internal error" not in err


@pytest.mark.parametrize(
    ("day", "amount", "column"),
    [("2024-01-05", "inf", "amount"), ("2024-01-05", "nan", "amount"), ("0001-01-05", "5", "day")],
)
def test_a_ledger_entry_with_inf_or_an_implausible_day_is_refused(
    cli: Cli, tmp_path: Path, day: str, amount: str, column: str
) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER_HEAD + day + MAKER_ROW.format(amount), encoding="utf-8")
    code, out, err = cli("credits", "ledger", str(path))
    assert code == 2, out + err
    assert "ledger.csv" in err and f"column {column}" in err
