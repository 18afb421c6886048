"""What the command groups share: the consoles, `--json`, tables, dates, choices, the reading of
YAML/JSON documents and of activity tables, and the one way a command refuses its input.

The one way to fail: a command calls `fail(...)` (or lets a floor-2 `InputError` rise, placed
in its file by `placed(path)`); `carbonpeak.cli.main` hands every `CarbonpeakError` to `report`,
which prints each problem on stderr and gives exit code 2. A verdict that is not a failure (an
invalid USCC, a broken audit chain, a failing reference check) exits with `typer.Exit(code)`.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from carbonpeak.errors import N_, CarbonpeakError, InputError, Place, Problem

if TYPE_CHECKING:
    import pandas as pd

    from carbonpeak.reference.loader import Reference

PROBLEMS_SHOWN = 200  # a file with thousands of bad rows prints the first ones and a count


def _console(stderr: bool) -> Console:
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:  # pipes and files get whole lines, not an 80-column wrap
        console.width = 200
    return console


out = _console(stderr=False)
err = _console(stderr=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


PROGRESS_BYTES = 20 * 2**20
"""Inputs at least this large (a few seconds of work) get a progress bar on a terminal."""


@contextmanager
def steps_bar(label: str, size: int) -> Iterator[Callable[[str, int, int], None]]:
    """A callback `(step, number, total)` that shows a Rich progress bar of the steps of a long
    job on the terminal (standard error), when the input is `PROGRESS_BYTES` or more; silent
    otherwise and when standard error is not a terminal."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    if size < PROGRESS_BYTES or not err.is_terminal:
        yield lambda step, number, total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=1)

        def tell(step: str, number: int, total: int) -> None:
            bar.update(task, description=f"{label}: {step}", completed=number - 1, total=total)

        yield tell
        bar.update(task, completed=bar.tasks[0].total or 1)


def print_json(data: Any) -> None:
    """Print `data` as strict JSON (what is not JSON, such as dates, as text). A number that is
    not finite has no JSON form: it is refused, naming where it is, and nothing is printed."""
    try:
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str, allow_nan=False)
    except ValueError:
        where = _not_finite(data, "") or "?"
        raise InputError(
            Problem.of(Place(field=where), N_("not a finite number: no JSON printed"))
        ) from None
    sys.stdout.write(text + "\n")


def _not_finite(data: Any, where: str) -> str | None:
    """The path (`rows[1].energy_tce`) of the first number in `data` that is not finite."""
    if isinstance(data, float) and not math.isfinite(data):
        return where
    if isinstance(data, dict):
        items: Iterable[tuple[str, Any]] = (
            (f"{where}.{k}" if where else str(k), v) for k, v in data.items()
        )
    elif isinstance(data, list | tuple):
        items = ((f"{where}[{i}]", v) for i, v in enumerate(data))
    else:
        return None
    for path, value in items:
        found = _not_finite(value, path)
        if found is not None:
            return found
    return None


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """A Rich table of text cells (None prints as an empty cell)."""
    shown = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        shown.add_column(column, overflow="fold")
    for row in rows:
        shown.add_row(*("" if v is None else str(v) for v in row))
    return shown


def warn_lines(warnings: Sequence[Any]) -> None:
    """Print a result's warnings (texts, or dicts with a message) as `- ...` lines."""
    for warning in warnings:
        text = warning["message"] if isinstance(warning, dict) else warning
        out.print(f"- {text}", markup=False)


# -- the one way to fail ---------------------------------------------------------------------


def fail(problems: str | Problem | list[Problem]) -> NoReturn:
    """Refuse the command's input: `report` prints the problems and the exit code is 2.
    A text names its option itself (`--from '2024-13-01' is not a date`)."""
    raise InputError(problems)


def report(error: CarbonpeakError) -> int:
    """Print an error a user can act on, one placed problem a line; return exit code 2."""
    problems = error.problems if isinstance(error, InputError) else [Problem(Place(), str(error))]
    for problem in problems[:PROBLEMS_SHOWN]:
        err.print(f"error: {problem}", markup=False)
    if len(problems) > PROBLEMS_SHOWN:
        err.print(f"... and {len(problems) - PROBLEMS_SHOWN} more", markup=False)
    if len(problems) > 1:
        err.print(f"{len(problems)} problem(s); nothing was computed or written", markup=False)
    return 2


