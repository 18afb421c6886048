"""Data-quality control plans (数据质量控制方案) of the national carbon market.

A plan is typed, versioned data that mirrors the template of the steel guideline's Annex B
(CETS—AG—03.01—V01—2024): B.1 its versions (版本号, 制定（修订）时间, 首次制定或修订原因, 修订说明),
B.2 the enterprise, B.3 the facilities (名称, 编号, 规格型号, 安装位置, 使用状态 在用/停用) and
B.4 the enterprise-level parameters (排放类型, 参数名称, 单位, 数据获取方式 and its description,
计量器具 名称及型号 / 安装位置 / 监测频次 / 准确度等级 / 规定的检定/校准频次, 数据记录频次,
数据缺失时的处理方式, 数据获取负责部门). The plan's current content is that of its last version.

`check_plan` checks a plan against the guideline's rows of the reference library
(`market_plan_requirements`, `market_fuel_classes`, `market_plan_rules`,
`market_meter_classes`): every problem is placed at the Annex B section (`Place.sheet` "B.1",
"B.3", "B.4"), its row (from 1) and field. A sector without requirement rows (cement and
aluminium: their guidelines' texts were not found) is checked for its structure only, with a
warning that names the missing text. `diff_plans` lists what a revision added, changed and
removed, with the revision's reason (the audit of a change).

Pure: data and a reference in, results with provenance out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, Place, Problem
from carbonpeak.reference.loader import Record, Reference

Sector = Literal["steel", "cement", "aluminium"]
EmissionType = Literal["fuel", "carbonate", "electrode", "raw_material", "product", "enterprise"]
ParameterCode = Literal[
    "net_consumption",
    "ncv",
    "carbon_content",
    "quantity",
    "emission_factor",
    "emissions",
    "crude_steel_output",
    "intensity",
]
Acquisition = Literal["measured", "calculated", "design", "default"]
Frequency = Literal[
    "continuous", "every_batch", "daily", "weekly", "monthly", "quarterly", "yearly"
]
Trigger = Literal[
    "facility_change", "better_method", "data_incorrect", "accuracy", "non_compliant", "mee_other"
]
FacilityStatus = Literal["in_use", "stopped"]

# The guideline of each sector's market (docs/notes/ets_sources_2026.md §0, §3, §4): named in
# the warning when its requirements are not in the library.
GUIDELINE_TEXTS: dict[str, str] = {
    "steel": "企业温室气体排放核算与报告指南 钢铁行业 CETS—AG—03.01—V01—2024",
    "cement": "企业温室气体排放核算与报告指南 水泥行业 CETS—AG—02.01—V01—2024",
    "aluminium": "企业温室气体排放核算与报告指南 铝冶炼行业 CETS—AG—04.01—V01—2024",
}

# Which declared monitoring frequencies meet a guideline's least frequency (a requirement row's
# measured_frequency): "at least once a month" is met by monthly or more often; "every batch"
# only by every batch (a batch is not a time span).
MEETS: dict[str, frozenset[str]] = {
    "monthly": frozenset({"continuous", "daily", "weekly", "monthly"}),
    "every_batch": frozenset({"every_batch"}),
}

# The meter annex groups carbonates, electrodes, raw materials and products with the solids.
_SOLID_TYPES = ("carbonate", "electrode", "raw_material", "product", "enterprise")

B1, B2, B3, B4 = "B.1", "B.2", "B.3", "B.4"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanVersion(_Frozen):
    """A row of table B.1: a version of the plan."""

    number: str = Field(min_length=1, description="版本号")
    date: dt.date = Field(description="制定（修订）时间")
    reason: str = Field(default="", description="首次制定或修订原因 (required after the first)")
    trigger: Trigger | None = Field(default=None, description="the case of 9.3 a)-f)")
    description: str = Field(default="", description="修订说明")


class Enterprise(_Frozen):
    """Table B.2, the fields the checks and the platform use."""

    name: str = Field(min_length=1)
    uscc: str = Field(min_length=1, description="统一社会信用代码")
    address: str = ""
    legal_representative: str = ""
    contact: str = Field(default="", description="填报负责人 and their telephone and e-mail")
    industry_code: str = Field(default="", description="企业层级行业分类及代码")


class Facility(_Frozen):
    """A row of the facility table of B.3."""

    name: str = Field(min_length=1, description="设施名称")
    number: str = Field(min_length=1, description="设施编号")
    model: str = Field(default="", description="规格型号")
    location: str = Field(default="", description="安装位置")
    status: FacilityStatus = Field(description="使用状态: 在用 in_use, 停用 stopped")
    process: str = Field(default="", description="the process (工序) the facility belongs to")
    owner: str = Field(default="", description="设施资产所属企业名称")
    remark: str = ""


class ParameterRow(_Frozen):
    """A row of table B.4."""

    emission_type: EmissionType = Field(description="排放类型")
    item: str = Field(default="", description="the fuel, material or product (item code)")
    parameter: ParameterCode = Field(description="参数名称")
    unit: str = Field(default="", description="单位")
    acquisition: Acquisition = Field(description="数据获取方式")
    description: str = Field(default="", description="具体描述 (records, ledgers, templates)")
    meter: str = Field(default="", description="计量器具名称及型号")
    meter_location: str = Field(default="", description="安装位置")
    monitoring_frequency: Frequency | None = Field(default=None, description="监测频次")
    accuracy_class: str = Field(default="", description="准确度等级, e.g. 0.5级")
    calibration_months: int | None = Field(
        default=None, ge=1, description="规定的检定/校准频次, as an interval in months"
    )
    recording_frequency: Frequency | None = Field(default=None, description="数据记录频次")
    missing_data: str = Field(default="", description="数据缺失时的处理方式")
    department: str = Field(default="", description="数据获取负责部门")

    @property
    def key(self) -> tuple[str, str, str]:
        """(emission type, item, parameter); an enterprise row has no item."""
        item = "" if self.emission_type == "enterprise" else self.item
        return (self.emission_type, item, self.parameter)


class QualityPlan(_Frozen):
    """A data-quality control plan of one enterprise for one year; its content is that of its
    last version."""

    enterprise: Enterprise
    sector: Sector
    year: int = Field(ge=2024, le=2100, description="the year the plan is for")
    versions: tuple[PlanVersion, ...] = Field(min_length=1)
    facilities: tuple[Facility, ...] = ()
    parameters: tuple[ParameterRow, ...] = ()
    record_retention_years: float | None = Field(
        default=None, description="how long records and ledgers are kept (9.2)"
    )

    @property
    def version(self) -> PlanVersion:
        return self.versions[-1]

    def row(self, key: tuple[str, str, str]) -> ParameterRow | None:
        for row in self.parameters:
            if row.key == key:
                return row
        return None


@dataclass(frozen=True)
class PlanCheck:
    """The check of a plan: the problems (placed), warnings, the guideline and the reference
    rows it used (table and CSV line)."""

    guideline: str | None
    problems: tuple[Problem, ...]
    warnings: tuple[ResultWarning, ...]
    used: tuple[tuple[str, int], ...]
    digest: str

    @property
    def ok(self) -> bool:
        return not self.problems


# --------------------------------------------------------------------------------------------
# Reading the requirement rows


@dataclass(frozen=True)
class Requirements:
    """The guideline's rows for a sector and year."""

    guideline: str | None
    rows: tuple[Record, ...]
    fuel_classes: dict[str, str]
    rules: dict[str, Record]
    meters: tuple[Record, ...]
    evidence_items: tuple[Record, ...]

    def find(self, emission_type: str, item: str, parameter: str) -> Record | None:
        """The requirement row of a plan row: its item's class first, then `any`."""
        item_class = self.fuel_classes.get(item) if emission_type == "fuel" else None
        for wanted in (item_class, "any"):
            for row in self.rows:
                if (
                    row["emission_type"] == emission_type
                    and row["parameter"] == parameter
                    and row["item_class"] == wanted
                ):
                    return row
        return None


