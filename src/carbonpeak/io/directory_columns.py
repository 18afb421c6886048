"""The columns of a catalogue's spreadsheet (`io/directory.py`): the headers the published
catalogues print, by the column of `directory_technologies` they fill; the units of the
figures, read from a cell, its header or the table; a two-row header; the rows found."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from carbonpeak.domain.units import convert
from carbonpeak.errors import N_, CarbonpeakError, Place, Problem

# the headers of the published catalogues (after spaces and a bracketed unit are taken off),
# by the column they fill; several texts of one row that fill one column are joined
HEADERS: dict[str, tuple[str, ...]] = {
    "catalogue": ("catalogue",),  # the directory's export: a row's catalogue
    "status": ("status",),  # and its status
    "entry_no": ("序号", "编号", "技术编号", "entry_no"),
    "name_zh": ("技术名称", "技术装备名称", "名称", "技术装备", "产品名称", "name_zh"),
    "name_en": ("英文名称", "name_en"),
    "sector": ("行业", "所属行业", "领域", "所属领域", "行业领域", "sector"),
    "process": ("工序", "适用工序", "环节", "应用环节", "process"),
    "links": ("平台关联", "links"),
    "problem_zh": ("适用范围", "适用领域", "解决问题", "problem_zh"),
    "problem_en": ("英文适用范围", "problem_en"),
    "principle_zh": (
        "技术原理",
        "关键技术",
        "主要技术内容",
        "技术内容",
        "技术主要内容",
        "技术原理及工艺",
        "principle_zh",
    ),
    "saving_text": (
        "节能效果",
        "节能降碳效果",
        "典型案例",
        "主要技术指标",
        "推广前景",
        "典型项目",
        "应用规模",
        "推广建议",
        "saving_text",
    ),
    "energy_saving": (
        "节能量",
        "年节能量",
        "节能能力",
        "节能量/替代燃料量",
        "energy_saving",
    ),
    "co2_reduction": (
        "碳减排量",
        "二氧化碳减排量",
        "减排量",
        "年碳减排量",
        "co2减排量",
        "co2_reduction",
    ),
    "investment": ("投资额", "投资", "总投资", "投资规模", "investment"),
    "payback": ("投资回收期", "回收期", "payback"),
    # the ends of a range in columns of their own (as the directory's export writes them)
    "investment_min": ("投资额下限", "investment_min"),
    "investment_max": ("投资额上限", "investment_max"),
    "payback_min": ("投资回收期下限", "payback_min"),
    "payback_max": ("投资回收期上限", "payback_max"),
    "maturity": ("技术成熟度", "成熟度", "技术类别", "maturity"),
    "source_id": ("来源", "出处", "source_id"),
    "note": ("备注", "note"),
    "illustrative": ("示例", "示例条目", "illustrative"),
}
# what a 示例 cell may say for an illustrative entry (kept as the table's `yes`)
ILLUSTRATIVE = ("是", "示例", "yes", "y", "true", "1", "illustrative")
UNITS = {  # the unit of each figure in the table
    "energy_saving": "tce/year",
    "co2_reduction": "t/year",
    "investment": "wan_yuan",
    "payback": "year",
    "investment_min": "wan_yuan",
    "investment_max": "wan_yuan",
    "payback_min": "year",
    "payback_max": "year",
}
RANGES = {
    "investment": ("investment_min", "investment_max"),
    "payback": ("payback_min", "payback_max"),
}
_UNIT_WORDS = (
    ("吨标准煤", "tce"),
    ("吨标煤", "tce"),
    ("二氧化碳", "CO2"),
    ("吨", "t"),
    ("/年", "/a"),
    ("年", "a"),
    ("个月", "month"),
    ("月", "month"),
)
_BRACKETS = re.compile(r"[（(]([^)）]*)[)）]")
_FIGURE = re.compile(
    r"^\s*(?:约|≈)?\s*([0-9]+(?:\.[0-9]+)?)\s*(?:[-~～—–至到]\s*([0-9]+(?:\.[0-9]+)?))?\s*"
    r"([^\d.\s-][^\d]*)?$"
)
# a bracketed 年 or 年度 after a figure per year (节能量（年）, CO2减排量（年）) says "a year", not
# the unit year: the figure is in the table's unit a year
PER_YEAR = ("年", "年度", "/年", "每年")
_BOUND = re.compile(r"^\s*(?:≥|≤|>|<|不低于|不少于|不高于|大于|小于|超过)|(?:以上|以下)\s*$")
CODE = re.compile(r"^[a-z0-9_]{1,64}$")  # a catalogue's code: miit_2024_08
HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）])\s*")


@dataclass
class Columns:
    """Where each of the table's columns is on a sheet: its 0-based cell indexes, the unit
    its header gives, and the headers left unread."""

    at: dict[str, list[int]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    unread: list[str] = field(default_factory=list)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def header_name(text: str) -> tuple[str, str]:
    """A header's name (no spaces, no bracketed unit) and the unit in its brackets."""
    flat = re.sub(r"\s+", "", text)
    unit = next(iter(_BRACKETS.findall(flat)), "")
    return _BRACKETS.sub("", flat).lower(), unit


