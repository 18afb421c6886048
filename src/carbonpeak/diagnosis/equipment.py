"""Equipment calculators of the energy-conservation diagnosis: each takes one piece of
equipment as measured or read from its nameplate, says where it stands (its grade under the
national standard where there is one) and what a measure would save a year.

Every number of a standard or a rule comes from the reference tables (`motor_efficiency_grades`,
`transformer_loss_grades`, `compressor_specific_power`, `diagnosis_parameters`), with its source;
the formulas are in each function's docstring. Efficiencies are fractions (0.92), not percent.
Each function returns a `Finding`: the state, warnings, and the measures it proposes with their
annual savings of electricity (kWh) or of a fuel (in its unit)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.reference.loader import Reference


@dataclass
class Saving:
    """A measure's annual saving of one energy carrier (`item` of the accounting: electricity,
    natural_gas, bituminous_coal, ...) in `unit`."""

    item: str
    amount: float
    unit: str


@dataclass(frozen=True)
class Phrase:
    """A text said to the reader: its English template (`%(name)s`, translated through the
    message catalogs, `N_`) and the values, already formatted, that fill it."""

    text: str
    values: dict[str, str]

    def __str__(self) -> str:
        return self.text % self.values


# The measures' names, translated where they are shown
MEASURE_NAMES = {
    "motor_replacement": N_("High-efficiency motor"),
    "variable_speed_drive": N_("Variable-speed drive"),
    "transformer_replacement": N_("High-efficiency transformer"),
    "air_leak_repair": N_("Compressed-air leak repair"),
    "air_pressure_reduction": N_("Lower compressed-air pressure"),
    "combustion_tuning": N_("Combustion tuning"),
    "waste_heat_recovery": N_("Waste heat recovery"),
    "reach_benchmark": N_("Reach the benchmark level"),
}


@dataclass
class Proposal:
    """A measure a calculator proposes: what, the annual savings, and the investment if the
    plant file gives it (`capital_cost`, yuan) with the measure's life in years."""

    measure: str
    description: Phrase
    savings: list[Saving]
    capital_cost: float | None = None
    lifetime_years: float | None = None


@dataclass
class Finding:
    equipment: str
    kind: str
    state: dict[str, Any]
    proposals: list[Proposal] = field(default_factory=list)
    warnings: list[ResultWarning] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    consumption: list[Saving] = field(default_factory=list)
    """What the equipment uses a year as it is (or, for a transformer, loses), for the energy
    flow of the report."""


def parameter(reference: Reference, name: str, unit: str) -> float:
    """A row of `diagnosis_parameters`, converted to `unit`."""
    return reference.lookup("diagnosis_parameters", parameter=name).to(unit)


# ---------------------------------------------------------------------------------------------
# Motors: GB 18613-2020


def motor_minimum(reference: Reference, rated_kw: float, poles: int, grade: int) -> float:
    """The minimum efficiency (fraction) of a grade at a rated power, linear between the
    standard's ratings (as the EquipEffi evaluator does); outside 0.12-1000 kW: `InputError`."""
    table = reference.frame("motor_efficiency_grades")
    rows = table[(table["poles"] == poles) & (table["grade"] == grade)].sort_values("rated_kw")
    if rows.empty:
        raise InputError([Problem(Place(field="poles"), f"{poles}: GB 18613 has 2, 4, 6, 8")])
    ratings = rows["rated_kw"].to_numpy(float)
    values = rows["efficiency"].to_numpy(float) / 100
    if not ratings[0] <= rated_kw <= ratings[-1]:
        raise InputError(
            [
                Problem(
                    Place(field="rated_kw"),
                    f"{rated_kw} kW is outside GB 18613-2020 ({ratings[0]:g}-{ratings[-1]:g} kW)",
                )
            ]
        )
    return float(np.interp(rated_kw, ratings, values))


def motor_grade(reference: Reference, rated_kw: float, poles: int, efficiency: float) -> int | None:
    """The best grade (1 best, 3 the limit value) whose minimum the efficiency meets; None
    below grade 3."""
    for grade in (1, 2, 3):
        if efficiency >= motor_minimum(reference, rated_kw, poles, grade) - 1e-12:
            return grade
    return None