def requirements(reference: Reference, sector: str, year: int) -> Requirements:
    """The requirement rows of `sector`'s guideline in force on 1 January of `year`."""
    rows = reference.rows("market_plan_requirements", as_of=dt.date(year, 1, 1), sector=sector)
    guidelines = sorted({str(r["guideline"]) for r in rows})
    guideline = guidelines[-1] if guidelines else None
    rows = [r for r in rows if r["guideline"] == guideline]
    if guideline is None:
        return Requirements(None, (), {}, {}, (), ())
    classes = {
        str(r["item"]): str(r["fuel_class"])
        for r in reference.rows("market_fuel_classes", guideline=guideline)
    }
    rules = {str(r["rule"]): r for r in reference.rows("market_plan_rules", guideline=guideline)}
    meters = tuple(reference.rows("market_meter_classes", guideline=guideline))
    items = tuple(reference.rows("market_evidence_items", guideline=guideline))
    return Requirements(guideline, tuple(rows), classes, rules, meters, items)


# --------------------------------------------------------------------------------------------
# The check


def _medium(row: ParameterRow, reqs: Requirements) -> str | None:
    if row.emission_type in _SOLID_TYPES:
        return "solid"
    fuel_class = reqs.fuel_classes.get(row.item)
    if fuel_class is None:
        return None
    return "solid" if fuel_class == "coke" else fuel_class


