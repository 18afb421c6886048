"""Process-level accounts of the market's guidelines (steel: CETS—AG—03.01—V01—2024 §7).

The rows of the process sheet say which process a fuel goes into or comes out of, and what the
process produced: enterprise_id, period, process (a code or the Chinese name of
`market_processes`), stream (`fuel` or `product`), item, direction (fuels: `in` into the
process, `out` out of it), amount, unit, and optionally the measured ncv/ncv_unit. They are not
the enterprise's purchased fuels (the activity table), so neither account counts them twice.

- formula (2), a balance process j (焦化, 烧结, 球团, 炼铁, 转炉, 电炉): E_j = Σ fuels in x NCV x
  CC x 44/12 − Σ fuels out x NCV x CC x 44/12;
- formula (3), a co-firing generating facility: Σ fuels x NCV x CC x OF x 44/12 (OF from
  附表A.1);
- formula (4): the rest of the enterprise, E_other = E_enterprise − Σ E_j − Σ E_cofiring.

NCV (§7.1.2.2): coke always the default; a fuel line without a measured NCV takes the
enterprise level's measured NCV of the same fuel and period (weighted by amount, where its lines
give it in one unit), else the default.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from carbonpeak.accounting.activity import check_activity, normalise, numbers
from carbonpeak.accounting.engine import account
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.market.methods import MarketMethod, prepare
from carbonpeak.reference.loader import Reference

COLUMNS = ("enterprise_id", "period", "process")


def processes_of(sector: str, reference: Reference) -> dict[str, dict[str, str]]:
    """The sector's processes by code: name_zh, name_en, formula, product, and `products`
    (the product and the others the text names, separated by spaces)."""
    return {
        str(r["process"]): {
            **{k: str(r.get(k) or "") for k in ("name_zh", "name_en", "formula", "product")},
            "products": " ".join(
                filter(None, [str(r.get("product") or ""), str(r.get("other_products") or "")])
            ),
        }
        for r in reference.rows("market_processes", sector=sector)
    }


def account_processes(
    rows: pd.DataFrame,
    method: MarketMethod,
    enterprise_rows: pd.DataFrame,
    enterprises: pd.DataFrame | None,
    reference: Reference,
) -> pd.DataFrame:
    """Emissions and output of each enterprise, period and process: enterprise_id, period,
    process, name_zh, co2_t, product, output_t, intensity_t_per_t. `enterprise_rows`: the
    activity rows of the enterprise level (their measured NCVs)."""
    known = processes_of(method.sector, reference)
    data = rows.copy()
    if "row" not in data.columns:
        data["row"] = np.arange(2, len(data) + 2)
    codes = _codes(data, known)
    _check_streams(data)
    # every column as given, also those the guideline sets aside below (coke's measured NCV):
    # a bad value there was stored without a word (as review 23 found for the activity)
    # (a product line of a material, 直接还原铁, as the engine takes it below)
    categories = {str(r["item"]): str(r["category"]) for r in reference.rows("items")}
    given = data.drop(columns=["process"])
    stream = given["stream"].astype(str).str.strip()
    material = (stream == "product") & given["item"].astype(str).str.strip().map(categories).eq(
        "material"
    )
    problems = check_activity(given.assign(stream=stream.where(~material, "process")), reference)
    if problems:
        raise InputError(problems)
    data = _with_enterprise_ncv(
        data.drop(columns=["process"]), enterprise_rows, method.default_ncv_items
    )
    # the guideline's data rules (measured values it does not accept, fuels it cannot count)
    data = prepare(data, method, reference).rows.assign(process=codes.to_numpy())
    # a product line is the process's output; one of a material (直接还原铁, 镍铁合金: §8.2.1
    # names them as the ironmaking product, A.2 as purchased materials) goes to the engine as
    # the material it is, and is counted as output all the same
    output = data["stream"].astype(str).str.strip() == "product"
    material = output & data["item"].astype(str).str.strip().map(categories).eq("material")
    data = data.assign(stream=np.where(material, "process", data["stream"]), output=output)
    out: list[pd.DataFrame] = []
    for formula in ("balance", "cofiring"):
        chosen = data["process"].map({k: v["formula"] for k, v in known.items()}) == formula
        part = data.loc[chosen.to_numpy(dtype=bool)]
        if part.empty:
            continue
        options = method.options()
        if formula == "cofiring":  # formula (3) counts the oxidation rate of 附表A.1
            options = replace(options, oxidation="rate")
        lines = account(
            part.drop(columns=["process", "output"]), enterprises, options, reference
        ).lines
        lines = lines.assign(
            process=part["process"].to_numpy(),
            output=part["output"].to_numpy(dtype=bool),
            enterprise_id=lines["enterprise_id"].astype(str).str.strip(),
            period=lines["period"].astype(str).str.strip(),
        )
        out.append(lines)
    if not out:
        return pd.DataFrame(columns=["enterprise_id", "period", "process", "co2_t"])
    lines = pd.concat(out, ignore_index=True)
    stream = lines["stream"].astype(str).str.strip()
    item = lines["item"].astype(str).str.strip()
    # the process's output: any of the products the text names for it (§8.2.1)
    pairs = {(k, p) for k, v in known.items() for p in v["products"].split()}
    own = pd.Series(
        [(c, i) in pairs for c, i in zip(lines["process"], item, strict=True)], index=lines.index
    )
    lines["co2_part"] = np.where(stream == "fuel", lines["co2e_t"], 0.0)
    lines["output_part"] = np.where(lines["output"] & own, np.abs(lines["qty"]), 0.0)
    totals = lines.groupby(["enterprise_id", "period", "process"], as_index=False, sort=True)[
        ["co2_part", "output_part"]
    ].sum()
    totals = totals.rename(columns={"co2_part": "co2_t", "output_part": "output_t"})
    totals["name_zh"] = totals["process"].map({k: v["name_zh"] for k, v in known.items()})
    totals["name_en"] = totals["process"].map({k: v["name_en"] for k, v in known.items()})
    totals["product"] = totals["process"].map({k: v["product"] for k, v in known.items()})
    totals.loc[totals["product"] == "", "output_t"] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        totals["intensity_t_per_t"] = np.where(
            totals["output_t"] > 0, totals["co2_t"] / totals["output_t"], np.nan
        )
    return totals[
        [
            "enterprise_id",
            "period",
            "process",
            "name_zh",
            "name_en",
            "co2_t",
            "product",
            "output_t",
            "intensity_t_per_t",
        ]
    ]


def _codes(data: pd.DataFrame, known: dict[str, dict[str, str]]) -> pd.Series:
    """The process column as codes (a Chinese name is read as its code); unknown ones refused."""
    if "process" not in data.columns:
        raise InputError(
            Problem.of(Place(column="process"), N_("the process sheet has no process column"))
        )
    by_name = {v["name_zh"]: k for k, v in known.items()}
    text = data["process"].astype(str).str.strip()
    codes = text.map({**by_name, **{k: k for k in known}}).fillna("")
    problems = [
        Problem.of(
            Place(row=int(row), column="process"),
            N_("unknown process {!r}: one of {}"),
            value,
            ", ".join(f"{k} ({v['name_zh']})" for k, v in known.items()),
        )
        for row, value, code in zip(data["row"], text, codes, strict=True)
        if not code
    ]
    if problems:
        raise InputError(problems)
    return codes


def _check_streams(data: pd.DataFrame) -> None:
    stream = data["stream"].astype(str).str.strip()
    problems = [
        Problem.of(
            Place(row=int(row), column="stream"),
            N_(
                "a process line is a fuel into or out of the process, or its product: "
                "{!r} is neither"
            ),
            value,
        )
        for row, value in zip(data["row"], stream, strict=True)
        if value not in ("fuel", "product")
    ]
    if problems:
        raise InputError(problems)


def _with_enterprise_ncv(
    data: pd.DataFrame, enterprise_rows: pd.DataFrame, default_ncv_items: frozenset[str]
) -> pd.DataFrame:
    """Fuel lines without a measured NCV take the enterprise level's (same enterprise, period
    and fuel; amount-weighted where its lines give it in one unit); never for the items whose
    NCV is always the default."""
    data = data.copy()
    for column in ("ncv", "ncv_unit"):
        if column not in data.columns:
            data[column] = ""
    if enterprise_rows.empty or "ncv" not in enterprise_rows.columns:
        return data
    measured = enterprise_rows["ncv"].astype(str).str.strip()
    given = enterprise_rows.loc[~measured.isin(("", "nan", "None"))]  # only these carry one
    if given.empty:
        return data
    level = normalise(given)
    level = level.assign(ncv=numbers(level["ncv"]).astype(float))
    level = level.loc[level["stream"].isin(("fuel", "feedstock")) & level["ncv"].notna()]
    if level.empty:
        return data
    level = level.assign(
        weight=level["amount_value"] * level["ncv"],
        ncv_unit=level["ncv_unit"].astype(str).str.strip(),
        unit=level["unit"].astype(str).str.strip(),
    )
    # weighted by the amounts as reported: only where the lines of a fuel share one unit of
    # amount and one of NCV (else the default stands)
    grouped = level.groupby(["enterprise_id", "period", "item"], as_index=False).agg(
        amount_units=("unit", "nunique"),
        units=("ncv_unit", "nunique"),
        unit=("ncv_unit", "first"),
        weight=("weight", "sum"),
        amount=("amount_value", "sum"),
    )
    grouped = grouped.loc[
        (grouped["units"] == 1) & (grouped["amount_units"] == 1) & (grouped["amount"] > 0)
    ]
    grouped = grouped.assign(mean=grouped["weight"] / grouped["amount"])
    keys = pd.DataFrame(
        {c: data[c].astype(str).str.strip().to_numpy() for c in ("enterprise_id", "period", "item")}
    )
    found = keys.merge(grouped, how="left", on=["enterprise_id", "period", "item"])
    missing = data["ncv"].astype(str).str.strip().isin(("", "nan", "None")).to_numpy()
    fuel = (data["stream"].astype(str).str.strip() == "fuel").to_numpy()
    take = (
        missing
        & fuel
        & ~keys["item"].isin(sorted(default_ncv_items)).to_numpy()
        & found["mean"].notna().to_numpy()
    )
    data.loc[data.index[take], "ncv"] = [repr(float(v)) for v in found["mean"].to_numpy()[take]]
    data.loc[data.index[take], "ncv_unit"] = found["unit"].to_numpy()[take]
    return data
