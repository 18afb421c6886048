"""The applications forms: a posted form read into exactly the application file's mapping
(the hand-worked cases of tests/policy), bad input placed by form field."""

from __future__ import annotations

import pytest

from carbonpeak.errors import InputError
from carbonpeak.io.application_form import read_form
from carbonpeak.policy import INSTRUMENTS
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()


def _centre_form(pue: float = 1.25) -> dict[str, str]:
    # tests/policy/test_data_centre.py `_centre(1.25)`: 12 months of 1,000,000 kWh IT energy
    # and 1,250,000 kWh in all: PUE = 15,000,000 / 12,000,000 = 1.25
    form = {
        "region_code": "330100",
        "evaluation_date": "2025-06-30",
        "racks": "5000",
        "new_or_expanded": "on",
        "large": "on",
    }
    for m in range(1, 13):
        form[f"months.{m}.month"] = f"2024-{m:02d}"
        form[f"months.{m}.total_kwh"] = str(round(1_000_000 * pue, 3))
        form[f"months.{m}.it_kwh"] = "1000000"
    return form


def test_the_data_centre_form_gives_the_file_mapping() -> None:
    data = read_form("datacentre", _centre_form())
    months = [
        {"month": f"2024-{m:02d}", "total_kwh": 1_250_000.0, "it_kwh": 1_000_000.0}
        for m in range(1, 13)
    ]
    assert data == {
        "region_code": "330100",
        "evaluation_date": "2025-06-30",
        "racks": 5000,
        "new_or_expanded": True,
        "large": True,
        "months": months,
    }
    verdict = INSTRUMENTS["datacentre"].run(data, REFERENCE).as_dict()
    assert verdict["pue"] == 1.25


def test_blank_rows_are_left_out_and_flags_unticked_are_false() -> None:
    form = _centre_form()
    del form["large"]
    form["months.99.month"] = ""
    data = read_form("datacentre", form)
    assert data["large"] is False and len(data["months"]) == 12


def test_bad_fields_are_placed_all_at_once() -> None:
    form = _centre_form()
    form["racks"] = "0"  # below the least, 1
    form["evaluation_date"] = ""  # required
    form["months.3.month"] = "2024-13"  # not a month
    form["months.4.it_kwh"] = "lots"
    with pytest.raises(InputError) as raised:
        read_form("datacentre", form)
    assert {p.place.field for p in raised.value.problems} == {
        "racks",
        "evaluation_date",
        "months.3.month",
        "months.4.it_kwh",
    }


def test_a_data_centre_needs_a_month() -> None:
    form = {k: v for k, v in _centre_form().items() if not k.startswith("months.")}
    with pytest.raises(InputError) as raised:
        read_form("datacentre", form)
    assert [p.place.field for p in raised.value.problems] == ["months"]


def test_the_factory_form_gives_the_sheet() -> None:
    form = {
        "factory": "示例工厂",
        "edition": "GB/T 36132-2018",
        "basic.0.item": "合法合规",
        "basic.0.met": "on",
        "indicators.0.section": "infrastructure",
        "indicators.0.item": "infrastructure-1",
        "indicators.0.kind": "mandatory",
        "indicators.0.points": "10",
        "indicators.0.score": "10",
        "indicators.1.section": "infrastructure",
        "indicators.1.item": "infrastructure-2",
        "indicators.1.kind": "optional",
        "indicators.1.points": "10",
        "indicators.1.score": "",
    }
    assert read_form("factory", form) == {
        "factory": "示例工厂",
        "edition": "GB/T 36132-2018",
        "basic": [{"item": "合法合规", "met": True}],
        "sections": {
            "infrastructure": [
                {"item": "infrastructure-1", "kind": "mandatory", "points": 10.0, "score": 10.0},
                {"item": "infrastructure-2", "kind": "optional", "points": 10.0},
            ]
        },
    }


def test_an_unknown_choice_is_placed() -> None:
    form = {
        "edition": "GB/T 36132-2018",
        "indicators.0.section": "infrastructure",
        "indicators.0.item": "x",
        "indicators.0.kind": "required",
        "indicators.0.points": "10",
    }
    with pytest.raises(InputError) as raised:
        read_form("factory", form)
    assert [p.place.field for p in raised.value.problems] == ["indicators.0.kind"]


FLAGS_OFF = {
    "in_site_upgrade": False,
    "stainless_rkef": False,
    "gypsum_cement": False,
    "same_site": False,
    "pv_rolled_glass": False,
}


def _swap_form() -> dict[str, str]:
    # tests/policy/test_capacity_swap.py `_steel(TANGSHAN, 12_500_000)`: 唐山 is a key region,
    # ratio 1.5: 10,000,000 t built needs 15,000,000 t exit; 12,500,000 given, short 2,500,000
    return {
        "sector": "steel",
        "application_date": "2022-03-01",
        "location_region_code": "130200",
        "reaches_benchmark": "",
        "built.0.equipment": "blast_furnace",
        "built.0.capacity_t": "10000000",
        "built.0.stage": "iron",
        "exit.0.equipment": "blast_furnace",
        "exit.0.capacity_t": "12500000",
        "exit.0.stage": "iron",
        "exit.0.source": "own",
        "exit.0.region_code": "130200",
        "exit.0.status": "operating",
    }


