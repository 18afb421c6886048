"""A plant's process map workbook (工序图) read into the product model's `ProductMap`
(`product.plant`), and its template written (`io.product_map_book`).

The reader finds each sheet as `工序 (units)`, `工序` or `units` (and so on), each column by
its Chinese name, its English code or both, and each item or product by its code, Chinese name
or `原煤 (raw_coal)`. It returns the map with the workbook row of every row, or one
`InputError` with every problem placed by file, sheet, row and column as written: a missing
sheet or required column, an unknown column, a blank required cell, a non-number, a share
outside (0, 1], a CN code not of 8 or 10 digits or not a CBAM good's (`product.cbam.good`), an
unknown category, route letter, template route (or one not of the product's category), stage
or yes/no, a rating outside 1-5, a unit of measure that
does not parse, a unit with prices on some of its products only. The categories, whether each
counts direct emissions only (Annex II) and the route letters come from the reference's CBAM
tables. Whether the shares add up to 1 and the units balance is the model's check
(`product.plant.build`, against the account).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from carbonpeak.domain.units import is_unit
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.activity_columns import LIST_SHEET, item_choices
from carbonpeak.io.headers import ColumnSpec, choice_codes, choice_label, frame_to_codes, value_key
from carbonpeak.io.product_map_book import product_map_book, write_product_map_template
from carbonpeak.io.product_map_columns import (
    FLAG_LABELS,
    REQUIRED,
    SPECS,
    STAGE_LABELS,
    category_choices,
    direct_only,
    route_letters,
    template_route_choices,
    template_routes,
)
from carbonpeak.io.sheet_names import sheet_title
from carbonpeak.io.tables import EXCEL_SUFFIXES, read_table
from carbonpeak.product.cbam import good
from carbonpeak.product.footprint import Flow, Stage
from carbonpeak.product.plant import Assignment, BoughtGood, Link, MapUnit, ProductMap
from carbonpeak.reference.loader import Reference, default_reference

__all__ = ["product_map_book", "read_product_map", "write_product_map_template"]

_CN_CODE = re.compile(r"\d{8}|\d{10}")
_CN_BLANKS = re.compile(r"[\s.]")  # spaces and dots, as CN codes are printed
_COUNTRY = re.compile(r"[A-Z]{2}")
_RATINGS = ("dqr_technological", "dqr_geographical", "dqr_temporal")


@dataclass
class _Row:
    """One row of a sheet: its cells by column code, read one by one, each problem placed."""

    file: str
    sheet: str
    line: int  # the workbook row
    cells: dict[str, str]
    columns: dict[str, str]  # code -> header as written
    required: tuple[str, ...]
    items: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    def place(self, code: str) -> Place:
        return Place(file=self.file, sheet=self.sheet, row=self.line, column=self.columns[code])

    def flag(self, code: str, template: str, *values: object) -> None:
        self.problems.append(Problem.of(self.place(code), template, *values))

    def text(self, code: str) -> str:
        """The cell, stripped; a blank required cell is a problem."""
        text = self.cells.get(code, "").strip()
        if not text and code in self.required and code in self.columns:
            self.flag(code, N_("is empty"))
        return text

    def number(self, code: str, negative: bool = False, percent: bool = False) -> float | None:
        """The cell as a number (None when blank or not a number: a problem then); with
        `percent`, a fraction written as one (0.6) or as a percent with % (60%)."""
        text = self.text(code)
        if not text:
            return None
        per_cent = percent and text.endswith("%")
        try:
            value = float(text[:-1] if per_cent else text) / (100 if per_cent else 1)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.flag(code, N_("{!r} is not a number"), text)
            return None
        if not negative and value < 0:
            self.flag(code, N_("must not be negative"))
            return None
        return value

    def choice(self, code: str, choices: Sequence[tuple[str, str]]) -> str | None:
        """The cell as the code of one of `choices` (None when blank or none: a problem)."""
        text = self.text(code)
        if not text:
            return None
        found = choice_codes(choices).get(value_key(text))
        if found is None:
            listed = ", ".join(choice_label(c, n) if c != n else c for c, n in choices)
            self.flag(code, N_("{!r} is not one of {}"), text, listed)
        return found

    def item(self, code: str, listed: bool = True) -> str:
        """An item or product as its code; a name not in the items (non-ASCII) is a problem
        when it must be `listed`, else kept as written."""
        text = self.text(code)
        found = self.items.get(value_key(text)) if text else None
        if found is not None:
            return found
        if listed and not text.isascii():
            self.flag(
                code,
                N_("{!r} is not in the list of column {!r}: see sheet {} of the template"),
                text,
                self.columns[code],
                LIST_SHEET,
            )
        return text


@dataclass
class _Sheet:
    file: str
    title: str
    columns: dict[str, str]
    rows: list[_Row]


def read_product_map(path: Path, reference: Reference | None = None) -> ProductMap:
    """The process map of a workbook (see the module), or `InputError` with every problem."""
    reference = reference if reference is not None else default_reference()
    file = str(path)
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        raise InputError(
            Problem.of(
                Place(file=file),
                N_("a process map is an Excel workbook (.xlsx) of the sheets {}"),
                ", ".join(sheet_title(code) for code in SPECS),
            )
        )
    items = choice_codes(item_choices(reference))
    problems: list[Problem] = []
    sheets = {code: _read_sheet(path, code, items, problems) for code in SPECS}
    if problems:
        raise InputError(problems)
    units = _units(sheets["units"], reference, problems)
    assignments = []
    for row in sheets["assignments"].rows:
        unit, item, share = row.text("unit"), row.item("item"), row.number("share", percent=True)
        if share is not None and not 0 < share <= 1:
            row.flag("share", N_("share {} is not in (0, 1]"), share)
        assignments.append(Assignment(unit, item, share or 0.0, row.line))
    links = []
    for row in sheets["links"].rows:
        unit, product, tonnes = row.text("unit"), row.item("product"), row.number("tonnes")
        links.append(Link(unit, product, tonnes or 0.0, row.line))
    flows = tuple((row.text("unit"), _flow(row), row.line) for row in sheets["flows"].rows)
    bought = tuple(
        found
        for row, (_unit, flow, _line) in zip(sheets["flows"].rows, flows, strict=True)
        if (found := _bought(row, flow, reference)) is not None
    )
    for sheet in sheets.values():
        for row in sheet.rows:
            problems += row.problems
    if problems:
        raise InputError(problems)
    return ProductMap(tuple(units), tuple(assignments), tuple(links), flows, bought)


def _bought(row: _Row, flow: Flow, reference: Reference) -> BoughtGood | None:
    """A flow with a CN code as a CBAM precursor bought (None without one: no precursor)."""
    cn = _cn_code(row, reference)
    direct = row.number("see_direct")
    indirect = row.number("see_indirect")
    origin = row.text("origin").upper() or "CN"
    if not row.text("cn_code"):
        for code in ("see_direct", "see_indirect", "origin"):
            if row.text(code):
                row.flag(code, N_("a supplier's SEE or origin is given with a CN code"))
                break
        return None
    if cn is None:
        return None
    if flow.unit != "t":
        row.flag("unit_of_measure", N_("a CBAM precursor bought is counted in t"))
    if indirect is not None and direct is None:
        row.flag("see_indirect", N_("give the supplier's direct SEE with its indirect SEE"))
    if not _COUNTRY.fullmatch(origin):
        row.flag("origin", N_("{!r} is not an ISO alpha-2 country code"), origin)
    return BoughtGood(
        row.text("unit"), flow.item, flow.amount, cn, direct, indirect, origin, row.line
    )


def _read_sheet(path: Path, code: str, items: dict[str, str], problems: list[Problem]) -> _Sheet:
    """Sheet `code` as rows of cells by column code; the problems of the sheet itself (missing,
    unknown or missing columns) added to `problems`."""
    file, title = str(path), sheet_title(code)
    specs: tuple[ColumnSpec, ...] = SPECS[code]
    try:
        frame = read_table(path, code)
    except InputError as exc:  # no such sheet, or a cell or header it cannot take
        problems += [
            replace(p, place=replace(p.place, sheet=title))
            if p.place.row is not None and p.place.sheet is None
            else p
            for p in exc.problems
        ]
        return _Sheet(file, title, {}, [])
    coded, columns, found = frame_to_codes(frame, specs, file, title)
    problems += found
    for spec in specs:
        if spec.code in REQUIRED[code] and spec.code not in columns:
            place = Place(file=file, sheet=title, row=1, column=spec.header)
            problems.append(Problem.of(place, N_("required column is missing")))
    rows = []
    for record in coded.to_dict("records"):
        cells = {c: str(record[c]) for c in columns}
        if any(v.strip() for v in cells.values()):
            line = int(record["row"])
            rows.append(_Row(file, title, line, cells, columns, REQUIRED[code], items))
    return _Sheet(file, title, columns, rows)


def _units(sheet: _Sheet, reference: Reference, problems: list[Problem]) -> list[MapUnit]:
    """The units of the units sheet, each with its products gathered from its rows."""
    by_unit: dict[str, list[tuple[_Row, str, float | None]]] = defaultdict(list)
    maker: dict[str, str] = {}
    for row in sheet.rows:
        name, product, amount = row.text("unit"), row.item("product"), row.number("amount")
        if name and product:
            if any(product == p for _, p, _ in by_unit[name]):
                row.flag("product", N_("unit {!r} lists {!r} twice"), name, product)
            elif maker.setdefault(product, name) != name:
                row.flag(
                    "product",
                    N_("{!r} is made by units {!r} and {!r}: one unit makes each product"),
                    product,
                    maker[product],
                    name,
                )
        by_unit[name].append((row, product, amount))
    if not sheet.rows:
        problems.append(
            Problem.of(
                Place(file=sheet.file, sheet=sheet.title),
                N_("no unit: give each production unit and its products in sheet {}"),
                sheet.title,
            )
        )
    choices, annex_ii = category_choices(reference), direct_only(reference)
    letters = [(letter, letter) for letter in route_letters(reference)]
    paths, routes_of = template_route_choices(reference), template_routes(reference)
    units = []
    for name, rows in by_unit.items():
        products: dict[str, float] = {}
        cn_codes: dict[str, str] = {}
        routes: dict[str, str] = {}
        chosen: dict[str, tuple[_Row, str]] = {}  # product -> its template route
        categories: dict[str, _Row] = {}
        prices: dict[str, float] = {}
        for row, product, amount in rows:
            products.setdefault(product, amount or 0.0)
            cn = _cn_code(row, reference)
            if cn:
                cn_codes[product] = cn
            route = row.choice("route", letters)
            if route:
                routes[product] = route
            path = row.choice("template_route", paths)
            if path:
                chosen[product] = (row, path)
                routes_of_good = routes_of.get(_category_of(cn, reference) or "", ())
                if routes_of_good and path not in routes_of_good:
                    row.flag(
                        "template_route",
                        N_("{!r} is not a route of its CBAM category in the template: {}"),
                        path,
                        ", ".join(routes_of_good),
                    )
            category = row.choice("category", choices)
            if category:
                categories.setdefault(category, row)
            price = row.number("price")
            if price is not None:
                prices[product] = price
        _one_category(name, categories)
        category = next(iter(categories), None)
        for row, path in chosen.values():  # the unit's category where no CN code says one
            allowed = routes_of.get(category or "", ())
            if category and not row.cells.get("cn_code", "").strip() and path not in allowed:
                row.flag(
                    "template_route",
                    N_("{!r} is not a route of its CBAM category in the template: {}"),
                    path,
                    ", ".join(allowed),
                )
        if prices:
            for row, product, _ in rows:
                if product not in prices and not row.cells.get("price", "").strip():
                    row.flag(
                        "price",
                        N_(
                            "unit {!r} has prices for some of its products only: give each a "
                            "price, or none (allocation by mass)"
                        ),
                        name,
                    )
        units.append(
            MapUnit(
                name,
                products,
                rows[0][0].line,
                category,
                annex_ii[category] if category else False,  # MapUnit's default
                cn_codes,
                prices or None,
                routes,
                {product: path for product, (_row, path) in chosen.items()},
            )
        )
    return units


def _cn_code(row: _Row, reference: Reference) -> str | None:
    """The row's CN code as digits (spaces and dots left out), if it is one of 8 or 10 digits
    and a CBAM good's (`product.cbam.good`); None when blank or not (a problem then)."""
    text = row.text("cn_code")
    if not text:
        return None
    cn = _CN_BLANKS.sub("", text)
    if not _CN_CODE.fullmatch(cn):
        row.flag("cn_code", N_("{!r} is not a CN code of 8 or 10 digits"), text)
        return None
    try:
        good(reference, cn)
    except InputError as exc:  # not a CBAM good, or a code of several categories
        row.problems += [replace(p, place=row.place("cn_code")) for p in exc.problems]
        return None
    return cn


