"""Reports as PDF and XLSX: their text read back with pdftotext and openpyxl."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from carbonpeak.accounting.engine import account
from carbonpeak.benchmarking.grades import grade
from carbonpeak.domain.warnings import warn
from carbonpeak.reference.loader import default_reference
from carbonpeak.reports.render import (
    AccountReport,
    account_pdf,
    account_xlsx,
    provenance,
    warning_text,
)

from ..conftest import require_binary, require_pdf_rendering

EXAMPLES = Path(__file__).parents[2] / "examples"
CEMENT = "911302007A3K9C2D24"
ENTERPRISE = {
    "enterprise_id": CEMENT,
    "name": "唐山示例水泥有限公司",
    "region": "唐山市",
    "industry": "3011 水泥制造",
}


@pytest.fixture(scope="module")
def example() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    activity = pd.read_csv(EXAMPLES / "activity.csv", dtype=str, keep_default_na=False)
    enterprises = pd.read_csv(EXAMPLES / "enterprises.csv", dtype=str)
    accounts = account(activity, enterprises)
    # the shape the services store and give back: flat totals, lines, warnings
    nested = next(r for r in accounts.results() if r["enterprise_id"] == CEMENT)
    totals = accounts.totals.set_index(["enterprise_id", "period"]).loc[(CEMENT, nested["period"])]
    result = {
        "enterprise_id": CEMENT,
        "period": nested["period"],
        **{str(k): float(v) for k, v in totals.items()},
        "lines": nested["lines"],
        "warnings": nested["warnings"],
        "version": 1,
        "state": "approved",
        "code_version": "test",
        "reference_digest": "0" * 64,
    }
    grades = [
        g
        for g in grade(activity, enterprises, accounts=accounts).results()
        if g["enterprise_id"] == CEMENT and g["period"] == result["period"]
    ]
    return result, grades


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    tool = require_binary("pdftotext")
    return subprocess.run(
        [tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize(
    ("locale", "title"),
    [("zh_CN", "能源消费与碳排放核算报告"), ("en", "Energy and carbon account")],
)
def test_pdf_holds_the_name_the_totals_and_every_source(
    example: tuple[dict[str, Any], list[dict[str, Any]]], tmp_path: Path, locale: str, title: str
) -> None:
    require_pdf_rendering()
    result, grades = example
    reference = default_reference()
    text = _text(
        account_pdf(AccountReport(ENTERPRISE, result, grades, reference, locale)), tmp_path
    )
    assert title in text
    assert ENTERPRISE["name"] in text  # Chinese text is real text, not missing glyphs
    assert f"{round(result['energy_tce']):,}" in text
    assert f"{round(result['co2_t']):,}" in text
    cited = provenance(result, reference)
    assert cited
    compact = "".join(text.split())  # cells wrap over lines
    for ref in cited:
        assert ref["table"] in compact and ref["parameter"] in compact


def test_xlsx_holds_totals_lines_and_provenance(
    example: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    result, grades = example
    book = load_workbook(
        io.BytesIO(
            account_xlsx(AccountReport(ENTERPRISE, result, grades, default_reference(), "en"))
        )
    )
    assert book.sheetnames == ["account", "lines", "grades", "provenance"]
    sheet = book["account"]
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["Comprehensive energy consumption (tce)"] == pytest.approx(
        result["energy_tce"], abs=1e-3
    )
    assert values["CO2 emissions (tCO2)"] == pytest.approx(result["co2_t"], abs=1e-3)
    assert len(sheet._charts) == 1
    assert book["lines"].max_row == len(result["lines"]) + 1
    assert book["provenance"].max_row == len(provenance(result, default_reference())) + 1


def test_xlsx_shows_value_added_and_output_when_reported(
    example: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    result, grades = example

    def shown(account: dict[str, Any], locale: str) -> dict[Any, Any]:
        report = AccountReport(ENTERPRISE, account, grades, default_reference(), locale)
        book = load_workbook(io.BytesIO(account_xlsx(report)))
        return {r[0]: r[1] for r in book["account"].iter_rows(values_only=True) if r and r[0]}

    reported = {
        **result,
        "value_added_10k_yuan": 4200.0,
        "output": [{"item": "clinker", "amount": 83000.0, "unit": "t"}],
    }
    values = shown(reported, "en")
    assert values["Industrial value added (10^4 yuan)"] == 4200.0
    assert values["Output: clinker (t)"] == 83000.0
    assert shown(reported, "zh_CN")["工业增加值 (万元)"] == 4200.0
    plain = shown({**result, "value_added_10k_yuan": None, "output": []}, "en")
    assert not any("value added" in str(label) for label in plain)


def test_warnings_read_in_the_chosen_language(
    example: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    result, _grades = example
    warnings = result["warnings"]
    codes = {w["code"] for w in warnings}
    assert "accounting.fuel.default_ncv_used" in codes
    ncv = next(w for w in warnings if w["code"] == "accounting.fuel.default_ncv_used")
    # the stored message keeps the codes; the reader sees the items' English names
    carbon = next(w for w in warnings if "bituminous_coal" in w["data"].get("items", []))
    assert "bituminous_coal" in carbon["message"]
    assert "bituminous coal" in warning_text(carbon, "en")
    assert "bituminous_coal" not in warning_text(carbon, "en")
    assert warning_text(ncv, "zh_CN").endswith("使用了低位发热量缺省值")
    assert "柴油" in warning_text(ncv, "zh_CN")  # item names in Chinese
    unknown = {"code": "accounting.something_new", "message": "as written", "data": {}}
    assert warning_text(unknown, "zh_CN") == "as written"


@pytest.mark.parametrize(
    ("locale", "shown", "hidden"),
    [
        ("zh_CN", "北京市没有电网排放因子：使用了华北电网的因子", "north"),
        ("en", "no factor for province Beijing: North China grid used", "110000"),
    ],
)
def test_a_warnings_codes_read_as_their_names(locale: str, shown: str, hidden: str) -> None:
    """Region and grid codes in a warning's data read by their names (regions.csv 110000
    北京市 / Beijing; power_grids.csv north 华北电网 / North China grid); the record keeps
    the codes."""
    record = warn("accounting.electricity.regional_factor", province="110000", area="north")
    assert warning_text(record.as_dict(), locale) == shown
    assert hidden not in warning_text(record.as_dict(), locale)
    assert record.data == {"province": "110000", "area": "north"}


@pytest.mark.parametrize(
    ("code", "data", "zh", "en"),
    [
        (
            "benchmarking.no_level",
            {"area": "cement_clinker", "day": "2024-01-01"},
            "水泥熟料",
            "cement clinker",
        ),
        (
            "monitoring.enpi.constant_driver",
            {"driver": "production_t"},
            "产量（吨）",
            "Production (t)",
        ),
        (
            "policy.energy_caps.no_base_year",
            {"region_code": "330000", "base_year": 2020},
            "浙江省",
            "Zhejiang",
        ),
        (
            "accounting.electricity.grid_year_fallback",
            {"wanted": 2025, "used": 2023, "area": "north"},
            "华北电网",
            "North China grid",
        ),
        (
            "policy.budgets.no_alert_thresholds",
            {"budget_id": 3, "quantity": "co2", "region": "330000"},
            "浙江省",
            "Zhejiang",
        ),
    ],
)
def test_every_kind_of_code_reads_by_name(
    code: str, data: dict[str, Any], zh: str, en: str
) -> None:
    record = warn(code, **data).as_dict()
    codes = [str(v) for k, v in data.items() if k in ("area", "driver", "region_code", "region")]
    for locale, name in (("zh_CN", zh), ("en", en)):
        text = warning_text(record, locale)
        assert name in text
        for raw in codes:
            assert raw not in text
