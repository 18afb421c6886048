"""`carbonpeak product exchange`: the footprints written as PACT v3 for the customers that
asked (a footprint with a gap refused) and a supplier's file shown, kept apart for the group's
size."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from carbonpeak.cli._kit import fail, out, table

if TYPE_CHECKING:
    from carbonpeak.product.pact_model import Footprint
    from carbonpeak.product.results import ProductResults


def pairs(texts: list[str], option: str) -> dict[str, float]:
    """`product=number` pairs of a repeated option."""
    import math

    found: dict[str, float] = {}
    for text in texts:
        name, _, number = text.partition("=")
        try:
            value = float(number)
        except ValueError:
            fail(f"{option} {text!r}: write PRODUCT=NUMBER, e.g. ingot=0")
        if not name.strip() or not math.isfinite(value) or value < 0:
            fail(f"{option} {text!r}: a product's name and a number of 0 or more")
        found[name.strip()] = value
    return found


def export(
    results: ProductResults,
    wanted: dict[str, float],
    company: str,
    enterprise: str,
    year: int,
    out_path: Path,
) -> None:
    """Write the footprints of the `wanted` products (fossil carbon, kgC/t) to `out_path`."""
    import uuid
    from datetime import UTC, datetime

    from carbonpeak.io.pact import write_footprints
    from carbonpeak.product.pact_export import to_pact_footprint

    unknown = sorted(set(wanted) - set(results.footprints))
    if unknown:
        fail(
            f"--fossil-carbon: no product {', '.join(unknown)} in the map "
            f"(its products: {', '.join(results.footprints)})"
        )
    gaps = {
        product: ", ".join(map(str, w.data["items"]))
        for product in wanted
        for w in results.footprints[product].warnings
        if w.code == "product.footprint.no_factor"
    }
    if gaps:  # PACT would carry them as exempted 0 %: a footprint with a gap is not declared
        fail(
            "footprints with gaps are not exported (a flow without a factor is not counted): "
            + "; ".join(f"{product}: {items}" for product, items in gaps.items())
            + " — give their factors in the map's flows sheet"
        )
    created = datetime.now(UTC).replace(microsecond=0)
    exported = [
        to_pact_footprint(
            results.footprints[product],
            footprint_id=uuid.uuid4(),
            created=created,
            company_name=company,
            enterprise_id=enterprise,
            year=year,
            fossil_carbon_kg_per_t=kg,
        )
        for product, kg in wanted.items()
    ]
    write_footprints(out_path, exported)
    out.print(f"Written {out_path}: {len(exported)} PACT v3 footprint(s) of {year}")


def show(name: str, found: list[Footprint]) -> None:
    """A supplier's footprints as a table."""
    out.print(
        table(
            f"{name}: {len(found)} footprint(s)",
            ["company", "product", "declared unit", "PCF (kgCO2e)", "period", "status"],
            [
                [
                    f.company_name,
                    f.product_name,
                    f"{f.pcf.declared_amount} {f.pcf.declared_unit}",
                    str(f.pcf.pcf_excluding_biogenic_uptake),
                    f"{f.pcf.reference_period_start:%Y-%m-%d}–{f.pcf.reference_period_end:%Y-%m-%d}",
                    f.status,
                ]
                for f in found
            ],
        )
    )
