"""A plant's diagnosis from its file (YAML or JSON): every piece of equipment through its
calculator, each proposed measure's energy (tce) and CO2 by the accounting engine (the same
factors as the plant's accounts: the grid factor of its province and year), its cost saving at
the plant's prices, its economics and the MAC curve.

Impossible physics (an efficiency above 1, a load above the rating, a negative flow), unknown
equipment types and missing prices are refused by field before anything is computed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from carbonpeak.diagnosis import equipment as calc
from carbonpeak.diagnosis.economics import economics, mac_curve
from carbonpeak.diagnosis.management import Answer, MeterCount, checklist, metering
from carbonpeak.domain.schema import NotBool, Real, Whole
from carbonpeak.domain.units import convert
from carbonpeak.domain.warnings import records, warn
from carbonpeak.errors import N_, CarbonpeakError, InputError, Place, Problem
from carbonpeak.reference.loader import Reference

HOURS_A_YEAR = 8784  # a leap year: no equipment runs more hours a year

Fraction = Annotated[Real, Field(gt=0, le=1)]
Positive = Annotated[Real, Field(gt=0)]
Hours = Annotated[Real, Field(gt=0, le=HOURS_A_YEAR)]
Money = Annotated[Real, Field(ge=0)]
Years = Annotated[Real, Field(gt=0, le=100)]
Celsius = Annotated[Real, Field(ge=-273.15, le=2000)]  # absolute zero; 2000: a plausibility bound


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    lifetime_years: Years | None = None


class Motor(_Item):
    type: Literal["motor"]
    rated_kw: Positive
    poles: Annotated[Literal[2, 4, 6, 8], NotBool]
    load: Fraction = Field(description="output over rated power (above 1: overloaded)")
    hours: Hours
    efficiency: Fraction | None = None
    target_grade: Annotated[Literal[1, 2, 3], NotBool] = 1
    replacement_cost: Money | None = None


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    flow: Annotated[Real, Field(gt=0, le=1)] = Field(description="flow over rated flow")
    hours: Hours


def _year_of_steps(profile: list[Step]) -> None:
    if sum(step.hours for step in profile) > HOURS_A_YEAR:
        raise ValueError(f"the profile's hours add up to more than a year ({HOURS_A_YEAR} h)")


class Pump(_Item):
    type: Literal["pump"]

    @model_validator(mode="after")
    def _profile(self) -> Pump:
        _year_of_steps(self.profile)
        return self

    rated_flow_m3h: Positive
    rated_head_m: Positive
    shutoff_head_m: Positive
    static_head_m: Annotated[Real, Field(ge=0)]
    efficiency: Fraction
    motor_efficiency: Fraction
    profile: list[Step] = Field(min_length=1)
    drive_cost: Money | None = None
    pump_type: (
        Literal[
            "single_suction",
            "double_suction",
            "inline",
            "multistage",
            "light_vertical_multistage",
            "light_horizontal_multistage",
        ]
        | None
    ) = Field(default=None, description="clean-water pump type of GB 19762-2025, to grade it")
    speed_rpm: Annotated[Real, Field(gt=0, le=10_000)] | None = None
    stages: Annotated[Whole, Field(ge=1, le=30)] = 1


class Fan(_Item):
    type: Literal["fan"]

    @model_validator(mode="after")
    def _profile(self) -> Fan:
        _year_of_steps(self.profile)
        return self

    rated_flow_m3h: Positive
    rated_pressure_pa: Positive
    shutoff_pressure_pa: Positive
    static_pressure_pa: Annotated[Real, Field(ge=0)]
    efficiency: Fraction
    motor_efficiency: Fraction
    profile: list[Step] = Field(min_length=1)
    drive_cost: Money | None = None


class Transformer(_Item):
    type: Literal["transformer"]
    kind: Literal["oil_immersed", "dry"]
    core: Literal["electrical_steel", "amorphous"]
    connection: str = "none"
    insulation: str = "none"
    rated_kva: Positive
    no_load_loss_kw: Positive
    load_loss_kw: Positive
    load_factor: Fraction
    hours_energised: Hours = 8760
    target_grade: Annotated[Literal[1, 2, 3], NotBool] = 1
    target_core: Literal["electrical_steel", "amorphous"] | None = None
    replacement_cost: Money | None = None


class Leak(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    diameter_mm: Annotated[Real, Field(gt=0, le=50)]
    count: Annotated[Whole, Field(ge=1)] = 1


class Compressor(_Item):
    type: Literal["compressor"]
    rated_kw: Positive
    pressure_mpa: Annotated[Real, Field(gt=0, le=4)]
    cooling: Literal["air", "liquid"]
    input_kw: Positive
    free_air_m3min: Positive
    hours: Hours
    leaks: list[Leak] = Field(default_factory=list)
    pressure_reduction_kpa: Annotated[Real, Field(ge=0)] = 0.0
    leak_repair_cost: Money | None = None

    @model_validator(mode="after")
    def _rating(self) -> Compressor:
        if self.input_kw > 1.25 * self.rated_kw:
            raise ValueError("input_kw is more than 1.25 x rated_kw: above its rating")
        if self.pressure_reduction_kpa >= self.pressure_mpa * 1000:
            raise ValueError("pressure_reduction_kpa is not below the discharge pressure")
        return self


class Boiler(_Item):
    type: Literal["boiler"]
    fuel: str
    fuel_use: Positive
    fuel_unit: str
    flue_temperature_c: Celsius
    air_temperature_c: Celsius
    o2_pct: Annotated[Real, Field(ge=0, lt=21)]
    target_o2_pct: Annotated[Real, Field(ge=0, lt=21)] | None = None
    siegert_a2: Positive = Field(description="fuel constant A2 of the Siegert stack loss")
    siegert_b: Annotated[Real, Field(ge=0)] = Field(description="fuel constant B")
    other_losses_pct: Annotated[Real, Field(ge=0, lt=100)]
    co_ppm: Annotated[Real, Field(ge=0)] | None = None
    co2_pct: Positive | None = None
    tuning_cost: Money | None = None
    grade_fuel: str | None = Field(
        default=None, description="chamber-fired fuel for GB 24500-2020 (e.g. oil)"
    )

    @model_validator(mode="after")
    def _temperatures(self) -> Boiler:
        if self.flue_temperature_c <= self.air_temperature_c:
            raise ValueError("flue_temperature_c must be above air_temperature_c")
        return self


class WasteHeat(_Item):
    type: Literal["waste_heat"]
    fuel: str = Field(description="the fuel the recovered heat displaces")
    fuel_unit: str
    flow_kg_h: Positive
    heat_capacity_kj_kgk: Positive
    inlet_c: Celsius
    outlet_c: Celsius
    hours: Hours
    boiler_efficiency: Fraction
    capital_cost: Money | None = None


Equipment = Annotated[
    Motor | Pump | Fan | Transformer | Compressor | Boiler | WasteHeat,
    Field(discriminator="type"),
]


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    price: Annotated[Real, Field(ge=0)] = Field(description="yuan per unit")
    unit: str


class ProcessCost(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    capital_cost: Money
    lifetime_years: Years


class PlantFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    enterprise_id: str
    name: str = ""
    region_code: str
    year: Whole = Field(ge=2005, le=2100)
    discount_rate: Annotated[Real, Field(ge=0, le=1)] = 0.08
    prices: dict[str, Price]
    equipment: list[Equipment] = Field(default_factory=list)
    activity: str | None = Field(
        default=None, description="the plant's activity table (CSV/XLSX), for the process gaps"
    )
    process_costs: dict[str, ProcessCost] = Field(
        default_factory=dict, description="by efficiency area: the cost of reaching the benchmark"
    )
    management: dict[str, Answer] = Field(
        default_factory=dict, description="ISO 50001 / GB/T 23331 clause: yes, partly or no"
    )
    meters: list[MeterCount] = Field(default_factory=list)
    diagnosis_date: date | None = Field(
        default=None,
        description="the day of the diagnosis: the metering rates in force then apply "
        "(default: the last day of `year`)",
    )

    @field_validator("management", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: Any) -> Any:
        """YAML reads a bare yes / no as true / false: take them back."""
        if isinstance(value, dict):
            return {
                str(k): ({True: "yes", False: "no"}[v] if isinstance(v, bool) else v)
                for k, v in value.items()
            }
        return value

    @model_validator(mode="after")
    def _ids(self) -> PlantFile:
        ids = [e.id for e in self.equipment]
        if len(ids) != len(set(ids)):
            raise ValueError("equipment ids must be unique")
        return self


def parse(data: Any) -> PlantFile:
    """The plant file; `InputError` naming every wrong field (equipment.3.efficiency, ...)."""
    try:
        return PlantFile.model_validate(data)
    except ValidationError as error:
        raise InputError(
            [
                Problem(Place(field=".".join(str(p) for p in e["loc"])), e["msg"])
                for e in error.errors()
            ]
        ) from None


def _findings(plant: PlantFile, reference: Reference) -> list[tuple[int, calc.Finding]]:
    out = []
    problems: list[Problem] = []
    for index, item in enumerate(plant.equipment):
        try:
            out.append((index, _one(item, reference, plant)))
        except InputError as error:
            problems += [
                Problem(
                    Place(field=f"equipment.{index}.{p.place.field or ''}".rstrip(".")), p.message
                )
                for p in error.problems
            ]
    if problems:
        raise InputError(problems)
    return out


def _ncv(reference: Reference, plant: PlantFile, fuel: str, unit: str) -> float:
    """GJ per unit of a fuel, by the accounting engine (its calorific value)."""
    table = _activity(plant, [(fuel, 1.0, unit)])
    lines = _account(plant, table, reference)
    return convert(float(lines["energy_tce"].iloc[0]), "tce", "GJ")


RISE_FIELDS = {
    "pump": {"rated_rise": "rated_head_m"},
    "fan": {"rated_rise": "rated_pressure_pa"},
}


def _one(item: Any, reference: Reference, plant: PlantFile) -> calc.Finding:
    try:
        return _calculate(item, reference, plant)
    except InputError as error:
        names = RISE_FIELDS.get(item.type, {})
        raise InputError(
            [
                Problem(Place(field=names.get(p.place.field or "", p.place.field)), p.message)
                for p in error.problems
            ]
        ) from None


def _calculate(item: Any, reference: Reference, plant: PlantFile) -> calc.Finding:
    life = item.lifetime_years
    if isinstance(item, Motor):
        return calc.motor(
            reference,
            item.id,
            item.rated_kw,
            item.poles,
            item.load,
            item.hours,
            item.efficiency,
            item.target_grade,
            item.replacement_cost,
            life,
        )
    if isinstance(item, Pump | Fan):
        pump = isinstance(item, Pump)
        return calc.fluid_system(
            reference,
            item.id,
            "pump" if pump else "fan",
            item.rated_flow_m3h,
            item.rated_head_m if isinstance(item, Pump) else item.rated_pressure_pa,
            item.shutoff_head_m if isinstance(item, Pump) else item.shutoff_pressure_pa,
            item.static_head_m if isinstance(item, Pump) else item.static_pressure_pa,
            item.efficiency,
            item.motor_efficiency,
            [(s.flow, s.hours) for s in item.profile],
            item.drive_cost,
            life,
            item.pump_type if isinstance(item, Pump) else None,
            item.speed_rpm if isinstance(item, Pump) else None,
            item.stages if isinstance(item, Pump) else 1,
        )
    if isinstance(item, Transformer):
        return calc.transformer(
            reference,
            item.id,
            item.kind,
            item.core,
            item.connection,
            item.insulation,
            item.rated_kva,
            item.no_load_loss_kw,
            item.load_loss_kw,
            item.load_factor,
            item.hours_energised,
            item.target_grade,
            item.target_core,
            item.replacement_cost,
            life,
        )
    if isinstance(item, Compressor):
        return calc.compressor(
            reference,
            item.id,
            item.rated_kw,
            item.pressure_mpa,
            item.cooling,
            item.input_kw,
            item.free_air_m3min,
            item.hours,
            [(leak.diameter_mm, leak.count) for leak in item.leaks],
            item.pressure_reduction_kpa,
            item.leak_repair_cost,
            life,
        )
    if isinstance(item, Boiler):
        return calc.boiler(
            reference,
            item.id,
            item.fuel,
            item.fuel_use,
            item.fuel_unit,
            item.flue_temperature_c,
            item.air_temperature_c,
            item.o2_pct,
            item.siegert_a2,
            item.siegert_b,
            item.other_losses_pct,
            item.target_o2_pct,
            item.co_ppm,
            item.co2_pct,
            item.tuning_cost,
            life,
            item.grade_fuel,
        )
    assert isinstance(item, WasteHeat)
    return calc.waste_heat(
        reference,
        item.id,
        item.fuel,
        item.flow_kg_h,
        item.heat_capacity_kj_kgk,
        item.inlet_c,
        item.outlet_c,
        item.hours,
        item.boiler_efficiency,
        _ncv(reference, plant, item.fuel, item.fuel_unit),
        item.fuel_unit,
        item.capital_cost,
        life,
    )


def _activity(plant: PlantFile, savings: list[tuple[str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "enterprise_id": plant.enterprise_id,
                "period": str(plant.year),
                "stream": "electricity" if item == "electricity" else "fuel",
                "item": item,
                "direction": "in",
                "amount": repr(float(amount)),
                "unit": unit,
            }
            for item, amount, unit in savings
        ]
    )


def _account(plant: PlantFile, table: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    from carbonpeak.accounting.engine import account

    enterprises = pd.DataFrame(
        [{"enterprise_id": plant.enterprise_id, "region_code": plant.region_code}]
    )
    try:
        return account(table, enterprises, reference=reference).lines
    except InputError as error:
        raise InputError(
            [
                Problem(Place(field="equipment"), f"the savings could not be accounted: {p}")
                for p in error.problems
            ]
        ) from None


def _said(phrase: calc.Phrase) -> dict[str, Any]:
    """A measure's description in English, and its template and values for the pages and
    reports that say it in the reader's language."""
    return {
        "description": str(phrase),
        "description_text": phrase.text,
        "description_values": phrase.values,
    }


