"""`carbonpeak product`: product carbon — cradle-to-gate footprints of a plant's products, the
EU CBAM embedded emissions of its goods against the default values, and footprint exchange in
the PACT data model; from an activity table and the plant's process map (工序图)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from carbonpeak.cli import _cbam, _exchange
from carbonpeak.cli._kit import (
    ActivityArgument,
    Alias,
    EnterprisesOption,
    JsonOption,
    fail,
    out,
    placed,
    print_json,
    read_activity_files,
    table,
    warn_lines,
)

if TYPE_CHECKING:
    import pandas as pd

    from carbonpeak.product.plant import ProductMap
    from carbonpeak.product.results import ProductResults
    from carbonpeak.reference.loader import Reference

app = typer.Typer(
    name="product",
    help="Product carbon: footprints (GB/T 24067), EU CBAM embedded emissions, PACT exchange.",
    no_args_is_help=True,
)
exchange_app = typer.Typer(
    name="exchange",
    help="Product footprints in the PACT data model (v3): export a plant's, read a supplier's "
    "and keep them in the store for the enterprise that bought.",
    no_args_is_help=True,
)
app.add_typer(exchange_app)
ALIASES: tuple[Alias, ...] = ()

MapArgument = Annotated[
    Path, typer.Argument(help="The process map workbook (工序图; `carbonpeak product template`).")
]
EnterpriseOption = Annotated[
    str, typer.Option("--enterprise", help="The enterprise's unified social credit code.")
]
YearOption = Annotated[int, typer.Option("--year", help="The year (a natural year's data).")]
ElectricityOption = Annotated[
    float | None,
    typer.Option(
        "--electricity-factor",
        help="CBAM: the electricity emission factor (tCO2/MWh) the operator uses; without it "
        "the indirect emissions of the goods that count them are 0 and said so.",
        min=0,
    ),
]


@app.command("template")
def template(
    path: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
) -> None:
    """Write the process map workbook: units and their products (with CN codes for CBAM),
    each account item's shares, the units' use of each other's products, and materials bought
    with their factors; Chinese headers with their codes, drop-downs, help and an example."""
    from carbonpeak.io.product_map import write_product_map_template
    from carbonpeak.reference.loader import default_reference

    if path.suffix.lower() != ".xlsx":
        fail(f"{path}: the template is an Excel workbook, name it *.xlsx")
    write_product_map_template(path, default_reference())
    out.print(
        f"Written {path}: fill 工序 (units), 分摊 (assignments), 工序间 (links), 外购 (flows)"
    )


def _results(
    activity: Path,
    plan_path: Path,
    enterprise: str,
    year: int,
    enterprises: Path | None,
    electricity: float | None,
    import_year: int | None = None,
) -> tuple[ProductResults, ProductMap, pd.DataFrame | None, Reference]:
    """The year's results, with the map, the enterprises table and the reference read."""
    from carbonpeak.io.product_map import read_product_map
    from carbonpeak.product.years import year_results

    reference, frame, enterprise_frame = read_activity_files(activity, enterprises)
    with placed(plan_path):
        plan = read_product_map(plan_path)
    with placed(activity):
        found = year_results(
            frame,
            enterprise_frame,
            plan,
            enterprise,
            year,
            reference,
            electricity,
            import_year,
            str(plan_path),
        )
    return found, plan, enterprise_frame, reference


