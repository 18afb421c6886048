"""The fields of the applications' forms: `FormField`, `Group`, `Form` (split from
`io.application_form` so that each instrument's form may live in its own module)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FormField:
    """One field of a form: its name in the application mapping, labels, unit, help, type
        (`text`, `number`, `whole`, `date`, `month`, `choice`, `flag`, `tristate` — yes, no or not
    stated) and limits."""

    name: str
    zh: str
    en: str
    type: str = "text"
    unit: str = ""
    help_zh: str = ""
    help_en: str = ""
    required: bool = False
    min: float | None = None
    max: float | None = None
    step: str = ""
    choices: tuple[str, ...] = ()
    pattern: str = ""


@dataclass(frozen=True)
class Group:
    """A repeating part of a form: a list of rows, each the same fields."""

    name: str
    zh: str
    en: str
    fields: tuple[FormField, ...]
    min_rows: int = 0


@dataclass(frozen=True)
class Form:
    kind: str
    fields: tuple[FormField, ...]
    groups: tuple[Group, ...] = field(default=())
    # (form field, parent, key): a field of the form that the file nests, e.g.
    # `location_region_code` -> `location.region_code`; a parent left empty is left out
    nest: tuple[tuple[str, str, str], ...] = ()


REGION = FormField(
    "region_code",
    "行政区划代码",
    "Region code",
    required=True,
    pattern=r"\d{6}",
    help_zh="六位数字，如 330100（杭州市）",
    help_en="six digits, e.g. 330100 (Hangzhou)",
)
