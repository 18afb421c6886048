"""Early warning (预警) of budgets: a level per budget from the authority's thresholds, and the
alerts raised and cleared when levels change (docs/notes/design18.md "Alerts").

Indicators of a tracked budget (policy/budgets/tracking.py):

    pace       = used_share / judged_share
    projection = projected / cap

`pace` is the use to date against the profile's share of the months with a figure (reported
or nowcast; `judged_share`, tracking.py), not of every day elapsed: a month whose report is
not yet due neither adds use nor counts as elapsed, so the reporting lag does not bias the
pace low (an enterprise steadily 10 % over its profile stays at 1.1 while its last month is
unreported). `projection` carries the recent months' pace over the months not yet judged
(tracking.py), so a budget whose recent months run hot reaches its projection threshold
before its pace one.

Thresholds are rows of `budget_alert_thresholds` (authority_supplied: no national value was
found, 国办发〔2024〕39号 names early warning but no number). For a budget, the rows in force on
`as_of` of every authority whose region contains the budget's region (prefix rule) count, and
for each indicator and level the strictest (lowest) threshold among them applies: an authority
below (a prefecture) may be stricter than the one above it (the province), never laxer, so it
cannot silence the province's early warning on its own budgets. The level is the highest
level (green < yellow < red) whose threshold an indicator reaches (value >= threshold); green
when none is reached; none (and a warning) when no
threshold applies, nothing of the year has elapsed or there is no figure of use to date.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import pandas as pd

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.policy.budgets.model import region_prefix
from carbonpeak.policy.budgets.tracking import BudgetTracking
from carbonpeak.reference.loader import Reference

TABLE = "budget_alert_thresholds"
LEVELS = ("green", "yellow", "red")
"""Alert levels from lowest to highest (绿 / 黄 / 红)."""
INDICATORS = ("pace", "projection")
Level = Literal["green", "yellow", "red"]


@dataclass(frozen=True)
class Threshold:
    """One row of `budget_alert_thresholds` that applied, with where it comes from."""

    authority: str
    quantity: str
    indicator: str
    level: str
    threshold: float
    line: int
    source_id: str
    status: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__, table=TABLE)


@dataclass(frozen=True)
class BudgetLevel:
    """The alert level of one budget as of a day, with the indicator values behind it."""

    budget_id: str
    level: Level | None
    pace: float | None
    projection: float | None
    indicator: str | None
    """the indicator that set the level (yellow or red), else None"""
    value: float | None
    threshold: float | None
    thresholds: tuple[Threshold, ...] = ()
    warnings: tuple[ResultWarning, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "budget_id": self.budget_id,
            "level": self.level,
            "pace": self.pace,
            "projection": self.projection,
            "indicator": self.indicator,
            "value": self.value,
            "threshold": self.threshold,
            "thresholds": [t.as_dict() for t in self.thresholds],
            "warnings": [w.as_dict() for w in self.warnings],
        }


@dataclass(frozen=True)
class Alert:
    """A change of a budget's level: `raised` into a higher level (`level`), or `cleared`
    (`level` is the level cleared, `current` the level fallen to)."""

    budget_id: str
    kind: Literal["raised", "cleared"]
    level: Level
    previous: Level | None
    current: Level | None
    indicator: str | None = None
    value: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _thresholds(reference: Reference, as_of: date) -> dict[tuple[str, str], list[Threshold]]:
    """The rows in force by (quantity, prefix of the authority's region)."""
    out: dict[tuple[str, str], list[Threshold]] = defaultdict(list)
    for r in reference.rows(TABLE, as_of):
        row = Threshold(
            authority=str(r["authority"]),
            quantity=str(r["quantity"]),
            indicator=str(r["indicator"]),
            level=str(r["level"]),
            threshold=float(r["threshold"]),  # type: ignore[arg-type]
            line=r.line,
            source_id=str(r["source_id"]),
            status=str(r["status"]),
        )
        out[(row.quantity, region_prefix(row.authority))].append(row)
    return out


def _applying(
    table: Mapping[tuple[str, str], list[Threshold]], region: str | None, quantity: str
) -> tuple[Threshold, ...]:
    """For each indicator and level, the row with the lowest threshold among the authorities
    whose region contains `region` (the most specific authority's on a tie)."""
    if not region:
        return ()
    strictest: dict[tuple[str, str], Threshold] = {}
    for length in (6, 4, 2):
        for row in table.get((quantity, region[:length]), ()):
            key = (row.indicator, row.level)
            if key not in strictest or row.threshold < strictest[key].threshold:
                strictest[key] = row
    return tuple(strictest[k] for k in sorted(strictest))


def levels(tracking: BudgetTracking, reference: Reference, as_of: date) -> list[BudgetLevel]:
    """The alert level of each tracked budget, in the tracking's order, under the thresholds
    in force on `as_of`."""
    table = _thresholds(reference, as_of)
    out = []
    for s in tracking.statuses:
        pace = s.used_share / s.judged_share if s.judged_share > 0 else math.nan
        projection = s.projected / s.cap if s.cap > 0 else math.nan
        values = {"pace": pace, "projection": projection}
        rows = _applying(table, s.region_code, s.quantity)
        warnings: list[ResultWarning] = []
        level: Level | None = None
        indicator = value = threshold = None
        if not rows:
            warnings.append(
                warn(
                    "policy.budgets.no_alert_thresholds",
                    budget_id=s.budget_id,
                    quantity=s.quantity,
                    region=s.region_code or "unknown",
                )
            )
        elif not s.elapsed_share > 0:
            warnings.append(warn("policy.budgets.nothing_elapsed", budget_id=s.budget_id))
        elif not any(math.isfinite(v) for v in values.values()):
            warnings.append(warn("policy.budgets.no_use", budget_id=s.budget_id))
        else:
            level = "green"
            for row in sorted(rows, key=lambda r: (LEVELS.index(r.level), r.indicator)):
                reached = values[row.indicator]
                higher = LEVELS.index(row.level) > LEVELS.index(level)
                if higher and math.isfinite(reached) and reached >= row.threshold:
                    level = row.level  # type: ignore[assignment]
                    indicator, value, threshold = row.indicator, reached, row.threshold
        out.append(
            BudgetLevel(
                budget_id=s.budget_id,
                level=level,
                pace=_number(pace),
                projection=_number(projection),
                indicator=indicator,
                value=value,
                threshold=threshold,
                thresholds=rows,
                warnings=tuple(warnings),
            )
        )
    return out


def levels_frame(judged: Sequence[BudgetLevel]) -> pd.DataFrame:
    """One row per budget: budget_id, level, pace, projection, indicator, value, threshold."""
    columns = ["budget_id", "level", "pace", "projection", "indicator", "value", "threshold"]
    return pd.DataFrame([{c: getattr(j, c) for c in columns} for j in judged], columns=columns)


def _rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else 0


def crossings(
    previous: Mapping[str, str | None], current: Mapping[str, str | None] | Sequence[BudgetLevel]
) -> list[Alert]:
    """The alerts between two judgements, by budget id: one `raised` alert per rise into a
    higher level (green -> red is one alert, at red), one `cleared` alert per fall (the level
    left); the same level again raises nothing. No level (None) counts as green; a budget
    that was not judged before starts from green."""
    details: dict[str, BudgetLevel] = {}
    if isinstance(current, Mapping):
        now: dict[str, str | None] = dict(current)
    else:
        details = {j.budget_id: j for j in current}
        now = {j.budget_id: j.level for j in current}
    alerts = []
    for budget_id, level in now.items():
        before = previous.get(budget_id)
        rise = _rank(level) - _rank(before)
        if rise == 0:
            continue
        judged = details.get(budget_id)
        alerts.append(
            Alert(
                budget_id=budget_id,
                kind="raised" if rise > 0 else "cleared",
                level=(level if rise > 0 else before),  # type: ignore[arg-type]
                previous=before,  # type: ignore[arg-type]
                current=level,  # type: ignore[arg-type]
                indicator=judged.indicator if judged else None,
                value=judged.value if judged else None,
            )
        )
    return alerts
