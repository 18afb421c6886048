"""The national carbon market's guidelines as accounting methods: a guideline is a row of the
reference table `market_methods` (by sector and reporting year), read into the choices of the
accounting engine, with the boundary and data rules it applies to the activity rows before they
are accounted (`prepare`; see `accounts.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.accounting.activity import NUMERIC_OPTIONAL, normalise
from carbonpeak.accounting.factors import AccountingOptions
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.reference.loader import Provenance, Reference, default_reference

SECTORS = ("steel", "cement", "aluminium")
# Measured columns and the parameter each one carries (the names the guideline's rows use).
MEASURED_COLUMNS = {
    "ncv": ("ncv", "ncv_unit"),
    "carbon_content_tc_per_gj": ("carbon_content_tc_per_gj",),
    "oxidation_rate": ("oxidation_rate",),
    "emission_factor": ("emission_factor", "emission_factor_unit"),
    **{c: (c,) for c in NUMERIC_OPTIONAL if c.endswith("_fraction") and c != "oxidation_rate"},
}
OUTSIDE = ("electricity", "heat")  # streams outside a direct boundary


@dataclass(frozen=True)
class MarketMethod:
    """One row of `market_methods`: a sector's guideline in force for a reporting year."""

    sector: str
    method: str
    guideline: str
    parameter_set: str
    process_basis: str
    product_basis: str
    oxidation: str
    measured: frozenset[str]
    default_ncv_items: frozenset[str]
    product: str
    boundary: str
    provenance: Provenance

    def options(self) -> AccountingOptions:
        """The accounting engine's choices that follow this guideline."""
        return AccountingOptions(
            parameter_sets=(self.parameter_set,),
            process_bases=(self.process_basis,),
            product_bases=(self.product_basis,),
            oxidation=self.oxidation,  # type: ignore[arg-type]
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "sector": self.sector,
            "method": self.method,
            "guideline": self.guideline,
            "product": self.product,
            "boundary": self.boundary,
            "provenance": self.provenance.as_dict(),
        }


def method_of(sector: str, year: int, reference: Reference | None = None) -> MarketMethod:
    """The market's guideline for `sector` in reporting year `year`; refused when the library
    holds none (cement and aluminium: their guidelines' texts were not found)."""
    ref = reference or default_reference()
    if sector not in SECTORS:
        raise InputError(
            Problem.of(
                Place(field="sector"),
                N_("unknown sector {!r} of the national carbon market: one of {}"),
                sector,
                ", ".join(SECTORS),
            )
        )
    rows = ref.rows("market_methods", as_of=date(year, 1, 1), sector=sector)
    if not rows:
        raise InputError(
            Problem.of(
                Place(field="sector"),
                N_(
                    "the reference library holds no accounting guideline of the national carbon "
                    "market for {} in {}: an approved reference edition can add it "
                    "(table market_methods)"
                ),
                sector,
                year,
            )
        )
    row = rows[0]
    source_id = str(row["source_id"])
    spec = ref.spec("market_methods")

    def words(column: str) -> frozenset[str]:
        return frozenset(str(row.get(column) or "").split())

    return MarketMethod(
        sector=sector,
        method=str(row["method"]),
        guideline=str(row["guideline"]),
        parameter_set=str(row["parameter_set"]),
        process_basis=str(row["process_basis"]),
        product_basis=str(row["product_basis"]),
        oxidation=str(row["oxidation"]),
        measured=words("measured"),
        default_ncv_items=words("default_ncv_items"),
        product=str(row["product"]),
        boundary=str(row["boundary"]),
        provenance=Provenance(
            table="market_methods",
            key=tuple((k, str(row.get(k))) for k in spec.key),
            column="method",
            line=row.line,
            source_id=source_id,
            source=ref.source(source_id).cite(),
            status=str(row["status"]),
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            note=str(row.get("note") or "") or None,
        ),
    )


@dataclass
class Prepared:
    """The activity rows a guideline counts, and what it set aside, per enterprise-period."""

    rows: pd.DataFrame
    warnings: dict[tuple[str, str], list[ResultWarning]]
    # every row of the activity, with the measured values the guideline does not accept
    # blanked, and which of them `rows` keeps (the reconciliation runs on both)
    blanked: pd.DataFrame
    keep: np.ndarray
    periods: pd.DataFrame  # every (enterprise_id, period) of the activity, sorted


