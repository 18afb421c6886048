"""The compliance planner: its plan complies when recomputed exactly, no plan on a grid of the
same choices is cheaper, prices move it the way they should, and what cannot comply is said."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from carbonpeak.policy.dual_credit.compute import compute
from carbonpeak.policy.dual_credit.planner import Infeasible, plan_from_dict, solve
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
MAKER = "911302007A3K9C2D24"


def _plan(
    buy: float, years: tuple[int, ...] = (2024,), sell: float | None = None
) -> dict[str, Any]:
    prices: dict[str, Any] = {"buy": {y: buy for y in years}}
    if sell is not None:
        prices["sell"] = {y: sell for y in years}
    return {
        "enterprise_id": MAKER,
        "years": list(years),
        "total": {y: 100000 for y in years},
        "lines": [
            {
                "name": "ice",
                "powertrain": "ice",
                "curb_mass_kg": 1450,
                "seat_rows": 2,
                "fuel_consumption_l_per_100km": 6.2,
                "volume": {y: [0, 100000] for y in years},
            },
            {
                "name": "bev",
                "powertrain": "bev",
                "curb_mass_kg": 1750,
                "seat_rows": 2,
                "electric_range_km": 500,
                "volume": {y: [0, 60000] for y in years},
                "cost": {y: 6000 for y in years},
            },
        ],
        "prices": prices,
    }


def _exact(year: int, ice: float, bev: float) -> dict[str, Any]:
    fleet = pd.DataFrame(
        {
            "enterprise_id": MAKER,
            "year": year,
            "model_id": ["ice", "bev"],
            "powertrain": ["ice", "bev"],
            "curb_mass_kg": [1450.0, 1750.0],
            "seat_rows": 2,
            "fuel_consumption_l_per_100km": [6.2, np.nan],
            "electric_range_km": [np.nan, 500.0],
            "fuel_cell_power_kw": np.nan,
            "volume": [round(ice), round(bev)],
            "imported": False,
            "nev": [False, True],
        }
    )
    fleet = fleet[fleet["volume"] > 0]
    return compute(fleet, REFERENCE, [year]).results()[0]


def _cost_on_grid(buy: float) -> float:
    """The cheapest plan of the single year on a grid of BEV volumes: build the BEVs, buy the
    NEV credits the NEV and CAFC deficits need."""
    best = np.inf
    for bev in range(0, 60001, 250):
        result = _exact(2024, 100000 - bev, bev)
        nev = result["nev_credits"]
        cafc = result["cafc_credits"]
        bought = max(-nev, 0.0) + max(-(cafc + max(nev, 0.0)), 0.0)
        best = min(best, 6000 * bev + buy * bought)
    return best


def test_the_plan_complies_and_nothing_on_a_grid_is_cheaper() -> None:
    result = solve(plan_from_dict(_plan(1500)), REFERENCE)
    [year] = result["years"]
    exact = _exact(2024, year["volumes"]["ice"], year["volumes"]["bev"])
    assert exact["nev_credits"] + year["buy_nev_credits"] >= -1  # rounding of whole vehicles
    cafc_short = max(-exact["cafc_credits"], 0)
    assert cafc_short <= year["nev_credits_used_for_cafc"] + 0.01 * 100000
    assert result["total_cost"] <= _cost_on_grid(1500) * 1.001


def test_dearer_credits_buy_more_nevs() -> None:
    cheap = solve(plan_from_dict(_plan(500)), REFERENCE)["years"][0]
    dear = solve(plan_from_dict(_plan(20000)), REFERENCE)["years"][0]
    assert dear["volumes"]["bev"] >= cheap["volumes"]["bev"]
    assert dear["buy_nev_credits"] <= cheap["buy_nev_credits"]


def test_banking_across_years() -> None:
    """Credits dear in 2025 and cheap to earn in 2024: bank NEV credits of 2024 (at 50 %)."""
    data = _plan(1500, years=(2024, 2025))
    data["prices"]["buy"] = {2024: 100000, 2025: 100000}
    data["lines"][1]["cost"] = {2024: 100, 2025: 50000}
    result = solve(plan_from_dict(data), REFERENCE)
    first, second = result["years"]
    assert first["bank_nev_credits"] > 0
    assert second["volumes"]["bev"] < first["volumes"]["bev"]


def test_what_cannot_comply_is_said(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    data = _plan(1500)
    data["prices"] = {"buy": {}}  # no credits to buy
    data["lines"][1]["volume"] = {2024: [0, 100]}  # and hardly any NEVs
    with pytest.raises(Infeasible):
        solve(plan_from_dict(data), REFERENCE)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, _out, err = cli("credits", "plan", str(path))
    assert code == 2 and "no compliant plan" in err
    data["lines"][0]["powertrain"] = "steam"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, _out, err = cli("credits", "plan", str(path))
    assert code == 2 and "field lines.0.powertrain" in err


def test_plan_command_with_a_what_if(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan(1500)), encoding="utf-8")
    code, out, err = cli("credits", "plan", str(path), "--json")
    assert code == 0, err
    base = json.loads(out)["years"][0]
    code, out, err = cli("credits", "plan", str(path), "--nev-ratio", "2024=0.6", "--json")
    assert code == 0, err
    harder = json.loads(out)["years"][0]
    assert (
        harder["volumes"]["bev"] + harder["buy_nev_credits"]
        > base["volumes"]["bev"] + base["buy_nev_credits"]
    )
