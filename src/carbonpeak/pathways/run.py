"""A pathway run: every scenario's sectors, regions and total summarised by their peaks, with
the Monte Carlo distribution where the file has uncertain parameters, and the central paths as
a long table in the IAMC format (model, scenario, region, variable, unit, one column per year:
the layout pyam reads).

Peaks follow pathways_and_scale.md §1.7 (`peaks.peak`); over the draws, the peak year of a draw
is the year of its maximum, and a draw whose maximum is in the last year has not peaked: it
counts in `p_not_yet_peaked`, not in `p_peak_by_2030`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.pathways.peaks import peak
from carbonpeak.pathways.projection import (
    REPORT_YEAR,
    Scenario,
    ScenarioFile,
    SectorResult,
    project,
)

FAN = (5, 25, 50, 75, 95)
IAMC_COLUMNS = ["model", "scenario", "region", "variable", "unit"]


def summarise(values: np.ndarray, years: np.ndarray, unit: str, fan: bool = True) -> dict[str, Any]:
    """The peak of the central path (row 0) and, when there are draws, their distribution."""
    central = values[0]
    entry = peak(years, central)
    entry["unit"] = unit
    entry["values"] = {str(int(y)): float(v) for y, v in zip(years, central, strict=True)}
    if values.shape[0] > 1:
        entry["uncertainty"] = _spread(values[1:], years, fan)
    return entry


def _spread(sample: np.ndarray, years: np.ndarray, fan: bool) -> dict[str, Any]:
    at = np.argmax(sample, axis=1)
    peak_years = years[at]
    peak_values = sample[np.arange(len(sample)), at]
    peaked = at < len(years) - 1
    counts = np.bincount(at, minlength=len(years)) / len(sample)
    out: dict[str, Any] = {
        "draws": len(sample),
        "peak_year": {
            **{f"p{q}": float(np.percentile(peak_years, q)) for q in (5, 50, 95)},
            "distribution": {
                str(int(y)): float(c) for y, c in zip(years, counts, strict=True) if c
            },
        },
        "peak_value": {f"p{q}": float(np.percentile(peak_values, q)) for q in (5, 50, 95)},
        f"p_peak_by_{REPORT_YEAR}": float(np.mean(peaked & (peak_years <= REPORT_YEAR))),
        "p_not_yet_peaked": float(np.mean(~peaked)),
    }
    if fan:
        bands = percentiles(sample, FAN)
        out["fan"] = {
            f"p{q}": {str(int(y)): float(v) for y, v in zip(years, band, strict=True)}
            for q, band in zip(FAN, bands, strict=True)
        }
    return out


def percentiles(sample: np.ndarray, qs: tuple[int, ...]) -> np.ndarray:
    """`np.percentile(sample, qs, axis=0)` (linear interpolation between order statistics),
    from one sort of the columns: several times faster than numpy's partition along axis 0."""
    ordered = np.sort(sample, axis=0)
    position = np.asarray(qs, dtype=float) / 100 * (len(ordered) - 1)
    below = np.floor(position).astype(int)
    above = np.minimum(below + 1, len(ordered) - 1)
    weight = (position - below)[:, None]
    return np.asarray(ordered[below] * (1 - weight) + ordered[above] * weight)


class _Sum:
    """A running sum of series (rows broadcast: a deterministic sector adds to every draw)."""

    def __init__(self) -> None:
        self.co2: np.ndarray | None = None
        self.energy: np.ndarray | None = None
        self.has_energy = True
        self.unit = ""
        self.energy_unit = ""

    def add(self, result: SectorResult) -> None:
        self.co2 = result.co2.values if self.co2 is None else self.co2 + result.co2.values
        self.unit = result.co2.unit
        if result.energy is None:
            self.has_energy = False
        elif self.has_energy:
            self.energy_unit = result.energy.unit
            e = result.energy.values
            self.energy = e if self.energy is None else self.energy + e

    def entry(self, years: np.ndarray, cut: int, fan: bool) -> dict[str, Any]:
        assert self.co2 is not None
        found = summarise(self.co2[:, :cut], years, self.unit, fan)
        if self.has_energy and self.energy is not None:
            found["energy"] = summarise(self.energy[:, :cut], years, self.energy_unit, fan)
        return found


