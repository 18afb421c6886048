"""Production-capacity replacement (产能置换): is an application's exit capacity enough, and
does it break a rule? Steel (2021 measures, separate ironmaking and steelmaking capacity,
suspended from 2024-08-23), cement clinker and flat glass (2021 measures and the 2024
revision), electrolytic aluminium (2018 notice, the national ceiling, the 2025-2027 plan).

The rule set is the one in force on the application date (`swap_rule_sets`); the ratios are
rows of `swap_ratios`, the regions rows of `policy_regions` (a location matches its own code,
its prefecture's or its province's), other numbers rows of `policy_parameters`. Every check is
computed on its own from the application, so the verdict does not depend on their order; each
names its rule and source. Capacity that may not be used for replacement is left out of the
exit capacity provided, and says why.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from carbonpeak.domain.schema import Day, Flag, Real, Whole, problems_of
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.policy.verdict import Check, Verdict
from carbonpeak.reference.loader import Reference

Sector = Literal["steel", "cement", "flat_glass", "aluminium"]
EQUIPMENT = {
    "steel": {
        "blast_furnace": "iron",
        "sinter": "iron",
        "coke_oven": "iron",
        "hydrogen_dri": "iron",
        "corex": "iron",
        "finex": "iron",
        "hismelt": "iron",
        "bof": "steel",
        "eaf": "steel",
        "aod": "steel",
    },
    "cement": {"clinker_kiln": "clinker"},
    "flat_glass": {"float_furnace": "glass", "pv_rolled_furnace": "glass"},
    "aluminium": {"electrolysis_line": "aluminium"},
}
NON_BF_IRON = {"hydrogen_dri", "corex", "finex", "hismelt"}
BF_ROUTE = {"blast_furnace", "sinter", "coke_oven"}
INELIGIBLE = {
    "eliminated": "obsolete capacity (落后产能) or past the elimination deadline",
    "subsidised": "exit capacity that received subsidy (奖补) funds",
    "de_capacity": "capacity counted in the de-capacity tasks",
    "substandard": "substandard (地条钢) or illegal capacity",
    "zombie": "capacity of a zombie enterprise not restructured",
    "idle": "idle or low-efficiency capacity",
    "below_baseline": "capacity below the energy-efficiency baseline",
}
STATUSES = ("operating", "restricted_class", *INELIGIBLE)
# statuses that may not be used, by rule set (idle and below-baseline from the 2024 cement
# and glass revision)
EXCLUDED = {
    "steel_2021": {"eliminated", "subsidised", "de_capacity", "substandard", "zombie"},
    "cement_2021": {"eliminated", "subsidised", "substandard"},
    "cement_2024": {"eliminated", "subsidised", "substandard", "idle", "below_baseline"},
    "glass_2021": {"eliminated", "subsidised", "substandard"},
    "glass_2024": {"eliminated", "subsidised", "substandard", "idle", "below_baseline"},
    "aluminium_2018": {"eliminated", "substandard"},
}


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")
    region_code: str = Field(pattern=r"^\d{6}$")


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")
    equipment: str
    capacity_t: Real = Field(gt=0, description="annual capacity, t")
    stage: str | None = None
    source: Literal["own", "merger", "purchase", "transfer"] = "own"
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    status: str = "operating"
    on_2016_list: Flag | None = None
    built_year: Whole | None = Field(default=None, ge=1950, le=2100)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        if value not in STATUSES:
            raise ValueError(f"{value!r} is not one of {', '.join(STATUSES)}")
        return value


class Application(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sector: Sector
    application_date: Day
    location: Location
    built: list[Line] = Field(min_length=1)
    exit: list[Line] = Field(default_factory=list)
    in_site_upgrade: Flag = False
    stainless_rkef: Flag = False
    gypsum_cement: Flag = False
    same_site: Flag = False
    pv_rolled_glass: Flag = False
    reaches_benchmark: Flag | None = None
    national_capacity_t: Real | None = Field(default=None, ge=0)
    ac_power_kwh_per_t: Real | None = Field(default=None, gt=0)


def parse(data: Any, reference: Reference) -> Application:
    """An application from its YAML/JSON form; `InputError` naming every wrong field at once
    (the schema's and the codes': regions and equipment)."""
    problems: list[Problem] = []
    application = None
    try:
        application = Application.model_validate(data)
    except ValidationError as error:
        problems = problems_of(error)
    if isinstance(data, dict):
        seen = {p.place.field for p in problems}
        problems += [p for p in _code_problems(data, reference) if p.place.field not in seen]
    if problems or application is None:
        raise InputError(problems or [Problem(Place(field="application"), "not an application")])
    return application


def _code_problems(data: dict[str, Any], reference: Reference) -> list[Problem]:
    """Region codes that are not in the regions table and equipment that is not the sector's,
    read from the raw application."""
    problems = []
    known = {str(r["region_code"]) for r in reference.rows("regions")}

    def region(code: Any, where: str) -> None:
        if (
            isinstance(code, str)
            and len(code) == 6
            and code.isdigit()
            and not ({code, code[:4] + "00", code[:2] + "0000"} & known)
        ):
            problems.append(Problem(Place(field=where), f"unknown region code {code!r}"))

    location = data.get("location")
    if isinstance(location, dict):
        region(location.get("region_code"), "location.region_code")
    equipment = EQUIPMENT.get(str(data.get("sector")), {})
    for side in ("built", "exit"):
        lines = data.get(side)
        if not isinstance(lines, list):
            continue
        for index, line in enumerate(lines):
            if not isinstance(line, dict):
                continue
            region(line.get("region_code"), f"{side}.{index}.region_code")
            kind = line.get("equipment")
            if equipment and isinstance(kind, str):
                if kind not in equipment:
                    problems.append(
                        Problem(
                            Place(field=f"{side}.{index}.equipment"),
                            f"{kind!r} is not {data.get('sector')} equipment "
                            f"({', '.join(equipment)})",
                        )
                    )
                elif line.get("stage") not in (None, equipment[kind]):
                    problems.append(
                        Problem(
                            Place(field=f"{side}.{index}.stage"),
                            f"{kind} is {equipment[kind]} capacity, not {line.get('stage')}",
                        )
                    )
    return problems


def _in(reference: Reference, scheme: str, code: str) -> bool:
    members = {str(r["region_code"]) for r in reference.rows("policy_regions", scheme=scheme)}
    return bool({code, code[:4] + "00", code[:2] + "0000"} & members)


def judge(application: Application, reference: Reference) -> Verdict:
    """The verdict: per stage the ratio, the required and provided exit capacity and the
    shortfall; every check with its rule and source; warnings."""
    day = application.application_date
    sets = reference.rows("swap_rule_sets", as_of=day, sector=application.sector)
    if not sets:
        raise InputError(
            [
                Problem(
                    Place(field="application_date"),
                    f"no {application.sector} replacement rules in force on {day}",
                )
            ]
        )
    rule_set = sets[0]
    name, source = str(rule_set["rule_set"]), str(rule_set["source_id"])
    checks: list[Check] = []
    warnings: list[ResultWarning] = []
    suspended = rule_set.get("suspended_from")
    if isinstance(suspended, date):
        checks.append(
            Check(
                "plans may be published",
                day < suspended,
                f"{application.sector} replacement plans are suspended from {suspended}"
                if day >= suspended
                else f"before the suspension of {suspended}",
                "sw_steel_suspend",
            )
        )
    excluded_statuses = EXCLUDED[name]
    eligible: list[Line] = []
    for index, line in enumerate(application.exit):
        reason = None
        if line.status in excluded_statuses:
            reason = INELIGIBLE[line.status]
        elif (
            application.sector == "steel"
            and line.on_2016_list is False
            and (line.built_year or 0) < 2016
        ):
            reason = "built before 2016 and not on the 2016 list of smelting equipment"
        if reason:
            checks.append(Check("exit capacity usable", False, f"exit.{index}: {reason}", source))
        else:
            eligible.append(line)
    if len(eligible) == len(application.exit) and application.exit:
        checks.append(Check("exit capacity usable", True, "every exit line may be used", source))
    stages = sorted({EQUIPMENT[application.sector][b.equipment] for b in application.built})
    results = []
    for stage in stages:
        built = [
            b for b in application.built if EQUIPMENT[application.sector][b.equipment] == stage
        ]
        exits = [e for e in eligible if EQUIPMENT[application.sector][e.equipment] == stage]
        all_exits = [
            e for e in application.exit if EQUIPMENT[application.sector][e.equipment] == stage
        ]
        case, why = _case(application, name, stage, built, all_exits, reference, warnings)
        if case == "exempt":
            checks.append(Check("replacement needed", True, why, source))
            results.append(_stage(stage, case, 0.0, built, exits))
            continue
        ratio = float(reference.record("swap_ratios", rule_set=name, case=case)["ratio"])  # type: ignore[arg-type]
        result = _stage(stage, case, ratio, built, exits)
        results.append(result)
        checks.append(
            Check(
                f"exit capacity of {stage} at least {ratio:g} x built",
                result["shortfall_t"] <= 0,
                f"{why}: required {result['required_exit_t']:,.0f} t, provided "
                f"{result['provided_exit_t']:,.0f} t",
                source,
            )
        )
    checks += _sector_rules(application, name, source, eligible, reference, warnings)
    detail: dict[str, Any] = {
        "sector": application.sector,
        "rule_set": name,
        "document": rule_set["document"],
        "stages": results,
    }
    if len(results) == 1:
        detail.update({k: v for k, v in results[0].items() if k != "stage"})
    return Verdict(all(c.passed for c in checks), checks, warnings, detail)


def _stage(
    stage: str, case: str, ratio: float, built: list[Line], exits: list[Line]
) -> dict[str, Any]:
    built_t = sum(b.capacity_t for b in built)
    provided = sum(e.capacity_t for e in exits)
    required = built_t * ratio
    return {
        "stage": stage,
        "case": case,
        "required_ratio": ratio,
        "built_t": built_t,
        "required_exit_t": round(required, 3),
        "provided_exit_t": round(provided, 3),
        "shortfall_t": round(max(required - provided, 0.0), 3),
    }


def _case(
    a: Application,
    rule_set: str,
    stage: str,
    built: list[Line],
    exits: list[Line],
    reference: Reference,
    warnings: list[ResultWarning],
) -> tuple[str, str]:
    """The ratio case of a stage and why."""
    location = a.location.region_code
    key = "steel_key_2021" if a.sector == "steel" else "air_key_2023"
    in_key = _in(reference, key, location)
    if a.sector == "steel":
        built_kinds = {b.equipment for b in built}
        exit_kinds = {e.equipment for e in a.exit}
        if a.in_site_upgrade:
            return "equal", "E3: in-site upgrade keeping equipment type, size and number"
        if _in(reference, "steel_equal_1to1", location):
            return "equal", "E6: built in 青海 or 西藏"
        if stage == "steel" and built_kinds == {"eaf"} and {e.equipment for e in exits} == {"eaf"}:
            return "equal", "E2: exit and built equipment are both electric arc furnaces"
        if (
            stage == "steel"
            and built_kinds == {"eaf"}
            and "bof" in exit_kinds
            and exit_kinds & BF_ROUTE
        ):
            return "equal", "E1: converters replaced by EAFs with the matching ironmaking exit"
        if (
            stage == "iron"
            and built_kinds <= NON_BF_IRON
            and {e.equipment for e in exits} <= BF_ROUTE
        ):
            return "equal", "E4: BF-route ironmaking replaced by hydrogen or non-BF ironmaking"
        if stage == "steel" and a.stainless_rkef and built_kinds <= {"aod"}:
            return "equal", "E5: RKEF-AOD stainless steelmaking"
        merger = bool(exits) and all(e.source == "merger" for e in exits)
        if exits and not merger and any(e.source == "merger" for e in exits):
            warnings.append(warn("policy.capacity_swap.partial_merger", stage=stage))
        if in_key:
            return (
                ("key_region_merger", "key region, merger capacity")
                if merger
                else (
                    "key_region",
                    "key region (大气污染防治重点区域)",
                )
            )
        return (
            ("other_merger", "outside the key regions, merger capacity")
            if merger
            else (
                "other",
                "outside the key regions",
            )
        )
    if a.sector == "cement":
        if a.in_site_upgrade:
            return "exempt", "a technical upgrade that adds no capacity needs no replacement"
        province = location[:2]
        cross = any((e.region_code or location)[:2] != province for e in exits)
        restricted = any(e.status == "restricted_class" for e in exits)
        if rule_set == "cement_2021":
            warnings.append(warn("policy.capacity_swap.key_regions_2023"))
        if restricted or cross:
            return "restricted_or_cross_province", (
                "exit from a restricted-class line" if restricted else "exit from another province"
            )
        if (
            rule_set == "cement_2021"
            and a.gypsum_cement
            and _in(reference, "cement_gypsum_1to1", location)
        ):
            return "gypsum_cement", "gypsum-based cement in a named province"
        if rule_set == "cement_2024" and a.same_site:
            return "same_site", "the same legal person on the same site"
        if rule_set == "cement_2024" and _in(reference, "cement_tibet_1to1", location):
            return "tibet", "replacement within 西藏"
        return (
            ("key_region", "key region (by the construction site)")
            if in_key
            else (
                "other",
                "outside the key regions",
            )
        )
    if a.sector == "flat_glass":
        if a.in_site_upgrade:
            return "exempt", "a technical upgrade that adds no capacity needs no replacement"
        if a.pv_rolled_glass or {b.equipment for b in built} == {"pv_rolled_furnace"}:
            return (
                "exempt",
                "PV rolled glass needs no replacement (a hearing and risk warning instead)",
            )
        return ("key_region", "key region") if in_key else ("other", "outside the key regions")
    return "any", "equal or reduced replacement"


def _sector_rules(
    a: Application,
    rule_set: str,
    source: str,
    eligible: list[Line],
    reference: Reference,
    warnings: list[ResultWarning],
) -> list[Check]:
    """Rules beyond the ratio: prohibitions, ceilings and thresholds."""
    out = []
    location = a.location.region_code
    day = a.application_date
    if a.sector == "steel" and _in(reference, "steel_key_2021", location):
        built = sum(b.capacity_t for b in a.built)
        provided = sum(e.capacity_t for e in eligible)
        out.append(
            Check(
                "no capacity increase in a key region",
                built <= provided,
                f"built {built:,.0f} t against usable exit {provided:,.0f} t",
                source,
            )
        )
    if a.sector == "steel":
        warnings.append(warn("policy.capacity_swap.steel_not_checked"))
    if rule_set in ("cement_2024", "glass_2024") and a.sector == "cement":
        if a.reaches_benchmark is None:
            warnings.append(warn("policy.capacity_swap.reaches_benchmark_unknown"))
        else:
            out.append(
                Check(
                    "a new line reaches the benchmark level",
                    a.reaches_benchmark,
                    "reaches the benchmark" if a.reaches_benchmark else "below the benchmark level",
                    source,
                )
            )
        if _in(reference, "air_key_2023", location):
            foreign = [e for e in a.exit if (e.region_code or location)[:2] != location[:2]]
            out.append(
                Check(
                    "no capacity from other provinces into a key region",
                    not foreign,
                    f"{len(foreign)} exit line(s) from other provinces" if foreign else "none",
                    source,
                )
            )
    if a.sector == "aluminium":
        ceiling = reference.rows("policy_parameters", as_of=day, parameter="aluminium_ceiling")
        if ceiling and a.national_capacity_t is not None:
            after = (
                a.national_capacity_t
                + sum(b.capacity_t for b in a.built)
                - sum(e.capacity_t for e in eligible)
            )
            limit = float(ceiling[0]["value"])  # type: ignore[arg-type]
            out.append(
                Check(
                    "national capacity within the ceiling",
                    after <= limit,
                    f"{after:,.0f} t after the project against {limit:,.0f} t",
                    str(ceiling[0]["source_id"]),
                )
            )
        elif ceiling:
            warnings.append(warn("policy.capacity_swap.national_capacity_missing"))
        power = reference.rows("policy_parameters", as_of=day, parameter="aluminium_ac_power_max")
        if power:
            limit = float(power[0]["value"])  # type: ignore[arg-type]
            if a.ac_power_kwh_per_t is None:
                warnings.append(warn("policy.capacity_swap.ac_power_missing", limit=limit))
            else:
                out.append(
                    Check(
                        "AC power consumption within the limit",
                        a.ac_power_kwh_per_t <= limit,
                        f"{a.ac_power_kwh_per_t:g} kWh/t against {limit:g}",
                        str(power[0]["source_id"]),
                    )
                )
            if _in(reference, "air_key_2023", location):
                out.append(
                    Check(
                        "no new aluminium capacity in a key air region",
                        False,
                        "the 2025-2027 plan allows no new capacity in key regions",
                        str(power[0]["source_id"]),
                    )
                )
    return out
