"""Where a data-quality control plan and the enterprise's activity meet: the source streams the
enterprise reports in its activity of the plan's year that its plan has no parameter row for.

The steel guideline's plan covers every source it accounts at the enterprise level (§9.1 d):
"明确所有监测的参数"; table B.4: a row block per fuel i, carbonate p, raw material q, product
k) and is revised when a new fuel or material is used (§9.3 a)). So every fuel of the activity,
every material with a factor of the guideline (its process basis: carbonates, electrodes,
carbon-bearing raw materials) and every product it deducts (its product basis) needs its rows
in the plan; materials the guideline does not list are not accounted (§6.2.4) and need none;
purchased electricity and heat are outside its boundary. Each one missing is a problem placed
at the plan's table B.4 (field item), in the reader's language.

Pure: the plan, the activity lines and the reference in; problems out.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from carbonpeak.accounting.activity import normalise
from carbonpeak.errors import N_, Place, Problem
from carbonpeak.market.plans import QualityPlan
from carbonpeak.reference.loader import Reference

MATERIALS = ("carbonate", "electrode", "raw_material")  # B.4 blocks of the process stream


def sources_not_in_plan(
    plan: QualityPlan, activity: pd.DataFrame, reference: Reference
) -> list[Problem]:
    """The fuels, materials and products of `plan`'s enterprise in its activity of the plan's
    year (periods `YYYY` or `YYYY-MM`) without a B.4 row of their kind, in the order first
    reported. A sector without a market method in the library (its guideline not read) gives
    none."""
    methods = reference.rows("market_methods", as_of=dt.date(plan.year, 1, 1), sector=plan.sector)
    if activity.empty or not methods:
        return []
    lines = normalise(activity)
    lines = lines.loc[
        (lines["enterprise_id"].astype(str) == plan.enterprise.uscc)
        & lines["period"].astype(str).str.startswith(str(plan.year))
    ]
    factors = {
        kind: {str(r["item"]) for r in reference.rows("process_emission_factors", basis=basis)}
        for kind, basis in (
            ("process", str(methods[0]["process_basis"])),
            ("product", str(methods[0]["product_basis"])),
        )
    }
    sold_only = {  # products deducted only where they leave the site (外销的生铁)
        str(r["product"]) for r in reference.rows("product_methods") if r["direction"] == "out"
    }
    declared: dict[str, set[str]] = {"fuel": set(), "process": set(), "product": set()}
    for row in plan.parameters:
        block = "process" if row.emission_type in MATERIALS else str(row.emission_type)
        if block in declared:
            declared[block].add(row.item)
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for stream, item, direction in zip(
        lines["stream"].astype(str),
        lines["item"].astype(str),
        lines["direction"].astype(str),
        strict=True,
    ):
        kind = "fuel" if stream in ("fuel", "feedstock") else stream
        if kind not in declared or (kind, item) in seen or item in declared[kind]:
            continue
        if kind != "fuel" and item not in factors[kind]:
            continue  # not accounted by the guideline (6.2.4): no plan row needed
        if kind == "product" and item in sold_only and direction != "out":
            continue  # deducted only when sold
        seen.add((kind, item))
        out.append(
            Problem.of(
                Place(sheet="B.4", field="item"),
                N_(
                    "{} ({}) is in the activity of {} but the plan (version {}) has no row for "
                    "it: a new fuel or material is a revision of the plan (9.3 a))"
                ),
                item,
                stream,
                plan.year,
                plan.version.number,
            )
        )
    return out
