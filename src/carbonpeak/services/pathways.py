"""Pathway services for the API and the dashboard: run a scenario file (with a bound on the
work one request may ask for), compare two of its scenarios, read the observed history, and
decompose an uploaded table by LMDI. Nothing is stored.

The observed history, the builder's provinces and base-year values and the scenario workbook
come from the library in force of the store (`services.reference.library_in_force`: the
shipped tables with the approved editions) when a session is given; the CLI's file commands
(`pathways template`, `pathways run` of a workbook), which work without a store, pass None
and use the shipped library (as do the tests of the builder's files, without a store). The
projection itself reads only the scenario file."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.pathways_book import scenario_book_bytes, write_scenario_book
from carbonpeak.io.pathways_book_read import read_scenario_book
from carbonpeak.io.tables import place_problems, read_upload
from carbonpeak.pathways.builder import example_plan, file_of, read_form, scenario_of
from carbonpeak.pathways.compare import compare
from carbonpeak.pathways.history import ceads_history, observed_peaks, series_peak
from carbonpeak.pathways.lmdi import METHODS, check_table, decompose, decompose_groups
from carbonpeak.pathways.projection import DEFAULT_DRAWS, parse
from carbonpeak.pathways.run import run
from carbonpeak.reference.loader import Reference, default_reference
from carbonpeak.services.reference import library_in_force

# One request may ask for at most this many sector-paths x draws: the benchmark's 310 sectors
# x 10,001 draws (3.1 M) take about 4.4 s on 2 cores (docs/performance.md).
MAX_WORK = 3_200_000
MAX_DRAWS = 20_000
WEB_DRAWS = 1000  # the builder's draws: a second or two for a few provinces
# the key sectors the builder offers, in the order of the history page
BUILDER_SECTORS = (
    "industry",
    "steel",
    "building_materials",
    "nonferrous",
    "chemicals",
    "petrochemicals",
    "power",
)


def _library(session: Session | None) -> Reference:
    """The library in force of the store of `session`; the shipped library without one (the
    CLI's file commands)."""
    return default_reference() if session is None else library_in_force(session)


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
    session: Session | None,
    sector: str = "industry",
    regions: list[str] | None = None,
    series: str | None = None,
) -> dict[str, Any]:
    """Observed peaks of the CEADs provinces (a key sector) or of a national series, in the
    library in force (`_library`)."""
    reference = _library(session)
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


def builder_choices(session: Session | None) -> dict[str, Any]:
    """What the scenario builder offers: the key sectors and provinces of the observed history
    (CEADs), each province with its Chinese and English name, and its last year (the base), in
    the library in force (`_library`)."""
    return copy.deepcopy(_choices(_library(session)))


@functools.lru_cache(maxsize=4)  # the history is read once per reference (60 ms a read)
def _choices(reference: Reference) -> dict[str, Any]:
    table = ceads_history(reference)
    names = {str(r["region_code"]): r for r in reference.rows("regions")}
    regions = [
        {
            "code": code,
            "name_zh": str(names[code]["name_zh"]) if code in names else code,
            "name_en": str(names[code]["name_en"]) if code in names else code,
        }
        for code in sorted({str(c) for c in table["region_code"]})
    ]
    sectors = [s for s in BUILDER_SECTORS if s in set(table["key_sector"])]
    flags: dict[str, set[str]] = {}
    for row in reference.rows("ceads_sectors"):
        flags.setdefault(str(row["key_sector"]), set()).add(str(row["industry"]))
    parts = [s for s in sectors if flags.get(s) == {"yes"}]  # industry sums these
    return {
        "sectors": sectors,
        "regions": regions,
        "base_year": int(table["year"].max()),
        "wholes": {"industry": parts},
    }


def _base_values(session: Session | None, base_year: int) -> dict[tuple[str, str], float]:
    return dict(_base_of(_library(session), base_year))


@functools.lru_cache(maxsize=4)
def _base_of(reference: Reference, base_year: int) -> dict[tuple[str, str], float]:
    table = ceads_history(reference)
    rows = table[table["year"] == base_year]
    return {
        (str(r), str(s)): float(v)
        for r, s, v in zip(rows["region_code"], rows["key_sector"], rows["co2"], strict=True)
    }


