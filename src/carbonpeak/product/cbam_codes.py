"""The code lists of the EU CBAM communication template for installations (v2.1.1, 2024-12-13).

Each value is the template's own English text, as its hidden sheet `Parameters_Constants` holds
it (rows 15, 42–46, 58, 69 and the goods table in rows 89–106) and its drop-down lists offer it:
the template's formulas MATCH these texts, so they are kept byte for byte ("Calcined clays " with
its trailing space, "Sintered Ore" with a capital O). Source and reading: docs/notes/research22.md
§2.4–2.5; the workbook is vendored in product/templates/.

The limits (10 goods categories, 10 production processes, 20 purchased precursors, 100 product
rows) are the template's own number of input rows.
"""

from __future__ import annotations

from enum import StrEnum

MAX_GOODS = 10  # A_InstData rows 62–71 (G1–G10)
MAX_PROCESSES = 10  # A_InstData rows 83–92 (P1–P10); D_Processes has 10 blocks
MAX_PRECURSORS = 20  # A_InstData rows 102–121 (PP1–PP20); E_PurchPrec has 20 blocks
MAX_PRODUCTS = 100  # Summary_Products rows 10–109
MAX_GOOD_ROUTES = 6  # A_InstData I–N
MAX_PRECURSOR_ROUTES = 5  # A_InstData G–K
MAX_INCLUDED = 6  # A_InstData F–K of a production process


class GoodsCategory(StrEnum):
    """`CONST_LIST_Goods` (Parameters_Constants A89:A106): the aggregated goods categories."""

    CEMENT = "Cement"
    CEMENT_CLINKER = "Cement clinker"
    CALCINED_CLAYS = "Calcined clays "
    ALUMINOUS_CEMENT = "Aluminous cement"
    IRON_STEEL_PRODUCTS = "Iron or steel products"
    CRUDE_STEEL = "Crude steel"
    DRI = "Direct reduced iron"
    PIG_IRON = "Pig iron"
    ALLOYS = "Alloys (FeMn, FeCr, FeNi)"
    SINTERED_ORE = "Sintered Ore"
    HYDROGEN = "Hydrogen"
    AMMONIA = "Ammonia"
    NITRIC_ACID = "Nitric acid"
    UREA = "Urea"
    MIXED_FERTILISERS = "Mixed fertilisers"
    ALUMINIUM_PRODUCTS = "Aluminium products"
    UNWROUGHT_ALUMINIUM = "Unwrought aluminium"
    ELECTRICITY = "Electricity (export to EU)"


class Route(StrEnum):
    """The production routes of `CONST_MATRIX_ProductionRoute` (Parameters_Constants G89:P106)."""

    ALL = "All production routes"
    BOF = "Basic oxygen steelmaking"
    EAF = "Electric arc furnace"
    BLAST_FURNACE = "Blast furnace route"
    SMELTING_REDUCTION = "Smelting reduction"
    STEAM_REFORMING = "Steam reforming and partial oxidation"
    WATER_ELECTROLYSIS = "Electrolysis of water"
    CHLOR_ALKALI = "Chlor-Alkali electrolysis and production of chlorates"
    HABER_BOSCH_REFORMING = "Haber-Bosch process with steam reforming of natural gas or biogas"
    HABER_BOSCH_GASIFICATION = "Haber-Bosch process with gasification of coal or other fuels"
    PRIMARY_SMELTING = "Primary (electrolytic) smelting"
    SECONDARY_MELTING = "Secondary melting (recycling)"
    OTHER = "Other production routes"
    UNKNOWN = "Unknown production routes"


_TAIL = (Route.OTHER, Route.UNKNOWN)

