"""Write the process map workbook (工序图) an enterprise's energy manager fills in once: how
the plant's production units turn the energy and materials it reports into products.

Sheets (`io.sheet_names`, the names the product model places its problems by):
`说明 (help)` what each sheet and column means, in Chinese and English, with the rule that
each account item's shares add up to 1; `工序 (units)`, `分摊 (assignments)`, `工序间 (links)`
and `外购 (flows)` to fill in, with bilingual headers and drop-down lists (items, CBAM goods
categories, route letters and the communication template's routes, stages, yes/no) from
`代码表 (lists)`; and the example, a small cement plant, one sheet per sheet to fill in
(`示例-工序 (example_units)`, ...; illustrative numbers, not read).
`io.product_map.read_product_map` reads it back.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from carbonpeak.io.activity_columns import LIST_SHEET, item_choices
from carbonpeak.io.headers import ColumnSpec, choice_label
from carbonpeak.io.product_map_columns import (
    EXAMPLE,
    EXAMPLE_NOTE,
    FLAG_LABELS,
    REQUIRED,
    SHEET_HELP,
    SPECS,
    STAGE_LABELS,
    category_choices,
    example_title,
    route_letters,
    template_route_choices,
)
from carbonpeak.io.sheet_names import sheet_ref, sheet_title
from carbonpeak.io.sheets import append_row
from carbonpeak.io.tables import atomic_path
from carbonpeak.reference.loader import Reference

HELP_SHEET = sheet_title("help")
LIST_HEADERS = (
    "品种选项 (item_choice)",
    "CBAM类别 (category)",
    "阶段 (stage)",
    "是/否 (flag)",
    "CBAM路线 (route)",
    "CBAM模板路线 (template_route)",
)
# the drop-downs: (sheet code, column code) -> the column of the lists sheet
_DROP_DOWNS = {
    ("units", "product"): "A",
    ("units", "category"): "B",
    ("assignments", "item"): "A",
    ("links", "product"): "A",
    ("flows", "item"): "A",
    ("flows", "stage"): "C",
    ("flows", "primary"): "D",
    ("flows", "default"): "D",
    ("units", "route"): "E",
    ("units", "template_route"): "F",
}
_INTRODUCTION = (
    (
        "工序图：说明本厂各生产工序如何把已报送的能源和物料变成产品。平台据此用已报送的能源和"
        "碳排放核算计算产品碳足迹和欧盟 CBAM 隐含排放。只填一次，生产结构改变时再改。",
        "The process map: how the plant's production units turn the energy and materials it "
        "reported into products. From it and the account already reported the platform "
        "computes product carbon footprints and EU CBAM embedded emissions. Fill it in once; "
        "change it when the plant changes.",
    ),
    (
        "规则：核算中每个品种在 分摊 (assignments) 中各工序的份额合计为 1（100%），核算的每一行"
        "恰好分到各工序一次。份额写小数（0.6）或带 % 的百分数（60%）。",
        "Rule: the shares of each item of the account in sheet assignments add up to 1 "
        "(100 %), so that every line of the account goes into the units exactly once. Write a "
        "share as a fraction (0.6) or a percent with % (60%).",
    ),
    (
        "表头可以写中文、英文代码或两者（如 工序名称 (unit)）；品种可写代码或中文名称。",
        "Headers may be the Chinese name, the English code or both (工序名称 (unit)); items "
        "their code or Chinese name.",
    ),
    EXAMPLE_NOTE,
)


def write_product_map_template(path: Path, reference: Reference, rows: int = 500) -> None:
    """Write the process map workbook to `path` (atomically; see the module)."""
    book = product_map_book(reference, rows)
    with atomic_path(path) as temporary:
        book.save(temporary)


def product_map_book(reference: Reference, rows: int = 500) -> Workbook:
    """The process map workbook to fill in (see the module), drop-downs on `rows` rows."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = HELP_SHEET
    _write_help(notes)
    choices = item_choices(reference)
    sheets = {}
    for code, specs in SPECS.items():
        sheets[code] = book.create_sheet(sheet_title(code))
        _headed(sheets[code], specs)
    lists = book.create_sheet(LIST_SHEET)
    append_row(lists, list(LIST_HEADERS))
    columns = (
        [choice_label(*c) for c in choices],
        [choice_label(*c) for c in category_choices(reference)],
        [choice_label(*c) for c in STAGE_LABELS],
        [label for _, label in FLAG_LABELS],
        list(route_letters(reference)),
        [f"{name} ({code})" for code, name in template_route_choices(reference)],
    )
    lengths = {get_column_letter(i + 1): len(c) for i, c in enumerate(columns)}
    for index in range(max(lengths.values())):
        append_row(lists, [c[index] if index < len(c) else None for c in columns])
    _bold(lists)
    for (code, column), letter in _DROP_DOWNS.items():
        source = f"{sheet_ref(LIST_SHEET)}!${letter}$2:${letter}${lengths[letter] + 1}"
        _drop_down(sheets[code], SPECS[code], column, source, rows + 1)
    for code, specs in SPECS.items():
        example = book.create_sheet(example_title(code))
        _headed(example, specs)
        for line in EXAMPLE[code]:
            append_row(example, [line.get(s.code) for s in specs])
    return book


def _write_help(notes: Worksheet) -> None:
    append_row(notes, ["工序图 (process map)", "说明", "meaning"])
    for zh, en in _INTRODUCTION:
        append_row(notes, [None, zh, en])
    append_row(notes, [])
    append_row(notes, ["工作表 sheet", "说明", "meaning"])
    for code, (zh, en) in SHEET_HELP.items():
        append_row(notes, [sheet_title(code), zh, en])
    append_row(notes, [])
    header = ["工作表 sheet", "列 column", "字段 field", "单位 unit", "必填 required", "说明"]
    append_row(notes, [*header, "meaning"])
    for code, specs in SPECS.items():
        for spec in specs:
            required = "是 yes" if spec.code in REQUIRED[code] else "否 no"
            append_row(
                notes,
                [
                    sheet_title(code),
                    spec.header,
                    spec.code,
                    spec.unit,
                    required,
                    spec.help_zh,
                    spec.help_en,
                ],
            )
    for row in notes.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFG", (24, 60, 60, 8, 10, 60, 60), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows():
        if row[0].value and str(row[0].value).startswith(("工序图", "工作表")):
            for cell in row:
                cell.font = Font(bold=True)  # the headers of the help's three tables


def _headed(sheet: Worksheet, specs: tuple[ColumnSpec, ...]) -> None:
    append_row(sheet, [s.header for s in specs])
    _bold(sheet)
    sheet.freeze_panes = "A2"
    for index, spec in enumerate(specs, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(spec.header) + 4)


def _bold(sheet: Worksheet) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def _drop_down(
    sheet: Worksheet, specs: tuple[ColumnSpec, ...], code: str, source: str, last: int
) -> None:
    letter = get_column_letter([s.code for s in specs].index(code) + 1)
    validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
    validation.showErrorMessage = False  # a code or a name typed in is read as well
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{last}")
