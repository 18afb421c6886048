"""A published list of green products read into an edition of the reference library: the
certificates of green building materials (table `green_building_materials`) or a list of the
green manufacturing system (table `green_manufacturing_lists`: green factories, green design
products, green supply-chain enterprises), from a CSV or a workbook with the list's Chinese
headers (证书编号, 统一社会信用代码, 企业名称, 产品类别, 证书等级, 发证日期, 有效期至, ...; a
published list's other columns, such as 绿色设计亮点, are left out and named). An entry the
library in force holds already (a renewed certificate) changes it; an entry whose 状态 is
撤销 or 注销 retires it.

Every problem is placed (file, sheet, row, column) and nothing is kept when any stands: a
list without its own new source id and title (every edition is a published document; a row
may cite another source of the library in 来源, the document otherwise), a
certificate that expires before it is issued, a unified social credit code that is not one
(GB 32100), a star level that is not 1-3, a date that is not one, a key given twice."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from carbonpeak.domain.uscc import check_uscc
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.green.motors import GRADES
from carbonpeak.green.registry import CERTIFICATES, KINDS, LISTS, check_certificate
from carbonpeak.io.headers import ColumnSpec, match_header
from carbonpeak.io.sheets import append_row, csv_text
from carbonpeak.io.tables import read_upload
from carbonpeak.reference.editions import Action, Edition, EditionRow
from carbonpeak.reference.loader import Reference

LIST_KINDS = ("building_material", "factory", "design_product", "supply_chain")
SHEET = "名单"

_COMMON = (
    ColumnSpec("uscc", "统一社会信用代码", aliases=("社会信用代码", "信用代码")),
    ColumnSpec("source_id", "来源", aliases=("来源编号", "source")),
    ColumnSpec("note", "备注"),
    ColumnSpec("withdrawn", "状态", aliases=("证书状态", "撤销状态")),
)
CERTIFICATE_COLUMNS = (
    ColumnSpec("certificate_number", "证书编号", aliases=("证书号",)),
    ColumnSpec("enterprise_name", "企业名称", aliases=("获证企业", "获证企业名称", "生产企业")),
    ColumnSpec("product_category", "产品类别", aliases=("产品种类", "类别")),
    ColumnSpec("product", "产品名称", aliases=("产品", "规格型号")),
    ColumnSpec("star_level", "证书等级", aliases=("星级", "等级", "评价等级")),
    ColumnSpec("issued_on", "发证日期", aliases=("颁证日期", "签发日期")),
    ColumnSpec("expires_on", "有效期至", aliases=("到期日期", "有效截止日期", "证书有效期至")),
    ColumnSpec("certifier", "认证机构"),
    *_COMMON,
)
LIST_COLUMNS = (
    ColumnSpec("entry", "序号"),
    ColumnSpec("enterprise_name", "企业名称", aliases=("工厂名称", "单位名称")),
    ColumnSpec("region_name", "地区", aliases=("省份", "地区（省份）")),
    ColumnSpec("industry", "行业"),
    ColumnSpec("product", "产品名称"),
    ColumnSpec("model", "产品型号"),
    ColumnSpec("evaluator", "第三方评价机构", aliases=("推荐单位", "评价机构")),
    ColumnSpec("batch", "批次"),
    *_COMMON,
)
REQUIRED = {
    "building_material": (
        "certificate_number",
        "enterprise_name",
        "product_category",
        "star_level",
        "issued_on",
        "expires_on",
    ),
    "list": ("entry", "enterprise_name"),
}
STARS = {"1": 1, "2": 2, "3": 3, "一星级": 1, "二星级": 2, "三星级": 3, "★": 1, "★★": 2, "★★★": 3}
# a 状态 cell: empty or in force (the entry added, or changed when the library holds it), or
# withdrawn (撤销, 注销: the entry retired from the library)
IN_FORCE = ("", "有效", "正常", "保持")
WITHDRAWN = ("撤销", "注销", "撤回")
_DAY = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?$")
# 第一批 .. 第九十九批: a batch as Chinese ordinal
_ORDINAL = re.compile(r"^第?([一二三四五六七八九十]{1,3})批?$")
_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}


@dataclass(frozen=True)
class ReadList:
    """The edition a list makes, the list's columns left out, and the keys of the entries it
    changes (the library in force holds them: a renewed certificate) and retires (状态
    撤销/注销)."""

    edition: Edition
    left_out: tuple[str, ...]
    changed: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()


def parse_batch(text: str) -> str:
    """A batch as published: 3, 第3批, 第三批, 第十二批 -> "3", "3", "3", "12"; the text as it is
    when it is none of these (the caller refuses it)."""
    cleaned = text.strip()
    digits = re.fullmatch(r"第?(\d+)批?", cleaned)
    if digits:
        return digits.group(1)
    found = _ORDINAL.match(cleaned)
    if not found:
        return cleaned
    numeral = found.group(1)
    tens, _, units = numeral.rpartition("十")
    if "十" not in numeral:
        return str(_DIGITS[numeral]) if len(numeral) == 1 else cleaned
    if len(tens) > 1 or len(units) > 1:
        return cleaned
    return str((_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0))


def parse_day(text: str) -> date | None:
    """2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日 (a workbook's date cell reads as
    2024-03-01 00:00:00); None if none of these, or anything follows the date."""
    found = _DAY.match(text.strip())
    if not found:
        return None
    try:
        year, month, day = (int(g) for g in found.groups())
        return date(year, month, day)
    except ValueError:
        return None


def read_green_list(
    name: str,
    content: bytes,
    kind: str,
    document: Mapping[str, str],
    valid_from: date,
    reference: Reference,
    *,
    year: int | None = None,
    batch: int | None = None,
    status: str = "verified",
    note: str = "",
) -> ReadList:
    """The edition of a published list (`kind`: building_material, factory, design_product,
    supply_chain): its document (a `sources` row: source_id, title, issuer, document_number,
    date, url; the rows cite it unless they name their own source in 来源), from `valid_from`;
    a list of the green manufacturing system needs its `year` (and its `batch` unless a 批次
    column gives it). `status` and `note` go on every row (an unverified row says why)."""
    problems: list[Problem] = []
    if kind not in LIST_KINDS:
        raise InputError(
            Problem.of(
                Place(field="kind"), N_("{!r}: the lists are {}"), kind, ", ".join(LIST_KINDS)
            )
        )
    if kind != "building_material" and year is None:
        problems.append(Problem.of(Place(field="year"), N_("give the year of the list")))
    if status not in ("verified", "unverified"):
        problems.append(Problem.of(Place(field="status"), N_("verified or unverified")))
    if status == "unverified" and not note.strip():
        problems.append(Problem.of(Place(field="note"), N_("an unverified row says why")))
    frame = read_upload(name, content, _sheet(name, content))
    specs = CERTIFICATE_COLUMNS if kind == "building_material" else LIST_COLUMNS
    columns: dict[str, str] = {}
    left_out: list[str] = []
    for header in frame.columns:
        if header == "row" or not str(header).strip():
            continue
        spec, reason = match_header(str(header), specs)
        if reason is not None:
            problems.append(
                Problem.of(Place(file=name, row=1, column=header), reason[0], *reason[1])
            )
        elif spec is None or spec.code in columns:
            left_out.append(str(header))
        else:
            columns[spec.code] = str(header)
    required = REQUIRED["building_material" if kind == "building_material" else "list"]
    for code in required:
        if code not in columns:
            label = next(s.label for s in specs if s.code == code)
            problems.append(
                Problem.of(Place(file=name, row=1), N_("no column {} ({})"), label, code)
            )
    if kind != "building_material" and batch is None and "batch" not in columns:
        problems.append(
            Problem.of(Place(file=name, row=1), N_("give the batch, or a column 批次 (batch)"))
        )
    if problems:
        raise InputError(problems)
    document_source = str(document.get("source_id") or "").strip()
    if not document_source:
        problems.append(
            Problem.of(
                Place(field="source_id"),
                N_("no source: name the published list (a new source id and its title)"),
            )
        )
    elif document_source in {s.source_id for s in reference.sources}:
        problems.append(
            Problem.of(
                Place(field="source_id"),
                N_("{!r} is in the library already: give the list a source id of its own"),
                document_source,
            )
        )
    if not str(document.get("title") or "").strip():
        problems.append(
            Problem.of(Place(field="title"), N_("give the title of the published list"))
        )
    known = {s.source_id for s in reference.sources}
    held = _held_keys(reference, kind, year)
    changed: list[str] = []
    retired: list[str] = []
    rows: list[EditionRow] = []
    seen: dict[tuple[str, ...], int] = {}
    for record in frame.to_dict("records"):
        row = int(record["row"])
        cells = {code: str(record[header]).strip() for code, header in columns.items()}

        def place(code: str, row: int = row) -> Place:
            return Place(file=name, row=row, column=columns.get(code), field=code)

        for code in required:
            if not cells.get(code):
                problems.append(Problem.of(place(code), N_("empty, a value is required")))
        source = cells.pop("source_id", "") or document_source
        if not source:
            problems.append(
                Problem.of(
                    place("source_id"),
                    N_("no source: name the published list the entry comes from"),
                )
            )
        elif source != document_source and source not in known:
            problems.append(
                Problem.of(place("source_id"), N_("{!r} is no source of the library"), source)
            )
        uscc = cells.get("uscc", "")
        if uscc:
            verdict = check_uscc(uscc, reference)
            if not verdict.valid:
                problems.append(
                    Problem.of(
                        place("uscc"),
                        N_("{!r} is not a unified social credit code: {}"),
                        uscc,
                        verdict.reason,
                    )
                )
        withdrawn = cells.pop("withdrawn", "")
        if withdrawn not in IN_FORCE + WITHDRAWN:
            problems.append(
                Problem.of(
                    place("withdrawn"),
                    N_("{!r}: a status is empty, 有效 (in force), 撤销 or 注销 (withdrawn)"),
                    withdrawn,
                )
            )
        values = {k: v for k, v in cells.items() if k != "note"}
        row_note = "; ".join(filter(None, [note.strip(), cells.get("note", "")]))
        if kind == "building_material":
            star = STARS.get(cells.get("star_level", "").replace(" ", ""))
            if cells.get("star_level") and star is None:
                problems.append(
                    Problem.of(
                        place("star_level"),
                        N_("{!r}: a star level is 1, 2 or 3 (一星级, 二星级, 三星级)"),
                        cells["star_level"],
                    )
                )
            days = {}
            for code in ("issued_on", "expires_on"):
                text = cells.get(code, "")
                days[code] = parse_day(text) if text else None
                if text and days[code] is None:
                    problems.append(
                        Problem.of(place(code), N_("{!r} is not a date (YYYY-MM-DD)"), text)
                    )
            if all(cells.get(c) for c in ("issued_on", "expires_on")) and all(days.values()):
                problems += check_certificate(
                    days["issued_on"], days["expires_on"], place("expires_on")
                )
            values |= {
                "star_level": str(star or ""),
                **{c: d.isoformat() for c, d in days.items() if d is not None},
            }
            key: tuple[str, ...] = (cells.get("certificate_number", ""),)
            table = CERTIFICATES
        else:
            given_batch = parse_batch(cells.get("batch", "")) or (
                str(batch) if batch is not None else ""
            )
            if not (given_batch.isascii() and given_batch.isdigit()):
                problems.append(
                    Problem.of(
                        place("batch"),
                        N_("{!r}: a batch is a whole number (3, 第3批 or 第三批)"),
                        given_batch,
                    )
                )
            values |= {"list": kind, "year": str(year), "batch": given_batch}
            key = (given_batch, cells.get("entry", ""))
            table = LISTS
        if all(key):
            if key in seen:
                problems.append(
                    Problem.of(
                        place("certificate_number" if kind == "building_material" else "entry"),
                        N_("given twice (rows {} and {})"),
                        seen[key],
                        row,
                    )
                )
            seen.setdefault(key, row)
        values |= {"source_id": source, "status": status}
        if row_note:
            values["note"] = row_note
        label = ":".join(key)
        action: Action = "add"
        if withdrawn in WITHDRAWN:
            action = "retire"
            if key not in held:
                problems.append(
                    Problem.of(
                        place("withdrawn"),
                        N_("{} is withdrawn but the library in force does not hold it"),
                        label,
                    )
                )
            retired.append(label)
        elif key in held:
            action = "change"  # a renewed certificate, a corrected entry
            changed.append(label)
        rows.append(EditionRow(table, values, action, Place(file=name, row=row)))
    if not rows and not problems:
        problems.append(Problem.of(Place(file=name), N_("the list has no entries")))
    if problems:
        raise InputError(problems)
    edition = Edition(dict(document), valid_from, tuple(rows), (), Place(file=name))
    return ReadList(edition, tuple(left_out), tuple(changed), tuple(retired))


def _sheet(name: str, content: bytes) -> str:
    """The sheet a list is read from: 名单, or the only sheet of a workbook of one sheet
    (published lists rarely name their sheet so)."""
    if not name.lower().endswith(".xlsx"):
        return SHEET
    from openpyxl import load_workbook

    try:
        names = load_workbook(io.BytesIO(content), read_only=True).sheetnames
    except Exception:  # an unreadable workbook: the reader says so, naming the file
        return SHEET
    return names[0] if len(names) == 1 else SHEET


def _held_keys(reference: Reference, kind: str, year: int | None) -> set[tuple[str, ...]]:
    """The keys of the library in force the list's rows are compared with: certificate
    numbers; (batch, entry) of the list's kind and year."""
    if kind == "building_material":
        return {(str(r["certificate_number"]),) for r in reference.rows(CERTIFICATES)}
    return {
        (_whole(r["batch"]), str(r["entry"]))
        for r in reference.rows(LISTS)
        if r["list"] == kind and _whole(r["year"]) == str(year)
    }


