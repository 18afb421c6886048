"""The installation's emissions by source stream, as the EU CBAM communication template for
installations (v2.1.1, sheet `B_EmInst`) computes them: combustion, process emissions, mass
balance, the PFCs of primary aluminium by the slope method, and measurement (CEMS); the
emission factor of heat from a boiler's fuel and efficiency (`G_FurtherGuidance`).

Each formula is the template's own (docs/notes/research22.md §2.6, read in the workbook; the
tests reproduce its worked examples to the last printed digit). Percentages are entered as
the template enters them (oxidation 100 for 100 %), fractions where the template uses
fractions (the collection efficiency 0.98). A stream's CO2 splits into fossil and biomass by
its biomass share; only the fossil part counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Method(StrEnum):
    """A source stream's monitoring approach (the template's `CONST_MonitoringApproach`)."""

    combustion = "combustion"
    process = "process"
    mass_balance = "mass_balance"


@dataclass(frozen=True)
class Stream:
    """One source stream of `B_EmInst` (rows 17-91). `activity` in t (or 1000 Nm3), negative
    for carbon leaving in a mass balance; `ncv` GJ per unit (combustion); `factor` tCO2/TJ
    (combustion) or tCO2 per unit (process); `carbon` tC per unit (mass balance);
    `oxidation` and `conversion` and `biomass` in percent."""

    name: str
    method: Method
    activity: float
    ncv: float | None = None
    factor: float | None = None
    carbon: float | None = None
    oxidation: float = 100.0
    conversion: float = 100.0
    biomass: float = 0.0


@dataclass(frozen=True)
class StreamEmissions:
    """A stream's energy (TJ, combustion only) and CO2 (t), fossil and biogenic."""

    name: str
    method: Method
    energy_tj: float | None
    fossil_co2_t: float
    biogenic_co2_t: float


def stream_emissions(stream: Stream, carbon_to_co2: float) -> StreamEmissions:
    """The template's formula for the stream's method:

    - combustion: AD x NCV / 1000 x EF x OxF (energy AD x NCV / 1000 TJ);
    - process: AD x EF x ConvF;
    - mass balance: AD x C x `carbon_to_co2` (the template's own factor, not 44/12: the
      reference's `cbam_parameters`, `product.cbam.carbon_to_co2`);

    each split by the biomass share (fossil x (1 - bio), biogenic x bio)."""
    energy = None
    if stream.method is Method.combustion:
        energy = stream.activity * _given(stream.ncv, stream, "ncv") / 1000
        co2 = energy * _given(stream.factor, stream, "factor") * stream.oxidation / 100
    elif stream.method is Method.process:
        co2 = stream.activity * _given(stream.factor, stream, "factor") * stream.conversion / 100
    else:
        co2 = stream.activity * _given(stream.carbon, stream, "carbon") * carbon_to_co2
    bio = stream.biomass / 100
    return StreamEmissions(stream.name, stream.method, energy, co2 * (1 - bio), co2 * bio)


def _given(value: float | None, stream: Stream, field: str) -> float:
    if value is None:
        raise ValueError(f"source stream {stream.name!r} ({stream.method}) needs its {field}")
    return value


@dataclass(frozen=True)
class PfcSlope:
    """Anode effects of primary aluminium by the slope method (B_EmInst rows 98-107): the
    aluminium produced (t), the anode-effect frequency (per cell-day) and duration (minutes),
    the slope emission factor of CF4 ((t CF4/t Al)/(AE-minutes/cell-day)), the weight
    fraction of C2F6 to CF4, and the collection efficiency (a fraction)."""

    aluminium_t: float
    frequency: float
    duration: float
    slope: float
    c2f6_fraction: float
    collection: float


@dataclass(frozen=True)
class PfcEmissions:
    cf4_t: float
    c2f6_t: float
    co2e_t: float


def pfc_slope(pfc: PfcSlope, gwp_cf4: float, gwp_c2f6: float) -> PfcEmissions:
    """CF4 = AD x frequency x duration x SEF / 1000; C2F6 = CF4 x F(C2F6); CO2e = (CF4 x
    GWP(CF4) + C2F6 x GWP(C2F6)) / collection efficiency (the template's formulas; AR5 GWPs
    6 630 and 11 100 there)."""
    if not 0 < pfc.collection <= 1:
        raise ValueError(f"collection efficiency {pfc.collection} is not in (0, 1]")
    cf4 = pfc.aluminium_t * pfc.frequency * pfc.duration * pfc.slope / 1000
    c2f6 = cf4 * pfc.c2f6_fraction
    return PfcEmissions(cf4, c2f6, (cf4 * gwp_cf4 + c2f6 * gwp_c2f6) / pfc.collection)


@dataclass(frozen=True)
class Measured:
    """A continuously measured stack (CEMS, B_EmInst rows 113-122): the hourly average
    concentration (g/Nm3), the operating hours, the flue-gas flow (1000 Nm3/h), the gas's
    GWP (1 for CO2) and its biomass share (percent)."""

    concentration: float
    hours: float
    flow: float
    gwp: float = 1.0
    biomass: float = 0.0


@dataclass(frozen=True)
class MeasuredEmissions:
    gas_t: float
    fossil_co2e_t: float
    biogenic_co2e_t: float


def measured(stack: Measured) -> MeasuredEmissions:
    """Gas = concentration x hours x flow / 1000 (t); CO2e = gas x GWP, split by biomass."""
    gas = stack.concentration * stack.hours * stack.flow / 1000
    co2e = gas * stack.gwp
    bio = stack.biomass / 100
    return MeasuredEmissions(gas, co2e * (1 - bio), co2e * bio)


def heat_factor(fuel_factor: float, efficiency: float) -> float:
    """The emission factor of measurable heat from a boiler: the fuel's factor (tCO2/TJ of
    fuel) divided by the boiler's efficiency (G_FurtherGuidance: 96 / 0.9 = 106.67)."""
    if not 0 < efficiency <= 1:
        raise ValueError(f"boiler efficiency {efficiency} is not in (0, 1]")
    return fuel_factor / efficiency