def _g(number: float) -> str:
    """A number as the messages show it (12, 0.5)."""
    return f"{number:g}"


def _accuracy(text: str) -> float | None:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:级|%)?\s*", text)
    return float(match.group(1)) if match else None


def check_plan(
    plan: QualityPlan,
    sector: str,
    year: int,
    reference: Reference,
    previous: QualityPlan | None = None,
) -> PlanCheck:
    """Every problem of `plan` against the guideline of `sector` for `year`: versions (a later
    version without a reason, dates out of order), facilities (numbers repeated), parameters
    (a required source or parameter missing, an acquisition mode or frequency the guideline
    does not allow, a meter calibrated less often or of a lower class than it asks, rows
    repeated), records kept too short a time. With `previous` (the plan's earlier version of
    the same year), a parameter the guideline fixes for the year may not change its mode, and
    a measured one may not go back to the default."""
    problems: list[Problem] = []
    warnings: list[ResultWarning] = []
    used: list[tuple[str, int]] = []

    if plan.sector != sector:
        problems.append(
            Problem.of(
                Place(sheet=B2, field="sector"),
                N_("the plan is for sector {} but is checked as {}"),
                plan.sector,
                sector,
            )
        )
    if plan.year != year:
        problems.append(
            Problem.of(
                Place(sheet=B2, field="year"),
                N_("the plan is for {} but is checked for {}"),
                plan.year,
                year,
            )
        )
    problems += _check_versions(plan)
    problems += _check_facilities(plan)

    reqs = requirements(reference, sector, year)
    if reqs.guideline is None:
        warnings.append(
            warn(
                "market.plans.guideline_not_in_library",
                sector=sector,
                guideline=GUIDELINE_TEXTS.get(sector, sector),
            )
        )
        problems += _check_duplicates(plan)
        return PlanCheck(None, tuple(problems), tuple(warnings), (), reference.digest)

    problems += _check_duplicates(plan)
    problems += _check_sources(plan, reqs, used)
    unlisted = _not_in_guideline(plan, reference, reqs.guideline)
    if unlisted:
        warnings.append(warn("market.plans.not_in_guideline", items=unlisted))
    for number, row in enumerate(plan.parameters, 1):
        problems += _check_row(number, row, reqs, used)
    problems += _check_retention(plan, reqs, used)
    if previous is not None:
        problems += _check_fixed(plan, previous, reqs)
    return PlanCheck(
        reqs.guideline, tuple(problems), tuple(warnings), tuple(sorted(set(used))), reference.digest
    )


def _check_versions(plan: QualityPlan) -> list[Problem]:
    out = []
    seen: set[str] = set()
    for number, version in enumerate(plan.versions, 1):
        if version.number in seen:
            out.append(
                Problem.of(
                    Place(sheet=B1, row=number, field="number"),
                    N_("version {} appears twice"),
                    version.number,
                )
            )
        seen.add(version.number)
        if number > 1 and not version.reason.strip():
            out.append(
                Problem.of(
                    Place(sheet=B1, row=number, field="reason"),
                    N_("version {} revises the plan without a reason (9.3 lists the cases)"),
                    version.number,
                )
            )
        if number > 1 and version.date < plan.versions[number - 2].date:
            out.append(
                Problem.of(
                    Place(sheet=B1, row=number, field="date"),
                    N_("version {} is dated {}, before the version it revises"),
                    version.number,
                    version.date.isoformat(),
                )
            )
    return out


