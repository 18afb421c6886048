"""The motors of the diagnoses' equipment inventories by GB 18613-2020 grade, against the
national target, and what replacing the grade-3 motors would save.

Shares by group (region rolled up to the prefecture or the province, or industry division,
GB/T 4754 first two digits), by motor count and weighted by rated power (kW): the share of
each grade (1 best, 3 the limit value, `below` under the limit) and the high-efficiency
share, the motors of a grade up to the target's `high_efficiency_grade` (reference table
`motor_efficiency_targets`; the motor plan's in-service target, 工信厅联节〔2021〕45号: ≥ 20 %
by 2023). A motor whose efficiency the
diagnosis did not give (no nameplate, no measurement) has an `unknown` grade: it counts among
the group's motors but in neither share (their denominators are the motors of a known grade:
`coverage` says how many of all) and not in the saving. The share is judged against the
target only on the target's `basis` (count or kw); the motor plan does not say which
(basis `unstated`): both shares are shown and none is judged. The saving of replacing the
grade-3 motors by motors of `to_grade` is the diagnosis's motor calculator's
(`diagnosis.equipment.motor`: rated kW x load x hours x (1/η_now - 1/η_new), η_new the
grade's minimum at the rating), motor by motor, summed; kWh a year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from carbonpeak.diagnosis.equipment import motor
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.green.registry import Grouping, group_code
from carbonpeak.reference.loader import Reference

TARGETS = "motor_efficiency_targets"
GRADES = ("1", "2", "3", "below", "unknown")
BASES = ("count", "kw", "unstated")
# what a share is of, as the pages say it (`_("basis_" + basis)`)
BASIS_NAMES = {"count": N_("basis_count"), "kw": N_("basis_kw")}


@dataclass(frozen=True)
class Motor:
    """A motor of a diagnosis's inventory, with its enterprise's region and industry. `grade`
    as the calculator found it (None: below the limit value); `efficiency_given` False when
    the diagnosis took it at the limit value for want of a nameplate or measured one."""

    enterprise_id: str
    region_code: str
    industry_code: str
    equipment: str
    rated_kw: float
    poles: int
    efficiency: float
    grade: int | None
    load: float
    hours: float
    efficiency_given: bool = True
    year: int | None = None


@dataclass(frozen=True)
class Target:
    """A row of `motor_efficiency_targets` with where it comes from."""

    plan: str
    scope: str
    year: int
    share: float
    high_efficiency_grade: int
    basis: str
    source_id: str
    source: str
    status: str
    note: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def targets(reference: Reference) -> list[Target]:
    """The targets of the library in force, latest year first."""
    out = []
    for record in reference.rows(TARGETS):
        source_id = str(record["source_id"])
        out.append(
            Target(
                plan=str(record["plan"]),
                scope=str(record["scope"]),
                year=int(record["year"]),  # type: ignore[arg-type]
                share=float(record["share"]),  # type: ignore[arg-type]
                high_efficiency_grade=int(record["high_efficiency_grade"]),  # type: ignore[arg-type]
                basis=str(record.get("basis") or "unstated"),
                source_id=source_id,
                source=reference.source(source_id).cite(),
                status=str(record["status"]),
                note=str(record.get("note") or ""),
            )
        )
    return sorted(out, key=lambda t: (-t.year, t.plan))


def in_service_target(reference: Reference, on: date | None = None) -> Target:
    """The in-service target the shares are compared with: the one of the latest year not
    after `on` (the latest of all without `on`, or when all are later)."""
    found = [t for t in targets(reference) if t.scope == "in_service"]
    if not found:
        raise InputError(
            [Problem.of(Place(field=TARGETS), N_("the library holds no in-service motor target"))]
        )
    before = [t for t in found if on is None or t.year <= on.year]
    return (before or found)[0]


@dataclass
class Share:
    """A group's motors: counts and rated kW by grade, the high-efficiency shares (by count,
    by kW, of the motors of a known grade) and whether they reach the target on its basis
    (None: no motor of a known grade, or the basis unstated), the grade-3 motors and the
    saving of replacing them."""

    code: str
    motors: int = 0
    rated_kw: float = 0.0
    count_by_grade: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    kw_by_grade: dict[str, float] = field(default_factory=lambda: dict.fromkeys(GRADES, 0.0))
    high_efficiency_motors: int = 0
    high_efficiency_kw: float = 0.0
    replaced_motors: int = 0
    saving_kwh: float = 0.0
    target_share: float = 0.0
    basis: str = "unstated"

    @property
    def known_motors(self) -> int:
        return self.motors - self.count_by_grade["unknown"]

    @property
    def known_kw(self) -> float:
        return self.rated_kw - self.kw_by_grade["unknown"]

    @property
    def coverage(self) -> float | None:
        """The motors of a known grade over all the group's motors."""
        return self.known_motors / self.motors if self.motors else None

    @property
    def share_by_count(self) -> float | None:
        known = self.known_motors
        return self.high_efficiency_motors / known if known else None

    @property
    def share_by_kw(self) -> float | None:
        known = self.known_kw
        return self.high_efficiency_kw / known if known > 0 else None

    @property
    def meets_target(self) -> bool | None:
        share = {"count": self.share_by_count, "kw": self.share_by_kw}.get(self.basis)
        return None if share is None else share >= self.target_share

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "motors": self.motors,
            "rated_kw": self.rated_kw,
            "known_motors": self.known_motors,
            "known_kw": self.known_kw,
            "coverage": self.coverage,
            "count_by_grade": dict(self.count_by_grade),
            "kw_by_grade": dict(self.kw_by_grade),
            "high_efficiency_motors": self.high_efficiency_motors,
            "high_efficiency_kw": self.high_efficiency_kw,
            "share_by_count": self.share_by_count,
            "share_by_kw": self.share_by_kw,
            "target_share": self.target_share,
            "basis": self.basis,
            "meets_target": self.meets_target,
            "replaced_motors": self.replaced_motors,
            "saving_kwh": self.saving_kwh,
        }


