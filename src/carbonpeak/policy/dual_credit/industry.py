"""The industry view of a year: every enterprise's credits summed by sign, the supply/demand
ratio of NEV credits and what it means for the credit pool, and the official annual results
(`dual_credit_results`) beside the computed ones where the year has them."""

from __future__ import annotations

from datetime import date
from typing import Any

from carbonpeak.policy.dual_credit.compute import Credits
from carbonpeak.reference.loader import Reference

TEN_THOUSAND = 10_000.0


def industry(credits: Credits, year: int, reference: Reference) -> dict[str, Any]:
    """Totals of `year` (credits in 10^4, as the announcements give them), the NEV ratio and
    pool state, and the official figures of the year."""
    table = credits.enterprises[credits.enterprises["year"] == year]
    cafc, nev = table["cafc_credits"], table["nev_credits"]
    positive, negative = float(nev[nev > 0].sum()), float(-nev[nev < 0].sum())
    ratio = positive / negative if negative else None
    on = date(year + 1, 12, 31)  # the pool acts in the year after the accounting year
    triggers = {
        str(r["parameter"]): float(r["value"])  # type: ignore[arg-type]
        for r in reference.rows("dual_credit_parameters", as_of=on)
        if str(r["parameter"]).startswith("pool_")
    }
    pool = "none"
    if "pool_deposit_ratio" in triggers:
        if ratio is None or ratio > triggers["pool_deposit_ratio"]:
            pool = "open for deposits"
        elif ratio < triggers["pool_release_ratio"]:
            pool = "releasing"
        else:
            pool = "closed"
    computed = {
        "enterprises": len(table),
        "volume_10k": round(float(table["volume"].sum()) / TEN_THOUSAND, 2),
        "cafc_positive_10k": round(float(cafc[cafc > 0].sum()) / TEN_THOUSAND, 2),
        "cafc_negative_10k": round(float(-cafc[cafc < 0].sum()) / TEN_THOUSAND, 2),
        "nev_positive_10k": round(positive / TEN_THOUSAND, 2),
        "nev_negative_10k": round(negative / TEN_THOUSAND, 2),
        "cafc_compliant": int((cafc >= 0).sum()),
        "cafc_non_compliant": int((cafc < 0).sum()),
    }
    official = {
        str(r["measure"]): float(r["value"])  # type: ignore[arg-type]
        for r in reference.rows("dual_credit_results", year=year, scope="total")
    }
    return {
        "year": year,
        "computed": computed,
        "nev_supply_demand_ratio": round(ratio, 4) if ratio is not None else None,
        "pool": pool,
        "official": official,
        "comparison": {
            measure: {"computed": computed[measure], "official": value}
            for measure, value in official.items()
            if measure in computed
        },
    }