def _kept(text: str) -> tuple[dict[str, Any], int | None]:
    """The scenarios of a kept builder file (for comparison) and its horizon (None without
    one). The file is read as the engine reads a scenario file (`parse`): a hidden field edited
    into anything else (`horizon: abc`) is an `InputError` at field `kept`."""
    if not text.strip():
        return {}, None
    refused = InputError([Problem.of(Place(field="kept"), N_("the kept scenario is not a file"))])
    try:
        kept = yaml.safe_load(text)
    except yaml.YAMLError:
        raise refused from None
    if not isinstance(kept, dict) or not isinstance(kept.get("scenarios"), dict):
        raise refused
    try:
        spec, _scenarios = parse(kept)
    except InputError:
        raise refused from None
    return dict(kept["scenarios"]), int(spec.horizon)


def kept_names(kept: str) -> list[str]:
    """The names of the kept scenarios (`InputError` at field `kept` for a bad one)."""
    return list(_kept(kept)[0])


def build_scenario(
    session: Session | None,
    fields: Mapping[str, Sequence[str]],
    kept: str = "",
    draws: int = WEB_DRAWS,
) -> dict[str, Any]:
    """A filled builder form as a scenario file: `file` (the mapping), `text` (its YAML, with
    the kept scenario beside it for comparison), `own` (the YAML of this scenario alone) and
    `names` (kept first); the base year's values from the library in force. `InputError` with
    every problem placed by field; nothing is run."""
    choices = builder_choices(session)
    base_year = choices["base_year"]
    codes = [r["code"] for r in choices["regions"]]
    plan = read_form(fields, choices["sectors"], codes, base_year, choices["wholes"])
    scenario = scenario_of(plan, _base_values(session, base_year), base_year)
    others, kept_horizon = _kept(kept)
    if plan.name in others:
        raise InputError(
            [Problem.of(Place(field="name"), N_("{} is the kept scenario's name"), plan.name)]
        )
    horizon = max(plan.horizon, kept_horizon or plan.horizon)
    file = file_of({**others, plan.name: scenario}, base_year, horizon, draws)
    own = file_of({plan.name: scenario}, base_year, plan.horizon, draws)
    parse(file)  # the engine reads what the form wrote (raises as for a file)
    return {
        "file": file,
        "text": dump(file),
        "own": dump(own),
        "names": [*others, plan.name],
    }


def dump(file: dict[str, Any]) -> str:
    """A scenario file's YAML as an analyst would read it (keys in their order, Unicode)."""
    return yaml.safe_dump(file, allow_unicode=True, sort_keys=False)


def run_builder(
    session: Session | None,
    fields: Mapping[str, Sequence[str]],
    kept: str = "",
    draws: int = WEB_DRAWS,
) -> dict[str, Any]:
    """Build the scenario (`build_scenario`) and run it with the kept one: `result` as
    `run_scenarios` gives it and, for two scenarios, `difference`: their totals every five
    years (and the base year and the horizon), the second minus the first."""
    built = build_scenario(session, fields, kept, draws)
    names = built["names"]
    against = (names[0], names[1]) if len(names) == 2 else None
    result = run_scenarios(built["file"], draws, against)
    built["result"] = result
    if against is not None:
        first, second = (result["scenarios"][n]["total"]["values"] for n in against)
        years = [y for y in first if y in second]
        shown = [y for y in years if int(y) % 5 == 0 or y in (years[0], years[-1])]
        built["difference"] = [
            {"year": int(y), "first": first[y], "second": second[y], "change": second[y] - first[y]}
            for y in shown
        ]
    return built


def scenario_workbook(
    session: Session | None, path: Path | None = None, blank: bool = False
) -> bytes | None:
    """The scenario workbook to fill in (io/pathways_book.py): the builder's sectors and
    provinces (`builder_choices`) as drop-downs, the builder's example filled in unless
    `blank`; written to `path` (atomically), else returned as bytes."""
    choices = builder_choices(session)
    plans = [] if blank else [example_plan(int(choices["base_year"]))]
    if path is not None:
        write_scenario_book(path, choices, plans)
        return None
    return scenario_book_bytes(choices, plans)


def read_scenario_workbook(
    session: Session | None, source: Path | bytes, name: str | None = None, draws: int = WEB_DRAWS
) -> dict[str, Any]:
    """The scenario file a filled workbook says, as the builder writes it, read as the engine
    reads a scenario file (`parse`); `InputError` with every problem placed by file, sheet,
    row and header as written."""
    choices = builder_choices(session)
    base_year = int(choices["base_year"])
    file = read_scenario_book(source, choices, _base_values(session, base_year), draws, name)
    parse(file)
    return file
