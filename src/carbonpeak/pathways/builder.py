"""The scenario builder: a form a non-programmer fills (sectors and regions picked from the
observed data, an output growth path and an intensity path of a few points each, an
uncertainty range, a name) turned into a scenario of the ordinary scenario file, so the file
the form writes is the one an analyst would write by hand and reads back.

For each region r and sector s picked, with B_rs the observed CO2 of the base year (Mt):

    activity            Q(t)  = an index (unit 1) from 1.0 at the rates given (% a year, each
                                from its year to the next row's)
    emission_intensity  EI(t) = B_rs x the points given (% of the base year, held after the last)

so CO2(t) = Q(t) EI(t) starts at B_rs. The uncertainty range (low % <= 0 <= high %) scales the
intensity path by a triangular draw of B_rs (1 + low) .. B_rs .. B_rs (1 + high), mode B_rs.

Pure: the observed base values come in as an argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carbonpeak.domain.numbers import read_number
from carbonpeak.errors import N_, InputError, Place, Problem

MODEL = "carbonpeak scenario builder"
REGION = "selected provinces"
MAX_YEAR = 2100
MAX_RATE = 50  # % a year, either way
MAX_INTENSITY = 1000  # % of the base year
MAX_RANGE = 90  # % either way
MAX_ROWS = 20
NAME_LENGTH = 40


@dataclass(frozen=True)
class Plan:
    """A filled form, read and checked: percentages as the user typed them."""

    name: str
    sectors: tuple[str, ...]
    regions: tuple[str, ...]
    horizon: int
    growth: tuple[tuple[int, float], ...]  # (year, % a year from that year)
    intensity: tuple[tuple[int, float], ...]  # (year, % of the base year's intensity)
    low: float = 0.0  # % (<= 0)
    high: float = 0.0  # % (>= 0)


def example_plan(base_year: int) -> Plan:
    """The worked start the page's form and the scenario workbook show (the user changes it;
    no figure here is a forecast): steel in Hebei, output +1 % a year to 2030 and -1 % after,
    CO2 per unit halved by 2060, the base year's intensity uncertain by 10 % either way."""
    return Plan(
        name="示例",
        sectors=("steel",),
        regions=("130000",),
        horizon=2060,
        growth=((base_year, 1.0), (2030, -1.0)),
        intensity=((base_year, 100.0), (2060, 50.0)),
        low=-10.0,
        high=10.0,
    )


def _one(fields: Mapping[str, Sequence[str]], key: str) -> str:
    values = fields.get(key) or [""]
    return str(values[0]).strip()


def _number(text: str) -> float:
    """A percentage typed in the form: `domain.numbers.read_number` with a trailing % allowed
    (2.5, 2.5%, ２．５％); a decimal comma (2,5) is refused, never read as 25."""
    value = read_number(text, percent=True)
    if value is None:
        raise ValueError(text)
    return value


def _rows(
    fields: Mapping[str, Sequence[str]],
    which: str,
    value_key: str,
    bounds: tuple[float, float],
    years: tuple[int, int],
    problems: list[Problem],
) -> tuple[tuple[int, float], ...]:
    """The (year, value) rows of one path; blank rows skipped, each problem placed by row."""
    year_key = f"{which}_year"
    given_years, given_values = fields.get(year_key) or [], fields.get(value_key) or []
    out: dict[int, float] = {}
    for index in range(max(len(given_years), len(given_values))):
        row = index + 1
        year_text = str(given_years[index]).strip() if index < len(given_years) else ""
        value_text = str(given_values[index]).strip() if index < len(given_values) else ""
        if not year_text and not value_text:
            continue
        year = None
        try:
            year = int(year_text)
        except ValueError:
            problems.append(Problem.of(Place(row=row, field=year_key), N_("give a year")))
        if year is not None and not years[0] <= year <= years[1]:
            problems.append(
                Problem.of(Place(row=row, field=year_key), N_("a year from {} to {}"), *years)
            )
            year = None
        if year is not None and year in out:
            problems.append(
                Problem.of(Place(row=row, field=year_key), N_("year {} is given twice"), year)
            )
        try:
            value = _number(value_text)
        except ValueError:
            at = Place(row=row, field=value_key)
            problems.append(
                Problem.of(at, N_("{!r} is not a number"), value_text)
                if value_text
                else Problem.of(at, N_("give a number"))
            )
            continue
        if not bounds[0] <= value <= bounds[1]:
            problems.append(
                Problem.of(Place(row=row, field=value_key), N_("a number from {} to {}"), *bounds)
            )
            continue
        if year is not None:
            out[year] = value
    if not out and not any(p.place.field in (year_key, value_key) for p in problems):
        problems.append(Problem.of(Place(row=1, field=year_key), N_("give at least one row")))
    elif out and min(out) != years[0]:
        first = Place(row=1, field=year_key)
        problems.append(Problem.of(first, N_("the first year is the base year {}"), years[0]))
    if len(out) > MAX_ROWS:
        problems.append(Problem.of(Place(field=year_key), N_("at most {} rows"), MAX_ROWS))
    return tuple(sorted(out.items()))


