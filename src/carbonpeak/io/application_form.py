"""The applications page's forms, one per instrument: each field with its Chinese and English
label, unit, help and HTML limits (min/max/step/required), and the repeating parts as rows
`<group>.<i>.<field>`. `read_form(kind, form)` reads a posted form into exactly the mapping the
application file gives (the instrument's `parse` then checks its rules), every problem placed by
its form field's name, all at once.

Forms exist for `datacentre` (the data centre and its metered months), `factory` (the
green-factory sheet: basic requirements and indicators, each indicator naming its section),
`swap` and `project` (`io.application_kinds`: their nested parts as `<parent>_<key>` fields).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from carbonpeak.domain.numbers import read_number
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.application_kinds import PROJECT, SWAP
from carbonpeak.io.application_specs import REGION, Form, FormField, Group

FORMS: dict[str, Form] = {
    "datacentre": Form(
        "datacentre",
        (
            FormField("name", "名称", "Name"),
            REGION,
            FormField("evaluation_date", "评价日期", "Evaluation date", "date", required=True),
            FormField(
                "racks",
                "标准机架数",
                "Standard racks",
                "whole",
                "架",
                "按 2.5 kW 折算的标准机架；不超过 100 架为边缘数据中心",
                "racks of 2.5 kW; at most 100 is an edge data centre",
                required=True,
                min=1,
                step="1",
            ),
            FormField("new_or_expanded", "新建或扩建", "New or expanded", "flag"),
            FormField("large", "大型或超大型", "Large or ultra-large", "flag"),
        ),
        (
            Group(
                "months",
                "逐月计量电量",
                "Metered energy by month",
                (
                    FormField("month", "月份", "Month", "month", required=True),
                    FormField(
                        "total_kwh",
                        "总耗电量",
                        "Total facility energy",
                        "number",
                        "kWh",
                        required=True,
                        min=0,
                        step="any",
                    ),
                    FormField(
                        "it_kwh",
                        "IT 设备耗电量",
                        "IT equipment energy",
                        "number",
                        "kWh",
                        "不大于总耗电量",
                        "at most the total",
                        required=True,
                        min=0,
                        step="any",
                    ),
                ),
                min_rows=1,
            ),
        ),
    ),
    "factory": Form(
        "factory",
        (
            FormField("factory", "工厂名称", "Factory"),
            FormField(
                "edition",
                "评价标准版本",
                "Edition",
                "choice",
                choices=("GB/T 36132-2018",),
                required=True,
            ),
        ),
        (
            Group(
                "basic",
                "基本要求",
                "Basic requirements",
                (
                    FormField("item", "要求", "Requirement", required=True),
                    FormField("met", "满足", "Met", "flag"),
                ),
            ),
            Group(
                "indicators",
                "评价指标",
                "Indicators",
                (
                    FormField(
                        "section",
                        "一级指标",
                        "Section",
                        required=True,
                        help_zh="如 infrastructure、energy_resources",
                        help_en="e.g. infrastructure, energy_resources",
                    ),
                    FormField("item", "指标", "Item", required=True),
                    FormField(
                        "kind",
                        "类型",
                        "Kind",
                        "choice",
                        choices=("mandatory", "optional"),
                        required=True,
                    ),
                    FormField(
                        "points", "分值", "Points", "number", "分", min=0, step="any", required=True
                    ),
                    FormField(
                        "score",
                        "得分",
                        "Score",
                        "number",
                        "分",
                        "空白：尚未评价",
                        "blank: not assessed yet",
                        min=0,
                        step="any",
                    ),
                ),
                min_rows=1,
            ),
        ),
    ),
    "swap": SWAP,
    "project": PROJECT,
}

_ROW = re.compile(r"^([a-z_]+)\.(\d+)\.([a-z0-9_]+)$")


def rows_of(form: Mapping[str, str], group: str) -> list[int]:
    """The row numbers of a group a posted form carries, in order."""
    found = {int(m.group(2)) for k in form if (m := _ROW.match(k)) and m.group(1) == group}
    return sorted(found)


def _value(spec: FormField, name: str, text: str, problems: list[Problem]) -> Any:
    """The typed value of one field's text; None when blank (a problem when required)."""
    text = text.strip()
    place = Place(field=name)
    if spec.type == "flag":
        return text in ("on", "true", "1", "yes")
    if spec.type == "tristate":  # yes, no or not stated (blank)
        if text not in ("", "true", "false"):
            problems.append(Problem.of(place, N_("{!r} is not one of {}"), text, "true, false"))
        return {"true": True, "false": False}.get(text)
    if not text:
        if spec.required:
            problems.append(Problem.of(place, N_("{} is required"), spec.en))
        return None
    if spec.type in ("number", "whole"):
        read = read_number(text)  # domain rule: 1,234 is a number, 1,5 and 1_000 are not
        if read is None:
            problems.append(Problem.of(place, N_("{!r} is not a number"), text))
            return None
        number: float = read
        if spec.type == "whole" and not number.is_integer():
            problems.append(Problem.of(place, N_("{!r} is not a whole number"), text))
            return None
        if spec.min is not None and number < spec.min:
            problems.append(Problem.of(place, N_("{} is below the least, {}"), text, spec.min))
            return None
        if spec.max is not None and number > spec.max:
            problems.append(Problem.of(place, N_("{} is above the most, {}"), text, spec.max))
            return None
        return int(number) if spec.type == "whole" else number
    if spec.type == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            problems.append(Problem.of(place, N_("{!r} is not a date (YYYY-MM-DD)"), text))
            return None
    if spec.type == "month" and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        problems.append(Problem.of(place, N_("{!r} is not a month (YYYY-MM)"), text))
        return None
    if spec.type == "choice" and text not in spec.choices:
        problems.append(
            Problem.of(place, N_("{!r} is not one of {}"), text, ", ".join(spec.choices))
        )
        return None
    if spec.pattern and not re.fullmatch(spec.pattern, text):
        problems.append(Problem.of(place, N_("{!r} is not in the form {}"), text, spec.help_en))
        return None
    return text