def motor(
    reference: Reference,
    name: str,
    rated_kw: float,
    poles: int,
    load: float,
    hours: float,
    efficiency: float | None = None,
    target_grade: int = 1,
    replacement_cost: float | None = None,
    lifetime_years: float | None = None,
) -> Finding:
    """A motor against GB 18613-2020 and the saving of replacing it by one of `target_grade`.

    Output power P = P_rated x load; input P / η. Annual saving
    `ΔE = P_rated x load x hours x (1/η_now - 1/η_new)` (kWh), with η_new the minimum of the
    target grade at the rating. Efficiencies are the rated (full-load) values: part-load curves
    are not modelled. Without a measured or nameplate efficiency the motor is taken at the limit
    value (grade 3), and the finding says so."""
    warnings = []
    if efficiency is None:
        efficiency = motor_minimum(reference, rated_kw, poles, 3)
        warnings.append(warn("diagnosis.equipment.motor_efficiency_assumed", equipment=name))
    grade = motor_grade(reference, rated_kw, poles, efficiency)
    used = rated_kw * load * hours / efficiency
    state = {
        "rated_kw": rated_kw,
        "poles": poles,
        "efficiency": efficiency,
        "grade": grade,
        "below_limit": grade is None,
        "input_kwh": used,
    }
    finding = Finding(
        name,
        "motor",
        state,
        warnings=warnings,
        sources=["GB 18613-2020"],
        consumption=[Saving("electricity", used, "kWh")],
    )
    if grade is None:
        finding.warnings.append(warn("diagnosis.equipment.motor_below_limit", equipment=name))
    better = motor_minimum(reference, rated_kw, poles, target_grade)
    if better > efficiency:
        saving = rated_kw * load * hours * (1 / efficiency - 1 / better)
        finding.proposals.append(
            Proposal(
                "motor_replacement",
                Phrase(
                    N_("replace by a grade-%(grade)s motor (η %(better)s against %(now)s)"),
                    {
                        "grade": str(target_grade),
                        "better": f"{better:.1%}",
                        "now": f"{efficiency:.1%}",
                    },
                ),
                [Saving("electricity", saving, "kWh")],
                replacement_cost,
                lifetime_years,
            )
        )
    return finding


# ---------------------------------------------------------------------------------------------
# Pumps: GB 19762-2025 (clean-water centrifugal pumps)


def specific_speed(flow_m3h: float, head_m: float, speed_rpm: float, double_suction: bool) -> float:
    """`ns = 3.65 n sqrt(Q) / H^0.75`, Q in m3/s (half of it for a double-suction pump), H the
    head per stage (m), n in r/min."""
    q = flow_m3h / 3600 / (2 if double_suction else 1)
    return float(3.65 * speed_rpm * math.sqrt(q) / head_m**0.75)


def pump_minimum(
    reference: Reference, pump_type: str, flow_m3h: float, ns: float, grade: int
) -> float:
    """The minimum efficiency (fraction) of a grade of GB 19762-2025 at the best-efficiency
    flow (m3/h) and specific speed: `a (ln ns)^2 + b (ln Q)^2 + c ln ns ln Q + d ln ns + e ln Q
    - C` (%)."""
    table = reference.frame("pump_efficiency_grades")
    rows = table[
        (table["pump_type"] == pump_type)
        & (table["grade"] == grade)
        & (table["flow_min"] <= flow_m3h)
        & (flow_m3h <= table["flow_max"])
    ].sort_values("flow_min")
    if rows.empty:
        raise InputError(
            [
                Problem(
                    Place(field="rated_flow_m3h"),
                    f"{flow_m3h:g} m3/h is outside the ranges of GB 19762-2025 for {pump_type}",
                )
            ]
        )
    row = rows.iloc[0]  # ranges are ">300-10 000": a boundary flow belongs to the lower range
    coefficients = reference.frame("pump_efficiency_coefficients")
    k = coefficients[coefficients["stage_class"] == row["stage_class"]].iloc[0]
    x, y = math.log(ns), math.log(flow_m3h)
    value = (
        float(k["a"]) * x * x
        + float(k["b"]) * y * y
        + float(k["c"]) * x * y
        + float(k["d"]) * x
        + float(k["e"]) * y
        - float(row["constant"])
    )
    return value / 100


