"""The review workflow of a policy application, as a provincial department runs it: a pure
transition table, checked before any change is stored.

States: `submitted` (waiting), `under_review` (a reviewer took it), `returned` (sent back to the
applicant with a comment saying what to fix), `resubmitted` (the applicant sent a corrected
version, a new application linked to this one, which starts again as `submitted`), `approved`,
`refused`. A regulator takes, returns, approves or refuses; the applicant resubmits. Approving
or refusing straight from `submitted` stays allowed (a decision without a separate review step,
as before the workflow). Returning needs a comment.
"""

from __future__ import annotations

from typing import Final

from carbonpeak.errors import N_, Place, Problem, Term

STATES: Final = ("submitted", "under_review", "returned", "resubmitted", "approved", "refused")
ACTIONS: Final = ("take", "return", "approve", "refuse", "resubmit")
WAITING: Final = ("submitted", "under_review")  # still to be decided by the regulator

# (from state, action) -> to state; every pair missing here is refused
TRANSITIONS: Final[dict[tuple[str, str], str]] = {
    ("submitted", "take"): "under_review",
    ("submitted", "approve"): "approved",
    ("submitted", "refuse"): "refused",
    ("under_review", "return"): "returned",
    ("under_review", "approve"): "approved",
    ("under_review", "refuse"): "refused",
    ("returned", "resubmit"): "resubmitted",
}
# who may take each action: the regulator's side or the applicant's
BY_REGULATOR: Final = frozenset({"take", "return", "approve", "refuse"})
NEEDS_COMMENT: Final = frozenset({"return"})


class TransitionRefused(ValueError):
    """An action the application's state does not allow; the message says why, from a
    catalogue template (`problem` places it, for the reader's language)."""

    def __init__(self, template: str, *values: object) -> None:
        self.template, self.values = template, values
        super().__init__(template.format(*values))

    def problem(self, place: Place) -> Problem:
        return Problem.of(place, self.template, *self.values)


def next_state(state: str, action: str) -> str:
    """The state `action` leads to from `state`; `TransitionRefused` names the states from
    which the action is allowed when it is not."""
    if action not in ACTIONS:
        raise TransitionRefused(N_("{0!r} is not one of {1}"), action, ", ".join(ACTIONS))
    if state not in STATES:
        raise TransitionRefused(N_("{0!r} is not a state of an application"), state)
    to = TRANSITIONS.get((state, action))
    if to is None:
        allowed = [Term(s) for (s, a) in TRANSITIONS if a == action]
        raise TransitionRefused(REFUSED[action], Term(state), *allowed)
    return to


# an action refused, from the application's state {0}, naming the states that allow it
# ({1}, {2}: as many as TRANSITIONS has, tested)
REFUSED: Final = {
    "take": N_("an application {0} cannot be taken for review: only one {1} can"),
    "return": N_("an application {0} cannot be returned: only one {1} can"),
    "approve": N_("an application {0} cannot be approved: only one {1} or {2} can"),
    "refuse": N_("an application {0} cannot be refused: only one {1} or {2} can"),
    "resubmit": N_("an application {0} cannot be resubmitted: only one {1} can"),
}
