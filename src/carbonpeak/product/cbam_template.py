"""The installation's communication to its EU importers, as the Commission's "CBAM Communication
template for installations" (v2.1.1) carries it: typed, checked, and free of any workbook.

`io.cbam_workbook` writes a `Communication` into the template and reads it back. The field
names say what each input cell of the template holds (sheet and cell in the comments; the
addresses and their labels are in docs/notes/research22.md §2.3). Amounts are in the template's
units: goods in t (electricity in MWh), heat and waste gases in TJ, emissions in tCO2e,
emission factors in tCO2/TJ or tCO2/MWh, specific values per t of good. Percentages are entered
as the template asks for them (its "% Mn" and share columns as typed, not converted).

Processes are numbered 1…10 as the template's P1…P10 (their order in `processes`): "consumed in"
amounts and products name a process by that number.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    StringConstraints,
    model_validator,
)

from carbonpeak.product.cbam_codes import (
    MAX_GOOD_ROUTES,
    MAX_GOODS,
    MAX_INCLUDED,
    MAX_PRECURSOR_ROUTES,
    MAX_PRECURSORS,
    MAX_PROCESSES,
    MAX_PRODUCTS,
    ROUTES,
    CarbonPriceType,
    DataQuality,
    DefaultJustification,
    DirectOnly,
    ElecSource,
    GoodsCategory,
    RebateType,
    ReducingAgent,
    Route,
    ValueSource,
    Verification,
)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("a text of blanks only")
    return value


# A text as a cell holds it: not blank, no control characters (which an xlsx cannot store).
Text = Annotated[
    str,
    StringConstraints(min_length=1, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]+$"),
    AfterValidator(_not_blank),
]
Number = FiniteFloat | None
ProcessNo = Annotated[int, Field(ge=1, le=MAX_PROCESSES)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Section(_Frozen):
    """An optional section: given with at least one value, or left out (the workbook cannot
    tell an empty section from none)."""

    @model_validator(mode="after")
    def _not_empty(self) -> _Section:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise ValueError("an empty section: leave it out instead")
        return self


def _check_routes(category: GoodsCategory, routes: Iterable[Route], what: str) -> None:
    allowed = ROUTES[category]
    for route in routes:
        if route not in allowed:
            raise ValueError(f"{what}: route {route.value!r} is not a route of {category.value!r}")


class ReportingPeriod(_Frozen):
    """A_InstData I9 (start) and L9 (end)."""

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> ReportingPeriod:
        if self.end < self.start:
            raise ValueError("the reporting period ends before it starts")
        return self


class Installation(_Frozen):
    """A_InstData I19–I32: the installation and its contact."""

    local_name: Text | None = None  # I19, optional
    name: Text  # I20, English name
    street: Text | None = None  # I21
    economic_activity: Text | None = None  # I22
    post_code: Text | None = None  # I23
    po_box: Text | None = None  # I24
    city: Text | None = None  # I25
    country: Text | None = None  # I26, a country name from the template's list (c_CodeLists G)
    unlocode: Text | None = None  # I27
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None  # I28, main emission source
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None  # I29
    representative: Text | None = None  # I30
    email: Text | None = None  # I31
    phone: Text | None = None  # I32


class Verifier(_Section):
    """A_InstData I37–I53: the verifier, optional in the transitional period."""

    company: Text | None = None  # I37
    street: Text | None = None  # I38
    city: Text | None = None  # I39
    post_code: Text | None = None  # I40
    country: Text | None = None  # I41
    representative: Text | None = None  # I45
    email: Text | None = None  # I46
    phone: Text | None = None  # I47
    fax: Text | None = None  # I48
    accreditation_state: Text | None = None  # I51, accreditation member state
    accreditation_body: Text | None = None  # I52
    registration_number: Text | None = None  # I53


class GoodsLine(_Frozen):
    """A_InstData rows 62–71: an aggregated goods category (E) and its routes (I–N)."""

    category: GoodsCategory
    routes: Annotated[tuple[Route, ...], Field(max_length=MAX_GOOD_ROUTES)] = ()

    @model_validator(mode="after")
    def _routes(self) -> GoodsLine:
        _check_routes(self.category, self.routes, "goods category")
        return self


class Process(_Frozen):
    """A production process: A_InstData rows 83–92 (E category, F–K included categories, L name)
    and its block in D_Processes."""

    category: GoodsCategory
    included: Annotated[tuple[GoodsCategory | DirectOnly, ...], Field(max_length=MAX_INCLUDED)] = ()
    name: Text
    production: dict[Route, FiniteFloat] = {}  # (a) per route of the category, t
    market: Number = None  # (b)i produced for the market
    consumed_in: dict[ProcessNo, FiniteFloat] = {}  # (c) consumed in other processes
    non_cbam: Number = None  # (d) consumed for non-CBAM goods
    heat_applicable: bool | None = None  # (f) K
    waste_gas_applicable: bool | None = None  # (f) L
    direct_emissions: Number = None  # (g) DirEm*, tCO2e
    heat_imported: Number = None  # (h)i TJ
    heat_exported: Number = None
    heat_ef_imported: Number = None  # (h)ii tCO2/TJ
    heat_ef_exported: Number = None
    waste_gas_imported: Number = None  # (i)i TJ
    waste_gas_exported: Number = None
    waste_gas_ef_imported: Number = None  # (i)ii tCO2/TJ
    waste_gas_ef_exported: Number = None
    electricity: Number = None  # (j)i consumed, MWh
    electricity_ef: Number = None  # (j)ii tCO2/MWh
    electricity_ef_source: ElecSource | None = None  # (j)iii
    electricity_exported: Number = None  # (k)i MWh
    electricity_exported_ef: Number = None  # (k)ii tCO2/MWh

    @model_validator(mode="after")
    def _routes(self) -> Process:
        _check_routes(self.category, self.production, f"process {self.name!r}")
        return self


class Precursor(_Frozen):
    """A purchased precursor: A_InstData rows 102–121 (E category, F country code, G–K routes,
    L name) and its block in E_PurchPrec."""

    category: GoodsCategory
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2}$")] | None = None
    routes: Annotated[tuple[Route, ...], Field(max_length=MAX_PRECURSOR_ROUTES)] = ()
    name: Text | None = None
    purchased: dict[Route, FiniteFloat] = {}  # (a) per route of the category, t
    consumed_in: dict[ProcessNo, FiniteFloat] = {}  # (b) per production process, t
    other_use: Number = None  # (c) sold or used for non-CBAM goods
    see_direct: Number = None  # (e)i tCO2e/t
    see_direct_source: ValueSource | None = None
    electricity: Number = None  # (e)ii specific electricity consumption, MWh/t
    electricity_source: ValueSource | None = None
    electricity_ef: Number = None  # (e)iii tCO2/MWh
    electricity_ef_source: ElecSource | None = None
    default_justification: DefaultJustification | None = None  # (e)v

    @model_validator(mode="after")
    def _routes(self) -> Precursor:
        _check_routes(self.category, (*self.routes, *self.purchased), "purchased precursor")
        return self


class Product(_Frozen):
    """A row of Summary_Products (from row 10): the product, its qualifying parameters and the
    carbon price paid for it. The aggregated good (E, from the process), the CN name (G), SEE
    (I–K), units, covered emissions and the effective price due (AZ) are the template's
    formulas, computed where the file is opened."""

    process: ProcessNo  # D, by the process's number
    cn_code: Annotated[str, StringConstraints(pattern=r"^\d{4,8}$")] | None = None  # F
    name: Text | None = None  # H
    reducing_agent: ReducingAgent | None = None  # P
    steel_mill_id: Text | None = None  # Q
    mn: Number = None  # R % Mn
    cr: Number = None  # S % Cr
    ni: Number = None  # T % Ni
    other_alloys: Number = None  # U
    carbon: Number = None  # V % C
    scrap_per_t_steel: Number = None  # W
    other_materials: Number = None  # X
    pre_consumer_scrap: Number = None  # Y
    scrap_per_t_aluminium: Number = None  # Z
    non_aluminium: Number = None  # AA % non-aluminium elements
    clinker_factor: Number = None  # AB
    calcined: bool | None = None  # AC
    hydrous_concentration: Number = None  # AD
    nitric_acid: Number = None  # AE
    urea: Number = None  # AF
    n_total: Number = None  # AG
    n_ammonium: Number = None  # AH
    n_nitrate: Number = None  # AI
    n_urea: Number = None  # AJ
    n_other: Number = None  # AK
    carbon_price_type: CarbonPriceType | None = None  # AL
    carbon_price_share: Number = None  # AM share of embedded emissions covered
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None  # AP
    carbon_price_due: Number = None  # AR per t (MWh) of product
    rebate_type: RebateType | None = None  # AT
    rebate_share: Number = None  # AU
    rebate: Number = None  # AX per t (MWh) of product


class Quality(_Section):
    """C_Emissions&Energy: the total indirect emissions (M26, entered by hand) and the data
    quality information (H40–H42)."""

    indirect_emissions: Number = None
    data_quality: DataQuality | None = None
    default_justification: DefaultJustification | None = None
    verification: Verification | None = None


class Communication(_Frozen):
    """What one installation tells its importers for one reporting period."""

    period: ReportingPeriod
    installation: Installation
    verifier: Verifier | None = None
    goods: Annotated[tuple[GoodsLine, ...], Field(max_length=MAX_GOODS)] = ()
    processes: Annotated[tuple[Process, ...], Field(max_length=MAX_PROCESSES)] = ()
    precursors: Annotated[tuple[Precursor, ...], Field(max_length=MAX_PRECURSORS)] = ()
    products: Annotated[tuple[Product, ...], Field(max_length=MAX_PRODUCTS)] = ()
    quality: Quality | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Communication:
        categories = [g.category for g in self.goods]
        if len(set(categories)) != len(categories):
            raise ValueError("a goods category is listed twice")
        names = [p.name for p in self.processes]
        if len(set(names)) != len(names):
            raise ValueError("two production processes have one name")
        count = len(self.processes)
        for number, process in enumerate(self.processes, start=1):
            if process.category not in categories:
                raise ValueError(f"process {number}: {process.category.value!r} is not listed")
            for item in process.included:
                if item is not DirectOnly.ONLY_DIRECT and item not in categories:
                    raise ValueError(f"process {number}: {item.value!r} is not listed")
            for other in process.consumed_in:
                if other == number or other > count:
                    raise ValueError(f"process {number}: no other process {other}")
        for number, precursor in enumerate(self.precursors, start=1):
            if any(p > count for p in precursor.consumed_in):
                raise ValueError(f"purchased precursor {number}: consumed in a missing process")
        for number, product in enumerate(self.products, start=1):
            if product.process > count:
                raise ValueError(f"product {number}: no process {product.process}")
        return self

    def process_label(self, number: int) -> str:
        """The name by which the template lists process `number` (A_InstData column T)."""
        return self.processes[number - 1].name
