"""A catalogue of energy-saving and low-carbon technologies as the ministries publish it (a
table per catalogue, Chinese headers: 序号, 技术名称, 适用范围, 技术原理, 关键技术, 节能效果,
典型案例, 推广前景 ...) read into an edition of the reference table `directory_technologies`.

The columns are found by their headers (`HEADERS`: the names the catalogues print, and the
table's own column codes); a header may carry its unit in brackets, 投资额（万元）, which the
figures are converted from (without one, the table's unit is taken: tce/a, t CO2/a, 万元,
years). A two-row header (典型案例 over 投资额, 节能量, ...) is read as one. A row whose only
text is a heading (一、钢铁行业, （二）通用技术) names the sector of the entries below it when
the table has no sector column. Figures may be a range, 100-200 or 100～200 (low and high).

Every entry must be citable: its number in the catalogue (序号) and the catalogue's document
(title, and its number or address) are required, and a row's own 来源 column, when it has one,
must name a source. An entry without them is a problem placed at its sheet, row and column,
and nothing is imported. Columns the table does not keep are listed, not read."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carbonpeak.domain.units import convert
from carbonpeak.errors import N_, CarbonpeakError, InputError, Place, Problem
from carbonpeak.io.tables import MAX_UPLOAD_BYTES
from carbonpeak.reference.editions import Edition, EditionRow

TABLE = "directory_technologies"
# the headers of the published catalogues (after spaces and a bracketed unit are taken off),
# by the column they fill; several texts of one row that fill one column are joined
HEADERS: dict[str, tuple[str, ...]] = {
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
        "技术原理及工艺",
        "principle_zh",
    ),
    "saving_text": (
        "节能效果",
        "节能降碳效果",
        "典型案例",
        "主要技术指标",
        "推广前景",
        "saving_text",
    ),
    "energy_saving": ("节能量", "年节能量", "节能能力", "energy_saving"),
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
}
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
_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）])\s*"
)


@dataclass(frozen=True)
class CatalogueInfo:
    """The catalogue the spreadsheet is: its code (the `catalogue` of every entry), the
    document it was published in (a sources row) and the date its entries take effect."""

    catalogue: str
    source_id: str
    title: str
    issuer: str = ""
    document_number: str = ""
    date: str = ""
    url: str = ""
    valid_from: dt.date | None = None
    status: str = "unverified"
    note: str = ""

    def problems(self) -> list[Problem]:
        """What keeps the catalogue from being cited."""
        found = []
        for name in ("catalogue", "source_id", "title"):
            if not str(getattr(self, name)).strip():
                found.append(Problem.of(Place(field=name), N_("required: the entries cite it")))
        if not (self.document_number.strip() or self.url.strip()):
            found.append(
                Problem.of(
                    Place(field="document_number"),
                    N_(
                        "give the catalogue's document number or its address, so that its "
                        "entries can be cited"
                    ),
                )
            )
        if self.valid_from is None:
            found.append(Problem.of(Place(field="valid_from"), N_("a date is required")))
        if self.status not in ("verified", "unverified"):
            found.append(Problem.of(Place(field="status"), N_("verified or unverified")))
        return found


@dataclass
class _Columns:
    """Where each of the table's columns is on a sheet: its 0-based cell indexes, the unit
    its header gives, and the headers left unread."""

    at: dict[str, list[int]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    unread: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def _header_name(text: str) -> tuple[str, str]:
    """A header's name (no spaces, no bracketed unit) and the unit in its brackets."""
    flat = re.sub(r"\s+", "", text)
    unit = next(iter(_BRACKETS.findall(flat)), "")
    return _BRACKETS.sub("", flat).lower(), unit


def _column_of(name: str) -> str | None:
    return next((c for c, names in HEADERS.items() if name in names), None)


def _find_header(rows: list[tuple[Any, ...]]) -> int | None:
    """The row (0-based) of the header: the first of the top ten naming the technology."""
    names = set(HEADERS["name_zh"])
    for i, row in enumerate(rows[:10]):
        if any(_header_name(_text(v))[0] in names for v in row):
            return i
    return None


def _convert(value: float, unit: str, target: str) -> float:
    """`value` in `unit` (a header's, as printed: 万tCO2/a is 10^4 t CO2 a year) in `target`."""
    if unit.startswith("万") and len(unit) > 1:
        return 1e4 * convert(value, unit[1:], target)
    return convert(value, unit, target)


def _unit(text: str) -> str:
    for word, code in _UNIT_WORDS:
        text = text.replace(word, code)
    return text


