"""Hand-worked reports shared by the utilisation tests (made-up tonnes, synthetic codes)."""

from __future__ import annotations

import pandas as pd

from carbonpeak.domain.uscc import make_uscc
from carbonpeak.io.utilisation import specs
from carbonpeak.reference.loader import Reference

A = make_uscc("91130200MA0AAAAA1")  # Tangshan (130200), steel
B = make_uscc("91130100MA0BBBBB2")  # Shijiazhuang (130100), power
C = make_uscc("91150200MA0CCCCC3")  # Baotou (150200), another province

ENTERPRISES = pd.DataFrame(
    [
        {"enterprise_id": A, "name": "甲钢铁", "region_code": "130203", "industry_code": "3110"},
        {"enterprise_id": B, "name": "乙电厂", "region_code": "130102", "industry_code": "4411"},
        {"enterprise_id": C, "name": "丙铝业", "region_code": "150203", "industry_code": "3216"},
    ]
)

# (enterprise, year, kind, flow, route, tonnes)
LINES = [
    (A, 2024, "steel_slag", "opening_stock", "", 50),
    (A, 2024, "steel_slag", "generated", "", 100),
    (A, 2024, "steel_slag", "utilised", "building_materials", 60),
    (A, 2024, "steel_slag", "utilised", "element_recovery", 10),
    (A, 2024, "steel_slag", "utilised_from_stock", "building_materials", 10),
    (A, 2024, "steel_slag", "stored", "", 40),
    (B, 2024, "fly_ash", "generated", "", 200),
    (B, 2024, "fly_ash", "utilised", "building_materials", 100),
    (B, 2024, "fly_ash", "stored", "", 100),
    (C, 2024, "red_mud", "opening_stock", "", 1000),
    (C, 2024, "red_mud", "generated", "", 300),
    (C, 2024, "red_mud", "utilised", "backfill", 30),
    (C, 2024, "red_mud", "stored", "", 270),
]


def table(lines: list[tuple[object, ...]] | None = None) -> pd.DataFrame:
    """The lines as the report's text table."""
    return pd.DataFrame(
        [[str(v) for v in line] for line in (LINES if lines is None else lines)],
        columns=["enterprise_id", "period", "kind", "flow", "route", "amount_t"],
    )


def csv_bytes(reference: Reference, lines: list[tuple[object, ...]] | None = None) -> bytes:
    """The lines as a CSV file with the template's bilingual headers."""
    headers = [s.header for s in specs(reference)]
    body = "\n".join(",".join(str(v) for v in line) for line in (LINES if lines is None else lines))
    return (",".join(headers) + "\n" + body + "\n").encode()