def process_gaps(
    plant: PlantFile, activity: pd.DataFrame, reference: Reference
) -> list[dict[str, Any]]:
    """Each product of the plant's year against its national benchmark level (the benchmarking
    engine): the energy and CO2 it would save at the benchmark, as measures; priced with the
    plant's `tce` price, costed with `process_costs` where given."""
    from carbonpeak.benchmarking.grades import grade

    mine = activity[
        (activity["enterprise_id"].astype(str) == plant.enterprise_id)
        & (activity["period"].astype(str).str[:4] == str(plant.year))
    ]
    if mine.empty:
        raise InputError(
            [
                Problem(
                    Place(field="activity"),
                    f"no rows of {plant.enterprise_id} in {plant.year}",
                )
            ]
        )
    enterprises = pd.DataFrame(
        [{"enterprise_id": plant.enterprise_id, "region_code": plant.region_code}]
    )
    table = grade(mine, enterprises, reference).table
    out = []
    for row in table.to_dict("records"):
        tce = float(row["saving_potential_tce"] or 0.0)
        if not tce > 0:
            continue
        area = str(row["area"])
        price = plant.prices.get("tce")
        measure: dict[str, Any] = {
            "measure_id": f"{area}:reach_benchmark",
            "equipment": area,
            "equipment_index": None,
            "measure": "reach_benchmark",
            "name": calc.MEASURE_NAMES["reach_benchmark"],
            **_said(
                calc.Phrase(
                    N_(
                        "bring %(product)s (%(area)s) from %(now)s "
                        "to the benchmark %(benchmark)s kgce/t"
                    ),
                    {
                        "product": str(row["product"]),
                        "area": area,
                        "now": f"{row['unit_energy_kgce_per_t']:.1f}",
                        "benchmark": f"{row['benchmark']:g}",
                    },
                )
            ),
            "savings": [{"item": "energy", "amount": tce, "unit": "tce"}],
            "energy_tce": tce,
            "co2_t": float(row["saving_potential_co2_t"] or 0.0),
            "cost_saving_yuan": convert(tce, "tce", price.unit) * price.price if price else 0.0,
            "capital_cost_yuan": None,
            "lifetime_years": None,
            "grade": row["grade"],
        }
        cost = plant.process_costs.get(area)
        if cost is not None:
            measure |= {
                "capital_cost_yuan": cost.capital_cost,
                "lifetime_years": cost.lifetime_years,
            }
            measure |= economics(
                cost.capital_cost,
                measure["cost_saving_yuan"],
                cost.lifetime_years,
                plant.discount_rate,
                measure["co2_t"],
            )
        out.append(measure)
    return out


