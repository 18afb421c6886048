"""`carbonpeak reference`: list, show and check the cited reference tables and their sources."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carbonpeak.cli._kit import Alias, JsonOption, day, err, out, print_json, table

if TYPE_CHECKING:
    from carbonpeak.reference.loader import Reference

app = typer.Typer(name="reference", help="The cited reference tables.", no_args_is_help=True)
ALIASES: tuple[Alias, ...] = ()

DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="A reference data directory (default: the packaged tables)."),
]


def _reference(data: Path | None) -> Reference:
    from carbonpeak.reference.loader import Reference, default_reference

    return Reference.load(data) if data else default_reference()


@app.command("list")
def reference_list(data: DataOption = None, as_json: JsonOption = False) -> None:
    """List the reference tables: rows, verified and unverified, description."""
    ref = _reference(data)
    rows = []
    for name in ref.table_names:
        spec = ref.spec(name)
        counts = ref.counts(name)
        rows.append(
            {
                "table": name,
                "rows": sum(counts.values()),
                "verified": counts.get("verified", 0),
                "unverified": counts.get("unverified", 0),
                "temporal": spec.temporal,
                "authority_supplied": spec.authority_supplied,
                "key": list(spec.key),
                "description": " ".join(spec.description.split()),
            }
        )
    if as_json:
        print_json({"tables": rows})
        return
    out.print(
        table(
            "Reference tables",
            ["table", "rows", "verified", "unverified", "by date", "description"],
            [
                [
                    r["table"],
                    r["rows"],
                    r["verified"],
                    r["unverified"],
                    "yes" if r["temporal"] else "",
                    r["description"],
                ]
                for r in rows
            ],
        )
    )


@app.command("show")
def reference_show(
    name: Annotated[
        str, typer.Argument(metavar="TABLE", help="Table name (see `reference list`).")
    ],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Only rows in force on this date (YYYY-MM-DD).")
    ] = None,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a table's rows, with their source and status."""
    ref = _reference(data)
    when = day(as_of, "--as-of")
    spec = ref.spec(name)
    records = ref.rows(name, as_of=when)
    if as_json:
        print_json(
            {
                "table": name,
                "as_of": when,
                "key": list(spec.key),
                "rows": [{"line": r.line, **dict(r.values)} for r in records],
            }
        )
        return
    columns = [c for c in spec.header if c != "note"]
    title = f"{name}" + (f" in force on {when}" if when else "") + f": {len(records)} rows"
    out.print(table(title, columns, [[r.get(c) for c in columns] for r in records]))


@app.command("sources")
def reference_sources(data: DataOption = None, as_json: JsonOption = False) -> None:
    """List the documents the reference rows cite."""
    sources = _reference(data).sources
    if as_json:
        print_json({"sources": [s.__dict__ for s in sources]})
        return
    out.print(
        table(
            f"Sources: {len(sources)}",
            ["source_id", "title", "number", "date", "url"],
            [[s.source_id, s.title, s.document_number, s.date, s.url] for s in sources],
        )
    )


@app.command("check")
def reference_check(data: DataOption = None, as_json: JsonOption = False) -> None:
    """Validate every reference table; exit 1 listing every problem."""
    from carbonpeak.reference.loader import check, iter_problems

    problems = check(data)
    if as_json:
        print_json({"ok": not problems, "problems": iter_problems(problems)})
    elif problems:
        for problem in problems:
            err.print(str(problem), markup=False)
        err.print(f"{len(problems)} problem(s)")
    else:
        out.print("reference tables: ok")
    if problems:
        raise typer.Exit(1)  # a verdict on the tables, not a refused input
