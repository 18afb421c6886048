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
and nothing is imported. Columns the table does not keep are not read. The headers and units
are in `io/directory_columns.py`."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carbonpeak.domain.warnings import ResultWarning, warn
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.directory_columns import (
    CODE,
    HEADING,
    ILLUSTRATIVE,
    RANGES,
    UNITS,
    Columns,
    NotConverted,
    at,
    case_groups,
    case_text,
    cell_text,
    columns_of,
    entry_problems,
    figure,
    find_header,
    label,
    number_text,
    numbering_restarts,
    two_row_header,
)
from carbonpeak.io.tables import MAX_UPLOAD_BYTES
from carbonpeak.reference.editions import Edition, EditionRow

TABLE = "directory_technologies"
IMPORTED = "imported from "
MAPPED = "links by carbonpeak's mapping (directory_link_words, unverified): "


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
        if self.catalogue.strip() and not CODE.match(self.catalogue):
            found.append(
                Problem.of(
                    Place(field="catalogue"),
                    N_("{!r}: a code of lower-case letters, digits and _ (at most 64)"),
                    self.catalogue,
                )
            )
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


def _rows_of(book: Any) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    for title in book.sheetnames:
        yield title, [tuple(r) for r in book[title].iter_rows(values_only=True)]


def read_catalogue(
    name: str,
    content: bytes,
    info: CatalogueInfo,
    warnings: list[ResultWarning] | None = None,
    link_words: Sequence[tuple[str, str]] = (),
) -> Edition:
    """The edition a catalogue's workbook makes: a row of `directory_technologies` per entry
    of every sheet with a header naming the technology (技术名称), citing the catalogue's
    document (`info`) or the row's 来源; `InputError` with every problem placed (file, sheet,
    row as Excel numbers it, column as the header prints it), nothing read on any. What is
    read but worth a look (a figure kept as text, entries without links) goes in `warnings`.
    An entry without links gets those of `link_words` (a catalogue's word, the platform's:
    the reference table directory_link_words) whose word its 工序 or 行业 holds, noted."""
    warnings = [] if warnings is None else warnings
    from openpyxl import load_workbook

    problems = [
        Problem(at(p.place, file=name), p.message, p.template, p.values) for p in info.problems()
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
            rows += _sheet(name, title, cells, info, problems, seen, warnings, link_words)
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
    unlinked = sum(1 for r in rows if not str(r.values.get("links") or "").strip())
    if unlinked:
        warnings.append(warn("directory.catalogue.without_links", count=unlinked))
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
    warnings: list[ResultWarning],
    link_words: Sequence[tuple[str, str]] = (),
) -> list[EditionRow]:
    top = find_header(cells)
    if top is None:
        return []
    sheet = Place(file=file, sheet=title)
    header = [cell_text(v) for v in cells[top]]
    under = [cell_text(v) for v in cells[top + 1]] if top + 1 < len(cells) else []
    two_rows = two_row_header(header, under)
    columns = columns_of(header, under if two_rows else None, at(sheet, row=top + 1), problems)
    lower = under if two_rows else []
    labels = {i: label(header, lower, i) for i in range(max(len(header), len(lower)))}
    cases = case_groups(header, lower, columns)
    if "entry_no" not in columns.at:
        problems.append(
            Problem.of(
                at(sheet, row=top + 1), N_("no column 序号: an entry is cited by its number")
            )
        )
        return []
    first = top + (2 if two_rows else 1)
    restarts = numbering_restarts(cells[first:], columns.at["entry_no"][0])
    heading = ""
    out = []
    for number, raw in enumerate(
        cells[top + (2 if two_rows else 1) :], start=top + (3 if two_rows else 2)
    ):
        texts = [cell_text(v) for v in raw]
        filled = [t for t in texts if t]
        if not filled:
            continue
        if len(filled) == 1 and HEADING.match(filled[0]):
            heading = HEADING.sub("", filled[0]).strip()
            continue
        place = at(sheet, row=number)
        values = _values(texts, columns, labels, place, problems, cases, warnings)
        if values is None:
            continue
        values.setdefault("sector", heading)
        if restarts and heading and values.get("entry_no"):
            values["entry_no"] = f"{heading}-{values['entry_no']}"  # numbered per section
        row_problems = entry_problems(values, columns, labels, place)
        problems += row_problems
        if row_problems:
            continue
        # a row's own catalogue and status (the directory's export writes them) over the form's
        catalogue = values.get("catalogue") or info.catalogue
        key = f"{catalogue}:{values['entry_no']}"
        if key in seen:
            problems.append(
                Problem.of(
                    at(place, column=labels[columns.at["entry_no"][0]]),
                    N_("entry {} is also at {}"),
                    values["entry_no"],
                    str(seen[key]),
                )
            )
            continue
        seen[key] = place
        where = f"{file}, {title}, row {number}"
        kept = [p for p in values.pop("note", "").split("; ") if p and not p.startswith(IMPORTED)]
        if not values.get("links") and link_words:
            text = f"{values.get('process', '')} {values.get('sector', '')}"
            read = sorted({(w, link) for w, link in link_words if w in text})
            if read:
                values["links"] = " ".join(dict.fromkeys(link for _, link in read))
                kept = [p for p in kept if not p.startswith(MAPPED)]
                kept.append(MAPPED + ", ".join(f"{w} → {link}" for w, link in read))
        values.update(
            catalogue=catalogue,
            source_id=values.get("source_id") or info.source_id,
            status=values.get("status") or info.status,
            note="; ".join([*kept, f"{IMPORTED}{where}"]),  # the last import's place, once
        )
        out.append(EditionRow(TABLE, values, None, place))
    return out


