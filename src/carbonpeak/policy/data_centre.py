"""Green data centres: PUE from metered energy, its grade under GB 40879-2021 and the policy
targets in force for the data centre's scope and place on a date.

PUE = total facility energy / IT equipment energy over the period (a year of months is the
measurement period the rules use; a shorter one gets a warning). Grades and targets are rows of
`dc_pue_levels` (each with its source and whether the comparison is strict); the national hub
clusters are the `dc_hub_cluster_2022` rows of `policy_regions`. Edge data centres (at most
100 standard racks) are outside GB 40879. The 2019 national green data centre indicator
scored PUE as 80 - 20 x PUE, between 0 and 60.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from carbonpeak.domain.schema import Day, Flag, Real, Whole, problems_of
from carbonpeak.domain.warnings import warn
from carbonpeak.errors import InputError, Place, Problem
from carbonpeak.policy.verdict import Check, Verdict
from carbonpeak.reference.loader import Reference

EDGE_RACKS = 100  # GB 40879-2021 scope: edge data centres of at most 100 racks excluded


class Month(BaseModel):
    model_config = ConfigDict(extra="forbid")
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    total_kwh: Real = Field(gt=0)
    it_kwh: Real = Field(gt=0)

    @model_validator(mode="after")
    def _it_within_total(self) -> Month:
        if self.it_kwh > self.total_kwh:
            raise ValueError("IT energy cannot exceed the total facility energy")
        return self


class DataCentre(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = ""
    region_code: str = Field(pattern=r"^\d{6}$")
    evaluation_date: Day
    racks: Whole = Field(gt=0, description="standard racks (2.5 kW)")
    new_or_expanded: Flag = False
    large: Flag = Field(False, description="a large or ultra-large data centre")
    months: list[Month] = Field(min_length=1)


def parse(data: Any, reference: Reference) -> DataCentre:
    try:
        centre = DataCentre.model_validate(data)
    except ValidationError as error:
        raise InputError(problems_of(error)) from None
    known = {str(r["region_code"]) for r in reference.rows("regions")}
    code = centre.region_code
    if not ({code, code[:4] + "00", code[:2] + "0000"} & known):
        raise InputError([Problem(Place(field="region_code"), f"unknown region code {code!r}")])
    seen: set[str] = set()
    for index, month in enumerate(centre.months):
        if month.month in seen:
            raise InputError(
                [Problem(Place(field=f"months.{index}.month"), f"{month.month} repeats")]
            )
        seen.add(month.month)
    return centre


def judge(centre: DataCentre, reference: Reference) -> Verdict:
    """PUE, its grade, the policy targets that apply and whether each is met."""
    total = sum(m.total_kwh for m in centre.months)
    it = sum(m.it_kwh for m in centre.months)
    pue = total / it
    warnings = []
    if len(centre.months) < 12:
        warnings.append(warn("policy.data_centre.short_period", months=len(centre.months)))
    levels = reference.rows("dc_pue_levels", as_of=centre.evaluation_date)
    grade = None
    if centre.racks <= EDGE_RACKS:
        warnings.append(warn("policy.data_centre.edge", racks_max=EDGE_RACKS))
    else:
        for number in (1, 2, 3):
            row = next((r for r in levels if r["kind"] == f"grade_{number}"), None)
            if row is not None and pue <= float(row["pue_max"]):  # type: ignore[arg-type]
                grade = number
                break
    code = centre.region_code
    hub_codes = {
        str(r["region_code"])
        for r in reference.rows("policy_regions", scheme="dc_hub_cluster_2022")
    }
    in_hub = bool({code, code[:4] + "00", code[:2] + "0000"} & hub_codes)
    scopes = ["national_average"]
    if centre.new_or_expanded and centre.large:
        scopes.append("hub_node" if in_hub else "new_large")
    checks = []
    for row in levels:
        if row["scope"] not in scopes:
            continue
        limit = float(row["pue_max"])  # type: ignore[arg-type]
        strict = row["strict"] == "yes"
        passed = pue < limit if strict else pue <= limit
        scope = str(row["scope"])
        checks.append(
            Check(
                f"{row['kind']}: PUE {'<' if strict else '<='} {limit:g} ({scope})",
                passed,
                f"PUE {pue:.3f}",
                str(row["source_id"]),
                str(row["status"]),
            )
        )
    limit_row = next((r for r in levels if r["kind"] == "grade_3"), None)
    if limit_row is not None and grade is None and centre.racks > EDGE_RACKS:
        checks.append(
            Check(
                "GB 40879 limit value (grade 3)",
                False,
                f"PUE {pue:.3f} above {float(limit_row['pue_max']):g}",  # type: ignore[arg-type]
                str(limit_row["source_id"]),
                str(limit_row["status"]),
            )
        )
    return Verdict(
        all(c.passed for c in checks),
        checks,
        warnings,
        {
            "name": centre.name,
            "pue": round(pue, 4),
            "months": len(centre.months),
            "grade": grade,
            "hub_node": in_hub,
            "green_dc_2019_pue_score": round(max(0.0, min(60.0, 80 - 20 * pue)), 2),
        },
    )
