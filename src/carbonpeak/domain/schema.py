"""The types of the documents users write (YAML or JSON: applications, sheets, plans, plants,
scenarios), so that no scalar is silently coerced.

- `Real` is a finite number: YAML `true` is not 1, `.inf` and `.nan` are refused; an integer is
  a real number. A number written as text stays accepted (YAML 1.1 reads `1e6` as text).
- `Whole` is an integer, never a boolean.
- `Flag` is `true` or `false` only (not 1, 0 or "yes" in quotes).
- `Day` is a date in the years FIRST_YEAR..LAST_YEAR (a plausibility bound of the platform's
  data, not a regulation value), written as a date, never a number of seconds.

Each model of a document forbids unknown keys (`Document`), and `problems_of` turns a pydantic
error into problems named by the field's dotted path (`lines.2.volume`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
)

from carbonpeak.errors import Place, Problem

FIRST_YEAR, LAST_YEAR = 1990, 2100
"""The years a period or a date of a document may name (`domain.entities` takes its periods
from here). Not a rule of any text: a plausibility window. It starts
before every base year China's targets are measured from (2005 for the carbon-intensity
targets; the platform's history, CEADs, starts in 1997) and ends with the horizon of the
long-term pathways (IPCC scenarios run to 2100; China's neutrality goal is 2060), so a typo
such as 0001 or 9999 is refused instead of computed."""


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is not a number")
    return value


def _not_number(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
    return value


def _plausible(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"{value} is outside the years {FIRST_YEAR}-{LAST_YEAR}")
    return value


NotBool = BeforeValidator(_not_bool)
"""Refuses `true` and `false` where a number is meant (a `Literal[1, 2, 3]` included)."""
Real = Annotated[float, NotBool, Field(allow_inf_nan=False)]
Whole = Annotated[int, NotBool]
Flag = StrictBool
DAY_PATTERN = (
    r"^(199[0-9]|20[0-9][0-9]|2100)-"  # FIRST_YEAR..LAST_YEAR, declared in the JSON Schema
)
Day = Annotated[
    date,
    BeforeValidator(_not_number),
    AfterValidator(_plausible),
    Field(json_schema_extra={"pattern": DAY_PATTERN}),
]
Year = Annotated[Whole, Field(ge=FIRST_YEAR, le=LAST_YEAR)]


class Document(BaseModel):
    """A model of a document: unknown keys are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


def problems_of(error: ValidationError, prefix: str = "") -> list[Problem]:
    """The problems of a validation error, each at its field's dotted path under `prefix`.
    The members of a union that pydantic names in its path (`function-after[...]`) are left
    out, and of the problems a union gives at one field only the first is kept."""
    out: dict[str | None, Problem] = {}
    found = []
    for e in error.errors():
        parts = [str(p) for p in e["loc"]]
        tagged = [p for p in parts if not _is_member(p)]
        field = ".".join([prefix, *tagged]).strip(".") or None
        problem = Problem(Place(field=field), e["msg"])
        if len(tagged) < len(parts):
            if field in out:
                continue
            out[field] = problem
        found.append(problem)
    return found


def _is_member(part: str) -> bool:
    """Whether a part of a pydantic path names a member of a union, not a key."""
    return part.endswith("]") and "[" in part and not part.startswith("[")
