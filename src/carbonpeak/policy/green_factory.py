"""Green factories: the GB/T 36132-2018 evaluation as a scoring sheet an assessor fills in.

Basic requirements are veto items: one not met fails the factory, and they are not scored.
Each indicator of a section is mandatory (必选: full marks required, else the factory fails)
or optional (可选: scored). A section scores the share of its points obtained; the total is the
sum of the sections' shares weighted by `green_factory_sections` (0-100). The national pass
mark is not known, so the result gives the score, the vetoes and what is missing, not a
rating; an industry sheet extends the general one by adding indicators to its sections.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from carbonpeak.domain.schema import Flag, Real, problems_of
from carbonpeak.domain.warnings import warn
from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.policy.verdict import Check, Verdict
from carbonpeak.reference.loader import Reference


class Basic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str
    met: Flag


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str
    kind: Literal["mandatory", "optional"]
    points: Real = Field(gt=0)
    score: Real | None = Field(default=None, ge=0, description="blank: not assessed yet")

    @model_validator(mode="after")
    def _within_points(self) -> Indicator:
        if self.score is not None and self.score > self.points:
            raise ValueError(f"score {self.score:g} is above the item's {self.points:g} points")
        return self


class Sheet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    factory: str = ""
    edition: str = "GB/T 36132-2018"
    basic: list[Basic] = Field(default_factory=list)
    sections: dict[str, list[Indicator]]


def parse(data: Any, reference: Reference) -> Sheet:
    try:
        sheet = Sheet.model_validate(data)
    except ValidationError as error:
        raise InputError(problems_of(error)) from None
    known = {
        str(r["section"]) for r in reference.rows("green_factory_sections", edition=sheet.edition)
    }
    if not known:
        raise InputError([Problem(Place(field="edition"), f"no sections of {sheet.edition!r}")])
    problems = [
        Problem(
            Place(field=f"sections.{name}"),
            f"not a section of {sheet.edition}: {', '.join(sorted(known))}",
        )
        for name in sheet.sections
        if name not in known
    ]
    if problems:
        raise InputError(problems)
    return sheet


def judge(sheet: Sheet, reference: Reference) -> Verdict:
    """The score, the vetoes (basic requirements not met, mandatory items short of full
    marks), what is still missing, and each section's share. Compliant when nothing vetoes the
    factory (`passes_vetoes`): with no national pass mark the score is not judged; the checks
    are the basic requirements and the mandatory items assessed."""
    sections = reference.rows("green_factory_sections", edition=sheet.edition)
    checks = [Check("basic requirement", b.met, b.item, sheet.edition) for b in sheet.basic]
    vetoes = [f"basic requirement not met: {b.item}" for b in sheet.basic if not b.met]
    missing: list[str] = []
    results = []
    total = 0.0
    for row in sections:
        name = str(row["section"])
        weight = float(row["weight"])  # type: ignore[arg-type]
        items = sheet.sections.get(name, [])
        points = sum(i.points for i in items)
        obtained = sum(i.score or 0.0 for i in items)
        for item in items:
            if item.kind == "mandatory" and item.score is not None:
                checks.append(
                    Check(
                        "mandatory item at full marks",
                        item.score >= item.points,
                        f"{name}: {item.item} {item.score:g} of {item.points:g}",
                        sheet.edition,
                    )
                )
            if item.score is None:
                missing.append(f"{name}: {item.item} not assessed")
            elif item.kind == "mandatory" and item.score < item.points:
                vetoes.append(f"mandatory item short of full marks: {name}: {item.item}")
            elif item.score < item.points:
                missing.append(f"{name}: {item.item} {item.score:g} of {item.points:g}")
        if not items:
            missing.append(f"{name}: no indicators filled in")
        share = obtained / points if points else 0.0
        total += weight * share * 100
        results.append(
            {
                "section": name,
                "name_zh": row["name_zh"],
                "weight": weight,
                "points": points,
                "obtained": obtained,
                "share": round(share, 4),
                "status": row["status"],
            }
        )
    return Verdict(
        not vetoes,
        checks,
        [warn("policy.green_factory.not_a_rating")],
        {
            "factory": sheet.factory,
            "edition": sheet.edition,
            "score": round(total, 2),
            "passes_vetoes": not vetoes,
            "vetoes": vetoes,
            "missing": missing,
            "sections": results,
        },
    )
