"""The activity table as the market's accounts take it, checked before they run.

The market's guideline sets some columns aside (a measured value it does not accept is
replaced by its default, `market.methods.prepare`), so a bad value in one of them (text, a
negative number) would never be read, and pass without a word: `checked_activity` checks every
column of the rows as given, as the platform's upload does, and refuses them placed. Lines that
repeat another line in every column are summed by the accounts like any two lines (two equal
deliveries are possible); they are listed in a warning, so that a line entered twice is seen.

Pure: the activity and the reference in; problems raised, warnings out.
"""

from __future__ import annotations

import pandas as pd

from carbonpeak.accounting.activity import check_activity
from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import InputError
from carbonpeak.reference.loader import Reference


def checked_activity(activity: pd.DataFrame, reference: Reference) -> list[ResultWarning]:
    """`InputError` with every problem of the rows as given (the columns the guideline sets
    aside included), else the warning of lines repeated (`market.inputs.repeated_lines`: each
    repeat's row, and the row it repeats)."""
    problems = check_activity(activity, reference)
    if problems:
        raise InputError(problems)
    if activity.empty:
        return []
    columns = [c for c in activity.columns if c != "row"]
    rows = (
        activity["row"].astype(int).tolist()
        if "row" in activity.columns
        else list(range(2, len(activity) + 2))
    )
    text = activity[columns].astype(str).apply(lambda c: c.str.strip())
    first: dict[tuple[str, ...], int] = {}
    repeated: list[str] = []
    for row, values in zip(rows, text.itertuples(index=False, name=None), strict=True):
        if values in first:
            repeated.append(f"{row} = {first[values]}")
        else:
            first[values] = row
    return [warn("market.inputs.repeated_lines", rows=repeated)] if repeated else []
