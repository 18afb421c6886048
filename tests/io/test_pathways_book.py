"""The pathway scenario workbook (io/pathways_book.py, _read): the builder's example written and
read back is the file the builder's form writes; Chinese or English headers and names; bad
cells placed by sheet, row and header as written; `pathways template` and `pathways run`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from carbonpeak.errors import InputError
from carbonpeak.io.pathways_book import (
    HELP_SHEET,
    LIST_SHEET,
    PATH_SHEET,
    PATH_SPECS,
    SCENARIO_SHEET,
    SCENARIO_SPECS,
    write_scenario_book,
)
from carbonpeak.pathways.builder import Plan, example_plan
from carbonpeak.pathways.projection import parse
from carbonpeak.services.pathways import (
    WEB_DRAWS,
    build_scenario,
    builder_choices,
    read_scenario_workbook,
    scenario_workbook,
)

Cli = Callable[..., tuple[int, str, str]]


def _form(plan: Plan) -> dict[str, list[str]]:
    """The builder's form filled with a plan, as the page posts it."""
    return {
        "name": [plan.name],
        "sectors": list(plan.sectors),
        "regions": list(plan.regions),
        "horizon": [str(plan.horizon)],
        "growth_year": [str(y) for y, _ in plan.growth],
        "growth_rate": [str(v) for _, v in plan.growth],
        "intensity_year": [str(y) for y, _ in plan.intensity],
        "intensity_value": [str(v) for _, v in plan.intensity],
        "low": [str(plan.low)],
        "high": [str(plan.high)],
    }


def _problems(path: Path) -> list[tuple[str | None, int | None, str | None, str]]:
    with pytest.raises(InputError) as caught:
        read_scenario_workbook(None, path)
    return [(p.place.sheet, p.place.row, p.place.column, p.message) for p in caught.value.problems]


def test_the_example_reads_back_as_the_file_the_builder_form_writes(tmp_path: Path) -> None:
    path = tmp_path / "情景.xlsx"
    scenario_workbook(None, path)
    book = load_workbook(path)
    assert book.sheetnames == [HELP_SHEET, SCENARIO_SHEET, PATH_SHEET, LIST_SHEET]
    assert book[SCENARIO_SHEET]["A1"].value == "情景名称 (name)"
    assert book[PATH_SHEET]["E1"].value == "产出增速 (growth_rate) [%/a]"
    assert len(book[PATH_SHEET].data_validations.dataValidation) == 3
    data = read_scenario_workbook(None, path)
    base_year = builder_choices(None)["base_year"]
    assert data == build_scenario(None, _form(example_plan(base_year)))["file"]
    # by hand: +1 % a year is a rate of 0.01; 50 % of the base intensity a point of 0.5; the
    # range -10 % .. +10 % of Hebei steel's observed base CO2 B: B x 0.9 .. B .. B x 1.1
    steel = data["scenarios"]["示例"]["regions"]["130000"]["sectors"]["steel"]
    assert steel["activity"]["growth"]["rate"] == {base_year: 0.01, 2030: -0.01}
    assert steel["emission_intensity"]["points"] == {base_year: 1.0, 2060: 0.5}
    scale = steel["emission_intensity"]["scale"]
    assert scale["low"] == pytest.approx(0.9 * scale["mode"])
    assert scale["high"] == pytest.approx(1.1 * scale["mode"])
    assert data["draws"] == WEB_DRAWS
    parse(data)


