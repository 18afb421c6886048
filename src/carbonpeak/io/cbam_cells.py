"""Where the CBAM communication template (v2.1.1) keeps each input, and the labels that prove it.

Addresses as read from the workbook (docs/notes/research22.md §2.3): the input cells are its
unlocked cells. Each label of the template is a formula `=Translations!$B$n` (the hidden sheet
`Translations` holds the English text in column C), so a label is checked by both: the formula
in the label cell and the English text of its row. `label_problems` runs the checks; the writer
runs them on the vendored template, the reader on the file it reads.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from enum import StrEnum
from importlib.resources import files
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.workbook.workbook import Workbook

from carbonpeak.errors import N_, Place, Problem
from carbonpeak.product.cbam_codes import (
    MAX_PRECURSORS,
    MAX_PROCESSES,
    CarbonPriceType,
    DataQuality,
    DefaultJustification,
    ElecSource,
    RebateType,
    ReducingAgent,
    ValueSource,
    Verification,
)

TEMPLATE_NAME = "cbam_communication_installations_v2.1.1.xlsx"
VERSION = "2.1.1"
VERSION_CELL = ("0_Versions", "E38")
SHEETS = (
    "0_Versions",
    "a_Contents",
    "b_Guidelines&Conditions",
    "c_CodeLists",
    "A_InstData",
    "B_EmInst",
    "C_Emissions&Energy",
    "D_Processes",
    "E_PurchPrec",
    "F_Tools",
    "G_FurtherGuidance",
    "Summary_Processes",
    "Summary_Products",
    "Summary_Communication",
    "InputOutput",
    "Parameters_Constants",
    "Parameters_CNCodes",
    "Translations",
    "VersionDocumentation",
)

INST, EMISSIONS, PROC, PREC, PRODUCTS = (
    "A_InstData",
    "C_Emissions&Energy",
    "D_Processes",
    "E_PurchPrec",
    "Summary_Products",
)

# A field's kind: text, number, true/false, date, or one of the template's code lists.
Kind = str | type[StrEnum]
T, N, B, D = "text", "number", "bool", "date"

PERIOD = {"start": ("I9", D), "end": ("L9", D)}
INSTALLATION = {
    field: (f"I{row}", N if field in ("latitude", "longitude") else T)
    for row, field in enumerate(
        (
            "local_name",
            "name",
            "street",
            "economic_activity",
            "post_code",
            "po_box",
            "city",
            "country",
            "unlocode",
            "latitude",
            "longitude",
            "representative",
            "email",
            "phone",
        ),
        start=19,
    )
}
VERIFIER = {
    field: (f"I{row}", T)
    for row, field in (
        (37, "company"),
        (38, "street"),
        (39, "city"),
        (40, "post_code"),
        (41, "country"),
        (45, "representative"),
        (46, "email"),
        (47, "phone"),
        (48, "fax"),
        (51, "accreditation_state"),
        (52, "accreditation_body"),
        (53, "registration_number"),
    )
}
QUALITY = {
    "indirect_emissions": ("M26", N),
    "data_quality": ("H40", DataQuality),
    "default_justification": ("H41", DefaultJustification),
    "verification": ("H42", Verification),
}

GOODS_ROW, GOODS_ROUTES = 62, "IJKLMN"  # category in E
PROCESS_ROW, PROCESS_INCLUDED = 83, "FGHIJK"  # category in E, name in L
PRECURSOR_ROW, PRECURSOR_ROUTES = 102, "GHIJK"  # category in E, country in F, name in L

# D_Processes: block i (from 0) starts at row 11 + 65 i; (column, rows after the start).
PROCESS_BLOCK, PROCESS_STRIDE = 11, 65
PRODUCTION_AT, PRODUCTION_ROWS = 5, 8  # (a) L16:L23 in block 1, the category's n-th route
CONSUMED_AT, CONSUMED_ROWS = 21, 9  # (c) L32:L40, the other processes in order
PROCESS_FIELDS: dict[str, tuple[str, int, Kind]] = {
    "market": ("L", 16, N),
    "non_cbam": ("L", 30, N),
    "heat_applicable": ("K", 39, B),
    "waste_gas_applicable": ("L", 39, B),
    "direct_emissions": ("L", 43, N),
    "heat_imported": ("L", 46, N),
    "heat_exported": ("M", 46, N),
    "heat_ef_imported": ("L", 47, N),
    "heat_ef_exported": ("M", 47, N),
    "waste_gas_imported": ("L", 50, N),
    "waste_gas_exported": ("M", 50, N),
    "waste_gas_ef_imported": ("L", 51, N),
    "waste_gas_ef_exported": ("M", 51, N),
    "electricity": ("L", 54, N),
    "electricity_ef": ("L", 55, N),
    "electricity_ef_source": ("L", 56, ElecSource),
    "electricity_exported": ("L", 60, N),
    "electricity_exported_ef": ("L", 61, N),
}

# E_PurchPrec: block i starts at row 14 + 44 i.
PRECURSOR_BLOCK, PRECURSOR_STRIDE = 14, 44
PURCHASED_AT, PURCHASED_ROWS = 3, 8  # (a) L17:L24
USED_AT, USED_ROWS = 14, 10  # (b) L28:L37, process 1…10
PRECURSOR_FIELDS: dict[str, tuple[str, int, Kind]] = {
    "other_use": ("L", 24, N),
    "see_direct": ("L", 35, N),
    "see_direct_source": ("M", 35, ValueSource),
    "electricity": ("L", 36, N),
    "electricity_source": ("M", 36, ValueSource),
    "electricity_ef": ("L", 37, N),
    "electricity_ef_source": ("M", 37, ElecSource),
    "default_justification": ("K", 40, DefaultJustification),
}

# Summary_Products: one product a row from row 10 (row 9 is the template's example).
PRODUCT_ROW, PRODUCT_ROWS = 10, 100
PRODUCT_PROCESS, PRODUCT_CN = "D", "F"
PRODUCT_FIELDS: dict[str, tuple[str, Kind]] = {
    "name": ("H", T),
    "reducing_agent": ("P", ReducingAgent),
    "steel_mill_id": ("Q", T),
    "mn": ("R", N),
    "cr": ("S", N),
    "ni": ("T", N),
    "other_alloys": ("U", N),
    "carbon": ("V", N),
    "scrap_per_t_steel": ("W", N),
    "other_materials": ("X", N),
    "pre_consumer_scrap": ("Y", N),
    "scrap_per_t_aluminium": ("Z", N),
    "non_aluminium": ("AA", N),
    "clinker_factor": ("AB", N),
    "calcined": ("AC", B),
    "hydrous_concentration": ("AD", N),
    "nitric_acid": ("AE", N),
    "urea": ("AF", N),
    "n_total": ("AG", N),
    "n_ammonium": ("AH", N),
    "n_nitrate": ("AI", N),
    "n_urea": ("AJ", N),
    "n_other": ("AK", N),
    "carbon_price_type": ("AL", CarbonPriceType),
    "carbon_price_share": ("AM", N),
    "currency": ("AP", T),
    "carbon_price_due": ("AR", N),
    "rebate_type": ("AT", RebateType),
    "rebate_share": ("AU", N),
    "rebate": ("AX", N),
}

# (sheet, label cell, Translations row, its English text)
_FIXED_LABELS = [
    (INST, "D9", 67, "Reporting period"),
    (INST, "H9", 68, "Start:"),
    (INST, "K9", 69, "End:"),
    (INST, "E19", 73, "Name of the installation (optional):"),
    (INST, "E20", 74, "Name of the installation (English name):"),
    (INST, "E21", 75, "Street, Number:"),
    (INST, "E22", 76, "Economic activity:"),
    (INST, "E23", 77, "Post code:"),
    (INST, "E24", 78, "P.O. Box:"),
    (INST, "E25", 79, "City:"),
    (INST, "E26", 80, "Country:"),
    (INST, "E27", 81, "UNLOCODE:"),
    (INST, "E28", 82, "Coordinates of the main emission source (latitude):"),
    (INST, "E29", 83, "Coordinates of the main emission source (longitude):"),
    (INST, "E30", 84, "Name of authorized representative:"),
    (INST, "E31", 85, "Email:"),
    (INST, "E32", 86, "Telephone:"),
    (INST, "E37", 90, "Company Name:"),
    (INST, "E38", 75, "Street, Number:"),
    (INST, "E39", 79, "City:"),
    (INST, "E40", 91, "Postcode/ZIP:"),
    (INST, "E41", 80, "Country:"),
    (INST, "E45", 94, "Name:"),
    (INST, "E46", 95, "Email address:"),
    (INST, "E47", 96, "Telephone number:"),
    (INST, "E48", 97, "Fax:"),
    (INST, "E51", 99, "Accreditation Member State:"),
    (INST, "E52", 100, "Name of the national accreditation body:"),
    (INST, "E53", 101, "Registration number issued by the Accreditation body:"),
    (INST, "E61", 107, "Aggregated goods category"),
    (INST, "I61", 109, "Route 1"),
    (INST, "N61", 114, "Route 6"),
    (INST, "E81", 107, "Aggregated goods category"),
    (INST, "F81", 121, "Included goods categories listed under (a)"),
    (INST, "L81", 122, "Name"),
    (INST, "E101", 120, "Production process"),
    (INST, "F101", 1957, "Country code"),
    (INST, "G101", 109, "Route 1"),
    (INST, "K101", 113, "Route 5"),
    (INST, "L101", 122, "Name"),
    (EMISSIONS, "E26", 228, "manual entries"),
    (EMISSIONS, "M24", 238, "Total indirect emissions"),
    (EMISSIONS, "E40", 1856, "General information on data quality:"),
    (EMISSIONS, "E41", 1858, "Justification for use of default values (if relevant):"),
    (EMISSIONS, "E42", 1860, "Information on quality assurance:"),
    (PRODUCTS, "D8", 472, "Production process from which the products arise"),
    (PRODUCTS, "F8", 474, "CN Codes"),
    (PRODUCTS, "P8", 483, "The main reducing agent of the precursor, if known"),
    (PRODUCTS, "Q8", 485, "Steel mill identification number"),
    (PRODUCTS, "R8", 487, "% Mn"),
    (PRODUCTS, "AB8", 507, "Clinker factor"),
    (PRODUCTS, "AC8", 509, "Calcined or not"),
    (PRODUCTS, "AK8", 525, "% N in other (organic) forms"),
    (PRODUCTS, "AL8", 530, "Type of instrument (carbon pricing)"),
    (PRODUCTS, "AP8", 534, "Currency"),
    (PRODUCTS, "AR8", 347, "Carbon price (CP) due (per produced t or MWh)"),
    (PRODUCTS, "AT8", 537, "Type of rebate"),
    (PRODUCTS, "AX8", 1872, "Amount of rebate (per produced t or MWh)"),
]
_PROCESS_LABELS = [
    (4, 243, "Total production levels:"),
    (16, 248, "Produced for the market"),
    (20, 251, "Consumed in other 'production processes' within the installation:"),
    (30, 252, "Consumed for non-CBAM goods within the installation:"),
    (39, 258, "Please select which elements are applicable"),
    (43, 261, "Directly attributable emissions (DirEm*)"),
    (46, 265, "Amount of net measurable heat"),
    (47, 266, "Emissions factor"),
    (50, 267, "Amount of waste gas"),
    (51, 268, "Emission factor"),
    (54, 270, "Electricity consumption"),
    (55, 271, "Emission factor of the electricity"),
    (56, 272, "Source of the emission factor"),
    (60, 274, "Amounts exported"),
    (61, 271, "Emission factor of the electricity"),
]
_PRECURSOR_LABELS: list[tuple[int, int, str | None]] = [
    (2, 276, "Total purchased levels:"),
    (13, 1967, "Consumed in 'production processes' within the installation:"),
    (24, 1968, None),  # "Consumed for other purposes, e.g. sold or used for non-CBAM goods…"
    (35, 1969, "Specific embedded direct emissions (SEE (direct))"),
    (36, 1970, "Specific electricity consumption (for SEE (indirect))"),
    (37, 1971, "Electricity emission factor (for SEE (indirect))"),
    (40, 1858, "Justification for use of default values (if relevant):"),
]


# A slip of the template itself: in process block 8 the heat-amount label (E512) is the
# "Exported" column header (Translations row 264); the cells, unit and formulas of the row are
# those of every other block.
KNOWN_SLIPS = {(PROC, "E512"): 264}


def other_row(own: int, other: int) -> int:
    """The row (from 0) of process `other` among the "consumed in" rows of process `own`: the
    template lists the other processes in order, skipping its own (D_Processes S32)."""
    return other - 1 if other < own else other - 2


def template_path() -> Path:
    """The vendored template (product/templates/, with its README)."""
    return Path(str(files("carbonpeak.product").joinpath("templates", TEMPLATE_NAME)))


def labels() -> Iterator[tuple[str, str, int, str | None]]:
    """Every label the addresses rely on: (sheet, cell, Translations row, English text)."""
    yield from _FIXED_LABELS
    for i in range(MAX_PROCESSES):
        start = PROCESS_BLOCK + PROCESS_STRIDE * i
        for offset, row, text in _PROCESS_LABELS:
            yield PROC, f"E{start + offset}", row, text
    for i in range(MAX_PRECURSORS):
        start = PRECURSOR_BLOCK + PRECURSOR_STRIDE * i
        for offset, row, label in _PRECURSOR_LABELS:
            yield PREC, f"E{start + offset}", row, label


def ids() -> Iterator[tuple[str, str, Any]]:
    """The template's row identifiers and block numbers: (sheet, cell, value)."""
    for i in range(MAX_PROCESSES):
        yield INST, f"D{PROCESS_ROW + i}", f"P{i + 1}"
    for i in range(MAX_PRECURSORS):
        yield INST, f"D{PRECURSOR_ROW + i}", f"PP{i + 1}"
    yield PROC, f"C{PROCESS_BLOCK}", 1
    yield PREC, f"C{PRECURSOR_BLOCK}", 1
    for i in range(1, MAX_PROCESSES):
        yield (
            PROC,
            f"C{PROCESS_BLOCK + PROCESS_STRIDE * i}",
            f"=C{PROCESS_BLOCK + PROCESS_STRIDE * (i - 1)}+1",
        )
    for i in range(1, MAX_PRECURSORS):
        yield (
            PREC,
            f"C{PRECURSOR_BLOCK + PRECURSOR_STRIDE * i}",
            f"=C{PRECURSOR_BLOCK + PRECURSOR_STRIDE * (i - 1)}+1",
        )


