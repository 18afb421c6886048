"""The compliance plan as a form (`/credits/plan`): the fields the page shows, pre-filled from
the automaker's stored fleet, and their reader, which writes exactly the plan mapping the YAML
of `carbonpeak credits plan` holds (`policy.dual_credit.planner.plan_from_dict`).

A form is a mapping of field names to lists of strings, as posted:
- `enterprise_id`, `first_year`, `last_year` (the plan's years run from one to the other);
- per year `buy_<year>`, `sell_<year>` (yuan a NEV credit; blank: no buying, or no selling,
  that year) and `total_<year>` (cars in all; blank: no fixed total);
- one list entry per line (row 1 first): `line_name`, `line_powertrain`, `line_curb_mass_kg`,
  `line_seat_rows`, `line_fuel_consumption_l_per_100km`, `line_electric_range_km`,
  `line_fuel_cell_power_kw`, and per year `line_low_<year>`, `line_high_<year>` (cars) and
  `line_cost_<year>` (yuan a car; blank: 0).

One line per stored model, not per powertrain: a line's CAFC target and NEV credit per car
follow from its own curb mass, seat rows, fuel consumption and range, so lines that averaged
several models would carry targets and credits no model has. Each line's volume runs from 0 to
the model's stored volume of the fleet's latest year: the only volume the platform knows is the
automaker's own; it offers no market forecast.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from carbonpeak.domain.numbers import read_number
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.policy.dual_credit.planner import MAX_MONEY, MAX_VOLUME, LineIn

Fields = Mapping[str, Sequence[str]]
POWERTRAIN_NAMES = (  # the form's choices, in the reader's language
    ("ice", N_("conventional (ICE)")),
    ("hev", N_("hybrid (HEV)")),
    ("phev", N_("plug-in hybrid (PHEV)")),
    ("bev", N_("battery electric (BEV)")),
    ("fcv", N_("fuel cell (FCV)")),
)
POWERTRAINS = tuple(code for code, _ in POWERTRAIN_NAMES)
SPECS = (  # the line's own fields, as `LineIn` names them
    "curb_mass_kg",
    "seat_rows",
    "fuel_consumption_l_per_100km",
    "electric_range_km",
    "fuel_cell_power_kw",
)
OPTIONAL = SPECS[2:]  # blank: 0 (a BEV has no fuel consumption)
PER_YEAR = ("low", "high", "cost")
MAX_YEARS = 10  # columns a page can show (the page's width, not a rule)
MAX_LINES = 200
YEAR_FIELD = re.compile(r"^(?:line_(?:low|high|cost)|buy|sell|total)_(\d{4})$")


def _number(value: Any) -> str:
    """A stored figure as the form shows it: blank for none, no needless `.0`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def form_of_fleet(fleet: pd.DataFrame, enterprise_id: str | None = None) -> dict[str, list[str]]:
    """The form pre-filled from a stored fleet (`services.fleet.stored_fleet`): the models of
    the enterprise's latest stored year, one line each, volume 0 to the stored volume in each
    of the next two years, no prices, costs or totals (the automaker's to give). The first
    enterprise with a fleet unless `enterprise_id`; an empty form for an empty fleet."""
    if not len(fleet):
        return {}
    own = fleet[fleet["enterprise_id"] == (enterprise_id or min(fleet["enterprise_id"]))]
    if not len(own):
        return {}
    latest = int(own["year"].max())
    models = own[own["year"] == latest].sort_values("model_id")
    years = [latest + 1, latest + 2]
    fields: dict[str, list[str]] = {
        "enterprise_id": [str(models["enterprise_id"].iloc[0])],
        "first_year": [str(years[0])],
        "last_year": [str(years[-1])],
        "line_name": [str(m) for m in models["model_id"]],
        "line_powertrain": [str(p) for p in models["powertrain"]],
    }
    for spec in SPECS:
        fields[f"line_{spec}"] = [_number(v) for v in models[spec]]
    for year in years:
        for key in ("buy", "sell", "total"):
            fields[f"{key}_{year}"] = [""]
        fields[f"line_low_{year}"] = ["0"] * len(models)
        fields[f"line_high_{year}"] = [_number(v) for v in models["volume"]]
        fields[f"line_cost_{year}"] = [""] * len(models)
    return fields


def fleet_summary(fleet: pd.DataFrame, enterprise_id: str) -> dict[str, Any]:
    """The stored year the form starts from and its cars in all (for the page's help)."""
    own = fleet[fleet["enterprise_id"] == enterprise_id]
    if not len(own):
        return {}
    latest = int(own["year"].max())
    return {"year": latest, "cars": int(own[own["year"] == latest]["volume"].sum())}


