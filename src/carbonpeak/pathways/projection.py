"""Scenario projection: each sector's activity, energy and CO2 per region and scenario, in
LEAP's spirit (docs/notes/pathways_and_scale.md §1.1).

For a sector with routes r and fuels j, in year t:

    CO2(t)    = Σ_r Q(t) s_r(t) [ EI_r(t) + PE_r(t) ]                  (emission intensity)
              or Σ_r Σ_j Q(t) s_r(t) SEC_r(t) m_rj(t) EF_j(t) + PE      (energy and fuel mix)
    energy(t) = Σ_r Q(t) s_r(t) SEC_r(t)

with Q the activity, s_r the route shares (given, or from the stock turnover below), EI_r an
emission intensity, SEC_r an energy intensity, m_rj the fuel mix (shares of the route's energy),
EF_j the fuel's emission factor (per scenario or region, its own path: the grid factor) and
PE_r the route's process emissions per unit of activity.

Stock turnover by vintage (§1.1 LEAP, §1.6): capacity built in year v survives to age a with
the fraction S(a) (a fixed lifetime, or Weibull `exp(-(a/scale)^shape)`); each year the capacity
needed is Q/u (u the utilisation); what the surviving capacity lacks is built new and split by
the new-capacity shares; each route's share of output is its share of capacity.

A scenario names a `parent` and overrides only what differs (a quantity given replaces the
parent's whole; sectors, routes, regions and fuels merge key by key). A scenario gives `sectors`
for one region (named by the file's `region`) or `regions`, each with its sectors; regions are
summed into the file's region.

Every array has one row per draw (row 0 the central values) or a single row, and one column
per year from the base year; a sector's figures are summarised as soon as they are computed so
that 31 regions x 10 sectors x 10,000 draws never sit in memory at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from carbonpeak.domain.schema import Real, Whole, problems_of
from carbonpeak.domain.units import conversion_factor, parse_unit
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import CarbonpeakError, InputError, Place, Problem
from carbonpeak.pathways.quantities import FORMS, Draws, Number, Path, QuantitySpec, resolve

DEFAULT_DRAWS = 10_000
EXAMPLE = "example.yaml"  # the packaged example of every feature (`carbonpeak pathways example`)
REPORT_YEAR = 2030


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Intensities(_Spec):
    emission_intensity: QuantitySpec | None = None
    energy_intensity: QuantitySpec | None = None
    fuels: dict[str, QuantitySpec] | None = Field(default=None, min_length=1)
    process_emissions: QuantitySpec | None = None

    @model_validator(mode="after")
    def _complete(self) -> Intensities:
        if self.fuels is not None and self.energy_intensity is None:
            raise ValueError("fuels are shares of energy: give energy_intensity")
        if self.fuels is not None and self.emission_intensity is not None:
            raise ValueError("give emission_intensity or fuels, not both")
        return self


class Route(Intensities):
    share: QuantitySpec | None = None


class Survival(_Spec):
    lifetime: Number | None = None
    weibull_shape: Number | None = None
    weibull_scale: Number | None = None

    @model_validator(mode="after")
    def _one(self) -> Survival:
        weibull = self.weibull_shape is not None and self.weibull_scale is not None
        if (self.lifetime is not None) == weibull:
            raise ValueError("give lifetime, or weibull_shape and weibull_scale")
        for name in ("lifetime", "weibull_shape", "weibull_scale"):
            value = getattr(self, name)
            if isinstance(value, int | float) and value <= 0:
                raise ValueError(f"{name} must be above 0")
        return self

    def curve(self, draws: Draws, key: str) -> Callable[[np.ndarray], np.ndarray]:
        """S(age), the fraction of a vintage still in service, with its parameters drawn once:
        a (draws or 1) x ages array. A drawn parameter at or below 0 is taken as 1e-9."""
        if self.lifetime is not None:
            life = draws.number(self.lifetime, f"{key}.lifetime")
            return lambda ages: (np.maximum(ages, 0.0)[None, :] < life).astype(float)
        assert self.weibull_shape is not None and self.weibull_scale is not None
        shape = np.maximum(draws.number(self.weibull_shape, f"{key}.weibull_shape"), 1e-9)
        scale = np.maximum(draws.number(self.weibull_scale, f"{key}.weibull_scale"), 1e-9)
        return lambda ages: np.exp(-((np.maximum(ages, 0.0)[None, :] / scale) ** shape))


class Stock(_Spec):
    survival: Survival
    vintages: dict[str, dict[int, Number]] = Field(default_factory=dict)
    new_shares: dict[str, QuantitySpec]
    utilisation: QuantitySpec = QuantitySpec(value=1.0)


class Sector(Intensities):
    activity: QuantitySpec
    routes: dict[str, Route] | None = Field(default=None, min_length=1)
    stock: Stock | None = None

    @model_validator(mode="after")
    def _routes(self) -> Sector:
        own = any(
            getattr(self, k) is not None
            for k in ("emission_intensity", "energy_intensity", "fuels", "process_emissions")
        )
        if self.routes and own:
            raise ValueError("give intensities in the routes or for the sector, not both")
        if not self.routes and not own:
            raise ValueError("give routes, or the sector's emission_intensity or energy_intensity")
        if self.stock is not None:
            if not self.routes:
                raise ValueError("stock turnover needs routes")
            if set(self.stock.new_shares) != set(self.routes):
                raise ValueError("stock.new_shares must name every route and no other")
            if any(r.share is not None for r in self.routes.values()):
                raise ValueError("with stock turnover the shares come from capacity: drop share")
        elif self.routes and any(r.share is None for r in self.routes.values()):
            raise ValueError("every route needs a share (or give the sector a stock)")
        return self

    def route_map(self) -> dict[str, Intensities]:
        return dict(self.routes) if self.routes else {"all": self}


class Fuel(_Spec):
    emission_factor: QuantitySpec


class Region(_Spec):
    sectors: dict[str, Sector] = Field(min_length=1)
    fuels: dict[str, Fuel] = Field(default_factory=dict)


class Scenario(_Spec):
    parent: str | None = None
    description: str | None = None
    sectors: dict[str, Sector] | None = Field(default=None, min_length=1)
    regions: dict[str, Region] | None = Field(default=None, min_length=1)
    fuels: dict[str, Fuel] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _where(self) -> Scenario:
        if (self.sectors is None) == (self.regions is None):
            raise ValueError("give sectors (one region) or regions, not both")
        return self

    def region_map(self, name: str) -> dict[str, Region]:
        if self.regions is not None:
            return {
                r: Region(sectors=g.sectors, fuels={**self.fuels, **g.fuels})
                for r, g in self.regions.items()
            }
        assert self.sectors is not None
        return {name: Region(sectors=self.sectors, fuels=self.fuels)}


class Units(_Spec):
    co2: str = "MtCO2"
    energy: str = "Mtce"


class ScenarioFile(_Spec):
    model: str = "carbonpeak"
    region: str = "China"
    base_year: Whole = Field(ge=1900, le=2200)
    horizon: Whole = Field(ge=1900, le=2300)
    draws: Whole | None = Field(default=None, ge=1)
    seed: Whole = 0
    share_tolerance: Real = Field(default=0.001, gt=0, le=0.5, allow_inf_nan=False)
    units: Units = Units()
    scenarios: dict[str, dict[str, Any]]

    @model_validator(mode="after")
    def _years(self) -> ScenarioFile:
        if self.horizon <= self.base_year:
            raise ValueError("the horizon must be after the base year")
        if self.horizon - self.base_year > 200:
            raise ValueError("at most 200 years from the base year to the horizon")
        if not self.scenarios:
            raise ValueError("name at least one scenario")
        return self


INTENSITIES = ("emission_intensity", "energy_intensity", "fuels", "process_emissions")
# A child giving one of these drops what it replaces in its parent (a sector given by routes
# replaces the parent's sector-level intensities, and so on).
REPLACES = {
    "sectors": ("regions",),
    "regions": ("sectors",),
    "routes": INTENSITIES,
    "emission_intensity": ("routes", "fuels"),
    "energy_intensity": ("routes",),
    "fuels": ("routes", "emission_intensity"),
    "lifetime": ("weibull_shape", "weibull_scale"),
    "weibull_shape": ("lifetime",),
    "weibull_scale": ("lifetime",),
}


def _is_leaf(value: Any) -> bool:
    """A quantity or a distribution: replaced whole, never merged key by key."""
    return isinstance(value, dict) and (any(k in value for k in FORMS) or "dist" in value)


def merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """The child over its parent: mappings merge key by key; a quantity or a distribution is
    replaced whole; a key the child gives drops the parent's keys it replaces (`REPLACES`)."""
    out = dict(parent)
    for key in child:
        for dropped in REPLACES.get(key, ()):
            if dropped not in child:
                out.pop(dropped, None)
    for key, value in child.items():
        if key == "parent":
            continue
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict) and not _is_leaf(value):
            out[key] = merge(old, value)
        else:
            out[key] = value
    return out


