"""Energy and GHG accounts of enterprises from their activity table.

The methods are in `factors.py`; this module runs them over the rows. A run reads the rows
twice with DuckDB (in process, `carbonpeak.engine.local`):

1. the distinct kinds of line (*keys*: stream, item, unit, direction, period, measured
   parameters and the enterprise's province); the methods run once per key, on arrays, and give
   each key its results per unit of amount (`factors.line_factors`);
2. every row joined to its key: amount x factor summed by enterprise and period, with the
   variance of the total, the set of keys of each total (for its warnings) and a count of bad
   amounts.

The check of the input looks at the same things: every key (with the row-level checker of
`activity.py`, run on the keys), every enterprise code (on the totals) and every amount (counted
in pass 2). Only when something is wrong is the table checked row by row, to say where.
Lines (one per row, with their reference ids) are built when first asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from carbonpeak.accounting.activity import (
    COLUMNS,
    NUMERIC_OPTIONAL,
    REQUIRED,
    check_activity,
    check_normalised,
    normalise,
)
from carbonpeak.accounting.economic import STREAM as ECONOMIC
from carbonpeak.accounting.economic import VALUE_ADDED, VALUE_ADDED_COLUMN
from carbonpeak.accounting.factors import (
    CATEGORIES,
    METHODS,
    REF_COLUMNS,
    SCALED,
    WARNING_KINDS,
    AccountingOptions,
    GridNote,
    LineFactors,
    line_factors,
)
from carbonpeak.accounting.parameters import MEASURED, Parameters, Registry
from carbonpeak.domain.numbers import GROUPED_NUMBER as _GROUPED
from carbonpeak.domain.uscc import invalid_usccs
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.engine.local import connect
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.reference.loader import Provenance, Reference, default_reference

__all__ = ["CATEGORIES", "METHODS", "REF_COLUMNS", "AccountingOptions", "Accounts", "account"]

TOTAL_COLUMNS = SCALED[1:]  # everything that scales but the quantity
# Text columns that make a key (with the numeric optional columns and the province).
KEY_TEXT = ("stream", "item", "unit", "direction", "period", "ncv_unit", "emission_factor_unit")
# The value-added lines among the rows joined to their keys (`_Run.totals`).
_VALUE_ADDED = (
    f"WHERE trim(coalesce(f.stream, '')) = '{ECONOMIC}' "
    f"AND trim(coalesce(f.item, '')) = '{VALUE_ADDED}'"
)
# Above this many keys, each total lists its keys instead of marking them in a bit string.
BITSTRING_KEYS = 2048


@dataclass
class Accounts:
    """The result of an accounting run.

    `totals`: one row per enterprise and period (`TOTAL_COLUMNS`, `uncertainty_pct` and
    `value_added_10k_yuan`: the reported value added, NaN when not reported); `output`: one
    row per enterprise, period and product (`item`) with the `amount` produced in the
    product's default `unit` (the magnitudes of its product lines, as benchmarking counts
    them); `lines` (built on first use): the activity rows with their computed energy,
    emissions, method, uncertainty and the reference ids they used; `warnings`: per
    (enterprise_id, period), built from `warning_sets`, the warnings of each distinct set of
    keys as integers (s, code, subject) (totals with the same kinds of line share them);
    `provenances`: the reference rows the ids point to.
    """

    totals: pd.DataFrame
    warning_sets: pd.DataFrame
    provenances: list[Provenance]
    options: AccountingOptions
    output: pd.DataFrame
    _context: _WarningContext = field(repr=False)
    _build_lines: Callable[[], pd.DataFrame] = field(repr=False)

    @cached_property
    def lines(self) -> pd.DataFrame:
        """One line per activity row, in the order of the rows."""
        return self._build_lines()

    @cached_property
    def warnings(self) -> dict[tuple[str, str], list[ResultWarning]]:
        """Warnings per (enterprise_id, period), built from `warning_sets` on first use."""
        return _materialise(self.warning_sets, self._context)

    def results(self, with_lines: bool = True) -> list[dict[str, Any]]:
        """JSON-ready results, one per enterprise and period."""
        line_groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        if with_lines:  # the lines as records once, then grouped: one frame slice per
            # enterprise-period cost a tenth of a second per hundred reports
            for line in self.lines.to_dict("records"):
                key = (str(line["enterprise_id"]), str(line["period"]))
                line_groups.setdefault(key, []).append({str(k): v for k, v in line.items()})
        output: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for code, period, item, amount, unit in self.output.itertuples(index=False):
            output.setdefault((str(code), str(period)), []).append(
                {"item": str(item), "amount": _round(amount), "unit": str(unit)}
            )
        out = []
        for record in self.totals.to_dict("records"):
            row: dict[str, Any] = {str(k): v for k, v in record.items()}
            key = (str(row["enterprise_id"]), str(row["period"]))
            result: dict[str, Any] = {
                "enterprise_id": key[0],
                "period": key[1],
                "energy_tce": _round(row["energy_tce"]),
                "co2_t": {
                    "combustion": _round(row["co2_combustion_t"]),
                    "process": _round(row["co2_process_t"]),
                    "electricity": _round(row["co2_electricity_t"]),
                    "heat": _round(row["co2_heat_t"]),
                    "total": _round(row["co2_t"]),
                },
                "co2e_t": _round(row["co2e_t"]),
                "uncertainty_pct": _round(row["uncertainty_pct"], 2),
                VALUE_ADDED_COLUMN: _round(row[VALUE_ADDED_COLUMN]),
                "output": output.get(key, []),
            }
            if "uncertainty_mc_pct" in row:
                result["uncertainty_mc_pct"] = _round(row["uncertainty_mc_pct"], 2)
            if with_lines:
                result["lines"] = [self._line(line) for line in line_groups[key]]
            result["warnings"] = [w.as_dict() for w in self.warnings.get(key, [])]
            out.append(result)
        return out

    def _line(self, line: dict[str, Any]) -> dict[str, Any]:
        refs = []
        for column in REF_COLUMNS:
            ref = int(line[column])
            if ref >= 0:
                p = self.provenances[ref]
                refs.append(
                    {
                        "parameter": column.removeprefix("ref_"),
                        "table": p.table,
                        "key": dict(p.key),
                        "line": p.line,
                        "source_id": p.source_id,
                        "status": p.status,
                    }
                )
            elif ref == MEASURED:
                refs.append({"parameter": column.removeprefix("ref_"), "measured": True})
        return {
            "row": int(line["row"]),
            "stream": line["stream"],
            "item": line["item"],
            "direction": line["direction"],
            "amount": float(line["amount"]),
            "unit": line["unit"],
            "category": line["category"] or None,
            "energy_tce": _round(line["energy_tce"]),
            "co2_t": _round(line["co2_t"]),
            "co2e_t": _round(line["co2e_t"]),
            "uncertainty_pct": _round(line["uncertainty_pct"], 2),
            "methods": [m for m in (line["energy_method"], line["method"]) if m],
            "references": refs,
        }


def _round(value: float, digits: int = 6) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def account(
    activity: pd.DataFrame,
    enterprises: pd.DataFrame | None = None,
    options: AccountingOptions | None = None,
    reference: Reference | None = None,
    validate: bool = True,
) -> Accounts:
    """Energy and GHG accounts of each enterprise and period of an activity table.

    `activity` follows `carbonpeak.accounting.activity`; `enterprises` (optional) has
    `enterprise_id` and `region_code` (and `industry_code` for roll-ups). Raises `InputError`
    listing every problem if the table is not valid (`validate=False`: the caller checked it).
    """
    options = options or AccountingOptions()
    ref = reference or default_reference()
    given = tuple(activity.columns)

    def check_rows() -> None:
        problems = check_activity(activity, ref)
        if problems:
            raise InputError(problems)

    if validate and (
        len(activity) == 0
        or any(c not in given for c in REQUIRED)
        or any(c not in COLUMNS and c != "row" for c in given)
    ):
        check_rows()
    registry = Registry()
    params = Parameters(ref, registry)
    for trim in (False, True):
        run = _Run(connect(), activity, enterprises, trim)
        keys = run.keys()
        key_data = normalise(keys.drop(columns=["k"]).assign(amount=1.0))
        if "province" not in key_data.columns:
            key_data["province"] = ""
        suspect = validate and bool(check_normalised(key_data, given, ref, codes=False))
        if suspect:
            check_rows()  # raises with the rows and columns
        factors = line_factors(key_data, options, params)
        totals, set_of_total, sets, bad_amounts = run.totals(factors)
        output = run.output()
        padded = any(  # or missing: both need the trimmed run
            not isinstance(text, str) or text != text.strip()
            for column in ("enterprise_id", "period")
            for text in pd.unique(totals[column])
        )
        if not padded:
            break
    if validate and not suspect:
        codes = pd.unique(totals["enterprise_id"])
        if bad_amounts or invalid_usccs(codes, ref):
            check_rows()

    _refuse_overflow(totals, activity)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        totals["uncertainty_pct"] = np.where(
            totals["co2e_t"] != 0,
            100.0 * np.sqrt(totals.pop("variance")) / np.abs(totals["co2e_t"]),
            0.0,
        )
    totals[VALUE_ADDED_COLUMN] = totals.pop(VALUE_ADDED_COLUMN).astype(float)  # last column
    context = _WarningContext(
        keys=list(zip(totals["enterprise_id"], totals["period"], strict=True)),
        set_of_total=set_of_total,
        items=factors.items,
        registry=registry,
        options=options,
        grid_notes=factors.grid_notes,
    )
    units = {str(r["item"]): str(r["default_unit"]) for r in ref.rows("items")}
    output["unit"] = output["item"].map(units).astype(object)
    accounts = Accounts(
        totals=totals,
        warning_sets=_set_warnings(sets, factors.warnings),
        provenances=registry.provenances,
        options=options,
        output=output,
        _context=context,
        _build_lines=lambda: run.lines(factors),
    )
    if options.monte_carlo > 0:
        lines = accounts.lines
        group = pd.MultiIndex.from_frame(totals[["enterprise_id", "period"]]).get_indexer(
            pd.MultiIndex.from_frame(lines[["enterprise_id", "period"]].astype(str))
        )
        totals["uncertainty_mc_pct"] = _monte_carlo(lines, group, len(totals), options)
    return accounts


def _refuse_overflow(totals: pd.DataFrame, activity: pd.DataFrame) -> None:
    """Every figure is a finite number, or the table is refused: amounts and factors each
    within their checks can still multiply or add up past what a number holds (1e300 tCO2/t)."""
    finite = np.isfinite(totals[list(TOTAL_COLUMNS)].to_numpy(dtype=float)).all(axis=1)
    if finite.all():
        return
    rows = (
        activity["row"]
        if "row" in activity.columns
        else pd.Series(np.arange(2, len(activity) + 2), index=activity.index)
    )
    codes = activity["enterprise_id"].astype(str).str.strip()
    periods = activity["period"].astype(str).str.strip()
    problems = []
    for code, period in totals.loc[~finite, ["enterprise_id", "period"]].itertuples(index=False):
        first = rows[(codes == str(code)) & (periods == str(period))]
        problems.append(
            Problem.of(
                Place(row=int(first.min()) if len(first) else None),
                N_("{} {}: the figures overflow (no finite number); check amounts and factors"),
                code,
                period,
            )
        )
    raise InputError(problems)


class _Run:
    """The activity rows in DuckDB and the two passes over them."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        activity: pd.DataFrame,
        enterprises: pd.DataFrame | None,
        trim: bool,
    ):
        self.connection = connection
        self.activity = activity
        source = _source(activity)
        connection.register("activity_in", source)
        # Codes and periods are grouped as they are, which is much faster than trimming each;
        # `account` runs again with `trim` when a total's code or period has blanks or is
        # missing.
        columns = (
            "a.* REPLACE (trim(coalesce(a.enterprise_id, '')) AS enterprise_id, "
            "trim(coalesce(a.period, '')) AS period)"
        )
        text_amount = "amount" in source.columns and source["amount"].dtype.kind not in "fi"
        amount = (
            "CASE WHEN contains(a.amount, '_') THEN NULL "
            "WHEN contains(a.amount, ',') AND regexp_full_match(trim(a.amount), "
            f"'{_GROUPED.pattern}') THEN TRY_CAST(replace(trim(a.amount), ',', '') AS DOUBLE) "
            "ELSE TRY_CAST(a.amount AS DOUBLE) END"  # 9,800.5 as domain.numbers reads it
            if text_amount
            else "CAST(a.amount AS DOUBLE)"
        )
        province = "''"
        join = ""
        if enterprises is not None and len(enterprises):
            regions = enterprises.astype({"region_code": str, "enterprise_id": str})
            connection.register(
                "provinces",
                pd.DataFrame(
                    {
                        "enterprise_id": regions["enterprise_id"].str.strip(),
                        "province": regions["region_code"].str.strip().str[:2] + "0000",
                    }
                ).drop_duplicates("enterprise_id"),
            )
            province = "coalesce(p.province, '')"
            code = "trim(a.enterprise_id)" if trim else "a.enterprise_id"
            join = f"LEFT JOIN provinces p ON {code} = p.enterprise_id"
        connection.execute(
            f"CREATE TEMP VIEW rows AS SELECT {columns if trim else 'a.*'}, "
            f"{amount} AS amount_value, {province} AS province FROM activity_in a {join}"
        )
        self.key_columns = [c for c in (*KEY_TEXT, *NUMERIC_OPTIONAL) if c in source.columns]
        if join:
            self.key_columns.append("province")
        # plain equality joins faster than IS NOT DISTINCT FROM; only columns with blanks need it
        self.nullable = {c for c in self.key_columns if c != "province" and source[c].isna().any()}

    def keys(self) -> pd.DataFrame:
        """The distinct keys, numbered `k`, as a DuckDB table and a frame."""
        listed = ", ".join(self.key_columns)
        self.connection.execute(
            f"CREATE TEMP TABLE keys AS SELECT row_number() OVER () - 1 AS k, * "
            f"FROM (SELECT DISTINCT {listed} FROM rows)"
        )
        return self.connection.execute("SELECT * FROM keys ORDER BY k").df()

    def _join(self) -> str:
        return " AND ".join(
            f"r.{c} IS NOT DISTINCT FROM f.{c}" if c in self.nullable else f"r.{c} = f.{c}"
            for c in self.key_columns
        )

    def totals(self, factors: LineFactors) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, int]:
        """Totals by enterprise and period (sorted), with the value added; the set of keys of
        each total, as a set number per total and the sets as (s, k) pairs; and the number of
        rows to look at: amounts not a number, negative or infinite, and value added reported
        more than once for an enterprise and period."""
        table = factors.table[["qty", *TOTAL_COLUMNS, "variance"]].assign(
            k=np.arange(len(factors.table))
        )
        self.connection.register("factor_values", table)
        self.connection.execute(
            "CREATE TEMP TABLE factors AS SELECT * FROM keys JOIN factor_values USING (k)"
        )
        count = len(factors.table)
        key_set = (
            f"bitstring_agg(f.k, 0, {count - 1})::VARCHAR"
            if count <= BITSTRING_KEYS
            else "list_sort(list(DISTINCT f.k))"
        )
        sums = ", ".join(f"sum(r.amount_value * f.{c}) AS {c}" for c in TOTAL_COLUMNS)
        result = self.connection.execute(
            f"""
            SELECT r.enterprise_id, r.period, {sums},
                   sum(r.amount_value * r.amount_value * f.variance) AS variance,
                   count_if(coalesce(NOT (r.amount_value >= 0 AND isfinite(r.amount_value)),
                                     true)) AS bad_amounts,
                   {key_set} AS key_set,
                   sum(r.amount_value * f.qty) FILTER ({_VALUE_ADDED}) AS {VALUE_ADDED_COLUMN},
                   count(*) FILTER ({_VALUE_ADDED}) AS value_added_lines
            FROM rows r JOIN factors f ON {self._join()}
            GROUP BY 1, 2 ORDER BY 1, 2
            """
        ).df()
        bad = int(result.pop("bad_amounts").sum())
        bad += int((result.pop("value_added_lines") > 1).sum())
        # totals with the same keys share their warnings: find the distinct sets first
        sets = result.pop("key_set")
        if count <= BITSTRING_KEYS:
            set_of_total, distinct = pd.factorize(sets)
            bits = np.frombuffer("".join(distinct).encode(), dtype=np.uint8).reshape(-1, count)
            s, k = np.nonzero(bits == ord("1"))
        else:
            set_of_total, distinct = pd.factorize(sets.map(lambda keys: ",".join(map(str, keys))))
            lists = [[int(k) for k in text.split(",")] for text in distinct]
            s = np.repeat(np.arange(len(lists)), [len(keys) for keys in lists])
            k = np.array([k for keys in lists for k in keys], dtype=np.int64)
        result = result.astype({"enterprise_id": object, "period": object})
        return result, set_of_total, pd.DataFrame({"s": s, "k": k}), bad

    def output(self) -> pd.DataFrame:
        """Output by enterprise, period and product (`item`): the sum of the magnitudes of the
        product lines in the product's default unit (`amount`); after `totals`."""
        result = self.connection.execute(
            f"""
            SELECT r.enterprise_id, r.period, trim(f.item) AS item,
                   sum(abs(r.amount_value * f.qty)) AS amount
            FROM rows r JOIN factors f ON {self._join()}
            WHERE trim(coalesce(f.stream, '')) = 'product'
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """
        ).df()
        return result.astype({"enterprise_id": object, "period": object, "item": object})

    def lines(self, factors: LineFactors) -> pd.DataFrame:
        """The rows, normalised, with their results."""
        key = self.connection.execute(
            f"SELECT f.k FROM rows r JOIN factors f ON {self._join()} ORDER BY r.__pos"
        ).fetchnumpy()["k"]
        data = normalise(self.activity)
        chosen = factors.table.iloc[np.asarray(key, dtype=np.int64)]
        amount = data["amount_value"].to_numpy()
        columns: dict[str, Any] = {c: amount * chosen[c].to_numpy() for c in SCALED}
        for column in ("category", "method", "energy_method"):
            columns[column] = chosen[column].array
        columns["uncertainty_pct"] = chosen["uncertainty_pct"].to_numpy()
        for column in REF_COLUMNS:
            columns[column] = chosen[column].to_numpy()
        results = pd.DataFrame(columns, index=data.index, copy=False)
        return pd.concat([data, results], axis=1)


