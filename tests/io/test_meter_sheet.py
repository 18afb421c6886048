"""The meters registry as a bilingual sheet (io/meter_sheet.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

from carbonpeak.io.meter_sheet import METER_SPECS, bilingual_meters, write_meters_template
from carbonpeak.io.tables import read_table
from carbonpeak.monitoring.readings import check_meters
from carbonpeak.reference.loader import default_reference

CODE = "911302007A3K9C2D24"


def test_chinese_headers_and_names_in_a_gbk_csv(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "计量器具编号,统一社会信用代码,能源品种,计量单位,读数类型（kind）,采集间隔 (min),备注\n"
        f"Ｍ１,{CODE},电力,kWh,累计值,１５,总表\n"
        f"M2,{CODE},天然气 (natural_gas),Nm3,interval,60,\n",
        encoding="gbk",
    )
    frame, columns, problems = bilingual_meters(read_table(path, "meters"), default_reference())
    assert problems == []
    assert columns["kind"] == "读数类型（kind）"
    checked, problems = check_meters(frame, default_reference())
    assert problems == []
    assert checked[["meter_id", "carrier", "kind", "interval_minutes"]].values.tolist() == [
        ["M1", "electricity", "cumulative", 15],
        ["M2", "natural_gas", "interval", 60],
    ]
    assert "备注" in frame.columns  # extra columns let through, as before


def test_unknown_chinese_carrier_is_placed_as_written(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "计量器具编号,统一社会信用代码,能源品种 (carrier),计量单位,读数类型\n"
        f"M1,{CODE},神电,kWh,累计值\n",
        encoding="utf-8-sig",
    )
    _, _, problems = bilingual_meters(read_table(path, "meters"), default_reference(), str(path))
    [problem] = problems
    assert (problem.place.row, problem.place.column) == (2, "能源品种 (carrier)")
    assert "神电" in problem.message


def test_meters_template_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "meters.xlsx"
    write_meters_template(path, default_reference())
    book = load_workbook(path)
    assert book.sheetnames == [
        "计量器具 (meters)",
        "代码表 (lists)",
        "说明 (help)",
        "示例 (example)",
    ]
    assert [c.value for c in book["计量器具 (meters)"][1]] == [s.header for s in METER_SPECS]
    assert len(book["计量器具 (meters)"].data_validations.dataValidation) == 2
    book["计量器具 (meters)"].append(
        [CODE if s.code == "enterprise_id" else s.example for s in METER_SPECS]
    )
    book.save(path)
    for sheet in ("meters", "example"):  # the codes find the Chinese-first titles
        frame, _, problems = bilingual_meters(read_table(path, sheet), default_reference())
        checked, more = check_meters(frame, default_reference())
        assert problems + more == []
        assert checked["carrier"].tolist() == ["electricity"]


def test_the_cli_template_filled_in_is_the_registry_ingest_reads(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    """`monitoring meters-template`, filled with the example registry's two meters in Chinese
    (电力, 天然气, 区间值, 累计值), is the registry `monitoring ingest --meters` reads: the
    example readings go into the lake as they do with the example's own registry."""
    path = tmp_path / "计量器具.xlsx"
    code, out, err = cli("monitoring", "meters-template", str(path))
    assert code == 0 and "Written" in out, err
    book = load_workbook(path)
    book["计量器具 (meters)"].append(["CEM-E1", CODE, "电力 (electricity)", "kWh", "区间值", 15])
    book["计量器具 (meters)"].append(["CEM-G1", CODE, "天然气", "Nm3", "累计值 (cumulative)", 15])
    book.save(path)
    lake = tmp_path / "lake"
    readings = Path(__file__).parents[2] / "examples" / "readings.csv"
    code, out, err = cli(
        "monitoring", "ingest", str(readings), "--meters", str(path), "--lake", str(lake), "--json"
    )
    assert code == 0, err
    # the same readings against the example's registry (CSV, English codes) write the same
    csv = str(readings.parent / "meters.csv")
    same = cli(
        "monitoring",
        "ingest",
        str(readings),
        "--meters",
        csv,
        "--lake",
        str(tmp_path / "l2"),
        "--json",
    )
    assert same[0] == 0 and json.loads(out) == json.loads(same[1])
    assert json.loads(out)["readings"] > 0
    code, _, err = cli("monitoring", "meters-template", str(tmp_path / "m.csv"))
    assert code == 2 and "name it *.xlsx" in err