def _problems(error: ValidationError, prefix: str) -> list[Problem]:
    return problems_of(error, prefix)


def parse(data: Any) -> tuple[ScenarioFile, dict[str, Scenario]]:
    """The file and each scenario with its parents merged in; `InputError` naming the scenario,
    sector and key of every problem (a missing parent, a cycle of parents, a bad field)."""
    try:
        spec = ScenarioFile.model_validate(data)
    except ValidationError as error:
        raise InputError(_problems(error, "")) from None
    problems: list[Problem] = []
    merged: dict[str, dict[str, Any]] = {}

    def flatten(name: str, seen: tuple[str, ...]) -> dict[str, Any] | None:
        if name in merged:
            return merged[name]
        raw = spec.scenarios[name]
        if not isinstance(raw, dict):
            problems.append(Problem(Place(field=f"scenarios.{name}"), "not a mapping"))
            return None
        parent = raw.get("parent")
        if parent is None:
            merged[name] = raw
            return raw
        where = Place(field=f"scenarios.{name}.parent")
        if parent not in spec.scenarios:
            problems.append(Problem(where, f"no scenario named {parent!r}"))
            return None
        if parent in seen:
            cycle = " -> ".join([*seen, name, parent][seen.index(parent) :])
            problems.append(Problem(where, f"a cycle of parents: {cycle}"))
            return None
        base = flatten(parent, (*seen, name))
        if base is None:
            return None
        merged[name] = merge(base, raw)
        return merged[name]

    scenarios = {}
    for name in spec.scenarios:
        raw = flatten(name, ())
        if raw is None:
            continue
        try:
            scenarios[name] = Scenario.model_validate(raw)
        except ValidationError as error:
            problems += _problems(error, f"scenarios.{name}")
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
    return spec, scenarios