def _whole(value: object) -> str:
    return str(int(value)) if isinstance(value, int | float) else str(value)


NOTES_SHEET = "说明 (notes)"


def table_bytes(
    header: list[str],
    rows: list[list[object]],
    fmt: str,
    sheet: str,
    notes: Sequence[Sequence[object]] = (),
) -> bytes:
    """A table as CSV (UTF-8 with a byte-order mark, so that Excel reads Chinese text; the
    `notes` after an empty row, each a label and its values) or as a workbook (the table on
    one sheet, the notes on sheet `说明 (notes)`); no cell a formula (`io.sheets`). The notes
    are the view's provenance: the day, the window, the target and its source, the
    warnings."""
    if fmt == "csv":
        trailing = [[], *([*n] for n in notes)] if notes else []
        return ("\ufeff" + csv_text(header, [*rows, *trailing])).encode("utf-8")
    from openpyxl import Workbook

    book = Workbook()
    worksheet = book.worksheets[0]
    worksheet.title = sheet[:31]
    append_row(worksheet, header)
    for row in rows:
        append_row(worksheet, row)
    if notes:
        extra = book.create_sheet(NOTES_SHEET)
        for note in notes:
            append_row(extra, list(note))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# the exports' columns: code, Chinese header
EXPORT_COLUMNS = (
    ("kind", "名录"),
    ("key", "证书编号或名单条目"),
    ("uscc", "统一社会信用代码"),
    ("enterprise_name", "企业名称"),
    ("enterprise_id", "平台企业"),
    ("title", "产品"),
    ("star_level", "星级"),
    ("issued_on", "发证日期"),
    ("expires_on", "有效期至"),
    ("days_left", "剩余天数"),
    ("status", "状态"),
    ("year", "年度"),
    ("batch", "批次"),
    ("source_id", "来源"),
    ("row_status", "核实状态"),
    ("illustrative", "示例数据"),
)


