"""`carbonpeak product cbam --workbook`: the options that say what the installation is, and
the EU CBAM communication written in the Commission's template (`product.cbam_export`,
`io.cbam_workbook`), kept apart for the group's size."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from carbonpeak.cli._kit import fail, out, placed

if TYPE_CHECKING:
    import pandas as pd

    from carbonpeak.product.plant import ProductMap
    from carbonpeak.product.results import ProductResults
    from carbonpeak.reference.loader import Reference


WorkbookOption = Annotated[
    Path | None,
    typer.Option(
        "--workbook",
        help="Also write the EU CBAM communication to the importers: the Commission's "
        "template for installations (v2.1.1, .xlsx), filled from the map and the year's "
        "account.",
    ),
]
InstallationOption = Annotated[
    list[str] | None,
    typer.Option(
        "--installation",
        help="--workbook: FIELD=VALUE, what the installation is, repeated: name (in English; "
        "default: the enterprise's name in --enterprises), local_name, street, "
        "economic_activity, post_code, po_box, city (default: the prefecture of the "
        "enterprise's region), country (as the template lists it; default with --enterprises: "
        "China), unlocode, latitude, longitude (of the main emission source), representative, "
        "email, phone.",
    ),
]
SourceOption = Annotated[
    str | None,
    typer.Option(
        "--electricity-source",
        help="--workbook: where --electricity-factor comes from, as the template lists it: "
        "D.4(a), D.4(b), D.4.1, D.4.2, D.4.3.1, D.4.3.2 or Mix.",
    ),
]


def check(path: Path, fields: list[str], source: str | None) -> dict[str, Any]:
    """The installation's fields of the options (`--installation FIELD=VALUE`); a --workbook,
    field or --electricity-source the command cannot take refused."""
    from carbonpeak.product.cbam_codes import ElecSource
    from carbonpeak.product.cbam_template import Installation

    if path.suffix.lower() != ".xlsx":
        fail(f"--workbook {path}: the communication is an Excel workbook, name it *.xlsx")
    if not path.parent.is_dir():
        fail(f"--workbook {path}: no folder {path.parent}")
    choices = [s.value for s in ElecSource]
    if source is not None and source not in choices:
        fail(f"--electricity-source {source!r}: one of {', '.join(choices)}")
    site: dict[str, Any] = {}
    for text in fields:
        field, equals, value = text.partition("=")
        if not equals or field.strip() not in Installation.model_fields:
            fail(
                f"--installation {text!r}: write FIELD=VALUE, a field one of "
                + ", ".join(Installation.model_fields)
            )
        site[field.strip()] = value.strip()
    return site


def write(
    path: Path,
    plan_path: Path,
    found: tuple[ProductResults, ProductMap, pd.DataFrame | None, Reference],
    site: dict[str, Any],
    enterprise: str,
    source: str | None,
) -> None:
    """Write the CBAM communication (`product cbam --workbook`), whole or not at all: the
    installation from the options, and where they say nothing from the enterprise's row of
    --enterprises (its name; its region's city and country)."""
    from carbonpeak.io.cbam_workbook import write_communication
    from carbonpeak.product.cbam_codes import ElecSource
    from carbonpeak.product.cbam_export import communication
    from carbonpeak.product.cbam_installation import installation

    results, plan, enterprises, reference = found
    region = None
    if enterprises is not None:
        row = enterprises.loc[enterprises["enterprise_id"].astype(str).str.strip() == enterprise]
        if not row.empty:
            site.setdefault("name", str(row["name"].iloc[0]))
            region = str(row["region_code"].iloc[0]).strip()
    if not site.get("name"):
        fail("--installation name=...: the installation's name (or --enterprises with its row)")
    made = installation(site, region, reference)
    with placed(plan_path):
        model = communication(
            plan, results, made, reference, ElecSource(source) if source else None, str(plan_path)
        )
    write_communication(model, path)
    out.print(
        f"Written {path}: the CBAM communication of {results.year} "
        f"({len(model.processes)} process(es), {len(model.products)} product(s))"
    )