@dataclass
class Series:
    """One projected series with its draws: `values` (draws or 1) x years, in `unit`."""

    values: np.ndarray
    unit: str


@dataclass
class SectorResult:
    scenario: str
    region: str
    sector: str
    activity: Series
    co2: Series
    energy: Series | None
    last: int
    routes: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    """Each route's central output (activity units) and CO2, by year (for decomposition)."""


@dataclass
class Projection:
    """What a run needs to report: per-sector results (yielded one at a time) and the warnings."""

    spec: ScenarioFile
    years: np.ndarray
    end: int
    draws: int
    warnings: list[ResultWarning] = field(default_factory=list)


def _key(where: str) -> str:
    """A parameter's key for its draws: its place without `scenarios.NAME.`, so that the same
    parameter draws the same in every scenario that has it."""
    parts = where.split(".")
    return ".".join(parts[2:]) if parts[:1] == ["scenarios"] else where


class _Context:
    """Resolves the quantities of one region of one scenario, collecting problems by key."""

    def __init__(self, years: np.ndarray, draws: Draws, problems: list[Problem]) -> None:
        self.years, self.draws, self.problems = years, draws, problems
        self.stops: list[tuple[str, int]] = []

    def path(
        self, spec: QuantitySpec, where: str, dimensionless: bool = False, key: str | None = None
    ) -> Path | None:
        try:
            found = resolve(spec, self.years, self.draws, key if key is not None else _key(where))
            if dimensionless and found.unit and not parse_unit(found.unit).dimensionless:
                raise ValueError(f"unit {found.unit!r}: a share has no unit")
        except (ValueError, CarbonpeakError) as error:
            self.problems.append(Problem(Place(field=where), str(error)))
            return None
        if found.last < self.years[-1]:
            self.stops.append((where, found.last))
        return found

    def factor(self, units: list[str | None], target: str, where: str, what: str) -> float | None:
        text = " * ".join(f"({u})" for u in units if u) or "1"
        try:
            return conversion_factor(text, target)
        except CarbonpeakError:
            self.problems.append(
                Problem(
                    Place(field=where),
                    f"units {' x '.join(u or '1' for u in units)} do not give {what} ({target})",
                )
            )
            return None


