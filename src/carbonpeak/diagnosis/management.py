"""Energy management: the plant's answers on each clause of the energy management system
standard (ISO 50001:2018, adopted as GB/T 23331-2020; `enms_clauses`) scored, and its metering
coverage by level and energy type after the definition of GB 17167: coverage (配备率) =
meters installed / meters required to measure every energy quantity x 100 %.

Score: yes 1, partly 0.5, no 0, every clause weighing the same (the project's choice: the
standard sets no weights); the score is over the clauses answered, and the share answered is
reported beside it. The required coverage rates of GB 17167 Table 1 were not found in a readable
source, so coverage is reported without a verdict against them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from carbonpeak.domain.schema import Whole
from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.reference.loader import Reference

STANDARD = "ISO 50001:2018"
POINTS = {"yes": 1.0, "partly": 0.5, "no": 0.0}
Answer = Literal["yes", "partly", "no"]


class MeterCount(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    level: Literal["unit", "sub_unit", "equipment"] = Field(
        description="进出用能单位, 进出主要次级用能单位, 主要用能设备"
    )
    energy: str = Field(min_length=1, max_length=40)
    required: Whole = Field(ge=1)
    installed: Whole = Field(ge=0)

    @model_validator(mode="after")
    def _count(self) -> MeterCount:
        if self.installed > self.required:
            raise ValueError(
                "installed is above required: count only meters of a required quantity"
            )
        return self


def checklist(reference: Reference, answers: dict[str, Answer]) -> dict[str, Any]:
    """The score (0-100) over the answered clauses, the share answered, and the gaps."""
    clauses = reference.frame("enms_clauses")
    clauses = clauses[clauses["standard"] == STANDARD]
    titles = dict(zip(clauses["clause"], clauses["title"], strict=True))
    unknown = sorted(set(answers) - set(titles))
    if unknown:
        raise InputError(
            [
                Problem(Place(field=f"management.{c}"), f"no clause {c} in {STANDARD}")
                for c in unknown
            ]
        )
    points = [POINTS[a] for a in answers.values()]
    return {
        "standard": f"{STANDARD} (GB/T 23331-2020)",
        "score": 100 * sum(points) / len(points) if points else None,
        "answered": len(answers) / len(titles),
        "gaps": [
            {"clause": c, "title": titles[c], "answer": answers[c]}
            for c in titles
            if answers.get(c) in ("no", "partly")
        ],
        "not_answered": [c for c in titles if c not in answers],
    }


def metering(meters: list[MeterCount]) -> dict[str, Any]:
    """Coverage by level and energy type, and over each level."""
    rows: list[dict[str, Any]] = [
        {
            "level": m.level,
            "energy": m.energy,
            "required": m.required,
            "installed": m.installed,
            "coverage": m.installed / m.required,
        }
        for m in meters
    ]
    levels = {}
    for level in ("unit", "sub_unit", "equipment"):
        mine = [m for m in meters if m.level == level]
        if mine:
            levels[level] = sum(m.installed for m in mine) / sum(m.required for m in mine)
    return {
        "rows": rows,
        "levels": levels,
        "verdict": None,
        "note": "GB 17167 Table 1 (required coverage by level) is not in the reference: "
        "coverage is reported without a verdict",
    }
