"""Carbon dual control budgets (碳排放预算): budgets cascaded province -> city -> enterprise,
tracked month by month against reported and nowcast use, with early-warning levels.

- `model`: `Budget`, the monthly profile (`month_allowances`); `parsing`: `parse_budgets`;
- `cascade`: `check_cascade`, the rules between a budget and its children;
- `tracking`: `track`, use to date, elapsed and used shares, projected year-end (its typed
  results in `results`: `BudgetTracking`, `BudgetStatus`);
- `alerts`: `levels` from the authority's thresholds (`budget_alert_thresholds`) and
  `crossings`, the alerts raised and cleared between two judgements.
"""

from carbonpeak.policy.budgets.alerts import (
    LEVELS,
    Alert,
    BudgetLevel,
    Threshold,
    crossings,
    levels,
    levels_frame,
)
from carbonpeak.policy.budgets.cascade import check_cascade
from carbonpeak.policy.budgets.model import (
    Budget,
    contains,
    elapsed_share,
    month_allowances,
    month_weights,
    region_prefix,
)
from carbonpeak.policy.budgets.parsing import parse_budgets
from carbonpeak.policy.budgets.tracking import (
    MONTH_FRAME_COLUMNS,
    NOWCAST_COLUMNS,
    OUTPUT_COLUMNS,
    USE_COLUMNS,
    BudgetStatus,
    BudgetTracking,
    track,
)

__all__ = [
    "LEVELS",
    "MONTH_FRAME_COLUMNS",
    "NOWCAST_COLUMNS",
    "OUTPUT_COLUMNS",
    "USE_COLUMNS",
    "Alert",
    "Budget",
    "BudgetLevel",
    "BudgetStatus",
    "BudgetTracking",
    "Threshold",
    "check_cascade",
    "contains",
    "crossings",
    "elapsed_share",
    "levels",
    "levels_frame",
    "month_allowances",
    "month_weights",
    "parse_budgets",
    "region_prefix",
    "track",
]
