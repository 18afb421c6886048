"""`carbonpeak reference` editions from the command line: the blank workbook, an import as the
editor, the draft with what it changes, an approval by the reviewer (not by the editor), the
list; bad input exits 2 with its place. The edition is a test fixture, not a real rule."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

Cli = Callable[..., tuple[int, str, str]]


def _user(cli: Cli, monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    code, _, err = cli("users", "add", *args, "--password-stdin")
    assert code == 0, err


def test_an_edition_from_the_command_line(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARBONPEAK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CARBONPEAK_DATABASE_URL", raising=False)
    assert cli("store", "upgrade")[0] == 0
    _user(cli, monkeypatch, "ed", "--role", "admin", "--duty", "reference_editor")
    _user(
        cli,
        monkeypatch,
        "rv",
        "--role",
        "regulator",
        "--region",
        "130000",
        "--duty",
        "reference_reviewer",
    )
    path = tmp_path / "edition.xlsx"
    code, out, _ = cli(
        "reference", "edition-template", str(path), "--table", "grid_emission_factors"
    )
    assert code == 0 and "grid_emission_factors" in out
    book = load_workbook(path)
    sheet = book["版本 (edition)"]
    values = {
        "来源代码 (source_id)": "test_fixture_cli",
        "标题 (title)": "测试（test fixture）",
        "文号 (document_number)": "测试〔2026〕3号",
        "生效日期 (valid_from)": datetime(2025, 1, 1),
    }
    for line in range(2, sheet.max_row + 1):
        if sheet.cell(line, 1).value in values:
            sheet.cell(line, 2, values[str(sheet.cell(line, 1).value)])
    book["电网排放因子 (grid_emission_factors)"].append(["national", "ets", 0.55, "kgCO2/kWh"])
    book.save(path)
    code, out, err = cli("reference", "import", str(path), "--as", "ed", "--json")
    assert code == 0, err
    draft = json.loads(out)
    assert draft["state"] == "draft" and draft["changes"]["tables"] == {
        "grid_emission_factors": {"add": 0, "change": 1, "retire": 0}
    }
    number = str(draft["edition_id"])
    code, out, _ = cli("reference", "edition", number)
    assert code == 0 and "0.5703" in out and "0.55" in out
    code, _, err = cli("reference", "approve", number, "--as", "ed", "--comment", "mine")
    assert code == 2 and "duty" in err  # the editor holds no reviewer's duty
    code, out, err = cli("reference", "approve", number, "--as", "rv", "--comment", "核对原文")
    assert code == 0 and "approved by rv" in out, err
    code, out, _ = cli("reference", "editions", "--json")
    assert [e["state"] for e in json.loads(out)["editions"]] == ["approved"]
    # the approved edition as a package, imported again (as another installation would)
    package = tmp_path / "edition.zip"
    monkeypatch.setenv("CARBONPEAK_INSTALLATION", "测试省")
    code, out, err = cli("reference", "export", number, str(package))
    assert code == 0 and package.is_file(), err
    # another installation: its own store, its own editor
    monkeypatch.setenv("CARBONPEAK_HOME", str(tmp_path / "other"))
    assert cli("store", "upgrade")[0] == 0
    _user(cli, monkeypatch, "ed2", "--role", "admin", "--duty", "reference_editor")
    code, out, err = cli("reference", "import", str(package), "--as", "ed2", "--json")
    assert code == 0, err
    again = json.loads(out)
    assert again["state"] == "draft" and again["source_id"] == "test_fixture_cli"
    code, _, err = cli("reference", "export", str(again["edition_id"]), str(package))
    assert code == 2 and "only an approved edition is packed" in err
    code, _, err = cli("reference", "import", str(tmp_path / "missing.xlsx"), "--as", "ed")
    assert code == 2 and "missing.xlsx" in err
