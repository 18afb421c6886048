"""The CO2 avoided by utilising industrial solid waste, by route and kind, where the library
has a factor (`solid_waste_avoided_factors`, tCO2 per tonne utilised, in force on the year's
last day): avoided = utilised × factor. The table ships without rows (no factor with a source
was found, e.g. for slag replacing clinker): an authority supplies them by an edition. A route
and kind without a factor counts no avoided CO2 and says so (`has_factor` False,
`utilisation.avoided.no_factor`); a factor not verified says so too, and the total carries
two flags: `unverified` (any factor used is not verified) and `illustrative` (any factor used
says, on its row or in its source, that it is illustrative: the demo's edition does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.reference.loader import Provenance, Reference, ReferenceLookupError

COLUMNS = (
    "route",
    "kind",
    "utilised_t",
    "has_factor",
    "factor_tco2_per_t",
    "co2_avoided_t",
    "source_id",
    "status",
    "note",
    "illustrative",
)
ILLUSTRATIVE_WORDS = ("illustrative", "示例")
"""Words by which a row's note or its source's title or note says it is illustrative."""


@dataclass(frozen=True)
class Avoided:
    """The avoided CO2 of a year by route and kind (`COLUMNS`; factor and CO2 None where no
    factor), its total over the rows with a factor, whether any factor used is unverified or
    illustrative, the factors' provenance and warnings."""

    year: int
    table: pd.DataFrame
    co2_avoided_t: float
    factors: tuple[Provenance, ...]
    warnings: tuple[ResultWarning, ...]
    unverified: bool = False
    illustrative: bool = False


def is_illustrative(provenance: Provenance, reference: Reference) -> bool:
    """Whether a factor's row note, or its source's title or note, says it is illustrative."""
    texts = [provenance.note or ""]
    try:
        source = reference.source(provenance.source_id)
    except ReferenceLookupError:
        source = None
    if source is not None:
        texts += [source.title or "", source.note or ""]
    said = " ".join(texts).lower()
    return any(word in said for word in ILLUSTRATIVE_WORDS)


def avoided(rows: pd.DataFrame, reference: Reference, *, year: int) -> Avoided:
    """The CO2 avoided in `year` by the utilisation in `rows` (a checked report's rows)."""
    used = rows[(rows.period == year) & (rows.flow == "utilised")]
    sums = used.groupby(["route", "kind"], as_index=False).amount_t.sum()
    on = date(year, 12, 31)
    out: list[tuple[object, ...]] = []
    factors, missing, unverified = [], [], []
    for r in sums.itertuples():
        try:
            value = reference.lookup(
                "solid_waste_avoided_factors", "factor", as_of=on, route=r.route, kind=r.kind
            )
        except ReferenceLookupError:
            missing.append(f"{r.kind}/{r.route}")
            out.append((r.route, r.kind, r.amount_t, False, None, None, None, None, None, None))
            continue
        factor = value.to("tCO2/t")
        factors.append(value.provenance)
        if not value.verified:
            unverified.append(f"{r.kind}/{r.route}")
        p = value.provenance
        out.append(
            (
                r.route,
                r.kind,
                r.amount_t,
                True,
                factor,
                r.amount_t * factor,
                p.source_id,
                p.status,
                p.note,
                is_illustrative(p, reference),
            )
        )
    table = pd.DataFrame(out, columns=list(COLUMNS), dtype=object)
    table["utilised_t"] = table.utilised_t.astype(float)
    warnings = []
    if missing:
        warnings.append(warn("utilisation.avoided.no_factor", pairs=missing))
    if unverified:
        warnings.append(warn("utilisation.avoided.unverified_factor", pairs=unverified))
    total = float(sum(v for v in table.co2_avoided_t if isinstance(v, float)))
    return Avoided(
        year,
        table,
        total,
        tuple(factors),
        tuple(warnings),
        unverified=bool(unverified),
        illustrative=any(v is True for v in table.illustrative),
    )