def _shares(
    paths: dict[str, Path], where: str, tolerance: float, context: _Context
) -> dict[str, np.ndarray] | None:
    """Shares that sum to 1 on the central values within `tolerance` (each draw is then
    renormalised so that it sums to 1 exactly)."""
    rows = max(p.values.shape[0] for p in paths.values())
    stacked = np.stack(
        [np.broadcast_to(p.values, (rows, p.values.shape[1])) for p in paths.values()]
    )
    total = stacked.sum(axis=0)
    central = total[0]
    bad = np.flatnonzero(np.isfinite(central) & (np.abs(central - 1) > tolerance))
    if bad.size:
        year = int(context.years[bad[0]])
        context.problems.append(
            Problem(
                Place(field=where),
                f"the shares ({', '.join(paths)}) sum to {central[bad[0]]:.6g} in {year}, not 1",
            )
        )
        return None
    return {name: stacked[i] / total for i, name in enumerate(paths)}


def _stock_shares(
    stock: Stock, activity: np.ndarray, where: str, spec: ScenarioFile, context: _Context
) -> dict[str, np.ndarray] | None:
    years = context.years
    new = {
        r: context.path(q, f"{where}.stock.new_shares.{r}", True)
        for r, q in stock.new_shares.items()
    }
    utilisation = context.path(stock.utilisation, f"{where}.stock.utilisation", True)
    if utilisation is None or any(p is None for p in new.values()):
        return None
    shares = _shares(
        {r: p for r, p in new.items() if p is not None},
        f"{where}.stock.new_shares",
        spec.share_tolerance,
        context,
    )
    if shares is None:
        return None
    for route, vintages in stock.vintages.items():
        if route not in new:
            context.problems.append(
                Problem(Place(field=f"{where}.stock.vintages.{route}"), "not a route of the sector")
            )
            return None
        late = [v for v in vintages if v > spec.base_year]
        if late:
            context.problems.append(
                Problem(
                    Place(field=f"{where}.stock.vintages.{route}"),
                    f"vintage {late[0]} is after the base year",
                )
            )
            return None
    need = activity / utilisation.values
    fraction = stock.survival.curve(context.draws, _key(f"{where}.stock.survival"))
    routes = list(new)
    existing = [
        sum(
            (
                context.draws.number(amount, _key(f"{where}.stock.vintages.{route}.{vintage}"))
                * fraction(years - vintage)
                for vintage, amount in stock.vintages.get(route, {}).items()
            ),
            np.zeros((1, len(years))),
        )
        for route in routes
    ]
    survive = fraction(np.arange(len(years), dtype=float))
    rows = max(
        need.shape[0],
        survive.shape[0],
        *(e.shape[0] for e in existing),
        *(s.shape[0] for s in shares.values()),
    )
    shape = (rows, len(years))
    need = np.broadcast_to(need, shape)
    survive = np.broadcast_to(survive, shape)
    old = np.stack([np.broadcast_to(e, shape) for e in existing])
    share_new = np.stack([np.broadcast_to(shares[r], shape) for r in routes])
    built = np.zeros((len(routes), rows, len(years)))
    capacity = np.zeros_like(built)
    for t in range(len(years)):
        surviving = old[:, :, t] + np.einsum("kdv,dv->kd", built[:, :, :t], survive[:, t:0:-1])
        lack = np.maximum(0.0, need[:, t] - surviving.sum(axis=0))
        built[:, :, t] = lack * share_new[:, :, t]
        capacity[:, :, t] = surviving + built[:, :, t]
    total = capacity.sum(axis=0)
    empty = total <= 0  # nothing in service (no activity yet): the shares new capacity would get
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            r: np.where(empty, share_new[k], capacity[k] / np.where(empty, 1.0, total))
            for k, r in enumerate(routes)
        }