def _source(activity: pd.DataFrame) -> pd.DataFrame:
    """The columns of the table DuckDB reads: numbers stay numbers, everything else is text;
    `__pos` keeps the order of the rows and `row` their line in the file."""
    columns: dict[str, Any] = {}
    for column in activity.columns:
        if column not in COLUMNS and column != "row":
            continue
        series = activity[column]
        numeric = column in ("amount", "row", *NUMERIC_OPTIONAL) and series.dtype.kind in "fi"
        columns[column] = series if numeric or series.dtype == "str" else series.astype("str")
    if "row" not in columns:
        columns["row"] = np.arange(2, len(activity) + 2)
    columns["__pos"] = np.arange(len(activity))
    return pd.DataFrame(columns, copy=False)


def _set_warnings(sets: pd.DataFrame, key_warnings: pd.DataFrame) -> pd.DataFrame:
    """The warnings of each set of keys: those of its keys, each (code, subject) once."""
    merged = sets.merge(key_warnings, on="k")[["s", "code", "subject"]]
    return merged.drop_duplicates().sort_values(["s", "code", "subject"], ignore_index=True)


def _monte_carlo(
    lines: pd.DataFrame, group: np.ndarray, groups: int, options: AccountingOptions
) -> np.ndarray:
    """Half-width of the 95% interval of each total, relative, from `options.monte_carlo`
    draws: each line's emissions vary normally with sd = U/1.96, independently."""
    rng = np.random.default_rng(options.seed)
    value = lines["co2e_t"].to_numpy()
    sd = np.abs(value) * lines["uncertainty_pct"].to_numpy() / 100.0 / 1.96
    draws = np.empty((options.monte_carlo, groups))
    for k in range(options.monte_carlo):
        sample = value + rng.standard_normal(len(value)) * sd
        draws[k] = np.bincount(group, weights=sample, minlength=groups)
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    centre = np.bincount(group, weights=value, minlength=groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(centre != 0, 100.0 * (high - low) / 2.0 / np.abs(centre), 0.0)


@dataclass(frozen=True)
class _WarningContext:
    """What turning the warning table into messages needs."""

    keys: list[tuple[str, str]]
    set_of_total: np.ndarray
    items: list[str]
    registry: Registry
    options: AccountingOptions
    grid_notes: dict[int, GridNote]


def _materialise(
    table: pd.DataFrame, context: _WarningContext
) -> dict[tuple[str, str], list[ResultWarning]]:
    by_set: dict[int, list[ResultWarning]] = {}
    for (s, code_index), subjects in table.groupby(["s", "code"], sort=True)["subject"]:
        code = WARNING_KINDS[int(str(code_index))]
        found = by_set.setdefault(int(str(s)), [])
        values = sorted({int(v) for v in subjects})
        if code == "accounting.factor.unverified":
            cited = [context.registry.provenances[int(r)] for r in values]
            references = [
                {"table": p.table, "key": dict(p.key), "line": p.line, "note": p.note}
                for p in cited
            ]
            found.append(warn(code, count=len(cited), references=references))
        elif code == "accounting.electricity":
            found.extend(_electricity_warnings(values, context))
        elif code == "accounting.fuel.parameter_set_fallback":
            names = sorted(context.items[v] for v in values)
            found.append(
                warn(code, items=names, parameter_sets=list(context.options.parameter_sets))
            )
        else:
            found.append(warn(code, items=sorted(context.items[v] for v in values)))
    return {
        key: list(by_set[int(s)])
        for key, s in zip(context.keys, context.set_of_total, strict=True)
        if int(s) in by_set
    }


def _electricity_warnings(cells: list[int], context: _WarningContext) -> list[ResultWarning]:
    """Which grid factor an enterprise-period got, when it is not the one asked for."""
    options = context.options
    out = []
    for cell in cells:
        note = context.grid_notes[cell]
        if not note.province:
            out.append(warn("accounting.electricity.national_factor", area=note.area))
        elif note.area != note.province and options.electricity_basis == "location":
            out.append(
                warn(
                    "accounting.electricity.regional_factor",
                    province=note.province,
                    area=note.area,
                )
            )
        if note.year != note.wanted:
            out.append(
                warn(
                    "accounting.electricity.grid_year_fallback",
                    wanted=note.wanted,
                    used=note.year,
                    area=note.area,
                )
            )
    return out
