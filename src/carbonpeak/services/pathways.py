"""Pathway services for the API and the dashboard: run a scenario file (with a bound on the
work one request may ask for), compare two of its scenarios, read the observed history, and
decompose an uploaded table by LMDI. Nothing is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.io.tables import place_problems, read_upload
from carbonpeak.pathways.compare import compare
from carbonpeak.pathways.history import observed_peaks, series_peak
from carbonpeak.pathways.lmdi import METHODS, check_table, decompose, decompose_groups
from carbonpeak.pathways.projection import DEFAULT_DRAWS, parse
from carbonpeak.pathways.run import run
from carbonpeak.reference.loader import default_reference

# One request may ask for at most this many sector-paths x draws: the benchmark's 310 sectors
# x 10,001 draws (3.1 M) take about 4.4 s on 2 cores (docs/performance.md).
MAX_WORK = 3_200_000
MAX_DRAWS = 20_000


def load(text: str | dict[str, Any]) -> Any:
    """A scenario file from its YAML or JSON text (or an already parsed mapping)."""
    if isinstance(text, dict):
        return text
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InputError(
            [Problem(Place(field="scenario"), f"not YAML or JSON ({error})")]
        ) from None


def run_scenarios(
    text: str | dict[str, Any],
    draws: int | None = None,
    against: tuple[str, str] | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """Run every scenario of a file; `changes`: each scenario's LMDI decomposition from the
    base year to `year` (2030 or the last year projected); with `against` (base, other),
    `comparison`: theirs in `year`. `InputError` for a bad file or too much work."""
    if draws is not None and not 1 <= draws <= MAX_DRAWS:
        raise InputError([Problem(Place(field="draws"), f"between 1 and {MAX_DRAWS}")])
    spec, scenarios = parse(load(text))
    paths = sum(
        len(region.sectors)
        for scenario in scenarios.values()
        for region in scenario.region_map(spec.region).values()
    )
    asked = draws or spec.draws or DEFAULT_DRAWS
    if paths * (asked + 1) > MAX_WORK:
        raise InputError(
            [
                Problem(
                    Place(field="draws"),
                    f"{paths} sector paths x {asked} draws is more than one request may run "
                    f"({MAX_WORK:,} paths x draws): ask for fewer draws, or use the CLI",
                )
            ]
        )
    result, _, routes = run(spec, scenarios, draws)
    when = year if year is not None else min(2030, int(result["end"]))
    if against is not None:
        result["comparison"] = compare(routes, (against[0], when), (against[1], when))
    if when > spec.base_year and not routes.empty:  # each scenario's change from the base year
        result["changes"] = {
            name: compare(routes, (name, spec.base_year), (name, when)) for name in scenarios
        }
    return result


def history(
    sector: str = "industry", regions: list[str] | None = None, series: str | None = None
) -> dict[str, Any]:
    """Observed peaks of the CEADs provinces (a key sector) or of a national series."""
    reference = default_reference()
    if series is not None:
        return series_peak(reference, series)
    return observed_peaks(reference, sector, regions)


def lmdi(
    name: str, content: bytes, factors: list[str], method: str = "lmdi1", group: str | None = None
) -> dict[str, Any]:
    """The LMDI decomposition of an uploaded table (as `carbonpeak pathways lmdi`)."""
    if method not in METHODS:
        raise InputError([Problem(Place(field="method"), f"one of {', '.join(METHODS)}")])
    if not factors:
        raise InputError([Problem(Place(field="factors"), "name at least one factor")])
    tidy, problems, periods = check_table(read_upload(name, content, "data"), factors, group)
    if problems:
        raise InputError(place_problems(problems, Path(name), "data"))
    if group:
        return decompose_groups(tidy, factors, periods, method)
    return decompose(tidy, factors, periods, method)