def column_of(name: str) -> str | None:
    return next((c for c, names in HEADERS.items() if name in names), None)


def find_header(rows: list[tuple[Any, ...]]) -> int | None:
    """The row (0-based) of the header: the first of the top ten naming the technology."""
    names = set(HEADERS["name_zh"])
    for i, row in enumerate(rows[:10]):
        if any(header_name(cell_text(v))[0] in names for v in row):
            return i
    return None


def convert_unit(value: float, unit: str, target: str) -> float:
    """`value` in `unit` (a header's, as printed: 万tCO2/a is 10^4 t CO2 a year) in `target`."""
    if unit.startswith("万") and len(unit) > 1:
        return 1e4 * convert(value, unit[1:], target)
    return convert(value, unit, target)


def unit_code(text: str) -> str:
    for word, code in _UNIT_WORDS:
        text = text.replace(word, code)
    return text


def columns_of(
    header: list[str], under: list[str] | None, place: Place, problems: list[Problem]
) -> Columns:
    """The columns of a header row (and the row under it when it names figures: a two-row
    header), their units checked."""
    found = Columns()
    width = max(len(header), len(under or []))
    for i in range(width):
        top = header[i] if i < len(header) else ""
        low = under[i] if under and i < len(under) else ""
        text = low or top
        name, unit = header_name(text)
        column = column_of(name)
        if column is None:
            if text:
                found.unread.append(text)
            continue
        found.at.setdefault(column, []).append(i)
        if unit in PER_YEAR and UNITS.get(column, "").endswith("/year"):
            continue  # 节能量（年）: a year, in the table's unit
        if column in UNITS and unit:
            try:
                convert_unit(1.0, unit_code(unit), UNITS[column])
            except CarbonpeakError:
                problems.append(
                    Problem.of(
                        at(place, column=text),
                        N_("unit {!r} of the header does not convert to {}"),
                        unit,
                        UNITS[column],
                    )
                )
                continue
            found.units[column] = unit_code(unit)
    return found


def label(header: list[str], under: list[str], i: int) -> str:
    """The header of a cell as printed (the lower row's of a two-row header)."""
    if i < len(under) and under[i]:
        return under[i]
    return header[i] if i < len(header) else ""


def at(place: Place, **parts: Any) -> Place:
    """`place` with some of its parts given."""
    return replace(place, **parts)


class NotConverted(Exception):
    """A figure whose own unit does not convert to the table's (486t/公里, per kilometre): the
    caller keeps it as text."""


def figure(
    text: str, column: str, unit: str, place: Place, problems: list[Problem]
) -> tuple[float, float] | None:
    """A figure or a range `low-high` in the table's unit, from the unit the cell writes, else
    the header's (`unit`), else the table's. `NotConverted` when the cell writes a unit that
    does not convert (a figure per kilometre): it is text, not a wrong figure."""
    if not text or text in ("-", "/", "—", "无"):
        return None
    text = unicodedata.normalize("NFKC", text)
    if _BOUND.search(text):
        raise NotConverted(text)  # ≥100, 100以上: a bound, not a figure
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # 1,200
    text = re.sub(r"^(\s*[0-9.]+)\s*万\s*(?=[-~～—–至到])", r"\1", text)  # 100万-200万
    matched = _FIGURE.match(text)
    cell_unit = (matched.group(3) or "").strip() if matched else ""
    if matched is None:
        problems.append(Problem.of(place, N_("{!r} is not a number or a range (100-200)"), text))
        return None
    low, high = float(matched.group(1)), float(matched.group(2) or matched.group(1))
    if high < low:
        problems.append(Problem.of(place, N_("the range {!r} ends below its start"), text))
        return None
    # the cell's own unit first (a figure of a year, 1.2万tCO2, is one a year), then the
    # header's, then the table's
    target = UNITS[column]
    if cell_unit == "万":  # 100-200万: 万元 for money, else 10^4 of the table's unit
        cell_unit = "万元" if target == "wan_yuan" else "万" + target.split("/")[0]
    if cell_unit:
        tried = [unit_code(cell_unit)] + (
            [unit_code(cell_unit) + "/a"] if "/" not in cell_unit else []
        )
    else:
        tried = [unit or target]
    for candidate in tried:
        try:
            return (
                convert_unit(low, candidate, target),
                convert_unit(high, candidate, target),
            )
        except CarbonpeakError:
            continue
    if cell_unit:
        raise NotConverted(cell_unit)
    problems.append(Problem.of(place, N_("unit {!r} does not convert to {}"), cell_unit, target))
    return None


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(round(value, 6))