# ---------------------------------------------------------------------------------------------
# Pumps and fans: throttling against a variable-speed drive, with static head


def fluid_system(
    reference: Reference,
    name: str,
    kind: str,
    rated_flow: float,
    rated_rise: float,
    shutoff_rise: float,
    static_rise: float,
    efficiency: float,
    motor_efficiency: float,
    profile: list[tuple[float, float]],
    drive_cost: float | None = None,
    lifetime_years: float | None = None,
    pump_type: str | None = None,
    speed_rpm: float | None = None,
    stages: int = 1,
) -> Finding:
    """A pump (rise = head, m; flow m3/h) or fan (rise = pressure, Pa; flow m3/h) controlled by
    a throttle valve or damper, against a variable-speed drive.

    Machine curve at full speed `H_p(Q) = H_0 - a Q^2`, through the shut-off rise H_0 and the
    rated point; system curve `H_s(Q) = H_static + k Q^2` through the rated point (valve open);
    affinity laws `Q ∝ N`, `H ∝ N^2`. Throttled, the machine runs on its full-speed curve:
    `P = Q ρ g H_p(Q) / (η η_m)`. With a drive it runs at the speed `r` where its curve meets
    the system curve, `r^2 = (H_static + (k + a) Q^2) / H_0`, and
    `P = Q ρ g H_s(Q) / (η η_m η_vfd)` (notes §5: static head keeps the saving below the cube
    law). The machine's efficiency is taken as the rated one in both cases (the throttled
    machine, moved away from its best point, does worse: the saving is understated). For a fan,
    `ρ g H` is the pressure rise itself. `profile`: (flow as a fraction of rated, hours).
    System efficiency: the power the system needs, `Q ρ g H_s(Q)`, over the electric input,
    at each point and over the year (throttled, and with the drive). A pump with its type and
    speed is graded by GB 19762-2025 at its rated point (taken as its best-efficiency point)."""
    density_g = (
        parameter(reference, "water_density", "kg/m^3") * parameter(reference, "gravity", "m/s^2")
        if kind == "pump"
        else 1.0
    )
    if not static_rise < rated_rise < shutoff_rise:
        raise InputError(
            [
                Problem(
                    Place(field="rated_rise"),
                    "needs static rise < rated rise < shut-off rise",
                )
            ]
        )
    a = (shutoff_rise - rated_rise) / rated_flow**2
    k = (rated_rise - static_rise) / rated_flow**2
    drive = parameter(reference, "vfd_efficiency", "dimensionless")
    throttled = variable = useful = 0.0
    points = []
    for fraction, hours in profile:
        q = fraction * rated_flow
        speed = math.sqrt((static_rise + (k + a) * q**2) / shutoff_rise)
        if speed > 1 + 1e-9:
            raise InputError(
                [Problem(Place(field="profile"), f"flow {fraction:.0%} is beyond the rated point")]
            )
        flow_si = q / 3600
        p_throttled = (
            flow_si * density_g * (shutoff_rise - a * q**2) / (efficiency * motor_efficiency)
        )
        p_variable = (
            flow_si * density_g * (static_rise + k * q**2) / (efficiency * motor_efficiency * drive)
        )
        p_useful = flow_si * density_g * (static_rise + k * q**2)  # what the system needs
        throttled += p_throttled / 1000 * hours
        variable += p_variable / 1000 * hours
        useful += p_useful / 1000 * hours
        points.append(
            {
                "flow_fraction": fraction,
                "hours": hours,
                "speed_fraction": speed,
                "throttled_kw": p_throttled / 1000,
                "variable_speed_kw": p_variable / 1000,
                "system_efficiency": p_useful / p_throttled,
            }
        )
    finding = Finding(
        name,
        kind,
        {
            "throttled_kwh": throttled,
            "variable_speed_kwh": variable,
            "system_efficiency": useful / throttled,
            "system_efficiency_variable_speed": useful / variable,
            "points": points,
        },
        sources=["affinity laws and system curve (notes §5, Bentley)", "diagnosis_parameters"],
        consumption=[Saving("electricity", throttled, "kWh")],
    )
    if kind == "pump" and pump_type is not None and speed_rpm is not None:
        ns = specific_speed(
            rated_flow, rated_rise / stages, speed_rpm, pump_type == "double_suction"
        )
        minima = {g: pump_minimum(reference, pump_type, rated_flow, ns, g) for g in (1, 2, 3)}
        met = [g for g, value in minima.items() if efficiency >= value - 1e-9]
        finding.state |= {"specific_speed": ns, "grade": min(met) if met else None}
        finding.sources.append("GB 19762-2025")
        if not met:
            finding.warnings.append(
                warn("diagnosis.equipment.pump_below_limit", equipment=name, limit=minima[3])
            )
    if throttled > variable:
        finding.proposals.append(
            Proposal(
                "variable_speed_drive",
                Phrase(
                    N_("replace the pump's throttling by a variable-speed drive")
                    if kind == "pump"
                    else N_("replace the fan's throttling by a variable-speed drive"),
                    {},
                ),
                [Saving("electricity", throttled - variable, "kWh")],
                drive_cost,
                lifetime_years,
            )
        )
    else:
        finding.warnings.append(warn("diagnosis.equipment.drive_saves_nothing", equipment=name))
    return finding


