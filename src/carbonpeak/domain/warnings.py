"""Warnings as data: one catalogue of every warning code, and `warn`, the one way to make one.

Results keep their warnings; nothing is only printed. Each code is declared once, in
`warnings.yaml` next to this module: its English template, its Chinese text and the keys of its
data. Codes follow the package path of the engine that emits them (eemeter-style qualified
names: `accounting.fuel.default_ncv_used`, `policy.dual_credit.nev.exempt`). An engine calls
`warn("policy.two_high.no_area")` or `warn("benchmarking.no_level", area=..., day=...)` and gets a
`ResultWarning` whose message is the English template filled from the data; an undeclared code,
or data keys other than the declared ones, is a programming error and raises.

Templates are `str.format` strings over the data keys. A list in the data reads as its items
joined by ", " (in Chinese by "、"); `text` shows the codes of the data by their names in the
reader's language (the names are given by the caller: reports.names); a format spec on a list
field is the separator (`{series:; }`). docs/methods.md "Warnings" is generated from the
catalogue (`python -m carbonpeak.domain.warnings docs/methods.md`).
"""

from __future__ import annotations

import string
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CATALOGUE_FILE = Path(__file__).with_name("warnings.yaml")
DOC_START = "<!-- warnings: generated from src/carbonpeak/domain/warnings.yaml -->"
DOC_END = "<!-- warnings: end -->"


@dataclass(frozen=True)
class Declared:
    """A declared warning: its code, English template, Chinese text and data keys."""

    code: str
    en: str
    zh: str
    data: tuple[str, ...]


class WarningRecord(dict[str, Any]):
    """A warning in a result's dict form, `{"code", "message", "data"}`, as the store and the
    API keep it. It reads as its message, so a surface that prints a warning prints that."""

    def __str__(self) -> str:
        return str(self.get("message", ""))


@dataclass(frozen=True)
class ResultWarning:
    """One warning attached to a result; made by `warn` from the catalogue."""

    code: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> WarningRecord:
        return WarningRecord(code=self.code, message=self.message, data=self.data)


def warn(code: str, **data: Any) -> ResultWarning:
    """The warning `code` with `data`, its message filled from the catalogue's template."""
    declared = catalogue().get(code)
    if declared is None:
        raise KeyError(f"warning code {code!r} is not declared in {CATALOGUE_FILE.name}")
    given, wanted = set(data), set(declared.data)
    if given != wanted:
        raise TypeError(
            f"warning {code}: data keys {sorted(given)}, declared {sorted(wanted)} "
            f"(missing {sorted(wanted - given)}, extra {sorted(given - wanted)})"
        )
    return ResultWarning(code, _filled(declared.en, data, ", ", {}), dict(data))


def records(warnings: Iterable[ResultWarning]) -> list[WarningRecord]:
    """Warnings in their dict form."""
    return [w.as_dict() for w in warnings]


def as_record(stored: Any) -> Any:
    """A stored warning (a dict read back from JSON) as a `WarningRecord`; anything else, such
    as the bare string of a result stored before the catalogue, as it is."""
    return WarningRecord(stored) if isinstance(stored, dict) else stored


def text_zh(warning: Mapping[str, Any], names: Mapping[str, str]) -> str | None:
    """The Chinese text of a warning in its dict form, filled from its data (list items named
    through `names`, e.g. item codes to Chinese names); None for an unknown code or data that
    do not fill the text (a warning stored before its code took those data)."""
    data = warning.get("data") or {}
    lists = {k: names for k, v in dict(data).items() if isinstance(v, list | tuple)}
    return text(warning, "zh_CN", lists)


def text(
    warning: Mapping[str, Any], locale: str, names: Mapping[str, Mapping[str, str]]
) -> str | None:
    """The text of a warning in its dict form in `locale` (`en`: the English template, else
    the Chinese text), filled from its data, each field named in `names` (a data key to a map
    of codes to names, e.g. `province` to region names) showing a code, or each code of its
    list, by its name; a code without a name shows as it is. None for an unknown code or data
    that do not fill the text (a warning stored before its code took those data)."""
    declared = catalogue().get(str(warning.get("code")))
    if declared is None:
        return None
    english = locale == "en"
    try:
        data = dict(warning.get("data") or {})
        if "count" not in data and isinstance(data.get("references"), list):
            data["count"] = len(data["references"])  # stored before `count` joined the data
        for key, named in names.items():
            value = data.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                data[key] = named.get(str(value), value)
        return _filled(
            declared.en if english else declared.zh, data, ", " if english else "、", names
        )
    except (KeyError, IndexError, ValueError, TypeError):
        return None


class _Listed(list[Any]):
    """A list field of a template: its items joined, each named through `names`."""

    def __init__(self, values: Iterable[Any], separator: str, names: Mapping[str, str]) -> None:
        super().__init__(values)
        self.separator = separator
        self.names = names

    def __format__(self, spec: str) -> str:
        return (spec or self.separator).join(self.names.get(str(v), str(v)) for v in self)


def _filled(
    template: str,
    data: Mapping[str, Any],
    separator: str,
    names: Mapping[str, Mapping[str, str]],
) -> str:
    values = {
        k: _Listed(v, separator, names.get(k, {})) if isinstance(v, list | tuple) else v
        for k, v in data.items()
    }
    return template.format(**values)


def fields(template: str) -> set[str]:
    """The data keys a template reads (`{items}`, `{parameter_sets[0]}`, `{limit:.1%}`)."""
    found = set()
    for _text, name, _spec, _conversion in string.Formatter().parse(template):
        if name:
            found.add(name.split(".")[0].split("[")[0])
    return found


@cache
def catalogue() -> dict[str, Declared]:
    """Every declared warning by code, read once from `warnings.yaml` and checked: each text
    reads only declared data keys."""
    raw = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    out = {}
    for code, entry in raw.items():
        declared = Declared(
            str(code), str(entry["en"]), str(entry["zh"]), tuple(entry.get("data") or ())
        )
        for text in (declared.en, declared.zh):
            unknown = fields(text) - set(declared.data)
            if unknown:
                raise ValueError(f"{CATALOGUE_FILE.name} {code}: {sorted(unknown)} not in data")
        out[declared.code] = declared
    return out


def markdown() -> str:
    """The "Warnings" table of docs/methods.md: code, data keys, English and Chinese text."""
    lines = [
        DOC_START,
        "",
        "| Code | Data | Meaning | 含义 |",
        "|---|---|---|---|",
    ]
    for declared in sorted(catalogue().values(), key=lambda d: d.code):
        cells = [
            f"`{declared.code}`",
            ", ".join(f"`{k}`" for k in declared.data),
            declared.en,
            declared.zh,
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join([*lines, "", DOC_END])


def write_doc(path: Path) -> None:
    """Replace the generated section of `path` (between its markers) by `markdown()`."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(DOC_START), text.index(DOC_END) + len(DOC_END)
    path.write_text(text[:start] + markdown() + text[end:], encoding="utf-8")


if __name__ == "__main__":  # python -m carbonpeak.domain.warnings docs/methods.md
    write_doc(Path(sys.argv[1]))