def test_the_swap_form_gives_the_file_mapping_and_its_verdict() -> None:
    from tests.policy.test_capacity_swap import _steel

    data = read_form("swap", _swap_form())
    assert data == {**_steel("130200", 12_500_000), **FLAGS_OFF}  # benchmark not stated
    assert "reaches_benchmark" not in data
    verdict = INSTRUMENTS["swap"].run(data, REFERENCE).as_dict()
    assert not verdict["compliant"]
    assert (verdict["required_ratio"], verdict["shortfall_t"]) == (1.5, 2.5e6)


def test_reaches_benchmark_is_three_way() -> None:
    # tests/policy/test_capacity_swap.py: cement from 2025 fails without the benchmark
    form = {
        "sector": "cement",
        "application_date": "2025-01-01",
        "location_region_code": "450200",
        "built.0.equipment": "clinker_kiln",
        "built.0.capacity_t": "1500000",
        "exit.0.equipment": "clinker_kiln",
        "exit.0.capacity_t": "3000000",
        "exit.0.region_code": "450200",
    }
    given = {v: read_form("swap", {**form, "reaches_benchmark": v}) for v in ("true", "false")}
    assert given["true"]["reaches_benchmark"] is True
    assert given["false"]["reaches_benchmark"] is False
    # 柳州, not a key region: ratio 1.5, 3,000,000 >= 1.5 x 1,500,000 with the benchmark
    assert INSTRUMENTS["swap"].run(given["true"], REFERENCE).as_dict()["compliant"]
    assert not INSTRUMENTS["swap"].run(given["false"], REFERENCE).as_dict()["compliant"]
    with pytest.raises(InputError) as raised:
        read_form("swap", {**form, "reaches_benchmark": "maybe"})
    assert [p.place.field for p in raised.value.problems] == ["reaches_benchmark"]


def test_bad_swap_fields_are_placed_all_at_once() -> None:
    form = _swap_form()
    form["location_region_code"] = "1302"  # not six digits
    form["built.0.capacity_t"] = "-5"  # below the least, 0
    form["exit.0.status"] = "retired"  # not a status
    form["exit.0.built_year"] = "1900"  # below 1950
    del form["application_date"]  # required
    with pytest.raises(InputError) as raised:
        read_form("swap", form)
    assert {p.place.field for p in raised.value.problems} == {
        "location_region_code",
        "built.0.capacity_t",
        "exit.0.status",
        "exit.0.built_year",
        "application_date",
    }


def _project_form() -> dict[str, str]:
    # tests/policy/test_project_assessment.py `_line()`: 10,000 t raw coal and 10,000,000 kWh
    # for 100,000 t clinker: 7,143 + 1,229 = 8,372 tce, 83.72 kgce/t, approved
    return {
        "name": "熟料线",
        "region_code": "130200",
        "industry_code": "3011",
        "application_date": "2025-10-01",
        "area": "cement_clinker",
        "energy.0.stream": "fuel",
        "energy.0.item": "raw_coal",
        "energy.0.amount": "10000",
        "energy.0.unit": "t",
        "energy.1.stream": "electricity",
        "energy.1.item": "electricity",
        "energy.1.amount": "10000000",
        "energy.1.unit": "kWh",
        "output_item": "clinker",
        "output_amount": "100000",
    }


def test_the_project_form_gives_the_file_mapping_and_its_verdict() -> None:
    from tests.policy.test_project_assessment import _line

    data = read_form("project", _project_form())
    assert data == _line()
    result = INSTRUMENTS["project"].run(data, REFERENCE).as_dict()
    assert result["verdict"] == "approve"
    assert result["energy_tce"] == pytest.approx(8_372, abs=1e-6)


def test_the_region_budget_is_nested() -> None:
    form = {**_project_form(), "region_budget_cap_t": "1000000", "region_budget_used_t": "900000"}
    assert read_form("project", form)["region_budget"] == {"cap_t": 1e6, "used_t": 9e5}


def test_bad_project_fields_are_placed_all_at_once() -> None:
    form = _project_form()
    form["industry_code"] = ""  # required
    form["energy.0.stream"] = "coal"  # not a stream
    form["energy.1.oxidation_rate"] = "1.2"  # above the most, 1
    form["output_amount"] = "many"
    with pytest.raises(InputError) as raised:
        read_form("project", form)
    assert {p.place.field for p in raised.value.problems} == {
        "industry_code",
        "energy.0.stream",
        "energy.1.oxidation_rate",
        "output_amount",
    }


def test_numbers_follow_the_one_rule() -> None:
    """review19 #14: 1,234 is a number; a decimal comma and Python's 1_000 are not."""
    form = _centre_form()
    form["months.1.it_kwh"] = "1,000,000"
    form["months.2.it_kwh"] = "１，０００，０００"
    assert read_form("datacentre", form)["months"][1]["it_kwh"] == 1_000_000.0
    form["months.3.it_kwh"] = "1_000_000"
    form["months.4.total_kwh"] = "1250000,5"
    with pytest.raises(InputError) as raised:
        read_form("datacentre", form)
    assert {(p.place.field, p.message) for p in raised.value.problems} == {
        ("months.3.it_kwh", "'1_000_000' is not a number"),
        ("months.4.total_kwh", "'1250000,5' is not a number"),
    }
