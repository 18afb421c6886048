"""A plant's computed footprint as a PACT v3 ProductFootprint (`product.pact_model`; the
notice of the data model's licence is NOTICE-PACT.md): what a steel mill sends the automaker
that asked.

How carbonpeak's result fills the data model (the platform's choices, said here so the
receiver can read them):

- declared unit: 1 000 kilogram of product (PACT has no tonne; GB/T 44905-2024 declares 1 t),
  so the PCF values are the footprint per tonne in kgCO2e, and the product mass per declared
  unit is 1 000 kg;
- the reference period is the calendar year of the data in China time (+08:00);
- biogenic uptake and land use are not modelled: the PCF with and without biogenic uptake are
  the same, and equal the fossil GHG emissions;
- the fossil carbon content of the product is not computed by the platform: the caller gives
  it (kgC per tonne; 0 for aluminium ingots and cement, a steel's own carbon for steel);
- the product id is a UUID URN derived from the enterprise and the product's name (stable
  from one year to the next; the RFC 4122 namespace), the company id the unified social
  credit code's URN (`product.exchange.uscc_urn`);
- the rules followed are named as "Other" operator rules: GB/T 24067-2024 and, for a product
  with one, its product rule;
- the share of primary data is the footprint's (site emissions and suppliers' own data), in
  percent; the data-quality ratings are the footprint's contribution-weighted means when every
  part is rated, else absent.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from carbonpeak.product.exchange import uscc_urn
from carbonpeak.product.footprint import Footprint
from carbonpeak.product.pact_model import (
    CarbonFootprint,
    DataQuality,
    EmissionFactorSource,
    SectorRule,
)
from carbonpeak.product.pact_model import Footprint as PactFootprint

CHINA_TIME = timezone(timedelta(hours=8))
PRODUCT_IDS = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # RFC 4122 URL namespace
BASE_RULE = "GB/T 24067-2024"


def product_urn(enterprise_id: str, product: str) -> str:
    """The product's stable id: a UUID (version 5) of the enterprise and the product's name."""
    return uuid.uuid5(PRODUCT_IDS, f"carbonpeak:{enterprise_id}:{product}").urn


def _decimal(value: float, digits: int = 6) -> Decimal:
    return Decimal(repr(round(value, digits))).normalize() + Decimal(0)


def to_pact_footprint(
    found: Footprint,
    *,
    footprint_id: uuid.UUID,
    created: datetime,
    company_name: str,
    enterprise_id: str,
    year: int,
    fossil_carbon_kg_per_t: float,
    product_rule: str | None = None,
    description: str | None = None,
    gwp_set: str = "AR5",
    preceding: tuple[uuid.UUID, ...] = (),
) -> PactFootprint:
    """The footprint as a PACT ProductFootprint (see the module for each choice)."""
    per_declared = _decimal(found.total * 1000)
    rules = (BASE_RULE, product_rule) if product_rule else (BASE_RULE,)
    sources = sorted({p.source for p in found.parts if p.source and not p.primary})
    quality = (
        DataQuality(
            technological=_decimal(found.dqr[0], 2),
            geographical=_decimal(found.dqr[1], 2),
            temporal=_decimal(found.dqr[2], 2),
        )
        if found.dqr is not None
        else None
    )
    pcf = CarbonFootprint(
        declared_unit="kilogram",
        declared_amount=Decimal(1000),
        mass_per_declared_unit=Decimal(1000),
        reference_period_start=datetime(year, 1, 1, tzinfo=CHINA_TIME),
        reference_period_end=datetime(year + 1, 1, 1, tzinfo=CHINA_TIME),
        geography_country="CN",
        pcf_excluding_biogenic_uptake=per_declared,
        pcf_including_biogenic_uptake=per_declared,
        fossil_ghg_emissions=per_declared,
        fossil_carbon_content=_decimal(fossil_carbon_kg_per_t),
        packaging_emissions_included=False,
        ccs_included=False,
        ipcc_characterization_factors=(gwp_set,),
        cross_sectoral_standards=(BASE_RULE,),
        sector_rules=(
            SectorRule(operator="Other", rule_names=rules, other_operator_name="SAMR/SAC"),
        ),
        exempted_emissions_percent=Decimal(0),
        allocation_rules=f"co-products: {found.allocation}",
        secondary_sources=tuple(
            EmissionFactorSource(name=s[:200], version=str(year)) for s in sources
        ),
        primary_data_share=_decimal(found.primary_share * 100, 2),
        dqi=quality,
    )
    return PactFootprint(
        id=footprint_id,
        preceding_ids=preceding,
        created=created,
        status="Active",
        company_name=company_name,
        company_ids=(uscc_urn(enterprise_id),),
        product_description=description or found.product,
        product_ids=(product_urn(enterprise_id, found.product),),
        product_name=found.product,
        pcf=pcf,
    )
