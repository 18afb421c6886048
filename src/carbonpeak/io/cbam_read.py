"""The CBAM communication read back from a filled template (v2.1.1): `read_communication`.

The same cells as the writer (`io.cbam_cells`); every bad value is a problem placed by file,
sheet, row and column, all of them raised together as one `InputError`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel, ValidationError

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io import cbam_cells as c
from carbonpeak.product.cbam_codes import (
    MAX_GOODS,
    MAX_PRECURSORS,
    MAX_PROCESSES,
    ROUTES,
    DirectOnly,
    GoodsCategory,
    Route,
)
from carbonpeak.product.cbam_template import (
    Communication,
    GoodsLine,
    Installation,
    Precursor,
    Process,
    Product,
    Quality,
    ReportingPeriod,
    Verifier,
)


class _Cells:
    """Typed reads of one workbook's cells, each bad value a placed problem."""

    def __init__(self, book: c.ValuesBook, file: str) -> None:
        self.book, self.file = book, file
        self.problems: list[Problem] = []

    def get(self, sheet: str, cell: str, kind: c.Kind) -> Any:
        value = self.book[sheet][cell].value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        reader: Callable[[Any], Any] | None = _READERS.get(kind) if isinstance(kind, str) else None
        try:
            if reader is not None:
                return reader(value)
            assert isinstance(kind, type)
            return kind(value)
        except (ValueError, TypeError):
            template, values = _WRONG.get(kind, (None, ()))
            if template is None:
                assert isinstance(kind, type)
                template = N_("{!r} is not one of: {}")
                values = (", ".join(str(m.value) for m in kind),)
            self.problems.append(c.problem(self.file, sheet, cell, template, value, *values))
            return None

    def fields(self, sheet: str, cells: dict[str, Any]) -> dict[str, Any]:
        values = {f: self.get(sheet, cell, kind) for f, (cell, kind) in cells.items()}
        return {f: v for f, v in values.items() if v is not None}

    def block(self, sheet: str, start: int, cells: dict[str, Any]) -> dict[str, Any]:
        values = {
            f: self.get(sheet, f"{col}{start + offset}", kind)
            for f, (col, offset, kind) in cells.items()
        }
        return {f: v for f, v in values.items() if v is not None}

    def build(self, model: type[BaseModel], values: dict[str, Any], sheet: str, cell: str) -> Any:
        try:
            return model(**values)
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(part) for part in error["loc"])
                self.problems.append(
                    c.problem(self.file, sheet, cell, N_("{}: {}"), field, error["msg"])
                )
            return None


def _text(value: Any) -> str:
    if isinstance(value, bool | datetime | date):
        raise TypeError
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a telephone number or post code typed as a number
    return str(value)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError
    return float(value)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    # typed as text, or as LibreOffice saves a typed-in TRUE: the formula "=TRUE()"
    text = str(value).strip().upper().removeprefix("=").removesuffix("()")
    if isinstance(value, str) and text in ("TRUE", "FALSE"):
        return text == "TRUE"
    raise ValueError


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


def _included(value: Any) -> GoodsCategory | DirectOnly:
    text = str(value)
    return DirectOnly(text) if text == DirectOnly.ONLY_DIRECT.value else GoodsCategory(text)


_INCLUDED = "included"  # a goods category or "Only direct production" (A_InstData F–K)
_READERS: dict[str, Callable[[Any], Any]] = {
    c.T: _text,
    c.N: _number,
    c.B: _bool,
    c.D: _date,
    _INCLUDED: _included,
}
_WRONG: dict[Any, tuple[str, tuple[Any, ...]]] = {
    c.T: (N_("{!r} is not a text"), ()),
    c.N: (N_("{!r} is not a number"), ()),
    c.B: (N_("{!r} is not TRUE or FALSE"), ()),
    c.D: (N_("{!r} is not a date (YYYY-MM-DD)"), ()),
    _INCLUDED: (
        N_("{!r} is not one of: {}"),
        (", ".join([DirectOnly.ONLY_DIRECT.value, *(g.value for g in GoodsCategory)]),),
    ),
}


# The sheets the reader looks at: its inputs, the version and the labels' texts.
_READ = (c.VERSION_CELL[0], c.INST, c.EMISSIONS, c.PROC, c.PREC, c.PRODUCTS, "Translations")


