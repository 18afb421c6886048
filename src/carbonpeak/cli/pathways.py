"""`carbonpeak pathways`: peaking pathways: scenario projections and their peaks, observed
peaks of the history, STIRPAT elasticities and LMDI decomposition."""

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
    names,
    out,
    placed,
    print_json,
    read_document,
    suffix,
    table,
)

app = typer.Typer(
    name="pathways",
    help="Peaking pathways: scenarios, peaks, uncertainty, decomposition.",
    no_args_is_help=True,
)
ALIASES: tuple[Alias, ...] = ()


@app.command("example")
def example() -> None:
    """Print the example scenario file (every feature: quantities, uncertainty, fuels, regions,
    stock turnover) to start from."""
    from carbonpeak.pathways.projection import example_text

    sys.stdout.write(example_text())


@app.command("template")
def template(
    path: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
    blank: Annotated[
        bool, typer.Option("--blank", help="Headers only, without the example scenario.")
    ] = False,
) -> None:
    """Write the scenario workbook (Chinese headers with their codes and units, a help sheet,
    drop-downs of the provinces and sectors of the observed data), filled with the builder's
    example unless --blank; `pathways run` reads it as it reads a scenario file."""
    from carbonpeak.services.pathways import scenario_workbook

    if path.suffix.lower() != ".xlsx":
        fail(f"{path}: the template is an Excel workbook, name it *.xlsx")
    scenario_workbook(None, path, blank)  # a file without a store: the shipped library
    out.print(f"Written {path}: one scenario a row of 情景 (scenarios), its paths in 路径 (paths)")


def _read_scenario(scenario: Path) -> Any:
    """The scenario file's mapping: from YAML or JSON, or from the scenario workbook (as the
    builder writes it)."""
    if scenario.suffix.lower() in (".xlsx", ".xlsm"):
        from carbonpeak.services.pathways import read_scenario_workbook

        with placed(scenario):
            return read_scenario_workbook(None, scenario)  # no store: the shipped library
    return read_document(scenario)


