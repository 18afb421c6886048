"""`carbonpeak directory` on the configured store: search, show, export (CSV and workbook),
import a catalogue (refused with its places, exit 2), and record a measure's use."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .conftest import DirectoryStore, workbook

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def on_store(directory_store: DirectoryStore, monkeypatch: pytest.MonkeyPatch) -> DirectoryStore:
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", str(directory_store.engine.url))
    return directory_store


def test_search_show_and_export(on_store: DirectoryStore, cli: Cli, tmp_path: Path) -> None:
    code, out, _ = cli("directory", "search", "余热", "--json")
    assert code == 0
    assert [r["key"] for r in json.loads(out)["results"]] == ["demo_illustrative:6"]
    code, out, _ = cli("directory", "search", "--link", "cement_clinker")
    assert code == 0 and "第四代篦冷机" in out and "余热" not in out
    code, out, _ = cli("directory", "show", "demo_illustrative:2", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["name_en"] == "Variable-speed drives for pumps and fans"
    assert on_store.enterprise_id in {g["enterprise_id"] for g in shown["gaps"]}
    code, _, err = cli("directory", "show", "nowhere:1")
    assert code == 2 and "no technology nowhere:1" in err
    code, _, _ = cli("directory", "export", str(tmp_path / "d.csv"), "--sector", "建材")
    with (tmp_path / "d.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert code == 0 and [r["key"] for r in rows] == ["demo_illustrative:7", "demo_illustrative:8"]
    code, _, _ = cli("directory", "export", str(tmp_path / "d.xlsx"), "--search", "变频")
    sheet = load_workbook(tmp_path / "d.xlsx").active
    assert code == 0 and sheet is not None and sheet.max_row == 2
    code, _, err = cli("directory", "export", str(tmp_path / "d.pdf"))
    assert code == 2 and "PATH" in err


def test_import_a_catalogue(on_store: DirectoryStore, cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([["序号", "技术名称", "行业"], [None, "甲", "建材"]]))
    options = ["--as", "demo-admin", "--catalogue", "cli_t", "--source-id", "cli_src",
               "--title", "CLI 测试目录", "--number", "测试1号"]  # fmt: skip
    code, _, err = cli("directory", "import", str(bad), *options)
    assert code == 2
    assert "bad.xlsx, sheet 目录, row 2, column 序号" in err
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([["序号", "技术名称", "行业"], [1, "甲", "建材"]]))
    code, out, _ = cli("directory", "import", str(good), *options, "--json")
    assert code == 0 and json.loads(out)["state"] == "draft"
    code, _, err = cli("directory", "import", str(good), *options[:-2], "--valid-from", "x")
    assert code == 2 and "valid_from" in err


def test_record_a_use(on_store: DirectoryStore, cli: Cli) -> None:
    code, _, _ = cli("directory", "use", "999999", "demo_illustrative:1", "--as", "demo-admin")
    assert code == 2
    code, _, err = cli("directory", "use", "1", "demo_illustrative:1", "--as", "nobody")
    assert code == 2 and "no user" in err


def test_the_search_table_labels_illustrative_entries(on_store: DirectoryStore, cli: Cli) -> None:
    code, out, _ = cli("directory", "search", "篦冷机")
    assert code == 0 and "示例 illustrative" in out
    code, out, _ = cli("directory", "search", "浮标")
    assert code == 0 and "浮标" in out and "illustrative" not in out