@app.command("footprint")
def footprint(
    activity: ActivityArgument,
    plan: MapArgument,
    enterprise: EnterpriseOption,
    year: YearOption,
    enterprises: EnterprisesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Each product's cradle-to-gate footprint per tonne: by stage, the share from primary
    data, the data-quality ratings and uncertainty, and the reconciliation of the plant's
    model with its account."""
    from carbonpeak.product.records import results_record

    record = results_record(_results(activity, plan, enterprise, year, enterprises, None)[0])
    if as_json:
        print_json({k: record[k] for k in ("year", "footprints", "reconciliation", "warnings")})
        return
    rows = [
        [
            f["product"],
            f["unit"],
            f"{f['total_tco2e_per_t']:.4f}",
            *(f"{f['by_stage'][s]:.4f}" for s in ("site", "energy", "materials", "transport")),
            f"{f['primary_share']:.0%}",
            f["allocation"],
        ]
        for f in record["footprints"]
    ]
    out.print(
        table(
            f"Product carbon footprints {year} (tCO2e/t, cradle to gate)",
            [
                "product",
                "unit",
                "total",
                "site",
                "energy",
                "materials",
                "transport",
                "primary",
                "allocation",
            ],
            rows,
        )
    )
    out.print(_reconciliation(record))
    said = {w["message"]: w for f in record["footprints"] for w in f["warnings"]}
    said |= {
        w["message"]: w for w in record["warnings"] if w["code"].startswith("product.footprint")
    }
    warn_lines(list(said.values()))  # the plant's warnings are each footprint's: said once


def _reconciliation(record: dict[str, Any]) -> Any:
    return table(
        "The model against the account (tCO2e)",
        ["component", "account", "model", "difference", "reason"],
        [
            [
                d["component"],
                f"{d['account_t']:,.3f}",
                f"{d['model_t']:,.3f}",
                f"{d['difference_t']:,.3f}",
                d["reason"],
            ]
            for d in record["reconciliation"]
        ],
    )


@app.command("cbam")
def cbam(
    activity: ActivityArgument,
    plan: MapArgument,
    enterprise: EnterpriseOption,
    year: YearOption,
    enterprises: EnterprisesOption = None,
    electricity: ElectricityOption = None,
    import_year: Annotated[
        int | None,
        typer.Option(
            "--import-year",
            help="The year the goods are imported into the EU: its default values, mark-up, "
            "CBAM factor and benchmarks (default: --year).",
            min=2026,
        ),
    ] = None,
    as_json: JsonOption = False,
    workbook: _cbam.WorkbookOption = None,
    installation: _cbam.InstallationOption = None,
    electricity_source: _cbam.SourceOption = None,
) -> None:
    """The plant's CBAM goods of a year: each one's SEE (what the period counts) against the
    default value for China with the year's mark-up, and the certificates per tonne either
    way (CBAM factor, CSCF and benchmarks of the reference library, all with provenance).
    With --workbook, also the communication to its EU importers in the Commission's template
    (written whole or not at all)."""
    from carbonpeak.product.records import results_record

    site = _cbam.check(workbook, installation or [], electricity_source) if workbook else {}
    found = _results(activity, plan, enterprise, year, enterprises, electricity, import_year)
    if workbook is not None:  # refused before anything is computed, written whole or not at all
        _cbam.write(workbook, plan, found, site, enterprise, electricity_source)
    results = found[0]
    record = results_record(results)
    if as_json:
        print_json({k: record[k] for k in ("year", "goods", "see", "warnings")})
        return
    if not record["goods"]:
        warn_lines(record["warnings"])
        if workbook is not None:  # the communication needs no default value
            return
        fail("no product of the map has a CN code of a CBAM good (units sheet, column cn_code)")
    rows = []
    for g in record["goods"]:
        actual = g["actual"]["certificates_per_t"] if g["actual"] else None
        default = g["by_default"]["certificates_per_t"] if g["by_default"] else None
        rows.append(
            [
                g["cn_code"],
                g["product"],
                f"{g['see_counted']:.4f}",
                f"{g['default_marked_up']:.4f}",
                "–" if actual is None else f"{actual:.4f}",
                "–" if default is None else f"{default:.4f}",
                g["default_country"]
                + ("" if g["default_country"] == "CN" else " (other countries)"),
                g["default"]["status"],
            ]
        )
    out.print(
        table(
            f"CBAM goods: data of {year}, imported in {import_year or year} "
            "(tCO2e/t; certificates per tonne)",
            [
                "CN",
                "product",
                "SEE",
                "default+markup",
                "cert. actual",
                "cert. default",
                "default of",
                "status",
            ],
            rows,
        )
    )
    warn_lines(record["warnings"])


@exchange_app.command("export")
def exchange_export(
    activity: ActivityArgument,
    plan: MapArgument,
    enterprise: EnterpriseOption,
    year: YearOption,
    out_path: Annotated[Path, typer.Option("--out", help="The PACT JSON file to write.")],
    company: Annotated[
        str, typer.Option("--company", help="The company's name as the customer knows it.")
    ],
    carbon: Annotated[
        list[str],
        typer.Option(
            "--fossil-carbon",
            help="PRODUCT=kgC per tonne: the fossil carbon in the product (PACT asks for it; "
            "0 for aluminium ingots or cement). One per product exported.",
        ),
    ],
    enterprises: EnterprisesOption = None,
) -> None:
    """Write the footprints of the products named by --fossil-carbon as PACT v3
    ProductFootprints (JSON, `{"data": [...]}`), for the customers that asked; a footprint
    with a gap (a flow without a factor) is refused."""
    if not company.strip():
        fail("--company: the company's name, as the customer knows it")
    if not out_path.parent.is_dir():
        fail(f"--out {out_path}: no folder {out_path.parent}")
    wanted = _exchange.pairs(carbon, "--fossil-carbon")
    results = _results(activity, plan, enterprise, year, enterprises, None)[0]
    _exchange.export(results, wanted, company.strip(), enterprise, year, out_path)


@exchange_app.command("read")
def exchange_read(
    path: Annotated[
        Path,
        typer.Argument(help='A PACT v3 JSON file (one footprint, a list, or {"data": [...]}).'),
    ],
    as_json: JsonOption = False,
) -> None:
    """Read a supplier's PACT v3 footprints, every problem placed (a v2 file is refused), and
    show them."""
    from carbonpeak.io.pact import read_footprints
    from carbonpeak.product.exchange import to_pact

    with placed(path):
        found = read_footprints(path)
    if as_json:
        print_json([to_pact(f) for f in found])
        return
    _exchange.show(path.name, found)


@exchange_app.command("import")
def exchange_import(
    path: Annotated[
        Path,
        typer.Argument(help='A PACT v3 JSON file (one footprint, a list, or {"data": [...]}).'),
    ],
    enterprise: Annotated[
        str,
        typer.Option(
            "--enterprise",
            help="The buyer keeping the footprints (its unified social credit code).",
        ),
    ],
    as_user: Annotated[str, typer.Option("--as", help="The user acting (a store user's name).")],
    as_json: JsonOption = False,
) -> None:
    """Keep a supplier's PACT v3 footprints in the store for the enterprise that bought, all
    or nothing, every problem placed; a footprint sent again is kept as held, or as now
    Deprecated; any other change under a held id is refused (PACT v3 gives a change a new
    id)."""
    from carbonpeak.io.pact import read_footprints
    from carbonpeak.services.product_suppliers import import_supplier_footprints_as

    with placed(path):
        read_footprints(path)  # the file's own problems, before the store is opened
    try:
        content = path.read_bytes()
    except OSError as error:
        fail(f"{path}: {error.strerror or error}")
    done = import_supplier_footprints_as(as_user, enterprise, content, path.name)
    if as_json:
        print_json(done.as_dict())
        return
    out.print(
        f"{path.name}: {len(done.stored)} footprint(s) stored, {len(done.unchanged)} held "
        f"unchanged, {len(done.deprecated)} now deprecated for {done.enterprise_id}"
        + (f"; superseded: {', '.join(done.superseded)}" if done.superseded else "")
    )