def _sector(
    prefix: str,
    scenario: str,
    region: str,
    name: str,
    sector: Sector,
    fuels: dict[str, Path | None],
    fuel_units: dict[str, str | None],
    spec: ScenarioFile,
    context: _Context,
) -> SectorResult | None:
    where = f"{prefix}.sectors.{name}"
    before = len(context.problems)
    activity = context.path(sector.activity, f"{where}.activity")
    if activity is None:
        return None
    if not activity.unit:
        context.problems.append(
            Problem(Place(field=f"{where}.activity.unit"), "give the activity's unit")
        )
        return None
    routes = sector.route_map()
    if sector.stock is not None:
        shares = _stock_shares(sector.stock, activity.values, where, spec, context)
    elif sector.routes:
        paths = {
            r: context.path(q.share, f"{where}.routes.{r}.share", True)
            for r, q in sector.routes.items()
            if q.share is not None
        }
        shares = (
            None
            if any(p is None for p in paths.values())
            else _shares(
                {r: p for r, p in paths.items() if p is not None},
                f"{where}.routes",
                spec.share_tolerance,
                context,
            )
        )
    else:
        shares = {"all": np.ones((1, len(context.years)))}
    co2 = np.zeros((1, len(context.years)))
    energy: np.ndarray | None = np.zeros((1, len(context.years)))
    central: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for route, body in routes.items():
        at = f"{where}.routes.{route}" if sector.routes else where
        share = shares[route] if shares else None
        output = activity.values * share if share is not None else None
        route_co2 = np.zeros((1, len(context.years)))
        if body.emission_intensity is None and body.energy_intensity is None:
            context.problems.append(
                Problem(Place(field=at), "give emission_intensity or energy_intensity")
            )
            continue
        route_energy = None
        energy_unit: str | None = None
        if body.energy_intensity is not None:
            intensity = context.path(body.energy_intensity, f"{at}.energy_intensity")
            energy_unit = intensity.unit if intensity is not None else None
            factor = intensity and context.factor(
                [activity.unit, intensity.unit],
                spec.units.energy,
                f"{at}.energy_intensity.unit",
                "energy",
            )
            if intensity is not None and factor is not None and output is not None:
                route_energy = output * intensity.values  # in activity x intensity units
                if energy is not None:
                    energy = energy + route_energy * factor
        else:
            energy = None
        if body.emission_intensity is not None:
            intensity = context.path(body.emission_intensity, f"{at}.emission_intensity")
            factor = intensity and context.factor(
                [activity.unit, intensity.unit],
                spec.units.co2,
                f"{at}.emission_intensity.unit",
                "CO2",
            )
            if intensity is not None and factor is not None and output is not None:
                route_co2 = route_co2 + output * intensity.values * factor
        elif body.fuels is not None:
            mix = {j: context.path(q, f"{at}.fuels.{j}", True) for j, q in body.fuels.items()}
            if any(p is None for p in mix.values()):
                continue
            mixed = _shares(
                {j: p for j, p in mix.items() if p is not None},
                f"{at}.fuels",
                spec.share_tolerance,
                context,
            )
            for fuel in body.fuels:
                if fuel not in fuels:
                    context.problems.append(
                        Problem(
                            Place(field=f"{at}.fuels.{fuel}"),
                            f"no fuel {fuel!r} in the scenario's fuels",
                        )
                    )
                    continue
                ef = fuels[fuel]
                factor = context.factor(
                    [activity.unit, energy_unit, fuel_units[fuel]],
                    spec.units.co2,
                    f"{at}.fuels.{fuel}",
                    "CO2",
                )
                if (
                    ef is not None
                    and factor is not None
                    and mixed is not None
                    and route_energy is not None
                ):
                    route_co2 = route_co2 + route_energy * mixed[fuel] * ef.values * factor
        else:
            context.problems.append(
                Problem(
                    Place(field=at), "energy alone gives no CO2: give fuels or emission_intensity"
                )
            )
        if body.process_emissions is not None:
            process = context.path(body.process_emissions, f"{at}.process_emissions")
            factor = process and context.factor(
                [activity.unit, process.unit], spec.units.co2, f"{at}.process_emissions.unit", "CO2"
            )
            if process is not None and factor is not None and output is not None:
                route_co2 = route_co2 + output * process.values * factor
        co2 = co2 + route_co2
        if output is not None:
            central[route] = (output[0], route_co2[0])
    if len(context.problems) > before:
        return None
    return SectorResult(
        scenario,
        region,
        name,
        Series(activity.values, activity.unit),
        Series(co2, spec.units.co2),
        None if energy is None else Series(energy, spec.units.energy),
        activity.last,
        central,
    )


