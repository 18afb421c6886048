"""Budgets from tables: rows (mappings or a DataFrame with the fields of `Budget` as columns)
read into `Budget`s with every problem placed by row and field at once (model.py holds the
budget itself; this module was split from it when it passed 400 lines)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from carbonpeak.domain.schema import problems_of
from carbonpeak.domain.uscc import invalid_usccs
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.policy.budgets.model import REGION_CODE, Budget, consistency
from carbonpeak.reference.loader import Reference

_IDS = ("budget_id", "code", "parent_id", "item")


def _cell(name: str, value: Any) -> Any:
    """A cell of a table as the model reads it: blanks and NaN absent, codes as text, shares
    from a list or from text separated by commas, semicolons or spaces."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if name in _IDS and isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    if name == "shares" and isinstance(value, str):
        parts = [p for p in re.split(r"[,;\s]+", value.strip("[]() ")) if p]
        return parts
    return value


def _rows(rows: Sequence[Mapping[str, Any]] | pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    """Each row with its number: a `row` column if given, else the spreadsheet row of a frame
    (header on row 1) or the 1-based position in a list. Blank cells are left out (the
    field's default applies)."""
    records: list[dict[str, Any]]
    if isinstance(rows, pd.DataFrame):
        records = [{str(k): v for k, v in r.items()} for r in rows.to_dict("records")]
        start = 2
    else:
        records = [dict(r) for r in rows]
        start = 1
    out = []
    for position, record in enumerate(records):
        number = record.pop("row", None)
        line = int(number) if number is not None and not pd.isna(number) else position + start
        cells = {str(k): _cell(str(k), v) for k, v in record.items()}
        out.append((line, {k: v for k, v in cells.items() if v is not None}))
    return out


def parse_budgets(
    rows: Sequence[Mapping[str, Any]] | pd.DataFrame, reference: Reference
) -> list[Budget]:
    """Budgets from rows (mappings or a DataFrame with the fields of `Budget` as columns);
    `InputError` naming every problem by row and field at once: fields of the wrong type or
    out of range, inconsistent budgets, region codes not in the regions table, invalid
    USCCs, items that are not products, budget ids given twice and budgets of the same
    scope, code, year and quantity (overlapping periods)."""
    problems: list[Problem] = []
    parsed: list[tuple[int, Budget]] = []
    records = _rows(rows)
    for line, record in records:
        try:
            budget = Budget.model_validate(record, context={"defer": True})
        except ValidationError as error:
            for p in problems_of(error):
                problems.append(Problem(Place(row=line, field=p.place.field), p.message))
            continue
        for field, p in consistency(budget):
            problems.append(Problem(Place(row=line, field=field), p.message, p.template, p.values))
        parsed.append((line, budget))
    seen = {(p.place.row, p.place.field) for p in problems}
    more = _reference_problems(records, reference) + _duplicate_problems(records, parsed)
    problems += [p for p in more if (p.place.row, p.place.field) not in seen]
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.place.row or 0, p.place.field or "")))
    return [b for _, b in parsed]


def _reference_problems(
    records: list[tuple[int, dict[str, Any]]], reference: Reference
) -> list[Problem]:
    """Codes and items against the reference tables, read from the rows as given (so that a
    row refused for another field still has its code checked)."""
    problems = []
    known = {str(r["region_code"]) for r in reference.rows("regions")}
    products = {str(r["item"]) for r in reference.rows("items", category="product")}
    firms = [
        r["code"]
        for _, r in records
        if r.get("scope") == "enterprise"
        and isinstance(r.get("code"), str)
        and len(r["code"]) == 18
    ]
    bad_usccs = invalid_usccs(firms, reference)
    for line, r in records:
        code, scope, item = r.get("code"), r.get("scope"), r.get("item")
        if (
            scope == "region"
            and isinstance(code, str)
            and REGION_CODE.fullmatch(code)
            and not {code, code[:4] + "00", code[:2] + "0000"} & known
        ):
            problems.append(
                Problem.of(Place(row=line, field="code"), N_("unknown region code {!r}"), code)
            )
        if scope == "enterprise" and isinstance(code, str) and code in bad_usccs:
            problems.append(
                Problem.of(
                    Place(row=line, field="code"),
                    N_("{!r} is not a valid unified social credit code: {}"),
                    code,
                    bad_usccs[code],
                )
            )
        if r.get("basis") == "product" and isinstance(item, str) and item not in products:
            problems.append(
                Problem.of(
                    Place(row=line, field="item"),
                    N_("{!r} is not a product item of the items table"),
                    item,
                )
            )
    return problems


def _duplicate_problems(
    records: list[tuple[int, dict[str, Any]]], parsed: list[tuple[int, Budget]]
) -> list[Problem]:
    """Budget ids given twice (of any rows) and overlapping periods (of the valid budgets)."""
    problems = []
    ids: dict[str, int] = {}
    for line, r in records:
        budget_id = r.get("budget_id")
        if not isinstance(budget_id, str):
            continue
        if budget_id in ids:
            problems.append(
                Problem.of(
                    Place(row=line, field="budget_id"),
                    N_("budget id {!r} is also on row {}"),
                    budget_id,
                    ids[budget_id],
                )
            )
        else:
            ids[budget_id] = line
    periods: dict[tuple[str, str, int, str], int] = {}
    for line, b in parsed:
        key = (b.scope, b.code, b.year, b.quantity)
        if key in periods:
            problems.append(
                Problem.of(
                    Place(row=line, field="year"),
                    N_("overlapping periods: row {} is a {} budget of {} for {} too"),
                    periods[key],
                    b.quantity,
                    b.code,
                    b.year,
                )
            )
        else:
            periods[key] = line
    return problems
