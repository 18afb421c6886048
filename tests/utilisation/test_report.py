"""The solid-waste report's checks and its workbook (issue 23): each bad input is a problem
placed by file, sheet, row and column as the user wrote them, all at once, nothing kept; the
blank workbook has the drop-downs and its example reads back; the CLI exits 2 on a bad file."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from carbonpeak.errors import InputError
from carbonpeak.io.utilisation import EXAMPLE_SHEET, SHEET, read_report, write_template
from carbonpeak.reference.loader import default_reference
from carbonpeak.utilisation.report import check_report
from tests.utilisation.cases import LINES, A, csv_bytes, table

REFERENCE = default_reference()
Cli = Callable[..., tuple[int, str, str]]


def _places(lines: list[tuple[object, ...]]) -> list[tuple[int | None, str | None, str]]:
    report, problems = check_report(table(lines), REFERENCE, "r.csv")
    assert report is None
    return [(p.place.row, p.place.column, p.message) for p in problems]


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        ((A, 2024, "moon_dust", "generated", "", 1), "kind", "unknown kind of solid waste"),
        ((A, 2024, "fly_ash", "made", "", 1), "flow", "unknown flow"),
        ((A, 2024, "fly_ash", "utilised", "", 1), "route", "needs a route"),
        ((A, 2024, "fly_ash", "generated", "backfill", 1), "route", "has no route"),
        ((A, 2024, "fly_ash", "generated", "", -1), "amount_t", "not an amount"),
        ((A, 2024, "fly_ash", "generated", "", "many"), "amount_t", "not an amount"),
        ((A, 24, "fly_ash", "generated", "", 1), "period", "not a year"),
        (("91130200MA0AAAAA1X", 2024, "fly_ash", "generated", "", 1), "enterprise_id", "credit"),
    ],
)
def test_a_bad_cell_is_placed(line: tuple[object, ...], column: str, words: str) -> None:
    found = _places([line])
    assert [(row, col) for row, col, _ in found] == [(2, column)]
    assert words in found[0][2]


def test_utilisation_greater_than_generation_plus_stock_is_placed() -> None:
    """Generated 100, stock at the start 50, utilised 60 + 100 = 160 > 150: at the first
    utilised row (line 4), column amount_t."""
    lines = [
        (A, 2024, "fly_ash", "generated", "", 100),
        (A, 2024, "fly_ash", "opening_stock", "", 50),
        (A, 2024, "fly_ash", "utilised", "backfill", 60),
        (A, 2024, "fly_ash", "utilised", "infrastructure", 100),
        (A, 2024, "fly_ash", "utilised_from_stock", "infrastructure", 50),
    ]
    found = _places(lines)
    assert [(row, col) for row, col, _ in found] == [(4, "amount_t")]
    assert "utilisation 160 t is greater than generation 100 t plus" in found[0][2]


def test_the_other_balances_are_placed() -> None:
    """Own utilisation above generation (utilised 120 of which 10 from stock, generated 100);
    from stock above its whole; from stock above the stock."""
    own = _places(
        [
            (A, 2024, "fly_ash", "generated", "", 100),
            (A, 2024, "fly_ash", "opening_stock", "", 50),
            (A, 2024, "fly_ash", "utilised", "backfill", 120),
            (A, 2024, "fly_ash", "utilised_from_stock", "backfill", 10),
        ]
    )
    assert own[0][:2] == (4, "amount_t") and "own waste 110 t" in own[0][2]
    whole = _places(
        [
            (A, 2024, "fly_ash", "opening_stock", "", 50),
            (A, 2024, "fly_ash", "utilised", "backfill", 5),
            (A, 2024, "fly_ash", "utilised_from_stock", "backfill", 6),
        ]
    )
    assert (4, "amount_t") in [(r, c) for r, c, _ in whole]
    stock = _places(
        [
            (A, 2024, "fly_ash", "opening_stock", "", 5),
            (A, 2024, "fly_ash", "disposed", "", 8),
            (A, 2024, "fly_ash", "disposed_from_stock", "", 8),
        ]
    )
    assert stock == [(4, "amount_t", stock[0][2])] and "more than the stock" in stock[0][2]


def test_every_problem_at_once_and_a_repeat() -> None:
    lines = [*LINES, (A, 2024, "月尘", "generated", "", 1), LINES[1]]
    found = _places(lines)
    assert {(row, col) for row, col, _ in found} == {(15, "kind"), (16, "flow")}


def test_the_workbook_example_reads_back_and_a_bad_cell_is_placed_as_written() -> None:
    book = load_workbook(io.BytesIO(write_template(REFERENCE)))
    sheet = book[SHEET]
    ranges = {str(v.sqref) for v in sheet.data_validations.dataValidation}
    assert ranges == {"C2:C1001", "D2:D1001", "E2:E1001"}  # kind, flow, route
    for row in book[EXAMPLE_SHEET].iter_rows(min_row=2, values_only=True):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    report = read_report("r.xlsx", out.getvalue(), REFERENCE)
    assert len(report.rows) == 8 and report.warnings == ()  # the example balances
    sheet.append([A, 2025, "月尘", "产生量", None, 1])
    sheet.append([A, 2025, "粉煤灰 (fly_ash)", "综合利用量", "建筑材料生产", 1])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(InputError) as caught:
        read_report("r.xlsx", out.getvalue(), REFERENCE)
    places = [
        (p.place.file, p.place.sheet, p.place.row, p.place.column) for p in caught.value.problems
    ]
    assert ("r.xlsx", SHEET, 10, "固废种类 (kind)") in places
    assert ("r.xlsx", SHEET, 11, "数量 (amount_t) [t]") in places  # 1 t utilised, none generated


def test_the_cli_checks_and_refuses(cli: Cli, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(REFERENCE))
    code, out, _ = cli("utilisation", "check", str(good), "--json")
    assert code == 0 and '"rows": 13' in out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(REFERENCE, [(A, 2024, "moon_dust", "generated", "", 1)]))
    code, _, err = cli("utilisation", "check", str(bad))
    assert code == 2 and "bad.csv, row 2, column 固废种类 (kind)" in err
    written = tmp_path / "t.xlsx"
    assert cli("utilisation", "template", str(written))[0] == 0
    assert SHEET in load_workbook(written).sheetnames


def test_the_cli_uploads_rates_and_exports(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the configured store as a named user: the report is stored, the rates (by hand,
    Hebei's bulk wastes: 170 / 310 = 54.8 %) printed as JSON, and written as a workbook."""
    import json

    from carbonpeak.services.users import add_user
    from carbonpeak.store.db import make_engine, transaction, upgrade
    from carbonpeak.store.models import Enterprise
    from tests.utilisation.cases import ENTERPRISES

    monkeypatch.setenv("CARBONPEAK_HOME", str(tmp_path / "home"))
    engine = make_engine()
    upgrade(engine)
    with transaction(engine) as session:
        for firm in ENTERPRISES.to_dict("records"):
            session.add(Enterprise(**firm))
        add_user(session, "admin", "admin", "a long enough password")
    engine.dispose()
    report = tmp_path / "r.csv"
    report.write_bytes(csv_bytes(REFERENCE))
    code, _, err = cli("utilisation", "upload", str(report), "--as", "admin")
    assert code == 0, err
    code, out, err = cli("utilisation", "rates", "--as", "admin", "--by", "province", "--json")
    assert code == 0, err
    groups = {(g["group"], g["target_kind"]): g for g in json.loads(out)["groups"]}
    assert groups[("130000", "bulk")]["rate"] == pytest.approx(170 / 310)
    written = tmp_path / "rates.xlsx"
    code, _, err = cli("utilisation", "export", str(written), "--as", "admin", "--by", "province")
    assert code == 0, err
    assert "综合利用率 (rates)" in load_workbook(written).sheetnames
    assert cli("utilisation", "export", str(tmp_path / "r.txt"), "--as", "admin")[0] == 2
    # `check --as` checks against the store's library in force, as an upload does
    code, out, err = cli("utilisation", "check", str(report), "--as", "admin", "--json")
    assert code == 0 and '"rows": 13' in out, err
    from carbonpeak.services.reference import library_in_force
    from carbonpeak.services.utilisation_files import check_as

    checked, used = check_as("admin", report)
    engine = make_engine()
    with transaction(engine) as session:
        assert used.digest == library_in_force(session).digest
    engine.dispose()
    assert len(checked.rows) == 13
    assert cli("utilisation", "check", str(report), "--as", "nobody")[0] != 0
