"""Supplier footprint exchange in the WBCSD PACT data model, v3 (Technical Specifications
3.0.3, 2025-11-18; v2.x is deprecated from 2026-04-01).

A steel mill answers an automaker's request with `to_pact(footprint)`: one `ProductFootprint`
JSON object (decimals as strings). An automaker reads its suppliers' answers with
`from_pact(obj, where)`, which refuses, every problem placed (file, item, field path):

- a `specVersion` whose major is not 3 (a v2 payload is named as deprecated);
- anything the schema refuses: missing required fields, wrong types, patterns and enums. With a
  `PactSchema` (the spec's own openapi.yaml, see `pact_schema`) the check is the schema's; the
  model (`pact_model.Footprint`) applies the same types, patterns and enums, and the MUST/SHALL
  rules of the field descriptions, in any case.

Identifiers are URNs (RFC 8141). The spec's text on product identifier and product
classification URNs (in our words): take an IANA-registered namespace where one applies, else a
widely used one, else the custom form `urn:pact:$domain-of-issuer$:$identifier-type$:$id$`,
the domain being the fully qualified domain name of the organisation that issues the
identifier; the identifier types are left to organisations and industry initiatives to
define. For `companyIds` the v3 spec asks only for URNs.
No IANA or widely used namespace exists for China's unified social credit code (统一社会信用代码,
GB 32100-2015), so `uscc_urn` writes it in the spec's custom form:
`urn:pact:cods.org.cn:uscc:<18 characters>`: cods.org.cn is the site of 全国组织机构统一社会信用代码
数据服务中心 (CODS), which administers the codes; `uscc` is carbonpeak's identifier type.
`pact_urn` builds any other custom URN (a CN or HS classification under its issuer's domain,
a mill's own product number under the mill's domain with type "supplier-id").

This module is derived from the PACT Technical Specifications (WBCSD): see NOTICE-PACT.md (at
the repository root; in the wheel beside this module) for the Licensor, the creators and the
licence's disclaimer of warranties and limitation of liability.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from carbonpeak.domain.uscc import parse_uscc
from carbonpeak.errors import N_, CodeError, InputError, Place, Problem, Term
from carbonpeak.product.pact_model import Footprint
from carbonpeak.product.pact_schema import PactSchema, json_path

# the optional arrays PACT wants left out rather than empty (each has minItems 1)
_OPTIONAL_ARRAYS = (
    "precedingPfIds",
    "productClassifications",
    "extensions",
    "productOrSectorSpecificRules",
    "secondaryEmissionFactorSources",
)
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)(-\d{8})?")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_TYPE = re.compile(r"[a-z0-9][a-z0-9-]*")
USCC_ISSUER = "cods.org.cn"
# JSON types as said to a user (catalogue terms), by JSON Schema and by pydantic error type
_A_STRING, _A_BOOLEAN, _AN_OBJECT, _A_LIST, _A_NUMBER, _NULL = (
    Term(N_("a string")),
    Term(N_("a boolean")),
    Term(N_("an object")),
    Term(N_("a list")),
    Term(N_("a number")),
    Term(N_("null")),
)
_SCHEMA_TYPES = {
    "string": _A_STRING,
    "boolean": _A_BOOLEAN,
    "object": _AN_OBJECT,
    "array": _A_LIST,
    "number": _A_NUMBER,
}
_MODEL_TYPES = {
    "string_type": _A_STRING,
    "bool_type": _A_BOOLEAN,
    "model_type": _AN_OBJECT,
    "dict_type": _AN_OBJECT,
    "model_attributes_type": _AN_OBJECT,
    "tuple_type": _A_LIST,
    "list_type": _A_LIST,
}


def pact_urn(issuer_domain: str, identifier_type: str, value: str) -> str:
    """`urn:pact:$domain-of-issuer$:$identifier-type$:$id$` (the PACT v3 spec's custom URN form
    for product identifiers, its third choice). Raises `CodeError` for a domain that is not a
    fully qualified name, a type that is not lower-case letters, digits and hyphens, or an empty
    value."""
    if not _DOMAIN.fullmatch(issuer_domain):
        raise CodeError(f"{issuer_domain!r} is not a fully qualified domain name")
    if not _TYPE.fullmatch(identifier_type):
        raise CodeError(f"{identifier_type!r} is not an identifier type such as 'supplier-id'")
    if not value or any(c.isspace() for c in value):
        raise CodeError(f"{value!r} is not an identifier: it is empty or has spaces")
    return f"urn:pact:{issuer_domain}:{identifier_type}:{value}"


def uscc_urn(code: str) -> str:
    """The company URN of a unified social credit code: `urn:pact:cods.org.cn:uscc:<code>`
    (module docstring). Raises `CodeError` if the code is not valid (GB 32100-2015)."""
    return pact_urn(USCC_ISSUER, "uscc", parse_uscc(code).code)


def uscc_of(urn: str) -> str | None:
    """The unified social credit code in a company URN made by `uscc_urn`, else None."""
    prefix = f"urn:pact:{USCC_ISSUER}:uscc:"
    return urn[len(prefix) :] if urn.lower().startswith(prefix) else None


def to_pact(footprint: Footprint) -> dict[str, Any]:
    """The footprint as a PACT v3 `ProductFootprint` JSON object: decimals and date-times as
    strings, absent optional properties left out (never null, never an empty array)."""
    obj = footprint.model_dump(mode="json", by_alias=True, exclude_none=True)
    for container in (obj, obj["pcf"]):
        for name in _OPTIONAL_ARRAYS:
            if container.get(name) == []:
                del container[name]
    return obj


def from_pact(obj: Any, where: Place, schema: PactSchema | None = None) -> Footprint:
    """Read one `ProductFootprint` JSON object (as `json.load` gives it). `where` names the
    file and the item (its `row`); each problem adds the field path. Raises one `InputError`
    listing every problem (a rule across fields, such as at most one geography, is checked
    once the fields themselves are valid)."""
    if not isinstance(obj, dict):
        raise InputError(
            Problem.of(_at(where, ""), N_("a footprint is a JSON object, not {}"), _kind(obj))
        )
    version = obj.get("specVersion")
    if isinstance(version, str) and (match := _VERSION.fullmatch(version)):
        major = int(match.group(1))
        if major == 2:
            raise InputError(
                Problem.of(
                    _at(where, "specVersion"),
                    N_(
                        "specVersion {} is PACT v2, deprecated since 2026-04-01: "
                        "ask for the footprint in PACT v3 (specVersion 3.0.x)"
                    ),
                    version,
                )
            )
        if major != 3:
            raise InputError(
                Problem.of(
                    _at(where, "specVersion"),
                    N_("specVersion {} is not PACT v3: carbonpeak reads PACT 3.0.x"),
                    version,
                )
            )
    if schema is not None:
        issues = schema.issues(obj)
        if issues:
            raise InputError(
                [_problem(where, i.path, i.keyword, i.value, i.message) for i in issues]
            )
    # required in a PACT object; the model's default (3.0.3) is for footprints built in Python
    problems = (
        [] if "specVersion" in obj else [_problem(where, "specVersion", "required", None, "")]
    )
    try:
        footprint = Footprint.model_validate(obj)
    except ValidationError as error:
        raise InputError(problems + _model_problems(where, error)) from None
    if problems:
        raise InputError(problems)
    return footprint


def _at(where: Place, path: str) -> Place:
    return Place(file=where.file, sheet=where.sheet, row=where.row, field=path or where.field)


def _kind(value: Any) -> str:
    names = {dict: _AN_OBJECT, list: _A_LIST, str: _A_STRING, bool: _A_BOOLEAN}
    if value is None:
        return _NULL
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _A_NUMBER
    return names.get(type(value), type(value).__name__)


def _problem(where: Place, path: str, keyword: str, value: Any, message: str) -> Problem:
    """A schema issue (or a model error of the same kind) as a placed, translatable problem."""
    place = _at(where, path)
    if keyword in ("required", "missing"):
        return Problem.of(place, N_("the required field {} is missing"), path)
    if keyword in ("enum", "literal_error"):
        return Problem.of(place, N_("{!r} is not one of {}"), value, _expected(message))
    if keyword in ("pattern", "string_pattern_mismatch"):
        return Problem.of(place, N_("{!r} does not have the form PACT v3 asks for"), value)
    if keyword == "type":
        named = re.search(r"of type '(\w+)'", message)  # a schema validator's message
        wanted: str = _SCHEMA_TYPES.get(named.group(1), named.group(1)) if named else message
        return Problem.of(place, N_("{} is {}: PACT v3 asks for {}"), path, _kind(value), wanted)
    return Problem.of(place, N_("{} does not meet PACT v3: {}"), path or "footprint", message)


def _expected(message: str) -> str:
    """The choices named in a validator's message ("... is not one of ['A', 'B']")."""
    found = re.search(r"(?:one of|Input should be) (.+)$", message)
    return found.group(1) if found else message


