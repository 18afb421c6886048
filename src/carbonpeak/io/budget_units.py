"""The unit notes of a budgets table's headers (io/budgets.py): `总量上限（万吨）` is 10^4 t, never
t. On the columns with a unit (`UNIT_NOTES`) a note in brackets is read: a known unit converts
the column's values to the field's unit, a unit of the other quantity than a row's is a
problem at that row, an unknown note a problem at row 1 of its column. The export's own notes
(`t CO2 或 tce`) are read as the field's units."""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from carbonpeak.errors import N_, Place, Problem

_NOTE = re.compile(r"[(（](.*)[)）]\s*$")
_CO2_UNITS = {"t": 1.0, "吨": 1.0, "tco2": 1.0, "吨二氧化碳": 1.0, "tco₂": 1.0}
_ENERGY_UNITS = {"tce": 1.0, "吨标准煤": 1.0, "吨标煤": 1.0}
UNIT_NOTES: dict[str, dict[str, tuple[float, str | None]]] = {
    "cap": {
        "tco2或tce": (1.0, None),
        "tco2ortce": (1.0, None),
        **{u: (f, "co2") for u, f in _CO2_UNITS.items()},
        **{"万" + u: (1e4 * f, "co2") for u, f in _CO2_UNITS.items()},
        **{u: (f, "energy") for u, f in _ENERGY_UNITS.items()},
        **{"万" + u: (1e4 * f, "energy") for u, f in _ENERGY_UNITS.items()},
    },
    "intensity": {
        "tco2/万元": (1.0, "co2"),
        "t/万元": (1.0, None),
        "吨/万元": (1.0, None),
        "tce/万元": (1.0, "energy"),
    },
    "planned": {"万元": (1.0, None), "10^4yuan": (1.0, None)},
    "reserve": {"%": (0.01, None), "％": (0.01, None)},
}
"""Field -> header note (lower case, without spaces) -> (factor to the field's unit, the
quantity the unit belongs to, or None for either)."""


def note_of(header: str) -> str | None:
    """The note in brackets at the end of a header, lower case and without spaces."""
    found = _NOTE.search(header)
    return None if found is None else re.sub(r"\s+", "", found.group(1)).lower()


def read_units(
    columns: Mapping[str, str], shown: str, in_sheet: str | None
) -> tuple[dict[str, tuple[float, str | None]], list[Problem]]:
    """field -> (factor, quantity) of the columns whose header carries a known unit note, and
    a problem at row 1 for each unknown note (`columns`: field -> header as the file has it)."""
    problems: list[Problem] = []
    units: dict[str, tuple[float, str | None]] = {}
    for field, header in columns.items():
        note = note_of(header)
        if field not in UNIT_NOTES or note is None:
            continue
        if note in UNIT_NOTES[field]:
            units[field] = UNIT_NOTES[field][note]
        else:
            problems.append(
                Problem.of(
                    Place(file=shown, sheet=in_sheet, row=1, column=header),
                    N_("unknown unit {!r} of column {!r}: write one of {} (or no note)"),
                    note,
                    header,
                    ", ".join(UNIT_NOTES[field]),
                )
            )
    return units, problems


def convert(
    row: dict[str, Any],
    units: Mapping[str, tuple[float, str | None]],
    columns: Mapping[str, str],
    file: str,
    sheet: str | None,
) -> list[Problem]:
    """Convert the row's values of the columns with a unit note to the field's unit (in
    place); problems where the unit belongs to the other quantity than the row's."""
    problems = []
    for field, (factor, quantity) in units.items():
        if field not in row:
            continue
        given = row.get("quantity")
        if quantity is not None and given in ("co2", "energy") and given != quantity:
            problems.append(
                Problem.of(
                    Place(file=file, sheet=sheet, row=row["row"], column=columns[field]),
                    N_("the unit of column {!r} is for {}, but the row's quantity is {}"),
                    columns[field],
                    quantity,
                    given,
                )
            )
            continue
        if factor != 1.0:
            with suppress(ValueError):  # not a number: the budget's parser places it
                row[field] = repr(float(row[field]) * factor)
    return problems
