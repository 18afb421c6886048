"""The solid-waste report table and its checks.

A report is a table of amounts in tonnes, one per enterprise, year, kind, flow and (for
utilisation) route:

| column | meaning |
|---|---|
| `enterprise_id` | unified social credit code (GB 32100) |
| `period` | the year reported (YYYY) |
| `kind` | a kind of `solid_waste_kinds` |
| `flow` | one of `FLOWS` |
| `route` | a route of `solid_waste_routes`: required for the utilisation flows, blank otherwise |
| `amount_t` | tonnes, not negative |

The flows are the national statistics' (sources row `nbs_swu_rate_definition`, secondhand):
产生量 = (综合利用量 − 其中综合利用往年贮存量) + 贮存量
+ (处置量 − 其中处置往年贮存量) + 倾倒丢弃量, with the stock at the start of the year
(上年末贮存量), so that the stock's change can be told.

Checks (every problem at once, placed by the row and column of the table as given):
codes known, amounts numbers, a key given once; and per enterprise, year and kind: a
utilisation not greater than generation plus the stock at the start of the year, a
utilisation of the year's own waste (utilisation less that from stock) not greater than the
generation, "of which from stock" not greater than its whole, and the flows from stock not
greater than the stock. A report whose generation does not balance its flows passes with a
warning (`utilisation.report.unbalanced`): the identity is read secondhand only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from carbonpeak.domain.uscc import check_uscc
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, Place, Problem
from carbonpeak.reference.loader import Reference

COLUMNS = ("enterprise_id", "period", "kind", "flow", "route", "amount_t")
KEY = ("enterprise_id", "period", "kind", "flow", "route")
FLOWS: dict[str, tuple[str, str]] = {
    "opening_stock": ("上年末贮存量", "stock at the start of the year"),
    "generated": ("产生量", "generated"),
    "utilised": ("综合利用量", "utilised"),
    "utilised_from_stock": (
        "其中：综合利用往年贮存量",
        "of which utilised from earlier years' stock",
    ),
    "stored": ("贮存量", "stored"),
    "disposed": ("处置量", "disposed of"),
    "disposed_from_stock": (
        "其中：处置往年贮存量",
        "of which disposed of from earlier years' stock",
    ),
    "dumped": ("倾倒丢弃量", "dumped"),
}
"""flow code -> (Chinese name as the statistics print it, English name)."""
ROUTED = ("utilised", "utilised_from_stock")
"""The flows given by route of utilisation."""
FIRST_YEAR, LAST_YEAR = 2000, 2100
TOLERANCE_T = 1e-6  # a comparison of sums of tonnes: rounding of the floats, not a rule


@dataclass(frozen=True)
class Report:
    """A checked report: its rows (`COLUMNS` plus `row`, the line of the input; `period` an
    int, `amount_t` a float, `route` "" where none) and its warnings."""

    rows: pd.DataFrame
    warnings: tuple[ResultWarning, ...] = ()


def kinds(reference: Reference) -> dict[str, dict[str, str]]:
    """kind -> its row of `solid_waste_kinds` (name_zh, name_en, bulk, target_kind)."""
    return {
        str(r["kind"]): {c: str(r[c]) for c in ("name_zh", "name_en", "bulk", "target_kind")}
        for r in reference.rows("solid_waste_kinds")
    }


def routes(reference: Reference) -> dict[str, dict[str, str]]:
    """route -> its names (name_zh, name_en)."""
    return {
        str(r["route"]): {c: str(r[c]) for c in ("name_zh", "name_en")}
        for r in reference.rows("solid_waste_routes")
    }


def check_report(
    table: pd.DataFrame,
    reference: Reference,
    file: str | None = None,
    sheet: str | None = None,
) -> tuple[Report | None, list[Problem]]:
    """The checked report (None when any problem stands) and every problem of `table` (text
    cells in `COLUMNS`, `row` the line of each; a missing `row` numbers them from 2)."""
    frame = table.copy()
    if "row" not in frame.columns:
        frame["row"] = range(2, len(frame) + 2)
    place = Place(file=file, sheet=sheet)
    problems = [
        Problem.of(replace(place, row=1, column=c), N_("column {!r} is missing"), c)
        for c in COLUMNS
        if c not in frame.columns
    ]
    if problems:
        return None, problems
    if frame.empty:
        return None, [Problem.of(replace(place, row=2), N_("the report has no rows"))]
    known_kinds, known_routes = kinds(reference), routes(reference)
    values: list[dict[str, object]] = []
    spoilt: set[tuple[str, str, str]] = set()  # groups with a bad cell: no sums checked
    for record in frame.to_dict("records"):
        row = int(record["row"])
        at = replace(place, row=row)
        cells = {c: str(record[c]).strip() for c in COLUMNS}
        found = _cell_problems(cells, at, known_kinds, known_routes, reference)
        problems += found
        if found:
            spoilt.add((cells["enterprise_id"], cells["period"], cells["kind"]))
        else:
            values.append(
                {
                    **cells,
                    "period": int(cells["period"]),
                    "amount_t": float(cells["amount_t"]),
                    "row": row,
                }
            )
    rows = pd.DataFrame(values, columns=[*COLUMNS, "row"])
    whole = [
        (e, str(p), k) not in spoilt
        for e, p, k in zip(rows.enterprise_id, rows.period, rows.kind, strict=True)
    ]
    checked = rows[whole] if len(rows) else rows
    problems += _twice(checked, place)
    if not checked.empty:
        problems += _balance_problems(checked, place)
    if problems:
        return None, sorted(problems, key=lambda p: (p.place.row or 0, p.place.column or ""))
    return Report(rows.reset_index(drop=True), tuple(_unbalanced(rows))), []


def _cell_problems(
    cells: dict[str, str],
    at: Place,
    known_kinds: dict[str, dict[str, str]],
    known_routes: dict[str, dict[str, str]],
    reference: Reference,
) -> list[Problem]:
    problems = []
    checked = check_uscc(cells["enterprise_id"], reference)
    if not checked.valid:
        problems.append(
            Problem.of(
                replace(at, column="enterprise_id"),
                N_("{!r} is not a unified social credit code: {}"),
                cells["enterprise_id"],
                checked.reason,
            )
        )
    period = cells["period"]
    if not (period.isascii() and period.isdigit() and FIRST_YEAR <= int(period) <= LAST_YEAR):
        problems.append(
            Problem.of(
                replace(at, column="period"),
                N_("{!r} is not a year (YYYY, {} to {})"),
                period,
                FIRST_YEAR,
                LAST_YEAR,
            )
        )
    if cells["kind"] not in known_kinds:
        problems.append(
            Problem.of(
                replace(at, column="kind"),
                N_("unknown kind of solid waste {!r}; the kinds are: {}"),
                cells["kind"],
                ", ".join(known_kinds),
            )
        )
    flow, route = cells["flow"], cells["route"]
    if flow not in FLOWS:
        problems.append(
            Problem.of(
                replace(at, column="flow"),
                N_("unknown flow {!r}; the flows are: {}"),
                flow,
                ", ".join(FLOWS),
            )
        )
    elif flow in ROUTED and route not in known_routes:
        problems.append(
            Problem.of(
                replace(at, column="route"),
                N_("flow {} needs a route of utilisation ({!r} is none); the routes are: {}"),
                flow,
                route,
                ", ".join(known_routes),
            )
        )
    elif flow not in ROUTED and route:
        problems.append(
            Problem.of(
                replace(at, column="route"),
                N_("flow {} has no route: leave the route blank (given {!r})"),
                flow,
                route,
            )
        )
    try:
        amount = float(cells["amount_t"])
    except ValueError:
        amount = math.nan
    if not math.isfinite(amount) or amount < 0:
        problems.append(
            Problem.of(
                replace(at, column="amount_t"),
                N_("{!r} is not an amount in tonnes (a number, not negative)"),
                cells["amount_t"],
            )
        )
    return problems


def _twice(rows: pd.DataFrame, place: Place) -> list[Problem]:
    repeated = rows[rows.duplicated(list(KEY), keep="first")]
    return [
        Problem.of(
            replace(place, row=int(r["row"]), column="flow"),
            N_("enterprise {}, year {}, kind {}, flow {} {} is given twice: give it once"),
            r["enterprise_id"],
            r["period"],
            r["kind"],
            r["flow"],
            r["route"],
        )
        for r in repeated.to_dict("records")
    ]


def flow_sums(
    rows: pd.DataFrame, by: Sequence[str] = ("enterprise_id", "period", "kind")
) -> pd.DataFrame:
    """Tonnes of each flow (a column `<flow>_t`, 0 where not reported) by `by`."""
    keys = list(by)
    wide = rows.pivot_table(index=keys, columns="flow", values="amount_t", aggfunc="sum")
    wide = wide.reindex(columns=list(FLOWS), fill_value=0.0).fillna(0.0)
    wide.columns = [f"{c}_t" for c in wide.columns]
    return wide.reset_index()


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _balance_problems(rows: pd.DataFrame, place: Place) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[tuple[object, ...], int] = {}
    for r in _records(rows):
        base = (r["enterprise_id"], r["period"], r["kind"], r["flow"])
        first.setdefault(base, int(r["row"]))
        first.setdefault((*base, r["route"]), int(r["row"]))
    routed = rows[rows.flow.isin(ROUTED)]
    if not routed.empty:
        for r in _records(flow_sums(routed, ("enterprise_id", "period", "kind", "route"))):
            if r["utilised_from_stock_t"] > r["utilised_t"] + TOLERANCE_T:
                key = (r["enterprise_id"], r["period"], r["kind"])
                problems.append(
                    Problem.of(
                        replace(
                            place,
                            row=first[(*key, "utilised_from_stock", r["route"])],
                            column="amount_t",
                        ),
                        N_(
                            "{}, {}, {}, route {}: utilised from stock {} t is more than "
                            "utilised {} t"
                        ),
                        *key,
                        r["route"],
                        _t(r["utilised_from_stock_t"]),
                        _t(r["utilised_t"]),
                    )
                )
    for r in _records(flow_sums(rows)):
        key = (r["enterprise_id"], r["period"], r["kind"])
        generated, stock = float(r["generated_t"]), float(r["opening_stock_t"])
        used, from_stock_used = float(r["utilised_t"]), float(r["utilised_from_stock_t"])
        disposed, from_stock_disposed = float(r["disposed_t"]), float(r["disposed_from_stock_t"])
        at_used = first.get((*key, "utilised"))
        if used > generated + stock + TOLERANCE_T:
            problems.append(
                Problem.of(
                    replace(place, row=at_used, column="amount_t"),
                    N_(
                        "{}, {}, {}: utilisation {} t is greater than generation {} t plus the "
                        "stock at the start of the year {} t"
                    ),
                    *key,
                    _t(used),
                    _t(generated),
                    _t(stock),
                )
            )
        elif used - from_stock_used > generated + TOLERANCE_T:
            problems.append(
                Problem.of(
                    replace(place, row=at_used, column="amount_t"),
                    N_(
                        "{}, {}, {}: utilisation of the year's own waste {} t (utilised less "
                        "utilised from stock) is greater than generation {} t: report the rest "
                        "as utilised from stock"
                    ),
                    *key,
                    _t(used - from_stock_used),
                    _t(generated),
                )
            )
        elif from_stock_used + from_stock_disposed > stock + TOLERANCE_T:
            problems.append(
                Problem.of(
                    replace(
                        place,
                        row=first.get((*key, "utilised_from_stock"))
                        or first.get((*key, "disposed_from_stock")),
                        column="amount_t",
                    ),
                    N_(
                        "{}, {}, {}: {} t taken from stock is more than the stock at the start "
                        "of the year {} t"
                    ),
                    *key,
                    _t(from_stock_used + from_stock_disposed),
                    _t(stock),
                )
            )
        if from_stock_disposed > disposed + TOLERANCE_T:
            problems.append(
                Problem.of(
                    replace(place, row=first.get((*key, "disposed_from_stock")), column="amount_t"),
                    N_("{}, {}, {}: disposed of from stock {} t is more than disposed of {} t"),
                    *key,
                    _t(from_stock_disposed),
                    _t(disposed),
                )
            )
    return problems


def _unbalanced(rows: pd.DataFrame) -> list[ResultWarning]:
    out = []
    for r in _records(flow_sums(rows)):
        generated = float(r["generated_t"])
        accounted = (
            float(r["utilised_t"])
            - float(r["utilised_from_stock_t"])
            + float(r["stored_t"])
            + float(r["disposed_t"])
            - float(r["disposed_from_stock_t"])
            + float(r["dumped_t"])
        )
        if abs(accounted - generated) > TOLERANCE_T * max(1.0, generated):
            out.append(
                warn(
                    "utilisation.report.unbalanced",
                    enterprise_id=str(r["enterprise_id"]),
                    period=int(r["period"]),
                    kind=str(r["kind"]),
                    generated_t=round(generated, 3),
                    accounted_t=round(accounted, 3),
                )
            )
    return out


def _t(value: float) -> str:
    """Tonnes as a message shows them."""
    return f"{value:,.3f}".rstrip("0").rstrip(".")
