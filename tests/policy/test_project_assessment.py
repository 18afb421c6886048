"""The carbon assessment of a project (NDRC Order 2025 No. 31): a hand-worked clinker line
accounted through the engine, the region's budget before and after, its intensity, the review
authority, bad projects named by field, and the two-high bodies of before judged as before."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.errors import InputError
from carbonpeak.policy import INSTRUMENTS, two_high
from carbonpeak.policy.project_assessment import RegionBudget, _budget, parse
from carbonpeak.reference.loader import default_reference
from tests.policy.test_two_high import _clinker

REFERENCE = default_reference()

# The hand-worked line, with the reference's own defaults:
# - 10,000 t raw coal: NCV 20.908 GJ/t x carbon content 0.02637 tC/GJ x oxidation 0.94 x 44/12
#   = 1.9002988488 t CO2/t (fuel_parameters, set reference_b118) -> 19,002.988488 t CO2;
#   energy 0.7143 kgce/kg (standard_coal_coefficients) -> 7,143 tce;
# - 10,000,000 kWh of grid electricity: 0.1229 kgce/kWh (equivalent value) -> 1,229 tce;
#   the North grid's 2023 factor 0.6361 kgCO2/kWh (the latest year; 130200 is in the North
#   grid) -> 6,361 t CO2;
# - 100,000 t clinker out: process CO2 0.52 t/t (process_emission_factors, IPCC 2006 Tier 1)
#   -> 52,000 t CO2.
# Total 19,002.988488 + 6,361 + 52,000 = 77,363.988488 t CO2; energy 8,372 tce, i.e.
# 8,372,000 kgce / 100,000 t = 83.72 kgce/t against the clinker benchmark 100, baseline 117
# and the GB 16780-2021 limit 117 (grade 1: 100).
COAL_CO2 = 10_000 * 20.908 * 0.02637 * 0.94 * 44 / 12
CO2 = COAL_CO2 + 6_361 + 52_000


def _line(**extra: Any) -> dict[str, Any]:
    return {
        "name": "熟料线",
        "region_code": "130200",
        "industry_code": "3011",
        "application_date": "2025-10-01",
        "area": "cement_clinker",
        "energy": [
            {"stream": "fuel", "item": "raw_coal", "amount": 10_000, "unit": "t"},
            {"stream": "electricity", "item": "electricity", "amount": 10_000_000, "unit": "kWh"},
        ],
        "output": {"item": "clinker", "amount": 100_000},
        **extra,
    }


def assess(data: dict[str, Any]) -> dict[str, Any]:
    return INSTRUMENTS["project"].run(data, REFERENCE).as_dict()


def _check(result: dict[str, Any], start: str) -> dict[str, Any]:
    [check] = [c for c in result["checks"] if c["rule"].startswith(start)]
    return check


def test_the_hand_worked_line() -> None:
    result = assess(_line())
    assert result["compliant"] is True and result["verdict"] == "approve"
    assert result["co2_t"] == pytest.approx(CO2, rel=1e-9)  # unit conversions: ~1e-10
    assert result["energy_tce"] == pytest.approx(8_372, abs=1e-6)
    assert result["co2_by_source_t"] == pytest.approx(
        {"combustion": COAL_CO2, "process": 52_000, "electricity": 6_361, "heat": 0}
    )
    assert result["co2_structure_t"] == pytest.approx(
        {"energy": COAL_CO2 + 6_361, "process": 52_000}
    )
    assert result["energy_by_stream_tce"] == pytest.approx({"fuel": 7_143, "electricity": 1_229})
    unit = result["unit_product"]
    assert unit["co2_t_per_unit"] == pytest.approx(CO2 / 100_000)
    assert unit["indicator"]["value"] == pytest.approx(83.72)
    assert (unit["indicator"]["benchmark"], unit["indicator"]["baseline"]) == (100, 117)
    # the two-high screen is one part: its checks first, fed the computed unit energy
    assert [c["rule"] for c in result["checks"][:2]] == [
        "two-high industry",
        "a new project designed to the benchmark level",
    ]
    assert "designed 83.72 kgce/t" in result["checks"][1]["detail"]
    structure = _check(result, "CO2 total and its structure")
    assert structure["source"] == "ndrc_o31" and structure["status"] == "unverified"
    assert "77,364 t CO2" in structure["detail"] and "process 52,000 (67.2%)" in structure["detail"]
    limit = _check(result, "unit-product energy within the mandatory")
    assert limit["passed"] is True and "limit 117 of GB 16780-2021" in limit["detail"]
    codes = [w["code"] for w in result["warnings"]]
    assert "policy.project_assessment.rules_unverified" in codes
    assert "policy.project_assessment.no_carbon_level" in codes  # no CO2 level table: reported only
    assert "policy.project_assessment.no_region_budget" in codes
    # 8,372 tce, coal unknown: between the Art. 8 thresholds of 1,000 and 10,000 tce
    assert result["review"]["authority"] == "as the province decides"


def test_the_region_budget_before_and_after() -> None:
    budget = {"cap_t": 1_000_000, "used_t": 600_000, "committed_t": 300_000}
    result = assess(_line(region_budget=budget))
    # remaining 1,000,000 - 600,000 - 300,000 = 100,000 t; after 100,000 - 77,363.99
    figures = result["region_budget"]
    assert figures["remaining_before_t"] == 100_000
    assert figures["remaining_after_t"] == pytest.approx(100_000 - CO2)
    assert figures["share_of_remaining"] == pytest.approx(CO2 / 100_000)
    check = _check(result, "CO2 within the region's remaining CO2 budget")
    assert check["passed"] is True and "takes 77.4% of the remaining" in check["detail"]
    assert "policy.project_assessment.no_region_budget" not in [
        w["code"] for w in result["warnings"]
    ]
    # the two-high screen's "no CO2 budget" is not said when the assessment has one
    assert "no remaining CO2 budget" not in json.dumps(result["warnings"])


def test_a_project_over_the_remaining_budget_is_refused_with_its_figures() -> None:
    budget = {"cap_t": 1_000_000, "used_t": 600_000, "committed_t": 350_000}
    result = assess(_line(region_budget=budget))
    assert result["compliant"] is False and result["verdict"] == "refuse"
    check = _check(result, "CO2 within the region's remaining CO2 budget")
    assert check["passed"] is False
    assert check["detail"].startswith("77,364 t CO2 against 50,000 t remaining")
    assert "-27,364 t after" in check["detail"]
    assert result["region_budget"]["remaining_after_t"] == pytest.approx(50_000 - CO2)


def test_a_region_past_its_budget_has_no_share() -> None:
    budget = {"cap_t": 100, "used_t": 200}
    result = assess(_line(region_budget=budget))
    assert result["region_budget"]["share_of_remaining"] is None
    assert not _check(result, "CO2 within")["passed"]


def test_the_region_intensity() -> None:
    # before 900,000 / 500,000 = 1.8 t/10^4 yuan; after (900,000 + 77,363.99) / 520,000
    data = _line(
        region_value_added_10k_yuan=500_000, region_co2_t=900_000, value_added_10k_yuan=20_000
    )
    after = (900_000 + CO2) / 520_000
    result = assess({**data, "region_co2_intensity_target": 1.85})
    figures = result["region_intensity"]
    assert figures["before_t_per_10k_yuan"] == pytest.approx(1.8)
    assert figures["after_t_per_10k_yuan"] == pytest.approx(after)
    assert result["per_value_added"]["co2_t_per_10k_yuan"] == pytest.approx(CO2 / 20_000)
    assert not _check(result, "the region's CO2 intensity")["passed"]
    assert _check(assess({**data, "region_co2_intensity_target": 1.9}), "the region's CO2")[
        "passed"
    ]
    untargeted = assess(data)
    assert not [c for c in untargeted["checks"] if "intensity" in c["rule"]]
    assert "policy.project_assessment.no_intensity_target" in [
        w["code"] for w in untargeted["warnings"]
    ]


def test_the_review_authority_of_order_31() -> None:
    assert assess(_line(annual_coal_t=10_000))["review"]["authority"] == "province"
    # before Order 31 is in force its thresholds are not applied
    assert assess(_line(application_date="2025-08-31"))["review"] is None
    small = _line(energy=[{"stream": "fuel", "item": "raw_coal", "amount": 1_000, "unit": "t"}])
    # 1,000 t x 0.7143 = 714.3 tce < 1,000; coal 1,000 t is not below 1,000 t
    assert assess({**small, "annual_coal_t": 1_000})["review"]["authority"] == (
        "as the province decides"
    )
    assert assess({**small, "annual_coal_t": 999})["review"]["authority"] == "no separate review"


def test_a_line_above_the_limit_fails_the_limit_and_the_benchmark() -> None:
    # 8,372,000 kgce / 70,000 t = 119.6 kgce/t > 117
    result = assess(_line(output={"item": "clinker", "amount": 70_000}))
    failed = [c["rule"] for c in result["checks"] if not c["passed"]]
    assert failed == [
        "a new project designed to the benchmark level",
        "unit-product energy within the mandatory energy-consumption limit (Order 31 Art. 16(2))",
    ]


def test_bad_projects_are_named_by_field() -> None:
    no_place = _line()
    del no_place["region_code"]
    with pytest.raises(InputError) as raised:
        parse(no_place, REFERENCE)
    assert [p.place.field for p in raised.value.problems] == ["region_code"]
    with pytest.raises(InputError) as raised:
        parse(
            _line(
                annual_energy_tce=8_372,
                unit_energy=83.72,
                energy=[{"stream": "fuel", "item": "unobtainium", "amount": 1, "unit": "t"}],
                output={"item": "crude_steel", "amount": 1},
            ),
            REFERENCE,
        )
    assert {p.place.field for p in raised.value.problems} >= {
        "annual_energy_tce",
        "unit_energy",
        "output.item",
        "energy.0.item",
    }
    with pytest.raises(InputError) as raised:
        parse({**_clinker(98), "region_budget": {"cap_t": 1, "used_t": 0}}, REFERENCE)
    assert [p.place.field for p in raised.value.problems] == ["region_budget"]
    with pytest.raises(InputError) as raised:
        parse({k: v for k, v in _clinker(98).items() if k != "annual_energy_tce"}, REFERENCE)
    assert [p.place.field for p in raised.value.problems] == ["annual_energy_tce"]


@pytest.mark.parametrize(
    "body",
    [
        _clinker(98),
        _clinker(105),
        _clinker(120, status="existing"),
        _clinker(98, energy=50_000),
        _clinker(98, remaining_energy_budget_tce=100_000, annual_co2_t=5, remaining_co2_budget_t=1),
        {**_clinker(98), "industry_code": "3911", "area": None, "unit_energy": None},
    ],
)
def test_two_high_bodies_judge_as_before(body: dict[str, Any]) -> None:
    before = two_high.judge(two_high.parse(body, REFERENCE), REFERENCE).as_dict()
    now = assess(body)
    for key in ("compliant", "verdict", "route", "two_high", "checks", "co2_t"):
        assert now.get(key, body.get("annual_co2_t")) == before.get(
            key, body.get("annual_co2_t")
        ), key
    assert "policy.project_assessment.no_energy_lines" in [w["code"] for w in now["warnings"]]
    assert [w for w in before["warnings"] if w not in now["warnings"]] == []


@settings(max_examples=200, deadline=None)
@given(
    cap=st.floats(0, 1e9),
    used=st.floats(0, 1e9),
    committed=st.floats(0, 1e9),
    co2=st.floats(0, 1e9),
)
def test_the_budget_arithmetic(cap: float, used: float, committed: float, co2: float) -> None:
    check, figures = _budget(RegionBudget(cap_t=cap, used_t=used, committed_t=committed), co2)
    assert figures["remaining_before_t"] == cap - used - committed
    assert figures["remaining_after_t"] == figures["remaining_before_t"] - co2
    assert check.passed is (co2 <= figures["remaining_before_t"])
    share = figures["share_of_remaining"]
    assert (share is None) is (figures["remaining_before_t"] <= 0)
    if share is not None and abs(share - 1.0) > 1e-9:  # a share of 1 is at the float's edge
        assert check.passed is (share < 1.0)


def test_the_cli_renders_the_assessment(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    path = tmp_path / "project.json"
    budget = {"cap_t": 1_000_000, "used_t": 600_000, "committed_t": 350_000}
    path.write_text(json.dumps(_line(region_budget=budget)), encoding="utf-8")
    code, out, err = cli("policy", "projects", str(path))
    assert code == 0, err
    assert out.startswith("refuse (route: province)")
    assert "8,372 tce, 77,364 t CO2 a year" in out
    assert "NO CO2 within the region's remaining CO2 budget" in out and "[ndrc_o31]" in out
    assert cli("projects", "assess", str(path)) == (code, out, err)
    assert cli("projects", "screen", str(path)) == (code, out, err)
    no_place = {k: v for k, v in _line().items() if k != "region_code"}
    path.write_text(json.dumps(no_place), encoding="utf-8")
    code, _out, err = cli("projects", "assess", str(path))
    assert code == 2 and "region_code" in err
