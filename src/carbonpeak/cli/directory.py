"""`carbonpeak directory`: the technology directory (绿色低碳技术目录 / 节能技术推荐目录) of the
configured store's library in force: search it in Chinese or English, show an entry with what
it is linked to, import a catalogue's spreadsheet as a draft edition, export the entries (CSV
or workbook), and record which entry a measure of the opportunity register used."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli._kit import Alias, JsonOption, fail, out, print_json, suffix, table

app = typer.Typer(
    name="directory",
    help="The technology directory: search, show, import a catalogue, export.",
    no_args_is_help=True,
)

Sector = Annotated[str | None, typer.Option("--sector", help="Only the entries of a sector.")]
Process = Annotated[
    str | None, typer.Option("--process", help="Only the entries of a process (工序).")
]
Catalogue = Annotated[
    str | None, typer.Option("--catalogue", help="Only the entries of a catalogue edition.")
]
Link = Annotated[
    str | None,
    typer.Option(
        "--link",
        help="Only the entries linked to a platform word: an equipment kind, a measure or a "
        "benchmark area (e.g. variable_speed_drive, cement_clinker).",
    ),
]
AsUser = Annotated[str, typer.Option("--as", help="The user acting.")]


def _filters(**given: Any) -> dict[str, Any]:
    return {k: v for k, v in given.items() if v}


@app.command("search")
def search(
    question: Annotated[str, typer.Argument(help="Words in Chinese or English.")] = "",
    sector: Sector = None,
    process: Process = None,
    catalogue: Catalogue = None,
    link: Link = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """The entries holding any word of the question (every entry without one), best first."""
    from carbonpeak.services.directory import search_in_store

    found = search_in_store(
        question,
        limit=limit,
        **_filters(sector=sector, process=process, catalogue=catalogue, link=link),
    )
    if as_json:
        print_json(found)
        return
    out.print(
        table(
            f"{len(found['results'])} shown of {found['found']} found, "
            f"{found['entries']} in the directory",
            ["key", "技术名称", "name", "sector", "process", "tce/a", "status", "示例"],
            [
                [
                    r["key"],
                    r["name_zh"],
                    r["name_en"],
                    r["sector"],
                    r["process"],
                    r["energy_saving"],
                    r["status"],
                    "示例 illustrative" if r["illustrative"] else "",
                ]
                for r in found["results"]
            ],
        )
    )


@app.command("show")
def show(
    key: Annotated[str, typer.Argument(help="The entry: catalogue:entry_no.")],
    as_json: JsonOption = False,
) -> None:
    """An entry, its source, the enterprises whose gaps it addresses and the register's
    measures that used it (with their verified savings)."""
    from carbonpeak.services.directory import technology_in_store

    entry = technology_in_store(key)
    if as_json:
        print_json(entry)
        return
    fields = [
        "name_zh",
        "name_en",
        "sector",
        "process",
        "problem_zh",
        "principle_zh",
        "saving_text",
        "energy_saving",
        "co2_reduction",
        "investment_min",
        "investment_max",
        "payback_min",
        "payback_max",
        "maturity",
        "illustrative",
        "source",
        "status",
        "note",
    ]
    out.print(table(entry["key"], ["field", "value"], [[f, entry.get(f)] for f in fields]))
    out.print(
        table(
            "gaps it addresses",
            ["enterprise", "name", "measures", "units"],
            [
                [
                    g["enterprise_id"],
                    g["name"],
                    " ".join(g["measures"]),
                    " ".join(u["area"] for u in g["units"]),
                ]
                for g in entry["gaps"]
            ],
        )
    )
    out.print(
        table(
            "measures that used it",
            ["#", "enterprise", "measure", "state", "expected tce/a", "verified tce/a"],
            [
                [
                    u["opportunity_id"],
                    u["enterprise_id"],
                    u["measure"],
                    u["state"],
                    u["expected_tce"],
                    u["verified_tce"],
                ]
                for u in entry["uses"]
            ],
        )
    )


@app.command("import")
def import_catalogue(
    path: Annotated[Path, typer.Argument(help="The catalogue's spreadsheet (.xlsx).")],
    as_user: AsUser,
    catalogue: Annotated[
        str, typer.Option("--catalogue", help="The edition's code, e.g. miit_2024_08.")
    ],
    source_id: Annotated[str, typer.Option("--source-id", help="The document's source id.")],
    title: Annotated[str, typer.Option("--title", help="The document's title as printed.")],
    issuer: Annotated[str, typer.Option("--issuer", help="The issuing body.")] = "",
    number: Annotated[
        str, typer.Option("--number", help="The document's number, e.g. 2024年第8号.")
    ] = "",
    issued: Annotated[str, typer.Option("--date", help="The date of issue.")] = "",
    url: Annotated[str, typer.Option("--url", help="Where the document can be read.")] = "",
    valid_from: Annotated[
        str, typer.Option("--valid-from", help="YYYY-MM-DD the entries apply from (today).")
    ] = "",
    verified: Annotated[
        bool,
        typer.Option("--verified", help="The rows were read in the cited document itself."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import a catalogue's spreadsheet (Chinese headers: 序号, 技术名称, 适用范围, ...) as a
    draft edition of the directory; a reviewer approves it (`reference approve`). An entry
    without its number or its source is refused, with its sheet, row and column."""
    from carbonpeak.services.directory import catalogue_info, import_catalogue_as

    suffix(path, (".xlsx",), "PATH")
    try:
        content = path.read_bytes()
    except OSError as error:
        fail(f"{path}: {error.strerror or error}")
    info = catalogue_info(
        catalogue=catalogue,
        source_id=source_id,
        title=title,
        issuer=issuer,
        document_number=number,
        date=issued,
        url=url,
        valid_from=valid_from,
        status="verified" if verified else "unverified",
    )
    made = import_catalogue_as(as_user, path.name, content, info)
    if as_json:
        print_json(made)
        return
    out.print(
        f"Draft edition {made['edition_id']} ({made['state']}): {made['changes']['tables']}; "
        "a reviewer approves it (carbonpeak reference approve)"
    )
    for warning in made.get("warnings", []):
        out.print(f"warning: {warning}")