def test_english_headers_and_names_and_two_scenarios(tmp_path: Path) -> None:
    """Two scenarios, one with two provinces and two sectors, read the same with the English
    codes as headers and provinces by their English names."""
    base_year = builder_choices(None)["base_year"]
    first = example_plan(base_year)
    second = Plan(
        "fast",
        ("steel", "power"),
        ("130000", "110000"),
        2050,
        ((base_year, 2.0),),
        ((base_year, 100.0), (2030, 80.0), (2050, 20.0)),
    )
    path = tmp_path / "two.xlsx"
    write_scenario_book(path, builder_choices(None), [first, second])
    data = read_scenario_workbook(None, path)
    both = build_scenario(None, _form(second), build_scenario(None, _form(first))["own"])["file"]
    assert data == both
    book = load_workbook(path)
    for sheet, specs in ((SCENARIO_SHEET, SCENARIO_SPECS), (PATH_SHEET, PATH_SPECS)):
        for number, spec in enumerate(specs, start=1):
            book[sheet].cell(1, number).value = spec.code
    names = {"130000": "Hebei", "110000": "Beijing"}
    for row in range(2, book[PATH_SHEET].max_row + 1):
        cell = book[PATH_SHEET].cell(row, 2)
        code = str(cell.value).split("(")[1].rstrip(")")
        cell.value = names[code]
        book[PATH_SHEET].cell(row, 3).value = str(book[PATH_SHEET].cell(row, 3).value)[:2]
    english = tmp_path / "english.xlsx"
    book.save(english)
    assert {r["code"]: r["name_en"] for r in builder_choices(None)["regions"]}["130000"] == "Hebei"
    assert read_scenario_workbook(None, english) == both