def _check_facilities(plan: QualityPlan) -> list[Problem]:
    out = []
    seen: set[str] = set()
    for number, facility in enumerate(plan.facilities, 1):
        if facility.number in seen:
            out.append(
                Problem.of(
                    Place(sheet=B3, row=number, field="number"),
                    N_("facility number {} appears twice"),
                    facility.number,
                )
            )
        seen.add(facility.number)
    return out


def _check_duplicates(plan: QualityPlan) -> list[Problem]:
    out = []
    first: dict[tuple[str, str, str], int] = {}
    for number, row in enumerate(plan.parameters, 1):
        if row.key in first:
            out.append(
                Problem.of(
                    Place(sheet=B4, row=number, field="parameter"),
                    N_("{} of {} is already in row {}"),
                    row.parameter,
                    row.item or row.emission_type,
                    first[row.key],
                )
            )
        else:
            first[row.key] = number
        if row.emission_type != "enterprise" and not row.item.strip():
            out.append(
                Problem.of(
                    Place(sheet=B4, row=number, field="item"),
                    N_("a {} row must name its fuel, material or product"),
                    row.emission_type,
                )
            )
    return out


def _check_sources(
    plan: QualityPlan, reqs: Requirements, used: list[tuple[str, int]]
) -> list[Problem]:
    """Each source the plan declares has every required parameter; the enterprise rows are
    always required; a fuel must be one of the guideline's fuels."""
    out = []
    sources: dict[tuple[str, str], int] = {}
    for number, row in enumerate(plan.parameters, 1):
        if row.emission_type != "enterprise":
            sources.setdefault((row.emission_type, row.item), number)
    sources_needed = list(sources.items())
    for (emission_type, item), number in sources_needed:
        if emission_type == "fuel" and item not in reqs.fuel_classes:
            out.append(
                Problem.of(
                    Place(sheet=B4, row=number, field="item"),
                    N_(
                        "{} is not a fuel of the guideline's default table "
                        "(market_fuel_classes): its carbon content has no default"
                    ),
                    item,
                )
            )
            continue
        for parameter in _required_parameters(reqs, emission_type, item):
            requirement = reqs.find(emission_type, item, parameter)
            if requirement is None or plan.row((emission_type, item, parameter)) is not None:
                continue
            used.append(("market_plan_requirements", requirement.line))
            out.append(
                Problem.of(
                    Place(sheet=B4, row=number, field="parameter"),
                    N_("{} has no {} row (the guideline requires it: {})"),
                    item,
                    parameter,
                    requirement["clause"],
                )
            )
    for requirement in reqs.rows:
        if requirement["emission_type"] != "enterprise" or requirement["required"] != "yes":
            continue
        key = ("enterprise", "", str(requirement["parameter"]))
        if plan.row(key) is None:
            used.append(("market_plan_requirements", requirement.line))
            out.append(
                Problem.of(
                    Place(sheet=B4, field="parameter"),
                    N_("the plan has no {} row of the enterprise (the guideline requires it: {})"),
                    requirement["parameter"],
                    requirement["clause"],
                )
            )
    return out


def _not_in_guideline(plan: QualityPlan, reference: Reference, guideline: str) -> list[str]:
    """The carbonates, electrodes, raw materials and products of the plan without a factor of
    the guideline (process_emission_factors of the process and product bases its
    market_methods row names, else of the guideline's code): 6.2.4 does not account them."""
    method = next(
        (
            r
            for r in reference.rows("market_methods", as_of=dt.date(plan.year, 1, 1))
            if r["method"] == guideline
        ),
        None,
    )
    bases = {
        "product": str(method["product_basis"]) if method else guideline,
        "other": str(method["process_basis"]) if method else guideline,
    }
    listed = {
        kind: {str(r["item"]) for r in reference.rows("process_emission_factors", basis=basis)}
        for kind, basis in bases.items()
    }
    out: list[str] = []
    for row in plan.parameters:
        if row.emission_type in ("fuel", "enterprise") or row.item in out:
            continue
        if row.item not in listed["product" if row.emission_type == "product" else "other"]:
            out.append(row.item)
    return out


