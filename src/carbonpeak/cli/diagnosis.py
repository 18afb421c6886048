"""`carbonpeak diagnosis run`: the energy-conservation diagnosis of a plant file, and its
report. Today's top-level `diagnose` is the same command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli._kit import (
    Alias,
    JsonOption,
    choice,
    err,
    fail,
    out,
    placed,
    print_json,
    read_document,
    suffix,
    table,
)
from carbonpeak.errors import Place, Problem

app = typer.Typer(
    name="diagnosis",
    help="Energy-conservation diagnosis of plants (also: diagnose).",
    no_args_is_help=True,
)


@app.command("run")
def run(
    plant: Annotated[
        Path | None,
        typer.Argument(help="The plant file (YAML or JSON) or its equipment inventory (.xlsx)."),
    ] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Print an example plant file and stop.")
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write the diagnosis report (.pdf or .html)."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the report: zh_CN or en.")] = (
        "zh_CN"
    ),
    rates: Annotated[
        Path | None,
        typer.Option(
            "--rates",
            help="The required metering coverage rates of GB 17167, as the authority supplies "
            "them: a CSV with the header of the reference table metering_coverage_requirements "
            "(without it, metering coverage gets no verdict).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Energy-conservation diagnosis of a plant: each piece of equipment against its national
    standard, the measures with their energy, CO2, cost saving, payback, NPV, IRR and MAC."""
    if example:
        from carbonpeak.diagnosis.plant import example_text

        sys.stdout.write(example_text())
        return
    if plant is None:
        fail("PLANT: give the plant file (or --example)")
    suffix(report, (".pdf", ".html"), "--report")
    choice(lang, ("zh_CN", "en"), "--lang")
    result = _diagnose(plant, rates)
    for warning in result["warnings"]:
        err.print(f"warning: {warning}", markup=False)
    if report is not None:
        _write_report(result, report, lang)
    if as_json:
        print_json(result)
        return
    if report is not None:
        out.print(f"Written {report}")
    totals = result["totals"]
    out.print(
        table(
            f"{result['plant']['name'] or result['plant']['enterprise_id']}: "
            f"{totals['energy_tce']:,.1f} tce, {totals['co2_t']:,.1f} tCO2, "
            f"{totals['cost_saving_yuan']:,.0f} yuan a year",
            ["measure", "tce/a", "tCO2/a", "yuan/a", "capital", "payback a", "IRR", "MAC yuan/t"],
            [_measure_row(m) for m in result["measures"]],
        )
    )


def _diagnose(plant: Path, rates: Path | None = None) -> dict[str, Any]:
    """The diagnosis of a plant file, with the activity table it names (beside it), and the
    metering rates the authority supplies, if given."""
    from carbonpeak.diagnosis.management import RATES, check_rates
    from carbonpeak.diagnosis.plant import diagnose, parse
    from carbonpeak.io.lake import read_any
    from carbonpeak.reference.loader import default_reference

    reference = default_reference()
    if rates is not None:
        with placed(rates):
            reference = reference.with_rows(RATES, rates)
            problems = check_rates(reference)
            if problems:
                fail(problems)
    data = _read_plant(plant)
    with placed(plant):
        parsed = parse(data)
        activity = None
        if parsed.activity:
            table_path = (plant.parent / parsed.activity).resolve()
            if not table_path.exists():
                fail(Problem(Place(field="activity"), f"{table_path}: not found"))
            activity = read_any(table_path, "activity")
        return diagnose(parsed, reference, activity)


def _read_plant(plant: Path) -> Any:
    """The plant file's mapping: from YAML or JSON, or from the inventory workbook."""
    if plant.suffix.lower() in (".xlsx", ".xlsm"):
        from carbonpeak.io.inventory_read import read_inventory

        return read_inventory(plant)
    return read_document(plant)


@app.command("template")
def template(
    path: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
    blank: Annotated[
        bool, typer.Option("--blank", help="Headers only, without the example plant's rows.")
    ] = False,
) -> None:
    """Write the plant equipment inventory workbook (Chinese headers with their codes and
    units, a help sheet, drop-downs), filled with the example plant unless --blank; `diagnosis
    run` reads it as it reads the plant file."""
    import yaml

    from carbonpeak.diagnosis.plant import example_text
    from carbonpeak.io.inventory import write_inventory

    if path.suffix.lower() != ".xlsx":
        fail(f"{path}: the inventory is an Excel workbook, name it *.xlsx")
    write_inventory(path, None if blank else yaml.safe_load(example_text()))
    out.print(f"Written {path}")


def _write_report(result: dict[str, Any], report: Path, lang: str) -> None:
    from carbonpeak.io.tables import atomic_path
    from carbonpeak.reference.loader import default_reference
    from carbonpeak.reports.diagnosis import diagnosis_html, diagnosis_pdf

    with atomic_path(report) as temporary:
        if report.suffix.lower() == ".pdf":
            temporary.write_bytes(diagnosis_pdf(result, default_reference(), lang))
        else:
            temporary.write_text(
                diagnosis_html(result, default_reference(), lang), encoding="utf-8"
            )


def _measure_row(m: dict[str, Any]) -> list[str]:
    def optional(key: str, form: str) -> str:
        return "" if m.get(key) is None else format(m[key], form)

    return [
        m["measure_id"],
        f"{m['energy_tce']:,.1f}",
        f"{m['co2_t']:,.1f}",
        f"{m['cost_saving_yuan']:,.0f}",
        optional("capital_cost_yuan", ",.0f"),
        optional("simple_payback_years", ".1f"),
        optional("irr", ".0%"),
        optional("mac_yuan_per_t", ",.0f"),
    ]


ALIASES = (Alias(("diagnose",), run),)
