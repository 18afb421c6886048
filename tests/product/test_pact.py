"""PACT v3 footprint exchange: the model, to_pact/from_pact, the schema check, the JSON files.

The spec's own schema and examples (wbcsd/data-exchange-protocol@cf4ebedb, spec/v3/openapi.yaml
and spec/v3/examples/*.json) are not in the repository: the WBCSD licence forbids sharing parts
of them. `python scripts/pact_spec.py` puts them in build/pact-spec/ (or set
CARBONPEAK_PACT_SPEC to such a directory); the tests that need them skip without them, and fail
under CARBONPEAK_STRICT=1. The footprint built here (`_mill`) is made-up test data, not a
figure of any product.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from carbonpeak.errors import CodeError, InputError, Place
from carbonpeak.i18n import problem_text
from carbonpeak.io.pact import (
    parse_footprints,
    read_footprints,
    read_pact_schema,
    write_footprints,
)
from carbonpeak.product.exchange import from_pact, pact_urn, to_pact, uscc_of, uscc_urn
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
from tests.conftest import strict

SPEC = Path(
    os.environ.get("CARBONPEAK_PACT_SPEC") or Path(__file__).parents[2] / "build" / "pact-spec"
)
EXAMPLES = ["example-1.json", "example-2.json", "example-3.json", "example-4.json"]
# the required properties of spec/v3/openapi.yaml (ProductFootprint, CarbonFootprint)
REQUIRED = [
    "id",
    "specVersion",
    "created",
    "status",
    "companyName",
    "companyIds",
    "productDescription",
    "productIds",
    "productNameCompany",
    "pcf",
]
PCF_REQUIRED = [
    "declaredUnitOfMeasurement",
    "declaredUnitAmount",
    "productMassPerDeclaredUnit",
    "referencePeriodStart",
    "referencePeriodEnd",
    "pcfExcludingBiogenicUptake",
    "pcfIncludingBiogenicUptake",
    "fossilGhgEmissions",
    "fossilCarbonContent",
    "ipccCharacterizationFactors",
    "crossSectoralStandards",
    "exemptedEmissionsPercent",
]


@pytest.fixture(scope="module")
def spec() -> Path:
    if not (SPEC / "openapi.yaml").exists():
        message = f"no PACT spec in {SPEC}: run python scripts/pact_spec.py"
        if strict():
            pytest.fail(message)
        pytest.skip(message)
    return SPEC


@pytest.fixture(scope="module")
def schema(spec: Path) -> PactSchema:
    return read_pact_schema(spec / "openapi.yaml")


def _mill() -> Footprint:
    """A steel mill's answer (made-up values)."""
    return Footprint(
        id=UUID("2f1e6c1a-7d52-4c3e-9a57-0b3c4f1e2d10"),
        created=datetime(2026, 3, 1, tzinfo=UTC),
        status="Active",
        company_name="示例钢铁有限公司",
        company_ids=(uscc_urn("91350100M000100Y43"),),
        product_description="热轧卷板",
        product_ids=(pact_urn("steel.example.cn", "supplier-id", "HRC-235"),),
        product_name="热轧卷板 Q235B",
        pcf=CarbonFootprint(
            declared_unit="kilogram",
            declared_amount=Decimal("1000"),
            mass_per_declared_unit=Decimal("1"),
            reference_period_start=datetime(2025, 1, 1, tzinfo=UTC),
            reference_period_end=datetime(2026, 1, 1, tzinfo=UTC),
            geography_country="CN",
            pcf_excluding_biogenic_uptake=Decimal("2000.5"),
            pcf_including_biogenic_uptake=Decimal("2000.5"),
            fossil_ghg_emissions=Decimal("2000.5"),
            fossil_carbon_content=Decimal("2"),
            packaging_emissions_included=False,
            ccs_included=False,
            ipcc_characterization_factors=("AR5", "AR6"),
            cross_sectoral_standards=("ISO14067",),
            sector_rules=(
                SectorRule(
                    operator="Other",
                    rule_names=("GB/T 24067-2024",),
                    other_operator_name="国家市场监督管理总局、国家标准化管理委员会",
                ),
            ),
            exempted_emissions_percent=Decimal("0.8"),
            primary_data_share=Decimal("60"),
            dqi=DataQuality(
                technological=Decimal("2"), geographical=Decimal("1.5"), temporal=Decimal("1")
            ),
        ),
    )


