"""The utilisation of industrial solid waste in the demo province (issue 23): the 2024 and
2025 reports of the enterprises whose sectors generate bulk solid waste (`profile.yaml`,
section `utilisation`), and of the example steel and aluminium enterprises the demo's
enterprise login acts for.

Synthetic, drawn from the province's seed: per enterprise and kind a generation (log-normal
around the sector's median), a share utilised around its prefecture's level (so that the
regions differ around the target), split among the kind's routes; a stock at the start of the
first year, a small share of it utilised; the rest of the year's waste stored or disposed of,
so that each report balances (产生量 = 当年利用 + 贮存 + 当年处置) and the next year's stock at the
start is this year's at the end. Every amount is whole tonnes. Nothing here is a statistic.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.demo.province import Province, load_profile

COLUMNS = ("enterprise_id", "period", "kind", "flow", "route", "amount_t")


def demo_reports(province: Province) -> pd.DataFrame:
    """The demo's reports as the report table (text cells, `utilisation.report.COLUMNS`)."""
    spec: dict[str, Any] = load_profile()["utilisation"]
    rng = np.random.default_rng([province.seed, 23])
    low, high = spec["prefecture_share"]
    levels = {p.region_code: rng.uniform(low, high) for p in province.prefectures}
    firms = [
        (e.enterprise.enterprise_id, e.sector, e.enterprise.region_code)
        for e in province.enterprises
        if e.sector in spec["kinds"]
    ]
    firms += [(code, sector, _region_of(code)) for code, sector in dict(spec["examples"]).items()]
    lines: list[tuple[object, ...]] = []
    for enterprise_id, sector, region in firms:
        level = levels.get(region[:4] + "00", (low + high) / 2)
        for kind in spec["kinds"][sector]:
            share = float(np.clip(level + rng.uniform(-spec["spread"], spec["spread"]), 0, 1))
            generated = float(rng.lognormal(np.log(kind["median"]), kind["sigma"]))
            stock = round(generated * rng.uniform(*spec["opening_stock"]))
            for year in spec["years"]:
                made = round(generated * rng.uniform(0.95, 1.05))
                own = round(made * share)
                from_stock = round(stock * rng.uniform(*spec["from_stock"]))
                disposed = round((made - own) * rng.uniform(*spec["disposed"]))
                stored = made - own - disposed
                lines += _lines(enterprise_id, year, kind, rng, stock, made, own, from_stock)
                lines += [
                    (enterprise_id, year, kind["kind"], "stored", "", stored),
                    (enterprise_id, year, kind["kind"], "disposed", "", disposed),
                ]
                stock = stock + stored - from_stock
    frame = pd.DataFrame(lines, columns=list(COLUMNS))
    return frame.astype(str)


def _lines(
    enterprise_id: str,
    year: int,
    kind: dict[str, Any],
    rng: np.random.Generator,
    stock: int,
    made: int,
    own: int,
    from_stock: int,
) -> list[tuple[object, ...]]:
    """The stock at the start, the generation and the utilisation split among the kind's
    routes (the part from stock on the first route)."""
    routes = list(kind["routes"])
    weights = rng.dirichlet(np.ones(len(routes)))
    parts = [round(own * w) for w in weights[:-1]]
    parts.append(own - sum(parts))
    parts[0] += from_stock
    code = kind["kind"]
    out: list[tuple[object, ...]] = [
        (enterprise_id, year, code, "opening_stock", "", stock),
        (enterprise_id, year, code, "generated", "", made),
    ]
    out += [
        (enterprise_id, year, code, "utilised", route, part)
        for route, part in zip(routes, parts, strict=True)
        if part > 0
    ]
    if from_stock > 0:
        out.append((enterprise_id, year, code, "utilised_from_stock", routes[0], from_stock))
    return out


def _region_of(enterprise_id: str) -> str:
    """An example enterprise's region (profile section `examples`)."""
    for example in load_profile()["examples"]:
        if example["enterprise_id"] == enterprise_id:
            return str(example["region_code"])
    raise KeyError(enterprise_id)


ILLUSTRATIVE_SOURCE = "demo_illustrative_swu_factors"
ILLUSTRATIVE_NOTE = (
    "示例数据，仅供演示，不是有出处的因子 (ILLUSTRATIVE, demo only: not a sourced factor)"
)


def illustrative_edition() -> tuple[dict[str, str | date], list[list[object]]]:
    """The demo's edition of `solid_waste_avoided_factors`: its document (the edition
    sheet's fields) and its rows (the table sheet's cells: route, kind, factor, unit, dates,
    source, status, note, action). The library ships no factor (none with a source was
    found), so that the demo's pages show the avoided CO2 at work this edition adds
    `profile.yaml`'s illustrative rows (section `utilisation.illustrative_factors`), each
    saying on its row that it is illustrative; `services.demo_journeys` writes the workbook."""
    spec: dict[str, Any] = load_profile()["utilisation"]
    document: dict[str, str | date] = {
        "source_id": ILLUSTRATIVE_SOURCE,
        "title": "示例版本：工业固废综合利用避免的二氧化碳排放因子（仅演示） "
        "(illustrative edition of the demo)",
        "issuer": "carbonpeak demo",
        "note": "synthetic, made by the demo (demo/utilisation.py); " + ILLUSTRATIVE_NOTE,
        "valid_from": date(2021, 1, 1),
    }
    rows: list[list[object]] = [
        [
            line["route"],
            line["kind"],
            line["factor"],
            "tCO2/t",
            None,
            None,
            ILLUSTRATIVE_SOURCE,
            "unverified",
            ILLUSTRATIVE_NOTE,
            "新增",
        ]
        for line in spec["illustrative_factors"]
    ]
    return document, rows