def _category_of(cn: str | None, reference: Reference) -> str | None:
    """The CBAM category of a CN code already checked (`_cn_code`), or None."""
    return good(reference, cn).category if cn else None


def _one_category(name: str, categories: dict[str, _Row]) -> None:
    """A unit is of one CBAM category: each other one is a problem at its first row."""
    first, *others = categories or [""]
    for other in others:
        categories[other].flag(
            "category", N_("unit {!r} is of two CBAM categories: {} and {}"), name, first, other
        )


def _flow(row: _Row) -> Flow:
    """A row of the flows sheet as a `Flow`."""
    item, amount = row.item("item", listed=False), row.number("amount")
    measure = row.text("unit_of_measure")
    if measure and not is_unit(measure):
        row.flag("unit_of_measure", N_("unknown unit {!r}"), measure)
    stage = row.choice("stage", STAGE_LABELS)
    factor = row.number("factor", negative=True)
    primary, default = (row.choice(c, FLAG_LABELS) == "yes" for c in ("primary", "default"))
    ratings = [_rating(row, code) for code in _RATINGS]
    given = [c for c in _RATINGS if row.cells.get(c, "").strip()]
    if given and len(given) < len(_RATINGS):
        row.flag(given[0], N_("give all three data-quality ratings or none"))
    technological, geographical, temporal = ratings
    dqr = None
    if technological is not None and geographical is not None and temporal is not None:
        dqr = (technological, geographical, temporal)
    return Flow(
        item,
        amount or 0.0,
        measure,
        Stage(stage) if stage else Stage.materials,
        factor,
        row.text("source") or None,
        primary,
        default,
        dqr,
        row.number("uncertainty", percent=True),
    )


def _rating(row: _Row, code: str) -> int | None:
    """A data-quality rating: a whole number from 1 to 5 (None when blank or not one: a
    problem then)."""
    text = row.text(code)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value.is_integer() and 1 <= value <= 5):
        row.flag(code, N_("{!r} is not a rating from 1 to 5 (a whole number)"), text)
        return None
    return int(value)
