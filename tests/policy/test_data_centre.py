"""Green data centres: PUE from metered energy, the GB 40879 grade, the policy targets by scope,
place and date, worked by hand; bad input named by field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from carbonpeak.errors import InputError
from carbonpeak.policy.data_centre import judge, parse
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
GUIYANG, HANGZHOU = "520100", "330100"


def _centre(
    pue: float, day: str = "2025-06-30", region: str = HANGZHOU, **extra: Any
) -> dict[str, Any]:
    months = [
        {"month": f"2024-{m:02d}", "total_kwh": round(1_000_000 * pue, 3), "it_kwh": 1_000_000}
        for m in range(1, 13)
    ]
    return {
        "region_code": region,
        "evaluation_date": day,
        "racks": 5000,
        "new_or_expanded": True,
        "large": True,
        "months": months,
        **extra,
    }


def result(data: dict[str, Any]) -> dict[str, Any]:
    return judge(parse(data, REFERENCE), REFERENCE).as_dict()


@pytest.mark.parametrize(
    ("pue", "grade"), [(1.15, 1), (1.20, 1), (1.25, 2), (1.30, 2), (1.45, 3), (1.55, None)]
)
def test_grades(pue: float, grade: int | None) -> None:
    assert result(_centre(pue))["grade"] == grade


def test_pue_is_total_over_it_energy() -> None:
    data = _centre(1.3)
    data["months"][0]["total_kwh"] = 2_000_000  # one month at PUE 2
    expected = (11 * 1_300_000 + 2_000_000) / 12_000_000
    assert result(data)["pue"] == pytest.approx(expected, abs=1e-4)
    assert result(data)["green_dc_2019_pue_score"] == pytest.approx(80 - 20 * expected, abs=0.01)


def test_targets_by_place_and_date() -> None:
    """2025 (the 2024 plan): new large <= 1.25 outside the hubs, <= 1.2 in a hub cluster."""
    outside = result(_centre(1.25))
    assert outside["hub_node"] is False and outside["compliant"]
    hub = result(_centre(1.25, region=GUIYANG))
    assert hub["hub_node"] is True and not hub["compliant"]
    assert [c["rule"] for c in hub["checks"] if not c["passed"]] == [
        "green_low_carbon_2024: PUE <= 1.2 (hub_node)"
    ]
    # 2023 under the 2021 instruments: new large < 1.3 (strict), in a hub < 1.25
    earlier = result(_centre(1.3, day="2023-06-30"))
    assert not earlier["compliant"]
    assert result(_centre(1.29, day="2023-06-30"))["compliant"]
    existing = result(_centre(1.4, new_or_expanded=False))  # only the national average applies
    assert existing["compliant"] and {c["rule"] for c in existing["checks"]} == {
        "green_low_carbon_2024: PUE < 1.5 (national_average)"
    }


def test_edge_data_centres_and_short_periods() -> None:
    edge = result(_centre(1.4, racks=80))
    assert edge["grade"] is None and any("edge" in w["message"] for w in edge["warnings"])
    short = _centre(1.2)
    short["months"] = short["months"][:6]
    assert any("6 months" in w["message"] for w in result(short)["warnings"])


def test_bad_input(tmp_path: Path, cli: Callable[..., tuple[int, str, str]]) -> None:
    bad = _centre(1.3)
    bad["months"][2]["it_kwh"] = bad["months"][2]["total_kwh"] * 2
    with pytest.raises(InputError) as raised:
        parse(bad, REFERENCE)
    assert raised.value.problems[0].place.field == "months.2"
    with pytest.raises(InputError, match="unknown region"):
        parse(_centre(1.3, region="999999"), REFERENCE)
    path = tmp_path / "dc.json"
    path.write_text(json.dumps(_centre(1.22, region=GUIYANG)), encoding="utf-8")
    code, out, err = cli("datacentre", "assess", str(path), "--json")
    assert code == 0, err
    assert json.loads(out)["grade"] == 2
    path.write_text(json.dumps({**_centre(1.2), "racks": -1}), encoding="utf-8")
    code, _out, err = cli("datacentre", "assess", str(path))
    assert code == 2 and "racks" in err
