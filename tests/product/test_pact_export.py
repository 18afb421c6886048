"""A computed footprint as a PACT v3 ProductFootprint: the model accepts it, it goes to JSON and
back unchanged, and its figures are the footprint's per tonne in kgCO2e per 1 000 kg."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from carbonpeak.errors import Place
from carbonpeak.product.exchange import from_pact, to_pact, uscc_of
from carbonpeak.product.footprint import Flow, Stage, Unit, footprints
from carbonpeak.product.pact_export import product_urn, to_pact_footprint

MILL = "911302005B8M2P4Q99"  # a synthetic code with a valid check character


def _footprint():  # type: ignore[no-untyped-def]
    unit = Unit(
        "potline",
        {"ingot": 100},
        170,
        (
            Flow(
                "electricity", 1_350_000, "kWh", Stage.energy, 0.0005777, "MEE 2024", dqr=(2, 1, 1)
            ),
        ),
        site_dqr=(1, 1, 1),
    )
    return footprints([unit])["ingot"]


def test_a_footprint_as_pact_and_back() -> None:
    found = _footprint()
    pact = to_pact_footprint(
        found,
        footprint_id=uuid.UUID(int=7),
        created=datetime(2027, 2, 1, tzinfo=UTC),
        company_name="示例铝业",
        enterprise_id=MILL,
        year=2026,
        fossil_carbon_kg_per_t=0,
        product_rule="GB/T 44905-2024",
    )
    # 1.7 + 13 500 x 0.0005777 = 9.49895 tCO2e/t = 9 498.95 kgCO2e per 1 000 kg
    assert pact.pcf.pcf_excluding_biogenic_uptake == Decimal("9498.95")
    assert pact.pcf.declared_amount == 1000 and pact.pcf.declared_unit == "kilogram"
    assert pact.pcf.reference_period_start.isoformat() == "2026-01-01T00:00:00+08:00"
    assert pact.pcf.sector_rules[0].rule_names == ("GB/T 24067-2024", "GB/T 44905-2024")
    # primary: the site's 1.7 of 9.49895
    assert float(pact.pcf.primary_data_share) == pytest.approx(100 * 1.7 / 9.49895, abs=0.01)
    assert pact.pcf.dqi is not None and pact.pcf.secondary_sources[0].name == "MEE 2024"
    assert uscc_of(pact.company_ids[0]) == MILL
    again = from_pact(to_pact(pact), Place(file="x.json"))
    assert again == pact


def test_the_product_id_is_stable_across_years_and_apart_between_products() -> None:
    assert product_urn(MILL, "ingot") == product_urn(MILL, "ingot")
    assert product_urn(MILL, "ingot") != product_urn(MILL, "billet")
    assert product_urn(MILL, "ingot").startswith("urn:uuid:")