def _shown(number: float) -> str:
    """A bound as a problem says it: 100,000,000, 0, 0.5."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:g}"


def field_value(fields: Fields, key: str) -> str:
    """The first value posted under `key`, stripped ('' when none)."""
    values = fields.get(key) or [""]
    return str(values[0]).strip()


def _at(fields: Fields, key: str, index: int) -> str:
    values = fields.get(key) or []
    return str(values[index]).strip() if index < len(values) else ""


def _line_count(fields: Fields) -> int:
    return max((len(v) for k, v in fields.items() if k.startswith("line_")), default=0)


def plan_years(fields: Fields) -> list[int] | None:
    """The plan's years from the form's first and last year, or None if they do not make one."""
    first, last = field_value(fields, "first_year"), field_value(fields, "last_year")
    if not (first.isascii() and first.isdigit() and last.isascii() and last.isdigit()):
        return None
    years = list(range(int(first), int(last) + 1))
    return years if 1 <= len(years) <= MAX_YEARS else None


def posted_years(fields: Fields) -> list[int]:
    """The years the form's per-year fields name."""
    found = {int(m.group(1)) for k in fields if (m := YEAR_FIELD.match(k))}
    return sorted(found)


def _limits(name: str) -> tuple[float, float, bool]:
    """(least, most, whether the least itself is refused) of a line's field, from `LineIn`."""
    least, most, strict = -math.inf, math.inf, False
    for rule in LineIn.model_fields[name].metadata:
        if getattr(rule, "ge", None) is not None:
            least = float(rule.ge)
        if getattr(rule, "gt", None) is not None:
            least, strict = float(rule.gt), True
        if getattr(rule, "le", None) is not None:
            most = float(rule.le)
    return least, most, strict


