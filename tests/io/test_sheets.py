"""Every CSV and workbook written from data holds text as text: no cell becomes a formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from carbonpeak.io.sheets import append_row, csv_text, frame_to_csv, frame_to_excel, neutral

ATTACKS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x","y")']


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_text_is_quoted_in_csv(text: str) -> None:
    assert neutral(text) == "'" + text
    (read,) = list(csv.reader(io.StringIO(csv_text(["name"], [[text]]))))[1:]
    assert read == ["'" + text]


@pytest.mark.parametrize("value", ["-5", "+3.5", "-1e3", -5.0, 7, "plain", "", None])
def test_numbers_and_plain_text_stay(value: object) -> None:
    assert neutral(value) == value


def test_frames_to_csv_and_excel(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ATTACKS, "co2_t": [-1.5] * len(ATTACKS)})
    frame_to_csv(frame, tmp_path / "t.csv")
    with (tmp_path / "t.csv").open(newline="", encoding="utf-8") as handle:
        back = list(csv.DictReader(handle))
    assert [r["name"] for r in back] == ["'" + a for a in ATTACKS]
    assert [float(r["co2_t"]) for r in back] == [-1.5] * len(ATTACKS)
    frame_to_excel(frame, tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert [c.data_type for c in cells[::2]] == ["s"] * len(ATTACKS)
    # XML reads a carriage return as a line feed
    assert [c.value for c in cells[::2]] == [a.replace("\r", "\n") for a in ATTACKS]
    assert [c.value for c in cells[1::2]] == [-1.5] * len(ATTACKS)


def test_rows_keep_their_places() -> None:
    book = Workbook()
    sheet = book.worksheets[0]
    append_row(sheet, ["=A2", 1])
    append_row(sheet, [])
    append_row(sheet, ["x"])
    out = io.BytesIO()
    book.save(out)
    read = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    assert read["A1"].value == "=A2" and read["A1"].data_type == "s"
    assert read["A3"].value == "x" and read["B1"].value == 1
