"""The fleet workbook of the dual-credit accounting, Chinese first, and its reader.

Sheet `车队 (fleet)` has the columns of `carbonpeak.policy.dual_credit.fleet` with bilingual headers
(`动力类型 (powertrain)`, a fixed unit after it: `整备质量 (curb_mass_kg) [kg]`) and drop-down
lists for the powertrain and `imported` (`纯电动 (bev)`; the code or the Chinese name alone is
read as well); `代码表 (lists)` the choices; `说明 (help)` what each column means, in Chinese and
English; `示例 (example)` filled-in lines to copy from. The reader reads the fleet sheet of a
workbook (titled `fleet`, `车队` or `车队 (fleet)`: `io.tables.sheet_named`), or a CSV
with the same headers in Chinese, English or both (the CSV format of `carbonpeak credits
compute`), and gives the fleet `check_fleet` gives, every problem placed by file, sheet, row
and the header as written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.io.headers import (
    ColumnSpec,
    choice_label,
    frame_choices,
    frame_to_codes,
    map_headers,
    place_as_written,
)
from carbonpeak.io.sheet_names import sheet_ref, sheet_title
from carbonpeak.io.sheets import append_row
from carbonpeak.io.tables import EXCEL_SUFFIXES, read_upload
from carbonpeak.policy.dual_credit.fleet import check_fleet
from carbonpeak.reference.loader import Reference

SHEET = "fleet"  # the code a reader asks for
TITLE = sheet_title(SHEET)
LIST_SHEET = sheet_title("lists")
NOTES_SHEET = sheet_title("help")
EXAMPLE_SHEET = sheet_title("example")
POWERTRAIN_LABELS = (
    ("ice", "传统能源"),
    ("hev", "混合动力"),
    ("phev", "插电式混合动力"),
    ("bev", "纯电动"),
    ("fcv", "燃料电池"),
)
IMPORTED_LABELS = (("no", "否"), ("yes", "是"))
FLEET_SPECS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "enterprise_id",
        "统一社会信用代码",
        "车企的18位统一社会信用代码",
        "the automaker's 18-character unified social credit code",
        example="911302007A3K9C2D24",
    ),
    ColumnSpec(
        "year", "核算年度", "生产或进口的年度", "year of production or import", example=2021
    ),
    ColumnSpec("model_id", "车型", "车型编号，同一车企同一年度不重复", "model id", example="A4"),
    ColumnSpec(
        "powertrain",
        "动力类型",
        "从列表中选择",
        "ice, hev, phev, bev or fcv",
        choices=POWERTRAIN_LABELS,
        example="纯电动 (bev)",
    ),
    ColumnSpec("curb_mass_kg", "整备质量", "", "curb mass", unit="kg", example=1800),
    ColumnSpec("seat_rows", "座位排数", "", "number of seat rows", example=2),
    ColumnSpec(
        "fuel_consumption_l_per_100km",
        "燃料消耗量",
        "当年适用工况下；插电式混合动力不计电能；纯电动和燃料电池留空",
        "on the test cycle in force that year; a PHEV without its electricity; empty for "
        "a BEV or FCV",
        unit="L/100km",
    ),
    ColumnSpec(
        "electric_range_km",
        "纯电续驶里程",
        "插电式混合动力和纯电动必填",
        "needed for a PHEV or BEV",
        unit="km",
        example=400,
    ),
    ColumnSpec(
        "electric_energy_kwh_per_100km",
        "电能消耗量",
        "",
        "electric energy consumption",
        unit="kWh/100km",
        example=13,
    ),
    ColumnSpec(
        "fuel_cell_power_kw", "燃料电池额定功率", "燃料电池车必填", "needed for an FCV", unit="kW"
    ),
    ColumnSpec(
        "volume", "产量或进口量", "当年的辆数", "vehicles of the year", unit="辆", example=8000
    ),
    ColumnSpec(
        "imported",
        "是否进口",
        "是或否",
        "yes or no",
        choices=IMPORTED_LABELS,
        example="否 (no)",
    ),
)
# Sheet `example`: the first lines of examples/fleet.csv (a synthetic maker), one per powertrain.
EXAMPLE_ROWS = (
    ("A1", "传统能源 (ice)", 1415, 2, 6.0, None, None, 20000),
    ("A3", "混合动力 (hev)", 1500, 2, 4.2, None, None, 10000),
    ("A4", "纯电动 (bev)", 1800, 2, None, 400, 13, 8000),
    ("A5", "插电式混合动力 (phev)", 1900, 2, 1.5, 60, None, 2000),
)
CHOICES = {"powertrain": POWERTRAIN_LABELS, "imported": IMPORTED_LABELS}


def _headed(sheet: Worksheet) -> None:
    append_row(sheet, [s.header for s in FLEET_SPECS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, spec in enumerate(FLEET_SPECS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(spec.header) + 4)


def fleet_template_bytes(rows: int = 1000) -> bytes:
    """The fleet workbook, ready to fill in."""
    workbook = Workbook()
    fleet = workbook.active
    assert fleet is not None
    fleet.title = TITLE
    _headed(fleet)
    lists = workbook.create_sheet(LIST_SHEET)
    append_row(lists, ["动力类型 (powertrain)", "是否进口 (imported)"])
    for index, (code, label) in enumerate(POWERTRAIN_LABELS):
        imported = IMPORTED_LABELS[index] if index < len(IMPORTED_LABELS) else None
        append_row(
            lists, [choice_label(code, label), choice_label(*imported) if imported else None]
        )
    notes = workbook.create_sheet(NOTES_SHEET)
    append_row(notes, ["列 column", "字段 field", "单位 unit", "说明", "meaning"])
    for spec in FLEET_SPECS:
        append_row(notes, [spec.header, spec.code, spec.unit, spec.help_zh, spec.help_en])
    example = workbook.create_sheet(EXAMPLE_SHEET)
    _headed(example)
    for model, powertrain, mass, seats, fuel, electric_range, energy, volume in EXAMPLE_ROWS:
        append_row(
            example,
            [
                "911302007A3K9C2D24", 2021, model, powertrain, mass, seats, fuel,
                electric_range, energy, None, volume, "否 (no)",
            ],
        )  # fmt: skip
    for sheet in (lists, notes):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    codes = [s.code for s in FLEET_SPECS]
    for code, source, count in (
        ("powertrain", "A", len(POWERTRAIN_LABELS)),
        ("imported", "B", len(IMPORTED_LABELS)),
    ):
        letter = get_column_letter(codes.index(code) + 1)
        formula = f"={sheet_ref(LIST_SHEET)}!${source}$2:${source}${count + 1}"
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.showErrorMessage = False  # a code or a Chinese name typed in is read as well
        fleet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{rows + 1}")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def example_fleet(maker: str, year: int = 2021) -> pd.DataFrame:
    """The example sheet's rows as a reader gets them (text cells and `row`), made out to
    `maker` in `year`."""

    def text(value: object) -> str:
        return "" if value is None else str(value)

    codes = [s.code for s in FLEET_SPECS]
    rows = [
        dict(zip(codes, map(text, (maker, year, *line[:7], None, line[7], "否")), strict=True))
        for line in EXAMPLE_ROWS
    ]
    frame = pd.DataFrame(rows)
    frame["row"] = range(2, len(frame) + 2)
    return frame


def check_bilingual_fleet(
    frame: pd.DataFrame, reference: Reference, file: str | None = None, sheet: str | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """A fleet as read (headers in Chinese, English or both; choices as codes or Chinese names)
    checked by `check_fleet`: the tidy fleet and every problem, columns named as written."""
    coded, columns, problems = frame_to_codes(frame, FLEET_SPECS, file, sheet)
    coded = coded.copy()
    place = Place(file=file, sheet=sheet)
    for code, choices in CHOICES.items():
        if code in columns:
            problems += frame_choices(coded, code, choices, columns[code], LIST_SHEET, place)
    if [p for p in problems if p.place.row == 1]:  # the headers first
        return coded, problems
    said = {(p.place.row, p.place.column) for p in problems}  # a Chinese name not in the lists
    tidy, more = check_fleet(coded, reference)
    problems += [
        p for p in place_as_written(more, columns) if (p.place.row, p.place.column) not in said
    ]
    return tidy, problems


@dataclass(frozen=True)
class FleetUpload:
    """A checked fleet as uploaded, with what places a later problem of it (a row of an
    enterprise the uploader may not keep) as the file wrote it."""

    fleet: pd.DataFrame
    enterprise_column: str  # the enterprise column's header as written
    sheet: str | None  # `fleet` for a workbook, None for a CSV


def read_fleet_upload(name: str, content: bytes, reference: Reference) -> FleetUpload:
    """`read_fleet` with the enterprise column's header as written, the file parsed once."""
    in_sheet = SHEET if Path(name).suffix.lower() in EXCEL_SUFFIXES else None
    frame = read_upload(name, content, SHEET)
    tidy, problems = check_bilingual_fleet(frame, reference, name, in_sheet)
    if problems:
        raise InputError(
            [replace(p, place=replace(p.place, file=name, sheet=in_sheet)) for p in problems]
        )
    columns, _ = map_headers([str(c) for c in frame.columns], FLEET_SPECS)
    return FleetUpload(tidy, columns.get("enterprise_id", "enterprise_id"), in_sheet)


def read_fleet(name: str, content: bytes, reference: Reference) -> pd.DataFrame:
    """The checked fleet of an uploaded workbook (sheet `fleet`) or CSV; `InputError` with every
    problem placed in the file (by the name given), sheet, row and header as written."""
    return read_fleet_upload(name, content, reference).fleet