@app.command("run")
def run(
    scenario: Annotated[
        Path,
        typer.Argument(help="The scenario file (YAML or JSON), or the scenario workbook (.xlsx)."),
    ],
    draws: Annotated[
        int | None,
        typer.Option("--draws", min=1, help="Monte Carlo draws (default 10,000 if uncertain)."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the draws.")] = None,
    output: Annotated[
        Path | None,
        typer.Option("--out", help="Write the central paths as an IAMC table (.csv or .xlsx)."),
    ] = None,
    against: Annotated[
        str | None,
        typer.Option("--compare", help="BASE,OTHER: decompose OTHER's CO2 against BASE's."),
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Year of the comparison (default 2030).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Project every scenario's sectors (and regions) and report when and at what level their
    CO2 peaks, with the distribution over the draws when parameters are uncertain; with
    `--compare`, why two scenarios differ (LMDI: activity, structure, intensity)."""
    from carbonpeak.io.sheets import frame_to_csv, frame_to_excel
    from carbonpeak.io.tables import atomic_path
    from carbonpeak.pathways.compare import compare
    from carbonpeak.pathways.projection import parse
    from carbonpeak.pathways.run import run

    suffix(output, (".csv", ".xlsx"), "--out")
    pair = None
    if against is not None:
        pair = [n.strip() for n in against.split(",")]
        if len(pair) != 2 or not all(pair):
            fail(f"--compare {against!r}: give BASE,OTHER (two scenarios)")
    data = _read_scenario(scenario)
    if seed is not None and isinstance(data, dict):
        data = {**data, "seed": seed}
    with placed(scenario):
        spec, scenarios = parse(data)
        result, frame, routes = run(spec, scenarios, draws)
        if pair is not None:
            when = year if year is not None else min(2030, int(result["end"]))
            result["comparison"] = compare(routes, (pair[0], when), (pair[1], when))
    if output is not None:
        with atomic_path(output) as temporary:
            if output.suffix.lower() == ".csv":
                frame_to_csv(frame, temporary)
            else:
                frame_to_excel(frame, temporary, sheet_name="data")
    for warning in result["warnings"]:
        err.print(f"warning: {warning}", markup=False)
    if as_json:
        print_json(result)
        return
    if output is not None:
        out.print(f"Written {output}: {len(frame)} rows (IAMC)")
    if "comparison" in result:
        found = result["comparison"]
        out.print(
            table(
                f"{found['end']['scenario']} against {found['base']['scenario']} in "
                f"{found['base']['year']}: {found['total_change']:+.6g} {spec.units.co2}",
                ["factor", "effect", "index"],
                [
                    [f, f"{v:+.6g}", f"{found['multiplicative'][f]:.4f}"]
                    for f, v in found["additive"].items()
                ],
            )
        )
    out.print(
        table(
            f"Peaks {result['base_year']}-{result['end']}"
            + (f", {result['draws']} draws" if result["draws"] else ""),
            ["scenario", "sector", "peak year", "peak", "peaked", "plateau years", "P(<=2030)"],
            _peak_rows(result),
        )
    )


def _peaked(entry: dict[str, Any]) -> str:
    return "already" if entry["already_peaked"] else ("not yet" if entry["not_yet_peaked"] else "")


def _peak_rows(result: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for name, body in result["scenarios"].items():
        for sector, entry in [*body["sectors"].items(), ("total", body["total"])]:
            spread = entry.get("uncertainty", {})
            rows.append(
                [
                    name,
                    sector,
                    entry["peak_year"],
                    f"{entry['peak_value']:.6g} {entry['unit']}",
                    _peaked(entry),
                    len(entry["plateau_years"]),
                    f"{spread['p_peak_by_2030']:.1%}" if spread else "",
                ]
            )
    return rows


@app.command("history")
def history(
    sector: Annotated[
        str, typer.Option("--sector", help="Key sector of the CEADs history (or industry, total).")
    ] = "industry",
    region: Annotated[
        list[str] | None, typer.Option("--region", help="Province code(s); all if not given.")
    ] = None,
    series: Annotated[
        str | None, typer.Option("--series", help="A national series instead (e.g. cement).")
    ] = None,
    estimates: Annotated[
        bool, typer.Option("--estimates/--no-estimates", help="Keep values marked estimates.")
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Observed peaks: each province's CO2 of a key sector (CEADs inventories, 1997-2019) and
    their sum, or a national series (output, energy, CO2)."""
    from carbonpeak.pathways.history import observed_peaks, series_peak
    from carbonpeak.reference.loader import default_reference

    reference = default_reference()
    if series is not None:
        found = series_peak(reference, series, estimates)
        if as_json:
            print_json(found)
            return
        out.print(
            f"{series}: peak {found['peak_year']} at {found['peak_value']:g} {found['unit']}"
            + (", not yet peaked" if found["not_yet_peaked"] else "")
            + (f" (estimates: {found['estimates']})" if found["estimates"] else "")
        )
        return
    result = observed_peaks(reference, sector, region)
    if as_json:
        print_json(result)
        return
    rows = [
        [
            r["region_code"],
            r["name"],
            r["peak_year"],
            f"{r['peak_value']:.1f}",
            _peaked(r),
            f"{list(r['values'].values())[-1]:.1f}",
        ]
        for r in result["regions"]
    ]
    total = result["sum"]
    out.print(
        table(
            f"CO2 of {sector} (Mt), CEADs 1997-2019; the sum of {total['regions']} provinces "
            f"peaks in {total['peak_year']}",
            ["code", "province", "peak year", "peak", "peaked", "last"],
            rows,
        )
    )


@app.command("stirpat")
def stirpat(
    data: Annotated[Path, typer.Argument(help="A table with the target and driver columns.")],
    target: Annotated[str, typer.Option("--target", help="The emissions column.")],
    drivers: Annotated[str, typer.Option("--drivers", help="Driver columns, e.g. P,A,T.")],
    squares: Annotated[
        str, typer.Option("--squares", help="Drivers also entered squared (EKC), e.g. A.")
    ] = "",
    ridge: Annotated[
        float | None, typer.Option("--ridge", min=0, help="λ (default: by cross-validation).")
    ] = None,
    split: Annotated[
        int | None, typer.Option("--backtest", help="Fit up to this year, test the rest.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """STIRPAT elasticities by ridge regression on logarithms (correlational), and a back-test
    that fits on the early years and predicts the later ones."""
    from carbonpeak.io.lake import read_any
    from carbonpeak.pathways.stirpat import backtest, fit

    chosen = names(drivers, "--drivers", "driver")
    squared = [d.strip() for d in squares.split(",") if d.strip()]
    if set(squared) - set(chosen):
        fail(f"--squares {squares!r}: square only drivers")
    frame = read_any(data, "data")
    with placed(data, "data"):
        if split is None:
            fitted = fit(frame, target, chosen, squared, ridge)
            result = {k: v for k, v in fitted.items() if not k.startswith("_")}
        else:
            result = backtest(frame, target, chosen, split, squared, ridge)
    if as_json:
        print_json(result)
        return
    model = result.get("model", result)
    out.print(
        table(
            f"STIRPAT ln {target}: λ {model['ridge']:.3g}, R² {model['r2']:.3f}",
            ["driver", "elasticity", "VIF"],
            [[k, f"{v:.3f}", model["vif"][k]] for k, v in model["elasticities"].items()],
        )
    )
    if split is not None:
        out.print(
            f"Back-test from {split}: MAPE {result['mape']:.1%}; observed peak "
            f"{result['observed_peak']['peak_year']}, "
            f"predicted {result['predicted_peak']['peak_year']}"
        )
    err.print(model["caveat"], markup=False)


@app.command("lmdi")
def lmdi(
    data: Annotated[
        Path, typer.Argument(help="sector, period (two values), one column per factor.")
    ],
    factors: Annotated[str, typer.Option("--factors", help="Factor columns, e.g. Q,S,I,F.")],
    method: Annotated[str, typer.Option("--method", help="lmdi1 or lmdi2.")] = "lmdi1",
    group: Annotated[
        str | None, typer.Option("--group", help="A column grouping sectors (multi-level).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """LMDI decomposition of the change of an aggregate (the sum over sectors of the product of
    their factors): the additive effect and the multiplicative index of each factor."""
    from carbonpeak.io.lake import read_any
    from carbonpeak.pathways.lmdi import METHODS, check_table, decompose, decompose_groups

    chosen = names(factors, "--factors", "factor")
    choice(method, tuple(METHODS), "--method")
    tidy, problems, periods = check_table(read_any(data, "data"), chosen, group)
    if problems:
        with placed(data, "data"):
            fail(problems)
    result = (
        decompose_groups(tidy, chosen, periods, method)
        if group
        else decompose(tidy, chosen, periods, method)
    )
    if as_json:
        print_json(result)
        return
    out.print(
        table(
            f"{method}: {result['base']} -> {result['end']}, change {result['total_change']:g}, "
            f"ratio {result['ratio']}",
            ["factor", "additive", "multiplicative"],
            [[f, result["additive"][f], result["multiplicative"][f]] for f in chosen],
        )
    )
