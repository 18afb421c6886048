"""Capacity replacement: a worked case for each rule and exception, verdicts that do not depend
on the order of lines, and bad applications named by field."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from carbonpeak.errors import InputError
from carbonpeak.policy.capacity_swap import judge, parse
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
TANGSHAN, LIUZHOU, XINING, WUHAN, LHASA, HANGZHOU = (
    "130200",
    "450200",
    "630100",
    "420100",
    "540100",
    "330100",
)


def _steel(location: str, exit_t: float, **extra: Any) -> dict[str, Any]:
    return {
        "sector": "steel",
        "application_date": "2022-03-01",
        "location": {"region_code": location},
        "built": [{"equipment": "blast_furnace", "capacity_t": 10_000_000, "stage": "iron"}],
        "exit": [
            {
                "equipment": "blast_furnace",
                "capacity_t": exit_t,
                "stage": "iron",
                "source": "own",
                "region_code": location,
                "status": "operating",
            }
        ],
        **extra,
    }


def verdict(data: dict[str, Any]) -> dict[str, Any]:
    return judge(parse(data, REFERENCE), REFERENCE).as_dict()


def _failed(result: dict[str, Any]) -> list[str]:
    return [c["rule"] for c in result["checks"] if not c["passed"]]


def test_steel_in_a_key_region_needs_1_5_and_elsewhere_1_25() -> None:
    refused = verdict(_steel(TANGSHAN, 12_500_000))
    assert not refused["compliant"]
    assert (refused["required_ratio"], refused["required_exit_t"], refused["shortfall_t"]) == (
        1.5,
        15e6,
        2.5e6,
    )
    assert _failed(refused) == ["exit capacity of iron at least 1.5 x built"]
    passed = verdict(_steel(LIUZHOU, 12_500_000))
    assert passed["compliant"] and passed["required_ratio"] == 1.25 and passed["shortfall_t"] == 0
    merger = _steel(TANGSHAN, 12_500_000)
    merger["exit"][0]["source"] = "merger"
    assert verdict(merger)["compliant"] and verdict(merger)["case"] == "key_region_merger"
    merger["location"]["region_code"] = LIUZHOU
    merger["exit"][0]["region_code"] = LIUZHOU
    assert verdict(merger)["required_ratio"] == 1.1


def _steel_lines(
    built: list[str], exits: list[str], location: str = TANGSHAN, **extra: Any
) -> dict[str, Any]:
    return {
        "sector": "steel",
        "application_date": "2023-05-01",
        "location": {"region_code": location},
        "built": [{"equipment": e, "capacity_t": 1_000_000} for e in built],
        "exit": [{"equipment": e, "capacity_t": 1_000_000} for e in exits],
        **extra,
    }


@pytest.mark.parametrize(
    ("data", "stage", "case_text"),
    [
        (_steel_lines(["eaf"], ["bof", "blast_furnace"]), "steel", "E1"),
        (_steel_lines(["eaf"], ["eaf"]), "steel", "E2"),
        (_steel_lines(["bof"], ["bof"], in_site_upgrade=True), "steel", "E3"),
        (_steel_lines(["hydrogen_dri"], ["blast_furnace", "sinter"]), "iron", "E4"),
        (_steel_lines(["aod"], ["bof"], stainless_rkef=True), "steel", "E5"),
        (_steel_lines(["bof"], ["bof"], location=XINING), "steel", "E6"),
    ],
)
def test_each_one_to_one_case(data: dict[str, Any], stage: str, case_text: str) -> None:
    result = verdict(data)
    [chosen] = [s for s in result["stages"] if s["stage"] == stage]
    assert chosen["case"] == "equal" and chosen["required_ratio"] == 1.0
    rule = next(
        c for c in result["checks"] if c["rule"] == f"exit capacity of {stage} at least 1 x built"
    )
    assert case_text in rule["detail"] and rule["passed"]


def test_ineligible_exit_capacity_does_not_count() -> None:
    data = _steel(LIUZHOU, 12_500_000)
    data["exit"][0]["status"] = "subsidised"
    result = verdict(data)
    assert result["provided_exit_t"] == 0 and not result["compliant"]
    usable = next(c for c in result["checks"] if c["rule"] == "exit capacity usable")
    assert not usable["passed"] and "奖补" in usable["detail"]
    old = _steel(LIUZHOU, 12_500_000)
    old["exit"][0].update(on_2016_list=False, built_year=2010)
    assert verdict(old)["provided_exit_t"] == 0


def test_steel_plans_are_suspended_from_august_2024() -> None:
    data = _steel(LIUZHOU, 12_500_000, application_date="2024-08-23")
    result = verdict(data)
    assert not result["compliant"] and _failed(result) == ["plans may be published"]
    data["application_date"] = "2024-08-22"
    assert verdict(data)["compliant"]


def _cement(
    day: str, location: str = HANGZHOU, status: str = "operating", **extra: Any
) -> dict[str, Any]:
    return {
        "sector": "cement",
        "application_date": day,
        "location": {"region_code": location},
        "built": [{"equipment": "clinker_kiln", "capacity_t": 1_500_000}],
        "exit": [
            {
                "equipment": "clinker_kiln",
                "capacity_t": 3_000_000,
                "region_code": location,
                "status": status,
            }
        ],
        **extra,
    }


def test_cement_across_the_2024_revision() -> None:
    """Capacity below the baseline counts under the 2021 rules and not from 2024-11-01."""
    before = verdict(_cement("2024-10-31", status="below_baseline"))
    after = verdict(_cement("2024-11-01", status="below_baseline", reaches_benchmark=True))
    assert before["rule_set"] == "cement_2021" and after["rule_set"] == "cement_2024"
    assert before["compliant"] and before["required_ratio"] == 2.0  # 杭州 is a key region
    assert not after["compliant"] and after["provided_exit_t"] == 0
    assert verdict(_cement("2025-01-01", reaches_benchmark=False))["compliant"] is False
    outside = verdict(_cement("2025-01-01", location=LIUZHOU, reaches_benchmark=True))
    assert outside["required_ratio"] == 1.5 and outside["compliant"]


def test_cement_ratio_cases() -> None:
    cross = _cement("2025-01-01", location=LIUZHOU, reaches_benchmark=True)
    cross["exit"][0]["region_code"] = WUHAN
    assert verdict(cross)["case"] == "restricted_or_cross_province"
    gypsum = _cement("2022-01-01", location=WUHAN, gypsum_cement=True)
    gypsum["exit"][0]["capacity_t"] = 1_500_000
    assert verdict(gypsum)["required_ratio"] == 1.0 and verdict(gypsum)["compliant"]
    tibet = _cement("2025-01-01", location=LHASA, reaches_benchmark=True)
    assert verdict(tibet)["case"] == "tibet"
    same = _cement("2025-01-01", location=LIUZHOU, same_site=True, reaches_benchmark=True)
    assert verdict(same)["required_ratio"] == 1.0
    upgrade = _cement("2022-01-01", in_site_upgrade=True)
    assert verdict(upgrade)["case"] == "exempt" and verdict(upgrade)["compliant"]


def test_flat_glass() -> None:
    glass = {
        "sector": "flat_glass",
        "application_date": "2022-06-01",
        "location": {"region_code": HANGZHOU},
        "built": [{"equipment": "float_furnace", "capacity_t": 200_000}],
        "exit": [{"equipment": "float_furnace", "capacity_t": 240_000}],
    }
    assert verdict(glass)["required_ratio"] == 1.25 and not verdict(glass)["compliant"]
    glass["location"]["region_code"] = LIUZHOU
    assert verdict(glass)["required_ratio"] == 1.0 and verdict(glass)["compliant"]
    glass["built"][0]["equipment"] = "pv_rolled_furnace"
    glass["exit"] = []
    assert verdict(glass)["case"] == "exempt" and verdict(glass)["compliant"]


def test_an_aluminium_swap_that_breaches_the_ceiling() -> None:
    data = {
        "sector": "aluminium",
        "application_date": "2023-01-01",
        "location": {"region_code": LIUZHOU},
        "built": [{"equipment": "electrolysis_line", "capacity_t": 500_000}],
        "exit": [{"equipment": "electrolysis_line", "capacity_t": 500_000}],
        "national_capacity_t": 45_400_000,
    }
    assert verdict(data)["compliant"]  # equal replacement keeps the total
    data["exit"][0]["capacity_t"] = 450_000
    result = verdict(data)
    assert not result["compliant"]
    assert set(_failed(result)) == {
        "exit capacity of aluminium at least 1 x built",
        "national capacity within the ceiling",
    }
    later = dict(data, application_date="2025-06-01", ac_power_kwh_per_t=13_200)
    later["exit"] = [{"equipment": "electrolysis_line", "capacity_t": 500_000}]
    assert _failed(verdict(later)) == ["AC power consumption within the limit"]


def test_verdicts_do_not_depend_on_the_order_of_lines() -> None:
    data = _steel_lines(["eaf", "blast_furnace"], ["bof", "blast_furnace", "sinter", "eaf"])
    data["exit"][1]["status"] = "subsidised"
    first = verdict(data)
    for built in itertools.permutations(data["built"]):
        for exits in itertools.permutations(data["exit"]):
            again = verdict({**data, "built": list(built), "exit": list(exits)})
            assert again["compliant"] == first["compliant"]
            assert again["stages"] == first["stages"]
            assert sorted(c["rule"] for c in again["checks"]) == sorted(
                c["rule"] for c in first["checks"]
            )


def test_bad_applications_name_their_field(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    with pytest.raises(InputError) as raised:
        parse({**_steel(TANGSHAN, 1), "sector": "paper"}, REFERENCE)
    assert raised.value.problems[0].place.field == "sector"
    bad = _steel("999999", -5)
    bad["built"][0]["equipment"] = "kiln"
    with pytest.raises(InputError) as raised:
        parse(bad, REFERENCE)
    fields = {p.place.field for p in raised.value.problems}  # every problem at once
    assert fields == {
        "exit.0.capacity_t",
        "exit.0.region_code",
        "location.region_code",
        "built.0.equipment",
    }
    with pytest.raises(InputError, match="no steel replacement rules in force on 2019"):
        verdict(_steel(TANGSHAN, 1, application_date="2019-01-01"))
    path = tmp_path / "app.json"
    path.write_text(json.dumps(_steel(TANGSHAN, 12_500_000)), encoding="utf-8")
    code, out, err = cli("swap", "check", str(path), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) >= {
        "compliant",
        "required_ratio",
        "required_exit_t",
        "provided_exit_t",
        "shortfall_t",
        "checks",
        "warnings",
    }
    assert result["compliant"] is False
    path.write_text(json.dumps({**_steel(TANGSHAN, 1), "sector": "paper"}), encoding="utf-8")
    code, _out, err = cli("swap", "check", str(path))
    assert code == 2 and "sector" in err
