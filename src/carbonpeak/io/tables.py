"""Read a table from CSV or from a sheet of an Excel workbook, keeping each row's line number.

Every cell is read as text, so that codes keep their leading zeros and nothing is guessed;
the engines convert and check. Each row gets `row`, its line in the file or sheet (header = 1),
so that problems can name it. Problems from a check are placed in the file and sheet here.
A workbook's cells are read as Excel last computed them; a formula without a computed value (a
workbook written by a program, never opened in Excel) is a problem at its cell, not a blank.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.sheet_names import matches, sheet_code

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
UPLOAD_SUFFIXES = (".csv", ".xlsx")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# fields a posted form may hold (Starlette's default, 1,000, cuts a compliance plan of ~76
# models); the body's size is bounded apart (the server's body limit)
MAX_FORM_FIELDS = 20_000


def read_table(path: Path, sheet: str) -> pd.DataFrame:
    """A CSV file, or sheet `sheet` of an Excel workbook, as text cells plus `row`."""
    if not path.exists():
        raise InputError(Problem.of(Place(file=str(path)), N_("file not found")))
    try:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            frame = _read_excel(path, sheet)
        else:
            frame = pd.read_csv(
                io.StringIO(csv_text(path)),
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
            )
            frame.columns = [str(c).strip() for c in frame.columns]
            frame.insert(len(frame.columns), "row", range(2, len(frame) + 2))
    except InputError:
        raise
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise InputError(
            Problem.of(Place(file=str(path)), N_("cannot read the file: {}"), exc)
        ) from None
    problems = [
        Problem.of(Place(file=str(path), row=1, column=name), N_("column {!r} appears twice"), name)
        for name in _named_twice(path, frame)
    ]
    if problems:
        raise InputError(problems)
    blank = pd.Series(True, index=frame.index)
    for column in frame.columns.drop("row"):
        text = frame[column].astype(str)
        blank &= text.str.strip() == ""
        for row in frame.loc[text.str.contains("\x00", regex=False), "row"]:
            problems.append(
                Problem.of(
                    Place(file=str(path), row=int(row), column=str(column)), N_("NUL character")
                )
            )
    if problems:
        raise InputError(problems)
    kept: pd.DataFrame = frame.loc[~blank].reset_index(drop=True)
    for column in kept.columns.drop("row"):
        kept[column] = _normal_cells(kept[column])
    return kept


def csv_text(path: Path) -> str:
    """A CSV file's text: UTF-8 (a BOM left out), else GB18030 (a superset of GBK, which Excel
    in China writes as "CSV") if it reads as Chinese text (`not_chinese`); a problem naming the
    file (and the line that gives it away) otherwise."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(
            Problem.of(
                Place(file=str(path)),
                N_("neither UTF-8 nor GBK/GB18030 text; save the CSV as UTF-8 (or CSV from Excel)"),
            )
        ) from None
    odd = not_chinese(text)
    if odd is not None:
        line = text.count("\n", 0, odd) + 1
        shown = text[max(odd - 4, text.rfind("\n", 0, odd) + 1) : odd + 4].split("\n")[0]
        raise InputError(
            Problem.of(
                Place(file=str(path), row=line),
                N_(
                    "not UTF-8, and read as GBK it is not Chinese text ({0!r}): perhaps Big5 "
                    "or a Western encoding such as Windows-1252; save the CSV as UTF-8"
                ),
                shown,
            )
        )
    return text


# What a text in another encoding becomes when read as GBK. GBK's pairs are a lead byte
# 0x81-0xFE and a second byte 0x40-0x7E or 0x80-0xFE; GB2312 (the 6,763 hanzi that write all but
# a fraction of a percent of mainland Chinese text) holds the pairs of two bytes 0xA1-0xFE.
# - Big5 (Traditional Chinese) pairs are GBK pairs too: its lead bytes 0xAA-0xAF and 0xF8-0xF9
#   (and 0xA1-0xA7 before a low byte) fall into GBK's user-defined areas, which GB18030 maps to
#   the Private Use Area; its other leads give kana, Greek or box drawing (0xA4-0xA9), or, before
#   a second byte 0x40-0x7E (two pairs in five), GBK's extension ideographs.
# - Windows-1252 and Latin-1 accents (0xC0-0xFF) followed by an ASCII letter are such a pair as
#   well: an extension ideograph ("Müller" reads "M黮ler").
# Text that Excel in China saved holds no private-use character, and its ideographs outside
# GB2312 are a rare name among common ones. So a GB18030 reading is refused when it holds a
# private-use character, or when more than a quarter of its non-ASCII characters are ideographs
# outside GB2312, kana, box drawing or characters GBK lacks. A short Big5 text may still read
# as common hanzi (煙煤 reads 废费); nothing in the bytes tells it apart.
_PRIVATE = re.compile("[\ue000-\uf8ff]")
_KANA_OR_BOX = re.compile("[\u3040-\u30ff\u2500-\u257f]")
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
UNUSUAL_SHARE = 0.25


