"""What a tonne of a good costs its EU importer in CBAM certificates: the embedded emissions
(actual SEE, or the default value marked up for the year), less the free-allocation
adjustment (the CBAM factor of the year x the cross-sectoral correction factor x the good's
benchmark), less the carbon price paid in the country of origin.

Sources (docs/notes/research22.md §3.4-3.9, all [F2]: read in implementers' transcriptions
that quote the acts):

- the default value's mark-up is applied to its total column (Impl. Reg. (EU) 2026/1740,
  Annex I opening); the Registry rounds, by a rule not read: `round_to` is the authority's
  parameter and no rounding is the default;
- certificates = tonnes x (SEE - CBAM_y x CSCF_y x BM) - the carbon-price deduction, with BM
  the benchmark's Column A for actual values and Column B for default values (Impl. Reg.
  (EU) 2025/2620); a negative difference is no obligation and no credit: the certificates
  are then 0 [D];
- the carbon-price deduction follows the Commission's draft implementing act on Art. 9
  (Ares(2026)4841230, not adopted): certificates deducted = the effective price paid per
  tonne of good / the reference price x the tonnes; the effective price is net of any free
  allocation or rebate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def marked_up(total: float, markup: float, round_to: int | None = None) -> float:
    """A default value's total increased by the year's mark-up (0.10 for +10 %), rounded
    half up to `round_to` decimals when the authority says so."""
    value = total * (1 + markup)
    if round_to is None:
        return value
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-round_to), ROUND_HALF_UP))


@dataclass(frozen=True)
class Obligation:
    """The certificates for `tonnes` of one good in one year, and how they were reached
    (tCO2e per tonne unless said)."""

    tonnes: float
    see: float
    values: str  # actual | default
    cbam_factor: float
    cscf: float
    benchmark: float
    free_allocation: float  # CBAM_y x CSCF_y x BM
    embedded_t: float
    adjustment_t: float
    price_deduction: float  # certificates
    certificates: float

    def cost(self, certificate_price: float) -> float:
        """The certificates at a price (EUR per certificate)."""
        return self.certificates * certificate_price


def obligation(
    tonnes: float,
    see: float,
    values: str,
    cbam_factor: float,
    cscf: float,
    benchmark: float,
    price_deduction: float = 0.0,
) -> Obligation:
    """Certificates = tonnes x (SEE - CBAM_y x CSCF_y x BM) - the price deduction, not below 0.
    `see` is the actual SEE the period counts or the marked-up default value; `benchmark` the
    Column A value for actual values, Column B for default values."""
    if values not in ("actual", "default"):
        raise ValueError(f"values {values!r}: actual or default")
    if tonnes < 0 or price_deduction < 0:
        raise ValueError("tonnes and the price deduction cannot be negative")
    free = cbam_factor * cscf * benchmark
    embedded_t = tonnes * see
    adjustment = tonnes * free
    due = max(0.0, embedded_t - adjustment - price_deduction)
    return Obligation(
        tonnes,
        see,
        values,
        cbam_factor,
        cscf,
        benchmark,
        free,
        embedded_t,
        adjustment,
        price_deduction,
        due,
    )


def price_deduction(effective_price_per_t: float, reference_price: float, tonnes: float) -> float:
    """Certificates deducted for the carbon price paid (the draft act's Art. 6(1)): the
    effective price paid per tonne of good (net of free allocation and rebates, in EUR) /
    the reference price (the year's average certificate price) x the tonnes."""
    if reference_price <= 0:
        raise ValueError("the reference price must be positive")
    return max(0.0, effective_price_per_t) / reference_price * tonnes
