"""The activity table: its columns, and the check of every row before anything is computed.

One long table, one row per quantity an enterprise reports for a period:

    enterprise_id, period, stream, item, direction, amount, unit      (direction: in | out)

(stream `economic`, item `value_added`: the enterprise-period's industrial value added, in
10^4 yuan or another unit of money, one line per enterprise and period; see `economic.py`)
plus optional measured parameters that override the defaults (`ncv`/`ncv_unit`,
`carbon_content_tc_per_gj`, `oxidation_rate`, `emission_factor`/`emission_factor_unit`,
`cao_fraction`, `mgo_fraction`, `cao_noncarbonate_fraction`, `mgo_noncarbonate_fraction`,
`carbon_fraction`) and `area` (the efficiency-level area a product or an energy line belongs to).

`check_activity` reports every problem at once with the row (the `row` column: line in the
file or sheet) and the column; it looks at each distinct value once, so it stays fast on
millions of rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting.economic import check_economic
from carbonpeak.domain.entities import FIRST_YEAR, LAST_YEAR, PERIOD_PATTERN
from carbonpeak.domain.numbers import read_numbers
from carbonpeak.domain.units import compatible, conversion_factor, is_unit
from carbonpeak.domain.uscc import invalid_usccs
from carbonpeak.errors import N_, Place, Problem
from carbonpeak.reference.loader import Reference

REQUIRED = ("enterprise_id", "period", "stream", "item", "amount", "unit")
NUMERIC_OPTIONAL = (
    "ncv",
    "carbon_content_tc_per_gj",
    "oxidation_rate",
    "emission_factor",
    "cao_fraction",
    "mgo_fraction",
    "cao_noncarbonate_fraction",
    "mgo_noncarbonate_fraction",
    "carbon_fraction",
)
TEXT_OPTIONAL = ("direction", "ncv_unit", "emission_factor_unit", "area")
COLUMNS = (*REQUIRED, "direction", *NUMERIC_OPTIONAL, *TEXT_OPTIONAL[1:])
STREAMS = ("fuel", "feedstock", "process", "electricity", "heat", "product", "economic")
DIRECTIONS = ("in", "out")
FRACTIONS = (
    "oxidation_rate",
    "cao_fraction",
    "mgo_fraction",
    "cao_noncarbonate_fraction",
    "mgo_noncarbonate_fraction",
    "carbon_fraction",
)
# Which item categories (reference table `items`) each stream accepts.
STREAM_CATEGORIES = {
    "fuel": ("fuel",),
    "feedstock": ("fuel", "material"),
    "process": ("material", "gas"),
    "electricity": ("secondary",),
    "heat": ("secondary",),
    "product": ("product", "fuel"),
    "economic": ("economic",),  # value added: accounting/economic.py
}
ELECTRICITY_ITEMS = ("electricity", "green_electricity")
_PERIOD_FORMAT = re.compile(r"[0-9]{4}(-(0[1-9]|1[0-2]))?")  # ASCII digits only
_PERIOD = re.compile(PERIOD_PATTERN)

# The largest amount one line may report, in a unit of each kind: plausibility bounds, not
# rules. Each is one to two orders of magnitude above the whole world's yearly total of the
# largest quantity of its kind (coal mined, about 9e9 t; natural gas, about 4e12 m3; primary
# energy, about 6e11 GJ), so that no real report meets them and a typo or an overflowing
# number (1.7e308) is refused before it is computed. (A weight box of flat glass is a mass.)
# Money: the world's yearly product is about 1e14 US dollars, under 1e15 yuan.
AMOUNT_BOUNDS = (("t", 1e11), ("Nm3", 1e14), ("GJ", 1e13), ("yuan", 1e16))


def template_frame() -> pd.DataFrame:
    """An empty activity table with every column, in order."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Add missing optional columns, a `row` column (line in the file: header = 1) and
    `amount_value` (the amount as a number); text columns become stripped categoricals."""
    out = frame.copy()
    if "row" not in out.columns:
        out["row"] = np.arange(2, len(out) + 2)
    for column in NUMERIC_OPTIONAL:
        if column not in out.columns:
            out[column] = np.nan
    for column in TEXT_OPTIONAL:
        if column not in out.columns:
            out[column] = categorical_from_codes(np.zeros(len(out), dtype=np.int8), [""])
    if "amount" in out.columns:
        out["amount_value"] = numbers(out["amount"])
    for column in ("enterprise_id", "period", "stream", "item", "unit", *TEXT_OPTIONAL):
        if column in out.columns:
            out[column] = _text_category(out[column], "in" if column == "direction" else "")
    return out


def categorical_from_codes(codes: Any, categories: Any) -> pd.Categorical:
    """A categorical from integer codes and its categories (no copy of the strings)."""
    return pd.Categorical.from_codes(
        np.asarray(codes), categories=pd.Index(list(categories), dtype=object)
    )


def _text_category(series: pd.Series, empty: str = "") -> pd.Series:
    """Text as a categorical with stripped categories; missing or blank values become `empty`.

    Stripping the distinct values instead of the cells does the work once per value."""
    codes, uniques = pd.factorize(series)
    stripped = [str(u).strip() or empty for u in uniques]
    if (codes < 0).any():  # missing cells
        stripped.append(empty)
        codes = np.where(codes < 0, len(stripped) - 1, codes)
    categories, inverse = np.unique(np.array(stripped, dtype=object), return_inverse=True)
    return pd.Series(
        categorical_from_codes(inverse[codes], categories=categories), index=series.index
    )


def numbers(series: pd.Series) -> pd.Series:
    """Numbers of a column of numbers or text; blanks and non-numbers become NaN. The cells
    pandas cannot read at once are read by `domain.numbers.read_numbers`, the one rule of the
    platform: 9,800.5 (thousands grouped in threes) is a number, 1,5 (a decimal comma) is not."""
    if series.dtype.kind in "fi":
        return series.astype(float)
    values = pd.to_numeric(series, errors="coerce").astype(float)
    retry = values.isna() & series.notna()
    if retry.any():  # cells with surrounding blanks, thousands separators or full-width digits
        values[retry] = read_numbers(series[retry])
    return values


def _beyond_bounds(data: pd.DataFrame, items: dict[str, Any]) -> pd.Series:
    """Rows whose finite amount exceeds `AMOUNT_BOUNDS` in its unit (or, with no unit, in its
    item's default unit)."""
    unit = data["unit"].astype(str)
    default = data["item"].map({k: str(r["default_unit"]) for k, r in items.items()})
    unit = unit.where(unit != "", default.astype(object).fillna("")).astype(str)
    scale: dict[str, float] = {}
    for text in pd.unique(unit):
        if not is_unit(text):
            continue
        for base, bound in AMOUNT_BOUNDS:
            if compatible(text, base):
                scale[text] = conversion_factor(text, base) / bound
                break
    scaled = data["amount_value"].abs() * unit.map(scale).astype(float)
    beyond: pd.Series = (scaled > 1.0) & np.isfinite(data["amount_value"])
    return beyond


# A message: its template and the values it is filled with (see `errors.Problem.of`).
Message = tuple[str, tuple[Any, ...]]


def _report(
    problems: list[Problem],
    frame: pd.DataFrame,
    mask: pd.Series | np.ndarray,
    column: str,
    message: Callable[[pd.DataFrame], Iterable[Message]] | str,
) -> None:
    """A problem at each selected row: a fixed message, or one per row."""
    selected = frame.loc[np.asarray(mask, dtype=bool)]
    if selected.empty:
        return
    if isinstance(message, str):
        messages: list[Message] = [(message, ())] * len(selected)
    else:
        messages = list(message(selected))
    for row, (template, values) in zip(selected["row"].tolist(), messages, strict=True):
        problems.append(Problem.of(Place(row=int(row), column=column), template, *values))


def _each(template: str, *columns: str) -> Callable[[pd.DataFrame], Iterable[Message]]:
    """A message per selected row: `template` filled with the row's values of `columns`."""

    def messages(selected: pd.DataFrame) -> Iterable[Message]:
        return ((template, values) for values in zip(*(selected[c] for c in columns), strict=True))

    return messages


def _fixed(template: str, *values: Any) -> Callable[[pd.DataFrame], Iterable[Message]]:
    """The same message, with the same values, at every selected row."""

    def messages(selected: pd.DataFrame) -> Iterable[Message]:
        return [(template, values)] * len(selected)

    return messages


def _fixed_list(messages: list[Message]) -> Callable[[pd.DataFrame], Iterable[Message]]:
    """Messages made beforehand, one per selected row in order."""

    def given(_selected: pd.DataFrame) -> Iterable[Message]:
        return messages

    return given


def _lacking(parameter: str) -> Callable[[pd.DataFrame], Iterable[Message]]:
    """For fuel lines whose item has no default `parameter`."""

    def messages(selected: pd.DataFrame) -> Iterable[Message]:
        template = N_("no default {} for {!r}: give {} measured")
        return ((template, (parameter, item, parameter)) for item in selected["item"])

    return messages


def check_activity(frame: pd.DataFrame, reference: Reference) -> list[Problem]:
    """Every problem of an activity table, each with its row and column."""
    return check_normalised(normalise(frame), tuple(frame.columns), reference)


def check_normalised(
    data: pd.DataFrame, given: tuple[str, ...], reference: Reference, codes: bool = True
) -> list[Problem]:
    """`check_activity` on a table already passed through `normalise`; `given` are the
    columns the table came with; `codes=False` leaves out the check of enterprise codes."""
    frame = data
    missing = [c for c in REQUIRED if c not in given]
    if missing:
        return [
            Problem.of(Place(row=1, column=c), N_("required column is missing")) for c in missing
        ]
    if len(frame) == 0:
        return [Problem.of(Place(row=2), N_("the table has no rows"))]
    unknown = [c for c in given if c not in COLUMNS and c != "row"]
    problems: list[Problem] = [
        Problem.of(Place(row=1, column=c), N_("unknown column; columns are {}"), ", ".join(COLUMNS))
        for c in unknown
    ]
    items = {str(r["item"]): r for r in reference.rows("items")}

    if codes:
        reasons = invalid_usccs(pd.unique(data["enterprise_id"]), reference)
        bad: dict[str, Message] = {
            code: (N_("{!r} is not a valid USCC: {}"), (code, reason))
            for code, reason in reasons.items()
        }
        _report(
            problems,
            data,
            data["enterprise_id"].isin(bad),
            "enterprise_id",
            lambda s: (bad[v] for v in s["enterprise_id"]),
        )

    bad_period = ~data["period"].str.fullmatch(_PERIOD_FORMAT)
    _report(
        problems, data, bad_period, "period", _each(N_("{!r} is not YYYY or YYYY-MM"), "period")
    )
    _report(
        problems,
        data,
        ~bad_period & ~data["period"].str.fullmatch(_PERIOD),
        "period",
        lambda s: (
            (N_("period {!r} is outside the years {}-{}"), (v, FIRST_YEAR, LAST_YEAR))
            for v in s["period"]
        ),
    )

    bad_stream = ~data["stream"].isin(STREAMS)
    _report(
        problems,
        data,
        bad_stream,
        "stream",
        lambda s: ((N_("{!r} is not one of {}"), (v, ", ".join(STREAMS))) for v in s["stream"]),
    )

    bad_item = ~data["item"].isin(list(items))
    _report(
        problems,
        data,
        bad_item,
        "item",
        _each(N_("unknown item {!r}: not in the reference table items"), "item"),
    )

    category = data["item"].map({k: str(r["category"]) for k, r in items.items()})
    allowed = _stream_fits(data["stream"], category)
    _report(
        problems,
        data,
        ~allowed & ~bad_item & ~bad_stream,
        "item",
        _each(N_("item {!r} cannot be reported in stream {!r}"), "item", "stream"),
    )
    electricity = (data["stream"] == "electricity") & ~data["item"].isin(ELECTRICITY_ITEMS)
    _report(
        problems,
        data,
        electricity & ~bad_item,
        "item",
        N_("stream 'electricity' takes item electricity or green_electricity"),
    )

    bad_direction = ~data["direction"].isin(DIRECTIONS)
    _report(
        problems,
        data,
        bad_direction,
        "direction",
        _each(N_("{!r} is not in or out"), "direction"),
    )

    amount = data["amount_value"]
    _report(problems, data, amount.isna(), "amount", _each(N_("{!r} is not a number"), "amount"))
    _report(
        problems,
        data,
        amount < 0,
        "amount",
        N_("is negative; report exports with direction 'out'"),
    )
    _report(problems, data, ~np.isfinite(amount.fillna(0.0)), "amount", N_("is not finite"))
    _report(
        problems,
        data,
        _beyond_bounds(data, items),
        "amount",
        _each(
            N_("{!r} {} is more than the whole world's yearly total: not a real amount"),
            "amount",
            "unit",
        ),
    )

    bad_units = {u for u in pd.unique(data["unit"]) if not is_unit(str(u))}
    _report(
        problems, data, data["unit"].isin(bad_units), "unit", _each(N_("unknown unit {!r}"), "unit")
    )
    default_unit = data["item"].map({k: str(r["default_unit"]) for k, r in items.items()})
    unit_cat, item_cat = data["unit"].cat, data["item"].cat
    unit_codes, item_codes = unit_cat.codes.to_numpy(), item_cat.codes.to_numpy()
    seen = np.zeros((len(unit_cat.categories), len(item_cat.categories)), dtype=bool)
    seen[unit_codes, item_codes] = True
    wrong = np.zeros_like(seen)
    for u, i in zip(*np.nonzero(seen), strict=True):
        unit, item = str(unit_cat.categories[u]), str(item_cat.categories[i])
        if unit and unit not in bad_units and item in items:
            wrong[u, i] = not compatible(unit, str(items[item]["default_unit"]))
    if wrong.any():
        _report(
            problems,
            data,
            wrong[unit_codes, item_codes],
            "unit",
            lambda s: (
                (N_("unit {!r} does not fit item {!r} (measured like {})"), (u, i, default_unit[x]))
                for u, i, x in zip(s["unit"], s["item"], s.index, strict=True)
            ),
        )

    for column in NUMERIC_OPTIONAL:
        if column not in given:
            continue
        values = numbers(data[column])
        if data[column].dtype.kind in "fi":
            present = data[column].notna()
        else:
            text = data[column].astype(str).str.strip()
            present = data[column].notna() & ~text.isin(["", "nan", "None"])
        _report(
            problems,
            data,
            present & values.isna(),
            column,
            _each(N_("{!r} is not a number"), column),
        )
        _report(
            problems,
            data,
            values <= 0 if column not in FRACTIONS[1:] else values < 0,
            column,
            N_("must be positive"),
        )
        if column in FRACTIONS:
            _report(
                problems,
                data,
                values > 1,
                column,
                N_("is a fraction between 0 and 1, not a percentage"),
            )

    for value_column, unit_column, per in (
        ("ncv", "ncv_unit", "GJ"),
        ("emission_factor", "emission_factor_unit", "tCO2"),
    ):
        if value_column not in given:
            continue
        present = numbers(data[value_column]).notna()
        units = data[unit_column]
        _report(
            problems,
            data,
            present & (units == ""),
            unit_column,
            _fixed(N_("give the unit of {}"), value_column),
        )
        checked = pd.DataFrame({"u": units, "d": default_unit})[present & (units != "")]
        bad_pairs: dict[tuple[str, str], Message] = {}
        for u, d in checked.drop_duplicates().itertuples(index=False):
            if not is_unit(u):
                bad_pairs[(u, d)] = (N_("unknown unit {!r}"), (u,))
            elif isinstance(d, str) and not compatible(u, f"{per}/({d})"):
                bad_pairs[(u, d)] = (N_("unit {!r} is not {} per {}"), (u, per, d))
        if bad_pairs:
            mask = (
                pd.Series(
                    [(u, d) in bad_pairs for u, d in zip(units, default_unit, strict=True)],
                    index=data.index,
                )
                & present
            )
            _report(
                problems,
                data,
                mask,
                unit_column,
                _fixed_list(
                    [
                        bad_pairs[(u, default_unit[x])]
                        for u, x in zip(units[mask], units[mask].index, strict=True)
                    ]
                ),
            )

    problems.extend(_check_defaults(data, reference))
    problems.extend(check_economic(data))
    problems.sort(
        key=lambda p: (
            p.place.row or 0,
            COLUMNS.index(p.place.column) if p.place.column in COLUMNS else 99,
        )
    )
    return problems


def _stream_fits(stream: pd.Series, category: pd.Series) -> pd.Series:
    ok = pd.Series(True, index=stream.index)
    for name, categories in STREAM_CATEGORIES.items():
        rows = stream == name
        ok &= ~rows | category.isin(categories) | category.isna()
    return ok


def _check_defaults(data: pd.DataFrame, reference: Reference) -> list[Problem]:
    """Fuel lines need an NCV and a carbon content: measured, or a default to fall back on."""
    problems: list[Problem] = []
    defaults: dict[str, set[str]] = {}
    for row in reference.rows("fuel_parameters"):
        defaults.setdefault(str(row["item"]), set()).add(str(row["parameter"]))
    items = {str(r["item"]) for r in reference.rows("items")}

    def known(item: str) -> bool:
        return item in items

    fuel = data["stream"] == "fuel"
    has_ef = numbers(data["emission_factor"]).notna()
    for parameter, column in (("ncv", "ncv"), ("carbon_content", "carbon_content_tc_per_gj")):
        measured = numbers(data[column]).notna()
        lacking = [
            i
            for i in pd.unique(data["item"])
            if known(i) and parameter not in defaults.get(i, set())
        ]
        mask = fuel & ~has_ef & ~measured & data["item"].isin(lacking)
        _report(
            problems,
            data,
            mask,
            column,
            _lacking(parameter),
        )
    return problems