_ASCII_RUNS = re.compile("[\x00-\x7f]+")


def _unusual(char: str) -> bool:
    """A character seldom in Chinese text saved as GBK: an ideograph outside GB2312, kana, box
    drawing, or a character GBK lacks (a four-byte GB18030 form)."""
    if _KANA_OR_BOX.match(char):
        return True
    try:
        char.encode("gbk")
    except UnicodeEncodeError:
        return True
    if not _IDEOGRAPH.match(char):
        return False
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return True
    return False


def not_chinese(text: str) -> int | None:
    """Where a text read as GB18030 shows it was written in another encoding (the index of its
    first private-use or unusual character), or None when it reads as Chinese text (see the
    comment above)."""
    private = _PRIVATE.search(text)
    if private:
        return private.start()
    # the non-ASCII characters as one string, counted in C (a list of them, one string each,
    # cost a 50 MB file three times its size)
    found = Counter(_ASCII_RUNS.sub("", text))
    unusual = {c for c in found if _unusual(c)}
    if sum(found[c] for c in unusual) <= UNUSUAL_SHARE * sum(found.values()):
        return None
    return min(text.index(c) for c in unusual)


_WIDE = str.maketrans({"\u2212": "-", "\u3000": " "})
# Full-width digits and Latin letters (U+FF10-FF19, FF21-FF3A, FF41-FF5A) as ASCII.
_WIDE_ALNUM = str.maketrans(
    {
        chr(wide): chr(wide - 0xFEE0)
        for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
        for wide in range(start, end + 1)
    }
    | {0x3000: " "}
)
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def normal_cell(text: str) -> str:
    """A cell as the readers compare it. A cell without Chinese characters (a code, number,
    date, unit) in Unicode NFKC: `２０２５－０３` is 2025-03, `１，２３４．５` 1,234.5, `m³` m3.
    A cell with Chinese characters is text a person wrote (an enterprise's registered name,
    `某某（集团）有限公司`): only its full-width digits and letters become ASCII, its full-width
    brackets and punctuation stay as written (names are matched through `headers.value_key`,
    which folds them)."""
    if text.isascii():
        return text
    if _HAN.search(text):
        return text.translate(_WIDE_ALNUM)
    return unicodedata.normalize("NFKC", text.translate(_WIDE))


def _normal_cells(column: pd.Series) -> pd.Series:
    """`normal_cell` of each cell, once per distinct value; ASCII columns are left as they
    are."""
    codes, uniques = pd.factorize(column.astype(str))
    if all(u.isascii() for u in uniques):
        return column
    normal = [normal_cell(u) for u in uniques]
    return pd.Series(np.asarray(normal, dtype=object)[codes], index=column.index)


def _named_twice(path: Path, frame: pd.DataFrame) -> list[str]:
    """The header names given more than once (pandas renames a CSV file's second `x` to
    `x.1`, so a CSV file's own header line is read)."""
    names = [str(c) for c in frame.columns if c != "row"]
    if path.suffix.lower() not in EXCEL_SUFFIXES:
        names = [c.strip() for c in next(csv.reader(io.StringIO(csv_text(path))), [])]
    seen: set[str] = set()
    twice: list[str] = []
    for name in names:
        if name and name in seen and name not in twice:
            twice.append(name)
        seen.add(name)
    return twice


def uploaded_name(
    file_name: str | None, size: int, suffixes: tuple[str, ...] = UPLOAD_SUFFIXES
) -> str:
    """The base name of an uploaded table (or of a file of another kind: `suffixes`), if it is
    one we read and not too large; `size` may be one byte more than the limit, which is how a
    reader finds out it is too large."""
    default = "activity.csv" if suffixes == UPLOAD_SUFFIXES else f"upload{suffixes[0]}"
    name = Path(file_name or default).name
    if Path(name).suffix.lower() not in suffixes:
        raise InputError(f"{name}: upload a {' or '.join(suffixes)} file")
    if size > MAX_UPLOAD_BYTES:
        raise InputError(f"{name}: larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB")
    return name


