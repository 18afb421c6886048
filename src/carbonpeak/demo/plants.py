"""Equipment inventories of some demo plants (motors, a pump, a transformer, an air
compressor), drawn deterministically from `plants.yaml`: plant files that `carbonpeak diagnose`
takes, written by `carbonpeak demo` to `plants/`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from carbonpeak.diagnosis.equipment import motor_minimum
from carbonpeak.reference.loader import Reference


def _assumptions() -> dict[str, Any]:
    text = (resources.files("carbonpeak.demo") / "plants.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def demo_plants(province: Any, reference: Reference, seed: int) -> list[dict[str, Any]]:
    """Plant files for the first enterprises of the province."""
    plan = _assumptions()
    rng = np.random.default_rng(seed)
    compressors = reference.frame("compressor_specific_power")
    transformers = reference.frame("transformer_loss_grades")
    out = []
    for entry in province.enterprises[: plan["plants"]]:
        enterprise = entry.enterprise
        equipment: list[dict[str, Any]] = []
        m = plan["motors"]
        for k in range(int(rng.integers(m["count"][0], m["count"][1] + 1))):
            kw = float(rng.choice(m["rated_kw"]))
            poles = int(rng.choice(m["poles"]))
            limit = motor_minimum(reference, kw, poles, 3)
            efficiency = min(limit + float(rng.uniform(*m["efficiency_below_grade_3"])), 0.99)
            equipment.append(
                {
                    "type": "motor",
                    "id": f"M{k + 1:02d}",
                    "rated_kw": kw,
                    "poles": poles,
                    "efficiency": round(efficiency, 4),
                    "load": round(float(rng.uniform(*m["load"])), 2),
                    "hours": int(rng.integers(*m["hours"])),
                    "replacement_cost": round(kw * m["cost_per_kw"]),
                    "lifetime_years": m["lifetime_years"],
                }
            )
        p = plan["pump"]
        flow = round(float(rng.uniform(*p["rated_flow_m3h"])))
        head = round(float(rng.uniform(*p["rated_head_m"])), 1)
        hours = int(rng.integers(*p["hours"]))
        equipment.append(
            {
                "type": "pump",
                "id": "P01",
                "rated_flow_m3h": flow,
                "rated_head_m": head,
                "shutoff_head_m": round(head * p["shutoff_over_rated"], 1),
                "static_head_m": round(head * float(rng.uniform(*p["static_share"])), 1),
                "efficiency": round(float(rng.uniform(*p["efficiency"])), 3),
                "motor_efficiency": p["motor_efficiency"],
                "profile": [{"flow": f, "hours": round(s * hours)} for f, s in p["profile"]],
                "drive_cost": round(flow * p["drive_cost_per_m3h"]),
                "lifetime_years": p["lifetime_years"],
            }
        )
        t = plan["transformer"]
        kva = float(rng.choice(t["rated_kva"]))
        row = transformers[
            (transformers["kind"] == "oil_immersed")
            & (transformers["core"] == "electrical_steel")
            & (transformers["connection"] == "Yyn0")
            & (transformers["rated_kva"] == kva)
            & (transformers["grade"] == t["grade"])
        ].iloc[0]
        factor = float(rng.uniform(*t["loss_over_grade_3"]))
        equipment.append(
            {
                "type": "transformer",
                "id": "T01",
                "kind": "oil_immersed",
                "core": "electrical_steel",
                "connection": "Yyn0",
                "rated_kva": kva,
                "no_load_loss_kw": round(float(row["no_load_loss"]) * factor, 3),
                "load_loss_kw": round(float(row["load_loss"]) * factor, 3),
                "load_factor": round(float(rng.uniform(*t["load_factor"])), 2),
                "replacement_cost": round(kva * t["cost_per_kva"]),
                "lifetime_years": t["lifetime_years"],
            }
        )
        c = plan["compressor"]
        kw = float(rng.choice(c["rated_kw"]))
        limit = compressors[
            (compressors["rated_kw"] == kw)
            & (compressors["pressure_mpa"] == c["pressure_mpa"])
            & (compressors["cooling"] == "air")
            & (compressors["grade"] == 3)
        ]["specific_power"].iloc[0]
        specific = float(limit) * float(rng.uniform(*c["specific_power_over_grade_3"]))
        equipment.append(
            {
                "type": "compressor",
                "id": "C01",
                "rated_kw": kw,
                "pressure_mpa": c["pressure_mpa"],
                "cooling": "air",
                "input_kw": kw,
                "free_air_m3min": round(kw / specific, 2),
                "hours": int(rng.integers(*c["hours"])),
                "leaks": [
                    {"diameter_mm": round(float(rng.uniform(*c["leak_diameter_mm"])), 1)}
                    for _ in range(int(rng.integers(*c["leaks"])))
                ],
                "pressure_reduction_kpa": c["pressure_reduction_kpa"],
                "leak_repair_cost": c["leak_repair_cost"],
                "lifetime_years": c["lifetime_years"],
            }
        )
        out.append(
            {
                "enterprise_id": enterprise.enterprise_id,
                "name": enterprise.name,
                "region_code": enterprise.region_code,
                "year": plan["year"],
                "discount_rate": plan["discount_rate"],
                "prices": plan["prices"],
                "equipment": equipment,
            }
        )
    return out


def write_plants(plants: list[dict[str, Any]], directory: Path) -> list[Path]:
    """One YAML file per plant in `directory/plants/`."""
    folder = directory / "plants"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for plant in plants:
        path = folder / f"{plant['enterprise_id']}.yaml"
        path.write_text(
            yaml.safe_dump(plant, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        paths.append(path)
    return paths
