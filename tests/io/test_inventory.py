"""The plant equipment inventory workbook: the blank template filled by hand (as a diagnosis
team would, from the nameplates of the example plant) reads back to exactly the plant the
example YAML gives; bad workbooks are refused with every problem placed by sheet, row and the
header as written, and the CLI exits 2 computing nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from carbonpeak.diagnosis.plant import example_text, parse
from carbonpeak.errors import InputError
from carbonpeak.io.inventory import header, title, write_inventory
from carbonpeak.io.inventory_read import read_inventory

Cli = Callable[..., tuple[int, str, str]]

# The example plant (diagnosis/example.yaml) as typed into the workbook's sheets, by field code.
PLANT = {
    "enterprise_id": "91130900XBK2D30H7H",
    "name": "example cement works",
    "region_code": "130900",
    "year": 2024,
    "discount_rate": 0.08,
}
ROWS: dict[str, list[dict[str, Any]]] = {
    "prices": [
        {"item": "electricity", "price": 0.62, "unit": "kWh"},
        {"item": "natural_gas", "price": 3.4, "unit": "Nm3"},
    ],
    "motor": [
        {"id": "M-101 raw mill fan motor", "rated_kw": 75, "poles": 4, "efficiency": 0.95,
         "load": 0.75, "hours": 6000, "replacement_cost": 42000, "lifetime_years": 15},
        {"id": "M-102 conveyor motor", "rated_kw": 15, "poles": 4, "load": 0.6, "hours": 5000,
         "replacement_cost": 9000, "lifetime_years": 15},
    ],
    "pump": [
        {"id": "P-201 cooling water pump", "rated_flow_m3h": 400, "rated_head_m": 40,
         "shutoff_head_m": 55, "static_head_m": 15, "efficiency": 0.78,
         "motor_efficiency": 0.94, "profile": "1.0:2000; 0.7:4000; 0.5:2000",
         "drive_cost": 60000, "lifetime_years": 12},
    ],
    "transformer": [
        {"id": "T-1 main transformer", "kind": "oil_immersed", "core": "electrical_steel",
         "connection": "Yyn0", "rated_kva": 1000, "no_load_loss_kw": 0.83,
         "load_loss_kw": 10.3, "load_factor": 0.5, "replacement_cost": 160000,
         "lifetime_years": 25},
    ],
    "compressor": [
        {"id": "C-1 plant air", "rated_kw": 37, "pressure_mpa": 0.8, "cooling": "air",
         "input_kw": 37, "free_air_m3min": 5.0, "hours": 6000, "leaks": "3:4",
         "pressure_reduction_kpa": 50, "leak_repair_cost": 5000, "lifetime_years": 2},
    ],
    "boiler": [
        {"id": "B-1 gas boiler", "fuel": "natural_gas", "fuel_use": "２,０００,０００",
         "fuel_unit": "Nm3", "flue_temperature_c": 180, "air_temperature_c": 20, "o2_pct": 6,
         "target_o2_pct": 3, "siegert_a2": 0.65, "siegert_b": 0.009, "other_losses_pct": 1.5,
         "tuning_cost": 20000, "grade_fuel": "natural_gas_non_condensing",
         "lifetime_years": 5},
    ],
    "waste_heat": [
        {"id": "W-1 boiler economiser", "fuel": "natural_gas", "fuel_unit": "Nm3",
         "flow_kg_h": 9000, "heat_capacity_kj_kgk": 1.05, "inlet_c": 180, "outlet_c": 125,
         "hours": 6000, "boiler_efficiency": 0.9, "capital_cost": 150000,
         "lifetime_years": 15},
    ],
    "management": [
        {"clause": c, "answer": a}
        for c, a in [("4.1", "yes"), ("5.1", "yes"), ("5.2", "yes"), ("6.3", "partly"),
                     ("6.4", "partly"), ("6.5", "no"), ("6.6", "partly"), ("9.1", "yes"),
                     ("9.2", "no"), ("10.2", "partly")]
    ],
    "meters": [
        {"level": "unit", "energy": "electricity", "required": 2, "installed": 2},
        {"level": "unit", "energy": "natural_gas", "required": 1, "installed": 1},
        {"level": "sub_unit", "energy": "electricity", "required": 8, "installed": 7},
        {"level": "equipment", "energy": "electricity", "required": 40, "installed": 31},
    ],
}  # fmt: skip


def _fill(path: Path) -> None:
    """Type the example plant into the blank template, cell by cell, by the headers."""
    book = load_workbook(path)
    sheet = book[title("plant")]
    for line in range(2, sheet.max_row + 1):
        code = str(sheet.cell(line, 1).value).split("(")[1].split(")")[0]
        if code in PLANT:
            sheet.cell(line, 2).value = PLANT[code]
    for kind, rows in ROWS.items():
        sheet = book[title(kind)]
        columns = {cell.value: cell.column for cell in sheet[1]}
        for number, row in enumerate(rows, start=2):
            for field, value in row.items():
                sheet.cell(number, columns[header(field)]).value = value
    book.save(path)


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.xlsx"
    write_inventory(path)  # blank: headers only
    _fill(path)
    return path


def test_the_filled_template_is_the_example_plant(filled: Path) -> None:
    data = read_inventory(filled)
    assert parse(data) == parse(yaml.safe_load(example_text()))
    pump = data["equipment"][2]
    assert pump["type"] == "pump"
    assert pump["profile"] == [
        {"flow": 1, "hours": 2000},
        {"flow": 0.7, "hours": 4000},
        {"flow": 0.5, "hours": 2000},
    ]
    assert data["equipment"][5]["fuel_use"] == 2_000_000  # full-width digits and separators
    assert data["region_code"] == "130900" and data["management"]["10.2"] == "partly"


def test_the_example_workbook_reads_back_and_has_its_help(tmp_path: Path) -> None:
    path = tmp_path / "example.xlsx"
    example = yaml.safe_load(example_text())
    write_inventory(path, example)
    assert parse(read_inventory(path)) == parse(example)
    book = load_workbook(path)
    assert book.sheetnames[0] == "说明 (help)" and "电动机 (motor)" in book.sheetnames
    assert book[title("motor")].cell(1, 3).value == "额定功率 (rated_kw) [kW]"
    poles = [
        v for v in book[title("motor")].data_validations.dataValidation if "4" in str(v.formula1)
    ]
    assert poles and poles[0].formula1 == '"2,4,6,8"'
    helps = [row[3] for row in book["说明 (help)"].iter_rows(values_only=True)]
    assert "铭牌额定功率" in helps


def _col(sheet: Worksheet, field: str) -> int:
    return next(c.column for c in sheet[1] if c.value == header(field))


def _problems(path: Path) -> list[tuple[str | None, int | None, str | None, str]]:
    with pytest.raises(InputError) as caught:
        read_inventory(path)
    return [(p.place.sheet, p.place.row, p.place.column, p.message) for p in caught.value.problems]


def _edit(path: Path, change: Callable[[Any], None]) -> Path:
    book = load_workbook(path)
    change(book)
    book.save(path)
    return path


def test_bad_cells_are_placed_all_at_once(filled: Path) -> None:
    def change(book: Any) -> None:
        motors: Worksheet = book[title("motor")]
        motors.cell(3, 1).value = "sprocket"  # the equipment type of the second motor
        motors.cell(1, _col(motors, "poles")).value = "极数"  # a header in Chinese only: still read
        boilers: Worksheet = book[title("boiler")]
        boilers.cell(1, _col(boilers, "fuel")).value = "nonsense (nonsense)"

    found = _problems(_edit(filled, change))
    assert (title("motor"), 3, "设备类型 (type)") == found[0][:3]
    assert "unknown equipment type 'sprocket'" in found[0][3]
    assert found[1][:3] == (title("boiler"), 1, "nonsense (nonsense)")
    assert len(found) == 2


def test_a_number_out_of_range_is_placed_at_its_cell(filled: Path) -> None:
    def change(book: Any) -> None:
        motors = book[title("motor")]
        motors.cell(2, _col(motors, "efficiency")).value = 1.5  # M-101's: above 1
        book[title("plant")].cell(5, 2).value = 1990  # year

    found = _problems(_edit(filled, change))
    assert [f[:3] for f in found] == [
        (title("plant"), 5, "值 (value)"),
        (title("motor"), 2, "效率 (efficiency)"),
    ]
    assert (
        "greater than or equal to 2005" in found[0][3] and "less than or equal to 1" in found[1][3]
    )


def test_a_missing_sheet_and_merged_headers(filled: Path) -> None:
    def change(book: Any) -> None:
        book[title("prices")].title = "价格"  # renamed: neither its name nor its code
        book[title("pump")].merge_cells("B1:C1")

    found = _problems(_edit(filled, change))
    assert ("价格", None, None) in [f[:3] for f in found]  # the unknown sheet
    assert (title("prices"), None, None, "the sheet is missing") in found
    merged = [f for f in found if f[0] == title("pump")]
    assert merged[0][1:3] == (1, "设备编号及名称 (id)") and "B1:C1" in merged[0][3]


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "plant.xlsx"
    path.write_text("enterprise_id: x\n", encoding="utf-8")
    assert _problems(path) == [(None, None, None, "not an Excel workbook (.xlsx)")]


def test_cli_template_and_run(filled: Path, tmp_path: Path, cli: Cli) -> None:
    template = tmp_path / "template.xlsx"
    code, out, _ = cli("diagnosis", "template", str(template))
    assert code == 0 and template.exists()
    assert parse(read_inventory(template)) == parse(yaml.safe_load(example_text()))
    code, out, _ = cli("diagnosis", "run", str(filled), "--json")
    assert code == 0 and '"measure": "motor_replacement"' in out.replace("'", '"')
    _edit(filled, lambda book: book[title("motor")].cell(2, 7).__setattr__("value", 1.5))
    assert header("efficiency") == load_workbook(filled)[title("motor")].cell(1, 7).value
    report = tmp_path / "report.html"
    code, _, err = cli("diagnosis", "run", str(filled), "--report", str(report))
    assert code == 2 and "sheet 电动机 (motor), row 2, column 效率 (efficiency)" in err
    assert not report.exists()


def _typed(low: float, high: float) -> st.SearchStrategy[float]:
    """A number as a person types it: six significant digits (a workbook keeps 15; openpyxl
    writes 1033.8853187640616 as 1033.885318764062)."""
    return st.floats(low, high, allow_nan=False).map(lambda x: float(f"{x:.6g}"))


motors = st.fixed_dictionaries(
    {
        "type": st.just("motor"),
        "rated_kw": _typed(0.1, 10_000),
        "poles": st.sampled_from([2, 4, 6, 8]),
        "load": _typed(0.01, 1),
        "hours": st.integers(1, 8784),
    },
    optional={
        "efficiency": _typed(0.5, 1),
        "target_grade": st.sampled_from([1, 2, 3]),
        "replacement_cost": _typed(0, 1e7),
    },
)


@settings(max_examples=15, deadline=None)
@given(st.lists(motors, min_size=1, max_size=4))
def test_any_motors_survive_the_round_trip(tmp_path_factory: Any, rows: list[Any]) -> None:
    plant = yaml.safe_load(example_text())
    plant["equipment"] = [{**row, "id": f"M-{n}"} for n, row in enumerate(rows)]
    path = tmp_path_factory.mktemp("motors") / "motors.xlsx"
    write_inventory(path, plant)
    assert parse(read_inventory(path)) == parse(plant)
