"""`carbonpeak green`: green products and efficient motors in the store. The registries of
certified green building materials and of the green manufacturing lists (green factories,
green design products, green supply chains) linked to the platform's enterprises by unified
social credit code; a published list imported as a draft edition of the reference library
(approved by another person with `carbonpeak reference approve`); the motors of the registered
diagnoses by GB 18613-2020 grade against the motor plan's target. A command acts as the user
named by `--as`, seeing what that user may."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli._kit import (
    Alias,
    JsonOption,
    choice,
    day,
    fail,
    out,
    print_json,
    suffix,
    table,
)
from carbonpeak.services import green

app = typer.Typer(
    name="green",
    help="Green products (绿色建材, 绿色制造名单) and efficient motors (GB 18613).",
    no_args_is_help=True,
)
ALIASES: tuple[Alias, ...] = ()

AsOption = Annotated[str, typer.Option("--as", help="The user acting (a store user's name).")]
OnOption = Annotated[
    str | None, typer.Option("--on", help="The day the certificates stand on (default: today).")
]
WithinOption = Annotated[
    int,
    typer.Option("--within", help="Expiring: expires within this many days.", min=0, max=3660),
]
ByOption = Annotated[
    str,
    typer.Option(
        "--by", help="Group by region (rolled up to the prefecture), province or industry."
    ),
]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Also write the table (.csv or .xlsx).")
]


def _write(path: Path | None, what: str, view: dict[str, Any]) -> None:
    """The table of the view printed written to --out (its name checked first, by
    `_checked_out`); the store is not asked again."""
    if path is None:
        return
    from carbonpeak.io.tables import atomic_path

    content = green.table_of(what, view, "csv" if path.suffix.lower() == ".csv" else "xlsx")
    with atomic_path(path) as temporary:
        temporary.write_bytes(content)
    out.print(f"Written {path}")


def _entries(title: str, entries: list[dict[str, Any]]) -> None:
    columns = ["kind", "key", "enterprise_name", "title", "star_level", "expires_on", "status"]
    out.print(table(title, columns, [[e[c] for c in columns] for e in entries]))


def _checked_out(path: Path | None) -> None:
    """Refuse an --out whose name says no format before anything is read or printed."""
    suffix(path, (".csv", ".xlsx"), "--out")


@app.command("certificates")
def certificates(
    as_user: AsOption,
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="One enterprise's (its code).")
    ] = None,
    on: OnOption = None,
    within: WithinOption = 90,
    path: OutOption = None,
    as_json: JsonOption = False,
) -> None:
    """The certificates and listings the user sees, with each certificate's expiry and status
    (valid, expiring within --within days, expired)."""
    _checked_out(path)
    options = {"enterprise_id": enterprise, "on": day(on, "--on"), "within_days": within}
    view = green.as_user(as_user, green.certifications, **options)
    if as_json:
        print_json(view)
    else:
        _entries(f"{len(view['entries'])} entries on {view['on']}", view["entries"])
    _write(path, "certificates", view)


@app.command("expiring")
def expiring(
    as_user: AsOption,
    within: WithinOption = 90,
    on: OnOption = None,
    path: OutOption = None,
    as_json: JsonOption = False,
) -> None:
    """The certificates expiring within --within days (valid today, soonest first)."""
    _checked_out(path)
    options = {"on": day(on, "--on"), "within_days": within}
    view = green.as_user(as_user, green.certifications, **options)
    if as_json:
        print_json(view["expiring"])
    else:
        _entries(f"expiring within {within} days of {view['on']}", view["expiring"])
    _write(path, "expiring", view)


@app.command("summary")
def summary(
    as_user: AsOption,
    by: ByOption = "region",
    on: OnOption = None,
    within: WithinOption = 90,
    path: OutOption = None,
    as_json: JsonOption = False,
) -> None:
    """Counts and shares of enterprises holding each registry's entries, by region or
    industry division, with the expiring certificates and the unmatched entries."""
    _checked_out(path)
    choice(by, green.GROUPINGS, "--by")
    options = {"by": by, "on": day(on, "--on"), "within_days": within}
    view = green.as_user(as_user, green.summary, **options)
    if as_json:
        print_json(view)
    else:
        kinds = ("building_material", "factory", "design_product", "supply_chain")
        rows = [
            [g["code"], g["enterprises"], *(_share(g["shares"][k]) for k in kinds), g["expiring"]]
            for g in view["groups"]
        ]
        out.print(table(f"by {by}, {view['on']}", [by, "enterprises", *kinds, "expiring"], rows))
        out.print(f"unmatched entries: {len(view['unmatched'])}")
    _write(path, "summary", view)


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


@app.command("motors")
def motors(
    as_user: AsOption,
    by: ByOption = "industry",
    to_grade: Annotated[
        int, typer.Option("--to-grade", help="Replace the grade-3 motors by grade 1 or 2.")
    ] = 2,
    path: OutOption = None,
    as_json: JsonOption = False,
) -> None:
    """The motors of the registered diagnoses by GB 18613-2020 grade, by industry division or
    region, against the motor plan's in-service target, and the electricity saved a year if
    the grade-3 motors were replaced (the diagnosis's motor calculator)."""
    _checked_out(path)
    choice(by, green.GROUPINGS, "--by")
    options = {"by": by, "to_grade": to_grade}
    view = green.as_user(as_user, green.motors, **options)
    if as_json:
        print_json(view)
    else:
        target = view["target"]
        rows = [
            [
                g["code"],
                g["motors"],
                f"{g['rated_kw']:,.1f}",
                *(g["count_by_grade"][k] for k in ("1", "2", "3", "below", "unknown")),
                _share(g["coverage"]),
                _share(g["share_by_count"]),
                _share(g["share_by_kw"]),
                _verdict(g["meets_target"], target["basis"]),
                f"{g['saving_kwh']:,.0f}",
            ]
            for g in [*view["groups"], view["total"]]
        ]
        columns = [by, "motors", "kW", "g1", "g2", "g3", "below", "unknown", "coverage"]
        columns += ["share", "share kW", "meets", "kWh/a"]
        title = (
            f"target: {target['share']:.0%} in service by {target['year']} "
            f"(grade {target['high_efficiency_grade']} or better, basis {target['basis']}; "
            f"{target['source']})"
        )
        out.print(table(title, columns, rows))
        for warning in view["warnings"]:
            out.print(f"- {warning['message']}", markup=False)
    _write(path, "motors", view)


def _verdict(meets: bool | None, basis: str) -> str:
    """Whether the share reaches the target: none judged when the target's basis is unstated."""
    if basis not in ("count", "kw"):
        return "not judged"
    return "" if meets is None else "yes" if meets else "no"


@app.command("import-list")
def import_list(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="The published list: CSV, or .xlsx with sheet 名单; Chinese headers "
            "(证书编号 统一社会信用代码 企业名称 产品类别 证书等级 发证日期 有效期至; or 序号 "
            "企业名称 地区 行业 产品名称 批次 ...).",
        ),
    ],
    kind: Annotated[
        str,
        typer.Option("--kind", help="building_material, factory, design_product or supply_chain."),
    ],
    as_user: AsOption,
    source_id: Annotated[str, typer.Option("--source-id", help="A new source id for the list.")],
    title: Annotated[str, typer.Option("--title", help="The list's title as published.")],
    issuer: Annotated[str, typer.Option("--issuer", help="Who published it.")] = "",
    number: Annotated[str, typer.Option("--number", help="Its document number.")] = "",
    published: Annotated[str, typer.Option("--date", help="Its date (YYYY-MM-DD).")] = "",
    url: Annotated[str, typer.Option("--url", help="Where it was published.")] = "",
    note: Annotated[str, typer.Option("--note", help="Where it was seen, if no URL.")] = "",
    year: Annotated[
        int | None, typer.Option("--year", help="The list's year.", min=2000, max=2100)
    ] = None,
    batch: Annotated[
        int | None, typer.Option("--batch", help="The batch (批次).", min=1, max=1000)
    ] = None,
    status: Annotated[
        str, typer.Option("--status", help="verified (read in the list) or unverified.")
    ] = "verified",
    row_note: Annotated[
        str, typer.Option("--row-note", help="A note on every row (an unverified row says why).")
    ] = "",
    as_json: JsonOption = False,
) -> None:
    """Import a published list as a draft edition of the reference library: every problem
    placed (an entry without a source, a certificate expiring before it is issued, a code that
    is not one), nothing stored on error; the rows that match no enterprise are named."""
    choice(kind, green.LIST_KINDS, "--kind")
    if published:
        day(published, "--date")  # a real date, as the API asks
    document = {
        "source_id": source_id,
        "title": title,
        "issuer": issuer,
        "document_number": number,
        "date": published,
        "url": url,
        "note": note,
    }
    try:
        content = path.read_bytes()
    except OSError as error:
        fail(f"{path}: {error.strerror or error}")
    kept = green.as_user(
        as_user,
        green.import_list,
        kind,
        path.name,
        content,
        {k: v for k, v in document.items() if v},
        year=year,
        batch=batch,
        status=status,
        note=row_note,
    )
    if as_json:
        print_json(kept)
        return
    out.print(
        f"edition {kept['edition_id']} ({kept['state']}): {kept['rows']} rows, "
        f"{kept['matched']} matched to enterprises, {len(kept['unmatched'])} unmatched"
    )
    if kept["changed"] or kept["retired"]:
        out.print(
            f"changed (held already): {', '.join(kept['changed']) or '-'}; "
            f"retired (withdrawn): {', '.join(kept['retired']) or '-'}",
            markup=False,
        )
    if kept["left_out"]:
        out.print("columns left out: " + ", ".join(kept["left_out"]), markup=False)
