"""Quantities of a scenario file: yearly paths given in one of LEAP's ways, with uncertainty.

A quantity is one of
- `value`: a constant;
- `series`: an explicit yearly series (every year from its first to its last);
- `points`: points interpolated linearly between their years;
- `growth`: a value in the base year (`start`) growing at `rate` per year (`rate` may be a
  number or `{year: rate}`, each rate holding from its year until the next);
- `logistic`: `K / (1 + exp(-r (t - t0)))` (docs/notes/pathways_and_scale.md §1.5);
- `gompertz`: `K exp(-b exp(-c (t - t0)))` (§1.5, with time in place of income);

optionally multiplied by `times` (another quantity, e.g. a saturation curve of per-capita demand
times population; the units multiply) and by `scale`. After the last year a series or points
give, `extend` says what happens: `hold` (the last value), `linear` (the last year's change
continues), `{growth: rate}` (the last value grows at the rate); without it the path stops there.

Any number may be a distribution instead: `{dist: normal, mean, sd}`,
`{dist: lognormal, median, sigma}` (sigma of the logarithm), `{dist: uniform, low, high}`,
`{dist: triangular, low, mode, high}`. A draw is one sample of every distribution in the file,
drawn independently; draw 0 is the central value of each (the mean, median, midpoint or mode).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from carbonpeak.domain.schema import Real
from carbonpeak.domain.units import parse_unit
from carbonpeak.errors import UnitError


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Normal(_Spec):
    dist: Literal["normal"]
    mean: Real
    sd: Real = Field(ge=0)

    def central(self) -> float:
        return self.mean

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.normal(self.mean, self.sd, n)


class LogNormal(_Spec):
    dist: Literal["lognormal"]
    median: Real = Field(gt=0)
    sigma: Real = Field(ge=0)

    def central(self) -> float:
        return self.median

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.median * np.exp(rng.normal(0.0, self.sigma, n))


class Uniform(_Spec):
    dist: Literal["uniform"]
    low: Real
    high: Real

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError("high is below low")
        if not np.isfinite(self.high - self.low):
            raise ValueError("the range is too wide to draw from")
        return self

    def central(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


class Triangular(_Spec):
    dist: Literal["triangular"]
    low: Real
    mode: Real
    high: Real

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("needs low <= mode <= high and low < high")
        if not np.isfinite(self.high - self.low):
            raise ValueError("the range is too wide to draw from")
        return self

    def central(self) -> float:
        return self.mode

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)


Distribution = Annotated[Normal | LogNormal | Uniform | Triangular, Field(discriminator="dist")]
Number = Real | Distribution


class Growth(_Spec):
    start: Number
    rate: Number | dict[int, Number]

    @model_validator(mode="after")
    def _rates(self) -> Growth:
        rates = self.rate.values() if isinstance(self.rate, dict) else [self.rate]
        if any(isinstance(r, int | float) and r <= -1 for r in rates):
            raise ValueError("a growth rate must be above -1 (-100 % a year)")
        return self


class Logistic(_Spec):
    K: Number
    r: Number
    t0: Number


class Gompertz(_Spec):
    K: Number
    b: Number
    c: Number
    t0: Number


class GrowthRule(_Spec):
    growth: Number


Extension = Literal["hold", "linear"] | GrowthRule
FORMS = ("value", "series", "points", "growth", "logistic", "gompertz")


class QuantitySpec(_Spec):
    unit: str | None = None
    value: Number | None = None
    series: dict[int, Number] | None = None
    points: dict[int, Number] | None = None
    growth: Growth | None = None
    logistic: Logistic | None = None
    gompertz: Gompertz | None = None
    extend: Extension | None = None
    times: QuantitySpec | None = None
    scale: Number = 1.0

    @field_validator("unit")
    @classmethod
    def _known(cls, unit: str | None) -> str | None:
        if unit is not None:
            try:
                parse_unit(unit)
            except UnitError as error:
                raise ValueError(str(error)) from None
        return unit

    @model_validator(mode="after")
    def _one_form(self) -> QuantitySpec:
        given = [name for name in FORMS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(FORMS)}"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.series is not None:
            years = sorted(self.series)
            if not years or years != list(range(years[0], years[-1] + 1)):
                raise ValueError("a series gives every year from its first to its last")
        if self.points is not None and not self.points:
            raise ValueError("points need at least one year")
        if self.extend is not None and self.series is None and self.points is None:
            raise ValueError("extend applies to a series or points")
        return self


class Draws:
    """Samples of the file's distributions: `size` rows, row 0 the central values.

    Each distribution is drawn from a generator seeded by the file's seed and the parameter's
    key (its place in a scenario, without the scenario's name): the same parameter gets the
    same draws in every scenario that has it (a parent's value inherited by a child, a fuel
    factor shared by the regions of a scenario), so that scenarios and regions are compared
    draw by draw; different parameters are independent."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.seed = seed
        self.uncertain = False

    def number(self, number: Number, key: str = "") -> np.ndarray:
        """A column (size x 1) for a distribution, a 1 x 1 array for a plain number."""
        if isinstance(number, int | float):
            return np.array([[float(number)]])
        self.uncertain = True
        column = np.empty(self.size)
        column[0] = number.central()
        stream = zlib.crc32(key.encode("utf-8"))
        column[1:] = number.sample(np.random.default_rng([self.seed, stream]), self.size - 1)
        return column[:, None]


@dataclass(frozen=True)
class Path:
    """A resolved quantity: `values` (draws or 1) x years from the base year, NaN after `last`
    (the last year it covers), in `unit` (None: a plain number)."""

    values: np.ndarray
    unit: str | None
    last: int


def resolve(spec: QuantitySpec, years: np.ndarray, draws: Draws, key: str = "") -> Path:
    """The quantity's path over `years` (consecutive, from the base year); raises `ValueError`
    naming the key for years outside the range. `key` names the quantity for its draws."""
    first, end = int(years[0]), int(years[-1])
    unit = spec.unit
    last = end
    if spec.value is not None:
        values = draws.number(spec.value, f"{key}.value") * np.ones((1, len(years)))
    elif spec.series is not None or spec.points is not None:
        table = spec.series if spec.series is not None else spec.points
        assert table is not None
        form = "series" if spec.series is not None else "points"
        given = sorted(table)
        if given[0] > first:
            raise ValueError(f"{form}: starts in {given[0]}, after the base year {first}")
        if given[-1] > end:
            raise ValueError(f"{form}: year {given[-1]} is after the horizon {end}")
        if given[0] < first and form == "series":
            raise ValueError(f"{form}: year {given[0]} is before the base year {first}")
        if given[-1] < first and spec.extend is None:
            raise ValueError(f"{form}: the last year {given[-1]} is before the base year {first}")
        columns = [draws.number(table[y], f"{key}.{form}.{y}") for y in given]
        rows = max(c.shape[0] for c in columns)
        known = np.hstack([np.broadcast_to(c, (rows, 1)) for c in columns])
        values = np.full((rows, len(years)), np.nan)
        inside = years <= given[-1]
        for row in range(rows):
            values[row, inside] = np.interp(years[inside], given, known[row])
        last = given[-1]
        if last < end and spec.extend is not None:
            values = _extend(values, years, given, known, spec.extend, draws, f"{key}.extend")
            last = end
    elif spec.growth is not None:
        start = draws.number(spec.growth.start, f"{key}.growth.start")
        rates = _step_rates(spec.growth.rate, years, draws, f"{key}.growth.rate")
        cumulative = np.cumprod(1 + rates, axis=1) / (1 + rates[:, :1])
        values = start * cumulative
    elif spec.logistic is not None:
        k, r, t0 = (
            draws.number(getattr(spec.logistic, n), f"{key}.logistic.{n}") for n in ("K", "r", "t0")
        )
        values = k / (1 + np.exp(-r * (years[None, :] - t0)))
    else:
        assert spec.gompertz is not None
        k, b, c, t0 = (
            draws.number(getattr(spec.gompertz, n), f"{key}.gompertz.{n}")
            for n in ("K", "b", "c", "t0")
        )
        values = k * np.exp(-b * np.exp(-c * (years[None, :] - t0)))
    values = values * draws.number(spec.scale, f"{key}.scale")
    if spec.times is not None:
        other = resolve(spec.times, years, draws, f"{key}.times")
        values = values * other.values
        last = min(last, other.last)
        if other.unit:
            unit = f"({unit or 1}) * ({other.unit})"
    return Path(values, unit, last)


def _step_rates(
    rate: Number | dict[int, Number], years: np.ndarray, draws: Draws, key: str
) -> np.ndarray:
    """The yearly growth rate of each year (the rate of year t applies from t-1 to t)."""
    if not isinstance(rate, dict):
        return draws.number(rate, key) * np.ones((1, len(years)))
    given = sorted(rate)
    if given[0] > years[0]:
        raise ValueError(f"growth.rate: the first rate is from {given[0]}, after the base year")
    columns = [draws.number(rate[y], f"{key}.{y}") for y in given]
    rows = max(c.shape[0] for c in columns)
    out = np.empty((rows, len(years)))
    for index, year in enumerate(given):
        out[:, years >= year] = columns[index]
    return out


def _extend(
    values: np.ndarray,
    years: np.ndarray,
    given: list[int],
    known: np.ndarray,
    rule: Extension,
    draws: Draws,
    key: str,
) -> np.ndarray:
    """Values after the last point: from the last point's value (which may be before the base
    year) and, for `linear`, the change over its last year."""
    last = given[-1]
    after = years > last
    steps = (years[after] - last)[None, :]
    end_value = known[:, -1:]
    out = values.copy()
    if rule == "hold":
        out[:, after] = end_value
    elif rule == "linear":
        if len(given) > 1:
            previous = np.array([[np.interp(last - 1, given, row)] for row in known])
            change = end_value - previous
        else:
            change = 0 * end_value
        out[:, after] = end_value + change * steps
    else:
        assert isinstance(rule, GrowthRule)
        growth = draws.number(rule.growth, f"{key}.growth")
        if growth.shape[0] > out.shape[0]:
            out = np.repeat(out, growth.shape[0], axis=0)
            end_value = np.broadcast_to(end_value, (out.shape[0], 1))
        out[:, after] = end_value * (1 + growth) ** steps
    return out