def _problems(error: pytest.ExceptionInfo[InputError]) -> dict[str | None, str]:
    return {p.place.field: p.template for p in error.value.problems}


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


def test_a_chinese_rule_goes_in_as_operator_other(schema: PactSchema) -> None:
    written = to_pact(_mill())
    assert written["pcf"]["productOrSectorSpecificRules"] == [
        {
            "operator": "Other",
            "ruleNames": ["GB/T 24067-2024"],
            "otherOperatorName": "国家市场监督管理总局、国家标准化管理委员会",
        }
    ]
    assert written["companyIds"] == ["urn:pact:cods.org.cn:uscc:91350100M000100Y43"]
    assert written["pcf"]["declaredUnitAmount"] == "1000"
    assert schema.issues(written) == []


# --- refusals -------------------------------------------------------------------------------


def test_a_v2_payload_is_refused_with_the_deprecation(schema: PactSchema) -> None:
    payload = to_pact(_mill())
    payload["specVersion"] = "2.3.0"
    for check in (None, schema):
        with pytest.raises(InputError) as error:
            from_pact(payload, Place(file="supplier.json", row=3), check)
        [problem] = error.value.problems
        assert problem.place == Place(file="supplier.json", row=3, field="specVersion")
        assert "2026-04-01" in problem.message and "3.0.x" in problem.message


def test_the_v2_refusal_is_said_in_chinese() -> None:
    payload = {**to_pact(_mill()), "specVersion": "2.2.0"}
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="supplier.json", row=1))
    assert problem_text(error.value.problems[0], "zh_CN") == (
        "specVersion 2.2.0 为 PACT v2，自 2026-04-01 起已废止："
        "请索取 PACT v3（specVersion 3.0.x）格式的足迹"
    )


def _without(path: str) -> dict[str, Any]:
    payload = to_pact(_mill())
    container = payload["pcf"] if path.startswith("pcf.") else payload
    del container[path.removeprefix("pcf.")]
    return payload


@pytest.mark.parametrize("path", REQUIRED[2:] + [f"pcf.{name}" for name in PCF_REQUIRED])
def test_each_missing_required_field_is_placed(path: str) -> None:
    with pytest.raises(InputError) as error:
        from_pact(_without(path), Place(file="a.json", row=1))
    assert _problems(error) == {path: "the required field {} is missing"}
    assert error.value.problems[0].place.file == "a.json"


@pytest.mark.parametrize("path", REQUIRED + [f"pcf.{name}" for name in PCF_REQUIRED])
def test_each_missing_required_field_is_placed_by_the_schema(schema: PactSchema, path: str) -> None:
    with pytest.raises(InputError) as error:
        from_pact(_without(path), Place(file="a.json", row=1), schema)
    assert _problems(error) == {path: "the required field {} is missing"}


def test_bad_enum_and_bad_decimal_are_placed(schema: PactSchema | None = None) -> None:
    payload = to_pact(_mill())
    payload["status"] = "Retired"
    payload["pcf"]["declaredUnitOfMeasurement"] = "tonne"
    payload["pcf"]["pcfExcludingBiogenicUptake"] = "2,000.5"
    payload["pcf"]["declaredUnitAmount"] = 1000
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="b.json", row=2), schema)
    problems = _problems(error)
    assert problems["status"] == "{!r} is not one of {}"
    assert problems["pcf.declaredUnitOfMeasurement"] == "{!r} is not one of {}"
    assert set(problems) == {
        "status",
        "pcf.declaredUnitOfMeasurement",
        "pcf.pcfExcludingBiogenicUptake",
        "pcf.declaredUnitAmount",
    }
    assert all(p.place.row == 2 for p in error.value.problems)


def test_bad_enum_and_bad_decimal_are_placed_by_the_schema(schema: PactSchema) -> None:
    test_bad_enum_and_bad_decimal_are_placed(schema)


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
    payload = to_pact(_mill())
    container = payload["pcf"]
    *parents, name = path.split(".")
    for parent in parents:
        container = container[parent]
    container[name] = value
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="c.json"))
    assert list(_problems(error)) == [field]


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
    ],
)
def test_model_problems_are_placed_and_translatable(path: str, value: Any, template: str) -> None:
    payload = to_pact(_mill())
    container = payload["pcf"] if path.startswith("pcf.") else payload
    container[path.removeprefix("pcf.")] = value
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="d.json", row=4))
    assert _problems(error) == {path: template}
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