def _fields(
    specs: tuple[FormField, ...], form: Mapping[str, str], prefix: str, problems: list[Problem]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in specs:
        name = f"{prefix}{spec.name}"
        value = _value(spec, name, str(form.get(name, "")), problems)
        if value is not None and value != "":
            out[spec.name] = value
        elif spec.type == "flag":
            out[spec.name] = False
    return out


def read_form(kind: str, form: Mapping[str, str]) -> dict[str, Any]:
    """The application mapping of a posted form of `kind` (as the application file gives it);
    `InputError` naming every wrong field by its form name. Blank rows are left out."""
    if kind not in FORMS:
        raise InputError([Problem.of(Place(field="kind"), N_("no form for {!r}"), kind)])
    spec = FORMS[kind]
    problems: list[Problem] = []
    data = _fields(spec.fields, form, "", problems)
    for group in spec.groups:
        rows = []
        for i in rows_of(form, group.name):
            prefix = f"{group.name}.{i}."
            texts = [str(form.get(prefix + f.name, "")).strip() for f in group.fields]
            if not any(t for f, t in zip(group.fields, texts, strict=True) if f.type != "flag"):
                continue  # a blank row: not part of the application
            rows.append(_fields(group.fields, form, prefix, problems))
        if len(rows) < group.min_rows:
            problems.append(
                Problem.of(Place(field=group.name), N_("give at least {} row(s)"), group.min_rows)
            )
        data[group.name] = rows
    if problems:
        raise InputError(problems)
    if kind == "factory":  # the sheet's indicators go under their sections
        sections: dict[str, list[dict[str, Any]]] = {}
        for row in data.pop("indicators"):
            sections.setdefault(row.pop("section"), []).append(row)
        data["sections"] = sections
    for name, parent, key in spec.nest:
        if name in data:
            data.setdefault(parent, {})[key] = data.pop(name)
    return data