def load(path: Path, *, data_only: bool = False) -> Workbook:
    """The workbook at `path`: formulas as formulas, or (`data_only`) their cached results."""
    with warnings.catch_warnings():  # the x14 extensions it drops (io.cbam_workbook says which)
        warnings.simplefilter("ignore", UserWarning)
        return openpyxl.load_workbook(path, data_only=data_only)


class _Value:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


_EMPTY = _Value(None)


class ValuesSheet:
    """One sheet's values by address (`sheet["E38"].value`), as read."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getitem__(self, address: str) -> _Value:
        value = self._values.get(address)
        return _EMPTY if value is None else _Value(value)


class ValuesBook:
    """A workbook's stored values (formulas as their text), read once in openpyxl's read-only
    mode: a reader's cell look-ups (`book[sheet][cell].value`) without the styles, validations
    and drawings a full load builds, in about half its time."""

    def __init__(self, sheets: dict[str, ValuesSheet], sheetnames: list[str]) -> None:
        self._sheets, self.sheetnames = sheets, sheetnames

    def __getitem__(self, sheet: str) -> ValuesSheet:
        return self._sheets[sheet]


def read_values(path: Path, sheets: tuple[str, ...]) -> ValuesBook:
    """The values of `sheets` (those present) in the workbook at `path`; openpyxl's errors on
    a file that is no workbook pass through to the caller."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        book = openpyxl.load_workbook(path, read_only=True)
    try:
        found: dict[str, ValuesSheet] = {}
        for name in sheets:
            if name not in book.sheetnames:
                continue
            values = {}
            for row in book[name].iter_rows():
                for cell in row:
                    if cell.value is not None and hasattr(cell, "coordinate"):
                        values[cell.coordinate] = cell.value
            found[name] = ValuesSheet(values)
        return ValuesBook(found, list(book.sheetnames))
    finally:
        book.close()


def label_problems(book: Workbook | ValuesBook, file: str) -> list[Problem]:
    """The labels and identifiers of the template that are not where the addresses expect
    them: empty for the template itself."""
    problems = []
    translations = book["Translations"]
    for sheet, cell, row, text in labels():
        found = book[sheet][cell].value
        row = KNOWN_SLIPS.get((sheet, cell), row)
        text = None if (sheet, cell) in KNOWN_SLIPS else text
        english = translations[f"C{row}"].value
        if found != f"=Translations!$B${row}" or (text is not None and english != text):
            problems.append(problem(file, sheet, cell, N_("the template's label is not here")))
    for sheet, cell, value in ids():
        if book[sheet][cell].value != value:
            problems.append(problem(file, sheet, cell, N_("the template's label is not here")))
    return problems


def problem(file: str, sheet: str, cell: str, template: str, *values: Any) -> Problem:
    """A problem placed at `cell` (as "AB12") of `sheet`."""
    column = "".join(ch for ch in cell if ch.isalpha())
    return Problem.of(
        Place(file=file, sheet=sheet, row=int(cell[len(column) :]), column=column),
        template,
        *values,
    )