def numbering_restarts(rows: list[tuple[Any, ...]], at_number: int) -> bool:
    """Whether the numbering starts again under each heading (一、钢铁 1, 2; 二、建材 1, 2): a
    number seen under another heading. Then an entry is known by its heading and number."""
    heading, seen = "", dict[str, str]()
    for raw in rows:
        texts = [cell_text(v) for v in raw]
        filled = [t for t in texts if t]
        if len(filled) == 1 and HEADING.match(filled[0]):
            heading = HEADING.sub("", filled[0]).strip()
            continue
        number = texts[at_number] if at_number < len(texts) else ""
        if number and seen.setdefault(number, heading) != heading:
            return True
    return False


def two_row_header(header: list[str], under: list[str]) -> bool:
    """Whether the row under the header is its lower row (典型案例 over 投资额, 节能量; 技术主要
    内容 over 技术原理, 关键技术): it names a column the table keeps, not the technology, and
    has no entry number under 序号 (an entry's row would)."""
    names = [column_of(header_name(t)[0]) if t else None for t in under]
    if "name_zh" in names or not any(names):
        return False
    numbers = [i for i, t in enumerate(header) if column_of(header_name(t)[0]) == "entry_no"]
    return not any(i < len(under) and under[i] for i in numbers)


def case_groups(
    header: list[str], lower: list[str], columns: Columns
) -> dict[int, tuple[str, list[int]]]:
    """The typical cases of a two-row header whose lower row names the case (典型项目 over
    应用规模, 节能量/替代燃料量（年）, CO2减排量（年）): by the index of the case's text column,
    every index under the same upper header. Their cells are written out together in
    saving_text (the case, then each figure after its header), as the catalogue prints them."""
    texts = set(columns.at.get("saving_text", []))
    out: dict[int, tuple[str, list[int]]] = {}
    group: list[int] = []
    top = ""
    for i in range(len(lower)):
        if not lower[i]:
            group, top = [], ""
            continue
        if i < len(header) and header[i]:
            group, top = [], header[i]
        if not top or column_of(header_name(top)[0]) != "saving_text":
            continue
        group.append(i)
        if len(group) == 1 and i in texts:
            out[i] = (top, group)
    return {i: case for i, case in out.items() if len(case[1]) > 1}


def case_text(texts: list[str], top: str, group: list[int], labels: Mapping[int, str]) -> str:
    first, *rest = group
    parts = [f"{top}：{texts[first]}"] if texts[first] else []
    parts += [f"{labels[i]}{texts[i]}" for i in rest if i < len(texts) and texts[i]]
    return "；".join(parts)


def entry_problems(
    values: Mapping[str, str], columns: Columns, labels: Mapping[int, str], place: Place
) -> list[Problem]:
    found = []
    number_at = at(place, column=labels[columns.at["entry_no"][0]])
    if not values.get("entry_no"):
        found.append(
            Problem.of(
                number_at,
                N_("an entry without its number in the catalogue (序号) cannot be cited"),
            )
        )
    if not values.get("name_zh"):
        column = labels[columns.at["name_zh"][0]] if "name_zh" in columns.at else "技术名称"
        found.append(Problem.of(at(place, column=column), N_("the technology's name is required")))
    if "source_id" in columns.at and not values.get("source_id"):
        found.append(
            Problem.of(
                at(place, column=labels[columns.at["source_id"][0]]),
                N_("an entry without its source cannot be cited: name the document (来源)"),
            )
        )
    for low, high in RANGES.values():
        if low in values and high in values and float(values[low]) > float(values[high]):
            found.append(
                Problem.of(place, N_("{} is above {}"), f"{low} {values[low]}", values[high])
            )
    if values.get("catalogue") and not CODE.match(values["catalogue"]):
        found.append(
            Problem.of(
                at(place, column=labels[columns.at["catalogue"][0]]),
                N_("{!r}: a code of lower-case letters, digits and _ (at most 64)"),
                values["catalogue"],
            )
        )
    if values.get("status") and values["status"] not in ("verified", "unverified"):
        found.append(
            Problem.of(
                at(place, column=labels[columns.at["status"][0]]),
                N_("verified or unverified"),
            )
        )
    if not values.get("sector"):
        found.append(
            Problem.of(
                place,
                N_("no sector: give a sector column (行业) or a heading row above the entry"),
            )
        )
    return found
