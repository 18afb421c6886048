"""Region codes (GB/T 2260) and industry codes (GB/T 4754-2017).

Both code lists are reference tables (`regions`, `industries`) with their sources; this module
validates codes and resolves them to names in Chinese and English and to their parents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from carbonpeak.errors import CodeError
from carbonpeak.reference.loader import Reference, default_reference


@dataclass(frozen=True)
class Region:
    """An administrative division."""

    region_code: str
    name_zh: str
    name_en: str
    level: str
    parent_code: str | None

    @property
    def province_code(self) -> str:
        return self.region_code[:2] + "0000"


@dataclass(frozen=True)
class Industry:
    """An industry of GB/T 4754-2017 (section, division, group or class)."""

    industry_code: str
    name_zh: str
    name_en: str | None
    level: str
    parent_code: str | None

    @property
    def section(self) -> str:
        code = self.industry_code
        while True:
            industry = industry_by_code(code)
            if industry.parent_code is None:
                return industry.industry_code
            code = industry.parent_code


def region_by_code(code: str, reference: Reference | None = None) -> Region:
    """Resolve a GB/T 2260 code; raise `CodeError` with a helpful reason if it is unknown."""
    ref = reference or default_reference()
    text = str(code).strip()
    if not re.fullmatch(r"\d{6}", text):
        raise CodeError(f"region code {text!r} is not 6 digits (GB/T 2260)")
    rows = ref.rows("regions", region_code=text)
    if not rows:
        hint = ""
        province = ref.rows("regions", region_code=text[:2] + "0000")
        prefecture = ref.rows("regions", region_code=text[:4] + "00")
        if prefecture:
            hint = f"; its prefecture {text[:4]}00 is {prefecture[0]['name_zh']}"
        elif province:
            hint = (
                f"; {text[:2]}0000 is {province[0]['name_zh']}, "
                f"but it has no prefecture {text[:4]}00"
            )
        else:
            hint = f"; no province has code {text[:2]}0000"
        raise CodeError(
            f"unknown region code {text}: not a province or prefecture of GB/T 2260{hint}"
        )
    row = rows[0]
    return Region(
        region_code=text,
        name_zh=str(row["name_zh"]),
        name_en=str(row["name_en"]),
        level=str(row["level"]),
        parent_code=str(row["parent_code"]) if row.get("parent_code") else None,
    )


def regions(
    level: str | None = None, parent_code: str | None = None, reference: Reference | None = None
) -> list[Region]:
    """All regions, optionally of one level or under one province."""
    ref = reference or default_reference()
    filters: dict[str, str] = {}
    if level:
        filters["level"] = level
    if parent_code:
        filters["parent_code"] = parent_code
    return [region_by_code(str(r["region_code"]), ref) for r in ref.rows("regions", where=filters)]


def industry_by_code(code: str, reference: Reference | None = None) -> Industry:
    """Resolve a GB/T 4754-2017 code of sections B, C or D; raise `CodeError` if unknown."""
    ref = reference or default_reference()
    text = str(code).strip().upper()
    if not re.fullmatch(r"[A-Z]|\d{2,4}", text):
        raise CodeError(
            f"industry code {text!r} is not a section letter or a 2-, 3- or 4-digit code "
            "(GB/T 4754-2017)"
        )
    rows = ref.rows("industries", industry_code=text)
    if not rows:
        raise CodeError(
            f"unknown industry code {text}: not in GB/T 4754-2017 sections B (mining), "
            "C (manufacturing) or D (electricity, heat, gas and water)"
        )
    row = rows[0]
    return Industry(
        industry_code=text,
        name_zh=str(row["name_zh"]),
        name_en=str(row["name_en"]) if row.get("name_en") else None,
        level=str(row["level"]),
        parent_code=str(row["parent_code"]) if row.get("parent_code") else None,
    )


def industries(level: str | None = None, reference: Reference | None = None) -> list[Industry]:
    """All industries, optionally of one level."""
    ref = reference or default_reference()
    filters = {"level": level} if level else {}
    return [
        industry_by_code(str(r["industry_code"]), ref)
        for r in ref.rows("industries", where=filters)
    ]