def read_upload(name: str, content: bytes, sheet: str) -> pd.DataFrame:
    """An uploaded table (CSV or workbook) read like a file; problems are placed in the file
    by the name the uploader gave it."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(content)
        try:
            return read_table(path, sheet)
        except InputError as exc:
            raise InputError(place_problems(list(exc.problems), Path(name), sheet)) from None


def _read_excel(path: Path, sheet: str) -> pd.DataFrame:
    """A sheet of a workbook as text cells plus `row`. Whatever is wrong with the file itself
    (not a zip, a zip that is no workbook, a truncated or damaged part) is a problem naming the
    file: openpyxl, zipfile and the XML parser raise many kinds of error for these."""
    try:
        return _read_sheet(path, sheet)
    except (InputError, MemoryError):
        raise
    except Exception as exc:
        raise unreadable_workbook(path, exc) from None


def unreadable_workbook(path: Path, exc: Exception) -> InputError:
    """The error of a file openpyxl cannot read (damaged, or not a workbook), naming it."""
    return InputError(
        Problem.of(
            Place(file=str(path)),
            N_("not a readable Excel workbook (.xlsx): {}"),
            str(exc) or type(exc).__name__,
        )
    )


def sheet_named(sheetnames: Iterable[str], wanted: str) -> str | None:
    """The sheet of a workbook (of `sheetnames`) asked for as `wanted`: the sheet titled
    exactly so, else the first whose title is its code, its Chinese name or `中文 (code)`
    (full-width brackets and any spacing too: `io.sheet_names.matches`); None when none is.
    `activity`, `活动数据`, `活动数据 (activity)` and `活动数据（activity）` all find one
    sheet, so workbooks of earlier versions (sheet `activity`) read as before."""
    names = list(sheetnames)
    if wanted in names:
        return wanted
    return next((n for n in names if matches(n, wanted)), None)


def missing_sheet(path: Path | str, wanted: str, sheetnames: Iterable[str]) -> Problem:
    """The problem of a workbook without the sheet asked for as `wanted`, naming the sheets
    it has (and the Chinese title read as well as the code, when the sheet has one)."""
    code, chinese = sheet_code(wanted)
    present = ", ".join(sheetnames)
    if chinese:
        return Problem.of(
            Place(file=str(path)),
            N_("no sheet {!r} (or {!r}); sheets: {}"),
            f"{chinese} ({code})",
            code,
            present,
        )
    return Problem.of(Place(file=str(path)), N_("no sheet {!r}; sheets: {}"), wanted, present)


def _read_sheet(path: Path, wanted: str) -> pd.DataFrame:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = sheet_named(workbook.sheetnames, wanted)
        if sheet is None:
            raise InputError(missing_sheet(path, wanted, workbook.sheetnames))
        merged = _merged_in_header(workbook[sheet])
        if merged:
            raise InputError(
                Problem.of(
                    Place(file=str(path), sheet=sheet, row=1, column=merged),
                    N_("merged cells {} in the header row: unmerge them, one header per column"),
                    merged,
                )
            )
        rows = workbook[sheet].iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
        while header and header[-1] == "":
            header.pop()
        records = []
        empty: list[tuple[int, int]] = []  # (row, column index) of the cells without a value
        for number, values in enumerate(rows, start=2):
            cells = ["" if v is None else _text(v) for v in values[: len(header)]]
            empty += [(number, i) for i, v in enumerate(values[: len(header)]) if v is None]
            cells += [""] * (len(header) - len(cells))
            records.append([*cells, number])
    finally:
        workbook.close()
    formulas = _uncomputed(path, sheet, set(empty)) if empty else []
    if formulas:
        raise InputError(
            [
                Problem.of(
                    Place(file=str(path), sheet=sheet, row=row, column=header[i] or None),
                    N_("a formula without a computed value ({}): open and save the file in Excel"),
                    formula,
                )
                for row, i, formula in formulas
            ]
        )
    return pd.DataFrame(records, columns=[*header, "row"])


_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _merged_in_header(worksheet: Any) -> str | None:
    """The first range of merged cells that touches row 1 (`A1:C1`), read from the sheet's XML
    in pieces (a read-only sheet does not list its merged cells)."""
    with worksheet._get_source() as source:
        tail = b""
        while chunk := source.read(1 << 20):
            text = tail + chunk
            for found in _MERGED.finditer(text):
                first, top, last, _ = found.groups()
                if int(top) == 1:
                    return f"{first.decode()}1:{last.decode()}{found.group(4).decode()}"
            tail = text[-200:]
    return None


def _uncomputed(path: Path, sheet: str, empty: set[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The cells among `empty` (row, column index; read without a value) that hold a formula:
    a workbook written by a program rather than Excel keeps formulas without their computed
    values, which would otherwise read as blanks (`=0.05*2` as nothing)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        out = []
        for number, values in enumerate(workbook[sheet].iter_rows(values_only=True), start=1):
            for i, value in enumerate(values):
                if isinstance(value, str) and value.startswith("=") and (number, i) in empty:
                    out.append((number, i, value))
    finally:
        workbook.close()
    return out


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def place_problems(problems: list[Problem], path: Path, sheet: str | None) -> list[Problem]:
    """The same problems, placed in a file (and sheet, for a workbook)."""
    in_sheet = sheet if path.suffix.lower() in EXCEL_SUFFIXES else None
    return [
        replace(
            p,
            place=Place(
                file=str(path),
                sheet=in_sheet,
                row=p.place.row,
                column=p.place.column,
                field=p.place.field,
            ),
        )
        for p in problems
    ]


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path in the same directory, renamed onto `path` only if the block ends
    without an error: a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
