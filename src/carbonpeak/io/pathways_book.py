"""The pathway scenario as a workbook, for those who plan in Excel: the scenario builder's form
(`pathways.builder`) as sheets, Chinese first with the English code beside each header
(io/headers.py; sheets titled by `io.sheet_names`, read by their code or Chinese name too), so
that a filled workbook reads into the same scenario file the builder and an analyst's YAML give,
through the builder's own checks (`read_form`, `scenario_of`).

Sheets:
- `说明 (help)`: each column in Chinese and English, the base year of the observed data;
- `情景 (scenarios)`: one row a scenario: its name, horizon and uncertainty range (%);
- `路径 (paths)`: the paths of each scenario, region and sector: one row a year, with the output
  growth from that year (% a year) and the emission intensity in that year (% of the base
  year's), either or both; the first year of each path is the base year;
- `代码表 (lists)`: the provinces and sectors the observed data offers (the drop-downs).

A region is its code, its Chinese or English name or `河北 (130000)`; a sector its code, its
Chinese name or `钢铁 (steel)`. Every problem is placed by file, sheet, row and the header as
the user wrote it; nothing is read from a workbook with one (`io.pathways_book_read`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from carbonpeak.i18n import gettext_of
from carbonpeak.io.headers import ColumnSpec, choice_label
from carbonpeak.io.sheet_names import sheet_ref, sheet_title
from carbonpeak.io.sheets import append_row
from carbonpeak.io.tables import atomic_path
from carbonpeak.pathways.builder import (
    MAX_INTENSITY,
    MAX_RANGE,
    MAX_RATE,
    MAX_YEAR,
    NAME_LENGTH,
    Plan,
)

SCENARIO_SHEET = sheet_title("scenarios")
PATH_SHEET = sheet_title("paths")
HELP_SHEET = sheet_title("help")
LIST_SHEET = sheet_title("lists")
EXAMPLE_ROWS = 200  # rows with drop-downs under the header

_NAME = ColumnSpec(
    "name",
    "情景名称",
    f"情景的名称，本工作簿内唯一，至多 {NAME_LENGTH} 个字符",
    f"the scenario's name, unique in the workbook, at most {NAME_LENGTH} characters",
    example="示例",
    aliases=("情景", "scenario"),
)
SCENARIO_SPECS = (
    _NAME,
    ColumnSpec(
        "horizon",
        "终止年份",
        f"预测的最后一年：基准年之后，至多 {MAX_YEAR}",
        f"the last year projected: after the base year, at most {MAX_YEAR}",
        example=2060,
    ),
    ColumnSpec(
        "low",
        "不确定性下限",
        f"基准年排放强度的不确定性下限，百分比，-{MAX_RANGE} 至 0（空白为 0，即无不确定性）",
        f"the low end of the uncertainty of the base intensity, %, -{MAX_RANGE} to 0 "
        "(blank: 0, no uncertainty)",
        unit="%",
        example=-10,
    ),
    ColumnSpec(
        "high",
        "不确定性上限",
        f"基准年排放强度的不确定性上限，百分比，0 至 {MAX_RANGE}（空白为 0）；"
        "按三角分布抽样，众数为观测值",
        f"the high end, %, 0 to {MAX_RANGE} (blank: 0); drawn from a triangular distribution "
        "whose mode is the observed value",
        unit="%",
        example=10,
    ),
)
PATH_SPECS = (
    replace(
        _NAME,
        help_zh="路径所属情景：情景表中的名称",
        help_en="the scenario of the path: a name of the scenarios sheet",
    ),
    ColumnSpec(
        "region",
        "地区",
        "省份：名称或行政区划代码（见 代码表 (lists) 工作表），如 河北省 或 130000",
        "the province: its name or code (sheet lists), e.g. 河北省 or 130000",
        aliases=("省份",),
    ),
    ColumnSpec(
        "sector",
        "部门",
        "部门：名称或代码（见 代码表 (lists) 工作表），如 钢铁 或 steel；"
        "工业 已含其分部门，不可与之并列",
        "the sector: its name or code (sheet lists), e.g. 钢铁 or steel; industry includes its "
        "parts, so not both",
        aliases=("行业",),
    ),
    ColumnSpec(
        "year",
        "年份",
        "该行数值所属年份；每条路径的第一年为基准年",
        "the year of the row's values; each path starts in the base year",
    ),
    ColumnSpec(
        "growth_rate",
        "产出增速",
        f"自该年起（至下一个给出增速的年份）产出每年增长的百分比，-{MAX_RATE} 至 {MAX_RATE}，"
        "如 2.5 即 2.5 %；空白：该年不改变增速",
        f"output growth from that year (until the next year given), % a year, -{MAX_RATE} to "
        f"{MAX_RATE}, 2.5 for 2.5 %; blank: no change of rate that year",
        unit="%/a",
    ),
    ColumnSpec(
        "intensity_value",
        "排放强度",
        f"该年单位产出的 CO2，为基准年的百分比（基准年为 100），0 至 {MAX_INTENSITY}；"
        "两点之间线性插值，最后一点之后保持不变；空白：该年无点",
        f"CO2 per unit of output in that year, % of the base year's (100 in the base year), 0 "
        f"to {MAX_INTENSITY}; linear between points, held after the last; blank: no point",
        unit="%",
    ),
)
PATHS = {
    "growth": ("growth_year", "growth_rate"),
    "intensity": ("intensity_year", "intensity_value"),
}
"""Each path of the builder's form: its year and value fields (the paths sheet's columns)."""


# -- writing ---------------------------------------------------------------------------------


def region_choices(choices: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(code, Chinese name) of each province offered."""
    return [(str(r["code"]), str(r["name_zh"])) for r in choices["regions"]]


