"""The data-quality control plan as a document after the steel guideline's Annex B, and the
annual report's tables C.6 and C.7 (issue 21): a plan filed over the API read back from the
enterprise's market page as a workbook (cells) and a PDF (its text, Chinese and English); a
named version; a plan or version not filed is a 404 that says so; who may read it."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

from carbonpeak.io.market_plan import plan_workbook_bytes
from carbonpeak.market.plans import Enterprise, Facility, PlanVersion
from tests.api.conftest import ALUMINIUM, PASSWORD, STEEL, Api, api  # noqa: F401
from tests.conftest import require_binary
from tests.market.test_accounts import WORKS, table
from tests.market.test_plans import plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
V1 = PlanVersion(number="V1", date=date(2024, 12, 20), reason="首次制定")
V2 = PlanVersion(
    number="V2",
    date=date(2025, 3, 1),
    reason="新增天然气流量计",
    trigger="better_method",
    description="天然气改为流量计计量",
)
FACILITIES = (
    Facility(name="1#高炉", number="BF01", model="2500 m3", status="in_use", process="炼铁"),
    Facility(name="2#焦炉", number="CO02", status="stopped", process="焦化", owner="某焦化公司"),
)


def _file(store: Api, versions: tuple[PlanVersion, ...]) -> None:
    book = plan_workbook_bytes(
        plan(
            enterprise=Enterprise(name="示例钢铁有限公司", uscc=STEEL, address="唐山市某路1号"),
            year=2025,
            versions=versions,
            facilities=FACILITIES,
        )
    )
    answer = store.client.post(
        f"/api/v1/market/plans/{STEEL}",
        headers=store.headers("group"),
        files={"file": ("plan.xlsx", book, XLSX)},
    )
    assert answer.status_code == 201, answer.text


def _login(store: Api, who: str, lang: str = "zh_CN") -> None:
    store.client.cookies.clear()
    answer = store.client.post(
        "/login", data={"username": who, "password": PASSWORD, "next": "/"}, follow_redirects=False
    )
    assert answer.status_code == 303
    store.client.cookies.set("lang", lang)


def _text(pdf: bytes) -> str:
    """The PDF's text without white space (a narrow column wraps its words)."""
    text = subprocess.run(
        [require_binary("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return "".join(text.split())


def _rows(sheet: Any) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


def test_the_plan_document_workbook(api: Api) -> None:  # noqa: F811
    _file(api, (V1,))
    _file(api, (V1, V2))  # the second filing: version 2 of the year
    _login(api, "hebei")
    page = api.client.get(f"/market/enterprises/{STEEL}?year=2025").text
    assert 'id="plan-document"' in page and f"/market/enterprises/{STEEL}/plan.xlsx" in page
    answer = api.client.get(f"/market/enterprises/{STEEL}/plan.xlsx?year=2025")
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == [
        "数据质量控制方案",
        "B.1 版本",
        "B.2 企业",
        "B.3 设施",
        "B.4 参数",
        "B.5 工序数据",
        "B.6 计量器具台账",
    ]
    first = _rows(book["数据质量控制方案"])
    assert ("统一社会信用代码", STEEL, None) in first
    shown = next(r[1] for r in first if r[0] == "版本")  # the heading's line, before the filings
    assert shown.startswith("第 2 版（共 2 版），提交于 ")
    assert (1, "首次制定", None) not in first and first[-2][:2] == (1, "首次制定")
    versions = _rows(book["B.1 版本"])
    assert versions[0][0] == "B.1 数据质量控制方案的版本及修订"
    header = versions.index(
        ("版本号", "制定（修订）时间", "首次制定或修订原因", "修订情形（9.3）", "修订说明")
    )
    assert versions[header + 1] == ("V1", "2024-12-20", "首次制定", None, None)
    assert versions[header + 2] == (
        "V2",
        "2025-03-01",
        "新增天然气流量计",
        "采用新的测量仪器和方法",
        "天然气改为流量计计量",
    )
    enterprise = {r[0]: r[1] for r in _rows(book["B.2 企业"])}
    assert enterprise["企业名称"] == "示例钢铁有限公司"
    assert enterprise["企业住所"] == "唐山市某路1号"
    assert enterprise["组织机构图"] == "未保存" and enterprise["厂区平面分布图"] == "未保存"
    facilities = _rows(book["B.3 设施"])
    assert ("焦化", "2#焦炉", "CO02", None, None, "停用", "某焦化公司", None) in facilities
    assert ("炼铁", "1#高炉", "BF01", "2500 m3", None, "在用", None, None) in facilities
    parameters = _rows(book["B.4 参数"])
    columns = (
        "排放类型",
        "品种",
        "参数名称",
        "单位",
        "获取方式",
        "具体描述",
        "名称及型号",
        "安装位置",
        "监测频次",
        "准确度等级",
        "规定的检定/校准频次（月）",
        "数据记录频次",
        "数据缺失时的处理方式",
        "数据获取负责部门",
    )
    header = parameters.index(columns)
    groups = parameters[header - 1]
    assert groups[4] == "数据获取方式" and groups[6].startswith("计量器具")
    rows = parameters[header + 1 :]
    assert len(rows) == 18  # every B.4 row of the plan
    coke = rows[0]
    assert coke[:5] == ("消耗化石燃料排放", "焦炭", "净消耗量", "t", "实测值")
    assert coke[6] == "电子汽车衡 SCS-100" and coke[9] == "III" and coke[10] == 12
    anthracite_ncv = rows[4]
    assert anthracite_ncv[2] == "收到基低位发热量" and anthracite_ncv[8] == "每批次"
    assert anthracite_ncv[5] == "每批次入厂检测，GB/T 213，CMA 实验室"
    assert rows[9][:3] == ("过程排放", "石灰石", "碳酸盐消耗量")
    assert rows[13][:3] == ("含碳产品隐含的排放", "粗钢", "含碳产品输出量")
    assert [r[2] for r in rows[15:]] == ["二氧化碳排放总量", "粗钢产量", "单位粗钢碳排放量"]
    ledger = _rows(book["B.6 计量器具台账"])
    meters = [r for r in ledger if isinstance(r[5], int)]
    assert [(r[0], r[1], r[5]) for r in meters] == [
        ("焦炭 · 净消耗量", "电子汽车衡 SCS-100", 12),
        ("无烟煤 · 净消耗量", "皮带秤 ICS-20", 12),
        ("天然气 · 净消耗量", "涡轮流量计 LWQ-200", 6),
        ("石灰石 · 碳酸盐消耗量", "电子汽车衡 SCS-100", 12),
    ]
    assert ("记录和台账保存年限（年）", 5) in [r[:2] for r in ledger]
    process = [r[0] for r in _rows(book["B.5 工序数据"])]
    assert any(str(t).startswith("各工序数据确定方式") for t in process)

    first_version = api.client.get(f"/market/enterprises/{STEEL}/plan.xlsx?year=2025&version=1")
    assert first_version.status_code == 200
    older = _rows(load_workbook(io.BytesIO(first_version.content))["B.1 版本"])
    assert [r[0] for r in older if r[0] in ("V1", "V2")] == ["V1"]


def test_the_plan_document_pdf_in_both_languages(api: Api) -> None:  # noqa: F811
    _file(api, (V1,))
    _login(api, "group")  # the enterprise itself
    answer = api.client.get(f"/market/enterprises/{STEEL}/plan.pdf?year=2025")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    text = _text(answer.content)
    for words in (
        "数据质量控制方案",
        "B.4 企业层级数据确定方式",
        "收到基低位发热量",
        "单位热值含碳量",
        "涡轮流量计 LWQ-200",
        "计量器具（适用于数据获取方式来源于实测值）",
        "缺省值",
        "组织机构图",  # not held, and said so
        "平台未保存的内容",
    ):
        assert "".join(words.split()) in text, words
    _login(api, "group", "en")
    english = _text(api.client.get(f"/market/enterprises/{STEEL}/plan.pdf?year=2025").content)
    assert "B.4Howtheenterprise-leveldataaredetermined" in english
    assert "Netcalorificvalue,asreceived" in english and "Organisationchart" in english
    assert api.client.get(f"/market/enterprises/{STEEL}/plan.doc?year=2025").status_code == 404


def test_a_plan_not_filed_is_a_404_that_says_so(api: Api) -> None:  # noqa: F811
    _login(api, "hebei")
    none = api.client.get(f"/market/enterprises/{STEEL}/plan.pdf?year=2026")
    assert none.status_code == 404 and "尚未提交" in none.text and 'id="refused"' in none.text
    _file(api, (V1,))
    missing = api.client.get(f"/market/enterprises/{STEEL}/plan.xlsx?year=2025&version=9")
    assert missing.status_code == 404
    assert "2025 年度数据质量控制方案的第 9 版尚未提交。" in missing.text
    _login(api, "hebei", "en")
    english = api.client.get(f"/market/enterprises/{STEEL}/plan.xlsx?year=2025&version=x")
    assert english.status_code == 404
    assert "Version x of the data-quality control plan of 2025 has not been filed." in english.text
    none = api.client.get(f"/market/enterprises/{STEEL}/plan.xlsx?year=2026")
    assert "No data-quality control plan of this year has been filed." in none.text
    # digits that are not ASCII (int() of "²" fails): a version not filed, a year not given
    assert (
        api.client.get(f"/market/enterprises/{STEEL}/plan.xlsx?year=2025&version=²").status_code
        == 404
    )
    assert api.client.get(f"/market/enterprises/{STEEL}?year=²").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 200), ("hebei", 200), ("group", 200), ("neimenggu", 404)]
)
def test_who_may_read_the_plan_document(api: Api, who: str, status: int) -> None:  # noqa: F811
    _file(api, (V1,))
    _login(api, who)
    answer = api.client.get(f"/market/enterprises/{STEEL}/plan.xlsx?year=2025")
    assert answer.status_code == status
    if status == 404:  # not its region: the page of what does not exist, nothing of the plan
        assert "示例钢铁" not in answer.text and "尚未提交" not in answer.text
    _login(api, "cement")  # an enterprise user of another enterprise
    assert api.client.get(f"/market/enterprises/{STEEL}/plan.pdf?year=2025").status_code == 404
    api.client.cookies.clear()  # not signed in: to the login page
    anonymous = api.client.get(
        f"/market/enterprises/{STEEL}/plan.pdf?year=2025", follow_redirects=False
    )
    assert anonymous.status_code in (303, 307) and "/login" in anonymous.headers["location"]


