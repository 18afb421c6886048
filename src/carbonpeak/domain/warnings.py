"""Warnings as data: a dotted code, a message and the data behind it.

Results keep their warnings; nothing is only printed. Codes name the package and the cause,
e.g. `accounting.fuel.default_ncv_used` or `accounting.factor.unverified`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ResultWarning:
    """One warning attached to a result."""

    code: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": self.data}