def diagnose(
    plant: PlantFile, reference: Reference, activity: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Findings, measures with energy, CO2, cost saving and economics, totals, MAC curve;
    with the plant's activity table, the process gaps to the benchmark levels too."""
    if not plant.equipment and activity is None:
        raise InputError([Problem(Place(field="equipment"), "give equipment or an activity table")])
    findings = _findings(plant, reference)
    rows: list[tuple[str, float, str]] = []
    owners: list[int] = []
    proposals: list[tuple[int, calc.Finding, calc.Proposal]] = []
    for index, finding in findings:
        for proposal in finding.proposals:
            for saving in proposal.savings:
                rows.append((saving.item, saving.amount, saving.unit))
                owners.append(len(proposals))
            proposals.append((index, finding, proposal))
    missing = sorted({item for item, _, _ in rows if item not in plant.prices})
    if missing:
        raise InputError(
            [
                Problem(Place(field=f"prices.{item}"), "the plant saves it: give its price")
                for item in missing
            ]
        )
    used = [
        (finding.equipment, c.item, c.amount, c.unit)
        for _, finding in findings
        for c in finding.consumption
    ]
    lines = (
        _account(plant, _activity(plant, rows + [(i, a, u) for _, i, a, u in used]), reference)
        if rows or used
        else pd.DataFrame()
    )
    flows = [
        {
            "carrier": item,
            "equipment": equipment,
            "energy_tce": float(lines["energy_tce"].iloc[len(rows) + k]),
        }
        for k, (equipment, item, _, _) in enumerate(used)
    ]
    measures = []
    for number, (index, finding, proposal) in enumerate(proposals):
        mine = [i for i, owner in enumerate(owners) if owner == number]
        tce = float(lines["energy_tce"].iloc[mine].sum()) if mine else 0.0
        co2 = float(lines["co2_t"].iloc[mine].sum()) if mine else 0.0
        yuan = 0.0
        for saving in proposal.savings:
            price = plant.prices[saving.item]
            try:
                yuan += convert(saving.amount, saving.unit, price.unit) * price.price
            except CarbonpeakError as error:
                raise InputError(
                    [Problem(Place(field=f"prices.{saving.item}.unit"), str(error))]
                ) from None
        measure: dict[str, Any] = {
            "measure_id": f"{finding.equipment}:{proposal.measure}",
            "equipment": finding.equipment,
            "equipment_index": index,
            "measure": proposal.measure,
            "name": calc.MEASURE_NAMES[proposal.measure],
            **_said(proposal.description),
            "savings": [s.__dict__ for s in proposal.savings],
            "energy_tce": tce,
            "co2_t": co2,
            "cost_saving_yuan": yuan,
            "capital_cost_yuan": proposal.capital_cost,
            "lifetime_years": proposal.lifetime_years,
        }
        if proposal.capital_cost is not None and proposal.lifetime_years is not None:
            measure |= economics(
                proposal.capital_cost, yuan, proposal.lifetime_years, plant.discount_rate, co2
            )
        measures.append(measure)
    if activity is not None:
        gaps = process_gaps(plant, activity, reference)
        if gaps and "tce" not in plant.prices:
            raise InputError(
                [Problem(Place(field="prices.tce"), "the process gaps save energy: give its price")]
            )
        measures += gaps
    warnings = [w for _, f in findings for w in f.warnings]  # each names its equipment
    meters: dict[str, Any] | None = None
    if plant.meters:
        on = plant.diagnosis_date or date(plant.year, 12, 31)
        meters, metering_warnings = metering(plant.meters, reference, on)
        warnings += metering_warnings
    warnings += [
        warn("diagnosis.plant.measure_not_priced", measure_id=m["measure_id"])
        for m in measures
        if "npv_yuan" not in m
    ]
    return {
        "plant": {"enterprise_id": plant.enterprise_id, "name": plant.name, "year": plant.year},
        "findings": [
            {"equipment": f.equipment, "kind": f.kind, "state": f.state, "sources": f.sources}
            for _, f in findings
        ],
        "measures": measures,
        "totals": {
            "energy_tce": sum(m["energy_tce"] for m in measures),
            "co2_t": sum(m["co2_t"] for m in measures),
            "cost_saving_yuan": sum(m["cost_saving_yuan"] for m in measures),
            "capital_cost_yuan": sum(m["capital_cost_yuan"] or 0 for m in measures),
        },
        "mac_curve": mac_curve(measures),
        "energy_flow": flows,
        "management": checklist(reference, plant.management) if plant.management else None,
        "metering": meters,
        "warnings": records(warnings),
    }


def example_text() -> str:
    """The packaged example plant file (`carbonpeak diagnosis run --example`)."""
    from importlib import resources

    return (resources.files("carbonpeak.diagnosis") / "example.yaml").read_text(encoding="utf-8")
