"""`carbonpeak reference`: list, show and check the cited reference tables and their sources."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from carbonpeak.cli._kit import Alias, JsonOption, day, err, fail, out, print_json, table

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
    """List the reference tables: code, Chinese name, rows, verified, unverified, description."""
    ref = _reference(data)
    rows = []
    for name in ref.table_names:
        spec = ref.spec(name)
        counts = ref.counts(name)
        rows.append(
            {
                "table": name,
                "name_zh": spec.name_zh,
                "name_en": spec.name_en,
                "rows": sum(counts.values()),
                "verified": counts.get("verified", 0),
                "unverified": counts.get("unverified", 0),
                "temporal": spec.temporal,
                "authority_supplied": spec.authority_supplied,
                "by_edition": spec.by_edition,
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
            ["table", "名称 name", "rows", "verified", "unverified", "by date", "description"],
            [
                [
                    r["table"],
                    r["name_zh"],
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


# -- editions (issue 20) --------------------------------------------------------------------

AsUser = Annotated[str, typer.Option("--as", help="The user acting (who holds the duty).")]


@app.command("edition-template")
def edition_template(
    path: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
    tables: Annotated[
        list[str] | None, typer.Option("--table", help="A table the edition changes (repeat).")
    ] = None,
) -> None:
    """Write a blank edition workbook: its document and date, sources, and a sheet per table."""
    from carbonpeak.io.reference_edition import write_edition_template
    from carbonpeak.io.tables import atomic_path
    from carbonpeak.reference.loader import default_reference
    from carbonpeak.services.reference_editions import edition_template_tables

    if path.suffix.lower() != ".xlsx":
        fail(f"{path}: an edition is an Excel workbook, name it *.xlsx")
    chosen = edition_template_tables(default_reference(), tables or [])
    with atomic_path(path) as temporary:
        write_edition_template(temporary, default_reference(), chosen)
    out.print(f"Written {path}: sheets 版本 (edition), 来源 (sources), {', '.join(chosen)}")


@app.command("import")
def edition_import(
    path: Annotated[
        Path, typer.Argument(help="The edition workbook (.xlsx), or a package (.zip).")
    ],
    as_user: AsUser,
    as_json: JsonOption = False,
) -> None:
    """Import an edition of the reference library as a draft, and show what it would change."""
    from carbonpeak.services.reference_editions import import_edition_as

    try:
        content = path.read_bytes()
    except OSError as error:
        fail(f"{path}: {error.strerror or error}")
    made = import_edition_as(as_user, path.name, content)
    if as_json:
        print_json(made)
        return
    _show_edition(made)


@app.command("export")
def edition_export(
    edition_id: Annotated[int, typer.Argument(help="The approved edition's number.")],
    path: Annotated[Path, typer.Argument(help="The package to write (.zip).")],
) -> None:
    """Export an approved edition as a package (zip, hashed) another installation imports."""
    from carbonpeak.io.tables import atomic_path
    from carbonpeak.services.reference_editions import export_edition_from_store

    if path.suffix.lower() != ".zip":
        fail(f"{path}: a package is a zip file, name it *.zip")
    _, content = export_edition_from_store(edition_id)
    with atomic_path(path) as temporary:
        temporary.write_bytes(content)
    out.print(f"Written {path}: edition {edition_id} as a package ({len(content):,} bytes)")


@app.command("editions")
def editions(as_json: JsonOption = False) -> None:
    """The editions of the store's reference library, newest first."""
    from carbonpeak.services.reference_editions import editions_in_store

    found = editions_in_store()
    if as_json:
        print_json({"editions": found})
        return
    out.print(
        table(
            "Reference editions",
            ["#", "state", "valid_from", "source_id", "rows", "author", "reviewer"],
            [
                [
                    e["edition_id"],
                    e["state"],
                    e["valid_from"],
                    e["source_id"],
                    e["rows"],
                    e["author"] or "",
                    e["reviewer"] or "",
                ]
                for e in found
            ],
        )
    )


@app.command("edition")
def edition_show(
    edition_id: Annotated[int, typer.Argument(help="The edition's number.")],
    as_json: JsonOption = False,
) -> None:
    """One edition with what it changes (a draft: over the library in force now)."""
    from carbonpeak.services.reference_editions import editions_in_store

    shown = editions_in_store(edition_id)
    if as_json:
        print_json(shown)
        return
    _show_edition(shown)


def _decide(edition_id: int, as_user: str, comment: str, verdict: str, as_json: bool) -> None:
    from carbonpeak.services.reference_editions import decide_as

    verdicts: dict[str, Literal["approve", "reject", "withdraw"]] = {
        "approve": "approve",
        "reject": "reject",
        "withdraw": "withdraw",
    }
    done = decide_as(as_user, edition_id, verdicts[verdict], comment)
    if as_json:
        print_json(done)
        return
    who = done["withdrawn_by"] if verdict == "withdraw" else done["reviewer"]
    out.print(f"edition {done['edition_id']}: {done['state']} by {who}")


Comment = Annotated[str, typer.Option("--comment", help="Why (required).")]


@app.command("approve")
def edition_approve(
    edition_id: Annotated[int, typer.Argument(help="The draft's number.")],
    as_user: AsUser,
    comment: Comment,
    as_json: JsonOption = False,
) -> None:
    """Approve a draft edition (a reviewer who did not import it): in force from its date."""
    _decide(edition_id, as_user, comment, "approve", as_json)


@app.command("reject")
def edition_reject(
    edition_id: Annotated[int, typer.Argument(help="The draft's number.")],
    as_user: AsUser,
    comment: Comment,
    as_json: JsonOption = False,
) -> None:
    """Reject a draft edition, saying why."""
    _decide(edition_id, as_user, comment, "reject", as_json)


@app.command("withdraw")
def edition_withdraw(
    edition_id: Annotated[int, typer.Argument(help="The approved edition's number.")],
    as_user: AsUser,
    comment: Comment,
    as_json: JsonOption = False,
) -> None:
    """Withdraw an approved edition (a reviewer): out of the library in force from now on."""
    _decide(edition_id, as_user, comment, "withdraw", as_json)


def _show_edition(shown: dict[str, object]) -> None:
    out.print(
        f"edition {shown['edition_id']} ({shown['state']}): {shown['title']}, "
        f"from {shown['valid_from']}, {shown['rows']} rows"
    )
    changes, impact = shown["changes"], shown.get("impact") or []
    assert isinstance(changes, dict) and isinstance(impact, list)
    for problem in changes.get("problems", []):
        err.print(problem, markup=False)
    out.print(
        table(
            "What it changes",
            ["table", "action", "key", "column", "before", "after"],
            [
                [
                    r["table"],
                    r["action"],
                    ", ".join(f"{k}={v}" for k, v in r["key"].items()),
                    c,
                    "" if r["before"] is None else str(r["before"].get(c)),
                    "" if r["after"] is None else str(r["after"].get(c)),
                ]
                for r in changes["rows"]
                for c in r["columns"]
            ],
        )
    )
    if impact:
        out.print(
            table(
                "On the official reports stored",
                ["year", "reports", "changed", "co2e before (t)", "co2e after (t)", "change %"],
                [
                    [
                        y["year"],
                        y["accounts"],
                        y["changed"],
                        f"{y['co2e_t_before']:,.1f}",
                        f"{y['co2e_t_after']:,.1f}",
                        "" if y["co2e_t_change_pct"] is None else f"{y['co2e_t_change_pct']:+.3f}",
                    ]
                    for y in impact
                ],
            )
        )