def sector_choices(choices: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(code, Chinese name) of each sector offered."""
    _ = gettext_of("zh_CN")  # the sectors' Chinese names are the dashboard's
    return [(str(s), _(str(s))) for s in choices["sectors"]]


def write_scenario_book(path: Path, choices: Mapping[str, Any], plans: Sequence[Plan]) -> None:
    """The workbook (`scenario_book`), written atomically."""
    book = scenario_book(choices, plans)
    with atomic_path(path) as temporary:
        book.save(temporary)


def scenario_book_bytes(choices: Mapping[str, Any], plans: Sequence[Plan]) -> bytes:
    """The workbook (`scenario_book`) as the bytes of a download."""
    buffer = io.BytesIO()
    scenario_book(choices, plans).save(buffer)
    return buffer.getvalue()


def scenario_book(choices: Mapping[str, Any], plans: Sequence[Plan]) -> Workbook:
    """The scenario workbook, `plans` filled in as its rows (each sector of each region of a
    plan with the plan's paths); `choices` as `services.pathways.builder_choices` gives them
    (sectors, regions with their names, the base year)."""
    regions, sectors = region_choices(choices), sector_choices(choices)
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = HELP_SHEET
    scenarios = book.create_sheet(SCENARIO_SHEET)
    paths = book.create_sheet(PATH_SHEET)
    lists = book.create_sheet(LIST_SHEET)
    _help(notes, int(choices["base_year"]))
    append_row(scenarios, [s.header for s in SCENARIO_SPECS])
    append_row(paths, [s.header for s in PATH_SPECS])
    names = dict(regions)
    labels = dict(sectors)
    for plan in plans:
        append_row(scenarios, [plan.name, plan.horizon, plan.low, plan.high])
        growth, intensity = dict(plan.growth), dict(plan.intensity)
        for region in plan.regions:
            for sector in plan.sectors:
                for year in sorted({*growth, *intensity}):
                    append_row(
                        paths,
                        [
                            plan.name,
                            choice_label(region, names.get(region, region)),
                            choice_label(sector, labels.get(sector, sector)),
                            year,
                            growth.get(year),
                            intensity.get(year),
                        ],
                    )
    append_row(lists, ["地区 (region)", "部门 (sector)"])
    for index in range(max(len(regions), len(sectors))):
        append_row(
            lists,
            [
                choice_label(*regions[index]) if index < len(regions) else None,
                choice_label(*sectors[index]) if index < len(sectors) else None,
            ],
        )
    last = EXAMPLE_ROWS + 1
    for column, formula in (
        ("A", f"={sheet_ref(SCENARIO_SHEET)}!$A$2:$A${last}"),
        ("B", f"={sheet_ref(LIST_SHEET)}!$A$2:$A${len(regions) + 1}"),
        ("C", f"={sheet_ref(LIST_SHEET)}!$B$2:$B${len(sectors) + 1}"),
    ):
        validation = DataValidation(type="list", formula1=formula)
        validation.showErrorMessage = False  # a code or a name typed in is read too
        paths.add_data_validation(validation)
        validation.add(f"{column}2:{column}{last}")
    for sheet, widths in (
        (scenarios, [18, 14, 22, 22]),
        (paths, [18, 20, 20, 10, 22, 24]),
        (lists, [24, 24]),
        (notes, [22, 34, 8, 60, 60]),
    ):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for number, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = width
        sheet.freeze_panes = "A2"
    return book


def _help(sheet: Worksheet, base_year: int) -> None:
    append_row(sheet, ["工作表 (sheet)", "表头 (header)", "单位 (unit)", "说明", "help"])
    for title, specs in ((SCENARIO_SHEET, SCENARIO_SPECS), (PATH_SHEET, PATH_SPECS)):
        for spec in specs:
            append_row(sheet, [title, spec.header, spec.unit, spec.help_zh, spec.help_en])
    append_row(sheet, [])
    append_row(
        sheet,
        [
            "基准年 (base_year)",
            base_year,
            None,
            f"观测数据（CEADs 省级清单）的最后一年；每条路径自 {base_year} 年起，"
            "起点为该省该部门当年观测的 CO2 排放",
            f"the last year of the observed data (CEADs provincial inventories); each path "
            f"starts in {base_year} from the province's and sector's observed CO2",
        ],
    )
    append_row(
        sheet,
        [
            "情景文件 (scenario file)",
            None,
            None,
            "本工作簿读入后即为场景构建器所写的情景文件（YAML）：产出为指数（基准年为 1），"
            "排放强度为基准年观测 CO2 乘以所给百分比；表头可用中文、英文代码或二者",
            "the workbook reads into the scenario file (YAML) the builder writes: output an "
            "index (1 in the base year), emission intensity the base year's observed CO2 times "
            "the % given; headers may be Chinese, the English code or both",
        ],
    )
