"""Meters and their readings: the check of both tables, timestamps to UTC, and cumulative
counters turned into interval values.

Meters: `meter_id, enterprise_id, carrier, unit, kind, interval_minutes` (`carrier` an item
code of the reference table `items`, `unit` a unit of that item's kind, `kind` `interval` or
`cumulative`, `interval_minutes` 15 when blank). Readings: `meter_id, ts, value`; `ts` in ISO
8601 with an offset, or without one meaning China Standard Time (UTC+8), a date alone meaning
its midnight in China Standard Time; kept in UTC.

A cumulative counter's interval value is the difference from its previous reading. A counter
that goes down was reset (the value counts from zero again) or rolled over (it passed the
largest value it can show, a power of ten, and started again): a fall from within 10% of the
next power of ten is taken as a rollover, any other fall as a reset.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from carbonpeak.domain.units import compatible, is_unit
from carbonpeak.domain.uscc import invalid_usccs
from carbonpeak.errors import N_, Place, Problem
from carbonpeak.reference.loader import Reference

METER_COLUMNS = ("meter_id", "enterprise_id", "carrier", "unit", "kind", "interval_minutes")
READING_COLUMNS = ("meter_id", "ts", "value")
KINDS = ("interval", "cumulative")
OFFSET_PATTERN = r"[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$"
"""A time that carries its offset: only after a time of day (a date's `-01` is no offset)."""
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
"""A date alone: its midnight, China Standard Time."""

# Plausibility bounds, not rules of any standard: a value outside them is a corrupt or mistyped
# input, never a measurement, and would overflow what is computed from it.
READING_LIMIT = 1e15
"""The largest magnitude of a reading, in the meter's own unit: no meter register counts that
far, and 10^15 kWh is over 30 times the world's yearly electricity generation (about 3 x 10^13
kWh)."""
EARLIEST = pd.Timestamp("1970-01-01", tz="UTC")
LATEST = pd.Timestamp("2200-01-01", tz="UTC")
"""A reading's time lies in [EARLIEST, LATEST): no interval meter's data predates the Unix epoch
(the lake's meter registry keeps epoch seconds), and 2200 keeps every time computed from a
reading (China Standard Time days, month ends, intervals) inside pandas' nanosecond range,
which ends in April 2262."""
INTERVAL_LIMIT = 366 * 24 * 60
"""The longest interval of a meter, in minutes: a leap year. A meter reporting less often gives
no daily or monthly figure."""


def check_meters(meters: pd.DataFrame, reference: Reference) -> tuple[pd.DataFrame, list[Problem]]:
    """The meters table made tidy (text stripped, `interval_minutes` an integer) and every
    problem of it, by row and column."""
    problems = [
        Problem.of(Place(row=1, column=c), N_("required column is missing"))
        for c in METER_COLUMNS
        if c not in meters.columns and c != "interval_minutes"
    ]
    if problems:
        return meters, problems
    table = meters.copy()
    if "row" not in table.columns:
        table["row"] = np.arange(2, len(table) + 2)
    for column in ("meter_id", "enterprise_id", "carrier", "unit", "kind"):
        table[column] = table[column].fillna("").astype(str).str.strip()
    minutes = table.get("interval_minutes", pd.Series("", index=table.index))
    text = minutes.fillna("").astype(str).str.strip().replace("", "15")
    table["interval_minutes"] = pd.to_numeric(text, errors="coerce")
    items = {str(r["item"]): str(r["default_unit"]) for r in reference.rows("items")}
    bad_codes = invalid_usccs(pd.unique(table["enterprise_id"]), reference)
    columns = ("row", "meter_id", "enterprise_id", "carrier", "unit", "kind", "interval_minutes")
    for number, meter_id, code, carrier, unit, kind, minutes_value in zip(
        *(table[c].tolist() for c in columns), strict=True
    ):  # lists, not records: a thousand meters' records cost pandas 80 ms
        row, minutes_value = int(number), float(minutes_value)

        def at(column: str, template: str, *values: object, row: int = row) -> None:
            problems.append(Problem.of(Place(row=row, column=column), template, *values))

        if not meter_id:
            at("meter_id", N_("give the meter's id"))
        if code in bad_codes:
            at("enterprise_id", N_("{!r} is not a valid USCC: {}"), code, bad_codes[code])
        if carrier not in items:
            at("carrier", N_("unknown item {!r}: not in the reference table items"), carrier)
        if not is_unit(unit):
            at("unit", N_("unknown unit {!r}"), unit)
        elif carrier in items and not compatible(unit, items[carrier]):
            at(
                "unit",
                N_("unit {!r} does not fit item {!r} (measured like {})"),
                unit,
                carrier,
                items[carrier],
            )
        if kind not in KINDS:
            at("kind", N_("{!r} is not one of {}"), kind, ", ".join(KINDS))
        if not (minutes_value > 0 and minutes_value.is_integer()):
            at("interval_minutes", N_("must be a whole number of minutes above 0"))
        elif minutes_value > INTERVAL_LIMIT:
            at("interval_minutes", N_("must be at most {} minutes (a leap year)"), INTERVAL_LIMIT)
    repeated = table["meter_id"].duplicated(keep="first") & (table["meter_id"] != "")
    for row_number, meter in zip(
        table.loc[repeated, "row"], table.loc[repeated, "meter_id"], strict=True
    ):
        problems.append(
            Problem.of(
                Place(row=int(row_number), column="meter_id"), N_("meter {!r} repeats"), meter
            )
        )
    problems.sort(key=lambda p: (p.place.row or 0, p.place.column or ""))
    if not problems:
        table["interval_minutes"] = table["interval_minutes"].astype(int)
    return table, problems


def utc_times(text: pd.Series) -> pd.Series:
    """ISO 8601 timestamps as UTC; one without an offset is China Standard Time. Unreadable
    ones become NaT. Times that are already timestamps (from Parquet) are converted as they
    are, those without a zone taken as China Standard Time."""
    if isinstance(text.dtype, pd.DatetimeTZDtype):
        converted: pd.Series = text.dt.tz_convert("UTC")
        return converted
    if text.dtype.kind == "M":
        localised: pd.Series = text.dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC")
        return localised
    stripped = text.fillna("").astype(str).str.strip()
    naive = ~stripped.str.contains(OFFSET_PATTERN, regex=True) & (stripped != "")
    dates = stripped.str.contains(DATE_PATTERN, regex=True)
    stamped = stripped.where(~naive, stripped + "+08:00").where(
        ~dates, stripped + "T00:00:00+08:00"
    )
    return pd.to_datetime(stamped, format="ISO8601", utc=True, errors="coerce")


def check_readings(
    readings: pd.DataFrame, meters: pd.DataFrame
) -> tuple[pd.DataFrame, list[Problem]]:
    """Readings as `meter_id, ts` (UTC), `value` (float), and every problem by row and
    column: a missing column, an unknown meter, an unreadable timestamp, a value that is not
    a number."""
    missing = [c for c in READING_COLUMNS if c not in readings.columns]
    if missing:
        return readings, [
            Problem.of(Place(row=1, column=c), N_("required column is missing")) for c in missing
        ]
    rows = (
        readings["row"].to_numpy() if "row" in readings.columns else np.arange(2, len(readings) + 2)
    )
    meter = readings["meter_id"].fillna("").astype(str).str.strip()
    ts = utc_times(readings["ts"])
    raw = readings["value"]
    value = (
        raw.astype(float)
        if raw.dtype.kind in "fi"
        else pd.to_numeric(raw.fillna("").astype(str).str.strip(), errors="coerce")
    )
    problems: list[Problem] = []
    known = set(meters["meter_id"])
    year = pd.to_numeric(
        readings["ts"].astype(str).str.strip().str.extract(r"^(\d{4})-", expand=False),
        errors="coerce",
    )
    outside = (ts < EARLIEST) | (ts >= LATEST)
    outside |= ts.isna() & ((year < EARLIEST.year) | (year >= LATEST.year))
    limit = (f"{EARLIEST:%Y-%m-%d}", f"{LATEST - pd.Timedelta(seconds=1):%Y-%m-%d}")
    finite = pd.Series(np.isfinite(value.to_numpy()), index=value.index)
    checks: list[tuple[pd.Series, str, str, pd.Series, tuple[object, ...]]] = [
        (~meter.isin(known), "meter_id", N_("unknown meter {!r}"), meter, ()),
        (ts.isna() & ~outside, "ts", N_("{!r} is not an ISO 8601 time"), readings["ts"], ()),
        (outside, "ts", N_("{!r} is not between {} and {} (UTC)"), readings["ts"], limit),
        (
            value.isna() & (readings["value"].fillna("").astype(str).str.strip() != ""),
            "value",
            N_("{!r} is not a number"),
            readings["value"],
            (),
        ),
        (
            value.notna() & ~finite,
            "value",
            N_("{!r} is not a finite number"),
            readings["value"],
            (),
        ),
        (
            finite & (value.abs() > READING_LIMIT),
            "value",
            N_("{!r} is beyond any meter's reading (at most {} in magnitude)"),
            readings["value"],
            (f"{READING_LIMIT:g}",),
        ),
    ]
    for mask, column, template, values, extra in checks:
        chosen = np.asarray(mask, dtype=bool)
        for row, shown in zip(rows[chosen], values[chosen], strict=True):
            problems.append(Problem.of(Place(row=int(row), column=column), template, shown, *extra))
    if "enterprise_id" in readings.columns:  # optional: whose readings the sender says these are
        said = readings["enterprise_id"].fillna("").astype(str).str.strip()
        owner = meter.map(meters.set_index("meter_id")["enterprise_id"])
        other = np.asarray((said != "") & owner.notna() & (said != owner), dtype=bool)
        for row, shown, code, real in zip(
            rows[other], meter[other], said[other], owner[other], strict=True
        ):
            problems.append(
                Problem.of(
                    Place(row=int(row), column="enterprise_id"),
                    N_("meter {!r} belongs to enterprise {}, not {}"),
                    shown,
                    real,
                    code,
                )
            )
    order = (*READING_COLUMNS, "enterprise_id")
    problems.sort(key=lambda p: (p.place.row or 0, order.index(p.place.column or "ts")))
    tidy = pd.DataFrame({"meter_id": meter, "ts": ts, "value": value, "row": rows})
    return tidy, problems


def to_intervals(
    readings: pd.DataFrame, meters: pd.DataFrame, previous: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Interval values for every meter: `meter_id, ts, value, counter, copies`.

    Cumulative counters become the difference from their previous reading (resets and
    rollovers as the module says), `counter` keeping the raw reading; the previous reading of
    a counter is the one before it in `readings`, else its row in `previous` (`meter_id, ts,
    counter`: the last reading already stored), else there is none and the reading gives no
    interval (it is dropped). Duplicate timestamps keep their first reading; `copies` counts
    the readings that came for the timestamp."""
    kind = readings["meter_id"].map(meters.set_index("meter_id")["kind"])
    copies = readings.groupby(["meter_id", "ts"], sort=False)["ts"].transform("size")
    ordered = readings.assign(kind=kind, copies=copies, stored=False)
    ordered = ordered.sort_values(["meter_id", "ts"], kind="stable")
    ordered = ordered.drop_duplicates(["meter_id", "ts"], keep="first")
    counters = ordered["kind"] == "cumulative"
    if previous is not None and len(previous):
        before = previous.rename(columns={"counter": "value"}).assign(
            kind="cumulative", copies=1, stored=True
        )
        ordered = pd.concat([before, ordered], ignore_index=True)
        ordered = ordered.sort_values(["meter_id", "ts"], kind="stable")
        counters = ordered["kind"] == "cumulative"
    previous_value = ordered.groupby("meter_id")["value"].shift(1)
    step = ordered["value"] - previous_value
    fell = step < 0
    ceiling = 10.0 ** np.ceil(np.log10(np.maximum(previous_value.fillna(1.0).to_numpy(), 1.0)))
    rolled = fell & (previous_value >= 0.9 * ceiling)
    step = step.where(~fell, ordered["value"])  # a reset counts from zero
    step = step.where(~rolled, ceiling - previous_value + ordered["value"])
    values = ordered["value"].where(~counters, step)
    out = ordered.assign(
        value=values,
        counter=ordered["value"].where(counters),
        copies=ordered["copies"].astype("int32"),
    )[["meter_id", "ts", "value", "counter", "copies"]]
    first_of_counter = counters & (ordered.groupby("meter_id").cumcount() == 0)
    return out[~first_of_counter & ~ordered["stored"].astype(bool)].reset_index(drop=True)