def test_the_annual_report_has_c6_and_c7(api: Api) -> None:  # noqa: F811
    """C.6: each month's net purchased electricity (100,000 MW·h in, 2,500,000 kWh out: 97,500
    MW·h) and heat (3,000 GJ), the year their sum; what C.6 asks beyond that, not held. C.7:
    the plan's meters with the calibration interval it sets; dates and training, not held."""
    extra = [
        {
            "stream": "electricity",
            "item": "electricity",
            "direction": "out",
            "amount": "2500000",
            "unit": "kWh",
        },
        {"stream": "heat", "item": "heat", "amount": "3000", "unit": "GJ"},
    ]
    monthly = pd.concat([table(*WORKS, *extra, period=f"2025-{m:02d}") for m in range(1, 13)])
    answer = api.client.post(
        "/api/v1/submissions",
        headers=api.headers("group"),
        files={"file": ("year.csv", monthly.to_csv(index=False).encode(), "text/csv")},
    )
    assert answer.status_code in (200, 201), answer.text
    _file(api, (V1,))
    _login(api, "hebei")
    report = api.client.get(f"/market/enterprises/{STEEL}/report.xlsx?year=2025")
    assert report.status_code == 200
    book = load_workbook(io.BytesIO(report.content))
    assert book.sheetnames[-3:] == ["辅助报告项", "其他信息", "说明"]
    auxiliary = _rows(book["辅助报告项"])
    header = auxiliary[0]
    assert header[2:14] == tuple(f"2025-{m:02d}" for m in range(1, 13)) and header[14] == "全年"
    power = next(r for r in auxiliary if r[0] == "净购入电量（企业整体）: 电力")
    assert power[1] == "MWh" and power[2:14] == (97500.0,) * 12 and power[14] == 1170000.0
    heat = next(r for r in auxiliary if r[0] == "净购入热量（企业整体）: 热力")
    assert heat[1] == "GJ" and heat[14] == 36000.0
    held = [r[0] for r in auxiliary if r[1] == "未保存"]
    assert "各类外购固体化石燃料水分检测月度平均值（%）" in held and len(held) == 4
    other = _rows(book["其他信息"])
    assert other[0][0] == "计量器具检定/校准信息"
    assert other[1][0] == "取自本年度数据质量控制方案第 1 版。"
    meters = [r for r in other[3:] if isinstance(r[0], int)]
    assert [(r[1], r[3], r[6], r[7]) for r in meters] == [
        ("电子汽车衡 SCS-100", "焦炭 · 净消耗量; 石灰石 · 碳酸盐消耗量", 12, "未保存"),
        ("皮带秤 ICS-20", "无烟煤 · 净消耗量", 12, "未保存"),
        ("涡轮流量计 LWQ-200", "天然气 · 净消耗量", 6, "未保存"),
    ]
    assert "温室气体排放相关管理和工作人员参加碳排放相关培训的信息" in [r[0] for r in other]
    printed = _text(api.client.get(f"/market/enterprises/{STEEL}/report.pdf?year=2025").content)
    assert "辅助报告项" in printed and "1,170,000.000" in printed and "皮带秤ICS-20" in printed


def test_a_cement_plan_document_says_its_guideline_is_not_in_the_library(
    api: Api,  # noqa: F811
) -> None:
    """A cement works' plan (its guideline's text was not found: checked for structure only)
    is printed with the check's warning, naming the guideline."""
    from tests.api.conftest import CEMENT

    book = plan_workbook_bytes(
        plan(
            enterprise=Enterprise(name="示例水泥有限公司", uscc=CEMENT),
            sector="cement",
            year=2025,
            versions=(V1,),
        )
    )
    answer = api.client.post(
        f"/api/v1/market/plans/{CEMENT}",
        headers=api.headers("cement"),
        files={"file": ("plan.xlsx", book, XLSX)},
    )
    assert answer.status_code == 201, answer.text
    _login(api, "cement")
    workbook = api.client.get(f"/market/enterprises/{CEMENT}/plan.xlsx?year=2025")
    assert workbook.status_code == 200
    first = _rows(load_workbook(io.BytesIO(workbook.content))["数据质量控制方案"])
    assert ("核算指南", "–", None) in first
    warning = next(r for r in first if r[0] == "market.plans.guideline_not_in_library")
    assert "CETS—AG—02.01—V01—2024" in warning[1] and "仅检查了方案的结构" in warning[1]
