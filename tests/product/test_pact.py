"""PACT v3 footprint exchange: the model, to_pact/from_pact, the JSON files.

Nothing here needs the spec: the model's own rules (its required fields, types, patterns, enums
and the MUST/SHALL rules of the field descriptions) are tested on the made-up footprint of
tests/product/pact_cases.py, not a figure of any product. The spec's schema and examples may
not be shared (WBCSD licence, see NOTICE-PACT.md), so the tests against them are in
conformance/test_pact_spec.py, run by `make pact-conformance` after fetching the spec.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from carbonpeak.errors import CodeError, InputError, Place
from carbonpeak.i18n import problem_text
from carbonpeak.io.pact import (
    parse_footprints,
    read_footprints,
    read_pact_schema,
    write_footprints,
)
from carbonpeak.product import exchange, pact_model
from carbonpeak.product.exchange import from_pact, pact_urn, to_pact, uscc_of, uscc_urn
from carbonpeak.product.pact_model import CarbonFootprint, Footprint
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

ROOT = Path(__file__).parents[2]


def test_a_chinese_rule_goes_in_as_operator_other() -> None:
    written = to_pact(mill())
    assert written["pcf"]["productOrSectorSpecificRules"] == [
        {
            "operator": "Other",
            "ruleNames": ["GB/T 24067-2024"],
            "otherOperatorName": "国家市场监督管理总局、国家标准化管理委员会",
        }
    ]
    assert written["companyIds"] == ["urn:pact:cods.org.cn:uscc:91350100M000100Y43"]
    assert written["pcf"]["declaredUnitAmount"] == "1000"


# --- refusals -------------------------------------------------------------------------------


def test_a_v2_payload_is_refused_with_the_deprecation() -> None:
    payload = to_pact(mill())
    payload["specVersion"] = "2.3.0"
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="supplier.json", row=3))
    [problem] = error.value.problems
    assert problem.place == Place(file="supplier.json", row=3, field="specVersion")
    assert "2026-04-01" in problem.message and "3.0.x" in problem.message


def test_the_v2_refusal_is_said_in_chinese() -> None:
    payload = {**to_pact(mill()), "specVersion": "2.2.0"}
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="supplier.json", row=1))
    assert problem_text(error.value.problems[0], "zh_CN") == (
        "specVersion 2.2.0 为 PACT v2，自 2026-04-01 起已废止："
        "请索取 PACT v3（specVersion 3.0.x）格式的足迹"
    )


def test_the_model_requires_the_required_fields() -> None:
    # the lists are the spec's (conformance/test_pact_spec.py checks them against the schema);
    # specVersion has a default for footprints built in Python, and from_pact requires it
    footprint = [
        field.alias or name
        for name, field in Footprint.model_fields.items()
        if field.is_required() or field.alias == "specVersion"
    ]
    pcf = [
        field.alias or name
        for name, field in CarbonFootprint.model_fields.items()
        if field.is_required()
    ]
    assert (footprint, pcf) == (REQUIRED, PCF_REQUIRED)


@pytest.mark.parametrize("path", REQUIRED_PATHS)
def test_each_missing_required_field_is_placed(path: str) -> None:
    with pytest.raises(InputError) as error:
        from_pact(without(path), Place(file="a.json", row=1))
    assert problems_of(error) == {path: "the required field {} is missing"}
    assert error.value.problems[0].place == Place(file="a.json", row=1, field=path)


def test_a_missing_spec_version_is_said_with_the_other_problems() -> None:
    payload = without("specVersion")
    del payload["companyName"]
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="a.json", row=1))
    assert problems_of(error) == {
        "specVersion": "the required field {} is missing",
        "companyName": "the required field {} is missing",
    }


def test_bad_enum_and_bad_decimal_are_placed() -> None:
    check_bad_enum_and_bad_decimal(None)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("dqi.temporalDQR", "6", "pcf.dqi.temporalDQR"),  # DQRs are 1 to 5
        ("packagingGhgEmissions", "1", "pcf"),  # packaging is not included
        ("ccsTechnologicalCO2Capture", "-1", "pcf"),  # CCS is not included
        ("geographyRegionOrSubregion", "Eastern Asia", "pcf"),  # geographyCountry too
    ],
)
def test_model_rules_of_the_spec_text(path: str, value: str, field: str) -> None:
    payload = to_pact(mill())
    container = payload["pcf"]
    *parents, name = path.split(".")
    for parent in parents:
        container = container[parent]
    container[name] = value
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="c.json"))
    assert list(problems_of(error)) == [field]


@pytest.mark.parametrize(
    ("path", "value", "template"),
    [
        (
            "productIds",
            ["urn:gtin:1", "urn:gtin:1"],
            "{!r} has repeated items: PACT v3 asks for each item once",
        ),
        (
            "created",
            "2026-03-01T00:00:00",
            '{!r} is not a date-time with a time zone, such as "2025-12-31T00:00:00Z"',
        ),
        ("id", "not-a-uuid", "{!r} is not a UUID"),
        ("companyIds", [], "{!r} is empty: PACT v3 asks for at least one item"),
        ("pcf.declaredUnitAmount", "0", "{!r} is out of range: PACT v3 asks for {}"),
        ("pcf.fossilGhgEmissions", "1e3", '{!r} is not a decimal string such as "12.5"'),
        ("pcf.packagingEmissionsIncluded", "false", "{} is {}: PACT v3 asks for {}"),
        # the schema's NegativeOrZeroDecimal lets "100" through (conformance/test_pact_spec.py)
        ("pcf.biogenicCO2Uptake", "100", "{!r} is out of range: PACT v3 asks for {}"),
    ],
)
def test_model_problems_are_placed_and_translatable(path: str, value: Any, template: str) -> None:
    payload = to_pact(mill())
    container = payload["pcf"] if path.startswith("pcf.") else payload
    container[path.removeprefix("pcf.")] = value
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="d.json", row=4))
    assert problems_of(error) == {path: template}
    assert error.value.problems[0].place.row == 4


# --- identifiers ----------------------------------------------------------------------------


def test_uscc_urn() -> None:
    urn = uscc_urn("91350100M000100Y43")
    assert urn == "urn:pact:cods.org.cn:uscc:91350100M000100Y43"
    assert uscc_of(urn) == "91350100M000100Y43"
    assert uscc_of("urn:gtin:4712345060507") is None
    with pytest.raises(CodeError):
        uscc_urn("91350100M000100Y44")  # wrong check character
    with pytest.raises(CodeError):
        pact_urn("localhost", "supplier-id", "1")


# --- the property ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(FOOTPRINTS)
def test_to_pact_then_from_pact_is_the_identity(footprint: Footprint) -> None:
    written = to_pact(footprint)
    assert from_pact(json.loads(json.dumps(written)), Place()) == footprint


# --- the files ------------------------------------------------------------------------------


def test_write_then_read_a_file(tmp_path: Path) -> None:
    target = tmp_path / "answer.json"
    write_footprints(target, [mill(), mill()])
    assert list(json.loads(target.read_text(encoding="utf-8"))) == ["data"]
    assert read_footprints(target) == [mill(), mill()]


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "answer.json"
    write_footprints(target, [mill()])
    before = target.read_bytes()

    def broken() -> Any:
        yield mill()
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        write_footprints(target, broken())
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["answer.json"]


@pytest.mark.parametrize(
    "shape", ["object", "list", "data"], ids=["one object", "a list", "the API list response"]
)
def test_the_three_shapes(shape: str) -> None:
    one = to_pact(mill())
    document = {"object": one, "list": [one], "data": {"data": [one]}}[shape]
    assert parse_footprints(json.dumps(document).encode(), "x.json") == [mill()]


@pytest.mark.parametrize(
    ("body", "field", "template"),
    [
        (b'{"data": [', None, "not valid JSON: {} at line {}, column {}"),
        (b"\xff\xfe{}", None, "the file is not UTF-8 text (byte {})"),
        (
            b"42",
            None,
            'the file must hold a footprint object, a list of them or {{"data": [...]}}, not {}',
        ),
        (b'{"data": 5}', "data", "data must be a footprint or a list of footprints"),
        (b"[]", None, "the file holds no footprint"),
        (b"[1]", None, "a footprint is a JSON object, not {}"),
    ],
)
def test_bad_files_are_placed(body: bytes, field: str | None, template: str) -> None:
    with pytest.raises(InputError) as error:
        parse_footprints(body, "bad.json")
    [problem] = error.value.problems
    assert (problem.place.file, problem.place.field, problem.template) == (
        "bad.json",
        field,
        template,
    )


def test_problems_of_several_items_are_placed_by_item() -> None:
    good = to_pact(mill())
    bad = to_pact(mill())
    del bad["pcf"]["declaredUnitAmount"]
    worse = {**good, "specVersion": "2.2.0"}
    with pytest.raises(InputError) as error:
        parse_footprints(json.dumps({"data": [good, bad, worse]}).encode(), "s.json")
    places = [(p.place.row, p.place.field) for p in error.value.problems]
    assert places == [(2, "pcf.declaredUnitAmount"), (3, "specVersion")]


def test_decimals_are_written_without_exponents() -> None:
    pcf = mill().pcf.model_copy(
        update={
            "declared_amount": Decimal("1E+3"),
            "fossil_carbon_content": Decimal("1.2E-4"),
            "pcf_including_biogenic_uptake": Decimal("-0"),
        }
    )
    written = to_pact(mill().model_copy(update={"pcf": pcf}))["pcf"]
    assert (
        written["declaredUnitAmount"],
        written["fossilCarbonContent"],
        written["pcfIncludingBiogenicUptake"],
    ) == ("1000", "0.00012", "0")


def test_a_schema_file_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "openapi.yaml"
    other.write_text("openapi: 3.1.0\ninfo: {version: 3.0.3}\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_pact_schema(other)
    assert error.value.problems[0].place.file == "openapi.yaml"
    assert "sha256" in error.value.problems[0].message


# --- the licence's notice -------------------------------------------------------------------


def test_the_notice_of_the_spec_s_licence_ships_with_the_code() -> None:
    # WBCSD licence, Section 3.2: a notice naming the Licensed Material and the Licensor and
    # reproducing its Section 5 (conformance/test_pact_spec.py compares that with LICENSE.md)
    notice = (ROOT / "NOTICE-PACT.md").read_text(encoding="utf-8")
    assert "World Business Council for Sustainable Development" in notice
    assert "wbcsd/data-exchange-protocol" in notice
    assert "cf4ebedb18d42f3453bcc868e01159321297c09a" in notice
    assert "5         Disclaimer of Warranties and Limitation of Liability." in notice
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]
    included = wheel["build"]["targets"]["wheel"]["force-include"]
    assert included["NOTICE-PACT.md"] == "carbonpeak/product/NOTICE-PACT.md"
    for module in (pact_model, exchange):
        assert "NOTICE-PACT.md" in (module.__doc__ or ""), module.__name__
