"""Data-quality control plans (数据质量控制方案) of the national carbon market.

A plan is typed, versioned data that mirrors the template of the steel guideline's Annex B
(CETS—AG—03.01—V01—2024): B.1 its versions (版本号, 制定（修订）时间, 首次制定或修订原因, 修订说明),
B.2 the enterprise, B.3 the facilities (名称, 编号, 规格型号, 安装位置, 使用状态 在用/停用) and
B.4 the enterprise-level parameters (排放类型, 参数名称, 单位, 数据获取方式 and its description,
计量器具 名称及型号 / 安装位置 / 监测频次 / 准确度等级 / 规定的检定/校准频次, 数据记录频次,
数据缺失时的处理方式, 数据获取负责部门). The plan's current content is that of its last version.

`requirements` reads the guideline's rows a plan is checked against (`market.plan_checks`
checks it). `diff_plans` lists what a revision added, changed and removed, with the
revision's reason (the audit of a change).

Pure: data and a reference in, results with provenance out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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
