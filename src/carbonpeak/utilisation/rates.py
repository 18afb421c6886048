"""Utilisation rates, stock and its change, against the targets in force.

- `totals`: tonnes of each flow by enterprise, year and kind, with the stock at the end of the
  year (start + stored − taken from stock by utilisation and by disposal) and its change;
- `rates`: any grouping (`GROUPINGS`: enterprise, industry division, prefecture, province,
  nation) of a year's totals, for the bulk wastes together (`bulk`) and for each target kind
  (`solid_waste_kinds.target_kind`): the sums and the rate as the ratio of the sums,
  综合利用率 = Σ综合利用量 / (Σ产生量 + Σ综合利用往年贮存量) (never a mean of the members'
  rates), and the target in force on the year's last day for the group's area (the region's
  own, else its prefecture's, its province's, else the national one), with the gap; a target
  is the goal for its year (`TARGET_YEARS`), so whether it is met is said only of that year;
- `largest_stocks`: the largest stocks at the end of the year.

A rate with nothing generated or taken from stock is None (no rate), not 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import pandas as pd

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_
from carbonpeak.reference.loader import Provenance, Reference, ReferenceLookupError
from carbonpeak.utilisation.report import FLOWS, Report, flow_sums, kinds

Grouping = Literal["enterprise", "industry", "prefecture", "province", "nation"]
GROUPINGS: tuple[Grouping, ...] = ("enterprise", "industry", "prefecture", "province", "nation")
BULK = "bulk"
"""The kind code of all bulk kinds together (solid_waste_targets.kind)."""
NATIONAL = "national"
RETIRED = "retired_kind"
"""The kind group of stored tonnes whose kind the library in force no longer lists (retired by
an edition): counted nowhere else, neither bulk nor any target kind."""
TARGET_YEARS = N_(
    "A target is the national goal for its year: the platform reads the 2025 target as the one "
    "in force over 2021-2025 and the 2030 target as the one from 2026 (a reading, not the "
    "text's). Whether a target is met is said only of its own year; other years show the gap."
)
"""How a target's years are read (shown with every rate against a target, and in exports)."""
ENTERPRISE_COLUMNS = ("enterprise_id", "name", "region_code", "industry_code")
SUM_COLUMNS = (*(f"{f}_t" for f in FLOWS), "closing_stock_t", "stock_change_t")


@dataclass(frozen=True)
class Rates:
    """The rates of a year by a grouping: one row per group and kind group (`bulk` and each
    target kind) with the sums (`SUM_COLUMNS`), `members` (enterprises), `rate`, and the target
    in force (`target_rate`, `target_year`, `target_area`, its `target_source_id` and
    `target_status`, `gap` = rate − target; None where
    no target is in force; `met` only when `year` is the target's year, else None:
    `TARGET_YEARS`), the targets' provenance and the warnings."""

    year: int
    grouping: Grouping
    table: pd.DataFrame
    targets: tuple[Provenance, ...]
    warnings: tuple[ResultWarning, ...]


def totals(report: Report | pd.DataFrame) -> pd.DataFrame:
    """Tonnes of each flow by enterprise, year and kind (`<flow>_t`), with `closing_stock_t`
    and `stock_change_t`."""
    rows = report.rows if isinstance(report, Report) else report
    if rows.empty:
        return pd.DataFrame(columns=["enterprise_id", "period", "kind", *SUM_COLUMNS])
    out = flow_sums(rows)
    out["closing_stock_t"] = (
        out.opening_stock_t + out.stored_t - out.utilised_from_stock_t - out.disposed_from_stock_t
    )
    out["stock_change_t"] = out.closing_stock_t - out.opening_stock_t
    return out


def rate_of(utilised_t: float, generated_t: float, utilised_from_stock_t: float) -> float | None:
    """综合利用率 = 综合利用量 / (产生量 + 综合利用往年贮存量); None when the denominator is 0."""
    base = generated_t + utilised_from_stock_t
    return None if base <= 0 else utilised_t / base


