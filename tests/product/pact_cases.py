"""What the PACT tests share: the made-up footprint of a steel mill, the required fields of the
PACT v3 objects, the hypothesis strategy of footprints and a few checks run with and without
the spec's schema (tests/product/test_pact.py; conformance/test_pact_spec.py, which needs the
fetched spec). Not a test module: pytest collects nothing here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import strategies as st

from carbonpeak.errors import InputError, Place
from carbonpeak.product.exchange import from_pact, pact_urn, to_pact, uscc_urn
from carbonpeak.product.pact_model import (
    CarbonFootprint,
    DataQuality,
    EmissionFactorSource,
    Extension,
    Footprint,
    SectorRule,
    Verification,
)
from carbonpeak.product.pact_schema import PactSchema

# The required properties of a PACT v3 ProductFootprint and of its CarbonFootprint (`pcf`), in
# the spec's order: what the model demands (tests/product/test_pact.py) and, checked against
# the spec's openapi.yaml, what the schema demands (conformance/test_pact_spec.py).
REQUIRED = [
    "id",
    "specVersion",
    "created",
    "status",
    "companyName",
    "companyIds",
    "productDescription",
    "productIds",
    "productNameCompany",
    "pcf",
]
PCF_REQUIRED = [
    "declaredUnitOfMeasurement",
    "declaredUnitAmount",
    "productMassPerDeclaredUnit",
    "referencePeriodStart",
    "referencePeriodEnd",
    "pcfExcludingBiogenicUptake",
    "pcfIncludingBiogenicUptake",
    "fossilGhgEmissions",
    "fossilCarbonContent",
    "ipccCharacterizationFactors",
    "crossSectoralStandards",
    "exemptedEmissionsPercent",
]
REQUIRED_PATHS = REQUIRED + [f"pcf.{name}" for name in PCF_REQUIRED]


def mill() -> Footprint:
    """A steel mill's answer (made-up values)."""
    return Footprint(
        id=UUID("2f1e6c1a-7d52-4c3e-9a57-0b3c4f1e2d10"),
        created=datetime(2026, 3, 1, tzinfo=UTC),
        status="Active",
        company_name="示例钢铁有限公司",
        company_ids=(uscc_urn("91350100M000100Y43"),),
        product_description="热轧卷板",
        product_ids=(pact_urn("steel.example.cn", "supplier-id", "HRC-235"),),
        product_name="热轧卷板 Q235B",
        pcf=CarbonFootprint(
            declared_unit="kilogram",
            declared_amount=Decimal("1000"),
            mass_per_declared_unit=Decimal("1"),
            reference_period_start=datetime(2025, 1, 1, tzinfo=UTC),
            reference_period_end=datetime(2026, 1, 1, tzinfo=UTC),
            geography_country="CN",
            pcf_excluding_biogenic_uptake=Decimal("2000.5"),
            pcf_including_biogenic_uptake=Decimal("2000.5"),
            fossil_ghg_emissions=Decimal("2000.5"),
            fossil_carbon_content=Decimal("2"),
            packaging_emissions_included=False,
            ccs_included=False,
            ipcc_characterization_factors=("AR5", "AR6"),
            cross_sectoral_standards=("ISO14067",),
            sector_rules=(
                SectorRule(
                    operator="Other",
                    rule_names=("GB/T 24067-2024",),
                    other_operator_name="国家市场监督管理总局、国家标准化管理委员会",
                ),
            ),
            exempted_emissions_percent=Decimal("0.8"),
            primary_data_share=Decimal("60"),
            dqi=DataQuality(
                technological=Decimal("2"), geographical=Decimal("1.5"), temporal=Decimal("1")
            ),
        ),
    )


def problems_of(error: pytest.ExceptionInfo[InputError]) -> dict[str | None, str]:
    """The problems of a refusal as {field path: catalogue template}."""
    return {p.place.field: p.template for p in error.value.problems}


def without(path: str) -> dict[str, Any]:
    """The mill's PACT object without the property at `path` ("companyName", "pcf.dqi")."""
    payload = to_pact(mill())
    container = payload["pcf"] if path.startswith("pcf.") else payload
    del container[path.removeprefix("pcf.")]
    return payload


def check_bad_enum_and_bad_decimal(schema: PactSchema | None) -> None:
    """Two values outside their enums and two decimals that are not decimal strings: each is
    placed at its field and at the item's row, by the model or by the schema check."""
    payload = to_pact(mill())
    payload["status"] = "Retired"
    payload["pcf"]["declaredUnitOfMeasurement"] = "tonne"
    payload["pcf"]["pcfExcludingBiogenicUptake"] = "2,000.5"
    payload["pcf"]["declaredUnitAmount"] = 1000
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="b.json", row=2), schema)
    problems = problems_of(error)
    assert problems["status"] == "{!r} is not one of {}"
    assert problems["pcf.declaredUnitOfMeasurement"] == "{!r} is not one of {}"
    assert set(problems) == {
        "status",
        "pcf.declaredUnitOfMeasurement",
        "pcf.pcfExcludingBiogenicUptake",
        "pcf.declaredUnitAmount",
    }
    assert all(p.place.row == 2 for p in error.value.problems)


