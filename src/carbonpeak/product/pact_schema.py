"""The PACT v3.0.3 schema as a JSON Schema validator of one `ProductFootprint`.

The schema is `spec/v3/openapi.yaml` of wbcsd/data-exchange-protocol at commit `SCHEMA_COMMIT`
(sha256 `SCHEMA_SHA256`). It is not shipped with carbonpeak: the WBCSD licence does not let a
part or a modified copy be shared (scripts/pact_spec.py fetches it; `carbonpeak.io.pact` reads
it). OpenAPI 3.1 schema objects are JSON Schema 2020-12; the whole document is registered as
one resource, so every `$ref: '#/components/schemas/...'` resolves inside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_COMMIT = "cf4ebedb18d42f3453bcc868e01159321297c09a"
SCHEMA_SHA256 = "e5e48ab32d3d87fd634c8a4df27d81256991819196a4cdb1ef0d655bd8fb9d43"
_BASE = "https://raw.githubusercontent.com/wbcsd/data-exchange-protocol/" + SCHEMA_COMMIT
_URI = _BASE + "/spec/v3/openapi.yaml"


@dataclass(frozen=True)
class SchemaIssue:
    """One way an object fails the schema: the path inside it ("pcf.declaredUnitAmount",
    "companyIds[0]"; a missing property is placed at its own path), the JSON Schema keyword
    that failed (`required`, `enum`, `pattern`, `type`, ...), the offending value and the
    validator's English message."""

    path: str
    keyword: str
    value: Any
    message: str


def json_path(parts: Any) -> str:
    """A path of keys and indexes as "pcf.dqi.temporalDQR" or "productIds[1]"."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class PactSchema:
    """Checks objects against `#/components/schemas/<name>` of the PACT OpenAPI document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        version = document.get("info", {}).get("version")
        if not str(version).startswith("3."):
            raise ValueError(f"not a PACT v3 OpenAPI document (info.version {version!r})")
        resource = Resource.from_contents(dict(document), default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_URI, resource)
        self.version = str(version)

    def validator(self, name: str = "ProductFootprint") -> Draft202012Validator:
        schema = {"$ref": f"{_URI}#/components/schemas/{name}"}
        return Draft202012Validator(
            schema,
            registry=self._registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    def issues(self, obj: Any, name: str = "ProductFootprint") -> list[SchemaIssue]:
        """Every place where `obj` fails the schema, in document order."""
        found = []
        for error in self.validator(name).iter_errors(obj):
            parts = list(error.absolute_path)
            keyword = str(error.validator)
            if keyword == "required":
                missing = _REQUIRED.fullmatch(error.message)
                if missing:
                    parts.append(missing.group(1))
            found.append(SchemaIssue(json_path(parts), keyword, error.instance, error.message))
        return sorted(found, key=lambda issue: issue.path)


_REQUIRED = re.compile(r"'(.+)' is a required property")