def _required_parameters(reqs: Requirements, emission_type: str, item: str) -> list[str]:
    item_class = reqs.fuel_classes.get(item) if emission_type == "fuel" else None
    out = []
    for row in reqs.rows:
        if (
            row["emission_type"] == emission_type
            and row["required"] == "yes"
            and row["item_class"] in ("any", item_class)
            and row["parameter"] not in out
        ):
            out.append(str(row["parameter"]))
    return out


def _check_row(
    number: int, row: ParameterRow, reqs: Requirements, used: list[tuple[str, int]]
) -> list[Problem]:
    out: list[Problem] = []
    label = row.item or row.emission_type

    def place(field: str) -> Place:
        return Place(sheet=B4, row=number, field=field)

    requirement = reqs.find(row.emission_type, row.item, row.parameter)
    if requirement is None:
        if row.emission_type == "fuel" and row.item not in reqs.fuel_classes:
            return out  # the unknown fuel is reported once, by _check_sources
        out.append(
            Problem.of(
                place("parameter"),
                N_("the guideline has no parameter {} for {} ({})"),
                row.parameter,
                label,
                row.emission_type,
            )
        )
        return out
    used.append(("market_plan_requirements", requirement.line))
    allowed = str(requirement["acquisition"]).split()
    clause = requirement["clause"]
    if row.acquisition not in allowed:
        out.append(
            Problem.of(
                place("acquisition"),
                N_("{} of {}: the guideline allows {} ({}), not {}"),
                row.parameter,
                label,
                " / ".join(allowed),
                clause,
                row.acquisition,
            )
        )
    least = requirement.get("measured_frequency")
    if row.acquisition == "measured" and least:
        if row.monitoring_frequency is None:
            out.append(
                Problem.of(
                    place("monitoring_frequency"),
                    N_("{} of {} is measured: give its monitoring frequency ({}: {})"),
                    row.parameter,
                    label,
                    clause,
                    least,
                )
            )
        elif row.monitoring_frequency not in MEETS[str(least)]:
            out.append(
                Problem.of(
                    place("monitoring_frequency"),
                    N_("{} of {} is measured {}; the guideline asks {} ({})"),
                    row.parameter,
                    label,
                    row.monitoring_frequency,
                    least,
                    clause,
                )
            )
    out += _check_meter(row, reqs, used, place)
    return out


def _check_meter(
    row: ParameterRow,
    reqs: Requirements,
    used: list[tuple[str, int]],
    place: Callable[[str], Place],
) -> list[Problem]:
    out: list[Problem] = []
    if not row.meter.strip():
        return out
    limit = reqs.rules.get("calibration_interval_max")
    if limit is not None:
        used.append(("market_plan_rules", limit.line))
        months = float(limit["value"])  # type: ignore[arg-type]
        if row.calibration_months is None:
            out.append(
                Problem.of(
                    place("calibration_months"),
                    N_(
                        "meter {} has no verification or calibration interval "
                        "({}: at most {} months)"
                    ),
                    row.meter,
                    limit["clause"],
                    _g(months),
                )
            )
        elif row.calibration_months > months:
            out.append(
                Problem.of(
                    place("calibration_months"),
                    N_(
                        "meter {} is calibrated every {} months; the guideline asks at most {} ({})"
                    ),
                    row.meter,
                    row.calibration_months,
                    _g(months),
                    limit["clause"],
                )
            )
    medium = _medium(row, reqs)
    kinds = [m for m in reqs.meters if m["medium"] == medium and str(m["meter"]) in row.meter]
    if not kinds:
        return out
    kind = max(kinds, key=lambda m: len(str(m["meter"])))
    required = kind.get("accuracy_class")
    if not isinstance(required, float):
        return out
    used.append(("market_meter_classes", kind.line))
    declared = _accuracy(row.accuracy_class)
    if declared is None:
        out.append(
            Problem.of(
                place("accuracy_class"),
                N_("meter {}: give its accuracy class (the guideline asks {} or better)"),
                row.meter,
                _g(required),
            )
        )
    elif declared > required:
        out.append(
            Problem.of(
                place("accuracy_class"),
                N_("meter {} is of class {}; the guideline asks {} or better for a {}"),
                row.meter,
                _g(declared),
                _g(required),
                kind["meter"],
            )
        )
    return out