def _columns(
    header: list[str], under: list[str] | None, place: Place, problems: list[Problem]
) -> _Columns:
    """The columns of a header row (and the row under it when it names figures: a two-row
    header), their units checked."""
    found = _Columns()
    width = max(len(header), len(under or []))
    for i in range(width):
        top = header[i] if i < len(header) else ""
        low = under[i] if under and i < len(under) else ""
        text = low or top
        name, unit = _header_name(text)
        column = _column_of(name)
        if column is None:
            if text:
                found.unread.append(text)
            continue
        found.at.setdefault(column, []).append(i)
        if column in UNITS and unit:
            try:
                _convert(1.0, _unit(unit), UNITS[column])
            except CarbonpeakError:
                problems.append(
                    Problem.of(
                        _at(place, column=text),
                        N_("unit {!r} of the header does not convert to {}"),
                        unit,
                        UNITS[column],
                    )
                )
                continue
            found.units[column] = _unit(unit)
    return found


def _label(header: list[str], under: list[str], i: int) -> str:
    """The header of a cell as printed (the lower row's of a two-row header)."""
    if i < len(under) and under[i]:
        return under[i]
    return header[i] if i < len(header) else ""


def _at(place: Place, **parts: Any) -> Place:
    from dataclasses import replace

    return replace(place, **parts)


def _figure(
    text: str, column: str, unit: str, place: Place, problems: list[Problem]
) -> tuple[float, float] | None:
    """A figure or a range `low-high` in the table's unit, from the unit the cell writes, else
    the header's (`unit`), else the table's."""
    if not text or text in ("-", "/", "—", "无"):
        return None
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
    if cell_unit:
        tried = [_unit(cell_unit)] + ([_unit(cell_unit) + "/a"] if "/" not in cell_unit else [])
    else:
        tried = [unit or target]
    for candidate in tried:
        try:
            return _convert(low, candidate, target), _convert(high, candidate, target)
        except CarbonpeakError:
            continue
    problems.append(Problem.of(place, N_("unit {!r} does not convert to {}"), cell_unit, target))
    return None


def _rows_of(book: Any) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    for title in book.sheetnames:
        yield title, [tuple(r) for r in book[title].iter_rows(values_only=True)]


def read_catalogue(name: str, content: bytes, info: CatalogueInfo) -> Edition:
    """The edition a catalogue's workbook makes: a row of `directory_technologies` per entry
    of every sheet with a header naming the technology (技术名称), citing the catalogue's
    document (`info`) or the row's 来源; `InputError` with every problem placed (file, sheet,
    row as Excel numbers it, column as the header prints it), nothing read on any."""
    from openpyxl import load_workbook

    problems = [
        Problem(_at(p.place, file=name), p.message, p.template, p.values) for p in info.problems()
    ]
    if Path(name).suffix.lower() != ".xlsx":
        raise InputError(
            Problem.of(Place(file=name), N_("a catalogue is an Excel workbook (.xlsx)"))
        )
    if len(content) > MAX_UPLOAD_BYTES:
        raise InputError(
            Problem.of(Place(file=name), N_("larger than {} MB"), MAX_UPLOAD_BYTES >> 20)
        )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # damaged or not a workbook: many error types
        raise InputError(
            Problem.of(
                Place(file=name),
                N_("not a readable Excel workbook (.xlsx): {}"),
                str(exc) or type(exc).__name__,
            )
        ) from None
    rows: list[EditionRow] = []
    seen: dict[str, Place] = {}
    try:
        for title, cells in _rows_of(book):
            rows += _sheet(name, title, cells, info, problems, seen)
    finally:
        book.close()
    if not rows and not problems:
        problems.append(
            Problem.of(
                Place(file=name), N_("no sheet with a header naming the technology (技术名称)")
            )
        )
    if problems:
        raise InputError(problems)
    document = {
        "source_id": info.source_id,
        "title": info.title,
        "issuer": info.issuer,
        "document_number": info.document_number,
        "date": info.date,
        "url": info.url,
        "clause": f"catalogue {info.catalogue}",
        "note": info.note,
    }
    assert info.valid_from is not None
    return Edition(
        {k: v for k, v in document.items() if v},
        info.valid_from,
        tuple(rows),
        (),
        Place(file=name),
    )


