"""Reference parameters of the accounting methods, resolved once per item, period and region.

The engine never looks a factor up per activity row: it asks this module for each distinct
(item, period), (province, year) or (item) it meets, then indexes the answers with NumPy. Every
answer carries the id of the reference row it came from, in a registry of provenances that
results cite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from carbonpeak.domain.units import conversion_factor
from carbonpeak.reference.loader import Provenance, Reference, ReferenceLookupError, Value

MEASURED = -2  # a reference id meaning "measured value from the input"
NONE = -1  # no parameter used


def _years(start: date | None, end: date | None, wanted: int) -> set[int]:
    """Data years a validity range covers; an open end covers the year wanted."""
    first = start.year if start else wanted
    last = (end - timedelta(days=1)).year if end else max(wanted, first)
    return set(range(first, last + 1))


def period_end(period: str) -> date:
    """The last day of a `YYYY` or `YYYY-MM` period: rules are taken as in force then."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 12, 31)
    month = int(period[5:7])
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


@dataclass
class Registry:
    """The reference rows used by a run; lines cite them by index."""

    provenances: list[Provenance] = field(default_factory=list)
    _ids: dict[tuple[str, int, str], int] = field(default_factory=dict)

    def add(self, value: Value) -> int:
        key = (value.provenance.table, value.provenance.line, value.provenance.column)
        if key not in self._ids:
            self._ids[key] = len(self.provenances)
            self.provenances.append(value.provenance)
        return self._ids[key]


@dataclass(frozen=True)
class Param:
    """A resolved parameter: value in the engine's unit and the reference id."""

    value: float
    ref: int
    note: str = ""


class Parameters:
    """Cached look-ups of everything the accounting methods need."""

    def __init__(self, reference: Reference, registry: Registry):
        self.ref = reference
        self.registry = registry
        self.items = {str(r["item"]): r for r in reference.rows("items")}

    def default_unit(self, item: str) -> str:
        return str(self.items[item]["default_unit"])

    def _param(self, value: Value, unit: str) -> Param:
        return Param(value.to(unit), self.registry.add(value))

    def constant(self, name: str) -> Param:
        value = self.ref.lookup("constants", constant=name)
        return Param(value.value, self.registry.add(value))

    def coefficient(self, item: str, method: str, on: date) -> Param:
        """Standard-coal coefficient in tce per default unit of the item."""
        unit = f"tce/({self.default_unit(item)})"
        # Certified green power is electricity for GB/T 2589; only its emissions differ.
        item = "electricity" if item == "green_electricity" else item
        if method == "coal" and not self.ref.rows(
            "standard_coal_coefficients", item=item, method="coal"
        ):
            method = "equivalent"
        value = self.ref.lookup(
            "standard_coal_coefficients", "coefficient", as_of=on, item=item, method=method
        )
        return self._param(value, unit)

    def fuel_parameter(self, item: str, parameter: str, sets: tuple[str, ...]) -> Param | None:
        """Default NCV (GJ per default unit), carbon content (tC/GJ) or oxidation rate."""
        unit = {
            "ncv": f"GJ/({self.default_unit(item)})",
            "carbon_content": "tC/GJ",
            "oxidation_rate": "dimensionless",
        }[parameter]
        for position, parameter_set in enumerate(sets):
            if self.ref.rows(
                "fuel_parameters", parameter_set=parameter_set, item=item, parameter=parameter
            ):
                value = self.ref.lookup(
                    "fuel_parameters", parameter_set=parameter_set, item=item, parameter=parameter
                )
                note = "" if position == 0 else parameter_set
                return Param(value.to(unit), self.registry.add(value), note)
        return None

    def process_factor(self, item: str, bases: tuple[str, ...]) -> Param | None:
        """Process CO2 factor in tCO2 per default unit of the item."""
        unit = f"tCO2/({self.default_unit(item)})"
        for basis in bases:
            if self.ref.rows("process_emission_factors", item=item, basis=basis):
                value = self.ref.lookup("process_emission_factors", item=item, basis=basis)
                return Param(value.to(unit), self.registry.add(value), basis)
        return None

    def process_parameter(self, process: str, parameter: str) -> Param:
        value = self.ref.lookup("process_parameters", process=process, parameter=parameter)
        return Param(value.value, self.registry.add(value))

    def gas_factor(self, item: str, gas: str, basis: str = "guideline_2013") -> Param:
        """Non-CO2 gas per default unit of the product, in t gas per default unit."""
        value = self.ref.lookup("gas_emission_factors", item=item, gas=gas, basis=basis)
        return self._param(value, f"t/({self.default_unit(item)})")

    def gas_basis(self, item: str, bases: tuple[str, ...]) -> str | None:
        """The first of `bases` with non-CO2 gas factors of `item`; else the 2013 guidelines'
        when the run reads them (whose lookup then names what is missing), else None: a
        market guideline's basis without the factors is not filled in from another basis."""
        for basis in bases:
            if self.ref.rows("gas_emission_factors", item=item, basis=basis):
                return basis
        return "guideline_2013" if "guideline_2013" in bases else None

    def gwp(self, gwp_set: str, gas: str) -> Param:
        value = self.ref.lookup("gwp", gwp_set=gwp_set, gas=gas.upper())
        return Param(value.value, self.registry.add(value))

    def heat_factor(self) -> Param:
        return self._param(self.ref.lookup("heat_emission_factors", kind="default"), "tCO2/GJ")

    def grid_factor(self, areas: tuple[str, ...], kind: str, year: int) -> tuple[Param, str, int]:
        """The grid factor (tCO2/kWh) of the first area with one, for `year` or the nearest
        year that has one; returns the area and the year used."""
        # The year asked for if any area has it, else the nearest year any area has (the
        # caller warns); in that year, the most specific area that has a factor.
        years: set[int] = set()
        for area in areas:
            rows = self.ref.rows("grid_emission_factors", area=area, kind=kind)
            years |= {y for r in rows for y in _years(r.valid_from, r.valid_to, year)}
        if not years:
            raise ReferenceLookupError(
                f"no grid emission factor of kind {kind} for {', '.join(areas)}"
            )
        chosen = min(years, key=lambda y: (abs(y - year), -y))
        on = date(chosen, 7, 1)
        for area in areas:
            if self.ref.rows("grid_emission_factors", as_of=on, area=area, kind=kind):
                value = self.ref.lookup("grid_emission_factors", as_of=on, area=area, kind=kind)
                return self._param(value, "tCO2/kWh"), area, chosen
        raise ReferenceLookupError(f"no grid emission factor of kind {kind} for {', '.join(areas)}")

    def uncertainty(self, quantity: str, tier: str, item: str = "*") -> Param | None:
        """Relative uncertainty (fraction, 95% half-width) of a quantity at a data tier, for
        the item or else for any item (`*`); None where no source gives one."""
        for candidate in (item, "*"):
            if self.ref.rows("uncertainty_defaults", quantity=quantity, tier=tier, item=candidate):
                value = self.ref.lookup(
                    "uncertainty_defaults", quantity=quantity, tier=tier, item=candidate
                )
                return Param(value.to("dimensionless"), self.registry.add(value))
        return None

    def unit_factor(self, unit: str, target: str) -> float:
        return conversion_factor(unit, target)