# ---------------------------------------------------------------------------------------------
# Transformers: GB 20052-2024


def transformer_row(
    reference: Reference,
    kind: str,
    core: str,
    connection: str,
    insulation: str,
    rated_kva: float,
    grade: int,
) -> dict[str, Any]:
    table = reference.frame("transformer_loss_grades")
    rows = table[
        (table["kind"] == kind)
        & (table["core"] == core)
        & (table["connection"] == connection)
        & (table["insulation"] == insulation)
        & (table["rated_kva"] == rated_kva)
        & (table["grade"] == grade)
    ]
    if rows.empty:
        raise InputError(
            [
                Problem(
                    Place(field="rated_kva"),
                    f"no GB 20052-2024 row for {kind} {core} {connection} {insulation} "
                    f"{rated_kva:g} kVA",
                )
            ]
        )
    return {str(k): v for k, v in rows.iloc[0].to_dict().items()}


def transformer(
    reference: Reference,
    name: str,
    kind: str,
    core: str,
    connection: str,
    insulation: str,
    rated_kva: float,
    no_load_loss: float,
    load_loss: float,
    load_factor: float,
    hours_energised: float = 8760,
    target_grade: int = 1,
    target_core: str | None = None,
    replacement_cost: float | None = None,
    lifetime_years: float | None = None,
) -> Finding:
    """A distribution transformer against GB 20052-2024 and the saving of one of the target
    grade (and core).

    Annual losses `E = P_0 x T + β^2 x P_k x T` (kWh), with P_0 the no-load and P_k the load
    loss (kW), β the load factor (the root-mean-square load over rated) and T the hours
    energised. The grade is the best whose P_0 and P_k limits both hold."""
    grade = None
    for g in (3, 2, 1):
        row = transformer_row(reference, kind, core, connection, insulation, rated_kva, g)
        if no_load_loss <= row["no_load_loss"] + 1e-9 and load_loss <= row["load_loss"] + 1e-9:
            grade = g
    losses = (no_load_loss + load_factor**2 * load_loss) * hours_energised
    finding = Finding(
        name,
        "transformer",
        {"grade": grade, "below_limit": grade is None, "losses_kwh": losses},
        sources=["GB 20052-2024"],
        consumption=[Saving("electricity", losses, "kWh")],
    )
    if grade is None:
        finding.warnings.append(warn("diagnosis.equipment.transformer_above_limit", equipment=name))
    better = transformer_row(
        reference, kind, target_core or core, connection, insulation, rated_kva, target_grade
    )
    new_losses = (better["no_load_loss"] + load_factor**2 * better["load_loss"]) * hours_energised
    if new_losses < losses:
        finding.proposals.append(
            Proposal(
                "transformer_replacement",
                Phrase(
                    N_("replace by a grade-%(grade)s amorphous-core transformer")
                    if (target_core or core) == "amorphous"
                    else N_("replace by a grade-%(grade)s electrical-steel transformer"),
                    {"grade": str(target_grade)},
                ),
                [Saving("electricity", losses - new_losses, "kWh")],
                replacement_cost,
                lifetime_years,
            )
        )
    return finding


