"""Roll-ups of metered energy by hour, day or month of China Standard Time: per meter, per
enterprise and carrier, or per enterprise; in the meter's unit, in tonnes of standard coal
(tce) and in tonnes of CO2.

A reading counts in the period that contains its timestamp. The period is found by epoch
arithmetic (the China Standard Time hour or day number of the UTC time), which both engines
compute much faster than a time-zone conversion; months are made of days.

The tce and CO2 of one unit of a meter's carrier come from the accounting methods
(`carbonpeak.accounting.account`) for the meter's enterprise and the period's year: fuels by
their standard-coal coefficient and default combustion parameters, electricity by the
equivalent-value coefficient and the grid factor (of the enterprise's province when the
enterprise's region is given, else the national one), heat and steam by theirs. A carrier no
accounting stream takes (a medium such as compressed air or water) gets no tce or CO2 and a
warning; so does a carrier whose accounting refuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
import pyarrow as pa

from carbonpeak.accounting.activity import ELECTRICITY_ITEMS
from carbonpeak.accounting.engine import Accounts, account
from carbonpeak.domain.warnings import warn
from carbonpeak.engine.session import CST_OFFSET_SECONDS, Engine
from carbonpeak.errors import InputError
from carbonpeak.monitoring.quality import in_window, span_days
from carbonpeak.reference.loader import Reference

FREQS = {"hour": 3600, "day": 86400, "month": 86400}
# The groupings a roll-up offers, by the columns `by` names, and the columns each row carries.
GROUPINGS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("meter_id",): ("meter_id", "enterprise_id", "carrier", "unit"),
    ("enterprise_id", "carrier"): ("enterprise_id", "carrier", "unit"),
    ("enterprise_id",): ("enterprise_id",),
}
# The words the CLI has always taken for them.
BY_WORDS = {
    "meter": ("meter_id",),
    "carrier": ("enterprise_id", "carrier"),
    "enterprise": ("enterprise_id",),
}
_STREAM_OF_CATEGORY = {"fuel": "fuel", "secondary": "heat"}


@dataclass
class CarrierFactors:
    """tce and CO2 per unit of each meter's carrier and year (`meter_id, year,
    tce_per_unit, co2_t_per_unit`), and the warnings of the accounting behind them (in their
    dict form, as the roll-up's JSON gives them)."""

    table: pd.DataFrame
    warnings: list[dict[str, Any]] = field(default_factory=list)


def carrier_factors(
    meters: pd.DataFrame,
    years: list[int],
    reference: Reference,
    enterprises: pd.DataFrame | None = None,
) -> CarrierFactors:
    """The factors of `meters` (`meter_id, enterprise_id, carrier, unit`) in each year."""
    categories = {str(r["item"]): str(r["category"]) for r in reference.rows("items")}
    kinds = meters[["enterprise_id", "carrier", "unit"]].drop_duplicates()
    lines = kinds.merge(pd.DataFrame({"year": years}), how="cross")
    lines["stream"] = [
        "electricity" if c in ELECTRICITY_ITEMS else _STREAM_OF_CATEGORY.get(categories[c], "")
        for c in lines["carrier"]
    ]
    warnings: list[dict[str, Any]] = [
        warn("monitoring.rollup.no_factor", carrier=carrier).as_dict()
        for carrier in sorted(set(lines.loc[lines["stream"] == "", "carrier"]))
    ]
    lines["tce_per_unit"] = float("nan")
    lines["co2_t_per_unit"] = float("nan")
    seen = {(w["code"], w["message"]) for w in warnings}
    for chunk, accounts in _accounted(
        lines[lines["stream"] != ""], reference, enterprises, warnings
    ):
        figures = accounts.lines
        lines.loc[chunk.index, "tce_per_unit"] = figures["energy_tce"].to_numpy()
        lines.loc[chunk.index, "co2_t_per_unit"] = figures["co2_t"].to_numpy()
        for found in accounts.warnings.values():
            for warning in found:
                if (warning.code, warning.message) not in seen:
                    seen.add((warning.code, warning.message))
                    warnings.append(warning.as_dict())
    table = meters[["meter_id", "enterprise_id", "carrier", "unit"]].merge(
        lines, on=["enterprise_id", "carrier", "unit"]
    )
    return CarrierFactors(table[["meter_id", "year", "tce_per_unit", "co2_t_per_unit"]], warnings)


def _accounted(
    lines: pd.DataFrame,
    reference: Reference,
    enterprises: pd.DataFrame | None,
    warnings: list[dict[str, Any]],
) -> list[tuple[pd.DataFrame, Accounts]]:
    """The accounts of one unit of each line: of all lines at once, or, if the accounts
    refuse some, of each line they take (the others get a warning with the reason)."""
    if lines.empty:
        return []
    try:
        return [(lines, _account_units(lines, reference, enterprises))]
    except InputError:
        pass
    out = []
    for index in lines.index:
        line = lines.loc[[index]]
        try:
            out.append((line, _account_units(line, reference, enterprises)))
        except InputError as refused:
            reason = refused.problems[0].message if refused.problems else str(refused)
            warnings.append(
                warn(
                    "monitoring.rollup.refused",
                    carrier=str(line["carrier"].iat[0]),
                    unit=str(line["unit"].iat[0]),
                    reason=reason,
                ).as_dict()
            )
    return out


def _account_units(
    lines: pd.DataFrame, reference: Reference, enterprises: pd.DataFrame | None
) -> Accounts:
    activity = pd.DataFrame(
        {
            "enterprise_id": lines["enterprise_id"],
            "period": lines["year"].astype(str),
            "stream": lines["stream"],
            "item": lines["carrier"],
            "amount": 1.0,
            "unit": lines["unit"],
        }
    )
    return account(activity, enterprises, reference=reference)


@dataclass
class Rollup:
    """The roll-up as a DataFrame of the engine (`rows`: the `GROUPINGS[by]` columns,
    `period_start` (the instant the China Standard Time hour, day or month begins), `value`
    (in the meter's unit; not when rolled up by enterprise alone, which sums across carriers),
    `energy_tce`, `co2_t`), the factors and their warnings."""

    rows: Any
    freq: str
    by: tuple[str, ...]
    start: date
    end: date
    factors: CarrierFactors

    def arrow(self, ordered: bool = False) -> pa.Table:
        """The rows collected (sorted by group and time if `ordered`), `period_start` shown
        in China Standard Time (UTC+08:00)."""
        table = self.rows.toArrow()
        index = table.schema.get_field_index("period_start")
        local = table.column(index).cast(pa.timestamp("us", tz="+08:00"))  # the same instants
        table = table.set_column(index, "period_start", local)
        if ordered:
            table = table.sort_by([(c, "ascending") for c in (*GROUPINGS[self.by], "period_start")])
        return table

    def records(self, digits: int = 6) -> list[dict[str, Any]]:
        """The rows as JSON-ready records, in order: times in ISO 8601 with +08:00, figures
        rounded."""
        out = []
        for row in self.arrow(ordered=True).to_pylist():
            row["period_start"] = row["period_start"].isoformat()
            for column in ("value", "energy_tce", "co2_t"):
                if row.get(column) is not None:
                    row[column] = round(row[column], digits)
            out.append(row)
        return out


def roll_up(
    engine: Engine,
    readings: Any,
    meters: pd.DataFrame,
    reference: Reference,
    *,
    freq: str,
    by: Sequence[str] = ("meter_id",),
    start: date | None = None,
    end: date | None = None,
    enterprises: pd.DataFrame | None = None,
) -> Rollup:
    """Energy of the counted readings per `freq` (hour, day or month) and `by` (the columns
    of one of the `GROUPINGS`: `["meter_id"]`, `["enterprise_id", "carrier"]` or
    `["enterprise_id"]`) of the `meters` (the lake's registry) over the China Standard Time
    days `start`..`end` (default: the days the lake covers, which needs no filter)."""
    if freq not in FREQS:
        raise ValueError(f"freq {freq!r}: one of {', '.join(FREQS)}")
    by = tuple(by)
    if by not in GROUPINGS:
        raise ValueError(f"by {list(by)!r}: one of {', '.join(str(list(g)) for g in GROUPINGS)}")
    F = engine.F
    first, last = span_days(meters)
    window = readings
    if (start or first) > first or (end or last) < last:
        window = in_window(engine, readings, start or first, end or last)
    start, end = start or first, end or last
    meters = meters[["meter_id", "enterprise_id", "carrier", "unit"]]
    factors = carrier_factors(meters, list(range(start.year, end.year + 1)), reference, enterprises)
    step = FREQS[freq]
    number = F.floor((engine.epoch(F.col("ts")) + F.lit(CST_OFFSET_SECONDS)) / F.lit(step)).cast(
        "long"
    )
    sums = (
        window.filter(F.col("counted"))
        .groupBy("meter_id", number.alias("n"))
        .agg(F.sum("value").alias("value"))
    )
    day = F.date_add(
        F.to_date(F.lit("1970-01-01")), (F.col("n") / F.lit(86400 // step)).cast("int")
    )
    if freq == "month":
        first_day = F.unix_date(F.trunc(day, "month")).cast("long") * F.lit(86400)
        start_column = F.timestamp_seconds(first_day - F.lit(CST_OFFSET_SECONDS))
    else:  # the instant where the China Standard Time hour or day begins
        start_column = F.timestamp_seconds(F.col("n") * F.lit(step) - F.lit(CST_OFFSET_SECONDS))
    dated = sums.select(
        "meter_id", start_column.alias("period_start"), F.year(day).alias("year"), "value"
    )
    if freq == "month":
        dated = dated.groupBy("meter_id", "period_start", "year").agg(F.sum("value").alias("value"))
    table = factors.table.merge(meters, on="meter_id")
    table = table.astype({"year": "int32", "tce_per_unit": "float64", "co2_t_per_unit": "float64"})
    costed = dated.join(engine.table(table), on=["meter_id", "year"]).select(
        *GROUPINGS[("meter_id",)],
        "period_start",
        "value",
        (F.col("value") * F.col("tce_per_unit")).alias("energy_tce"),
        (F.col("value") * F.col("co2_t_per_unit")).alias("co2_t"),
    )
    if by != ("meter_id",):
        keys = GROUPINGS[by]
        costed = costed.groupBy(*keys, "period_start").agg(
            *([F.sum("value").alias("value")] if "carrier" in by else []),
            F.sum("energy_tce").alias("energy_tce"),
            F.sum("co2_t").alias("co2_t"),
        )
    return Rollup(costed, freq, by, start, end, factors)
