"""`carbonpeak utilisation`: the comprehensive utilisation of industrial solid waste (工业资源
综合利用, issue 23) — the report workbook, its check, its upload to the store, the utilisation
rates by enterprise, industry and region against the targets in force, and their export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli._kit import Alias, JsonOption, fail, out, print_json, table, warn_lines

app = typer.Typer(
    name="utilisation",
    help="Industrial solid waste: reports, utilisation rates against the targets, stocks.",
    no_args_is_help=True,
)
ALIASES: tuple[Alias, ...] = ()
GROUPINGS = ("enterprise", "industry", "prefecture", "province", "nation")

ReportArgument = Annotated[
    Path,
    typer.Argument(
        help="The report: CSV, or .xlsx with sheet 工业固废 (solid_waste) "
        "(`carbonpeak utilisation template`)."
    ),
]
AsOption = Annotated[str, typer.Option("--as", help="The user acting (a store user's name).")]
YearOption = Annotated[
    int | None, typer.Option("--year", help="The year (default: the latest with a report).")
]
ByOption = Annotated[
    str,
    typer.Option("--by", help="Group by enterprise, industry, prefecture, province or nation."),
]


@app.command("template")
def template(
    path: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
) -> None:
    """Write the report workbook: the report sheet with Chinese headers and their codes,
    drop-downs for kind, flow and route, the lists, the help and an example."""
    from carbonpeak.io.utilisation import write_template
    from carbonpeak.reference.loader import default_reference

    if path.suffix.lower() != ".xlsx":
        fail(f"{path}: the template is an Excel workbook, name it *.xlsx")
    try:
        path.write_bytes(write_template(default_reference()))
    except OSError as error:
        fail(f"{path}: cannot write: {error.strerror or error}")
    out.print(f"Written {path}: fill sheet 工业固废 (solid_waste), one amount per row")


@app.command("check")
def check(
    path: ReportArgument,
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Check against the store's library in force, as this user (the library an "
            "upload is checked against); without it, the shipped library.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check a report without storing it: every problem with its place (exit 2), or its
    enterprises, years and rates."""
    from carbonpeak.io.utilisation import read_report
    from carbonpeak.reference.loader import default_reference
    from carbonpeak.services.utilisation_files import check_as
    from carbonpeak.utilisation.rates import report_rates

    if as_user is not None:
        report, reference = check_as(as_user, path)
    else:
        try:
            content = path.read_bytes()
        except OSError as error:
            fail(f"{path}: cannot read: {error.strerror or error}")
        reference = default_reference()
        report = read_report(str(path), content, reference)
    lines: list[dict[str, Any]] = [
        {"year": r["year"], "group": r["group"], "target_kind": r["target_kind"], "rate": r["rate"]}
        for r in report_rates(report, reference).to_dict("records")
    ]
    warnings = [str(w) for w in report.warnings]
    if as_json:
        print_json(
            {"file": str(path), "rows": len(report.rows), "rates": lines, "warnings": warnings}
        )
        return
    out.print(f"{path}: {len(report.rows)} row(s), no problem")
    out.print(
        table(
            None,
            ["year", "enterprise", "kind", "rate"],
            [[r["year"], r["group"], r["target_kind"], _percent(r["rate"])] for r in lines],
        )
    )
    warn_lines(warnings)


@app.command("upload")
def upload(path: ReportArgument, as_user: AsOption, as_json: JsonOption = False) -> None:
    """Check a report and store it, all or nothing: each enterprise and year in it replaces
    its stored report."""
    from carbonpeak.services.utilisation_files import upload_as

    stored = upload_as(as_user, path)
    if as_json:
        print_json(stored)
        return
    out.print(f"Stored {len(stored['reports'])} report(s) of {path}")
    warn_lines([w["message"] for w in stored["warnings"]])


@app.command("rates")
def rates(
    as_user: AsOption,
    year: YearOption = None,
    by: ByOption = "prefecture",
    as_json: JsonOption = False,
) -> None:
    """The utilisation rates the user may see, by group, against the target in force: bulk
    industrial solid waste first, then each kind with a target of its own."""
    from carbonpeak.services.utilisation_files import rates_as

    if by not in GROUPINGS:
        fail(f"--by is one of {', '.join(GROUPINGS)}")
    view = rates_as(as_user, year, by)  # type: ignore[arg-type]
    if as_json:
        print_json(view)
        return
    if view["year"] is None:
        out.print("No report is stored yet")
        return
    rows = [
        [
            g["group"],
            g["target_kind"],
            g["members"],
            f"{g['generated_t']:,.0f}",
            f"{g['utilised_t']:,.0f}",
            _percent(g["rate"]),
            ""
            if g["target_rate"] is None
            else f"{_percent(g['target_rate'])} ({g['target_year']})",
            "" if g["gap"] is None else f"{100 * g['gap']:+.1f}",
            "" if g["met"] is None else ("yes" if g["met"] else "no"),
            f"{g['closing_stock_t']:,.0f}",
        ]
        for g in view["groups"]
    ]
    out.print(
        table(
            f"{view['year']}, by {by}",
            [
                "group",
                "kind",
                "enterprises",
                "generated t",
                "utilised t",
                "rate",
                "target (year)",
                "gap to the target, points",
                "met (target year only)",
                "stock t",
            ],
            rows,
        )
    )
    warn_lines([w["message"] for w in view["warnings"]])
    out.print(view["target_years"])


@app.command("export")
def export(
    path: Annotated[Path, typer.Argument(help="The file to write: *.csv or *.xlsx.")],
    as_user: AsOption,
    year: YearOption = None,
    by: ByOption = "prefecture",
) -> None:
    """Write the rates the user may see (as `rates`) to a CSV or an Excel workbook, with
    bilingual headers."""
    from carbonpeak.services.utilisation_files import export_as

    if by not in GROUPINGS:
        fail(f"--by is one of {', '.join(GROUPINGS)}")
    count = export_as(as_user, path, year, by)  # type: ignore[arg-type]
    out.print(f"Written {path}: {count} row(s)")


def _target(group: dict[str, Any]) -> str:
    """The target in force and its year, blank where none."""
    if group["target_rate"] is None:
        return ""
    return f"{_percent(group['target_rate'])} ({group['target_year']})"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f} %"