# ---------------------------------------------------------------------------------------------
# Compressed air: specific power (GB 19153-2019), leaks, pressure


def leak_flow(
    reference: Reference,
    diameter_mm: float,
    pressure_kpa_gauge: float,
    discharge: float | None = None,
) -> float:
    """Free-air flow of a leak (standard m3/min) through a round hole, choked (sonic) flow:
    `ṁ = C_d A ρ* v*`, `ρ* = ρ_0 (2/(k+1))^(1/(k-1))`, `v* = sqrt(k R T*)`,
    `T* = T_0 2/(k+1)`, `ρ_0 = p_abs / (R T_0)`; standard volume `ṁ / ρ_std` (notes §6 [D]; it
    reproduces the DOE points 21.4 and 26 scfm for 1/8 in at 80 and 100 psig)."""
    k = parameter(reference, "air_heat_capacity_ratio", "dimensionless")
    r = parameter(reference, "air_gas_constant", "J/(kg*K)")
    t0 = parameter(reference, "standard_air_temperature", "K")
    p_std = parameter(reference, "standard_air_pressure", "Pa")
    cd = (
        discharge
        if discharge is not None
        else parameter(reference, "leak_discharge_coefficient", "dimensionless")
    )
    p_abs = p_std + pressure_kpa_gauge * 1000
    rho0 = p_abs / (r * t0)
    rho_star = rho0 * (2 / (k + 1)) ** (1 / (k - 1))
    v_star = math.sqrt(k * r * t0 * 2 / (k + 1))
    area = math.pi * (diameter_mm / 1000) ** 2 / 4
    mass = cd * area * rho_star * v_star
    return float(mass / (p_std / (r * t0)) * 60)


def compressor(
    reference: Reference,
    name: str,
    rated_kw: float,
    pressure_mpa: float,
    cooling: str,
    input_kw: float,
    free_air_m3min: float,
    hours: float,
    leaks: list[tuple[float, int]] | None = None,
    pressure_reduction_kpa: float = 0.0,
    leak_repair_cost: float | None = None,
    lifetime_years: float | None = None,
) -> Finding:
    """An oil-injected rotary air compressor: its specific power `input_kw / free_air_m3min`
    (kW per m3/min) against GB 19153-2019 Table 1 (when the reference has the rating), the
    energy of its leaks (`leak_flow` x specific power x hours) and of lowering the pressure
    (`air_pressure_power_rate`: 0.5 % of input power per psi, MEASUR / Compressed Air
    Challenge; it saves only when the control actually reduces power)."""
    specific = input_kw / free_air_m3min
    table = reference.frame("compressor_specific_power")
    rows = table[
        (table["table"] == 1)
        & (table["rated_kw"] == rated_kw)
        & (table["pressure_mpa"] == pressure_mpa)
        & (table["cooling"] == cooling)
    ]
    grade: int | None = None
    graded = not rows.empty
    for _, r in rows.sort_values("grade", ascending=False).iterrows():
        if specific <= float(r["specific_power"]) + 1e-9:
            grade = int(r["grade"])
    finding = Finding(
        name,
        "compressor",
        {"specific_power": specific, "grade": grade, "graded": graded},
        sources=["GB 19153-2019", "diagnosis_parameters"],
        consumption=[Saving("electricity", input_kw * hours, "kWh")],
    )
    if not graded:
        finding.warnings.append(
            warn(
                "diagnosis.equipment.compressor_not_graded",
                equipment=name,
                rated_kw=rated_kw,
                pressure_mpa=pressure_mpa,
                cooling=cooling,
            )
        )
    elif grade is None:
        finding.warnings.append(warn("diagnosis.equipment.compressor_above_limit", equipment=name))
    gauge_kpa = pressure_mpa * 1000
    if leaks:
        flow = sum(leak_flow(reference, d, gauge_kpa) * n for d, n in leaks)
        if flow > free_air_m3min:
            raise InputError(
                [
                    Problem(
                        Place(field="leaks"),
                        f"the leaks would take {flow:.2f} m3/min, more than the compressor "
                        f"delivers ({free_air_m3min:g}): check their sizes and count",
                    )
                ]
            )
        finding.state["leak_m3min"] = flow
        finding.proposals.append(
            Proposal(
                "air_leak_repair",
                Phrase(
                    N_("repair %(count)s leaks (%(flow)s m3/min of free air)"),
                    {"count": str(sum(n for _, n in leaks)), "flow": f"{flow:.2f}"},
                ),
                [Saving("electricity", flow * specific * hours, "kWh")],
                leak_repair_cost,
                lifetime_years,
            )
        )
    if pressure_reduction_kpa > 0:
        rate = parameter(reference, "air_pressure_power_rate", "1/kPa")
        finding.proposals.append(
            Proposal(
                "air_pressure_reduction",
                Phrase(
                    N_("lower the discharge pressure by %(kpa)s kPa"),
                    {"kpa": f"{pressure_reduction_kpa:g}"},
                ),
                [Saving("electricity", input_kw * hours * rate * pressure_reduction_kpa, "kWh")],
                0.0,
                lifetime_years,
            )
        )
    return finding