_STAMPS = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
    ),
)
_TEXT = st.text(min_size=1, max_size=12)
_URNS = st.tuples(st.from_regex(r"urn:[a-z0-9]{2,6}:[A-Za-z0-9.:-]{1,12}", fullmatch=True))


def _decimals(low: str | None = None, high: str | None = None, gt: bool = False) -> Any:
    low_value = Decimal(low) if low is not None else Decimal("-1e7")
    numbers = st.decimals(
        min_value=low_value, max_value=Decimal(high) if high else Decimal("1e7"), places=4
    )
    return numbers.filter(lambda d: d > 0) if gt else numbers


def _maybe(strategy: Any) -> Any:
    return st.none() | strategy


@st.composite
def _pcfs(draw: Any) -> CarbonFootprint:
    geography = draw(st.sampled_from(["", "region", "country", "subdivision"]))
    packaging = draw(_maybe(st.booleans()))
    ccs = draw(_maybe(st.booleans()))
    return CarbonFootprint(
        declared_unit=draw(st.sampled_from(["kilogram", "piece", "megajoule", "liter"])),
        declared_amount=draw(_decimals("0", gt=True)),
        mass_per_declared_unit=draw(_decimals("0")),
        reference_period_start=draw(_STAMPS),
        reference_period_end=draw(_STAMPS),
        geography_region="Eastern Asia" if geography == "region" else None,
        geography_country="CN" if geography == "country" else None,
        geography_subdivision="CN-SD" if geography == "subdivision" else None,
        pcf_excluding_biogenic_uptake=draw(_decimals()),
        pcf_including_biogenic_uptake=draw(_decimals()),
        fossil_ghg_emissions=draw(_decimals("0")),
        fossil_carbon_content=draw(_decimals("0")),
        biogenic_carbon_content=draw(_maybe(_decimals("0"))),
        biogenic_co2_uptake=draw(_maybe(_decimals(high="0", low="-1e7"))),
        packaging_emissions_included=packaging,
        packaging_ghg_emissions=None if packaging is False else draw(_maybe(_decimals("0"))),
        ccs_included=ccs,
        ccs_technological_co2_capture=None if ccs is False else draw(_maybe(_decimals(high="0"))),
        ipcc_characterization_factors=tuple(
            draw(st.sets(st.sampled_from(["AR4", "AR5", "AR6"]), min_size=1))
        ),
        cross_sectoral_standards=tuple(
            draw(st.sets(st.sampled_from(["ISO14067", "PACT-3.0", "GHGP-Product"]), min_size=1))
        ),
        sector_rules=tuple(
            draw(
                st.lists(
                    st.tuples(_TEXT, _TEXT).map(
                        lambda t: SectorRule(
                            operator="Other", rule_names=(t[0],), other_operator_name=t[1]
                        )
                    ),
                    max_size=2,
                    unique=True,
                )
            )
        ),
        exempted_emissions_percent=draw(_decimals("0", "100")),
        allocation_rules=draw(_maybe(st.text(max_size=20))),
        secondary_sources=tuple(
            draw(
                st.lists(
                    st.tuples(_TEXT, _TEXT).map(
                        lambda t: EmissionFactorSource(name=t[0], version=t[1])
                    ),
                    max_size=2,
                )
            )
        ),
        primary_data_share=draw(_maybe(_decimals("0", "100"))),
        dqi=draw(
            _maybe(
                st.tuples(*[_decimals("1", "5")] * 3).map(
                    lambda t: DataQuality(technological=t[0], geographical=t[1], temporal=t[2])
                )
            )
        ),
        verification=draw(
            _maybe(
                st.tuples(_maybe(_STAMPS), _maybe(_TEXT)).map(
                    lambda t: Verification(
                        coverage="PCF program", completed_at=t[0], provider_name=t[1]
                    )
                )
            )
        ),
    )