def test_bad_cells_are_placed_by_sheet_row_and_header_as_written(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    scenario_workbook(None, path)
    book = load_workbook(path)
    paths = book[PATH_SHEET]
    paths["E1"].value = "增速（growth_rate）"  # full-width brackets, as typed
    paths["E3"].value = "abc"  # row 3: the 2030 growth rate
    paths.append(["示例", "火星省", "钢铁", 2030, 1, None])
    paths.append(["other", "130000", "steel", 2019, 1, 100])
    book[SCENARIO_SHEET]["B2"].value = 2200
    book.save(path)
    found = _problems(path)
    assert (PATH_SHEET, 3, "增速（growth_rate）", "'abc' is not a number") in found
    assert (SCENARIO_SHEET, 2, "终止年份 (horizon)", "a year from 2020 to 2100") in found
    assert any(p[:3] == (PATH_SHEET, 5, "地区 (region)") and "火星省" in p[3] for p in found)
    assert any(p[:3] == (PATH_SHEET, 6, "情景名称 (name)") and "'other'" in p[3] for p in found)
    # the first year of a path is the base year, placed at its first row's year
    scenario_workbook(None, path)
    book = load_workbook(path)
    book[PATH_SHEET]["D2"].value = 2020
    book.save(path)
    base_year = builder_choices(None)["base_year"]
    assert (
        PATH_SHEET,
        2,
        "年份 (year)",
        f"the first year is the base year {base_year}",
    ) in _problems(path)


def test_a_renamed_sheet_or_unknown_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "renamed.xlsx"
    scenario_workbook(None, path)
    book = load_workbook(path)
    book[PATH_SHEET].title = "Sheet2"
    book[SCENARIO_SHEET]["E1"].value = "备注"
    book.save(path)
    found = _problems(path)
    assert any(p[0] is None and PATH_SHEET in p[3] for p in found)  # no sheet 路径 (paths)
    assert any(p[:3] == (SCENARIO_SHEET, 1, "备注") for p in found)


@pytest.mark.parametrize(
    ("scenarios", "paths"), [("scenarios", "paths"), ("情景", "路径（paths）")]
)
def test_sheets_titled_by_code_or_chinese_name_read_the_same(
    tmp_path: Path, scenarios: str, paths: str
) -> None:
    """The sheets found by their code or Chinese name (io.tables.sheet_named), a percentage
    cell (`_percent_cells`) too: the same scenario as under the written titles."""
    path = tmp_path / "s.xlsx"
    scenario_workbook(None, path)
    book = load_workbook(path)
    book[PATH_SHEET]["E2"].number_format = "0.0%"  # 2.5 % typed in Excel keeps 0.025
    book[PATH_SHEET]["E2"].value = book[PATH_SHEET]["E2"].value / 100
    book.save(path)
    expected = read_scenario_workbook(None, path)
    book[SCENARIO_SHEET].title = scenarios
    book[PATH_SHEET].title = paths
    book.save(path)
    assert read_scenario_workbook(None, path) == expected


def test_the_cli_writes_and_runs_the_workbook(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "scenario.xlsx"
    code, out, err = cli("pathways", "template", str(path))
    assert code == 0 and "Written" in out, err
    code, out, err = cli("pathways", "run", str(path), "--draws", "20", "--json")
    assert code == 0, err
    assert list(json.loads(out)["scenarios"]) == ["示例"]
    code, _, err = cli("pathways", "template", str(tmp_path / "s.yaml"))
    assert code == 2 and "name it *.xlsx" in err
    blank = tmp_path / "blank.xlsx"
    assert cli("pathways", "template", str(blank), "--blank")[0] == 0
    assert load_workbook(blank)[SCENARIO_SHEET].max_row == 1
    code, _, err = cli("pathways", "run", str(blank))
    assert code == 2 and f"{blank}, sheet {SCENARIO_SHEET}, row 2" in err, err
    bad = tmp_path / "bad.xlsx"
    scenario_workbook(None, bad)
    book = load_workbook(bad)
    book[PATH_SHEET]["F3"].value = -5
    book.save(bad)
    code, _, err = cli("pathways", "run", str(bad))
    assert code == 2
    assert f"{bad}, sheet {PATH_SHEET}, row 3, column 排放强度 (intensity_value) [%]" in err, err


def test_a_cell_excel_shows_as_a_percentage_is_read_as_shown(tmp_path: Path) -> None:
    """-1 % typed in Excel as a percentage is kept as -0.01 formatted 0%: read as -1, as shown;
    the file equals the example's."""
    path = tmp_path / "percent.xlsx"
    scenario_workbook(None, path)
    expected = read_scenario_workbook(None, path)
    book = load_workbook(path)
    book[PATH_SHEET]["E3"].value = -0.01
    book[PATH_SHEET]["E3"].number_format = "0%"
    book[SCENARIO_SHEET]["C2"].value = -0.1
    book[SCENARIO_SHEET]["C2"].number_format = "0.0%"
    book.save(path)
    assert read_scenario_workbook(None, path) == expected


def test_a_percentage_cell_holding_a_formula_is_read_as_its_shown_result(tmp_path: Path) -> None:
    """`=-1/100` shown as -1 % (its result as Excel saved it: -0.01) reads as -1, as shown, not
    as -0.01 % (the formula's text is no number; its saved result is)."""
    import re
    import zipfile

    path = tmp_path / "formula.xlsx"
    scenario_workbook(None, path)
    expected = read_scenario_workbook(None, path)
    book = load_workbook(path)
    book[PATH_SHEET]["E3"].value = "=-1/100"
    book[PATH_SHEET]["E3"].number_format = "0%"
    book.save(path)
    # Excel keeps a formula's last result beside it; openpyxl writes none: add it as Excel would
    sheet = f"xl/worksheets/sheet{book.sheetnames.index(PATH_SHEET) + 1}.xml"
    with zipfile.ZipFile(path) as packed:
        parts = {name: packed.read(name) for name in packed.namelist()}
    xml = parts[sheet].decode()
    xml, count = re.subn(
        r'(<c r="E3"[^>]*>)<f>(.*?)</f>(<v\s*/>|<v></v>)?', r"\1<f>\2</f><v>-0.01</v>", xml
    )
    assert count == 1
    parts[sheet] = xml.encode()
    with zipfile.ZipFile(path, "w") as packed:
        for name, data in parts.items():
            packed.writestr(name, data)
    assert read_scenario_workbook(None, path) == expected
