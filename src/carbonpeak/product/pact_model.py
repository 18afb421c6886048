"""What carbonpeak knows of one product footprint, in the shape of the PACT v3 data model.

PACT Technical Specifications v3.0.3 (2025-11-18), `spec/v3/openapi.yaml` of
wbcsd/data-exchange-protocol@cf4ebedb18d42f3453bcc868e01159321297c09a: the `ProductFootprint`
and `CarbonFootprint` schemas. The Python names are snake case; each field's alias is the PACT
property name, so `Footprint.model_validate(obj)` reads a PACT object and
`model_dump(by_alias=True)` writes one. The models implement the schema's types, patterns,
enums and required properties, and the rules its descriptions state with MUST or SHALL (DQRs
between 1 and 5; `packagingGhgEmissions` undefined when packaging is not included; the CCS
items undefined when CCS is not included; `otherOperatorName` when the operator is "Other";
at most one geography). Amounts are `Decimal`, in kgCO2e (or kgC, kg) per declared unit as the
schema's x-unit says; they are written as decimal strings.

Data model extensions are kept as they came (carbonpeak does not read them).

This module is derived from the PACT Technical Specifications (WBCSD): see NOTICE-PACT.md (at
the repository root; in the wheel beside this module) for the Licensor, the creators and the
licence's disclaimer of warranties and limitation of liability.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

SPEC_VERSION = "3.0.3"

_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")


def _decimal(value: Any) -> Decimal:
    """A PACT decimal: a string of the schema's `Decimal` form (a Decimal from Python code)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise PydanticCustomError("pact_decimal", "not a finite decimal")
        return value
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        raise PydanticCustomError("pact_decimal", 'a decimal is a string such as "12.5"')
    return Decimal(value)


def decimal_text(value: Decimal) -> str:
    """A decimal as PACT writes it: plain digits, no exponent ("0.00012", not "1.2E-4")."""
    return format(value.copy_abs() if value.is_zero() else value, "f")


Dec = Annotated[Decimal, BeforeValidator(_decimal), PlainSerializer(decimal_text, return_type=str)]
PositiveDec = Annotated[Dec, Field(gt=0)]
NonNegativeDec = Annotated[Dec, Field(ge=0)]
NonPositiveDec = Annotated[Dec, Field(le=0)]
Dqr = Annotated[Dec, Field(ge=1, le=5)]
Text = Annotated[str, StringConstraints(min_length=1)]
# RFC 8141: "urn:", a namespace identifier of 2 to 32 characters, ":", a specific string
Urn = Annotated[
    str, StringConstraints(pattern=r"^[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{0,30}[A-Za-z0-9]:\S+$")
]


def _stamp(value: Any) -> Any:
    """A PACT date-time: an RFC 3339 string (a datetime from Python code), never a number."""
    if not isinstance(value, str | datetime):
        raise PydanticCustomError(
            "pact_stamp", 'a date-time is a string such as "2025-12-31T00:00:00Z"'
        )
    return value


Stamp = Annotated[
    AwareDatetime,
    BeforeValidator(_stamp),
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
]

DeclaredUnit = Literal[
    "liter",
    "kilogram",
    "cubic meter",
    "kilowatt hour",
    "megajoule",
    "ton kilometer",
    "square meter",
    "piece",
    "hour",
    "megabit second",
]
Region = Literal[
    "Africa",
    "Americas",
    "Asia",
    "Europe",
    "Oceania",
    "Australia and New Zealand",
    "Central Asia",
    "Eastern Asia",
    "Eastern Europe",
    "Latin America and the Caribbean",
    "Melanesia",
    "Micronesia",
    "Northern Africa",
    "Northern America",
    "Northern Europe",
    "Polynesia",
    "South-eastern Asia",
    "Southern Asia",
    "Southern Europe",
    "Sub-Saharan Africa",
    "Western Asia",
    "Western Europe",
]


def _distinct(items: tuple[Any, ...]) -> tuple[Any, ...]:
    """A PACT set (uniqueItems): each item once."""
    if len(set(items)) != len(items):
        raise PydanticCustomError("pact_unique", "repeated items")
    return items


Distinct = AfterValidator(_distinct)


