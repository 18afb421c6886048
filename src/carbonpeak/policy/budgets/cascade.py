"""The cascade of budgets: province -> city -> enterprise (国办发〔2024〕39号 asks provinces and
cities to build budget management; docs/notes/design18.md "Cascade").

A child budget names its parent (`parent_id`). The rules between them:

- the parent exists, and following parents never comes back to a budget (no cycles);
- a child has the year and the quantity of its parent;
- a region child lies inside its parent region (prefix rule: 130000 covers 13xxxx, 130200
  covers 1302xx); an enterprise child's region (from `enterprise_regions`) too;
- an enterprise budget has no children;
- the children's implied caps sum to at most the parent's implied cap x (1 - reserve),
  with a relative tolerance of 1e-9 for rounding.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

from carbonpeak.errors import N_, Place, Problem
from carbonpeak.policy.budgets.model import Budget, contains

TOLERANCE = 1e-9
"""Relative rounding tolerance of the sum of the children against the parent's limit."""


def _at(budget: Budget, field: str) -> Place:
    """A budget's field, as a dotted path `budget_id.field` (the budget id may hold dots:
    split at the last one)."""
    return Place(field=f"{budget.budget_id}.{field}")


def check_cascade(
    budgets: Iterable[Budget], enterprise_regions: Mapping[str, str]
) -> list[Problem]:
    """Every problem of the cascade, each placed at the budget and field it concerns
    (`Place.field` is `budget_id.field`); an empty list when the cascade holds.
    `enterprise_regions` maps an enterprise's USCC to its GB/T 2260 region code."""
    by_id = {b.budget_id: b for b in budgets}
    problems: list[Problem] = []
    children: dict[str, list[Budget]] = defaultdict(list)
    for b in by_id.values():
        if b.parent_id is None:
            continue
        parent = by_id.get(b.parent_id)
        if parent is None:
            problems.append(
                Problem.of(
                    _at(b, "parent_id"), N_("parent budget {!r} does not exist"), b.parent_id
                )
            )
            continue
        children[parent.budget_id].append(b)
        problems += _pair_problems(parent, b, enterprise_regions)
    problems += _cycle_problems(by_id)
    for parent_id, kids in children.items():
        parent = by_id[parent_id]
        total = sum(k.implied_cap for k in kids)
        limit = parent.implied_cap * (1 - parent.reserve)
        if not math.isfinite(total) or total > limit * (1 + TOLERANCE):  # inf > inf is false
            problems.append(
                Problem.of(
                    _at(parent, "cap"),
                    N_(
                        "the children of budget {} sum to {}, above its limit {} "
                        "(cap x (1 - reserve)) by {}"
                    ),
                    parent.budget_id,
                    f"{total:.6g}",
                    f"{limit:.6g}",
                    f"{total - limit:.6g}",
                )
            )
    return problems


def _pair_problems(
    parent: Budget, child: Budget, enterprise_regions: Mapping[str, str]
) -> list[Problem]:
    problems = []
    if parent.scope == "enterprise":
        problems.append(
            Problem.of(
                _at(child, "parent_id"),
                N_("budget {} is an enterprise's: an enterprise budget has no children"),
                parent.budget_id,
            )
        )
    if child.year != parent.year:
        problems.append(
            Problem.of(
                _at(child, "year"),
                N_("the year {} differs from the parent's, {}"),
                child.year,
                parent.year,
            )
        )
    if child.quantity != parent.quantity:
        problems.append(
            Problem.of(
                _at(child, "quantity"),
                N_("the quantity {} differs from the parent's, {}"),
                child.quantity,
                parent.quantity,
            )
        )
    if parent.scope == "region":
        if child.scope == "region" and not contains(parent.code, child.code):
            problems.append(
                Problem.of(
                    _at(child, "code"),
                    N_("region {} is not inside the parent region {}"),
                    child.code,
                    parent.code,
                )
            )
        elif child.scope == "enterprise":
            region = enterprise_regions.get(child.code)
            if region is None:
                problems.append(
                    Problem.of(
                        _at(child, "code"),
                        N_("the region of enterprise {} is not known"),
                        child.code,
                    )
                )
            elif not contains(parent.code, region):
                problems.append(
                    Problem.of(
                        _at(child, "code"),
                        N_("enterprise {} is in region {}, not inside the parent region {}"),
                        child.code,
                        region,
                        parent.code,
                    )
                )
    return problems


def _cycle_problems(by_id: Mapping[str, Budget]) -> list[Problem]:
    """One problem per cycle of parents, at its smallest budget id."""
    problems = []
    done: set[str] = set()
    for start in sorted(by_id):
        path: list[str] = []
        seen: set[str] = set()
        current: str | None = start
        while current is not None and current in by_id and current not in done:
            if current in seen:
                cycle = path[path.index(current) :]
                first = min(cycle)
                problems.append(
                    Problem.of(
                        _at(by_id[first], "parent_id"),
                        N_("the parents form a cycle: {}"),
                        " -> ".join([*cycle, cycle[0]]),
                    )
                )
                break
            seen.add(current)
            path.append(current)
            current = by_id[current].parent_id
        done.update(path)
    return problems
