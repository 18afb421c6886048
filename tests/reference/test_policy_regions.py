"""The regions named by policy rules are regions of the GB/T 2260 table, under their names."""

from __future__ import annotations

from carbonpeak.reference.loader import default_reference


def test_every_policy_region_is_in_the_regions_table_by_name() -> None:
    reference = default_reference()
    names = {str(r["region_code"]): str(r["name_zh"]) for r in reference.rows("regions")}
    rows = reference.rows("policy_regions")
    assert len(rows) >= 100
    for row in rows:
        assert names.get(str(row["region_code"])) == row["name_zh"], row.values
    schemes = {str(r["scheme"]) for r in rows}
    assert {"steel_key_2021", "air_key_2023", "steel_equal_1to1"} <= schemes
