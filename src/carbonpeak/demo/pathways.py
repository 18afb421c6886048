"""Pathway scenarios of the demo province built from its own accounts: each sector's output,
CO2 per unit and energy per unit in the demo year, carried forward by the assumptions of
`pathways.yaml` (growth of output, fall of intensity with its uncertainty, the EAF share of
steel)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml


def _assumptions() -> dict[str, Any]:
    text = (resources.files("carbonpeak.demo") / "pathways.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def demo_scenarios(
    totals: pd.DataFrame, activity: pd.DataFrame, region: str, year: int
) -> dict[str, Any]:
    """A scenario file from the accounts (`totals`: enterprise_id, sector, energy_tce, co2_t)
    and the activity rows (the product output of each enterprise)."""
    plan = _assumptions()
    products = activity[activity["stream"] == "product"].assign(
        amount=lambda f: pd.to_numeric(f["amount"])
    )
    output = products.groupby(["enterprise_id", "item"])["amount"].sum()
    scenarios: dict[str, Any] = {}
    for name, assumed in plan["scenarios"].items():
        rates = (
            plan["scenarios"]["BAU"]["activity"]
            if assumed["activity"] == "same"
            else (assumed["activity"])
        )
        fall = {"dist": "normal", **assumed["intensity"]}
        sectors: dict[str, Any] = {}
        used: set[str] = set()
        for sector, spec in plan["products"].items():
            routes, total_output = {}, 0.0
            for route, demo_sector in spec["routes"].items():
                mine = totals[totals["sector"] == demo_sector]
                used.add(demo_sector)
                made = sum(
                    float(output.get((e, spec["product"]), 0.0)) for e in mine["enterprise_id"]
                )
                if made <= 0:
                    continue
                total_output += made
                routes[route] = (made, float(mine["co2_t"].sum()), float(mine["energy_tce"].sum()))
            if total_output <= 0:
                continue
            sectors[sector] = _sector(
                routes, total_output, rates[sector], fall, year, assumed, sector
            )
        rest = totals[~totals["sector"].isin(used)]
        if not rest.empty and rest["energy_tce"].sum() > 0:
            energy = float(rest["energy_tce"].sum())
            sectors["other"] = {
                "activity": _growth("tce", energy, rates["other"], year),
                "emission_intensity": _growth(
                    "tCO2/tce", float(rest["co2_t"].sum()) / energy, {0: fall}, year
                ),
            }
        scenarios[name] = {"sectors": sectors}
    return {
        "model": "carbonpeak demo",
        "region": region,
        "base_year": year,
        "horizon": plan["horizon"],
        "draws": plan["draws"],
        "seed": plan["seed"],
        "scenarios": scenarios,
    }


def _growth(unit: str, start: float, rates: dict[int, Any], year: int) -> dict[str, Any]:
    return {
        "unit": unit,
        "growth": {"start": start, "rate": {year + int(k): v for k, v in rates.items()}},
    }


def _sector(
    routes: dict[str, tuple[float, float, float]],
    total_output: float,
    rates: dict[int, Any],
    fall: dict[str, Any],
    year: int,
    assumed: dict[str, Any],
    sector: str,
) -> dict[str, Any]:
    body: dict[str, Any] = {"activity": _growth("t", total_output, rates, year), "routes": {}}
    target = assumed.get("eaf_share_2035") if sector == "steel" else None
    for route, (made, co2, energy) in routes.items():
        share = made / total_output
        if target is not None and set(routes) == {"bf_bof", "eaf"}:
            aim = target if route == "eaf" else 1 - target
            path: dict[str, Any] = {"points": {year: share, 2035: aim}, "extend": "hold"}
        else:
            path = {"value": share}
        body["routes"][route] = {
            "share": path,
            "emission_intensity": _growth("tCO2/t", co2 / made, {0: fall}, year),
            "energy_intensity": _growth("tce/t", energy / made, {0: fall}, year),
        }
    return body


class _Plain(yaml.SafeDumper):
    """Writes repeated values in full (no YAML anchors), for a file people read and edit."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def province_pathways(
    province: Any, activity: pd.DataFrame, out_dir: Path
) -> tuple[Path, list[dict[str, Any]]]:
    """Write the demo province's scenario file (`pathways.yaml`) and run it: each scenario's
    sectors and total with their peaks."""
    from carbonpeak.accounting.engine import account
    from carbonpeak.pathways.projection import parse
    from carbonpeak.pathways.run import run

    enterprises = pd.DataFrame(
        [{**e.enterprise.model_dump(), "sector": e.sector} for e in province.enterprises]
    )
    totals = account(activity, enterprises).totals.merge(
        enterprises[["enterprise_id", "sector"]], on="enterprise_id"
    )
    scenario = demo_scenarios(
        totals, activity, province.region.name_en, int(str(activity["period"].iloc[0])[:4])
    )
    path = out_dir / "pathways.yaml"
    path.write_text(
        yaml.dump(scenario, Dumper=_Plain, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    spec, scenarios = parse(scenario)
    result, _, _ = run(spec, scenarios, fan=False)
    rows = []
    for name, body in result["scenarios"].items():
        for sector, entry in [*body["sectors"].items(), ("total", body["total"])]:
            rows.append(
                {
                    "scenario": name,
                    "sector": sector,
                    "peak_year": entry["peak_year"],
                    "peak_value": entry["peak_value"],
                    "unit": entry["unit"],
                    "value_2030": entry["values"].get("2030"),
                    "p_peak_by_2030": entry.get("uncertainty", {}).get("p_peak_by_2030"),
                }
            )
    return path, rows