def prepare(activity: pd.DataFrame, method: MarketMethod, reference: Reference) -> Prepared:
    """The rows as the guideline counts them (see the module's doc), with a warning for each
    kind of change per enterprise and period. Refuses a fuel the guideline cannot account."""
    data = activity.copy()
    if "row" not in data.columns:
        data["row"] = np.arange(2, len(data) + 2)
    norm = normalise(data)
    stream = norm["stream"].to_numpy()
    item = norm["item"].to_numpy()
    keys = list(zip(norm["enterprise_id"], norm["period"], strict=True))
    found: dict[tuple[str, str], dict[str, set[str]]] = {}

    def note(mask: np.ndarray, kind: str, label: np.ndarray) -> None:
        for i in np.flatnonzero(mask):
            found.setdefault(keys[i], {}).setdefault(kind, set()).add(str(label[i]))

    outside = np.isin(stream, OUTSIDE)
    note(outside, "outside", item)
    with_factor = {
        str(r["item"])
        for r in reference.rows("process_emission_factors", basis=method.process_basis)
    }
    unlisted = (stream == "process") & ~np.isin(item, sorted(with_factor))
    note(unlisted, "unlisted", item)
    keep = ~(outside | unlisted)

    fuel_like = np.isin(stream, ("fuel", "feedstock"))
    defaults = {
        str(r["item"])
        for r in reference.rows(
            "fuel_parameters", parameter_set=method.parameter_set, parameter="carbon_content"
        )
    }
    without = keep & fuel_like & ~np.isin(item, sorted(defaults))
    if without.any():
        first = int(np.flatnonzero(without)[0])
        raise InputError(
            Problem.of(
                Place(row=int(norm["row"].iloc[first]), column="item"),
                N_(
                    "{} has no default carbon content for {!r}, and the guideline accepts no "
                    "other: report the fuel as one of the guideline's kinds (coal by its type)"
                ),
                method.guideline,
                str(item[first]),
            )
        )

    for column, columns in MEASURED_COLUMNS.items():
        if column not in data.columns:
            continue
        given = _given(norm[column]) & keep
        if column not in method.measured:
            blank = given
        elif column == "ncv":
            blank = given & np.isin(item, sorted(method.default_ncv_items))
        else:
            continue
        if blank.any():
            note(blank, f"measured:{column}", item)
            for c in columns:
                if c in data.columns:
                    data.loc[data.index[blank], c] = None

    warnings: dict[tuple[str, str], list[ResultWarning]] = {}
    for key, kinds in found.items():
        listed = warnings.setdefault(key, [])
        if "outside" in kinds:
            listed.append(warn("market.boundary.indirect_outside", items=sorted(kinds["outside"])))
        if "unlisted" in kinds:
            listed.append(warn("market.process.not_in_guideline", items=sorted(kinds["unlisted"])))
        for kind, names in sorted(kinds.items()):
            if kind.startswith("measured:"):
                listed.append(
                    warn(
                        "market.measured.default_required",
                        parameter=kind.split(":", 1)[1],
                        items=sorted(names),
                    )
                )
    periods = (
        pd.DataFrame(keys, columns=["enterprise_id", "period"], dtype=object)
        .drop_duplicates()
        .sort_values(["enterprise_id", "period"], ignore_index=True)
    )
    return Prepared(data.loc[keep].reset_index(drop=True), warnings, data, keep, periods)


def _given(series: pd.Series) -> np.ndarray:
    text = series.astype(str).str.strip()
    return (series.notna() & (text != "") & (text.str.lower() != "nan")).to_numpy()


def method_for(activity: pd.DataFrame, sector: str, reference: Reference) -> MarketMethod:
    """The one guideline the periods of `activity` follow; refused when they follow several."""
    methods = {year: method_of(sector, year, reference) for year in years_of(activity)}
    distinct = {m.method for m in methods.values()}
    if len(distinct) > 1:
        raise InputError(
            Problem.of(
                Place(column="period"),
                N_(
                    "the periods of this table follow different guidelines of the national "
                    "carbon market ({}): account each year on its own"
                ),
                ", ".join(sorted(distinct)),
            )
        )
    return next(iter(methods.values()))


def years_of(activity: pd.DataFrame) -> list[int]:
    periods: list[str] = (
        [str(p) for p in activity["period"].astype(str).str.strip().unique()]
        if len(activity)
        else []
    )
    years = sorted({int(p[:4]) for p in periods if p[:4].isdigit()})
    if not years:
        raise InputError(Problem.of(Place(column="period"), N_("the table has no period")))
    return years
