"""`carbonpeak market account | reconcile` on an activity file (issue 21, part 5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from tests.market.test_accounts import FUEL, PROCESS, PRODUCTS, STEEL, WORKS, table

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def works(tmp_path: Path) -> Path:
    path = tmp_path / "works.csv"
    table(*WORKS).to_csv(path, index=False)
    return path


def test_market_account_prints_the_guideline_and_its_figures(cli: Cli, works: Path) -> None:
    code, out, err = cli("market", "account", str(works), "--sector", "steel", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["method"]["method"] == "cets_steel_2024"
    (result,) = data["results"]
    assert result["enterprise_id"] == STEEL
    assert result["co2_t"] == pytest.approx(FUEL + PROCESS + PRODUCTS, abs=1e-5)
    codes = {w["code"] for w in result["warnings"]}
    assert "market.methods.indirect_outside" in codes
    code, out, err = cli("market", "account", str(works), "--sector", "steel")
    assert code == 0 and "CETS—AG—03.01—V01—2024" in out


def test_market_reconcile_writes_the_streams(cli: Cli, works: Path, tmp_path: Path) -> None:
    target = tmp_path / "rec.csv"
    code, _, err = cli("market", "reconcile", str(works), "--sector", "steel", "--csv", str(target))
    assert code == 0, err
    streams = pd.read_csv(target)
    assert set(streams["item"]) >= {"coke", "electricity", "crude_steel"}
    assert streams["market_co2_t"].sum() == pytest.approx(FUEL + PROCESS + PRODUCTS, abs=1e-4)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--sector", "cement"), "market_methods"),
        (("--sector", "glass"), "--sector"),
    ],
)
def test_bad_sector_exit_2(cli: Cli, works: Path, args: tuple[str, ...], needle: str) -> None:
    code, _, err = cli("market", "account", str(works), *args)
    assert code == 2 and needle in err and "Traceback" not in err


def test_market_account_with_the_process_sheet(cli: Cli, works: Path, tmp_path: Path) -> None:
    from tests.market.test_processes import IRON, PROCESSES, sheet

    path = tmp_path / "processes.csv"
    sheet(*PROCESSES).to_csv(path, index=False)
    code, out, err = cli(
        "market", "account", str(works), "--sector", "steel", "--processes", str(path), "--json"
    )
    assert code == 0, err
    iron = next(p for p in json.loads(out)["processes"] if p["process"] == "ironmaking")
    assert iron["co2_t"] == pytest.approx(IRON, abs=1e-5)
    bad = tmp_path / "bad.csv"
    sheet({**PROCESSES[0], "process": "rolling"}).to_csv(bad, index=False)
    code, _, err = cli(
        "market", "account", str(works), "--sector", "steel", "--processes", str(bad)
    )
    assert code == 2 and "bad.csv" in err and "rolling" in err


def test_market_allocate_2025_with_the_authoritys_balance_value(cli: Cli, tmp_path: Path) -> None:
    from tests.market.test_allocations import BIG, WORKS, E

    activity, processes, values = (tmp_path / n for n in ("a.csv", "p.csv", "bp.csv"))
    table(*WORKS).to_csv(activity, index=False)
    from tests.market.test_processes import sheet

    sheet(*BIG).to_csv(processes, index=False)
    values.write_text(
        "sector,year,value,unit,source_id,status,note\n"
        "steel,2025,0.8,tCO2/t,cets_steel_2024,unverified,"
        "a test value entered as an authority would\n",
        encoding="utf-8",
    )
    args = ("market", "allocate", str(activity), "--sector", "steel", "--year", "2025")
    code, out, err = cli(
        *args, "--processes", str(processes), "--balance-values", str(values), "--json"
    )
    assert code == 0, err
    (allocation,) = json.loads(out).values()
    assert float(allocation["verified_emissions_t"]) == pytest.approx(E)
    assert float(allocation["alpha"]) == pytest.approx(0.0020289, abs=1e-7)
    code, _, err = cli(*args, "--processes", str(processes))  # no balance value
    assert code == 2 and "market_balance_values" in err


def test_market_balance_of_a_ledger(cli: Cli, tmp_path: Path) -> None:
    entries = tmp_path / "ledger.csv"
    entries.write_text(
        "day,kind,holder,amount,vintage,year\n"
        "2025-08-31,obligation,W,1000,,2024\n"
        "2025-10-20,allocated,W,1000,2024,\n"
        "2025-12-01,surrendered,W,900,2024,2024\n"
        "2025-12-15,offset,W,50,,2024\n",
        encoding="utf-8",
    )
    args = (
        "market",
        "balance",
        str(entries),
        "--sector",
        "steel",
        "--holder",
        "W",
        "--year",
        "2024",
    )
    code, out, err = cli(*args, "--on", "2026-01-05", "--json")
    assert code == 0, err
    position = json.loads(out)
    assert position["shortfall_t"] == "50" and position["late"] is True
    assert position["usable_t"] == "100" and position["deadline"] == "2025-12-31"
    entries.write_text(
        "day,kind,holder,amount,vintage,year\n2025-12-15,offset,W,50,,2024\n", encoding="utf-8"
    )
    code, _, err = cli(*args, "--on", "2026-01-05")
    assert code == 2 and "ledger.csv" in err and "row 2" in err


def test_market_plan_checks_a_workbook_and_writes_a_blank(cli: Cli, tmp_path: Path) -> None:
    from carbonpeak.io.market_plan import plan_workbook_bytes
    from tests.market.test_plans import plan, replaced

    good, bad, blank = (tmp_path / n for n in ("good.xlsx", "bad.xlsx", "blank.xlsx"))
    good.write_bytes(plan_workbook_bytes(plan()))
    code, out, err = cli("market", "plan", str(good))
    assert code == 0, err
    assert "CETS" in out or "cets" in out
    coke = replaced(("fuel", "coke", "ncv"), acquisition="measured")  # coke NCV: default only
    bad.write_bytes(plan_workbook_bytes(plan(coke)))
    code, _, err = cli("market", "plan", str(bad))
    assert code == 2 and "bad.xlsx" in err and "参数" in err
    code, _, err = cli(
        "market",
        "plan",
        str(blank),
        "--template",
        "--sector",
        "steel",
        "--year",
        "2026",
        "--enterprise",
        STEEL,
        "--name",
        "示例钢铁",
    )
    assert code == 0 and blank.is_file(), err
    code, _, err = cli("market", "plan", str(tmp_path / "none.xlsx"))
    assert code == 2 and "none.xlsx" in err


def test_a_sector_other_than_the_enterprises_is_refused(cli: Cli) -> None:
    """Review: `--sector` was never checked against the enterprise's industry class."""
    examples = Path(__file__).parents[2] / "examples"
    args = ("market", "account", str(examples / "market_steel.csv"))
    enterprises = ("--enterprises", str(examples / "enterprises.csv"))
    code, _, err = cli(*args, "--sector", "cement", *enterprises)
    assert code == 2 and "industry_code" in err and "911302005B8M2P4Q99" in err
    code, _, err = cli(*args, "--sector", "steel", *enterprises)
    assert code == 0, err