# ---------------------------------------------------------------------------------------------
# Boilers: efficiency by heat losses; waste heat


def boiler(
    reference: Reference,
    name: str,
    fuel: str,
    fuel_use: float,
    fuel_unit: str,
    flue_temperature_c: float,
    air_temperature_c: float,
    o2_pct: float,
    siegert_a2: float,
    siegert_b: float,
    other_losses_pct: float,
    target_o2_pct: float | None = None,
    co_ppm: float | None = None,
    co2_pct: float | None = None,
    tuning_cost: float | None = None,
    lifetime_years: float | None = None,
    grade_fuel: str | None = None,
) -> Finding:
    """A boiler's efficiency by the heat-loss (indirect) method and the fuel saved by lowering
    its excess air.

    `η = 100 - q_A - q_CO - q_other` (%). Stack loss after Siegert:
    `q_A = (t_flue - t_air) (A2 / (21 - O2) + B)` with the fuel's constants A2 and B (given by
    the plant file: the notes found the form but not an official table of the constants);
    incomplete combustion `q_CO = a CO / (CO + CO2)` (a = 32 gas, 48 oil, IMR manual);
    q_other: radiation, unburnt carbon, blowdown, as measured. The excess-air ratio is
    `α = 21 / (21 - O2)`. Lowering O2 to the target at the same flue temperature gives η' and
    saves `fuel x (1 - η / η')`. With `grade_fuel` (a chamber-fired boiler: natural_gas_condensing,
    natural_gas_non_condensing, oil, coal) the measured efficiency is set against the grades of
    GB 24500-2020 Table 4; they grade the rated design efficiency, so this is indicative."""
    oxygen = parameter(reference, "oxygen_in_air", "percent")
    if not 0 <= o2_pct < oxygen:
        raise InputError([Problem(Place(field="o2_pct"), f"must be in [0, {oxygen:g})")])

    def stack(o2: float) -> float:
        return (flue_temperature_c - air_temperature_c) * (siegert_a2 / (oxygen - o2) + siegert_b)

    q_co = 0.0
    unmeasured = (co_ppm is None) != (co2_pct is None)
    if co_ppm is not None and co2_pct is not None:
        name_a = {"natural_gas": "boiler_co_loss_gas"}.get(fuel, "boiler_co_loss_oil")
        a = parameter(reference, name_a, "dimensionless")
        co_pct = co_ppm / 10_000
        q_co = a * co_pct / (co_pct + co2_pct)
    efficiency = 100 - stack(o2_pct) - q_co - other_losses_pct
    finding = Finding(
        name,
        "boiler",
        {
            "efficiency_pct": efficiency,
            "stack_loss_pct": stack(o2_pct),
            "co_loss_pct": q_co,
            "excess_air_ratio": oxygen / (oxygen - o2_pct),
        },
        sources=["Siegert stack loss (notes §4)", "diagnosis_parameters"],
        consumption=[Saving(fuel, fuel_use, fuel_unit)],
    )
    if unmeasured:
        finding.warnings.append(warn("diagnosis.equipment.boiler_co_loss_left_out", equipment=name))
    if efficiency <= 0:
        raise InputError([Problem(Place(field="siegert_a2"), "the losses exceed 100 %")])
    if grade_fuel is not None:
        table = reference.frame("boiler_efficiency_grades")
        rows = table[(table["firing"] == "chamber") & (table["fuel"] == grade_fuel)]
        if rows.empty:
            known = ", ".join(sorted(set(table["fuel"])))
            raise InputError([Problem(Place(field="grade_fuel"), f"one of {known}")])
        limits = dict(zip(rows["grade"].astype(int), rows["efficiency"].astype(float), strict=True))
        met = [g for g, value in limits.items() if efficiency >= value - 1e-9]
        finding.state["grade"] = min(met) if met else None
        finding.sources.append("GB 24500-2020 (design efficiency: indicative)")
        if not met:
            finding.warnings.append(warn("diagnosis.equipment.boiler_below_limit", equipment=name))
    if target_o2_pct is not None and target_o2_pct < o2_pct:
        better = 100 - stack(target_o2_pct) - q_co - other_losses_pct
        finding.proposals.append(
            Proposal(
                "combustion_tuning",
                Phrase(
                    N_(
                        "lower flue-gas O2 from %(o2)s %% to %(target)s %% "
                        "(η %(now)s %% → %(better)s %%)"
                    ),
                    {
                        "o2": f"{o2_pct:g}",
                        "target": f"{target_o2_pct:g}",
                        "now": f"{efficiency:.1f}",
                        "better": f"{better:.1f}",
                    },
                ),
                [Saving(fuel, fuel_use * (1 - efficiency / better), fuel_unit)],
                tuning_cost,
                lifetime_years,
            )
        )
    return finding


