"""Reading the pathway scenario workbook (`io.pathways_book`) into the scenario file the builder
writes: each scenario's path groups (scenario, region, sector) read by the builder's own form
reader (`pathways.builder.read_form`) and made a scenario by `scenario_of`, so that a workbook,
the form and a YAML file keep one path; every problem placed by file, sheet, row and the
header as the user wrote it."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.headers import ColumnSpec, choice_codes, frame_to_codes, translate_choices
from carbonpeak.io.pathways_book import (
    LIST_SHEET,
    PATH_SHEET,
    PATH_SPECS,
    PATHS,
    SCENARIO_SHEET,
    SCENARIO_SPECS,
    region_choices,
    sector_choices,
)
from carbonpeak.io.tables import read_table, read_upload, sheet_named
from carbonpeak.pathways.builder import Plan, file_of, read_form, scenario_of


class _Book:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def at(self, sheet: str, row: int | None = None, column: str | None = None) -> Place:
        return Place(file=self.file, sheet=sheet, row=row, column=column)

    def table(
        self, source: Path | bytes, sheet: str, specs: Sequence[ColumnSpec], required: Sequence[str]
    ) -> tuple[pd.DataFrame, dict[str, str]] | None:
        """The sheet with its columns as codes, and code -> header as written."""
        try:
            if isinstance(source, bytes):
                frame = read_upload(self.file, source, sheet)
            else:
                frame = read_table(source, sheet)
        except InputError as error:
            self.problems += error.problems
            return None
        coded, columns, problems = frame_to_codes(frame, specs, self.file, sheet)
        self.problems += problems
        for spec in specs:
            if spec.code in required and spec.code not in columns:
                self.problems.append(
                    Problem.of(self.at(sheet, 1, spec.header), N_("required column is missing"))
                )
        if problems or any(code not in columns for code in required):
            return None
        coded = coded.fillna("")
        percent = [c for c in PERCENT if c in columns]
        for (row, header), value in _percent_cells(source, sheet).items():
            code = next((c for c in percent if columns[c] == header), None)
            if code is not None:
                coded.loc[coded["row"] == row, code] = f"{value * 100:.12g}"
        return coded, columns


PERCENT = ("low", "high", "growth_rate", "intensity_value")
"""The columns in %: a cell Excel shows as a percentage (2.5 % typed, 0.025 kept) is read as
it shows, 2.5."""


def _percent_cells(source: Path | bytes, sheet: str) -> dict[tuple[int, str], float]:
    """(row, header) -> value of each number cell of `sheet` formatted as a percentage."""
    from openpyxl import load_workbook

    workbook = load_workbook(
        # the values as shown (a formula's last result), as `io.tables` reads the cells
        io.BytesIO(source) if isinstance(source, bytes) else source,
        read_only=True,
        data_only=True,
    )
    try:
        title = sheet_named(workbook.sheetnames, sheet)
        if title is None:  # read_table has said so
            return {}
        rows = workbook[title].iter_rows()
        header = [str(c.value).strip() if c.value is not None else "" for c in next(rows, ())]
        found = {}
        for number, cells in enumerate(rows, start=2):
            for cell, name in zip(cells, header, strict=False):
                value = cell.value
                if (
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and "%" in str(cell.number_format)
                ):
                    found[(number, name)] = float(value)
    finally:
        workbook.close()
    return found


def read_scenario_book(
    source: Path | bytes,
    choices: Mapping[str, Any],
    base: Mapping[tuple[str, str], float],
    draws: int,
    name: str | None = None,
) -> dict[str, Any]:
    """The scenario file a filled workbook says (a path, or its bytes named `name`), as the
    builder writes it (`file_of` of `scenario_of` of each scenario's paths, read by
    `read_form`); `base[(region, sector)]` the observed CO2 of the base year. `InputError`
    with every problem placed by file, sheet, row and the header as written."""
    book = _Book(name or str(source))
    read = book.table(source, SCENARIO_SHEET, SCENARIO_SPECS, ("name", "horizon"))
    paths = book.table(source, PATH_SHEET, PATH_SPECS, [s.code for s in PATH_SPECS])
    if read is None or paths is None:
        raise InputError(book.problems)
    rows = _scenario_rows(book, *read)
    groups = _groups(book, choices, rows, *paths)
    named = {str(n).strip() for n in paths[0]["name"]}  # rows with a problem count too
    base_year = int(choices["base_year"])
    scenarios: dict[str, dict[str, Any]] = {}
    horizons = []
    for scenario, (row, values) in rows.items():
        found = [g for g in groups if g[0] == scenario]
        if scenario not in named:
            book.problems.append(
                Problem.of(
                    book.at(SCENARIO_SHEET, row, read[1]["name"]),
                    N_("no rows of this scenario in sheet {}"),
                    PATH_SHEET,
                )
            )
            continue
        built: dict[str, Any] = {"description": None, "regions": {}}
        for key in found:
            plan = _plan(book, choices, values, key, groups[key], read[1], paths[1], row)
            if plan is None:
                continue
            horizons.append(plan.horizon)
            try:
                one = scenario_of(plan, base, base_year)
            except InputError as error:
                first = groups[key]["rows"][0]
                at = book.at(PATH_SHEET, first, paths[1]["region"])
                book.problems += [replace(p, place=at) for p in error.problems]
                continue
            built["description"] = one["description"]
            for region, body in one["regions"].items():
                built["regions"].setdefault(region, {"sectors": {}})["sectors"] |= body["sectors"]
        scenarios[scenario] = built
    if book.problems:
        raise InputError(list(dict.fromkeys(book.problems)))
    return file_of(scenarios, base_year, max(horizons), draws)


def _scenario_rows(
    book: _Book, frame: pd.DataFrame, columns: Mapping[str, str]
) -> dict[str, tuple[int, dict[str, str]]]:
    """name -> (row, the cells of its row) of the scenarios sheet; a blank or repeated name is
    a problem at its cell."""
    out: dict[str, tuple[int, dict[str, str]]] = {}
    for record in frame.to_dict("records"):
        row, name = int(record["row"]), str(record["name"]).strip()
        at = book.at(SCENARIO_SHEET, row, columns["name"])
        if not name:
            book.problems.append(Problem.of(at, N_("name the scenario")))
        elif name in out:
            book.problems.append(
                Problem.of(at, N_("scenario {} is named twice (row {})"), name, out[name][0])
            )
        else:
            out[name] = (row, {str(k): str(v).strip() for k, v in record.items() if k != "row"})
    if not out and not book.problems:
        book.problems.append(
            Problem.of(book.at(SCENARIO_SHEET, 2, columns["name"]), N_("name the scenario"))
        )
    return out


def _groups(
    book: _Book,
    choices: Mapping[str, Any],
    scenarios: Mapping[str, Any],
    frame: pd.DataFrame,
    columns: Mapping[str, str],
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(scenario, region, sector) -> its rows of the paths sheet: `rows` (each row), and for
    each path the (year, value) cells given with their rows."""
    codes: dict[str, list[str]] = {}
    english = [(str(r["code"]), str(r["name_en"])) for r in choices["regions"]]
    for code, offered in (
        ("region", [*region_choices(choices), *english]),
        ("sector", sector_choices(choices)),
    ):
        values, unknown = translate_choices(frame[code].astype(str).tolist(), choice_codes(offered))
        codes[code] = values
        for position in unknown:
            book.problems.append(
                Problem.of(
                    book.at(PATH_SHEET, int(frame["row"].iloc[position]), columns[code]),
                    N_("{!r} is not in the list of column {!r}: see sheet {} of the template"),
                    values[position],
                    columns[code],
                    LIST_SHEET,
                )
            )
        for position, value in enumerate(values):
            if not value.strip():
                row = int(frame["row"].iloc[position])
                book.problems.append(
                    Problem.of(book.at(PATH_SHEET, row, columns[code]), N_("give a value"))
                )
    regions = {c for c, _label in region_choices(choices)}
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for position, record in enumerate(frame.to_dict("records")):
        row, name = int(record["row"]), str(record["name"]).strip()
        region, sector = codes["region"][position], codes["sector"][position]
        if not name:
            book.problems.append(
                Problem.of(book.at(PATH_SHEET, row, columns["name"]), N_("name the scenario"))
            )
            continue
        if name not in scenarios:
            book.problems.append(
                Problem.of(
                    book.at(PATH_SHEET, row, columns["name"]),
                    N_("no scenario {!r} in sheet {}"),
                    name,
                    SCENARIO_SHEET,
                )
            )
            continue
        if region not in regions or sector not in choices["sectors"]:
            continue
        group = groups.setdefault((name, region, sector), {"rows": []})
        group["rows"].append(row)
        year = str(record["year"]).strip()
        given = False
        for which, (_year, value_key) in PATHS.items():
            value = str(record[value_key]).strip()
            if value:
                given = True
                group.setdefault(which, []).append((year, value, row))
        if not given:
            book.problems.append(
                Problem.of(
                    book.at(PATH_SHEET, row, columns["growth_rate"]),
                    N_("give {} or {} (or both)"),
                    columns["growth_rate"],
                    columns["intensity_value"],
                )
            )
    _wholes(book, choices, groups, columns)
    return groups


