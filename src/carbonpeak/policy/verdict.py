"""The one result of a policy judgement: compliant or not, every check with its rule and
source, the warnings, and the instrument's own detail (ratios, PUE, score, ...).

`as_dict()` is the form the store keeps and the surfaces show: the instrument's detail keys as
before, plus `compliant`, `checks` and `warnings` (each warning `{code, message, data}`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from carbonpeak.domain.warnings import ResultWarning, as_record, records


@dataclass(frozen=True)
class Check:
    """One rule checked: whether it passed, what was compared, and its source (a reference
    source id, or `input`); `status` is the reference row's where the instrument gives it."""

    rule: str
    passed: bool
    detail: str
    source: str
    status: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "passed": self.passed,
            "detail": self.detail,
            "source": self.source,
        }
        if self.status is not None:
            out["status"] = self.status
        return out


@dataclass(frozen=True)
class Verdict:
    """`compliant`: True, False, or None when there is nothing to judge."""

    compliant: bool | None
    checks: list[Check] = field(default_factory=list)
    warnings: list[ResultWarning] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.detail,
            "compliant": self.compliant,
            "checks": [c.as_dict() for c in self.checks],
            "warnings": records(self.warnings),
        }


def all_passed(checks: list[Check]) -> bool | None:
    """Compliant when every check passed; None when there is no check."""
    return all(c.passed for c in checks) if checks else None


def stored_compliance(stored: Mapping[str, Any]) -> bool:
    """Whether a verdict in its stored dict form is compliant. Verdicts stored before this
    type carry their instrument's own key instead of `compliant`: two-high screening its
    `verdict`, the green-factory sheet `passes_vetoes`."""
    if "compliant" in stored:
        return bool(stored["compliant"])
    if "verdict" in stored:
        return stored["verdict"] in ("approve", "not screened")
    return bool(stored.get("passes_vetoes"))


def stored_verdict(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A verdict read back from the store, its warnings as records (which read as their
    message, as the bare strings of older verdicts do)."""
    return {**stored, "warnings": [as_record(w) for w in stored.get("warnings", [])]}