@app.command("export")
def export(
    path: Annotated[Path, typer.Argument(help="The file to write: .csv or .xlsx.")],
    question: Annotated[str, typer.Option("--search", help="Only what a search finds.")] = "",
    sector: Sector = None,
    process: Process = None,
    catalogue: Catalogue = None,
    link: Link = None,
) -> None:
    """Write the directory's entries (those a search finds) as CSV or a workbook."""
    from carbonpeak.io.directory import workbook_bytes
    from carbonpeak.io.sheets import csv_text
    from carbonpeak.io.tables import atomic_path
    from carbonpeak.services.directory import export_in_store

    suffix(path, (".csv", ".xlsx"), "PATH")
    header, rows = export_in_store(
        question=question,
        **_filters(sector=sector, process=process, catalogue=catalogue, link=link),
    )
    with atomic_path(path) as temporary:
        if path.suffix.lower() == ".csv":
            temporary.write_bytes(csv_text(header, rows).encode("utf-8"))
        else:
            temporary.write_bytes(workbook_bytes(header, rows, "directory"))
    out.print(f"Written {path}: {len(rows)} entries")


@app.command("use")
def use(
    opportunity_id: Annotated[int, typer.Argument(help="The register's measure.")],
    key: Annotated[str, typer.Argument(help="The entry it used (catalogue:entry_no); - none.")],
    as_user: AsUser,
    as_json: JsonOption = False,
) -> None:
    """Record that a measure of the opportunity register used an entry of the directory."""
    from carbonpeak.services.directory import use_technology_as

    done = use_technology_as(as_user, opportunity_id, None if key == "-" else key)
    if as_json:
        print_json(done)
        return
    out.print(f"Measure {done['opportunity_id']}: {done['technology'] or 'no technology'}")


ALIASES: tuple[Alias, ...] = ()