def _sheet(
    file: str,
    title: str,
    cells: list[tuple[Any, ...]],
    info: CatalogueInfo,
    problems: list[Problem],
    seen: dict[str, Place],
) -> list[EditionRow]:
    at = _find_header(cells)
    if at is None:
        return []
    sheet = Place(file=file, sheet=title)
    header = [_text(v) for v in cells[at]]
    under = [_text(v) for v in cells[at + 1]] if at + 1 < len(cells) else []
    two_rows = any(_column_of(_header_name(t)[0]) in UNITS for t in under) and not any(
        _column_of(_header_name(t)[0]) == "name_zh" for t in under
    )
    columns = _columns(header, under if two_rows else None, _at(sheet, row=at + 1), problems)
    lower = under if two_rows else []
    labels = {i: _label(header, lower, i) for i in range(max(len(header), len(lower)))}
    if "entry_no" not in columns.at:
        problems.append(
            Problem.of(
                _at(sheet, row=at + 1), N_("no column 序号: an entry is cited by its number")
            )
        )
        return []
    heading = ""
    out = []
    for number, raw in enumerate(
        cells[at + (2 if two_rows else 1) :], start=at + (3 if two_rows else 2)
    ):
        texts = [_text(v) for v in raw]
        filled = [t for t in texts if t]
        if not filled:
            continue
        if len(filled) == 1 and _HEADING.match(filled[0]):
            heading = _HEADING.sub("", filled[0]).strip()
            continue
        place = _at(sheet, row=number)
        values = _values(texts, columns, labels, place, problems)
        if values is None:
            continue
        values.setdefault("sector", heading)
        row_problems = _entry_problems(values, columns, labels, place)
        problems += row_problems
        if row_problems:
            continue
        key = f"{info.catalogue}:{values['entry_no']}"
        if key in seen:
            problems.append(
                Problem.of(
                    _at(place, column=labels[columns.at["entry_no"][0]]),
                    N_("entry {} is also at {}"),
                    values["entry_no"],
                    str(seen[key]),
                )
            )
            continue
        seen[key] = place
        where = f"{file}, {title}, row {number}"
        note = "; ".join(filter(None, [values.pop("note", ""), f"imported from {where}"]))
        values.update(
            catalogue=info.catalogue,
            source_id=values.get("source_id") or info.source_id,
            status=info.status,
            note=note,
        )
        out.append(EditionRow(TABLE, values, None, place))
    return out


def _values(
    texts: list[str],
    columns: _Columns,
    labels: Mapping[int, str],
    place: Place,
    problems: list[Problem],
) -> dict[str, str] | None:
    values: dict[str, str] = {}
    for column, indexes in columns.at.items():
        parts = [texts[i] for i in indexes if i < len(texts) and texts[i]]
        if column in UNITS:
            if not parts:
                continue
            figure = _figure(
                parts[0],
                column,
                columns.units.get(column, ""),
                _at(place, column=labels[indexes[0]]),
                problems,
            )
            if figure is None:
                continue
            low, high = (_number(v) for v in figure)
            if column in RANGES:
                values[RANGES[column][0]], values[RANGES[column][1]] = low, high
            elif low != high:
                problems.append(
                    Problem.of(
                        _at(place, column=labels[indexes[0]]),
                        N_("{!r}: one figure, not a range"),
                        parts[0],
                    )
                )
            else:
                values[column] = low
            continue
        if parts:
            values[column] = "；".join(parts)
    return values


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(round(value, 6))


def _entry_problems(
    values: Mapping[str, str], columns: _Columns, labels: Mapping[int, str], place: Place
) -> list[Problem]:
    found = []
    number_at = _at(place, column=labels[columns.at["entry_no"][0]])
    if not values.get("entry_no"):
        found.append(
            Problem.of(
                number_at,
                N_("an entry without its number in the catalogue (序号) cannot be cited"),
            )
        )
    if not values.get("name_zh"):
        column = labels[columns.at["name_zh"][0]] if "name_zh" in columns.at else "技术名称"
        found.append(Problem.of(_at(place, column=column), N_("the technology's name is required")))
    if "source_id" in columns.at and not values.get("source_id"):
        found.append(
            Problem.of(
                _at(place, column=labels[columns.at["source_id"][0]]),
                N_("an entry without its source cannot be cited: name the document (来源)"),
            )
        )
    for low, high in RANGES.values():
        if low in values and high in values and float(values[low]) > float(values[high]):
            found.append(
                Problem.of(place, N_("{} is above {}"), f"{low} {values[low]}", values[high])
            )
    if not values.get("sector"):
        found.append(
            Problem.of(
                place,
                N_("no sector: give a sector column (行业) or a heading row above the entry"),
            )
        )
    return found


def workbook_bytes(header: list[str], rows: list[list[Any]], title: str) -> bytes:
    """A one-sheet workbook (a catalogue to import, or the directory's export): the header in
    bold, every text cell text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from carbonpeak.io.sheets import append_row

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
