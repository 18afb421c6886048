"""PACT v3 exchange against the spec itself: the schema (spec/v3/openapi.yaml) and the examples
(spec/v3/examples/*.json) of wbcsd/data-exchange-protocol@cf4ebedb, fetched into build/pact-spec/
by scripts/pact_spec.py. They may not be shared (WBCSD licence, NOTICE-PACT.md), so these tests
are not in tests/: run them with `make pact-conformance`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel
from tests.product.pact_cases import (
    FOOTPRINTS,
    PCF_REQUIRED,
    REQUIRED,
    REQUIRED_PATHS,
    check_bad_enum_and_bad_decimal,
    mill,
    problems_of,
    without,
)

from carbonpeak.errors import InputError, Place
from carbonpeak.io.pact import read_footprints
from carbonpeak.product.exchange import from_pact, to_pact
from carbonpeak.product.pact_model import (
    CarbonFootprint,
    DataQuality,
    EmissionFactorSource,
    Extension,
    Footprint,
    SectorRule,
    Verification,
)
from carbonpeak.product.pact_schema import PactSchema

ROOT = Path(__file__).parents[1]
EXAMPLES = ["example-1.json", "example-2.json", "example-3.json", "example-4.json"]


# --- the spec's examples ------------------------------------------------------------------


def _norm(value: Any) -> Any:
    """JSON values compared by meaning: decimal strings as Decimals, date-times as instants."""
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, str):
        if re.fullmatch(r"[+-]?\d+(\.\d+)?", value):
            return Decimal(value)
        if re.fullmatch(r"\d{4}-\d\d-\d\dT.+", value):
            return datetime.fromisoformat(value)
    return value


def _carried(obj: Any, model: type[BaseModel]) -> Any:
    """The part of a PACT object that `model` has fields for."""
    out = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key not in obj:
            continue
        inner = _submodel(field.annotation)
        if inner is None or obj[key] is None:
            out[key] = obj[key]
        elif isinstance(obj[key], list):
            out[key] = [_carried(item, inner) for item in obj[key]]
        else:
            out[key] = _carried(obj[key], inner)
    return out


def _submodel(annotation: Any) -> type[BaseModel] | None:
    for model in (CarbonFootprint, SectorRule, EmissionFactorSource, DataQuality, Verification):
        if model.__name__ in str(annotation):
            return model
    return Extension if "Extension" in str(annotation) else None


@pytest.mark.parametrize("name", EXAMPLES)
def test_spec_examples_read_and_write_back_equal(spec: Path, schema: PactSchema, name: str) -> None:
    original = json.loads((spec / "examples" / name).read_text(encoding="utf-8"))
    footprint = from_pact(original, Place(file=name), schema)
    written = to_pact(footprint)
    assert schema.issues(written) == []
    assert _norm(written) == _norm(_carried(original, Footprint))
    # what the model leaves out is only what the schema does not define
    pcf_keys = set(original["pcf"]) - set(written["pcf"])
    assert pcf_keys <= {"otherOperatorName"}, pcf_keys
    assert from_pact(written, Place(), schema) == footprint


def test_spec_list_and_get_responses_read(spec: Path, schema: PactSchema) -> None:
    listed = read_footprints(spec / "examples" / "list-footprints-response.json", schema)
    got = read_footprints(spec / "examples" / "get-footprint-response.json", schema)
    assert len(listed) == 1 and len(got) == 1
    raw = json.loads((spec / "examples" / "list-footprints-response.json").read_bytes())
    assert listed[0].pcf.declared_unit == raw["data"][0]["pcf"]["declaredUnitOfMeasurement"]
    assert listed[0].pcf.pcf_excluding_biogenic_uptake == Decimal(
        raw["data"][0]["pcf"]["pcfExcludingBiogenicUptake"]
    )


def test_required_fields_are_the_schema_s(schema: PactSchema) -> None:
    document = schema._registry.contents(
        "https://raw.githubusercontent.com/wbcsd/data-exchange-protocol/"
        "cf4ebedb18d42f3453bcc868e01159321297c09a/spec/v3/openapi.yaml"
    )
    parts = document["components"]["schemas"]
    assert parts["ProductFootprint"]["required"] == REQUIRED
    assert parts["CarbonFootprint"]["required"] == PCF_REQUIRED


def test_the_mill_is_schema_valid(schema: PactSchema) -> None:
    assert schema.issues(to_pact(mill())) == []


# --- refusals by the schema check -----------------------------------------------------------


def test_a_v2_payload_is_refused_before_the_schema_check(schema: PactSchema) -> None:
    payload = {**to_pact(mill()), "specVersion": "2.3.0"}
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="supplier.json", row=3), schema)
    [problem] = error.value.problems
    assert problem.place == Place(file="supplier.json", row=3, field="specVersion")
    assert "2026-04-01" in problem.message and "3.0.x" in problem.message


@pytest.mark.parametrize("path", REQUIRED_PATHS)
def test_each_missing_required_field_is_placed_by_the_schema(schema: PactSchema, path: str) -> None:
    with pytest.raises(InputError) as error:
        from_pact(without(path), Place(file="a.json", row=1), schema)
    assert problems_of(error) == {path: "the required field {} is missing"}


def test_bad_enum_and_bad_decimal_are_placed_by_the_schema(schema: PactSchema) -> None:
    check_bad_enum_and_bad_decimal(schema)


def test_the_model_refuses_what_the_schema_s_loose_patterns_let_through(
    schema: PactSchema,
) -> None:
    # openapi.yaml's NegativeOrZeroDecimal `^(-\d+(\.\d+)?)|0+(\.0+)?$` is anchored per branch
    # only, so "100" matches its second branch; the model holds biogenicCO2Uptake to <= 0
    payload = to_pact(mill())
    payload["pcf"]["biogenicCO2Uptake"] = "100"
    assert schema.issues(payload) == []
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="e.json", row=1), schema)
    assert problems_of(error) == {
        "pcf.biogenicCO2Uptake": "{!r} is out of range: PACT v3 asks for {}"
    }


# --- the property ---------------------------------------------------------------------------


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(FOOTPRINTS)
def test_every_export_validates_against_the_schema(
    schema: PactSchema, footprint: Footprint
) -> None:
    assert schema.issues(to_pact(footprint)) == []


# --- the licence's notice -------------------------------------------------------------------


def test_the_notice_reproduces_section_5_of_the_licence_exactly(spec: Path) -> None:
    # WBCSD licence, Section 3.2 (iii): "reproduces exactly and in full Section 5"
    licence = (spec / "LICENSE.md").read_text(encoding="utf-8")
    section = re.search(r"^5 +Disclaimer.*?(?=^6 +Term)", licence, re.S | re.M)
    assert section is not None
    assert section.group().rstrip() in (ROOT / "NOTICE-PACT.md").read_text(encoding="utf-8")
