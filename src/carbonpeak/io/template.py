"""Write the activity template: an Excel workbook people fill in and upload.

Sheet `activity` has the columns of the activity table with drop-down lists for stream,
direction and item; `enterprises` the enterprise columns; `lists` the codes (items with their
names and usual units, streams); `readme` what each column means.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from carbonpeak.accounting.activity import COLUMNS, DIRECTIONS, STREAMS
from carbonpeak.io.activity import ENTERPRISE_COLUMNS
from carbonpeak.io.sheets import append_row
from carbonpeak.io.tables import atomic_path
from carbonpeak.reference.loader import Reference

COLUMN_HELP = {
    "enterprise_id": "unified social credit code (18 characters, GB 32100-2015)",
    "period": "YYYY or YYYY-MM",
    "stream": "fuel, feedstock, process, electricity, heat or product",
    "item": "item code (sheet lists)",
    "direction": "in (default) or out (exported electricity, heat or fuel)",
    "amount": "non-negative number",
    "unit": "any unit, e.g. t, 10^4 Nm3, kWh, MWh, GJ",
    "ncv": "measured net calorific value (optional)",
    "ncv_unit": "unit of ncv, e.g. GJ/t or GJ/(10^4 Nm3)",
    "carbon_content_tc_per_gj": "measured carbon content per unit heat, tC/GJ (optional)",
    "oxidation_rate": "measured oxidation rate, fraction 0-1 (optional)",
    "emission_factor": "measured emission factor (optional), replaces the method's factor",
    "emission_factor_unit": "unit of emission_factor, e.g. tCO2/t or tCO2/MWh",
    "cao_fraction": "clinker CaO mass fraction, 0-1 (cement)",
    "mgo_fraction": "clinker MgO mass fraction, 0-1 (cement)",
    "cao_noncarbonate_fraction": "CaO from non-carbonate sources, fraction of clinker",
    "mgo_noncarbonate_fraction": "MgO from non-carbonate sources, fraction of clinker",
    "carbon_fraction": "carbon mass fraction of a feedstock or product (mass balance)",
    "area": "efficiency-level area of a product, e.g. cement_clinker, bof",
}


def write_activity_template(path: Path, reference: Reference, rows: int = 2000) -> None:
    """Write the template workbook to `path` (atomically)."""
    workbook = Workbook()
    activity = workbook.active
    assert activity is not None
    activity.title = "activity"
    append_row(activity, list(COLUMNS))
    enterprises = workbook.create_sheet("enterprises")
    append_row(enterprises, list(ENTERPRISE_COLUMNS))
    lists = workbook.create_sheet("lists")
    append_row(
        lists, ["item", "name_zh", "name_en", "category", "default_unit", "stream", "direction"]
    )
    items = reference.rows("items")
    for index, row in enumerate(items):
        append_row(
            lists,
            [
                row["item"],
                row["name_zh"],
                row["name_en"],
                row["category"],
                row["default_unit"],
                STREAMS[index] if index < len(STREAMS) else None,
                DIRECTIONS[index] if index < len(DIRECTIONS) else None,
            ],
        )
    readme = workbook.create_sheet("readme")
    append_row(readme, ["column", "meaning"])
    for column in COLUMNS:
        append_row(readme, [column, COLUMN_HELP.get(column, "")])
    for sheet in (activity, enterprises, lists, readme):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    last = rows + 1
    for column, source in (
        ("stream", f"lists!$F$2:$F${len(STREAMS) + 1}"),
        ("direction", f"lists!$G$2:$G${len(DIRECTIONS) + 1}"),
        ("item", f"lists!$A$2:$A${len(items) + 1}"),
    ):
        letter = get_column_letter(COLUMNS.index(column) + 1)
        validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
        validation.error = f"choose a {column} from the list"
        activity.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last}")
    with atomic_path(path) as temporary:
        workbook.save(temporary)