# --- footprints for the properties ------------------------------------------------------------

_STAMPS = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
    ),
)
_TEXT = st.text(min_size=1, max_size=12)
_URNS = st.tuples(st.from_regex(r"urn:[a-z0-9]{2,6}:[A-Za-z0-9.:-]{1,12}", fullmatch=True))


def _decimals(low: str | None = None, high: str | None = None, gt: bool = False) -> Any:
    low_value = Decimal(low) if low is not None else Decimal("-1e7")
    numbers = st.decimals(
        min_value=low_value, max_value=Decimal(high) if high else Decimal("1e7"), places=4
    )
    return numbers.filter(lambda d: d > 0) if gt else numbers


def _maybe(strategy: Any) -> Any:
    return st.none() | strategy


@st.composite
def _pcfs(draw: Any) -> CarbonFootprint:
    geography = draw(st.sampled_from(["", "region", "country", "subdivision"]))
    packaging = draw(_maybe(st.booleans()))
    ccs = draw(_maybe(st.booleans()))
    return CarbonFootprint(
        declared_unit=draw(st.sampled_from(["kilogram", "piece", "megajoule", "liter"])),
        declared_amount=draw(_decimals("0", gt=True)),
        mass_per_declared_unit=draw(_decimals("0")),
        reference_period_start=draw(_STAMPS),
        reference_period_end=draw(_STAMPS),
        geography_region="Eastern Asia" if geography == "region" else None,
        geography_country="CN" if geography == "country" else None,
        geography_subdivision="CN-SD" if geography == "subdivision" else None,
        pcf_excluding_biogenic_uptake=draw(_decimals()),
        pcf_including_biogenic_uptake=draw(_decimals()),
        fossil_ghg_emissions=draw(_decimals("0")),
        fossil_carbon_content=draw(_decimals("0")),
        biogenic_carbon_content=draw(_maybe(_decimals("0"))),
        biogenic_co2_uptake=draw(_maybe(_decimals(high="0", low="-1e7"))),
        packaging_emissions_included=packaging,
        packaging_ghg_emissions=None if packaging is False else draw(_maybe(_decimals("0"))),
        ccs_included=ccs,
        ccs_technological_co2_capture=None if ccs is False else draw(_maybe(_decimals(high="0"))),
        ipcc_characterization_factors=tuple(
            draw(st.sets(st.sampled_from(["AR4", "AR5", "AR6"]), min_size=1))
        ),
        cross_sectoral_standards=tuple(
            draw(st.sets(st.sampled_from(["ISO14067", "PACT-3.0", "GHGP-Product"]), min_size=1))
        ),
        sector_rules=tuple(
            draw(
                st.lists(
                    st.tuples(_TEXT, _TEXT).map(
                        lambda t: SectorRule(
                            operator="Other", rule_names=(t[0],), other_operator_name=t[1]
                        )
                    ),
                    max_size=2,
                    unique=True,
                )
            )
        ),
        exempted_emissions_percent=draw(_decimals("0", "100")),
        allocation_rules=draw(_maybe(st.text(max_size=20))),
        secondary_sources=tuple(
            draw(
                st.lists(
                    st.tuples(_TEXT, _TEXT).map(
                        lambda t: EmissionFactorSource(name=t[0], version=t[1])
                    ),
                    max_size=2,
                )
            )
        ),
        primary_data_share=draw(_maybe(_decimals("0", "100"))),
        dqi=draw(
            _maybe(
                st.tuples(*[_decimals("1", "5")] * 3).map(
                    lambda t: DataQuality(technological=t[0], geographical=t[1], temporal=t[2])
                )
            )
        ),
        verification=draw(
            _maybe(
                st.tuples(_maybe(_STAMPS), _maybe(_TEXT)).map(
                    lambda t: Verification(
                        coverage="PCF program", completed_at=t[0], provider_name=t[1]
                    )
                )
            )
        ),
    )


@st.composite
def _footprints(draw: Any) -> Footprint:
    return Footprint(
        id=draw(st.uuids()),
        preceding_ids=tuple(draw(st.lists(st.uuids(), max_size=2, unique=True))),
        created=draw(_STAMPS),
        status=draw(st.sampled_from(["Active", "Deprecated"])),
        validity_start=draw(_maybe(_STAMPS)),
        company_name=draw(_TEXT),
        company_ids=draw(_URNS),
        product_description=draw(st.text(max_size=20)),
        product_ids=draw(_URNS),
        product_classifications=draw(st.just(()) | _URNS),
        product_name=draw(_TEXT),
        comment=draw(_maybe(st.text(max_size=20))),
        pcf=draw(_pcfs()),
        extensions=tuple(
            Extension(
                spec_version="2.0.0",
                data_schema="https://example.com/schema.json",
                data=data,
            )
            for data in draw(
                st.lists(
                    st.dictionaries(_TEXT, st.integers() | st.text(max_size=5), max_size=3),
                    max_size=1,
                )
            )
        ),
    )


FOOTPRINTS = _footprints()