def project(
    spec: ScenarioFile, scenarios: dict[str, Scenario], draws: int | None = None
) -> tuple[Projection, Iterator[SectorResult]]:
    """Check every scenario on its central values (raising `InputError` with all the problems)
    and return the run and an iterator over its sector results, computed with every draw one
    sector at a time as it is consumed."""
    years = np.arange(spec.base_year, spec.horizon + 1)
    probe = Draws(1, spec.seed)
    problems: list[Problem] = []
    stops: list[tuple[str, int]] = []
    with np.errstate(all="ignore"):  # overflows are refused by name when the run reports
        for _ in _walk(spec, scenarios, years, probe, problems, stops):
            pass
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
    size = ((draws or spec.draws or DEFAULT_DRAWS) + 1) if probe.uncertain else 1
    end = min([spec.horizon, *(last for _, last in stops)])
    projection = Projection(spec, years, end, size - 1)
    if stops:
        projection.warnings.append(
            warn(
                "pathways.projection.series_stop_early",
                end=end,
                horizon=spec.horizon,
                series=[f"{where} ({last})" for where, last in dict.fromkeys(stops)],
            )
        )
    return projection, _walk(spec, scenarios, years, Draws(size, spec.seed), [], [])


def _walk(
    spec: ScenarioFile,
    scenarios: dict[str, Scenario],
    years: np.ndarray,
    draws: Draws,
    problems: list[Problem],
    stops: list[tuple[str, int]],
) -> Iterator[SectorResult]:
    for name, scenario in scenarios.items():
        for region, body in scenario.region_map(spec.region).items():
            context = _Context(years, draws, problems)
            prefix = f"scenarios.{name}" + (f".regions.{region}" if scenario.regions else "")
            own = set(scenario.regions[region].fuels) if scenario.regions else set()
            yield from _region(prefix, name, region, body, own, spec, context)
            stops.extend(context.stops)


def _region(
    prefix: str,
    scenario: str,
    region: str,
    body: Region,
    own: set[str],
    spec: ScenarioFile,
    context: _Context,
) -> Iterator[SectorResult]:
    """The sectors of one region. A fuel factor given for the scenario is one parameter for all
    its regions (the same draws); one given for the region is the region's own."""
    fuels = {
        f: context.path(
            q.emission_factor,
            f"{prefix}.fuels.{f}.emission_factor",
            key=f"regions.{region}.fuels.{f}" if f in own else f"fuels.{f}",
        )
        for f, q in body.fuels.items()
    }
    units = {f: (path.unit if path is not None else None) for f, path in fuels.items()}
    for name, sector in body.sectors.items():
        result = _sector(prefix, scenario, region, name, sector, fuels, units, spec, context)
        if result is not None:
            yield result


def example_text() -> str:
    """The packaged example scenario file."""
    from importlib import resources

    return (resources.files("carbonpeak.pathways") / EXAMPLE).read_text(encoding="utf-8")
