"""The `carbonpeak` command line: the root command, built from one group module per wing.

Every command that prints results takes `--json`. Bad input gives a readable message on stderr
and exit code 2 (`_kit.fail`, printed by `_kit.report`); `reference check` exits 1 when the
tables have problems. No traceback reaches a user: an unexpected failure is reported in one
line with exit code 70.

`GROUPS` is the one list of group modules; this package is the only importer of them. Each
exports `app` (its Typer group, named after its wing; `demo` has no name, so its `demo` and
`serve` join the root) and `ALIASES`, today's names of its commands, which keep working and are
hidden from `--help` (each group's help names them).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from carbonpeak import __version__
from carbonpeak.cli import (
    accounting,
    benchmarking,
    budgets,
    credits,
    demo,
    diagnosis,
    directory,
    green,
    market,
    monitoring,
    pathways,
    policy,
    product,
    reference,
    store,
    units,
    users,
    utilisation,
    validate,
)
from carbonpeak.cli._kit import Alias, err, out, report
from carbonpeak.errors import CarbonpeakError

GROUPS = (
    reference,
    validate,
    units,
    accounting,
    benchmarking,
    monitoring,
    budgets,
    credits,
    market,
    product,
    utilisation,
    policy,
    pathways,
    diagnosis,
    green,
    directory,
    store,
    users,
    demo,
)


def _version(value: bool) -> None:
    if value:
        out.print(f"carbonpeak {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """carbonpeak: energy and carbon accounts, grades and policy engines for industry."""


def _register(root: typer.Typer, aliases: tuple[Alias, ...]) -> None:
    """Register today's names, hidden: a group under a second name, a command at the top, or
    a command in a group of aliases (`swap check`), made once per group name."""
    alias_groups: dict[str, typer.Typer] = {}
    for alias in aliases:
        if isinstance(alias.target, typer.Typer):
            root.add_typer(alias.target, name=alias.path[0], hidden=True)
        elif len(alias.path) == 1:
            root.command(alias.path[0], hidden=True)(alias.target)
        else:
            group_name, command = alias.path
            if group_name not in alias_groups:
                alias_groups[group_name] = typer.Typer(help=alias.group_help, no_args_is_help=True)
                root.add_typer(alias_groups[group_name], name=group_name, hidden=True)
            alias_groups[group_name].command(command)(alias.target)


def _build() -> typer.Typer:
    root = typer.Typer(
        name="carbonpeak",
        help="carbonpeak: energy and carbon accounts, grades and policy engines for industry.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    root.callback()(_root)
    for group in GROUPS:
        root.add_typer(group.app)
    _register(root, tuple(alias for group in GROUPS for alias in group.ALIASES))
    return root


app = _build()


def command_index() -> str:
    """Every visible command with the first line of its help, as a Markdown table (the
    README's command index, written by scripts/docs.py and checked by tests/test_docs.py)."""
    command = typer.main.get_command(app)
    rows: list[tuple[str, str]] = []

    def walk(node: Any, path: list[str]) -> None:
        if hasattr(node, "commands"):  # a group (typer bundles its own click)
            for name, child in node.commands.items():
                if not child.hidden:
                    walk(child, [*path, name])
        else:
            paragraph = " ".join((node.help or "").strip().split("\n\n")[0].split())
            first = paragraph.split(". ")[0].rstrip(".")
            rows.append((" ".join(["carbonpeak", *path]), first))

    walk(command, [])
    lines = ["| command | what it does |", "|---|---|"]
    bar = "\\|"
    lines += [f"| `{name}` | {text.replace('|', bar)} |" for name, text in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of exiting."""
    try:
        app(args=argv, prog_name="carbonpeak")
    except SystemExit as exc:  # typer exits with the command's code, 2 on usage errors
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except CarbonpeakError as exc:  # the one way to fail: every problem placed, exit 2
        return report(exc)
    except Exception as exc:  # the last guard: no traceback reaches a user
        err.print(f"internal error: {type(exc).__name__}: {exc}", markup=False)
        return 70
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
