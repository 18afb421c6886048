"""Every reference table has a name in Chinese (shown first) and in English besides its code,
one name per table: a department user reads 电网排放因子, not grid_emission_factors."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from carbonpeak.reference.catalog import Catalog, TableSpec
from carbonpeak.reference.loader import default_reference

HAN = re.compile(r"[\u4e00-\u9fff]")


def _specs() -> tuple[TableSpec, ...]:
    return default_reference().catalog.all()


def test_every_table_has_both_names() -> None:
    specs = _specs()
    assert len(specs) == len(default_reference().table_names) + 1  # and sources
    for spec in specs:
        assert spec.name_zh.strip() == spec.name_zh and spec.name_zh, spec.name
        assert spec.name_en.strip() == spec.name_en and spec.name_en, spec.name
        assert HAN.search(spec.name_zh), f"{spec.name}: {spec.name_zh!r} has no Chinese"
        assert not HAN.search(spec.name_en), f"{spec.name}: {spec.name_en!r} is not English"


def test_no_two_tables_share_a_name() -> None:
    specs = _specs()
    for names in ([s.name_zh for s in specs], [s.name_en.casefold() for s in specs]):
        repeated = {n for n in names if names.count(n) > 1}
        assert repeated == set()


def test_the_glossary_names_are_used() -> None:
    # the tables whose concept is in the glossary carry its Chinese term
    reference = default_reference()
    assert reference.spec("grid_emission_factors").name_zh == "电网排放因子"
    assert reference.spec("grid_emission_factors").name_en == "Grid emission factors"
    assert "产能置换" in reference.spec("swap_ratios").name_zh
    assert "能效标杆水平" in reference.spec("efficiency_levels").name_zh
    assert "节能诊断" in reference.spec("diagnosis_parameters").name_zh


def test_a_table_without_its_names_is_not_declared() -> None:
    table = {"description": "d", "key": ["k"], "columns": {"k": {}}}
    sources = {"name_zh": "来源文件", "name_en": "Sources", **table}
    with pytest.raises(ValidationError, match="name_zh"):
        Catalog.model_validate({"sources": sources, "tables": {"t": {**table, "name_en": "T"}}})
    with pytest.raises(ValidationError, match="name_en"):
        Catalog.model_validate({"sources": sources, "tables": {"t": {**table, "name_zh": "表"}}})
    named = {**table, "name_zh": "表", "name_en": "T"}
    assert Catalog.model_validate({"sources": sources, "tables": {"t": named}}).tables["t"]