def _open(path: Path) -> c.ValuesBook:
    name = path.name
    try:
        book = c.read_values(path, _READ)
    except (  # what openpyxl raises on a file that is no xlsx, or a broken one
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        TypeError,
        SyntaxError,  # xml.etree's ParseError
    ) as exc:
        raise InputError(
            Problem.of(Place(file=name), N_("not a readable Excel workbook (.xlsx): {}"), exc)
        ) from exc
    missing = [s for s in c.SHEETS if s not in book.sheetnames]
    if missing:
        raise InputError(
            Problem.of(
                Place(file=name, sheet=missing[0]),
                N_("not the CBAM communication template for installations: the sheet is missing"),
            )
        )
    sheet, cell = c.VERSION_CELL
    version = book[sheet][cell].value
    if str(version).strip() != c.VERSION:
        raise InputError(
            c.problem(
                name,
                sheet,
                cell,
                N_("template version {!r}; this reader reads version {}"),
                version,
                c.VERSION,
            )
        )
    problems = c.label_problems(book, name)
    if problems:
        raise InputError(problems)
    return book


def _listed_rows(cells: _Cells, first: int, count: int, columns: str, what: str) -> int:
    """How many of the rows `first`… are filled, when they are filled without gaps."""
    sheet = cells.book[c.INST]
    filled = [
        any(sheet[f"{col}{first + i}"].value not in (None, "") for col in columns)
        for i in range(count)
    ]
    used = max((i + 1 for i, f in enumerate(filled) if f), default=0)
    for i in range(used):
        if not filled[i]:
            cells.problems.append(
                c.problem(
                    cells.file,
                    c.INST,
                    f"E{first + i}",
                    N_("this row is empty but a later {} row is filled: list them without gaps"),
                    what,
                )
            )
    return used


def _by_route(
    cells: _Cells, sheet: str, first: int, rows: int, category: Any
) -> dict[Route, float]:
    if not isinstance(category, GoodsCategory):
        return {}  # the category is missing or wrong, and placed as such
    routes = ROUTES[category]
    amounts = {}
    for k in range(rows):
        value = cells.get(sheet, f"L{first + k}", c.N)
        if value is None:
            continue
        if k >= len(routes):
            cells.problems.append(
                c.problem(
                    cells.file,
                    sheet,
                    f"L{first + k}",
                    N_("a value where the template has no production route"),
                )
            )
        else:
            amounts[routes[k]] = value
    return amounts


def _read_process(cells: _Cells, i: int, count: int) -> dict[str, Any]:
    inst, row, start = c.INST, c.PROCESS_ROW + i, c.PROCESS_BLOCK + c.PROCESS_STRIDE * i
    category = cells.get(inst, f"E{row}", GoodsCategory)
    included = [cells.get(inst, f"{col}{row}", _INCLUDED) for col in c.PROCESS_INCLUDED]
    values = cells.block(c.PROC, start, c.PROCESS_FIELDS)
    values.update(
        category=category,
        included=tuple(x for x in included if x is not None),
        name=cells.get(inst, f"L{row}", c.T),
        production=_by_route(cells, c.PROC, start + c.PRODUCTION_AT, c.PRODUCTION_ROWS, category),
    )
    consumed = {}
    for other in range(1, count + 1):
        if other != i + 1:
            cell = f"L{start + c.CONSUMED_AT + c.other_row(i + 1, other)}"
            amount = cells.get(c.PROC, cell, c.N)
            if amount is not None:
                consumed[other] = amount
    values["consumed_in"] = consumed
    return values


def _read_precursor(cells: _Cells, i: int) -> dict[str, Any]:
    inst, row, start = c.INST, c.PRECURSOR_ROW + i, c.PRECURSOR_BLOCK + c.PRECURSOR_STRIDE * i
    category = cells.get(inst, f"E{row}", GoodsCategory)
    routes = [cells.get(inst, f"{col}{row}", Route) for col in c.PRECURSOR_ROUTES]
    values = cells.block(c.PREC, start, c.PRECURSOR_FIELDS)
    used = {
        n: cells.get(c.PREC, f"L{start + c.USED_AT + n - 1}", c.N)
        for n in range(1, c.USED_ROWS + 1)
    }
    values.update(
        category=category,
        country=cells.get(inst, f"F{row}", c.T),
        routes=tuple(r for r in routes if r is not None),
        name=cells.get(inst, f"L{row}", c.T),
        purchased=_by_route(cells, c.PREC, start + c.PURCHASED_AT, c.PURCHASED_ROWS, category),
        consumed_in={n: v for n, v in used.items() if v is not None},
    )
    return {k: v for k, v in values.items() if v is not None}


