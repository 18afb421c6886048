"""The registry of policy instruments and the one verdict: every kind applications use is
registered, its tables exist, and every instrument's judgement reads compliance the same way."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.policy import APPLICATION_KINDS, INSTRUMENTS
from carbonpeak.policy.energy_caps import Target
from carbonpeak.policy.verdict import Check, Verdict, stored_compliance, stored_verdict
from carbonpeak.reference.loader import default_reference
from carbonpeak.services.policy import KINDS
from tests.policy.test_data_centre import _centre
from tests.policy.test_green_factory import _sheet
from tests.policy.test_two_high import _clinker

REFERENCE = default_reference()
SWAP = {
    "sector": "cement",
    "application_date": "2025-03-01",
    "location": {"region_code": "130200"},
    "built": [{"equipment": "clinker_kiln", "capacity_t": 1_000_000}],
    "exit": [{"equipment": "clinker_kiln", "capacity_t": 1_500_000}],
    "reaches_benchmark": True,
}
TABLE = pd.DataFrame(
    {
        "region_code": ["130000", "130000", "110000"],
        "year": ["2020", "2021", "2021"],
        "value_added_10k_yuan": ["1000000", "1050000", "520000"],
        "energy_tce": ["1000000", "1020000", "190000"],
        "cap_tce": ["", "1000000", ""],
    }
)
BODIES: dict[str, Any] = {
    "swap": SWAP,
    "project": _clinker(98),
    "datacentre": _centre(1.25),
    "factory": _sheet(),
    "caps": {"target": "industry_energy_2025", "table": TABLE},
}


def test_the_registry_holds_every_application_kind_and_caps() -> None:
    assert set(KINDS) == set(APPLICATION_KINDS) <= set(INSTRUMENTS)
    assert set(INSTRUMENTS) == set(BODIES)
    for kind, instrument in INSTRUMENTS.items():
        assert instrument.kind == kind and instrument.title_en and instrument.title_zh
        assert set(instrument.tables) <= set(REFERENCE.table_names), kind


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_every_instrument_judges_to_one_verdict(kind: str) -> None:
    verdict = INSTRUMENTS[kind].run(BODIES[kind], REFERENCE)
    assert isinstance(verdict, Verdict)
    shown = verdict.as_dict()
    assert shown["compliant"] is verdict.compliant
    assert shown["checks"] == [c.as_dict() for c in verdict.checks]
    assert [w["code"] for w in shown["warnings"]] == [w.code for w in verdict.warnings]
    assert stored_compliance(shown) is bool(verdict.compliant)


def test_the_old_keys_map_to_compliant() -> None:
    screened = INSTRUMENTS["project"].run(_clinker(105), REFERENCE).as_dict()
    assert screened["verdict"] == "refuse" and screened["compliant"] is False
    vetoed = (
        INSTRUMENTS["factory"]
        .run(_sheet(basic=[{"item": "合法合规", "met": False}]), REFERENCE)
        .as_dict()
    )
    assert vetoed["passes_vetoes"] is False and vetoed["compliant"] is False
    # verdicts stored before `compliant` existed are read by their instrument's key
    assert stored_compliance({"verdict": "not screened"}) is True
    assert stored_compliance({"verdict": "refuse"}) is False
    assert stored_compliance({"passes_vetoes": True}) is True
    old = stored_verdict({"compliant": True, "warnings": ["a bare string"]})
    assert old["warnings"] == ["a bare string"]


def test_energy_use_control_as_a_verdict() -> None:
    verdict = INSTRUMENTS["caps"].run(BODIES["caps"], REFERENCE)
    assert verdict.detail["target"] == "industry_energy_2025"
    # Hebei 2021 above its cap; Beijing has no row of the base year 2020
    assert verdict.compliant is False
    assert (
        Check(
            "energy use within the cap",
            False,
            "130000 2021: 1,020,000 tce against 1,000,000 tce",
            "input",
        )
        in verdict.checks
    )
    assert [w.code for w in verdict.warnings] == ["policy.energy_caps.no_base_year"]
    assert verdict.warnings[0].data == {"region_code": "110000", "base_year": 2020}
    given = Target("given", "energy_intensity", 2020, 2025, -0.5, "input", False)
    assert INSTRUMENTS["caps"].run({"target": given, "table": TABLE}, REFERENCE).checks
    with pytest.raises(InputError, match="no intensity target"):
        INSTRUMENTS["caps"].run({"target": "nothing", "table": TABLE}, REFERENCE)
