"""The installation's CBAM communication written into the Commission's template and read back.

`write_communication` fills a copy of the vendored template (v2.1.1, product/templates/) at the
addresses of `io.cbam_cells`, after checking the labels there, and replaces the target file
atomically. `read_communication` reads the same cells of a filled template into a
`Communication`, or raises `InputError` with every problem placed by file, sheet, row and
column.

What openpyxl keeps of the template on load and save: every formula, the 104 defined names,
the data validations (drop-down lists; 43 in the workbook's main part), the conditional formats
of the main part, sheet protection (no password), hidden sheets, merged cells, styles and
comments. What it loses: the Excel 2010 extensions of the data-bar formats (x14, 2 on F_Tools,
36 on Summary_Processes: the bars remain, their 2010 settings such as negative-value colours do
not), the printer settings of the 19 sheets, the SharePoint metadata (customXml) and the
calculation chain (Excel rebuilds it). The cached values of formulas are not written, and
openpyxl marks the workbook for a full recalculation on load, so Excel or LibreOffice computes
every result when the file is opened. Numbers are written with 16 significant digits (openpyxl's
number format): a float that needs 17 comes back within one unit in the last place.
"""

from __future__ import annotations

import os
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from carbonpeak.errors import InputError
from carbonpeak.io import cbam_cells as c
from carbonpeak.io.cbam_read import read_communication
from carbonpeak.product.cbam_codes import ROUTES
from carbonpeak.product.cbam_template import Communication

__all__ = ["read_communication", "write_communication"]


def _put(sheet: Worksheet, cell: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, StrEnum):
        value = value.value
    target = sheet[cell]
    target.value = value
    if isinstance(value, str):
        target.data_type = "s"  # a text that starts with "=" stays a text, not a formula


def _write_fields(sheet: Worksheet, model: BaseModel, cells: dict[str, Any]) -> None:
    for field, (cell, _kind) in cells.items():
        _put(sheet, cell, getattr(model, field))


def _write_block(sheet: Worksheet, model: BaseModel, start: int, cells: dict[str, Any]) -> None:
    for field, (column, offset, _kind) in cells.items():
        _put(sheet, f"{column}{start + offset}", getattr(model, field))


def _fill(book: Workbook, model: Communication) -> None:
    inst, proc, prec = book[c.INST], book[c.PROC], book[c.PREC]
    _write_fields(inst, model.period, c.PERIOD)
    _write_fields(inst, model.installation, c.INSTALLATION)
    if model.verifier is not None:
        _write_fields(inst, model.verifier, c.VERIFIER)
    if model.quality is not None:
        _write_fields(book[c.EMISSIONS], model.quality, c.QUALITY)
    for i, goods in enumerate(model.goods):
        _put(inst, f"E{c.GOODS_ROW + i}", goods.category)
        for column, route in zip(c.GOODS_ROUTES, goods.routes, strict=False):
            _put(inst, f"{column}{c.GOODS_ROW + i}", route)
    for i, process in enumerate(model.processes):
        row, start = c.PROCESS_ROW + i, c.PROCESS_BLOCK + c.PROCESS_STRIDE * i
        _put(inst, f"E{row}", process.category)
        for column, item in zip(c.PROCESS_INCLUDED, process.included, strict=False):
            _put(inst, f"{column}{row}", item)
        _put(inst, f"L{row}", process.name)
        for route, amount in process.production.items():
            _put(
                proc, f"L{start + c.PRODUCTION_AT + ROUTES[process.category].index(route)}", amount
            )
        for other, amount in process.consumed_in.items():
            _put(proc, f"L{start + c.CONSUMED_AT + c.other_row(i + 1, other)}", amount)
        _write_block(proc, process, start, c.PROCESS_FIELDS)
    for i, precursor in enumerate(model.precursors):
        row, start = c.PRECURSOR_ROW + i, c.PRECURSOR_BLOCK + c.PRECURSOR_STRIDE * i
        _put(inst, f"E{row}", precursor.category)
        _put(inst, f"F{row}", precursor.country)
        for column, route in zip(c.PRECURSOR_ROUTES, precursor.routes, strict=False):
            _put(inst, f"{column}{row}", route)
        _put(inst, f"L{row}", precursor.name)
        for route, amount in precursor.purchased.items():
            index = ROUTES[precursor.category].index(route)
            _put(prec, f"L{start + c.PURCHASED_AT + index}", amount)
        for number, amount in precursor.consumed_in.items():
            _put(prec, f"L{start + c.USED_AT + number - 1}", amount)
        _write_block(prec, precursor, start, c.PRECURSOR_FIELDS)
    products = book[c.PRODUCTS]
    for i, product in enumerate(model.products):
        row = c.PRODUCT_ROW + i
        _put(products, f"{c.PRODUCT_PROCESS}{row}", model.process_label(product.process))
        _put(products, f"{c.PRODUCT_CN}{row}", product.cn_code)
        for field, (column, _kind) in c.PRODUCT_FIELDS.items():
            _put(products, f"{column}{row}", getattr(product, field))


def write_communication(model: Communication, path: Path) -> None:
    """Fill a copy of the vendored template with `model` and put it at `path` atomically."""
    book = c.load(c.template_path())
    problems = c.label_problems(book, c.TEMPLATE_NAME)
    if problems:  # the vendored file is not the template the addresses were read from
        raise InputError(problems)
    _fill(book, model)
    path = Path(path)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".xlsx")
    os.close(handle)
    try:
        book.save(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
