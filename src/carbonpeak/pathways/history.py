"""Real history for the pathways: the CEADs provincial CO2 inventories (30 provinces x 47 rows
x 1997-2019) and the national series of the reference tables.

`read_ceads` reads the workbooks as published (one per year, one sheet per province-year:
a row of fuel names, a row of units, a blank row, the total row, then the sector rows; the
spelling of the labels varies: `Total Consumption`, `Total Emissions`, `TotalEmissions`;
`Scope 1 Total`, `Scope_1_Total`); `key_sectors` sums the sector rows into the platform's
key sectors (the `ceads_sectors` table) and industry. The sums of the key sectors ship as the
reference table `ceads_history` (built by `scripts/ceads_history.py`), so the history is there
without the workbooks.

Cite the data as the CEADs terms ask (source `ceads_prov` in the sources table).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.pathways.peaks import peak
from carbonpeak.reference.loader import Reference

BOOK = re.compile(r"emission_inventories_for_30_provinces_(\d{4})\.xlsx", re.IGNORECASE)
SHEET = re.compile(r"([A-Za-z]+?)(\d{4})")
TOTAL_LABELS = ("totalemissions", "totalconsumption")  # spaces and case vary
UNIT = "Mt CO2"


def _label(text: object) -> str:
    return re.sub(r"\s+", "_", str(text).strip())


def read_ceads(folder: Path, reference: Reference) -> pd.DataFrame:
    """Every sector row of every province-year: `region_code`, `province`, `year`, `sector`,
    one column per fuel, `Process` and `Scope_1_Total` (Mt CO2). `InputError` naming the file,
    sheet, row and column of anything that does not have the published layout."""
    codes = {
        str(r["name_en"]).replace(" ", ""): str(r["region_code"])
        for r in reference.rows("regions")
        if r["level"] == "province"
    }
    known = {str(r["ceads_sector"]) for r in reference.rows("ceads_sectors")}
    books = sorted(p for p in Path(folder).glob("*.xlsx") if BOOK.fullmatch(p.name))
    if not books:
        raise InputError([Problem(Place(file=str(folder)), "no CEADs workbooks here")])
    frames, problems = [], []
    for path in books:
        year = int(BOOK.fullmatch(path.name).group(1))  # type: ignore[union-attr]
        for name, sheet in pd.read_excel(path, sheet_name=None, header=None).items():
            if name == "NOTE":
                continue
            place = Place(file=path.name, sheet=name)
            found = SHEET.fullmatch(name)
            if not found or int(found.group(2)) != year or found.group(1) not in codes:
                problems.append(Problem(place, f"not a province-year sheet of {year}"))
                continue
            frame, wrong = _sheet(sheet, place, known)
            problems += wrong
            if frame is not None:
                frames.append(
                    frame.assign(
                        region_code=codes[found.group(1)], province=found.group(1), year=year
                    )
                )
    if problems:
        raise InputError(problems)
    table = pd.concat(frames, ignore_index=True)
    first = ["region_code", "province", "year", "sector"]
    return table[first + [c for c in table.columns if c not in first]]


def _sheet(
    sheet: pd.DataFrame, place: Place, known: set[str]
) -> tuple[pd.DataFrame | None, list[Problem]]:
    problems = []
    fuels = [_label(c) for c in sheet.iloc[0, 1:]]
    if fuels[-1] != "Scope_1_Total" or str(sheet.iloc[1, 1]).strip() != UNIT:
        return None, [Problem(place, "not the CEADs layout (fuels in row 1, Mt CO2 in row 2)")]
    if re.sub(r"[\s_]", "", str(sheet.iloc[3, 0])).lower() not in TOTAL_LABELS:
        return None, [Problem(Place(place.file, place.sheet, row=4), "the total row is missing")]
    body = sheet.iloc[4:, :].reset_index(drop=True)
    sectors = body.iloc[:, 0].astype(str).str.strip()
    for index, sector in enumerate(sectors):
        if sector not in known:
            problems.append(
                Problem(Place(place.file, place.sheet, row=index + 5), f"unknown sector {sector!r}")
            )
    values = body.iloc[:, 1:].apply(pd.to_numeric, errors="coerce")
    values.columns = fuels
    bad = np.argwhere(values.isna().to_numpy())
    for row, column in bad[:10]:
        problems.append(
            Problem(
                Place(place.file, place.sheet, row=int(row) + 5, column=fuels[column]),
                "not a number",
            )
        )
    if problems:
        return None, problems
    return values.assign(sector=sectors.to_numpy()), []


def key_sectors(table: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """Scope 1 CO2 (Mt) by province, year and key sector, plus `industry` (mining,
    manufacturing and utilities) and `total` (every row)."""
    mapping = {str(r["ceads_sector"]): r for r in reference.rows("ceads_sectors")}
    rows = table.assign(
        key_sector=table["sector"].map(lambda s: mapping[s]["key_sector"]),
        industry=table["sector"].map(lambda s: mapping[s]["industry"] == "yes"),
    )
    keys = ["region_code", "province", "year"]
    by_key = rows.groupby([*keys, "key_sector"], as_index=False)["Scope_1_Total"].sum()
    industry = (rows[rows["industry"]].groupby(keys, as_index=False)["Scope_1_Total"].sum()).assign(
        key_sector="industry"
    )
    total = rows.groupby(keys, as_index=False)["Scope_1_Total"].sum().assign(key_sector="total")
    out = pd.concat([by_key, industry, total], ignore_index=True)
    out = out.rename(columns={"Scope_1_Total": "co2"})
    return pd.DataFrame(out.sort_values([*keys, "key_sector"], ignore_index=True))


def ceads_history(reference: Reference) -> pd.DataFrame:
    """The shipped key-sector history (`ceads_history`): region_code, year, key_sector, co2."""
    frame = reference.frame("ceads_history")
    return frame[["region_code", "year", "key_sector", "co2"]].astype(
        {"region_code": str, "year": int, "co2": float}
    )


def national_series(reference: Reference, series: str) -> pd.DataFrame:
    """One national series of the reference table `national_series` (year, value, unit,
    estimate, status), in year order."""
    frame = reference.frame("national_series")
    known = sorted(set(frame["series"]))
    frame = frame[frame["series"] == series]
    if frame.empty:
        raise InputError(
            [Problem(Place(field="series"), f"no series {series!r}; one of {', '.join(known)}")]
        )
    frame = frame[["year", "value", "unit", "estimate", "status"]]
    return frame.astype({"year": int, "value": float}).sort_values("year", ignore_index=True)


def series_peak(reference: Reference, series: str, estimates: bool = True) -> dict[str, Any]:
    """The observed peak of a national series (without the values its source marks as
    estimates when `estimates` is false), its values and which years are unverified."""
    frame = national_series(reference, series)
    if not estimates:
        frame = frame[frame["estimate"] != "yes"]
    years, values = frame["year"].to_numpy(), frame["value"].to_numpy()
    return {
        "series": series,
        "unit": str(frame["unit"].iloc[0]),
        **peak(years, values),
        "values": {str(y): float(v) for y, v in zip(years, values, strict=True)},
        "estimates": [int(y) for y in frame["year"][frame["estimate"] == "yes"]],
        "unverified_years": [int(y) for y in frame["year"][frame["status"] != "verified"]],
    }


def observed_peaks(
    reference: Reference, sector: str = "industry", regions: list[str] | None = None
) -> dict[str, Any]:
    """Each province's observed CO2 peak of a key sector (CEADs 1997-2019) and the peak of
    their sum; `InputError` for an unknown sector or province."""
    history = ceads_history(reference)
    known = set(history["key_sector"])
    if sector not in known:
        raise InputError(
            [Problem(Place(field="sector"), f"{sector!r}: one of {', '.join(sorted(known))}")]
        )
    history = history[history["key_sector"] == sector]
    unknown = sorted(set(regions or []) - set(history["region_code"]))
    if unknown:
        raise InputError(
            [Problem(Place(field="region"), f"no CEADs province {', '.join(unknown)}")]
        )
    if regions:
        history = history[history["region_code"].isin(regions)]
    names = {str(r["region_code"]): str(r["name_en"]) for r in reference.rows("regions")}
    found = []
    for code, rows in history.groupby("region_code", sort=True):
        years, values = rows["year"].to_numpy(), rows["co2"].to_numpy()
        entry = peak(years, values)
        entry["values"] = {str(y): float(v) for y, v in zip(years, values, strict=True)}
        found.append({"region_code": str(code), "name": names.get(str(code), str(code)), **entry})
    summed = history.groupby("year", as_index=False)["co2"].sum()
    total = peak(summed["year"].to_numpy(), summed["co2"].to_numpy())
    total["values"] = {str(y): float(v) for y, v in zip(summed["year"], summed["co2"], strict=True)}
    return {
        "sector": sector,
        "unit": "MtCO2",
        "source": "CEADs provincial inventories (Shan et al. 2018, 2020; Guan et al. 2021)",
        "regions": found,
        "sum": {"regions": len(found), **total},
    }