class _Reader:
    """Reads numbers into the plan, each problem placed by row and field."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def number(
        self,
        text: str,
        place: Place,
        least: float,
        most: float,
        strict: bool = False,
        whole: bool = False,
    ) -> float | None:
        value = read_number(text)
        if value is None:
            self.problems.append(Problem.of(place, N_("{!r} is not a number"), text))
            return None
        if value < least or (strict and value == least) or value > most:
            low = f"> {_shown(least)}" if strict else _shown(least)
            self.problems.append(Problem.of(place, N_("a number from {} to {}"), low, _shown(most)))
            return None
        if whole and not value.is_integer():
            self.problems.append(Problem.of(place, N_("give a whole number")))
            return None
        return int(value) if whole else value

    def give(self, place: Place) -> None:
        self.problems.append(Problem.of(place, N_("give a number")))


def _outside(place: Place, year: int, years: list[int]) -> Problem:
    """A field of a year the plan does not have (its years changed, not yet updated)."""
    said = N_("{} is not a year of the plan ({} to {}): update the years")
    return Problem.of(place, said, year, years[0], years[-1])


def read_plan_form(fields: Fields) -> dict[str, Any]:
    """The plan mapping the form writes (the YAML's), or `InputError` naming every problem at
    its row (a line's, from 1) and field (the form's name, `line_high_2025`), all at once."""
    read = _Reader()
    problems = read.problems
    enterprise = field_value(fields, "enterprise_id")
    if not enterprise:
        problems.append(Problem.of(Place(field="enterprise_id"), N_("give a value")))
    years = plan_years(fields)
    if years is None:
        problems.append(
            Problem.of(
                Place(field="last_year"), N_("the plan's years: 1 to {}, first to last"), MAX_YEARS
            )
        )
    plan: dict[str, Any] = {"enterprise_id": enterprise, "years": years or []}
    stray = [y for y in posted_years(fields) if years is not None and y not in years]
    for year in stray:  # a price or total of a year the plan no longer has
        for key in ("buy", "sell", "total"):
            if field_value(fields, f"{key}_{year}"):
                problems.append(_outside(Place(field=f"{key}_{year}"), year, years or []))
    prices: dict[str, dict[int, float]] = {"buy": {}, "sell": {}}
    total: dict[int, float] = {}
    for year in years or []:
        for key, into, most in (
            ("buy", prices["buy"], MAX_MONEY),
            ("sell", prices["sell"], MAX_MONEY),
            ("total", total, MAX_VOLUME),
        ):
            text = field_value(fields, f"{key}_{year}")
            if text:
                value = read.number(text, Place(field=f"{key}_{year}"), 0, most)
                if value is not None:
                    into[year] = value
    lines, names = [], set()
    for index in range(_line_count(fields)):
        row = index + 1
        texts = {k: _at(fields, k, index) for k in fields if k.startswith("line_")}
        if not any(texts.values()):
            continue  # a blank row
        for year in stray:
            for key in PER_YEAR:
                if texts.get(f"line_{key}_{year}"):
                    at = Place(row=row, field=f"line_{key}_{year}")
                    problems.append(_outside(at, year, years or []))
        name = texts.get("line_name", "")
        if not name:
            problems.append(Problem.of(Place(row=row, field="line_name"), N_("give a name")))
        elif name in names:
            problems.append(
                Problem.of(Place(row=row, field="line_name"), N_("line {!r} is named twice"), name)
            )
        names.add(name)
        powertrain = texts.get("line_powertrain", "").lower()
        if powertrain not in POWERTRAINS:
            at = Place(row=row, field="line_powertrain")
            problems.append(Problem.of(at, N_("not offered: {}"), powertrain or "-"))
        line: dict[str, Any] = {"name": name, "powertrain": powertrain}
        for spec in SPECS:
            text, place = texts.get(f"line_{spec}", ""), Place(row=row, field=f"line_{spec}")
            if not text:
                if spec not in OPTIONAL:
                    read.give(place)
                continue
            least, most, strict = _limits(spec)
            value = read.number(text, place, least, most, strict, whole=spec == "seat_rows")
            if value is not None:
                line[spec] = value
        volume: dict[int, list[float]] = {}
        cost: dict[int, float] = {}
        for year in years or []:
            low_at = Place(row=row, field=f"line_low_{year}")
            high_at = Place(row=row, field=f"line_high_{year}")
            low_text = texts.get(f"line_low_{year}", "") or "0"
            high_text = texts.get(f"line_high_{year}", "")
            low = read.number(low_text, low_at, 0, MAX_VOLUME)
            high = read.number(high_text, high_at, 0, MAX_VOLUME) if high_text else None
            if not high_text:
                read.give(high_at)
            if low is not None and high is not None:
                if high < low:
                    problems.append(
                        Problem.of(high_at, N_("below the lowest volume ({})"), _shown(low))
                    )
                else:
                    volume[year] = [low, high]
            cost_text = texts.get(f"line_cost_{year}", "")
            if cost_text:
                at = Place(row=row, field=f"line_cost_{year}")
                value = read.number(cost_text, at, -MAX_MONEY, MAX_MONEY)
                if value is not None:
                    cost[year] = value
        line["volume"] = volume
        if cost:
            line["cost"] = cost
        lines.append(line)
    if not lines:
        problems.append(Problem.of(Place(row=1, field="line_name"), N_("give at least one row")))
    elif len(lines) > MAX_LINES:
        problems.append(Problem.of(Place(field="line_name"), N_("at most {} rows"), MAX_LINES))
    if problems:
        raise InputError(problems)
    plan["lines"] = lines
    plan["prices"] = {"buy": prices["buy"], "sell": prices["sell"]}
    if total:
        plan["total"] = total
    return plan


def layout(fields: Fields) -> dict[str, Any]:
    """What the page shows of a form: its years (the plan's, and any other year a per-year
    field names, so that a problem there is seen), the prices by year and the lines' rows."""
    years = sorted(set(plan_years(fields) or []) | set(posted_years(fields)))
    rows = [
        {
            "name": _at(fields, "line_name", i),
            "powertrain": _at(fields, "line_powertrain", i),
            **{spec: _at(fields, f"line_{spec}", i) for spec in SPECS},
            "years": {
                y: {key: _at(fields, f"line_{key}_{y}", i) for key in PER_YEAR} for y in years
            },
        }
        for i in range(_line_count(fields))
    ]
    return {
        "enterprise_id": field_value(fields, "enterprise_id"),
        "first_year": field_value(fields, "first_year"),
        "last_year": field_value(fields, "last_year"),
        "years": years,
        "prices": {
            y: {k: field_value(fields, f"{k}_{y}") for k in ("buy", "sell", "total")} for y in years
        },
        "rows": rows,
    }


def edited(fields: Fields, action: str) -> dict[str, list[str]]:
    """The form after a button that changes it and runs nothing: `add` a blank line, `remove-<row>`
    a line, `years` (the per-year fields of the plan's new years: a year kept keeps its values,
    a new one is blank)."""
    out = {k: [str(v) for v in values] for k, values in fields.items() if k != "action"}
    count = _line_count(out)
    line_keys = ["line_name", "line_powertrain", *[f"line_{s}" for s in SPECS]]
    years = plan_years(out)
    if action == "years" and years is not None:
        kept = [y for y in posted_years(out) if y in years]
        for y in years:  # a new year starts as the nearest kept year (blank if none)
            near = min(kept, key=lambda k: abs(k - y), default=None)
            for k in ("buy", "sell", "total", *[f"line_{k}" for k in PER_YEAR]):
                if f"{k}_{y}" not in out:
                    out[f"{k}_{y}"] = list(out.get(f"{k}_{near}", [""]))
        for key in [k for k in out if YEAR_FIELD.match(k)]:
            if int(key[-4:]) not in years:
                del out[key]
        line_keys += [f"line_{k}_{y}" for y in years for k in PER_YEAR]
    else:
        line_keys += [k for k in out if k.startswith("line_") and YEAR_FIELD.match(k)]
    for key in line_keys:
        values = out.get(key, [])
        out[key] = values + [""] * (count - len(values))
    if action == "add":
        for key in line_keys:
            out[key].append("")
    elif action.startswith("remove-") and action[7:].isascii() and action[7:].isdigit():
        index = int(action[7:]) - 1
        for key in line_keys:
            if 0 <= index < len(out[key]):
                del out[key][index]
    return out
