"""Two-high project screening: the industry, the design against the benchmark in force, the
route by new energy use, the region's budgets; bad projects named by field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from carbonpeak.errors import InputError
from carbonpeak.policy.two_high import judge, parse
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()


def _clinker(unit_energy: float, energy: float = 120_000, **extra: Any) -> dict[str, Any]:
    return {
        "name": "熟料线",
        "region_code": "130200",
        "industry_code": "3011",  # 水泥制造, in division 30
        "application_date": "2022-06-01",
        "area": "cement_clinker",
        "unit_energy": unit_energy,
        "annual_energy_tce": energy,
        **extra,
    }


def result(data: dict[str, Any]) -> dict[str, Any]:
    return judge(parse(data, REFERENCE), REFERENCE).as_dict()


def test_a_new_line_must_reach_the_benchmark() -> None:
    """Cement clinker, 2021 edition: benchmark 100, baseline 117 kgce/t."""
    good = result(_clinker(98))
    assert good["two_high"] and good["verdict"] == "approve"
    bad = result(_clinker(105))
    assert bad["verdict"] == "refuse"
    failed = [c for c in bad["checks"] if not c["passed"]]
    assert [c["rule"] for c in failed] == ["a new project designed to the benchmark level"]
    assert "benchmark 100" in failed[0]["detail"]


def test_existing_units_against_the_baseline_and_their_deadline() -> None:
    below = result(_clinker(120, status="existing"))
    [check] = [c for c in below["checks"] if c["rule"].startswith("an existing unit")]
    assert not check["passed"] and "2025-12-31" in check["detail"]
    assert result(_clinker(110, status="existing"))["verdict"] == "approve"


def test_the_route_and_the_budgets() -> None:
    assert result(_clinker(98, energy=50_000))["route"] == "NDRC window guidance"
    assert result(_clinker(98, energy=49_999))["route"] == "province"
    tight = result(_clinker(98, remaining_energy_budget_tce=100_000))
    assert tight["verdict"] == "refuse"
    assert [c["rule"] for c in tight["checks"] if not c["passed"]] == [
        "energy use within the region's remaining budget"
    ]
    assert any("CO2 budget" in w["message"] for w in tight["warnings"])


def test_projects_outside_two_high_industries_are_not_screened() -> None:
    other = result({**_clinker(98), "industry_code": "3911", "area": None, "unit_energy": None})
    assert other["two_high"] is False and other["verdict"] == "not screened"


def test_bad_projects(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    with pytest.raises(InputError) as raised:
        parse(
            {
                **_clinker(98),
                "industry_code": "9999",
                "area": "unobtainium",
                "region_code": "999999",
            },
            REFERENCE,
        )
    assert {p.place.field for p in raised.value.problems} == {
        "industry_code",
        "area",
        "region_code",
    }
    with pytest.raises(InputError) as raised:
        parse({**_clinker(98), "annual_energy_tce": -1}, REFERENCE)
    assert raised.value.problems[0].place.field == "annual_energy_tce"
    path = tmp_path / "project.json"
    path.write_text(json.dumps(_clinker(105)), encoding="utf-8")
    code, out, err = cli("projects", "screen", str(path), "--json")
    assert code == 0 and json.loads(out)["verdict"] == "refuse", err
    path.write_text(json.dumps({**_clinker(105), "unit_energy": None}), encoding="utf-8")
    code, _out, err = cli("projects", "screen", str(path))
    assert code == 2 and "unit_energy" in err


def test_the_budget_from_the_energy_use_control(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    """Hebei's table: 2021 allows 1,050,000 x 0.865^(1/5) tce and uses 1,000,000; the rest
    (about 19,949 tce) is the budget of a project in 唐山 (130200, in province 130000)."""
    regions = tmp_path / "regions.csv"
    regions.write_text(
        "region_code,year,value_added_10k_yuan,energy_tce\n130000,2020,1000000,1000000\n"
        "130000,2021,1050000,1000000\n",
        encoding="utf-8",
    )
    remaining = 1050000 * 0.865 ** (1 / 5) - 1000000
    path = tmp_path / "project.json"
    path.write_text(json.dumps(_clinker(98, energy=remaining + 1)), encoding="utf-8")
    code, out, err = cli("projects", "screen", str(path), "--budgets", str(regions), "--json")
    assert code == 0, err
    result = json.loads(out)
    [check] = [c for c in result["checks"] if c["rule"].startswith("energy use")]
    assert not check["passed"] and result["verdict"] == "refuse"
    path.write_text(json.dumps(_clinker(98, energy=remaining - 1)), encoding="utf-8")
    code, out, err = cli("projects", "screen", str(path), "--budgets", str(regions), "--json")
    assert json.loads(out)["verdict"] == "approve"