# the model's own errors (pact_model) and pydantic's, said by a catalogue message
_STAMP_MESSAGE = N_('{!r} is not a date-time with a time zone, such as "2025-12-31T00:00:00Z"')
_MODEL_MESSAGES = {
    "pact_decimal": N_('{!r} is not a decimal string such as "12.5"'),
    "pact_stamp": _STAMP_MESSAGE,
    "datetime": _STAMP_MESSAGE,
    "timezone_aware": _STAMP_MESSAGE,
    "uuid": N_("{!r} is not a UUID"),
    "too_short": N_("{!r} is empty: PACT v3 asks for at least one item"),
    "string_too_short": N_("the text is empty: PACT v3 asks for some text"),
    "pact_unique": N_("{!r} has repeated items: PACT v3 asks for each item once"),
    "pact_geography": N_(
        "at most one of geographyRegionOrSubregion, geographyCountry and "
        "geographyCountrySubdivision may be given"
    ),
    "pact_packaging": N_(
        "packagingGhgEmissions must be left out when packagingEmissionsIncluded is false"
    ),
    "pact_ccs": N_(
        "ccsTechnologicalCO2Capture, technologicalCO2Removals and "
        "technologicalCO2CaptureOrigin must be left out when "
        "ccsTechnologicalCO2CaptureIncluded is false"
    ),
}
_BOUNDS = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤"}