def _wholes(
    book: _Book,
    choices: Mapping[str, Any],
    groups: Mapping[tuple[str, str, str], dict[str, Any]],
    columns: Mapping[str, str],
) -> None:
    """A sector that includes others (industry) beside one of them in a scenario's region
    would be counted twice: a problem at the whole's first row."""
    for whole, parts in (choices.get("wholes") or {}).items():
        for (name, region, sector), group in groups.items():
            if sector != whole:
                continue
            inside = [s for (n, r, s) in groups if n == name and r == region and s in parts]
            if inside:
                book.problems.append(
                    Problem.of(
                        book.at(PATH_SHEET, group["rows"][0], columns["sector"]),
                        N_("{} already includes {}: pick it alone or its parts"),
                        whole,
                        ", ".join(inside),
                    )
                )


def _plan(
    book: _Book,
    choices: Mapping[str, Any],
    values: Mapping[str, str],
    key: tuple[str, str, str],
    group: Mapping[str, Any],
    scenario_columns: Mapping[str, str],
    path_columns: Mapping[str, str],
    scenario_row: int,
) -> Plan | None:
    """One path group read by the builder's form reader; its problems placed in the sheets."""
    name, region, sector = key
    fields: dict[str, list[str]] = {
        "name": [name],
        "sectors": [sector],
        "regions": [region],
        "horizon": [values.get("horizon", "")],
        "low": [values.get("low", "")],
        "high": [values.get("high", "")],
    }
    for which, (year_key, value_key) in PATHS.items():
        given = group.get(which, [])
        fields[year_key] = [y for y, _v, _r in given]
        fields[value_key] = [v for _y, v, _r in given]
    codes = [c for c, _label in region_choices(choices)]
    try:
        return read_form(fields, [sector], codes, int(choices["base_year"]))
    except InputError as error:
        for problem in error.problems:
            field = problem.place.field or ""
            if field in scenario_columns:
                at = book.at(SCENARIO_SHEET, scenario_row, scenario_columns[field])
            else:
                at = _path_place(book, group, field, problem.place.row, path_columns)
            book.problems.append(replace(problem, place=at))
        return None


def _path_place(
    book: _Book,
    group: Mapping[str, Any],
    field: str,
    row: int | None,
    columns: Mapping[str, str],
) -> Place:
    """Where a problem of the builder's form (`growth_rate`, row 2) sits in the paths sheet."""
    for which, (year_key, value_key) in PATHS.items():
        if field in (year_key, value_key):
            given = group.get(which, [])
            if row is not None and 0 < row <= len(given):
                column = columns["year"] if field == year_key else columns[value_key]
                return book.at(PATH_SHEET, given[row - 1][2], column)
            return book.at(PATH_SHEET, group["rows"][0], columns[value_key])
    return book.at(PATH_SHEET, group["rows"][0], columns.get(field))
