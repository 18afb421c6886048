"""The utilisation wing's warnings name their kinds and kind/route pairs in the reader's
language (the reference tables' names), not by their codes."""

from __future__ import annotations

from carbonpeak.domain.warnings import warn
from carbonpeak.reports.render import warning_text


def test_pairs_and_kinds_are_named_in_either_language() -> None:
    missing = warn("utilisation.avoided.no_factor", pairs=["red_mud/backfill"]).as_dict()
    assert warning_text(missing, "zh_CN").startswith("赤泥/地下采空区充填")
    assert "red mud/backfill of mined-out areas" in warning_text(missing, "en")
    assert "red_mud" not in warning_text(missing, "zh_CN") + warning_text(missing, "en")
    unverified = warn(
        "utilisation.rates.kind_unverified", kinds=["steel_slag"], target_kinds=["smelting_slag"]
    ).as_dict()
    assert "钢渣" in warning_text(unverified, "zh_CN") and "冶炼渣" in warning_text(
        unverified, "zh_CN"
    )
    assert "steel slag" in warning_text(unverified, "en")
