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
    data = activity.reset_index(drop=True)
    if data.empty:
        raise InputError(Problem.of(Place(row=2), N_("the table has no rows")))
    if "row" not in data.columns:
        data["row"] = np.arange(2, len(data) + 2)
    norm = normalise(data)
    stream_s, item_s = norm["stream"], norm["item"]
    stream, item = stream_s.to_numpy(), item_s.to_numpy()
    pairs = norm["enterprise_id"].astype(str) + "\x1f" + norm["period"].astype(str)
    key_of_row, pair_values = pd.factorize(pairs, sort=True)
    flags: list[pd.DataFrame] = []

    def note(mask: np.ndarray, kind: str) -> None:
        flags.append(pd.DataFrame({"key": key_of_row[mask], "kind": kind, "item": item[mask]}))

    outside = stream_s.isin(OUTSIDE).to_numpy()
    note(outside, "outside")
    with_factor = {
        str(r["item"])
        for r in reference.rows("process_emission_factors", basis=method.process_basis)
    }
    unlisted = (stream == "process") & ~item_s.isin(with_factor).to_numpy()
    note(unlisted, "unlisted")
    keep = ~(outside | unlisted)

    fuel_like = stream_s.isin(("fuel", "feedstock")).to_numpy()
    defaults = {
        str(r["item"])
        for r in reference.rows(
            "fuel_parameters", parameter_set=method.parameter_set, parameter="carbon_content"
        )
    }
    deducted = {
        str(r["item"])
        for r in reference.rows("process_emission_factors", basis=method.product_basis)
    }
    fuels = {str(r["item"]) for r in reference.rows("items", category="fuel")}
    sold_fuel = (stream == "product") & item_s.isin(fuels - deducted).to_numpy()
    if sold_fuel.any():
        first = int(np.flatnonzero(sold_fuel)[0])
        raise InputError(
            Problem.of(
                Place(row=int(norm["row"].iloc[first]), column="stream"),
                N_(
                    "{!r} as a product: the guideline nets sold coke and gas out of the fuels' "
                    "consumption (formula (1), note 3): report it as a fuel line, direction out"
                ),
                str(item[first]),
            )
        )
    mixed = _mixed_periods(norm)
    if mixed:
        raise InputError(
            Problem.of(
                Place(column="period"),
                N_(
                    "enterprise {} reports {} both as a year and by month: account one or the "
                    "other, never both"
                ),
                *mixed,
            )
        )
    without = keep & fuel_like & ~item_s.isin(defaults).to_numpy()
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
            blank = given & item_s.isin(method.default_ncv_items).to_numpy()
        else:
            continue
        if blank.any():
            note(blank, f"measured:{column}")
            for c in columns:
                if c in data.columns:
                    data.loc[data.index[blank], c] = None

    split = pd.Series(pair_values, dtype=object).str.split("\x1f", n=1, expand=True)
    periods = pd.DataFrame(
        {"enterprise_id": split[0].astype(object), "period": split[1].astype(object)}
    )
    return Prepared(
        data.loc[keep].reset_index(drop=True),
        _warnings(flags, periods),
        data,
        keep,
        periods,
    )


def _warnings(
    flags: list[pd.DataFrame], periods: pd.DataFrame
) -> dict[tuple[str, str], list[ResultWarning]]:
    """The warnings of each enterprise-period from its flagged rows; enterprise-periods with the
    same flags share their warnings (made once per distinct set)."""
    table = pd.concat(flags, ignore_index=True).drop_duplicates()
    if table.empty:
        return {}
    codes, distinct = pd.factorize(table["kind"] + "\t" + table["item"].astype(str))
    names = [str(f) for f in distinct]
    keys = table["key"].to_numpy()
    signatures: dict[int, str]
    if len(names) <= 62:  # each distinct flag a bit: an enterprise-period's set is their sum
        sums = pd.Series(np.left_shift(np.int64(1), codes.astype(np.int64))).groupby(keys).sum()
        decoded = {
            int(bits): "\n".join(sorted(f for i, f in enumerate(names) if int(bits) >> i & 1))
            for bits in np.unique(sums.to_numpy())
        }
        signatures = {
            int(key): decoded[int(bits)]
            for key, bits in zip(sums.index.to_numpy(), sums.to_numpy(), strict=True)
        }
    else:
        joined = (
            pd.Series(np.asarray(names)[codes]).groupby(keys).agg(lambda s: "\n".join(sorted(s)))
        )
        signatures = {
            int(k): str(v) for k, v in zip(joined.index.to_numpy(), joined.to_numpy(), strict=True)
        }
    made: dict[str, list[ResultWarning]] = {}
    out: dict[tuple[str, str], list[ResultWarning]] = {}
    enterprise, period = periods["enterprise_id"].to_numpy(), periods["period"].to_numpy()
    for key, text in signatures.items():
        if text not in made:
            made[text] = _made(text)
        out[(str(enterprise[key]), str(period[key]))] = made[text]
    return out


def _made(signature: str) -> list[ResultWarning]:
    kinds: dict[str, list[str]] = {}
    for line in signature.split("\n"):
        kind, item = line.split("\t", 1)
        kinds.setdefault(kind, []).append(item)
    listed = []
    if "outside" in kinds:
        listed.append(warn("market.methods.indirect_outside", items=sorted(kinds["outside"])))
    if "unlisted" in kinds:
        listed.append(warn("market.methods.not_in_guideline", items=sorted(kinds["unlisted"])))
    for kind, names in sorted(kinds.items()):
        if kind.startswith("measured:"):
            listed.append(
                warn(
                    "market.methods.default_required",
                    parameter=kind.split(":", 1)[1],
                    items=sorted(names),
                )
            )
    return listed


def _mixed_periods(norm: pd.DataFrame) -> tuple[str, str] | None:
    """An enterprise and year reported both as the year and by month, if any."""
    periods = norm[["enterprise_id", "period"]].drop_duplicates()
    text = periods["period"].astype(str)
    annual = periods.loc[text.str.len() == 4]
    monthly = periods.loc[text.str.len() == 7].assign(period=text.str[:4])
    both = annual.merge(monthly, on=["enterprise_id", "period"])
    if both.empty:
        return None
    first = both.iloc[0]
    return str(first["enterprise_id"]), str(first["period"])


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
