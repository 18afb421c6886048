"""The typed results of budget tracking (policy/budgets/tracking.py): one `BudgetStatus` per
budget, the month rows as a frame, and how each status is assembled with its warnings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.policy.budgets.model import UNITS, Budget

MONTH_STATUSES = ("reported", "nowcast", "incomplete", "missing", "future")
"""A month of a budget: every enterprise reported; every one has a figure, some nowcast; some
have none; none has; after as_of."""


@dataclass(frozen=True)
class BudgetStatus:
    """The summary of one budget as of a day (t CO2 or tce as `unit` says)."""

    budget_id: str
    scope: str
    code: str
    region_code: str | None
    year: int
    quantity: str
    unit: str
    cap: float
    as_of: date
    elapsed_share: float
    """the profile's share of the year elapsed by the end of as_of"""
    judged_share: float
    """the profile's share of the months with a figure (reported or nowcast): what pace and
    projection judge the use to date against (tracking.py)"""
    used_to_date: float
    reported_to_date: float
    nowcast_to_date: float
    nowcast_metered_to_date: float
    """the meters' own part of the nowcast to date (NaN where the nowcast does not say)"""
    nowcast_estimated_to_date: float
    """the nowcast's estimated part to date: filled days and the coverage ratio"""
    used_low: float
    used_high: float
    used_share: float
    projected: float
    projected_low: float
    projected_high: float
    projected_share: float
    intensity_cap: float | None
    intensity_actual: float | None
    denominator_to_date: float | None
    enterprises: int
    months_reported: tuple[str, ...]
    months_nowcast: tuple[str, ...]
    months_missing: tuple[str, ...]
    warnings: tuple[ResultWarning, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        out["months_reported"] = list(self.months_reported)
        out["months_nowcast"] = list(self.months_nowcast)
        out["months_missing"] = list(self.months_missing)
        out["warnings"] = [w.as_dict() for w in self.warnings]
        return _finite(out)


@dataclass(frozen=True)
class BudgetTracking:
    """Budgets tracked as of a day: `months` has one row per budget and month (columns
    `MONTH_FRAME_COLUMNS`), `statuses` one summary per budget in the order given."""

    as_of: date
    months: pd.DataFrame
    statuses: tuple[BudgetStatus, ...]
    reference_rows: tuple[dict[str, Any], ...] = ()
    reference_digest: str = ""
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def status(self, budget_id: str) -> BudgetStatus:
        if not self._index:
            self._index.update({s.budget_id: i for i, s in enumerate(self.statuses)})
        return self.statuses[self._index[budget_id]]

    def summary(self) -> pd.DataFrame:
        """One row per budget: the fields of `BudgetStatus`, warnings as their codes."""
        columns = [f.name for f in fields(BudgetStatus)]
        frame = pd.DataFrame([s.__dict__ for s in self.statuses], columns=columns)
        frame["warnings"] = [[w.code for w in s.warnings] for s in self.statuses]
        return frame

    def as_dict(self) -> dict[str, Any]:
        months = self.months.astype(object).where(self.months.notna(), None)
        return {
            "as_of": self.as_of.isoformat(),
            "budgets": [s.as_dict() for s in self.statuses],
            "months": months.to_dict("records"),
            "provenance": {
                "reference_rows": list(self.reference_rows),
                "reference_digest": self.reference_digest,
            },
        }


MONTH_FRAME_COLUMNS = (
    "budget_id",
    "period",
    "month",
    "allowed",
    "reported",
    "nowcast",
    "used",
    "used_low",
    "used_high",
    "cumulative_allowed",
    "cumulative_used",
    "enterprises_reported",
    "enterprises_nowcast",
    "enterprises_missing",
    "denominator",
    "status",
    "nowcast_metered",
    "nowcast_estimated",
)


def _finite(data: dict[str, Any]) -> dict[str, Any]:
    return {k: None if isinstance(v, float) and not np.isfinite(v) else v for k, v in data.items()}


def statuses(
    budgets: Sequence[Budget],
    as_of: date,
    enterprise_regions: Mapping[str, str],
    caps: np.ndarray,
    shares: tuple[np.ndarray, np.ndarray],
    totals: Mapping[str, np.ndarray],
    projections: tuple[np.ndarray, np.ndarray, np.ndarray],
    counts: np.ndarray,
    status: np.ndarray,
) -> tuple[BudgetStatus, ...]:
    projected, projected_low, projected_high = projections
    elapsed, judged = shares
    used_share = totals["used"] / caps
    projected_share = projected / caps
    out = []
    kinds = np.select(
        [status == "reported", status == "nowcast", np.isin(status, ("missing", "incomplete"))],
        [1, 2, 3],
        default=0,
    ).astype(np.int8)
    lists: dict[tuple[int, bytes], tuple[tuple[str, ...], ...]] = {}
    for i, b in enumerate(budgets):
        pattern = (b.year, kinds[i].tobytes())
        if pattern not in lists:
            periods = [f"{b.year}-{m:02d}" for m in range(1, 13)]
            lists[pattern] = tuple(
                tuple(p for p, k in zip(periods, kinds[i], strict=True) if k == kind)
                for kind in (1, 2, 3)
            )
        reported, nowcast, missing = lists[pattern]
        warnings = []
        region: str | None = b.code
        if b.scope == "region":
            warnings.append(
                warn(
                    "policy.budgets.platform_enterprises_only",
                    budget_id=b.budget_id,
                    region=b.code,
                    enterprises=int(counts[i]),
                )
            )
        else:
            region = enterprise_regions.get(b.code)
        if missing:
            warnings.append(
                warn("policy.budgets.months_missing", budget_id=b.budget_id, months=list(missing))
            )
        intensity_actual = denominator = None
        if b.intensity is not None:
            denominator = float(totals["den"][i])
            if denominator > 0:
                intensity_actual = float(totals["num"][i]) / denominator
            elif elapsed[i] > 0:
                warnings.append(
                    warn(
                        "policy.budgets.denominator_missing",
                        budget_id=b.budget_id,
                        basis=b.basis,
                    )
                )
        out.append(
            BudgetStatus(
                budget_id=b.budget_id,
                scope=b.scope,
                code=b.code,
                region_code=region,
                year=b.year,
                quantity=b.quantity,
                unit=UNITS[b.quantity],
                cap=float(caps[i]),
                as_of=as_of,
                elapsed_share=float(elapsed[i]),
                judged_share=float(judged[i]),
                used_to_date=float(totals["used"][i]),
                reported_to_date=float(totals["reported"][i]),
                nowcast_to_date=float(totals["nowcast"][i]),
                nowcast_metered_to_date=float(totals["nowcast_metered"][i]),
                nowcast_estimated_to_date=float(totals["nowcast_estimated"][i]),
                used_low=float(totals["low"][i]),
                used_high=float(totals["high"][i]),
                used_share=float(used_share[i]),
                projected=float(projected[i]),
                projected_low=float(projected_low[i]),
                projected_high=float(projected_high[i]),
                projected_share=float(projected_share[i]),
                intensity_cap=float(b.intensity) if b.intensity is not None else None,
                intensity_actual=intensity_actual,
                denominator_to_date=denominator,
                enterprises=int(counts[i]),
                months_reported=reported,
                months_nowcast=nowcast,
                months_missing=missing,
                warnings=tuple(warnings),
            )
        )
    return tuple(out)