def test_a_bad_value_in_a_column_the_guideline_sets_aside_is_refused(
    cli: Cli, tmp_path: Path
) -> None:
    """The guideline replaces a measured carbon content by its default, so the column is never
    read: 'abc' there is still refused, placed at its row and column (review finding 20)."""
    lines = [dict(line) for line in WORKS]
    lines[3]["carbon_content_tc_per_gj"] = "abc"  # bituminous coal, data row 5
    path = tmp_path / "bad.csv"
    table(*lines).to_csv(path, index=False)
    code, _, err = cli("market", "account", str(path), "--sector", "steel")
    assert code == 2 and "Traceback" not in err
    assert "row 5, column carbon_content_tc_per_gj" in err and "'abc' is not a number" in err


def test_a_line_repeated_is_summed_with_a_warning(cli: Cli, tmp_path: Path) -> None:
    """Two equal lines are two deliveries to the accounts (the coke counts twice, by hand:
    1 000 t more x 28.435 GJ/t x 0.02942 tC/GJ x 44/12), and the repeat is named."""
    path = tmp_path / "twice.csv"
    table(*WORKS, WORKS[0]).to_csv(path, index=False)
    code, out, err = cli("market", "account", str(path), "--sector", "steel", "--json")
    assert code == 0, err
    data = json.loads(out)
    (result,) = data["results"]
    coke = 1000 * 28.435 * 0.02942 * 44 / 12
    assert result["co2_t"] == pytest.approx(FUEL + PROCESS + PRODUCTS + coke, abs=1e-4)
    [warning] = data["warnings"]
    assert warning["code"] == "market.inputs.repeated_lines"
    assert warning["data"]["rows"] == ["17 = 2"]
