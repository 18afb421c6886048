"""Energy-use control (能耗双控 and the carbon-intensity targets): each region's intensity year by
year against the path to its target, the energy (or CO2) the path allows, what is used and what
remains, and a total cap where one is given.

Intensity = energy (tce) or CO2 (t) / value added (10^4 yuan at constant prices). A target is a
relative change from a base year to a target year (`intensity_targets`, or given); the path
falls at a constant rate: I(y) = I(base) x (1 + change)^((y - base) / (target - base)). A year
is on track when its intensity is at most the path's; the path allows VA(y) x I_path(y), and
the remaining allowance is that minus the use. With a `cap_tce` column, the total energy use is
also checked against its cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.domain.warnings import warn
from carbonpeak.errors import N_, CarbonpeakError, InputError, Place, Problem
from carbonpeak.policy.verdict import Check, Verdict, all_passed
from carbonpeak.reference.loader import Reference

COLUMNS = ("region_code", "year", "value_added_10k_yuan")


@dataclass(frozen=True)
class Target:
    code: str
    indicator: str  # energy_intensity | co2_intensity
    base_year: int
    target_year: int
    change: float
    source_id: str
    verified: bool

    @classmethod
    def of(cls, reference: Reference, code: str) -> Target:
        rows = reference.rows("intensity_targets", target=code)
        if not rows:
            known = ", ".join(str(r["target"]) for r in reference.rows("intensity_targets"))
            raise CarbonpeakError(f"no intensity target {code!r}; known: {known}")
        r = rows[0]
        return cls(
            code,
            str(r["indicator"]),
            int(r["base_year"]),  # type: ignore[arg-type]
            int(r["target_year"]),  # type: ignore[arg-type]
            float(r["change"]),  # type: ignore[arg-type]
            str(r["source_id"]),
            r["status"] == "verified",
        )


def check_table(table: pd.DataFrame, indicator: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The regional table made tidy, and every problem by row and column."""
    use = "energy_tce" if indicator == "energy_intensity" else "co2_t"
    needed = (*COLUMNS, use)
    missing = [c for c in needed if c not in table.columns]
    if missing:
        return table, [
            Problem.of(Place(row=1, column=c), N_("required column is missing")) for c in missing
        ]
    rows = table["row"].to_numpy() if "row" in table.columns else np.arange(2, len(table) + 2)
    tidy = pd.DataFrame({"region_code": table["region_code"].fillna("").astype(str).str.strip()})
    problems = []
    for column in ("year", "value_added_10k_yuan", use, "cap_tce"):
        if column not in table.columns:
            continue
        text = table[column].fillna("").astype(str).str.strip()
        values = pd.to_numeric(text, errors="coerce")
        bad = (values.isna() & ((text != "") | (column != "cap_tce"))) | (values < 0)
        for row, shown in zip(rows[bad.to_numpy()], text[bad], strict=True):
            problems.append(
                Problem.of(
                    Place(row=int(row), column=column),
                    N_("{!r} is not a number of 0 or more"),
                    shown,
                )
            )
        tidy[column] = values
    zero = tidy["value_added_10k_yuan"] == 0
    for row in rows[zero.to_numpy()]:
        problems.append(
            Problem.of(Place(row=int(row), column="value_added_10k_yuan"), N_("must be above 0"))
        )
    repeated = tidy[["region_code", "year"]].duplicated(keep="first")
    for row, code in zip(rows[repeated.to_numpy()], tidy["region_code"][repeated], strict=True):
        problems.append(
            Problem.of(
                Place(row=int(row), column="year"), N_("region {} has this year twice"), code
            )
        )
    tidy["use"] = tidy[use]
    return tidy, problems


