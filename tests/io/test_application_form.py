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
