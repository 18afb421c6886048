"""A plant's product results of a year from the store's kind of input: its account's activity
rows of the year and the reference's factors for it (`year_results`), or a province's plants at
once over one accounting run (`province_results`)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from carbonpeak.accounting.engine import account
from carbonpeak.domain.units import conversion_factor
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.product.cbam import waste_gas_items
from carbonpeak.product.plant import Factors, ProductMap, summaries_of
from carbonpeak.product.results import ProductResults, product_results
from carbonpeak.reference.loader import Reference


def factors_for(reference: Reference, year: int, electricity_cbam: float | None = None) -> Factors:
    """The model's factors for a year: the electricity footprint factor of that year (the
    latest before it when the year has none), in tCO2e/kWh, with its source; and the CBAM
    electricity factor the operator gives (tCO2/MWh), if any."""
    rows = [
        r
        for r in reference.rows("footprint_factors", factor="electricity_grid_average")
        if r.valid_from is not None and r.valid_from <= date(year, 12, 31)
    ]
    if not rows:
        return Factors(None, None, electricity_cbam)
    latest = max(rows, key=lambda r: r.valid_from or date.min)
    value = reference.lookup(
        "footprint_factors", "value", as_of=latest.valid_from, factor="electricity_grid_average"
    )
    per_kwh = value.value * conversion_factor(value.unit, "t/kWh")
    source = f"{value.provenance.source} ({value.provenance.status})"
    return Factors(
        per_kwh, source, electricity_cbam, latest.valid_from.year if latest.valid_from else None
    )


def year_results(
    activity: pd.DataFrame,
    enterprises: pd.DataFrame | None,
    plan: ProductMap,
    enterprise_id: str,
    year: int,
    reference: Reference,
    electricity_cbam: float | None = None,
    import_year: int | None = None,
    map_file: str = "",
) -> ProductResults:
    """An enterprise's product results of a year from an activity table (its rows of every
    period of the year, accounted by the accounting engine) and its process map; its CBAM
    goods priced for `import_year` (default: `year`)."""
    rows = activity.loc[
        (activity["enterprise_id"].astype(str).str.strip() == enterprise_id)
        & activity["period"].astype(str).str.strip().str.startswith(str(year))
    ]
    if rows.empty:
        raise InputError(
            Problem.of(
                Place(field="year"),
                N_("enterprise {} has no activity of {}: the process map divides its account"),
                enterprise_id,
                year,
            )
        )
    lines = account(rows.reset_index(drop=True), enterprises, reference=reference).lines
    return product_results(
        lines,
        plan,
        factors_for(reference, year, electricity_cbam),
        reference,
        year,
        import_year=import_year,
        map_file=map_file,
    )


def province_results(
    activity: pd.DataFrame,
    enterprises: pd.DataFrame | None,
    maps: dict[str, ProductMap],
    year: int,
    reference: Reference,
    import_year: int | None = None,
) -> dict[str, ProductResults]:
    """Every mapped enterprise's product results of a year: one accounting run over all their
    rows of the year, then each enterprise's map over its own lines."""
    rows = activity.loc[
        activity["enterprise_id"].astype(str).str.strip().isin(list(maps))
        & activity["period"].astype(str).str.strip().str.startswith(str(year))
    ]
    lines = account(rows.reset_index(drop=True), enterprises, reference=reference).lines
    factors = factors_for(reference, year)
    return {
        enterprise_id: product_results(
            summary, maps[enterprise_id], factors, reference, year, import_year=import_year
        )
        for enterprise_id, summary in summaries_of(lines, waste_gas_items(reference)).items()
    }