@dataclass
class MotorShares:
    """The shares by group and in all, against the target, with the saving of replacing the
    grade-3 motors by grade-`to_grade` ones."""

    by: Grouping
    target: Target
    to_grade: int
    groups: list[Share]
    total: Share
    warnings: list[ResultWarning]

    def as_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "target": self.target.as_dict(),
            "to_grade": self.to_grade,
            "groups": [g.as_dict() for g in self.groups],
            "total": self.total.as_dict(),
            "warnings": [w.as_dict() for w in self.warnings],
        }


def replacement_saving(reference: Reference, item: Motor, to_grade: int) -> float:
    """kWh a year the diagnosis's motor calculator finds for replacing the motor by one of
    `to_grade` (0 when the motor is already as good)."""
    finding = motor(
        reference,
        item.equipment,
        item.rated_kw,
        item.poles,
        item.load,
        item.hours,
        item.efficiency,
        target_grade=to_grade,
    )
    return sum(
        s.amount
        for p in finding.proposals
        if p.measure == "motor_replacement"
        for s in p.savings
        if s.item == "electricity"
    )


def shares(
    motors: Sequence[Motor],
    reference: Reference,
    by: Grouping,
    *,
    on: date | None = None,
    to_grade: int = 2,
) -> MotorShares:
    """The motors by grade by group, against the in-service target in force on `on`, and the
    saving of replacing the grade-3 motors by grade-`to_grade` ones (1 or 2)."""
    if to_grade not in (1, 2):
        raise InputError([Problem.of(Place(field="to_grade"), N_("replace by grade 1 or 2"))])
    target = in_service_target(reference, on)
    groups: dict[str, Share] = {}
    total = Share("total", target_share=target.share, basis=target.basis)
    for item in motors:
        code = group_code(by, item.region_code, item.industry_code)
        group = groups.setdefault(code, Share(code, target_share=target.share, basis=target.basis))
        known = item.efficiency_given
        grade = "unknown" if not known else "below" if item.grade is None else str(item.grade)
        high = known and item.grade is not None and item.grade <= target.high_efficiency_grade
        replaced = known and item.grade == 3
        saving = replacement_saving(reference, item, to_grade) if replaced else 0.0
        for share in (group, total):
            share.motors += 1
            share.rated_kw += item.rated_kw
            share.count_by_grade[grade] += 1
            share.kw_by_grade[grade] += item.rated_kw
            share.high_efficiency_motors += high
            share.high_efficiency_kw += item.rated_kw if high else 0.0
            share.replaced_motors += replaced
            share.saving_kwh += saving
    warnings: list[ResultWarning] = []
    if target.status != "verified":
        warnings.append(
            warn("green.motors.target_unverified", plan=target.plan, source=target.source)
        )
    if on is not None and target.year < on.year:
        warnings.append(
            warn(
                "green.motors.target_year_past",
                plan=target.plan,
                year=target.year,
                day=on.isoformat(),
            )
        )
    if target.basis not in ("count", "kw"):
        warnings.append(warn("green.motors.basis_unstated", plan=target.plan))
    unknown = [m.equipment for m in motors if not m.efficiency_given]
    if unknown:
        warnings.append(
            warn("green.motors.efficiency_unknown", count=len(unknown), motors=len(motors))
        )
    below = sum(1 for m in motors if m.efficiency_given and m.grade is None)
    if below:
        warnings.append(warn("green.motors.below_limit", count=below))
    return MotorShares(by, target, to_grade, [groups[c] for c in sorted(groups)], total, warnings)


def by_enterprise(motors: Sequence[Motor]) -> dict[str, list[Motor]]:
    """The motors of each enterprise."""
    out: dict[str, list[Motor]] = defaultdict(list)
    for item in motors:
        out[item.enterprise_id].append(item)
    return dict(out)
