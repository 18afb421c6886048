"""`carbonpeak budgets`: carbon dual control budgets (碳排放预算) of regions and enterprises in
the store: imported from a workbook with Chinese headers, exported, tracked month by month
and warned on (预警). A command acts as the user named by `--as`, seeing and changing what
that user may; `record` is the scheduled judgement and acts for the platform."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli._kit import Alias, JsonOption, day, fail, out, print_json, table
from carbonpeak.domain.schema import FIRST_YEAR, LAST_YEAR

app = typer.Typer(
    name="budgets",
    help="Carbon and energy budgets (碳排放预算): import, export, track, alerts.",
    no_args_is_help=True,
)
ALIASES: tuple[Alias, ...] = ()

AsOption = Annotated[str, typer.Option("--as", help="The user acting (a store user's name).")]
LakeOption = Annotated[
    Path | None,
    typer.Option(
        "--lake", help="The lake of monitored enterprises (nowcast of months unreported)."
    ),
]
YearOption = Annotated[
    int, typer.Option("--year", help="The budgets' year.", min=FIRST_YEAR, max=LAST_YEAR)
]
MAX_ID = 2**31 - 1  # the largest id a store holds (services.budgets.MAX_ID)
LEVELS = {"green": "[green]绿 green[/]", "yellow": "[yellow]黄 yellow[/]", "red": "[red]红 red[/]"}


def _when(text: str) -> Any:
    found = day(text, "--as-of")
    assert found is not None
    return found


def _number(value: Any, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def _budget_lines(budgets: list[dict[str, Any]], title: str) -> None:
    columns = [
        "budget_id",
        "parent_id",
        "scope",
        "code",
        "year",
        "quantity",
        "cap",
        "intensity",
        "planned",
        "profile",
        "reserve",
    ]
    out.print(table(title, columns, [[b[c] for c in columns] for b in budgets]))


@app.command("import")
def import_(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="Budgets: CSV, or .xlsx with sheet 预算; headers 预算编号 范围 代码 年度 指标 "
            "总量上限 强度上限 强度基准 产品 计划分母 月度分布 分配比例 预留比例 (or the English "
            "field names).",
        ),
    ],
    as_user: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Save the budgets of a file, all or nothing: a row with a 预算编号 changes that budget,
    one without is new. Parents are inferred and the whole cascade checked."""
    from carbonpeak.services.budgets_files import import_as

    saved = import_as(as_user, path)
    if as_json:
        print_json({"budgets": saved})
        return
    _budget_lines(saved, f"Saved {len(saved)} budget(s)")


@app.command("export")
def export(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The workbook to write (.xlsx).")],
    year: YearOption,
    as_user: AsOption,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Track to this day (default: today or year end).")
    ] = None,
    lake: LakeOption = None,
) -> None:
    """Write the budgets of a year (sheet 预算, imports back unchanged) with their tracking
    (sheet 跟踪) to a workbook."""
    from carbonpeak.services.budgets_files import export_as

    if path.suffix.lower() != ".xlsx":
        fail(f"{path}: the export is an Excel workbook, name it *.xlsx")
    count = export_as(as_user, path, year, day(as_of, "--as-of"), lake)
    out.print(f"Written {path}: {count} budget(s) of {year} (sheets 预算, 跟踪, 说明)")


@app.command("list")
def list_(
    as_user: AsOption,
    year: Annotated[
        int | None,
        typer.Option("--year", help="Only this year.", min=FIRST_YEAR, max=LAST_YEAR),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The budgets the user may see, by year, quantity and code."""
    from carbonpeak.services.budgets_files import list_as

    found = list_as(as_user, year)
    if as_json:
        print_json({"budgets": found})
        return
    _budget_lines(found, "Budgets")


@app.command("track")
def track(
    year: YearOption,
    as_of: Annotated[str, typer.Option("--as-of", help="Track to this day (YYYY-MM-DD).")],
    as_user: AsOption,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Each budget's use to date against its profile, the projected year-end and its alert
    level (from the authority's thresholds)."""
    from carbonpeak.services.budgets_files import track_as

    view = track_as(as_user, year, _when(as_of), lake)
    if as_json:
        print_json(view)
        return
    columns = ["budget", "code", "name", "cap", "used", "used %", "elapsed %", "projected", "level"]
    rows = [
        [
            b["budget_id"],
            b["code"],
            b["name"],
            f"{_number(b['cap'])} {b['unit']}",
            _number(b["used_to_date"]),
            _number(None if b["used_share"] is None else 100 * b["used_share"]),
            _number(100 * b["elapsed_share"]),
            _number(b["projected"]),
            LEVELS.get(b["level"] or "", "—"),
        ]
        for b in view["budgets"]
    ]
    out.print(table(f"Budgets {year} as of {view['as_of']}", columns, rows))
    for b in view["budgets"]:
        for w in b["warnings"]:
            out.print(f"- {b['budget_id']}: {w['message']}", markup=False)
    for w in view["warnings"]:
        out.print(f"- {w['message']}", markup=False)


@app.command("alerts")
def alerts(
    as_user: AsOption,
    open_only: Annotated[bool, typer.Option("--open", help="Only alerts not cleared.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The alerts (预警) of the budgets the user may see, newest first."""
    from carbonpeak.services.budgets_files import alerts_as

    found = alerts_as(as_user, open_only)
    if as_json:
        print_json({"alerts": found})
        return
    columns = [
        "alert_id",
        "budget_id",
        "code",
        "year",
        "level",
        "indicator",
        "value",
        "period",
        "cleared_at",
    ]
    out.print(table("Alerts", columns, [[a[c] for c in columns] for a in found]))


@app.command("record")
def record(
    as_of: Annotated[str, typer.Option("--as-of", help="Judge the budgets on this day.")],
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Judge every budget of the day's year and store an alert for each level crossed since
    the last judgement (the scheduled job); prints the alerts raised and cleared."""
    from carbonpeak.services.budgets_files import record_in_store

    changes = record_in_store(_when(as_of), lake)
    if as_json:
        print_json({"changes": changes})
        return
    raised = sum(1 for c in changes if c["kind"] == "raised")
    out.print(f"{raised} alert(s) raised, {len(changes) - raised} cleared")
    for c in changes:
        out.print(
            f"- budget {c['budget_id']}: {c['kind']} {c['level']}"
            + (f" ({c['indicator']} {c['value']:.3f})" if c.get("value") is not None else ""),
            markup=False,
        )


@app.command("thresholds")
def thresholds(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="Thresholds: CSV or .xlsx (first sheet) with quantity, indicator, level, "
            "threshold, valid_from (the columns of budget_alert_thresholds).",
        ),
    ],
    region: Annotated[str, typer.Option("--region", help="The authority's region code.")],
    document: Annotated[
        str, typer.Option("--document", help="The authority's document the values come from.")
    ],
    as_user: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Enter the authority's early-warning thresholds (预警阈值) of budgets for its region."""
    from carbonpeak.services.budgets_files import thresholds_as

    made = thresholds_as(as_user, path, region, document)
    if as_json:
        print_json({"rows": made})
        return
    out.print(f"{len(made)} threshold row(s) entered for {region}, citing {document}", markup=False)


@app.command("delete")
def delete(
    budget_id: Annotated[
        int, typer.Argument(metavar="ID", help="The budget's id.", min=1, max=MAX_ID)
    ],
    as_user: AsOption,
) -> None:
    """Delete a budget: its children take its parent."""
    from carbonpeak.services.budgets_files import delete_as

    delete_as(as_user, budget_id)
    out.print(f"budget {budget_id} deleted")
