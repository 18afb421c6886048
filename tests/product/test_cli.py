"""`carbonpeak product` on the examples (a cement plant's 2024 activity and its process map):
footprints by hand from the account, CBAM goods of an import year, PACT export and read, and
bad input refused with exit 2."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[2] / "examples"
ACTIVITY, MAP = str(EXAMPLES / "product_activity.csv"), str(EXAMPLES / "product_map.xlsx")
YEAR = ("--enterprise", "911302007A3K9C2D24", "--year", "2024")
Cli = Callable[..., tuple[int, str, str]]


def _account(cli: Cli) -> dict[str, float]:
    code, out, err = cli("accounting", "account", ACTIVITY, "--json")
    assert code == 0, err
    co2 = json.loads(out)["results"][0]["co2_t"]
    return {"direct": co2["combustion"] + co2["process"]}


def test_footprints_of_the_example_by_hand(cli: Cli) -> None:
    direct = _account(cli)["direct"]
    code, out, err = cli("product", "footprint", ACTIVITY, MAP, *YEAR, "--json")
    assert code == 0, err
    found = {f["product"]: f for f in json.loads(out)["footprints"]}
    # 2024's electricity footprint factor 0.5777 kgCO2e/kWh; the kiln takes 60 % of 500 MWh
    clinker = direct / 800 + 300_000 * 0.5777e-3 / 800
    assert found["clinker"]["total_tco2e_per_t"] == pytest.approx(clinker, abs=1e-6)
    cement = 200_000 * 0.5777e-3 / 1000 + 750 / 1000 * clinker
    assert found["cement"]["total_tco2e_per_t"] == pytest.approx(cement, abs=1e-6)
    assert [w["code"] for w in found["cement"]["warnings"]] == ["product.footprint.no_factor"]


def test_cbam_goods_imported_in_2026(cli: Cli) -> None:
    code, out, err = cli(
        "product",
        "cbam",
        ACTIVITY,
        MAP,
        *YEAR,
        "--import-year",
        "2026",
        "--electricity-factor",
        "0.5",
        "--json",
    )
    assert code == 0, err
    goods = {g["product"]: g for g in json.loads(out)["goods"]}
    assert goods["clinker"]["default_marked_up"] == pytest.approx(1.529)
    assert goods["cement"]["default_marked_up"] == pytest.approx(1.562)
    direct = _account(cli)["direct"]
    assert goods["clinker"]["see_counted"] == pytest.approx(direct / 800 + 300 * 0.5 / 800)


def test_before_the_definitive_period_the_goods_are_not_priced(cli: Cli) -> None:
    code, out, err = cli("product", "cbam", ACTIVITY, MAP, *YEAR)
    assert code == 2
    assert "2024" in out + err and "2026" in out + err


def test_pact_export_and_read(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "footprints.json"
    export = ("product", "exchange", "export", ACTIVITY, MAP, *YEAR, "--out", str(target))
    code, _, err = cli(*export, "--company", "示例水泥", "--fossil-carbon", "clinker=0")
    assert code == 0, err
    code, out, err = cli("product", "exchange", "read", str(target), "--json")
    assert code == 0, err
    read = {f["productNameCompany"]: f for f in json.loads(out)}
    assert set(read) == {"clinker"}
    assert read["clinker"]["pcf"]["declaredUnitAmount"] == "1000"
    # the cement's footprint has a gap (its mill's gypsum without a factor): not declared
    code, out, err = cli(*export, "--company", "示例水泥", "--fossil-carbon", "cement=0")
    assert code == 2 and "cement: 石膏" in out + err, out + err


def test_bad_input_exits_2(cli: Cli, tmp_path: Path) -> None:
    code, out, err = cli(
        "product",
        "exchange",
        "export",
        ACTIVITY,
        MAP,
        *YEAR,
        "--out",
        str(tmp_path / "x.json"),
        "--company",
        "c",
        "--fossil-carbon",
        "rebar=0",
    )
    assert code == 2 and "rebar" in out + err and not (tmp_path / "x.json").exists()
    old = tmp_path / "v2.json"
    old.write_text(json.dumps({"specVersion": "2.2.0", "id": "x"}), encoding="utf-8")
    code, out, err = cli("product", "exchange", "read", str(old))
    assert code == 2 and "2026-04-01" in out + err and "Traceback" not in out + err
    code, out, err = cli(
        "product",
        "footprint",
        ACTIVITY,
        MAP,
        "--enterprise",
        "911302007A3K9C2D24",
        "--year",
        "2019",
    )
    assert code == 2 and "2019" in out + err


def test_the_template_is_written(cli: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "map.xlsx"
    code, _, err = cli("product", "template", str(target))
    assert code == 0, err
    assert "工序 (units)" in load_workbook(target).sheetnames
    code, _, _ = cli("product", "template", str(tmp_path / "map.csv"))
    assert code == 2


def test_a_map_problem_is_placed_in_the_map_not_the_activity(cli: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(MAP)
    sheet = book["分摊 (assignments)"]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value in ("电力", "electricity") and row[0].value == "回转窑":
            row[2].value = "50%"
    bad = tmp_path / "map.xlsx"
    book.save(bad)
    code, out, err = cli("product", "footprint", ACTIVITY, str(bad), *YEAR)
    said = out + err
    assert code == 2 and "map.xlsx" in said and "分摊" in said and "0.9" in said, said
    assert "product_activity.csv" not in said


@pytest.mark.parametrize(
    "options",
    [
        ("--company", "c", "--fossil-carbon", "cement=-5"),
        ("--company", "c", "--fossil-carbon", "cement=nan"),
        ("--company", "c", "--fossil-carbon", "cement=inf"),
        ("--company", " ", "--fossil-carbon", "clinker=0"),
    ],
)
def test_bad_export_options_exit_2(cli: Cli, tmp_path: Path, options: tuple[str, ...]) -> None:
    target = tmp_path / "x.json"
    code, out, err = cli(
        "product", "exchange", "export", ACTIVITY, MAP, *YEAR, "--out", str(target), *options
    )
    assert code == 2 and "Traceback" not in out + err and not target.exists()
    code, out, err = cli(
        "product",
        "exchange",
        "export",
        ACTIVITY,
        MAP,
        *YEAR,
        "--out",
        str(tmp_path / "none" / "x.json"),
        "--company",
        "c",
        "--fossil-carbon",
        "cement=0",
    )
    assert code == 2 and "none" in out + err


def test_the_cbam_communication_workbook(cli: Cli, tmp_path: Path) -> None:
    from carbonpeak.io.cbam_workbook import read_communication

    target = tmp_path / "cbam.xlsx"
    known = ("--enterprises", str(EXAMPLES / "enterprises.csv"))
    code, out, err = cli(
        "product",
        "cbam",
        ACTIVITY,
        MAP,
        *YEAR,
        *known,
        "--electricity-factor",
        "0.5",
        "--electricity-source",
        "D.4(a)",
        "--workbook",
        str(target),
        "--installation",
        "unlocode=CN TGS",
        "--installation",
        "latitude=39.6",
    )
    assert code == 0, err
    assert (
        f"Written {target}" in out
    )  # 2024: no default values to compare, the workbook all the same
    model = read_communication(target)
    site = model.installation
    assert (site.name, site.city, site.country, site.unlocode) == (
        "示例水泥有限公司 (example cement)",  # the enterprise's row
        "Tangshan",  # its region 130200
        "China",
        "CN TGS",
    )
    assert [p.name for p in model.processes] == ["回转窑", "水泥磨"]
    assert site.latitude == 39.6 and model.processes[1].electricity_ef == 0.5


def test_a_bad_cbam_workbook_request_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    base = ("product", "cbam", ACTIVITY, MAP, *YEAR, "--installation", "name=Example")
    code, out, err = cli(*base, "--workbook", str(tmp_path / "cbam.txt"))
    assert code == 2 and "*.xlsx" in out + err and not list(tmp_path.iterdir())
    code, out, err = cli(*base, "--workbook", str(tmp_path / "c.xlsx"), "--electricity-source", "x")
    assert code == 2 and "D.4(a)" in out + err and not list(tmp_path.iterdir())
    code, out, err = cli(
        "product", "cbam", ACTIVITY, MAP, *YEAR, "--workbook", str(tmp_path / "c.xlsx")
    )
    assert code == 2 and "--installation name=" in out + err and not list(tmp_path.iterdir())
    code, out, err = cli(*base, "--workbook", str(tmp_path / "c.xlsx"), "--installation", "hue=1")
    assert code == 2 and "unlocode" in out + err and not list(tmp_path.iterdir())
    book = load_workbook(MAP)  # the kiln without its CN code and category: the mill's clinker
    for column in (4, 5, 6):  # comes from a unit the template has no process for
        book["工序 (units)"].cell(2, column).value = None
    plan = tmp_path / "map.xlsx"
    book.save(plan)
    target = tmp_path / "c.xlsx"
    code, out, err = cli(
        "product",
        "cbam",
        ACTIVITY,
        str(plan),
        *YEAR,
        "--installation",
        "name=x",
        "--workbook",
        str(target),
    )
    assert code == 2 and "map.xlsx" in err and "工序间" in err, out + err
    assert "Traceback" not in out + err and not target.exists()
