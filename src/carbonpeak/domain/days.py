"""The day in China: times are stored in UTC and China Standard Time appears only at the edges,
such as the day a page tracks budgets to or a submission is assessed on."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")  # China Standard Time, no daylight saving


def china_today() -> date:
    """Today's date in China Standard Time."""
    return datetime.now(CHINA).date()