def _check_retention(
    plan: QualityPlan, reqs: Requirements, used: list[tuple[str, int]]
) -> list[Problem]:
    rule = reqs.rules.get("record_retention_min")
    if rule is None or plan.record_retention_years is None:
        return []
    used.append(("market_plan_rules", rule.line))
    years = float(rule["value"])  # type: ignore[arg-type]
    if plan.record_retention_years >= years:
        return []
    return [
        Problem.of(
            Place(sheet="B.6", field="record_retention_years"),
            N_("records are kept {} years; the guideline asks at least {} ({})"),
            _g(plan.record_retention_years),
            _g(years),
            rule["clause"],
        )
    ]


def _check_fixed(plan: QualityPlan, previous: QualityPlan, reqs: Requirements) -> list[Problem]:
    out: list[Problem] = []
    if previous.year != plan.year:
        return out
    for number, row in enumerate(plan.parameters, 1):
        requirement = reqs.find(row.emission_type, row.item, row.parameter)
        if requirement is None or requirement.get("fixed_for_year") != "yes":
            continue
        before = previous.row(row.key)
        if before is None or before.acquisition == row.acquisition:
            continue
        out.append(
            Problem.of(
                Place(sheet=B4, row=number, field="acquisition"),
                N_(
                    "{} of {} was {} in version {}: the guideline fixes the mode for the year, "
                    "and a measured value does not go back to the default ({})"
                ),
                row.parameter,
                row.item,
                before.acquisition,
                previous.version.number,
                requirement["clause"],
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Revisions


@dataclass(frozen=True)
class RowChange:
    """A B.4 row changed by a revision: the fields with their old and new values."""

    key: tuple[str, str, str]
    fields: tuple[tuple[str, object, object], ...]


@dataclass(frozen=True)
class PlanDiff:
    """What a revision changed, with the version and the reason it gives."""

    from_version: str
    to_version: str
    reason: str
    trigger: str | None
    added: tuple[ParameterRow, ...]
    removed: tuple[ParameterRow, ...]
    changed: tuple[RowChange, ...]
    facilities_added: tuple[Facility, ...]
    facilities_removed: tuple[Facility, ...]
    facilities_changed: tuple[tuple[str, tuple[tuple[str, object, object], ...]], ...]

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.facilities_added
            or self.facilities_removed
            or self.facilities_changed
        )


def _fields(old: BaseModel, new: BaseModel) -> tuple[tuple[str, object, object], ...]:
    a, b = old.model_dump(), new.model_dump()
    return tuple((name, a[name], b[name]) for name in a if a[name] != b[name])


def diff_plans(old: QualityPlan, new: QualityPlan) -> PlanDiff:
    """The parameter rows (by emission type, item and parameter) and the facilities (by number)
    that `new` added, removed and changed from `old`, with `new`'s version and reason."""
    old_rows = {r.key: r for r in old.parameters}
    new_rows = {r.key: r for r in new.parameters}
    changed = tuple(
        RowChange(key, _fields(old_rows[key], row))
        for key, row in new_rows.items()
        if key in old_rows and old_rows[key] != row
    )
    old_fac = {f.number: f for f in old.facilities}
    new_fac = {f.number: f for f in new.facilities}
    return PlanDiff(
        from_version=old.version.number,
        to_version=new.version.number,
        reason=new.version.reason,
        trigger=new.version.trigger,
        added=tuple(r for k, r in new_rows.items() if k not in old_rows),
        removed=tuple(r for k, r in old_rows.items() if k not in new_rows),
        changed=changed,
        facilities_added=tuple(f for n, f in new_fac.items() if n not in old_fac),
        facilities_removed=tuple(f for n, f in old_fac.items() if n not in new_fac),
        facilities_changed=tuple(
            (n, _fields(old_fac[n], f))
            for n, f in new_fac.items()
            if n in old_fac and old_fac[n] != f
        ),
    )