def group_code(enterprise: pd.Series, grouping: Grouping) -> str:
    """The code of an enterprise's group: itself, its GB/T 4754 division (2 digits), its
    prefecture (xxxx00) or province (xx0000) by GB/T 2260, or `national`."""
    if grouping == "enterprise":
        return str(enterprise["enterprise_id"])
    if grouping == "industry":
        return str(enterprise["industry_code"])[:2]
    region = str(enterprise["region_code"])
    if grouping == "prefecture":
        return region[:4] + "00"
    if grouping == "province":
        return region[:2] + "0000"
    return NATIONAL


def rates(
    report_totals: pd.DataFrame,
    enterprises: pd.DataFrame,
    reference: Reference,
    *,
    year: int,
    grouping: Grouping = "province",
) -> Rates:
    """The rates of `year` by `grouping` (module doc). `report_totals`: `totals`; `enterprises`:
    `ENTERPRISE_COLUMNS` of every enterprise in it."""
    known = kinds(reference)
    of_year = report_totals[report_totals.period == year].copy()
    of_year = of_year.merge(
        enterprises[list(ENTERPRISE_COLUMNS)], on="enterprise_id", how="left", validate="m:1"
    )
    of_year["group"] = [group_code(e, grouping) for _, e in of_year.iterrows()]
    of_year["area"] = (
        [str(r) or NATIONAL for r in of_year.region_code] if grouping == "enterprise" else NATIONAL
    )
    if grouping in ("prefecture", "province"):
        of_year["area"] = of_year.group
    retired = sorted({str(k) for k in of_year.kind if k not in known})
    of_year["target_kind"] = of_year.kind.map(
        lambda k: known[k]["target_kind"] if k in known else RETIRED
    )
    is_bulk = of_year.kind.map(lambda k: known.get(k, {}).get("bulk") == "yes")
    bulk = of_year[is_bulk.astype(bool)].assign(target_kind=BULK)
    both = pd.concat([bulk, of_year], ignore_index=True)
    columns = ["group", "target_kind", *SUM_COLUMNS, "members", "rate"]
    notes = [warn("utilisation.rates.kind_retired", kinds=retired)] if retired else []
    if both.empty:
        return Rates(year, grouping, pd.DataFrame(columns=columns), (), ())
    grouped = both.groupby(["group", "target_kind"])
    sums = grouped[list(SUM_COLUMNS)].sum().reset_index()
    members = grouped.enterprise_id.nunique()
    areas = grouped.area.first()
    pairs = list(zip(sums.group, sums.target_kind, strict=True))
    sums["members"] = [int(members[p]) for p in pairs]
    sums["rate"] = _objects(
        sums,
        [
            rate_of(u, g, s)
            for u, g, s in zip(
                sums.utilised_t, sums.generated_t, sums.utilised_from_stock_t, strict=True
            )
        ],
    )
    targets = [target_in_force(reference, str(areas[p]), p[1], year) for p in pairs]
    sums["target_rate"] = _objects(sums, [t[0] if t else None for t in targets])
    sums["target_year"] = _objects(sums, [t[1] if t else None for t in targets])
    sums["target_area"] = _objects(sums, [dict(t[2].key)["area"] if t else None for t in targets])
    sums["target_source_id"] = _objects(sums, [t[2].source_id if t else None for t in targets])
    sums["target_status"] = _objects(sums, [t[2].status if t else None for t in targets])
    sums["gap"] = _objects(
        sums,
        [
            None if t is None or r is None else r - t[0]
            for r, t in zip(sums.rate, targets, strict=True)
        ],
    )
    sums["met"] = _objects(
        sums,
        [
            None if t is None or r is None or t[1] != year else bool(r >= t[0])
            for r, t in zip(sums.rate, targets, strict=True)
        ],
    )
    used = {(t[2].table, t[2].line): t for t in targets if t is not None}
    unverified = {
        str(r["kind"]) for r in reference.rows("solid_waste_kinds") if r["status"] != "verified"
    }
    with_target = {p for p, t in zip(pairs, targets, strict=True) if t is not None}
    fed: dict[str, set[str]] = {}
    for g, k, tk in zip(both.group, both.kind, both.target_kind, strict=True):
        if k in unverified and (g, tk) in with_target:
            fed.setdefault(str(k), set()).add(str(tk))
    if fed:
        notes.append(
            warn(
                "utilisation.rates.kind_unverified",
                kinds=sorted(fed),
                target_kinds=sorted(set().union(*fed.values())),
            )
        )
    warnings = notes + [
        warn(
            "utilisation.rates.target_unverified",
            area=dict(t[2].key)["area"],
            kind=dict(t[2].key)["kind"],
            target_year=t[1],
        )
        for t in used.values()
        if not t[2].verified
    ]
    found = tuple(t[2] for t in used.values())
    table = sums.sort_values(["target_kind", "group"], ignore_index=True)
    return Rates(year, grouping, table, found, tuple(warnings))


