"""The diagnosis page's equipment form: the plant's own fields by name, price rows
`prices.<j>.item|price|unit`, one row per piece of equipment `equipment.<i>.<field>` (its type in
`equipment.<i>.type`), and the rest of the plant file (management, meters, ...) as YAML in `rest`.
Read into exactly the plant file's mapping, every problem placed by its form field's name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import yaml
from pydantic import ValidationError

from carbonpeak.diagnosis import plant as model
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.inventory import PAIRS, TABLES, cell_value, choices, pairs, text_field
from carbonpeak.io.inventory_fields import EQUIPMENT, FIELDS

FORM_PLANT = ["enterprise_id", "name", "region_code", "year", "discount_rate"]
REST = [f for f in model.PlantFile.model_fields if f not in (*FORM_PLANT, "prices", "equipment")]
_ROW = re.compile(r"^(equipment|prices)\.(\d+)\.([a-z0-9_]+)$")


# the workbook's Chinese units as an English page writes them
UNITS_EN = {"元": "yuan", "年": "a", "台": "", "元/单位": "yuan/unit"}


class Field(NamedTuple):
    """A form field with what the page shows beside it."""

    name: str
    zh: str
    unit: str
    help_zh: str
    help_en: str
    choices: list[str]

    @property
    def unit_en(self) -> str:
        return UNITS_EN.get(self.unit, self.unit)


def fields_of(kind: str) -> list[Field]:
    """The fields of one kind of row (an equipment type, `prices` or `plant`)."""
    names = FORM_PLANT if kind == "plant" else [f for f in TABLES[kind] if f != "type"]
    return [
        Field(f, *FIELDS[f], [str(c) for c in choices(kind, f)] if kind != "plant" else [])
        for f in names
    ]


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(":".join(f"{v:g}" for v in pair.values()) for pair in value)
    return str(value)


def form_values(plant: Mapping[str, Any]) -> dict[str, Any]:
    """What the form shows for a plant file's mapping: {plant: {field: text}, prices: [{...}],
    equipment: [(type, {field: text})], rest: YAML}."""
    rest = {k: plant[k] for k in REST if plant.get(k) not in (None, {}, [])}
    return {
        "plant": {f: _shown(plant.get(f)) for f in FORM_PLANT},
        "prices": [
            {"item": k, "price": _shown(v.get("price")), "unit": _shown(v.get("unit"))}
            for k, v in (plant.get("prices") or {}).items()
        ],
        "equipment": [
            (e["type"], {f: _shown(v) for f, v in e.items() if f != "type"})
            for e in plant.get("equipment") or []
            if e.get("type") in EQUIPMENT
        ],
        "rest": yaml.safe_dump(rest, allow_unicode=True, sort_keys=False) if rest else "",
    }


def read_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The plant file's mapping from the posted form; `InputError` placed by field name."""
    problems: list[Problem] = []
    data: dict[str, Any] = {}
    for field in FORM_PLANT:
        text = str(form.get(field, "")).strip()
        if text:
            data[field] = cell_value(text, text_field("plant", field))
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for name, raw in form.items():
        found = _ROW.match(name)
        text = str(raw).strip()
        if not found or not text:
            continue
        key, number, field = found.group(1), int(found.group(2)), found.group(3)
        kind = "prices" if key == "prices" else str(form.get(f"equipment.{number}.type", ""))
        row = rows.setdefault((key, number), {})
        if field == "type" or kind not in TABLES or field not in TABLES[kind]:
            if field == "type" and text not in EQUIPMENT:
                problems.append(
                    Problem.of(Place(field=name), N_("unknown equipment type {!r}"), text)
                )
            continue
        if field in PAIRS:
            found_pairs = pairs(text, PAIRS[field])
            if found_pairs is None:
                problems.append(
                    Problem.of(
                        Place(field=name),
                        N_("write it as {}:{}; {}:{} (numbers)"),
                        *PAIRS[field],
                        *PAIRS[field],
                    )
                )
                continue
            row[field] = found_pairs
        else:
            row[field] = cell_value(text, text_field(kind, field))
    prices = sorted(n for k, n in rows if k == "prices")
    equipment = sorted(n for k, n in rows if k == "equipment")
    data["prices"] = {
        str(rows["prices", n].pop("item", "")): rows["prices", n]
        for n in prices
        if rows["prices", n]
    }
    data["equipment"] = [
        {"type": form.get(f"equipment.{n}.type"), **rows["equipment", n]}
        for n in equipment
        if rows["equipment", n]
    ]
    kept = [n for n in equipment if rows["equipment", n]]
    try:
        rest = yaml.safe_load(form.get("rest") or "") or {}
    except yaml.YAMLError as error:
        rest = {}
        problems.append(Problem.of(Place(field="rest"), N_("not YAML ({})"), error))
    if isinstance(rest, dict):
        data |= {k: v for k, v in rest.items() if k in REST}
    if problems:
        raise InputError(problems)
    try:
        model.PlantFile.model_validate(data)
    except ValidationError as error:
        price_rows = {str(form.get(f"prices.{n}.item", "")).strip(): n for n in prices}
        raise InputError(
            [
                Problem(Place(field=_name(e["loc"], kept, price_rows)), e["msg"])
                for e in error.errors()
            ]
        ) from None
    return data


def _name(loc: tuple[Any, ...], kept: list[int], prices: dict[str, int]) -> str:
    """The form field a validation error's location is in."""
    parts = [str(p) for p in loc]
    if len(loc) >= 2 and loc[0] == "equipment" and isinstance(loc[1], int) and loc[1] < len(kept):
        rest = parts[2:]
        if rest and rest[0] in EQUIPMENT:
            rest = rest[1:]
        return ".".join(["equipment", str(kept[loc[1]]), *rest[:1]])
    if len(loc) >= 2 and loc[0] == "prices" and str(loc[1]) in prices:
        return ".".join(["prices", str(prices[str(loc[1])]), *parts[2:3]])
    return ".".join(parts)


def posted_values(
    form: Mapping[str, str], add: str | None = None, remove: int | None = None
) -> dict[str, Any]:
    """What the form shows again as it was posted (before it is read): with a new empty row of
    equipment type `add`, or without row `remove`; the rows renumbered from 0."""
    equipment: dict[int, tuple[str, dict[str, str]]] = {}
    prices: dict[int, dict[str, str]] = {}
    for name, raw in form.items():
        found = _ROW.match(name)
        if not found:
            continue
        key, number, field = found.group(1), int(found.group(2)), found.group(3)
        if key == "prices":
            prices.setdefault(number, {})[field] = str(raw)
        elif number != remove:
            kind = str(form.get(f"equipment.{number}.type", ""))
            equipment.setdefault(number, (kind, {}))[1][field] = str(raw)
    rows = [equipment[n] for n in sorted(equipment) if equipment[n][0] in EQUIPMENT]
    if add in EQUIPMENT:
        rows.append((add, {}))
    return {
        "plant": {f: str(form.get(f, "")) for f in FORM_PLANT},
        "prices": [prices[n] for n in sorted(prices)],
        "equipment": [(kind, {f: v for f, v in row.items() if f != "type"}) for kind, row in rows],
        "rest": str(form.get("rest", "")),
    }