def read_communication(path: Path) -> Communication:
    """The communication in a filled template, or `InputError` with every problem placed."""
    path = Path(path)
    book = _open(path)
    cells = _Cells(book, path.name)
    inst = c.INST
    period = cells.build(ReportingPeriod, cells.fields(inst, c.PERIOD), inst, "I9")
    installation = cells.build(Installation, cells.fields(inst, c.INSTALLATION), inst, "I20")
    verifier_values = cells.fields(inst, c.VERIFIER)
    verifier = cells.build(Verifier, verifier_values, inst, "I37") if verifier_values else None
    quality_values = cells.fields(c.EMISSIONS, c.QUALITY)
    quality = cells.build(Quality, quality_values, c.EMISSIONS, "H40") if quality_values else None
    goods = []
    for i in range(_listed_rows(cells, c.GOODS_ROW, MAX_GOODS, "E" + c.GOODS_ROUTES, "G")):
        row = c.GOODS_ROW + i
        routes = [cells.get(inst, f"{col}{row}", Route) for col in c.GOODS_ROUTES]
        values = {
            "category": cells.get(inst, f"E{row}", GoodsCategory),
            "routes": tuple(r for r in routes if r is not None),
        }
        goods.append(cells.build(GoodsLine, values, inst, f"E{row}"))
    count = _listed_rows(cells, c.PROCESS_ROW, MAX_PROCESSES, "E" + c.PROCESS_INCLUDED + "L", "P")
    processes = [
        cells.build(Process, _read_process(cells, i, count), inst, f"E{c.PROCESS_ROW + i}")
        for i in range(count)
    ]
    precursors = [
        cells.build(Precursor, _read_precursor(cells, i), inst, f"E{c.PRECURSOR_ROW + i}")
        for i in range(
            _listed_rows(
                cells, c.PRECURSOR_ROW, MAX_PRECURSORS, "EF" + c.PRECURSOR_ROUTES + "L", "PP"
            )
        )
    ]
    names = {p.name: n for n, p in enumerate(processes, start=1) if p is not None}
    products = []
    sheet = c.PRODUCTS
    columns = [c.PRODUCT_PROCESS, c.PRODUCT_CN, *(col for col, _ in c.PRODUCT_FIELDS.values())]
    for row in range(c.PRODUCT_ROW, c.PRODUCT_ROW + c.PRODUCT_ROWS):
        if all(book[sheet][f"{col}{row}"].value in (None, "") for col in columns):
            continue
        values = {
            f: cells.get(sheet, f"{col}{row}", kind) for f, (col, kind) in c.PRODUCT_FIELDS.items()
        }
        label = cells.get(sheet, f"{c.PRODUCT_PROCESS}{row}", c.T)
        if label is not None and label not in names:
            cells.problems.append(
                c.problem(
                    cells.file,
                    sheet,
                    f"D{row}",
                    N_("{!r} is not a production process named in A_InstData"),
                    label,
                )
            )
        values["process"] = names.get(label) if label is not None else None
        cn = book[sheet][f"{c.PRODUCT_CN}{row}"].value
        values["cn_code"] = _text(cn).replace(" ", "") if cn not in (None, "") else None
        products.append(
            cells.build(
                Product, {k: v for k, v in values.items() if v is not None}, sheet, f"D{row}"
            )
        )
    if cells.problems:
        raise InputError(cells.problems)
    try:
        return Communication(
            period=period,
            installation=installation,
            verifier=verifier,
            goods=tuple(goods),
            processes=tuple(processes),
            precursors=tuple(precursors),
            products=tuple(products),
            quality=quality,
        )
    except ValidationError as exc:
        raise InputError(
            [
                Problem.of(
                    Place(file=path.name, sheet=inst),
                    N_("{}: {}"),
                    ".".join(map(str, e["loc"])),
                    e["msg"],
                )
                for e in exc.errors()
            ]
        ) from exc