# The routes of each category in the template's column order: D_Processes and E_PurchPrec give
# the n-th route its n-th row (production levels L+5…, purchased amounts L+3…).
ROUTES: dict[GoodsCategory, tuple[Route, ...]] = {
    category: (Route.ALL,) for category in GoodsCategory
} | {
    GoodsCategory.CRUDE_STEEL: (Route.BOF, Route.EAF, *_TAIL),
    GoodsCategory.PIG_IRON: (Route.BLAST_FURNACE, Route.SMELTING_REDUCTION, *_TAIL),
    GoodsCategory.HYDROGEN: (
        Route.STEAM_REFORMING,
        Route.WATER_ELECTROLYSIS,
        Route.CHLOR_ALKALI,
        *_TAIL,
    ),
    GoodsCategory.AMMONIA: (Route.HABER_BOSCH_REFORMING, Route.HABER_BOSCH_GASIFICATION, *_TAIL),
    GoodsCategory.UNWROUGHT_ALUMINIUM: (Route.PRIMARY_SMELTING, Route.SECONDARY_MELTING, *_TAIL),
}


class DirectOnly(StrEnum):
    """`CONST_OnlyDirProd`: a production process that includes only its own direct production."""

    ONLY_DIRECT = "Only direct production"


class ElecSource(StrEnum):
    """`CONST_ElecSource`: where an electricity emission factor comes from (meanings in the
    template's G_FurtherGuidance F141:G147)."""

    IEA_COMMISSION = "D.4(a)"  # IEA-based factor supplied by the Commission
    OTHER_PUBLIC = "D.4(b)"  # other public data
    OWN_GENERATION = "D.4.1"
    OWN_CHP = "D.4.2"
    DIRECT_LINK = "D.4.3.1"  # direct technical link
    PPA = "D.4.3.2"  # power purchase agreement
    MIX = "Mix"


class ValueSource(StrEnum):
    """`CONST_MeasDefaultUnknown`: the source of a purchased precursor's SEE."""

    MEASURED = "Measured"
    DEFAULT = "Default"
    UNKNOWN = "Unknown"


class DefaultJustification(StrEnum):
    """`CONST_DataQualityJustification`: why default values were used."""

    UNREASONABLE_COSTS = "Unreasonable costs for more accurate monitoring"
    DATA_GAPS = "Data gaps"
    OTHER = "Other"


class DataQuality(StrEnum):
    """`CONST_DataQuality` (C_Emissions&Energy H40)."""

    MEASUREMENTS = "Mostly measurements & analyses"
    NATIONAL_FACTORS = (
        "Mostly measurements & national standard factors for e.g. the emission factor"
    )
    SECTOR_FACTORS = (
        "Mostly measurements & sector-specific standard factors for e.g. the emission factor"
    )
    INTERNATIONAL_FACTORS = (
        "Mostly measurements & international standard factors for e.g. the emission factor"
    )
    COMMISSION_DEFAULTS = "Mostly default values provided by the European Commission"


class Verification(StrEnum):
    """`CONST_DataVerification` (C_Emissions&Energy H42)."""

    THIRD_PARTY = "Third-party verification"
    INTERNAL_AUDITS = "Internal audits"
    FOUR_EYES = "Four eyes principle"
    NONE = "None"


class ReducingAgent(StrEnum):
    """`CONST_ReducingAgent` (Summary_Products P)."""

    COAL_COKE = "Coal or coke"
    NATURAL_GAS = "Natural gas"
    BIOGAS = "Biogas"
    HYDROGEN = "Hydrogen"


class CarbonPriceType(StrEnum):
    """`CONST_CarbonPriceType` (Summary_Products AL)."""

    NONE = "None"
    TAX = "Carbon Tax"
    LEVY = "Carbon Levy"
    FEE = "Carbon Fee"
    NATIONAL_ETS = "National Emissions Trading System"
    REGIONAL_ETS = "Regional Emissions Trading System"
    COMBINATION = "Combination"
    OTHER = "Other"


class RebateType(StrEnum):
    """`CONST_RebateType` (Summary_Products AT)."""

    NONE = "None"
    FREE_ALLOCATION = "Free allocation"
    FINANCIAL_COMPENSATION = "Financial compensation"
    TAX_DEDUCTION = "Tax deduction"
    COMBINATION = "Combination"
    OTHER = "Other"
