"""Policy computations on uploaded tables (nothing stored)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carbonpeak.errors import CarbonpeakError, InputError, Place, Problem
from carbonpeak.io.tables import place_problems, read_upload
from carbonpeak.policy.energy_caps import Target, check_table, track
from carbonpeak.reference.loader import default_reference


def track_caps(name: str, content: bytes, target: str) -> dict[str, Any]:
    """The energy-use control of an uploaded regional table against a reference target."""
    try:
        chosen = Target.of(default_reference(), target)
    except CarbonpeakError as missing:  # the target code is the caller's input
        raise InputError([Problem(Place(field="target"), str(missing))]) from None
    tidy, problems = check_table(read_upload(name, content, "regions"), chosen.indicator)
    if problems:
        raise InputError(place_problems(problems, Path(name), "regions"))
    return {
        "target": chosen.code,
        "indicator": chosen.indicator,
        "base_year": chosen.base_year,
        "target_year": chosen.target_year,
        "change": chosen.change,
        "source": chosen.source_id,
        "rows": track(tidy, chosen),
    }
