"""Typed entities: enterprise, site, production unit, meter and reporting period.

Each validates its codes when it is made (USCC check character, GB/T 2260 region,
GB/T 4754-2017 industry, item codes of the reference catalogue, pint units), so that an entity
that exists is a valid one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from carbonpeak.domain.codes import industry_by_code, region_by_code
from carbonpeak.domain.schema import FIRST_YEAR as FIRST_YEAR  # re-exported
from carbonpeak.domain.schema import LAST_YEAR as LAST_YEAR
from carbonpeak.domain.schema import Real, Whole
from carbonpeak.domain.units import parse_unit
from carbonpeak.domain.uscc import parse_uscc
from carbonpeak.errors import CarbonpeakError, CodeError
from carbonpeak.reference.loader import default_reference


def _item(code: str) -> str:
    if not default_reference().rows("items", item=code):
        raise CodeError(f"unknown item {code!r}: not in the reference table items")
    return code


def _checked(check: Callable[[str], object]) -> AfterValidator:
    """A pydantic validator running a domain check, whose error pydantic names by field."""

    def validate(value: str) -> str:
        try:
            check(value)
        except CarbonpeakError as exc:
            raise ValueError(str(exc)) from None
        return value

    return AfterValidator(validate)


EnterpriseId = Annotated[str, _checked(parse_uscc)]
RegionCode = Annotated[str, _checked(region_by_code)]
IndustryCode = Annotated[str, _checked(industry_by_code)]
ItemCode = Annotated[str, _checked(_item)]
UnitText = Annotated[str, _checked(parse_unit)]


class _Entity(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Enterprise(_Entity):
    """An enterprise, identified by its unified social credit code."""

    enterprise_id: EnterpriseId = Field(description="unified social credit code, GB 32100-2015")
    name: str = Field(min_length=1)
    region_code: RegionCode = Field(description="GB/T 2260 code of where it is registered")
    industry_code: IndustryCode = Field(description="GB/T 4754-2017 code of its main industry")


class Site(_Entity):
    """A site (plant) of an enterprise."""

    site_id: str = Field(min_length=1)
    enterprise_id: EnterpriseId
    name: str = Field(min_length=1)
    region_code: RegionCode


class ProductionUnit(_Entity):
    """A production unit of a site: its process, product and capacity."""

    unit_id: str = Field(min_length=1)
    site_id: str = Field(min_length=1)
    process: str = Field(min_length=1, description="e.g. blast_furnace, clinker_kiln")
    product: ItemCode = Field(description="item code of the product")
    capacity: Real = Field(gt=0)
    capacity_unit: UnitText = Field(description="e.g. t/a, t/d")


class Meter(_Entity):
    """An energy meter of an enterprise."""

    meter_id: str = Field(min_length=1)
    enterprise_id: EnterpriseId
    carrier: ItemCode = Field(description="item code of the metered energy carrier")
    unit: UnitText
    kind: Literal["interval", "cumulative"] = "interval"
    interval_minutes: Whole = Field(default=15, gt=0)


PERIOD_PATTERN = r"^(199[0-9]|20[0-9][0-9]|2100)(-(0[1-9]|1[0-2]))?$"
"""A period (`YYYY` or `YYYY-MM`) within FIRST_YEAR..LAST_YEAR, as a regular expression (the
API declares it in its schema; tests check it against the bounds)."""
YEAR_PATTERN = r"^(199[0-9]|20[0-9][0-9]|2100)$"

_PERIOD = re.compile(r"([0-9]{4})(?:-([0-9]{2}))?")  # ASCII digits only: int() reads others


def period_problem(value: str) -> str | None:
    """Why a text is no period (English, with the value), or None if it is one."""
    match = _PERIOD.fullmatch(value)
    if not match or (match.group(2) and not 1 <= int(match.group(2)) <= 12):
        return f"period {value!r} is not YYYY or YYYY-MM"
    if not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        return f"period {value!r} is outside the years {FIRST_YEAR}-{LAST_YEAR}"
    return None


class ReportingPeriod(_Entity):
    """A reporting period: a year (`YYYY`) or a month (`YYYY-MM`), [start, end)."""

    period: str

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        problem = period_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def month(self) -> int | None:
        return int(self.period[5:7]) if len(self.period) == 7 else None

    @property
    def start(self) -> date:
        return date(self.year, self.month or 1, 1)

    @property
    def end(self) -> date:
        if self.month is None:
            return date(self.year + 1, 1, 1)
        if self.month == 12:
            return date(self.year + 1, 1, 1)
        return date(self.year, self.month + 1, 1)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end