def read_form(
    fields: Mapping[str, Sequence[str]],
    sectors: Sequence[str],
    regions: Sequence[str],
    base_year: int,
    wholes: Mapping[str, Sequence[str]] | None = None,
) -> Plan:
    """The form's fields (each a list of the values posted) as a `Plan`; `InputError` with
    every problem placed by field (and row), `sectors` and `regions` the choices offered,
    `wholes` the sectors that include others (industry: steel, power, ...), which would be
    counted twice beside them."""
    problems: list[Problem] = []
    name = _one(fields, "name")
    if not name:
        problems.append(Problem.of(Place(field="name"), N_("name the scenario")))
    elif len(name) > NAME_LENGTH:
        problems.append(Problem.of(Place(field="name"), N_("at most {} characters"), NAME_LENGTH))
    picked: dict[str, tuple[str, ...]] = {}
    for key, offered in (("sectors", sectors), ("regions", regions)):
        chosen = tuple(dict.fromkeys(v.strip() for v in fields.get(key) or [] if v.strip()))
        unknown = [v for v in chosen if v not in offered]
        if not chosen:
            problems.append(Problem.of(Place(field=key), N_("pick at least one")))
        elif unknown:
            problems.append(Problem.of(Place(field=key), N_("not offered: {}"), ", ".join(unknown)))
        picked[key] = chosen
    for whole, parts in (wholes or {}).items():
        inside = [p for p in picked["sectors"] if p in parts]
        if whole in picked["sectors"] and inside:
            problems.append(
                Problem.of(
                    Place(field="sectors"),
                    N_("{} already includes {}: pick it alone or its parts"),
                    whole,
                    ", ".join(inside),
                )
            )
    horizon = base_year + 1
    try:
        horizon = int(_one(fields, "horizon"))
        if not base_year < horizon <= MAX_YEAR:
            raise ValueError
    except ValueError:
        problems.append(
            Problem.of(Place(field="horizon"), N_("a year from {} to {}"), base_year + 1, MAX_YEAR)
        )
        horizon = MAX_YEAR
    span = (base_year, horizon)
    growth = _rows(fields, "growth", "growth_rate", (-MAX_RATE, MAX_RATE), span, problems)
    intensity = _rows(fields, "intensity", "intensity_value", (0, MAX_INTENSITY), span, problems)
    bounds = {"low": (-MAX_RANGE, 0), "high": (0, MAX_RANGE)}
    spread = {}
    for key, (least, most) in bounds.items():
        text = _one(fields, key)
        try:
            spread[key] = _number(text) if text else 0.0
            if not least <= spread[key] <= most:
                raise ValueError(text)
        except ValueError:
            problems.append(Problem.of(Place(field=key), N_("a number from {} to {}"), least, most))
    if problems:
        raise InputError(problems)
    return Plan(name, picked["sectors"], picked["regions"], horizon, growth, intensity, **spread)


def scenario_of(
    plan: Plan, base: Mapping[tuple[str, str], float], base_year: int
) -> dict[str, Any]:
    """The plan as one scenario of a scenario file; `base[(region, sector)]` the observed CO2
    of the base year (MtCO2). `InputError` (field `regions`) for a pair without data."""
    missing = [f"{r}/{s}" for r in plan.regions for s in plan.sectors if (r, s) not in base]
    if missing:
        raise InputError(
            [Problem.of(Place(field="regions"), N_("no observed data for {}"), ", ".join(missing))]
        )
    rates = {year: value / 100 for year, value in plan.growth}
    points = {year: value / 100 for year, value in plan.intensity}
    regions: dict[str, Any] = {}
    for region in plan.regions:
        sectors: dict[str, Any] = {}
        for sector in plan.sectors:
            level = float(base[(region, sector)])
            scale: float | dict[str, Any] = level
            low, high = level + level * plan.low / 100, level + level * plan.high / 100
            if level > 0 and low < high:
                scale = {"dist": "triangular", "low": low, "mode": level, "high": high}
            sectors[sector] = {
                "activity": {"unit": "1", "growth": {"start": 1.0, "rate": dict(rates)}},
                "emission_intensity": {
                    "unit": "MtCO2",
                    "points": dict(points),
                    "extend": "hold",
                    "scale": scale,
                },
            }
        regions[region] = {"sectors": sectors}
    return {"description": f"{MODEL}, from {base_year}", "regions": regions}


def file_of(
    scenarios: Mapping[str, dict[str, Any]], base_year: int, horizon: int, draws: int
) -> dict[str, Any]:
    """A scenario file holding `scenarios` (name -> scenario)."""
    return {
        "model": MODEL,
        "region": REGION,
        "base_year": base_year,
        "horizon": horizon,
        "draws": draws,
        "seed": 0,
        "scenarios": dict(scenarios),
    }