def _model_problem(where: Place, path: str, item: Any) -> Problem | None:
    """A pydantic error as a catalogue message, or None if it has none of its own."""
    kind = str(item["type"])
    key = next((k for k in _MODEL_MESSAGES if kind == k or kind.startswith(k + "_")), None)
    if key is not None:
        template = _MODEL_MESSAGES[key]
        values = (item.get("input"),) if "{!r}" in template else ()
        return Problem.of(_at(where, path), template, *values)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = " ".join(f"{_BOUNDS[k]} {v}" for k, v in item.get("ctx", {}).items())
        return Problem.of(
            _at(where, path), N_("{!r} is out of range: PACT v3 asks for {}"), item["input"], bound
        )
    return None


def _model_problems(where: Place, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        path = json_path(part for part in item["loc"] if not _is_tag(part))
        if (own := _model_problem(where, path, item)) is not None:
            problems.append(own)
            continue
        kind = item["type"]
        message = str(item["msg"]).removeprefix("Value error, ")
        if kind in _MODEL_TYPES:
            kind, message = "type", _MODEL_TYPES[kind]
        elif kind.endswith("_type"):
            kind = "type"
            message = message.removeprefix("Input should be ")
        problems.append(_problem(where, path, kind, item.get("input"), message))
    return problems


def _is_tag(part: Any) -> bool:
    """Pydantic's own step names in an error location (e.g. "function-after[...]")."""
    return isinstance(part, str) and ("[" in part or part in ("str", "decimal"))