def track(table: pd.DataFrame, target: Target) -> list[dict[str, Any]]:
    """Per region and year: intensity, the path's, on track or not, allowed, used, remaining."""
    out = []
    span = target.target_year - target.base_year
    for code, rows in table.sort_values(["region_code", "year"]).groupby("region_code", sort=True):
        base = rows[rows["year"] == target.base_year]
        if base.empty:
            out.append(
                {
                    "region_code": code,
                    "error": f"no row of the base year {target.base_year}",
                }
            )
            continue
        base_intensity = float(base["use"].iloc[0] / base["value_added_10k_yuan"].iloc[0])
        for record in rows.to_dict("records"):
            year = int(record["year"])
            intensity = float(record["use"]) / float(record["value_added_10k_yuan"])
            path = base_intensity * (1 + target.change) ** ((year - target.base_year) / span)
            allowed = float(record["value_added_10k_yuan"]) * path
            row: dict[str, Any] = {
                "region_code": code,
                "year": year,
                "intensity": round(intensity, 6),
                "change_from_base": round(intensity / base_intensity - 1, 6),
                "path_intensity": round(path, 6),
                "on_track": intensity <= path * (1 + 1e-12),
                "allowed": round(allowed, 3),
                "used": round(float(record["use"]), 3),
                "remaining": round(allowed - float(record["use"]), 3),
            }
            cap = record.get("cap_tce")
            if cap is not None and cap == cap:
                row["cap_tce"] = float(cap)
                row["within_cap"] = float(record["use"]) <= float(cap)
            out.append(row)
    return out


def remaining_for(rows: list[dict[str, Any]], region_code: str) -> tuple[int, float] | None:
    """The latest year's remaining allowance of a region (its own code, else its province's),
    from `track` rows; None when the table has no row of it."""
    for code in (region_code, region_code[:2] + "0000"):
        mine = [r for r in rows if r.get("region_code") == code and "remaining" in r]
        if mine:
            latest = max(mine, key=lambda r: int(r["year"]))
            return int(latest["year"]), float(latest["remaining"])
    return None


@dataclass(frozen=True)
class Tracking:
    """What `judge` tracks: a regional table made tidy by `check_table`, and the target."""

    table: pd.DataFrame
    target: Target


def parse(data: Any, reference: Reference) -> Tracking:
    """`{"target": a Target or the code of one in intensity_targets, "table": the regional
    table}` checked; `InputError` naming the target, or every problem of the table by row and
    column."""
    target = data.get("target") if isinstance(data, dict) else None
    table = data.get("table") if isinstance(data, dict) else None
    if not isinstance(target, Target):
        try:
            target = Target.of(reference, str(target))
        except CarbonpeakError as missing:
            raise InputError([Problem(Place(field="target"), str(missing))]) from None
    if not isinstance(table, pd.DataFrame):
        raise InputError([Problem(Place(field="table"), "give the regional table")])
    tidy, problems = check_table(table, target.indicator)
    if problems:
        raise InputError(problems)
    return Tracking(tidy, target)


def judge(tracking: Tracking, reference: Reference) -> Verdict:
    """`track` as a verdict: a check per region and year (on the path; within the cap where
    one is given), compliant when all pass; the target and the rows as the detail."""
    target = tracking.target
    rows = track(tracking.table, target)
    checks: list[Check] = []
    warnings = []
    for row in rows:
        if "error" in row:
            warnings.append(
                warn(
                    "policy.energy_caps.no_base_year",
                    region_code=str(row["region_code"]),
                    base_year=target.base_year,
                )
            )
            continue
        where = f"{row['region_code']} {row['year']}"
        checks.append(
            Check(
                f"intensity on the path to {target.code}",
                bool(row["on_track"]),
                f"{where}: {row['intensity']:g} against {row['path_intensity']:g}",
                target.source_id,
            )
        )
        if "within_cap" in row:
            checks.append(
                Check(
                    "energy use within the cap",
                    bool(row["within_cap"]),
                    f"{where}: {row['used']:,.0f} tce against {row['cap_tce']:,.0f} tce",
                    "input",
                )
            )
    return Verdict(
        all_passed(checks),
        checks,
        warnings,
        {
            "target": target.code,
            "indicator": target.indicator,
            "base_year": target.base_year,
            "target_year": target.target_year,
            "change": target.change,
            "source": target.source_id,
            "rows": rows,
        },
    )