class _Pact(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")


class SectorRule(_Pact):
    """A product- or sector-specific rule set (PCR). A Chinese rule such as GB/T 24067-2024 is
    entered with operator "Other", `other_operator_name` its issuer and the rule's name.

    The schema's description asks for otherOperatorName when the operator is "Other", but the
    schema does not require it and the spec's own examples 1 and 2 leave it out (they put it
    beside the rules, on the `pcf`): a footprint without it is read, not refused."""

    operator: Literal["PEF", "EPD International", "Other"]
    rule_names: Annotated[tuple[Text, ...], Distinct] = Field(alias="ruleNames", min_length=1)
    other_operator_name: Text | None = Field(default=None, alias="otherOperatorName")


class EmissionFactorSource(_Pact):
    name: Text
    version: Text


class DataQuality(_Pact):
    """Data quality ratings, each between 1 and 5 (PACT Methodology 4.2.3)."""

    technological: Dqr = Field(alias="technologicalDQR")
    geographical: Dqr = Field(alias="geographicalDQR")
    temporal: Dqr = Field(alias="temporalDQR")


class Verification(_Pact):
    coverage: Literal["PCF calculation model", "PCF program", "product level"] | None = None
    provider_name: str | None = Field(default=None, alias="providerName")
    completed_at: Stamp | None = Field(default=None, alias="completedAt")
    standard_name: str | None = Field(default=None, alias="standardName")
    comments: str | None = None


class Extension(_Pact):
    spec_version: str = Field(alias="specVersion")
    data_schema: str = Field(alias="dataSchema")
    documentation: str | None = None
    data: dict[str, Any]


class CarbonFootprint(_Pact):
    """The `pcf` of a footprint: per declared unit (`declared_amount` of `declared_unit`)."""

    declared_unit: DeclaredUnit = Field(alias="declaredUnitOfMeasurement")
    declared_amount: PositiveDec = Field(alias="declaredUnitAmount")
    mass_per_declared_unit: Dec = Field(alias="productMassPerDeclaredUnit")
    reference_period_start: Stamp = Field(alias="referencePeriodStart")
    reference_period_end: Stamp = Field(alias="referencePeriodEnd")
    geography_region: Region | None = Field(default=None, alias="geographyRegionOrSubregion")
    geography_country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = Field(
        default=None, alias="geographyCountry"
    )
    geography_subdivision: (
        Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")] | None
    ) = Field(default=None, alias="geographyCountrySubdivision")
    boundary_processes: str | None = Field(default=None, alias="boundaryProcessesDescription")
    pcf_excluding_biogenic_uptake: Dec = Field(alias="pcfExcludingBiogenicUptake")
    pcf_including_biogenic_uptake: Dec = Field(alias="pcfIncludingBiogenicUptake")
    fossil_ghg_emissions: NonNegativeDec = Field(alias="fossilGhgEmissions")
    fossil_carbon_content: NonNegativeDec = Field(alias="fossilCarbonContent")
    biogenic_carbon_content: NonNegativeDec | None = Field(
        default=None, alias="biogenicCarbonContent"
    )
    recycled_carbon_content: NonNegativeDec | None = Field(
        default=None, alias="recycledCarbonContent"
    )
    land_use_change_ghg_emissions: NonNegativeDec | None = Field(
        default=None, alias="landUseChangeGhgEmissions"
    )
    land_carbon_leakage: NonNegativeDec | None = Field(default=None, alias="landCarbonLeakage")
    land_management_fossil_ghg_emissions: NonNegativeDec | None = Field(
        default=None, alias="landManagementFossilGhgEmissions"
    )
    land_management_biogenic_co2_emissions: NonNegativeDec | None = Field(
        default=None, alias="landManagementBiogenicCO2Emissions"
    )
    land_management_biogenic_co2_removals: NonPositiveDec | None = Field(
        default=None, alias="landManagementBiogenicCO2Removals"
    )
    biogenic_co2_uptake: NonPositiveDec | None = Field(default=None, alias="biogenicCO2Uptake")
    biogenic_non_co2_emissions: NonNegativeDec | None = Field(
        default=None, alias="biogenicNonCO2Emissions"
    )
    land_area_occupation: NonNegativeDec | None = Field(default=None, alias="landAreaOccupation")
    aircraft_ghg_emissions: NonNegativeDec | None = Field(
        default=None, alias="aircraftGhgEmissions"
    )
    packaging_emissions_included: StrictBool | None = Field(
        default=None, alias="packagingEmissionsIncluded"
    )
    packaging_ghg_emissions: NonNegativeDec | None = Field(
        default=None, alias="packagingGhgEmissions"
    )
    packaging_biogenic_carbon_content: NonNegativeDec | None = Field(
        default=None, alias="packagingBiogenicCarbonContent"
    )
    outbound_logistics_ghg_emissions: NonNegativeDec | None = Field(
        default=None, alias="outboundLogisticsGhgEmissions"
    )
    ccs_included: StrictBool | None = Field(
        default=None, alias="ccsTechnologicalCO2CaptureIncluded"
    )
    ccs_technological_co2_capture: NonPositiveDec | None = Field(
        default=None, alias="ccsTechnologicalCO2Capture"
    )
    technological_co2_capture_origin: str | None = Field(
        default=None, alias="technologicalCO2CaptureOrigin"
    )
    technological_co2_removals: NonPositiveDec | None = Field(
        default=None, alias="technologicalCO2Removals"
    )
    ccu_carbon_content: NonNegativeDec | None = Field(default=None, alias="ccuCarbonContent")
    ccu_calculation_approach: Literal["Cut-off", "Credit"] | None = Field(
        default=None, alias="ccuCalculationApproach"
    )
    ccu_credit_certification: str | None = Field(default=None, alias="ccuCreditCertification")
    ipcc_characterization_factors: Annotated[
        tuple[Annotated[str, StringConstraints(pattern=r"^AR\d+$")], ...], Distinct
    ] = Field(alias="ipccCharacterizationFactors", min_length=1)
    cross_sectoral_standards: Annotated[tuple[Text, ...], Distinct] = Field(
        alias="crossSectoralStandards", min_length=1
    )
    sector_rules: Annotated[tuple[SectorRule, ...], Distinct] = Field(
        default=(), alias="productOrSectorSpecificRules"
    )
    exempted_emissions_percent: Dec = Field(alias="exemptedEmissionsPercent")
    exempted_emissions_description: str | None = Field(
        default=None, alias="exemptedEmissionsDescription"
    )
    allocation_rules: str | None = Field(default=None, alias="allocationRulesDescription")
    secondary_sources: tuple[EmissionFactorSource, ...] = Field(
        default=(), alias="secondaryEmissionFactorSources"
    )
    primary_data_share: Dec | None = Field(default=None, alias="primaryDataShare")
    dqi: DataQuality | None = None
    verification: Verification | None = None

    @model_validator(mode="after")
    def _spec_rules(self) -> CarbonFootprint:
        places = (self.geography_region, self.geography_country, self.geography_subdivision)
        if sum(p is not None for p in places) > 1:
            raise PydanticCustomError(
                "pact_geography",
                "at most one of geographyRegionOrSubregion, geographyCountry and "
                "geographyCountrySubdivision",
            )
        if self.packaging_emissions_included is False and self.packaging_ghg_emissions is not None:
            raise PydanticCustomError(
                "pact_packaging",
                "packagingGhgEmissions must be undefined when packaging is excluded",
            )
        ccs_items = (
            self.ccs_technological_co2_capture,
            self.technological_co2_removals,
            self.technological_co2_capture_origin,
        )
        if self.ccs_included is False and any(item is not None for item in ccs_items):
            raise PydanticCustomError(
                "pact_ccs",
                "ccsTechnologicalCO2Capture, technologicalCO2Removals and "
                "technologicalCO2CaptureOrigin must be undefined when CCS is not included",
            )
        return self


class Footprint(_Pact):
    """One product footprint (PACT `ProductFootprint`): who made which product, and its `pcf`."""

    id: UUID
    # required in a PACT object (from_pact refuses one without); the default is for Python code
    spec_version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+(-\d{8})?$")] = Field(
        default=SPEC_VERSION, alias="specVersion"
    )
    preceding_ids: Annotated[tuple[UUID, ...], Distinct] = Field(default=(), alias="precedingPfIds")
    created: Stamp
    status: Literal["Active", "Deprecated"]
    validity_start: Stamp | None = Field(default=None, alias="validityPeriodStart")
    validity_end: Stamp | None = Field(default=None, alias="validityPeriodEnd")
    company_name: Text = Field(alias="companyName")
    company_ids: Annotated[tuple[Urn, ...], Distinct] = Field(alias="companyIds", min_length=1)
    product_description: str = Field(alias="productDescription")
    product_ids: Annotated[tuple[Urn, ...], Distinct] = Field(alias="productIds", min_length=1)
    product_classifications: Annotated[tuple[Urn, ...], Distinct] = Field(
        default=(), alias="productClassifications"
    )
    product_name: Text = Field(alias="productNameCompany")
    comment: str | None = None
    pcf: CarbonFootprint
    extensions: tuple[Extension, ...] = ()
