"""Policy computations on uploaded tables (nothing stored)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carbonpeak.errors import InputError
from carbonpeak.io.tables import place_problems, read_upload
from carbonpeak.policy import INSTRUMENTS
from carbonpeak.reference.loader import default_reference


def track_caps(name: str, content: bytes, target: str) -> dict[str, Any]:
    """The energy-use control of an uploaded regional table against a reference target."""
    caps = INSTRUMENTS["caps"]
    reference = default_reference()
    data = {"target": target, "table": read_upload(name, content, "regions")}
    try:
        tracking = caps.parse(data, reference)
    except InputError as error:  # the table's problems are placed in the uploaded file
        raise InputError(
            [
                p if p.place.field == "target" else place_problems([p], Path(name), "regions")[0]
                for p in error.problems
            ]
        ) from None
    return caps.judge(tracking, reference).as_dict()