@contextmanager
def placed(path: Path, sheet: str | None = None) -> Iterator[None]:
    """Problems raised in the block that name no file are placed in `path` (and `sheet` of a
    workbook), keeping their row, column, field and translation template."""
    from carbonpeak.io.tables import place_problems

    try:
        yield
    except InputError as error:
        raise InputError(
            [p if p.place.file else place_problems([p], path, sheet)[0] for p in error.problems]
        ) from None


# -- inputs ----------------------------------------------------------------------------------


def read_document(path: Path) -> Any:
    """A YAML (or JSON) document: an application, a plan, a scenario, a plant."""
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(Problem.of(Place(file=str(path)), N_("file not found")))
    except IsADirectoryError:
        fail(Problem.of(Place(file=str(path)), N_("a folder, not a file")))
    except OSError as error:
        fail(Problem.of(Place(file=str(path)), N_("cannot read the file: {}"), error.strerror))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        fail(Problem.of(Place(file=str(path)), N_("not YAML or JSON ({})"), error))


def day(text: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option as a date."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a date (YYYY-MM-DD)")


def span(text: str | None, option: str) -> tuple[date, date] | None:
    """A FROM..TO option as two dates in order."""
    if text is None:
        return None
    first, sep, last = text.partition("..")
    begin, end = day(first, option), day(last, option) if sep else None
    if begin is None or end is None or end < begin:
        fail(f"{option} {text!r} is not FROM..TO (two dates, in order)")
    return begin, end


def choice(value: str, allowed: Sequence[str], option: str) -> str:
    """`value` if it is one of `allowed`."""
    if value not in allowed:
        fail(f"{option} {value!r}: choose one of {', '.join(allowed)}")
    return value


def renamed(new: tuple[str, str | None], old: tuple[str, str | None]) -> tuple[str, str | None]:
    """The (option, value) the user gave of an option renamed from `old` to `new` (see
    docs/naming.md): the new one wins; the old one still works and says it is deprecated."""
    if old[1] is not None and new[1] is None:
        err.print(f"note: {old[0]} is deprecated; use {new[0]}", markup=False)
        return old
    return new


def names(text: str, option: str, what: str = "column") -> list[str]:
    """A comma-separated list of at least one name."""
    found = [n.strip() for n in text.split(",") if n.strip()]
    if not found:
        fail(f"{option}: name at least one {what}")
    return found


def suffix(path: Path | None, allowed: Sequence[str], option: str) -> None:
    """Refuse an output file whose name does not say one of the formats written."""
    if path is not None and path.suffix.lower() not in allowed:
        fail(f"{option} {path}: name it " + " or ".join(f"*{s}" for s in allowed))


ActivityArgument = Annotated[
    Path, typer.Argument(help="Activity table: CSV, or .xlsx with sheet activity.")
]
EnterprisesOption = Annotated[
    Path | None,
    typer.Option(
        "--enterprises",
        help="Enterprises table (CSV, or sheet `enterprises`): enterprise_id, region_code, ...",
    ),
]


def read_activity_files(
    activity: Path, enterprises: Path | None
) -> tuple[Reference, pd.DataFrame, pd.DataFrame | None]:
    """The reference and the checked activity and enterprises tables (every problem placed)."""
    from carbonpeak.io.activity import read_activity
    from carbonpeak.reference.loader import default_reference

    reference = default_reference()
    frame, enterprise_frame = read_activity(activity, reference, enterprises)
    return reference, frame, enterprise_frame


# -- today's names ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Alias:
    """Today's name of a group or a command, kept working and hidden from `--help`: one word
    names a group (`monitor`) or a top-level command (`account`); two words a command of a
    group of aliases (`swap check`), whose help is `group_help`."""

    path: tuple[str, ...]
    target: typer.Typer | Callable[..., None]
    group_help: str = ""