def _objects(frame: pd.DataFrame, values: list[Any]) -> pd.Series:
    """A column of Python values (None stays None, not NaN)."""
    return pd.Series(values, index=frame.index, dtype=object)


def target_in_force(
    reference: Reference, area: str, kind: str, year: int
) -> tuple[float, int, Provenance] | None:
    """(rate, target year, provenance) of the target of `kind` in force on the last day of
    `year` for `area` (a region code: its own, its prefecture's, its province's target, else
    the national one; `national`: the national one); None where none is in force."""
    candidates = [area]
    if area != NATIONAL:
        candidates += [area[:4] + "00", area[:2] + "0000"]
    candidates.append(NATIONAL)
    on = date(year, 12, 31)
    for candidate in dict.fromkeys(candidates):
        try:
            value = reference.lookup(
                "solid_waste_targets", "rate", as_of=on, area=candidate, kind=kind
            )
        except ReferenceLookupError:
            continue
        record = reference.record("solid_waste_targets", as_of=on, area=candidate, kind=kind)
        return value.to("dimensionless"), int(str(record["target_year"])), value.provenance
    return None


def largest_stocks(
    report_totals: pd.DataFrame, enterprises: pd.DataFrame, *, year: int, limit: int = 10
) -> pd.DataFrame:
    """The `limit` largest stocks at the end of `year` by enterprise and kind, with the
    enterprise's name and region, the largest first."""
    of_year = report_totals[(report_totals.period == year) & (report_totals.closing_stock_t > 0)]
    merged = of_year.merge(enterprises[list(ENTERPRISE_COLUMNS)], on="enterprise_id", how="left")
    ranked = merged.sort_values(
        ["closing_stock_t", "enterprise_id", "kind"], ascending=[False, True, True]
    )
    return ranked.head(limit).reset_index(drop=True)


def ranked(result: Rates, kind: str = BULK) -> pd.DataFrame:
    """The groups of one kind group, the highest rate first (groups without a rate last)."""
    table = result.table[result.table.target_kind == kind].copy()
    table["_order"] = [-(r if r is not None else -1.0) for r in table.rate]
    return table.sort_values(["_order", "group"]).drop(columns="_order").reset_index(drop=True)


def years(report_totals: pd.DataFrame) -> Sequence[int]:
    """The years of a report's totals, the latest first."""
    return sorted({int(y) for y in report_totals.period}, reverse=True)


def report_rates(report: Report, reference: Reference) -> pd.DataFrame:
    """The rates of each enterprise and year of a report on its own, without the store: the
    enterprises' regions unknown, against the national targets (`year` is a column)."""
    enterprise_ids = sorted(set(report.rows.enterprise_id))
    firms = pd.DataFrame(
        {"enterprise_id": enterprise_ids, "name": "", "region_code": "", "industry_code": ""}
    )
    summed = totals(report)
    parts = [
        rates(summed, firms, reference, year=year, grouping="enterprise").table.assign(year=year)
        for year in sorted({int(y) for y in report.rows.period})
    ]
    return pd.concat(parts, ignore_index=True)
