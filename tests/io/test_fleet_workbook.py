"""The fleet workbook: Chinese first, read back to exactly the fleet the CSV gives, bad input
placed by file, sheet, row and the header as written."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from carbonpeak.errors import InputError
from carbonpeak.io.fleet import (
    EXAMPLE_SHEET,
    FLEET_SPECS,
    NOTES_SHEET,
    TITLE,
    fleet_template_bytes,
    read_fleet,
)
from carbonpeak.policy.dual_credit.fleet import check_fleet
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
CSV = Path(__file__).parents[2] / "examples" / "fleet.csv"
LABELS = {"ice": "传统能源", "hev": "混合动力", "phev": "插电式混合动力", "bev": "纯电动"}


def _filled(rows: list[list[object]], headers: list[str] | None = None) -> bytes:
    workbook = load_workbook(io.BytesIO(fleet_template_bytes(rows=20)))
    sheet = workbook[TITLE]
    if headers is not None:
        for index, header in enumerate(headers, start=1):
            sheet.cell(1, index, header)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_rows() -> list[list[object]]:
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False)
    return [
        [
            LABELS.get(v, v) if k == "powertrain" else ("否" if v == "no" else v)
            for k, v in r.items()
        ]
        for r in frame.to_dict("records")
    ]


def test_the_template_is_chinese_first() -> None:
    workbook = load_workbook(io.BytesIO(fleet_template_bytes()))
    assert workbook.sheetnames == [
        "车队 (fleet)",
        "代码表 (lists)",
        "说明 (help)",
        "示例 (example)",
    ]
    headers = [c.value for c in workbook[TITLE][1]]
    assert headers[3] == "动力类型 (powertrain)" and headers[4] == "整备质量 (curb_mass_kg) [kg]"
    notes = list(workbook[NOTES_SHEET].values)
    assert len(notes) == len(FLEET_SPECS) + 1 and notes[1][3] and notes[1][4]  # zh and en
    formulas = sorted(v.formula1 for v in workbook[TITLE].data_validations.dataValidation)
    # the lists sheet's title quoted, as Excel needs a name with spaces or brackets
    assert formulas == ["='代码表 (lists)'!$A$2:$A$6", "='代码表 (lists)'!$B$2:$B$3"]
    assert workbook[EXAMPLE_SHEET].max_row == 5  # an example row per powertrain but fcv


def test_the_example_sheet_reads() -> None:
    workbook = load_workbook(io.BytesIO(fleet_template_bytes()))
    rows = [list(r) for r in workbook[EXAMPLE_SHEET].iter_rows(min_row=2, values_only=True)]
    fleet = read_fleet("fleet.xlsx", _filled(rows), REFERENCE)
    assert list(fleet["powertrain"]) == ["ice", "hev", "bev", "phev"]


def test_the_workbook_gives_the_csv_fleet() -> None:
    """Chinese headers and names in the workbook, English in the CSV: the same fleet."""
    from_csv = check_fleet(pd.read_csv(CSV, dtype=str, keep_default_na=False), REFERENCE)[0]
    from_workbook = read_fleet("车队.xlsx", _filled(_csv_rows()), REFERENCE)
    pd.testing.assert_frame_equal(from_workbook, from_csv, check_dtype=False)
    # by hand: 20000 + 5000 + 10000 + 8000 + 2000 + 1000 vehicles; A4 and A6 BEV, A5 PHEV
    assert from_workbook["volume"].sum() == 46_000
    assert list(from_workbook.loc[from_workbook["nev"], "model_id"]) == ["A4", "A5", "A6"]
    english = read_fleet("fleet.csv", CSV.read_bytes(), REFERENCE)
    pd.testing.assert_frame_equal(english, from_csv)


def test_english_headers_in_the_workbook() -> None:
    rows = _csv_rows()
    fleet = read_fleet("fleet.xlsx", _filled(rows, [s.code for s in FLEET_SPECS]), REFERENCE)
    assert fleet["volume"].sum() == 46_000


def test_bad_input_is_placed() -> None:
    rows = _csv_rows()
    rows[0][3] = "柴油车"  # not a powertrain of the list
    rows[1][10] = -5  # a negative count
    with pytest.raises(InputError) as caught:
        read_fleet("车队.xlsx", _filled(rows), REFERENCE)
    places = {
        (p.place.file, p.place.sheet, p.place.row, p.place.column) for p in caught.value.problems
    }
    assert ("车队.xlsx", "fleet", 2, "动力类型 (powertrain)") in places
    assert ("车队.xlsx", "fleet", 3, "产量或进口量 (volume) [辆]") in places
    assert len(caught.value.problems) == 2


def test_a_missing_column_is_named() -> None:
    frame = pd.read_csv(CSV, dtype=str, keep_default_na=False).drop(columns="volume")
    text = frame.to_csv(index=False).encode()
    with pytest.raises(InputError) as caught:
        read_fleet("fleet.csv", text, REFERENCE)
    assert [(p.place.file, p.place.row, p.place.column) for p in caught.value.problems] == [
        ("fleet.csv", 1, "volume")
    ]


def test_numbers_follow_the_one_rule() -> None:
    """review19 #14: the fleet refused 1,234 and took 1_000; now the platform's one rule."""
    rows = _csv_rows()
    volume = rows[0][10]
    rows[0][10] = f"{int(volume):,}"  # 20000 written 20,000
    rows[1][10] = "1_000"
    rows[2][4] = "1,5"  # a curb mass with a decimal comma
    with pytest.raises(InputError) as caught:
        read_fleet("车队.xlsx", _filled(rows), REFERENCE)
    assert {(p.place.row, p.place.column) for p in caught.value.problems} == {
        (3, "产量或进口量 (volume) [辆]"),
        (4, "整备质量 (curb_mass_kg) [kg]"),
    }
    rows = _csv_rows()
    rows[0][10] = f"{int(rows[0][10]):,}"
    assert read_fleet("车队.xlsx", _filled(rows), REFERENCE)["volume"].sum() == 46_000
