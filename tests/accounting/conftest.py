from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

CEMENT = "911302007A3K9C2D24"  # synthetic codes (valid check characters), not real enterprises
STEEL = "911302005B8M2P4Q99"
ALUMINIUM = "911502003C6N8R1T91"


def make_rows(*lines: dict[str, Any]) -> pd.DataFrame:
    """An activity table from dicts; enterprise and period default to CEMENT, 2023."""
    records = [
        {"enterprise_id": CEMENT, "period": "2023", "direction": "in", **line} for line in lines
    ]
    return pd.DataFrame(records).astype(str).replace("nan", "")


@pytest.fixture
def rows() -> Callable[..., pd.DataFrame]:
    return make_rows