def waste_heat(
    reference: Reference,
    name: str,
    fuel: str,
    flow_kg_h: float,
    heat_capacity_kj_kgk: float,
    inlet_c: float,
    outlet_c: float,
    hours: float,
    boiler_efficiency: float,
    fuel_ncv_gj_per_unit: float,
    fuel_unit: str,
    capital_cost: float | None = None,
    lifetime_years: float | None = None,
) -> Finding:
    """Heat recoverable from a flue gas, `Q = ṁ c_p (T_in - T_out)` (kW), a year
    `Q x hours`, and the fuel it displaces in a boiler of efficiency η:
    `heat / (η x NCV)`. For natural gas the outlet may not be below the DOE basis of 121 °C
    (250 °F, `stack_exit_min_gas`)."""
    if fuel == "natural_gas":
        floor = parameter(reference, "stack_exit_min_gas", "degC")
        if outlet_c < floor:
            raise InputError(
                [Problem(Place(field="outlet_c"), f"below the {floor:g} °C exit limit for gas")]
            )
    if outlet_c >= inlet_c:
        raise InputError([Problem(Place(field="outlet_c"), "must be below inlet_c")])
    kw = flow_kg_h / 3600 * heat_capacity_kj_kgk * (inlet_c - outlet_c)
    heat_gj = kw * hours * 3.6 / 1000
    finding = Finding(
        name,
        "waste_heat",
        {"recoverable_kw": kw, "heat_gj": heat_gj},
        sources=["Q = m cp dT (notes §7)", "diagnosis_parameters"],
    )
    finding.proposals.append(
        Proposal(
            "waste_heat_recovery",
            Phrase(
                N_("recover %(kw)s kW of flue-gas heat (%(inlet)s → %(outlet)s °C)"),
                {"kw": f"{kw:,.0f}", "inlet": f"{inlet_c:g}", "outlet": f"{outlet_c:g}"},
            ),
            [Saving(fuel, heat_gj / (boiler_efficiency * fuel_ncv_gj_per_unit), fuel_unit)],
            capital_cost,
            lifetime_years,
        )
    )
    return finding
