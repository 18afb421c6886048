"""CBAM's aggregated goods categories of iron and steel, aluminium, cement and hydrogen: each
one's code (what a process map's units sheet gives), its Chinese name, and whether its goods
are of Annex II of Reg. (EU) 2023/956, which counts their direct emissions only (Art. 7(1)).

Which categories count indirect emissions in the definitive period is the EU communication
template's table of aggregated goods categories (`Parameters_Constants` rows 88-106, column
"indirect emissions relevant (definitive)"; docs/notes/research22.md §2.5 [F]), which agrees
with Annex II as quoted in research22 §3.1 [F2, verbatim]: cement, clinker, calcined clay,
aluminous cement and sintered ore carry direct and indirect emissions; iron and steel,
aluminium and hydrogen direct only. Fertilisers and electricity are not listed (the product
wing does not model them).
"""

from __future__ import annotations

CBAM_CATEGORIES: dict[str, tuple[str, bool]] = {
    "cement": ("水泥", False),
    "cement_clinker": ("水泥熟料", False),
    "calcined_clay": ("煅烧黏土", False),
    "aluminous_cement": ("铝酸盐水泥", False),
    "iron_steel_products": ("钢铁制品", True),
    "crude_steel": ("粗钢", True),
    "dri": ("直接还原铁", True),
    "pig_iron": ("生铁", True),
    "alloys": ("铁合金（锰铁、铬铁、镍铁）", True),
    "sintered_ore": ("烧结矿", False),
    "hydrogen": ("氢", True),
    "aluminium_products": ("铝制品", True),
    "unwrought_aluminium": ("未锻轧铝", True),
}
"""code -> (Chinese name, direct emissions only: of Annex II)."""
