"""The sheets of the platform's workbooks: each one's English code and Chinese name, one table
for the writers (which title a sheet `活动数据 (activity)`) and the readers (which find it by
`io.tables.sheet_named`: the code alone, as earlier versions named it, the Chinese name alone, or
both, with ASCII or full-width brackets and any spacing).

The equipment inventory names its own sheets (`io.inventory_fields.SHEETS`); budgets keep
their sheet 预算 as written since the first version (read as `budgets` too). The process map's
sheets are named once, in `product.map_sheets`, for the product model to place its problems.
"""

from __future__ import annotations

import re
import unicodedata

from carbonpeak.product.map_sheets import MAP_SHEETS

SHEET_NAMES = {
    "activity": "活动数据",
    "enterprises": "企业",
    "lists": "代码表",
    "help": "说明",
    "example": "示例",
    "fleet": "车队",
    "meters": "计量器具",
    "scenarios": "情景",
    "paths": "路径",
    "budgets": "预算",
    "versions": "版本",
    "facilities": "设施",
    "parameters": "参数",
    "solid_waste": "工业固废",  # the utilisation wing's report (io.utilisation)
    **MAP_SHEETS,  # a plant's process map (io.product_map)
}
"""sheet code -> Chinese name."""

_CODES = {name: code for code, name in SHEET_NAMES.items()}
_BRACKETED = re.compile(r"^(.*?)\(\s*([^()]*?)\s*\)$")


def sheet_title(code: str) -> str:
    """The title the templates give sheet `code`: `活动数据 (activity)` (the code alone when it
    has no Chinese name)."""
    name = SHEET_NAMES.get(code)
    return f"{name} ({code})" if name else code


def sheet_ref(title: str) -> str:
    """A sheet's title as a formula names it: quoted (`'代码表 (lists)'`) unless it is a plain
    word of letters, digits and underscores."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title):
        return title
    return "'" + title.replace("'", "''") + "'"


def _plain(text: str) -> str:
    """A sheet name as compared: NFKC (full-width brackets and spaces as ASCII), without
    spaces, case-folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def sheet_code(name: str) -> tuple[str, str | None]:
    """(code, Chinese name or None) a sheet's name means: the code in brackets of
    `中文 (code)`, a Chinese name of `SHEET_NAMES`, or the name itself as the code."""
    text = unicodedata.normalize("NFKC", name).strip()
    found = _BRACKETED.match(text)
    if found and found.group(2):
        code = found.group(2)
        return code, found.group(1).strip() or SHEET_NAMES.get(code)
    plain = _plain(text)
    for chinese, code in _CODES.items():
        if _plain(chinese) == plain:
            return code, chinese
    return text, SHEET_NAMES.get(text)


def accepted_names(wanted: str) -> set[str]:
    """The names (as `_plain` compares them) a sheet asked for as `wanted` may have: its code,
    its Chinese name and `中文 (code)`."""
    code, chinese = sheet_code(wanted)
    names = {_plain(code)}
    if chinese:
        names |= {_plain(chinese), _plain(f"{chinese}({code})")}
    return names


def matches(title: str, wanted: str) -> bool:
    """Whether a sheet titled `title` is the sheet asked for as `wanted` (a code, a Chinese
    name or `中文 (code)`): its code, Chinese name or both; or any `名称 (code)` with the same
    code in brackets, as the inventory reads its sheets."""
    code, _ = sheet_code(wanted)
    found = _BRACKETED.match(unicodedata.normalize("NFKC", title).strip())
    if found and _plain(found.group(2)) == _plain(code):
        return True
    return _plain(title) in accepted_names(wanted)
