"""`carbonpeak policy`: one command per policy instrument, each judging a file against the rules
in force: capacity swaps, two-high projects, data centres, green factories, energy-use caps.

Each command judges through the floor-2 registry `carbonpeak.policy.INSTRUMENTS` (parse, then
judge into one `Verdict`) and renders that instrument's verdict. `COMMANDS` is this module's
one list: it registers `policy <name>` and keeps today's `carbonpeak <old group> <old verb>`
(`swap check`, `projects screen`, ...) as hidden aliases; a test checks that every instrument of
the registry has its command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from carbonpeak.cli._kit import (
    Alias,
    JsonOption,
    fail,
    out,
    placed,
    print_json,
    read_document,
    table,
    warn_lines,
)
from carbonpeak.errors import N_, Place, Problem

if TYPE_CHECKING:
    pass


def _judge(kind: str, path: Path, data: Any) -> dict[str, Any]:
    """The verdict of the instrument `kind` on a document read from `path` (its dict form),
    its problems placed there."""
    from carbonpeak.policy import INSTRUMENTS
    from carbonpeak.reference.loader import default_reference

    with placed(path):
        return INSTRUMENTS[kind].run(data, default_reference()).as_dict()


def _checks(checks: list[dict[str, Any]], detail: bool = True, source: bool = False) -> None:
    for item in checks:
        text = f"{'ok ' if item['passed'] else 'NO '}{item['rule']}"
        text += f": {item['detail']}" if detail else ""
        text += f" [{item['source']}]" if source else ""
        out.print(text, markup=False)


def swap(
    application: Annotated[Path, typer.Argument(help="The application (YAML or JSON).")],
    as_json: JsonOption = False,
) -> None:
    """Check a replacement application against the rules in force on its date: the ratio, the
    exit capacity required and provided, every rule checked with its source."""
    verdict = _judge("swap", application, read_document(application))
    if as_json:
        print_json(verdict)
        return
    out.print(
        f"{verdict['sector']} under {verdict['document']}: "
        + ("compliant" if verdict["compliant"] else "NOT compliant")
    )
    columns = [
        "stage",
        "case",
        "required_ratio",
        "required_exit_t",
        "provided_exit_t",
        "shortfall_t",
    ]
    out.print(table(None, columns, [[s[c] for c in columns] for s in verdict["stages"]]))
    _checks(verdict["checks"], source=True)
    warn_lines(verdict["warnings"])


def projects(
    project: Annotated[Path, typer.Argument(help="The project (YAML or JSON).")],
    budgets: Annotated[
        Path | None,
        typer.Option(
            "--budgets",
            help="A regional table as `policy caps` takes it: the region's remaining energy "
            "allowance of its latest year becomes the project's budget.",
        ),
    ] = None,
    target: Annotated[
        str, typer.Option("--target", help="The intensity target of --budgets.")
    ] = "industry_energy_2025",
    as_json: JsonOption = False,
) -> None:
    """Assess a project's carbon under NDRC Order 31 of 2025: its CO2 total and structure from
    its energy lines, unit-product energy and CO2, the region's CO2 budget and intensity, and
    the two-high screen (industry, design against the benchmark level, the route: NDRC window
    guidance or the province, the region's remaining budgets)."""
    data = read_document(project)
    if budgets is not None and isinstance(data, dict):
        data = {**data, "remaining_energy_budget_tce": _budget(budgets, target, data)}
    result = _judge("project", project, data)
    if as_json:
        print_json(result)
        return
    out.print(f"{result['verdict']} (route: {result['route'] or '-'})")
    if result.get("co2_t") is not None:
        out.print(f"{result['energy_tce']:,.0f} tce, {result['co2_t']:,.0f} t CO2 a year")
    _checks(result["checks"], source=result.get("co2_by_source_t") is not None)
    warn_lines(result["warnings"])


def _budget(budgets: Path, target: str, project: dict[str, Any]) -> float:
    """The remaining energy allowance of the project's region (or its province)."""
    from carbonpeak.io.lake import read_any
    from carbonpeak.policy.energy_caps import Target, check_table, remaining_for, track
    from carbonpeak.reference.loader import default_reference

    chosen = Target.of(default_reference(), target)
    tidy, problems = check_table(read_any(budgets, "regions"), chosen.indicator)
    if problems:
        with placed(budgets, "regions"):
            fail(problems)
    found = remaining_for(track(tidy, chosen), str(project.get("region_code", "")))
    if found is None:
        fail(
            Problem.of(
                Place(file=str(budgets)), N_("no row of the project's region or its province")
            )
        )
    return float(found[1])


def datacentre(
    centre: Annotated[
        Path,
        typer.Argument(
            help="The data centre (YAML or JSON): region_code, evaluation_date, racks, months."
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """PUE from metered total and IT energy, its GB 40879 grade and the policy targets that
    apply to the data centre's scope and place."""
    result = _judge("datacentre", centre, read_document(centre))
    if as_json:
        print_json(result)
        return
    grade = f"grade {result['grade']}" if result["grade"] else "no grade"
    out.print(f"PUE {result['pue']} over {result['months']} months: {grade}")
    _checks(result["checks"], detail=False, source=True)
    warn_lines(result["warnings"])


def factory(
    sheet: Annotated[Path, typer.Argument(help="The filled-in scoring sheet (YAML or JSON).")],
    as_json: JsonOption = False,
) -> None:
    """Score a green-factory sheet: vetoes (basic requirements, mandatory items), the weighted
    score, and what is missing."""
    result = _judge("factory", sheet, read_document(sheet))
    if as_json:
        print_json(result)
        return
    out.print(
        f"Score {result['score']} / 100; " + ("no veto" if result["passes_vetoes"] else "VETOED")
    )
    for line in result["vetoes"] + result["missing"]:
        out.print(f"- {line}", markup=False)


def caps(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="TABLE",
            help="region_code, year, value_added_10k_yuan, energy_tce (or co2_t), "
            "cap_tce (optional).",
        ),
    ],
    target: Annotated[
        str, typer.Option("--target", help="A target of the reference table intensity_targets.")
    ] = "industry_energy_2025",
    change: Annotated[
        float | None,
        typer.Option("--change", help="Your own target instead: the relative change, e.g. -0.14."),
    ] = None,
    base: Annotated[int | None, typer.Option("--base", help="Base year of --change.")] = None,
    end: Annotated[int | None, typer.Option("--end", help="Target year of --change.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Each region's intensity year by year against the path to its target: on track or not,
    the energy (or CO2) the path allows, used and remaining; and its cap where given."""
    from carbonpeak.io.lake import read_any
    from carbonpeak.policy.energy_caps import Target
    from carbonpeak.reference.loader import default_reference

    chosen = Target.of(default_reference(), target)
    if change is not None:
        if base is None or end is None or end <= base:
            fail("--change: give --base and a later --end with --change")
        chosen = Target("given", chosen.indicator, base, end, change, "input", False)
    with placed(path, "regions"):
        verdict = _judge("caps", path, {"target": chosen, "table": read_any(path, "regions")})
    rows = verdict["rows"]
    if as_json:
        print_json(verdict)
        return
    columns = [
        "region_code",
        "year",
        "intensity",
        "path_intensity",
        "on_track",
        "allowed",
        "used",
        "remaining",
    ]
    out.print(
        table(
            f"{chosen.indicator}: {chosen.change:+.1%} from {chosen.base_year} "
            f"to {chosen.target_year}",
            columns,
            [[r.get(c, r.get("error", "")) for c in columns] for r in rows],
        )
    )


@dataclass(frozen=True)
class Command:
    """A policy instrument's command: `policy <name>` for the registry's `kind`, and today's
    `<old_group> <old_verb>`."""

    kind: str
    name: str
    old_group: str
    old_verb: str
    old_help: str
    command: Callable[..., None]


COMMANDS = (
    Command(
        "swap",
        "swap",
        "swap",
        "check",
        "Production-capacity replacement: steel, cement clinker, flat glass, aluminium.",
        swap,
    ),
    Command(
        "project",
        "projects",
        "projects",
        "screen",
        "Projects: carbon assessment (Order 31) with the two-high screen.",
        projects,
    ),
    Command(
        "datacentre",
        "datacentre",
        "datacentre",
        "assess",
        "Green data centres: PUE, grade and policy targets.",
        datacentre,
    ),
    Command(
        "factory",
        "factory",
        "factory",
        "evaluate",
        "Green factories: the GB/T 36132 scoring sheet.",
        factory,
    ),
    Command(
        "caps",
        "caps",
        "caps",
        "track",
        "Energy-use control: intensity paths and caps by region.",
        caps,
    ),
)


def _group(commands: tuple[Command, ...]) -> typer.Typer:
    group = typer.Typer(
        name="policy",
        help="Policy instruments: capacity swaps, project carbon assessment (two-high "
        "screen), data centres, green factories, energy-use caps (also: swap, projects, "
        "datacentre, factory, caps).",
        no_args_is_help=True,
    )
    for command in commands:
        group.command(command.name)(command.command)
    return group


app = _group(COMMANDS)
# `projects assess`: the carbon assessment's own word, next to `projects screen`
ALIASES = (
    *(Alias((c.old_group, c.old_verb), c.command, c.old_help) for c in COMMANDS),
    Alias(("projects", "assess"), projects, COMMANDS[1].old_help),
)
