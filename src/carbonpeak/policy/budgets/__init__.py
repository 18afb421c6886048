"""Carbon dual control budgets (碳排放预算): budgets cascaded province -> city -> enterprise,
tracked month by month against reported and nowcast use, with early-warning levels.

- `model`: `Budget`, `parse_budgets`, the monthly profile (`month_allowances`);
- `cascade`: `check_cascade`, the rules between a budget and its children;
- `tracking`: `track`, use to date, elapsed and used shares, projected year-end;
- `alerts`: `levels` from the authority's thresholds (`budget_alert_thresholds`) and
  `crossings`, the alerts raised and cleared between two judgements.
"""
