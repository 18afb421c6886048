"""The command line: results as tables or JSON, readable errors with exit 2, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., tuple[int, str, str]]


def test_version(cli: Cli) -> None:
    code, out, _ = cli("--version")
    assert code == 0 and out.startswith("carbonpeak ")


def test_reference_list(cli: Cli) -> None:
    code, out, _ = cli("reference", "list", "--json")
    assert code == 0
    tables = {t["table"]: t for t in json.loads(out)["tables"]}
    assert {
        "standard_coal_coefficients",
        "fuel_parameters",
        "grid_emission_factors",
        "gwp",
        "process_emission_factors",
        "efficiency_levels",
        "limit_standards",
        "regions",
        "industries",
    } <= set(tables)
    assert (tables["grid_emission_factors"]["name_zh"], tables["gwp"]["name_en"]) == (
        "电网排放因子",
        "Global warming potentials",
    )
    for table in tables.values():
        assert table["rows"] == table["verified"] + table["unverified"]
        # shipped empty: supplied by each authority, or written by an edition
        assert table["rows"] > 0 or table["authority_supplied"] or table["by_edition"]
    code, out, _ = cli("reference", "list")
    assert code == 0 and "efficiency_levels" in out and "电网排放因子" in out


def test_reference_show_as_of(cli: Cli) -> None:
    code, out, _ = cli("reference", "show", "efficiency_levels", "--as-of", "2024-01-01", "--json")
    assert code == 0
    rows = {r["area"]: r for r in json.loads(out)["rows"]}
    assert rows["ferrosilicon"]["baseline"] == 1850.0
    code, out, _ = cli("reference", "show", "efficiency_levels", "--as-of", "2022-06-01", "--json")
    rows = {r["area"]: r for r in json.loads(out)["rows"]}
    assert rows["ferrosilicon"]["baseline"] == 1900.0
    code, out, _ = cli("reference", "show", "gwp")
    assert code == 0 and "AR6" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("reference", "show", "nope"), "error: no reference table 'nope'"),
        (
            ("reference", "show", "gwp", "--as-of", "2024-13-01"),
            "--as-of '2024-13-01' is not a date",
        ),
        (("validate", "region", "990000"), "error: unknown region code 990000"),
        (("validate", "industry", "0111"), "error: unknown industry code 0111"),
        (("units", "convert", "1", "tce", "kWh/t"), "error: cannot convert 'tce' to 'kWh/t'"),
        (("units", "convert", "1", "tce", "tcee"), "error: unknown unit 'tcee'"),
    ],
)
def test_bad_input_exits_2_with_a_message(cli: Cli, args: tuple[str, ...], message: str) -> None:
    code, out, err = cli(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_usage_error_exits_2(cli: Cli) -> None:
    code, _, err = cli("reference", "show")
    assert code == 2 and "Missing argument" in err


def test_reference_sources(cli: Cli) -> None:
    code, out, _ = cli("reference", "sources", "--json")
    assert code == 0
    ids = {s["source_id"] for s in json.loads(out)["sources"]}
    assert "lv_g22" in ids


def test_reference_check_ok_and_failing(cli: Cli, reference_copy: Path) -> None:
    code, out, _ = cli("reference", "check")
    assert (code, out.strip()) == (0, "reference tables: ok")
    path = reference_copy / "gwp.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append(lines[1])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = (reference_copy / "heat_emission_factors.csv").read_text(encoding="utf-8")
    (reference_copy / "heat_emission_factors.csv").write_text(
        text.replace("tCO2/GJ", "tCO2/GJJ"), encoding="utf-8"
    )
    code, _, err = cli("reference", "check", "--data", str(reference_copy))
    assert code == 1
    assert f"gwp.csv, row {len(lines)}, column gwp_set: duplicate key" in err
    assert "heat_emission_factors.csv, row 2, column unit: unknown unit 'tCO2/GJJ'" in err
    assert "2 problem(s)" in err
    code, out, _ = cli("reference", "check", "--data", str(reference_copy), "--json")
    report = json.loads(out)
    assert code == 1 and not report["ok"] and len(report["problems"]) == 2
    assert {p["file"] for p in report["problems"]} == {"gwp.csv", "heat_emission_factors.csv"}


def test_validate_uscc(cli: Cli) -> None:
    assert cli("validate", "uscc", "91310000631696382C")[:2] == (0, "valid\n")
    code, _, err = cli("validate", "uscc", "91310000631696382D")
    assert code == 2
    assert "invalid: check character is 'D', expected 'C'" in err
    # valid under GB 32100, but the organisation code's GB 11714 check character is wrong
    code, out, err = cli("validate", "uscc", "913100006316963819")
    assert (code, out) == (0, "valid\n")
    assert "warning: organisation code 631696381 has GB 11714 check character '1'" in err
    code, out, _ = cli("validate", "uscc", "9131000063169638", "--json")
    assert code == 2 and json.loads(out)["reason"] == "has 16 characters, a code has 18"


def test_validate_region_and_industry(cli: Cli) -> None:
    code, out, _ = cli("validate", "region", "130200")
    assert code == 0 and out.strip() == "130200 唐山市 (Tangshan), prefecture, in 河北省"
    code, out, _ = cli("validate", "industry", "3120")
    assert code == 0
    assert out.splitlines()[0] == "3120 炼钢, class"
    assert "in 31 黑色金属冶炼和压延加工业" in out and "in C 制造业" in out
    code, out, _ = cli("validate", "industry", "3120", "--json")
    assert [p["industry_code"] for p in json.loads(out)["parents"]] == ["312", "31", "C"]


def test_units_convert(cli: Cli) -> None:
    assert cli("units", "convert", "1", "tce", "GJ")[1].strip() == "1 tce = 29.307 GJ"
    code, out, _ = cli("units", "convert", "2", "10^4 Nm3", "m3", "--json")
    assert code == 0 and json.loads(out)["result"] == pytest.approx(20000)


def test_unexpected_failure_is_one_line_not_a_traceback(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object) -> float:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("carbonpeak.domain.units.convert", boom)
    code, out, err = cli("units", "convert", "1", "tce", "GJ")
    assert code == 70
    assert err.strip() == "internal error: RuntimeError: disk on fire"
    assert "Traceback" not in out + err


def test_demo_command(cli: Cli, tmp_path: Path) -> None:
    code, out, _ = cli("demo", "--out", str(tmp_path), "--enterprises", "60", "--json")
    assert code == 0
    result = json.loads(out)
    files = sorted(Path(f).name for f in result["files"])
    plants = [f for f in files if f.endswith(".yaml") and f != "pathways.yaml"]
    assert len(plants) == 6 and len(result["diagnoses"]) == 6
    assert all(d["measures"] >= 4 for d in result["diagnoses"])  # motors, drive, leaks, ...
    assert [f for f in files if f not in plants] == [
        "activity.csv",
        "activity_2026.csv",  # the key enterprises' 2026 months (demo/dual_control.py)
        "enterprises.csv",
        "meters.csv",
        "pathways.yaml",
        "production.csv",
        "production_units.csv",
        "readings.parquet",
        "sites.csv",
    ]
    assert {r["area"] for r in result["grades"]} >= {"cement_clinker"}
    assert sum({r["sector"]: r["enterprises"] for r in result["summary"]}.values()) == 60
    totals = {r["scenario"]: r for r in result["pathways"] if r["sector"] == "total"}
    assert set(totals) == {"BAU", "POLICY"} and totals["POLICY"]["peak_value"] > 0


def test_console_script_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "carbonpeak", "validate", "uscc", "91440300192317458F"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "valid\n")