def run(
    spec: ScenarioFile,
    scenarios: dict[str, Scenario],
    draws: int | None = None,
    fan: bool = True,
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """The run's result (the JSON of `carbonpeak pathways run`), its IAMC table and the central
    values of every route (`routes`: scenario, region, sector, route, year, activity, output,
    co2; for decomposition)."""
    projection, results = project(spec, scenarios, draws)
    cut = projection.end - spec.base_year + 1
    years = projection.years[:cut]
    out: dict[str, Any] = {
        "model": spec.model,
        "region": spec.region,
        "base_year": spec.base_year,
        "horizon": spec.horizon,
        "end": projection.end,
        "draws": projection.draws,
        "seed": spec.seed,
        "warnings": projection.warnings,
        "scenarios": {},
    }
    rows: list[list[Any]] = []
    routes: list[pd.DataFrame] = []
    current: tuple[str, str] | None = None
    region_sum = _Sum()
    sectors: dict[str, _Sum] = {}
    total = _Sum()

    def close_region() -> None:
        if current is None:
            return
        name, region = current
        body = out["scenarios"][name]
        if scenarios[name].regions is not None:
            body["regions"][region]["total"] = region_sum.entry(years, cut, fan)
            rows.extend(_iamc(spec, name, region, "", region_sum, cut))

    def close_scenario(name: str) -> None:
        body = out["scenarios"][name]
        for sector, acc in sectors.items():
            if scenarios[name].regions is not None:
                body["sectors"][sector] = acc.entry(years, cut, fan)
            rows.extend(_iamc(spec, name, spec.region, sector, acc, cut))
        body["total"] = total.entry(years, cut, fan)
        rows.extend(_iamc(spec, name, spec.region, "", total, cut))

    for result in results:
        if current != (result.scenario, result.region):
            close_region()
            if current is None or current[0] != result.scenario:
                if current is not None:
                    close_scenario(current[0])
                sectors, total = {}, _Sum()
                out["scenarios"][result.scenario] = {"sectors": {}}
                if scenarios[result.scenario].regions is not None:
                    out["scenarios"][result.scenario]["regions"] = {}
            current = (result.scenario, result.region)
            region_sum = _Sum()
        body = out["scenarios"][result.scenario]
        entry = summarise(result.co2.values[:, :cut], years, result.co2.unit, fan)
        if result.energy is not None:
            entry["energy"] = summarise(
                result.energy.values[:, :cut], years, result.energy.unit, fan
            )
        if scenarios[result.scenario].regions is not None:
            regional = body["regions"].setdefault(result.region, {"sectors": {}})
            regional["sectors"][result.sector] = entry
            one = _Sum()
            one.add(result)
            rows.extend(_iamc(spec, result.scenario, result.region, result.sector, one, cut))
        else:
            body["sectors"][result.sector] = entry
        rows.append(
            [
                spec.model,
                result.scenario,
                result.region,
                f"Production|{result.sector}",
                f"{result.activity.unit}/yr",
                *_row(result.activity.values, cut),
            ]
        )
        for route, (output, co2) in result.routes.items():
            routes.append(
                pd.DataFrame(
                    {
                        "scenario": result.scenario,
                        "region": result.region,
                        "sector": result.sector,
                        "route": route,
                        "year": years,
                        "activity": result.activity.values[0, :cut],
                        "output": output[:cut],
                        "co2": co2[:cut],
                    }
                )
            )
        region_sum.add(result)
        total.add(result)
        sectors.setdefault(result.sector, _Sum()).add(result)
    close_region()
    if current is not None:
        close_scenario(current[0])
    table = pd.DataFrame(rows, columns=[*IAMC_COLUMNS, *(int(y) for y in years)])
    return out, table, pd.concat(routes, ignore_index=True) if routes else pd.DataFrame()


def _row(values: np.ndarray, cut: int) -> list[float]:
    return [float(v) for v in np.broadcast_to(values, (values.shape[0], values.shape[1]))[0, :cut]]


def _iamc(
    spec: ScenarioFile, scenario: str, region: str, sector: str, acc: _Sum, cut: int
) -> list[list[Any]]:
    suffix = f"|{sector}" if sector else ""
    assert acc.co2 is not None
    rows = [
        [
            spec.model,
            scenario,
            region,
            f"Emissions|CO2|Industry{suffix}",
            f"{acc.unit}/yr",
            *_row(acc.co2, cut),
        ]
    ]
    if acc.has_energy and acc.energy is not None:
        rows.append(
            [
                spec.model,
                scenario,
                region,
                f"Final Energy|Industry{suffix}",
                f"{acc.energy_unit}/yr",
                *_row(acc.energy, cut),
            ]
        )
    return rows