@st.composite
def _footprints(draw: Any) -> Footprint:
    return Footprint(
        id=draw(st.uuids()),
        preceding_ids=tuple(draw(st.lists(st.uuids(), max_size=2, unique=True))),
        created=draw(_STAMPS),
        status=draw(st.sampled_from(["Active", "Deprecated"])),
        validity_start=draw(_maybe(_STAMPS)),
        company_name=draw(_TEXT),
        company_ids=draw(_URNS),
        product_description=draw(st.text(max_size=20)),
        product_ids=draw(_URNS),
        product_classifications=draw(st.just(()) | _URNS),
        product_name=draw(_TEXT),
        comment=draw(_maybe(st.text(max_size=20))),
        pcf=draw(_pcfs()),
        extensions=tuple(
            Extension(
                spec_version="2.0.0",
                data_schema="https://example.com/schema.json",
                data=data,
            )
            for data in draw(
                st.lists(
                    st.dictionaries(_TEXT, st.integers() | st.text(max_size=5), max_size=3),
                    max_size=1,
                )
            )
        ),
    )


_FOOTPRINTS = _footprints()


@settings(max_examples=150, deadline=None)
@given(_FOOTPRINTS)
def test_to_pact_then_from_pact_is_the_identity(footprint: Footprint) -> None:
    written = to_pact(footprint)
    assert from_pact(json.loads(json.dumps(written)), Place()) == footprint


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_FOOTPRINTS)
def test_every_export_validates_against_the_schema(
    schema: PactSchema, footprint: Footprint
) -> None:
    assert schema.issues(to_pact(footprint)) == []


# --- the files ------------------------------------------------------------------------------


def test_write_then_read_a_file(tmp_path: Path) -> None:
    target = tmp_path / "answer.json"
    write_footprints(target, [_mill(), _mill()])
    assert list(json.loads(target.read_text(encoding="utf-8"))) == ["data"]
    assert read_footprints(target) == [_mill(), _mill()]


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "answer.json"
    write_footprints(target, [_mill()])
    before = target.read_bytes()

    def broken() -> Any:
        yield _mill()
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        write_footprints(target, broken())
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["answer.json"]


@pytest.mark.parametrize(
    "shape", ["object", "list", "data"], ids=["one object", "a list", "the API list response"]
)
def test_the_three_shapes(shape: str) -> None:
    one = to_pact(_mill())
    document = {"object": one, "list": [one], "data": {"data": [one]}}[shape]
    assert parse_footprints(json.dumps(document).encode(), "x.json") == [_mill()]


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
    good = to_pact(_mill())
    bad = to_pact(_mill())
    del bad["pcf"]["declaredUnitAmount"]
    worse = {**good, "specVersion": "2.2.0"}
    with pytest.raises(InputError) as error:
        parse_footprints(json.dumps({"data": [good, bad, worse]}).encode(), "s.json")
    places = [(p.place.row, p.place.field) for p in error.value.problems]
    assert places == [(2, "pcf.declaredUnitAmount"), (3, "specVersion")]


def test_decimals_are_written_without_exponents() -> None:
    pcf = _mill().pcf.model_copy(
        update={
            "declared_amount": Decimal("1E+3"),
            "fossil_carbon_content": Decimal("1.2E-4"),
            "pcf_including_biogenic_uptake": Decimal("-0"),
        }
    )
    written = to_pact(_mill().model_copy(update={"pcf": pcf}))["pcf"]
    assert (
        written["declaredUnitAmount"],
        written["fossilCarbonContent"],
        written["pcfIncludingBiogenicUptake"],
    ) == ("1000", "0.00012", "0")


def test_the_model_refuses_what_the_schema_s_loose_patterns_let_through(
    schema: PactSchema,
) -> None:
    # openapi.yaml's NegativeOrZeroDecimal `^(-\d+(\.\d+)?)|0+(\.0+)?$` is anchored per branch
    # only, so "100" matches its second branch; the model holds biogenicCO2Uptake to <= 0
    payload = to_pact(_mill())
    payload["pcf"]["biogenicCO2Uptake"] = "100"
    assert schema.issues(payload) == []
    with pytest.raises(InputError) as error:
        from_pact(payload, Place(file="e.json", row=1), schema)
    assert _problems(error) == {
        "pcf.biogenicCO2Uptake": "{!r} is out of range: PACT v3 asks for {}"
    }


def test_a_schema_file_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "openapi.yaml"
    other.write_text("openapi: 3.1.0\ninfo: {version: 3.0.3}\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_pact_schema(other)
    assert error.value.problems[0].place.file == "openapi.yaml"
    assert "sha256" in error.value.problems[0].message