def _values(
    texts: list[str],
    columns: Columns,
    labels: Mapping[int, str],
    place: Place,
    problems: list[Problem],
    cases: Mapping[int, tuple[str, list[int]]] | None = None,
    warnings: list[ResultWarning] | None = None,
) -> dict[str, str] | None:
    values: dict[str, str] = {}
    cases = cases or {}
    in_case = {i for _, group in cases.values() for i in group}
    as_text: list[str] = []  # figures kept as text, outside a typical case
    # the figures first: one kept as text joins saving_text
    for column, indexes in sorted(columns.at.items(), key=lambda c: c[0] == "saving_text"):
        parts = [texts[i] for i in indexes if i < len(texts) and texts[i]]
        if column in UNITS:
            if not parts:
                continue
            where = at(place, column=labels[indexes[0]])
            try:
                found = figure(parts[0], column, columns.units.get(column, ""), where, problems)
            except NotConverted:
                if warnings is not None:
                    warnings.append(
                        warn(
                            "directory.catalogue.figure_as_text",
                            place=str(where),
                            text=parts[0],
                            target=UNITS[column],
                        )
                    )
                if indexes[0] not in in_case:
                    as_text.append(f"{labels[indexes[0]]}{parts[0]}")
                continue
            if found is None:
                continue
            low, high = (number_text(v) for v in found)
            if column in RANGES:
                values[RANGES[column][0]], values[RANGES[column][1]] = low, high
            elif low != high:
                problems.append(
                    Problem.of(
                        at(place, column=labels[indexes[0]]),
                        N_("{!r}: one figure, not a range"),
                        parts[0],
                    )
                )
            else:
                values[column] = low
            continue
        if column == "illustrative":
            flag = parts[0].lower() if parts else ""
            if flag in ILLUSTRATIVE:
                values[column] = "yes"
            elif flag not in ("", "否", "no", "n", "false", "0"):
                problems.append(
                    Problem.of(
                        at(place, column=labels[indexes[0]]),
                        N_("{!r}: 是 (yes) for an illustrative entry, else blank"),
                        parts[0],
                    )
                )
            continue
        if column == "saving_text":
            parts = [
                case_text(texts, *cases[i], labels) if i in cases else texts[i]
                for i in indexes
                if i < len(texts) and texts[i]
            ]
            parts += as_text
        if parts:
            values[column] = "；".join(parts)
    if as_text and "saving_text" not in columns.at:
        values["saving_text"] = "；".join(as_text)
    return values


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
