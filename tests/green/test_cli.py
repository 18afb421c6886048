"""`carbonpeak green` on a store (SQLite and PostgreSQL through CARBONPEAK_DATABASE_URL): a
list imported as a draft edition, an enterprise's certificates, the regulator's summary and
expiring certificates, the motors, exports written; bad input exits 2 with its place and
stores nothing."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from carbonpeak.domain.days import china_today
from carbonpeak.store.db import transaction
from carbonpeak.store.models_reference import ReferenceEdition
from tests.green.cases import GLASS, build

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def store(engine: Engine, database: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", database)
    build(engine)
    return engine


def test_green_commands(cli: Cli, store: Engine, tmp_path: Path) -> None:
    code, out, err = cli("green", "certificates", "--as", "cement", "--json")
    assert code == 0, err
    keys = {e["key"]: e["status"] for e in json.loads(out)["entries"]}
    assert keys == {"GBM-A": "expiring", "GBM-B": "valid", "GBM-C": "expired"}
    code, out, err = cli("green", "expiring", "--as", "hebei", "--within", "200", "--json")
    assert code == 0, err
    # the enterprises' certificates, as the page shows them: not the unmatched GBM-D
    assert [e["key"] for e in json.loads(out)] == ["GBM-A", "GBM-B"]
    book = tmp_path / "summary.xlsx"
    code, out, err = cli("green", "summary", "--as", "hebei", "--by", "region", "--out", str(book))
    assert code == 0, err
    sheet = load_workbook(book).worksheets[0]
    assert [r[0] for r in sheet.iter_rows(values_only=True)][1:] == ["130100", "130200", "total"]
    table = tmp_path / "motors.csv"
    code, out, err = cli("green", "motors", "--as", "hebei", "--out", str(table))
    assert code == 0, err
    assert "45号" in out  # the target's source
    rows = list(csv.reader(table.read_text(encoding="utf-8-sig").splitlines()))
    total = rows[rows.index([]) - 1]  # the table, then the notes after an empty row
    assert total[0] == "total" and total[2] == "3"


def test_import_list_and_its_bad_input(cli: Cli, store: Engine, tmp_path: Path) -> None:
    today = china_today()
    later = today.replace(year=today.year + 3)
    good = tmp_path / "名单.csv"
    good.write_text(
        "证书编号,统一社会信用代码,企业名称,产品类别,证书等级,发证日期,有效期至,认证亮点\n"
        f"GBM-G,{GLASS},玻璃厂,建筑节能玻璃,二星级,{today},{later},x\n",
        encoding="utf-8",
    )
    options = ("--kind", "building_material", "--as", "editor", "--title", "测试名单")
    code, out, err = cli(
        "green",
        "import-list",
        str(good),
        *options,
        "--source-id",
        "gbm_cli",
        "--note",
        "a test",
        "--json",
    )
    assert code == 0, err
    kept = json.loads(out)
    assert (kept["state"], kept["matched"], kept["left_out"]) == ("draft", 1, ["认证亮点"])
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "证书编号,统一社会信用代码,企业名称,产品类别,证书等级,发证日期,有效期至\n"
        f"GBM-H,{GLASS},玻璃厂,建筑节能玻璃,二星级,2025-05-02,2025-05-01\n",
        encoding="utf-8",
    )
    with transaction(store) as session:
        before = session.scalar(select(func.count()).select_from(ReferenceEdition))
    code, out, err = cli(
        "green", "import-list", str(bad), *options, "--source-id", "gbm_bad", "--note", "a test"
    )
    assert code == 2 and "bad.csv" in err and "2" in err and "有效期至" in err
    code, out, err = cli("green", "import-list", str(bad), *options, "--source-id", "")
    assert code == 2
    with transaction(store) as session:
        assert session.scalar(select(func.count()).select_from(ReferenceEdition)) == before
    code, out, err = cli("green", "summary", "--as", "hebei", "--by", "county")
    assert code == 2 and "--by" in err


def test_options_checked_before_anything_is_read_or_printed(
    cli: Cli, store: Engine, tmp_path: Path
) -> None:
    # --out named wrong: refused first, nothing printed
    code, out, err = cli("green", "summary", "--as", "hebei", "--out", str(tmp_path / "x.txt"))
    assert code == 2 and "--out" in err and out == ""
    listed = tmp_path / "名单.csv"
    listed.write_text("序号,企业名称\n1,某工厂\n", encoding="utf-8")
    options = ("--kind", "factory", "--as", "editor", "--title", "t", "--source-id", "gf_cli")
    for wrong, option in (
        (("--year", "1999"), "--year"),
        (("--year", "2024", "--batch", "0"), "--batch"),
        (("--year", "2024", "--batch", "1", "--date", "2024-02-30"), "--date"),
    ):
        code, out, err = cli("green", "import-list", str(listed), *options, *wrong)
        assert code == 2 and option in err, (wrong, err)
