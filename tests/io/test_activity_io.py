"""Reading activity files (CSV and Excel), the template, and the account command end to end."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from carbonpeak.accounting.engine import account
from carbonpeak.io.activity import bilingual_activity
from carbonpeak.io.activity_columns import ACTIVITY_SPECS
from carbonpeak.io.tables import read_table
from carbonpeak.io.template import write_activity_template
from carbonpeak.reference.loader import default_reference

Cli = Callable[..., tuple[int, str, str]]
EXAMPLES = Path(__file__).parents[2] / "examples"


def test_account_example(cli: Cli) -> None:
    code, out, _ = cli(
        "account",
        str(EXAMPLES / "activity.csv"),
        "--enterprises",
        str(EXAMPLES / "enterprises.csv"),
        "--json",
    )
    assert code == 0
    results = json.loads(out)["results"]
    assert len(results) == 4
    first = results[0]
    assert set(first) >= {
        "enterprise_id",
        "period",
        "energy_tce",
        "co2_t",
        "co2e_t",
        "uncertainty_pct",
        "lines",
        "warnings",
    }
    assert set(first["co2_t"]) == {"combustion", "process", "electricity", "heat", "total"}
    assert first["co2_t"]["total"] == pytest.approx(
        sum(first["co2_t"][k] for k in ("combustion", "process", "electricity", "heat")),
        rel=1e-9,
    )


def test_account_writes_csv(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "out" / "totals.csv"
    code, _out, _ = cli("account", str(EXAMPLES / "activity.csv"), "--csv", str(target))
    assert code == 0 and target.exists()
    assert target.read_text().splitlines()[0].startswith("enterprise_id,period,energy_tce")


BAD = """enterprise_id,period,stream,item,amount,unit
911302007A3K9C2D24,2023,fuel,diesel,5,t
911302007A3K9C2D24,2023,fuel,unobtainium,5,t
911302007A3K9C2D24,2023-13,fuel,diesel,-1,kWh
"""


def test_bad_csv_exits_2_lists_everything_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "activity.csv"
    source.write_text(BAD, encoding="utf-8")
    target = tmp_path / "totals.csv"
    code, out, err = cli("account", str(source), "--csv", str(target))
    assert code == 2
    assert f"{source}, row 3, column item: unknown item 'unobtainium'" in err
    assert f"{source}, row 4, column period: '2023-13' is not YYYY or YYYY-MM" in err
    assert f"{source}, row 4, column amount: is negative" in err
    assert f"{source}, row 4, column unit: unit 'kWh' does not fit item 'diesel'" in err
    assert "4 problem(s); nothing was computed or written" in err
    assert not target.exists() and not list(tmp_path.glob(".totals*"))
    assert "Traceback" not in out + err


def test_excel_problems_name_the_sheet(cli: Cli, tmp_path: Path) -> None:
    workbook_path = tmp_path / "activity.xlsx"
    write_activity_template(workbook_path, default_reference())
    workbook = load_workbook(workbook_path)
    sheet = workbook["活动数据 (activity)"]
    codes = [c.code for c in ACTIVITY_SPECS]
    for line in BAD.splitlines()[1:]:
        values = dict(zip(BAD.splitlines()[0].split(","), line.split(","), strict=True))
        sheet.append([values.get(c) for c in codes])
    workbook["企业 (enterprises)"].append(["911302007A3K9C2D24", "x", "139900", "3011"])
    workbook.save(workbook_path)
    code, _, err = cli("account", str(workbook_path), "--enterprises", str(workbook_path))
    assert code == 2
    assert f"{workbook_path}, sheet activity, row 3, column 品种 (item): unknown item" in err
    assert (
        f"{workbook_path}, sheet enterprises, row 2, column 行政区划代码 (region_code): "
        "unknown region code 139900" in err
    )


def test_excel_round_trip(cli: Cli, tmp_path: Path) -> None:
    workbook_path = tmp_path / "activity.xlsx"
    code, out, _ = cli("template", "activity", str(workbook_path))
    titles = ["活动数据 (activity)", "企业 (enterprises)", "代码表 (lists)", "说明 (help)"]
    titles.append("示例 (example)")
    assert code == 0 and f"sheets {', '.join(titles)}" in out
    workbook = load_workbook(workbook_path)
    assert workbook.sheetnames == titles
    sheet = workbook["活动数据 (activity)"]
    validations = {
        str(v.sqref).split(":")[0][0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert len(validations) == 3
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["统一社会信用代码 (enterprise_id)", "统计期 (period)"]
    sheet.append(
        [
            {
                "enterprise_id": "911302007A3K9C2D24",
                "period": "2023",
                "stream": "燃料 (fuel)",
                "item": "柴油",
                "amount": 2,
                "unit": "t",
            }.get(c.code)
            for c in ACTIVITY_SPECS
        ]
    )
    workbook.save(workbook_path)
    code, out, _ = cli("account", str(workbook_path), "--json")
    assert code == 0
    (result,) = json.loads(out)["results"]
    assert result["energy_tce"] == pytest.approx(2 * 1.4571)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("account", "missing.csv"), "missing.csv: file not found"),
        (("account", "{examples}/activity.csv", "--gwp", "AR7"), "--gwp 'AR7': choose one of"),
        (("template", "activity", "t.csv"), "the template is an Excel workbook"),
    ],
)
def test_account_usage_errors(cli: Cli, args: tuple[str, ...], message: str) -> None:
    code, out, err = cli(*(a.format(examples=EXAMPLES) for a in args))
    assert code == 2 and message in err and "Traceback" not in out + err


def test_missing_sheet_is_named(cli: Cli, tmp_path: Path) -> None:
    workbook_path = tmp_path / "book.xlsx"
    write_activity_template(workbook_path, default_reference())
    workbook = load_workbook(workbook_path)
    workbook["活动数据 (activity)"].title = "data"
    workbook.save(workbook_path)
    code, _, err = cli("account", str(workbook_path))
    assert code == 2
    assert "no sheet '活动数据 (activity)' (or 'activity'); sheets: data, 企业 (enterprises)" in err


def test_benchmark_and_rollup_commands(cli: Cli) -> None:
    args = (str(EXAMPLES / "activity.csv"), "--enterprises", str(EXAMPLES / "enterprises.csv"))
    code, out, _ = cli("benchmark", *args, "--json")
    assert code == 0
    results = json.loads(out)["results"]
    assert {
        "enterprise_id",
        "period",
        "product",
        "unit_energy_kgce_per_t",
        "benchmark",
        "baseline",
        "grade",
        "saving_potential_tce",
        "limit_grade",
        "percentile",
        "warnings",
    } <= set(results[0])
    code, out, _ = cli("rollup", *args, "--by", "province_code", "--json")
    assert code == 0
    rows = json.loads(out)["rows"]
    assert {r["province_code"] for r in rows} == {"130000", "150000"}
    code, _, err = cli("rollup", *args, "--by", "colour")
    assert code == 2 and "cannot group by colour" in err


def test_template_example_sheet_reports_value_added(tmp_path: Path) -> None:
    """The example sheet is a valid activity table with a value-added line; the readme says in
    Chinese what stream `economic` is; `economic` is one of the streams of the drop-down."""
    workbook_path = tmp_path / "activity.xlsx"
    write_activity_template(workbook_path, default_reference())
    workbook = load_workbook(workbook_path)
    notes = {
        row[1]: row[3] for row in workbook["说明 (help)"].iter_rows(min_row=2, values_only=True)
    }
    assert "经济 economic（工业增加值）" in notes["stream"] and "万元" in notes["unit"]
    assert "经济 (economic)" in [c.value for c in workbook["代码表 (lists)"]["F"]]
    example, _, problems = bilingual_activity(
        read_table(workbook_path, "example"), default_reference()
    )
    assert problems == []
    example = example.drop(columns="row")
    lines = example[example["stream"] == "economic"]
    assert lines[["item", "amount", "unit"]].values.tolist() == [
        ["value_added", "4200", "10^4 yuan"]
    ]
    (result,) = account(example, reference=default_reference()).results(with_lines=False)
    assert result["value_added_10k_yuan"] == 4200.0
    assert result["output"] == [{"item": "clinker", "amount": 83000.0, "unit": "t"}]