def certificate_table(entries: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """The registries' entries as a table: bilingual header, a row each."""
    header = [f"{zh} ({code})" for code, zh in EXPORT_COLUMNS]
    return header, [[e.get(code) for code, _ in EXPORT_COLUMNS] for e in entries]


def summary_table(view: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The counts and shares by group (`services.green.summary`) as a table, the total of
    the enterprises seen last (as the page shows it)."""
    header = ["分组 (code)", "名称 (name)", "企业数 (enterprises)"]
    for kind in KINDS:
        header += [f"持有企业 ({kind})", f"占比 ({kind}_share)", f"条目 ({kind}_entries)"]
    header.append("即将到期 (expiring)")
    rows = []
    for g in view["groups"]:
        row: list[Any] = [g["code"], g.get("name", ""), g["enterprises"]]
        for kind in KINDS:
            row += [g["certified"][kind], g["shares"][kind], g["entries"][kind]]
        rows.append([*row, g["expiring"]])
    total = view["total"]
    row = ["total", "合计 (total)", total["enterprises"]]
    for kind in KINDS:
        row += [total["certified"][kind], total["shares"][kind], total["entries"][kind]]
    rows.append([*row, total["expiring"]])
    return header, rows


GRADE_LABELS = {"1": "1级", "2": "2级", "3": "3级", "below": "低于限定值", "unknown": "等级未知"}


def _verdict(meets: object, basis: str) -> object:
    """The cell of `meets_target`: not judged when the target's basis is unstated."""
    return meets if basis in ("count", "kw") else "不判定 (not judged)"


def motor_table(view: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The motors by grade by group and in all (`services.green.motors`) as a table: the
    shares are of the motors of a known grade (`coverage` of all); `meets_target` is judged
    only on the target's basis (count or kw)."""
    header = ["分组 (code)", "名称 (name)", "电机台数 (motors)", "额定功率 (rated_kw)"]
    header += [f"{GRADE_LABELS[g]}台数 (count_grade_{g})" for g in GRADES]
    header += [f"{GRADE_LABELS[g]}功率 (kw_grade_{g})" for g in GRADES]
    header += [
        "等级已知台数 (known_motors)",
        "覆盖率 (coverage)",
        "高效台数占比 (share_by_count)",
        "高效功率占比 (share_by_kw)",
        "目标 (target_share)",
        "目标口径 (basis)",
        "达标 (meets_target)",
        "3级电机 (replaced_motors)",
        "更换节电 kWh/a (saving_kwh)",
    ]
    rows = []
    for g in [*view["groups"], view["total"]]:
        rows.append(
            [
                g["code"],
                g.get("name", ""),
                g["motors"],
                g["rated_kw"],
                *(g["count_by_grade"][k] for k in GRADES),
                *(g["kw_by_grade"][k] for k in GRADES),
                g["known_motors"],
                g["coverage"],
                g["share_by_count"],
                g["share_by_kw"],
                g["target_share"],
                g["basis"],
                _verdict(g["meets_target"], g["basis"]),
                g["replaced_motors"],
                g["saving_kwh"],
            ]
        )
    return header, rows
