"""The application workflow's transition table, every pair of state and action."""

from __future__ import annotations

import itertools

import pytest

from carbonpeak.policy.application_states import (
    ACTIONS,
    STATES,
    TransitionRefused,
    next_state,
)

ALLOWED = {
    ("submitted", "take"): "under_review",
    ("submitted", "approve"): "approved",
    ("submitted", "refuse"): "refused",
    ("under_review", "return"): "returned",
    ("under_review", "approve"): "approved",
    ("under_review", "refuse"): "refused",
    ("returned", "resubmit"): "resubmitted",
}


@pytest.mark.parametrize(("state", "action"), list(itertools.product(STATES, ACTIONS)))
def test_every_transition(state: str, action: str) -> None:
    if (state, action) in ALLOWED:
        assert next_state(state, action) == ALLOWED[(state, action)]
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_state(state, action)
        message = str(refused.value)
        assert f"an application {state} cannot be" in message
        # the message names the states the action is allowed from
        for (s, a), _to in ALLOWED.items():
            if a == action:
                assert s in message


def test_final_states_allow_nothing() -> None:
    for state in ("approved", "refused", "resubmitted"):
        for action in ACTIONS:
            with pytest.raises(TransitionRefused):
                next_state(state, action)


def test_unknown_action_and_state() -> None:
    with pytest.raises(TransitionRefused, match="not one of"):
        next_state("submitted", "delete")
    with pytest.raises(TransitionRefused, match="not a state"):
        next_state("lost", "take")


@pytest.mark.parametrize(("state", "action"), [("submitted", "return"), ("returned", "refuse")])
def test_a_refusal_is_said_in_chinese_with_its_state_names(state: str, action: str) -> None:
    from carbonpeak.errors import Place
    from carbonpeak.i18n import problem_text

    with pytest.raises(TransitionRefused) as refused:
        next_state(state, action)
    problem = refused.value.problem(Place(field="decision"))
    assert problem.message == str(refused.value)  # English, state names as stored
    said = {
        ("submitted", "return"): "已提交的申请不能退回：只有审查中的申请可以",
        ("returned", "refuse"): "已退回的申请不能作出不予批准的决定：只有已提交或审查中的申请可以",
    }
    assert problem_text(problem, "zh_CN") == said[(state, action)]
    assert "under review" in problem_text(problem, "en")  # the state's English name
