"""PACT v3 footprint files: read a supplier's answer, write ours.

`read_footprints` takes a JSON file holding one `ProductFootprint`, a list of them, or a
PACT API response (`{"data": [...]}` of ListFootprints, `{"data": {...}}` of GetFootprint)
and gives the footprints, or one `InputError` with
every problem placed by file, item (`Place.row`, counting from 1; a single object is item 1)
and field path: bad JSON, a file that is not UTF-8, a wrong top-level shape, and everything
`product.exchange.from_pact` refuses. `write_footprints` writes `{"data": [...]}` whole or not
at all (a temporary file beside the target, then `os.replace`).

`read_pact_schema` reads the spec's openapi.yaml (fetched by scripts/pact_spec.py; the WBCSD
licence keeps it out of the package) and checks its sha256 against the pinned one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.product.exchange import from_pact, to_pact
from carbonpeak.product.pact_model import Footprint
from carbonpeak.product.pact_schema import SCHEMA_SHA256, PactSchema


def read_pact_schema(path: Path) -> PactSchema:
    """The PACT v3.0.3 schema from `path`; `InputError` if it is not the pinned file."""
    where = Place(file=path.name)
    try:
        body = path.read_bytes()
    except OSError as error:
        raise InputError(
            Problem.of(where, N_("cannot read the file: {}"), error.strerror or str(error))
        ) from None
    digest = hashlib.sha256(body).hexdigest()
    if digest != SCHEMA_SHA256:
        raise InputError(
            Problem.of(
                where,
                N_("not the PACT v3.0.3 openapi.yaml carbonpeak knows (sha256 {}, expected {})"),
                digest,
                SCHEMA_SHA256,
            )
        )
    return PactSchema(yaml.safe_load(body))


def parse_footprints(text: bytes, file: str, schema: PactSchema | None = None) -> list[Footprint]:
    """The footprints in the bytes of a JSON file named `file` (see the module docstring)."""
    where = Place(file=file)
    try:
        decoded = text.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            Problem.of(where, N_("the file is not UTF-8 text (byte {})"), error.start + 1)
        ) from None
    try:
        document = json.loads(decoded)
    except json.JSONDecodeError as error:
        raise InputError(
            Problem.of(
                where,
                N_("not valid JSON: {} at line {}, column {}"),
                error.msg,
                error.lineno,
                error.colno,
            )
        ) from None
    items = _items(document, where)
    footprints: list[Footprint] = []
    problems: list[Problem] = []
    for number, item in enumerate(items, start=1):
        try:
            footprints.append(from_pact(item, Place(file=file, row=number), schema))
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    return footprints


def read_footprints(path: Path, schema: PactSchema | None = None) -> list[Footprint]:
    """The footprints in a JSON file (see the module docstring)."""
    try:
        body = path.read_bytes()
    except OSError as error:
        raise InputError(
            Problem.of(
                Place(file=path.name), N_("cannot read the file: {}"), error.strerror or str(error)
            )
        ) from None
    return parse_footprints(body, path.name, schema)


def _items(document: Any, where: Place) -> list[Any]:
    if isinstance(document, list):
        items = document
    elif isinstance(document, dict) and "data" in document:
        items = document["data"]
        if isinstance(items, dict):  # the GetFootprint response
            items = [items]
        elif not isinstance(items, list):
            raise InputError(
                Problem.of(
                    Place(file=where.file, field="data"),
                    N_("data must be a footprint or a list of footprints"),
                )
            )
    elif isinstance(document, dict):
        items = [document]
    else:
        raise InputError(
            Problem.of(
                where,
                N_(
                    "the file must hold a footprint object, a list of them or "
                    '{{"data": [...]}}, not {}'
                ),
                type(document).__name__,
            )
        )
    if not items:
        raise InputError(Problem.of(where, N_("the file holds no footprint")))
    return items


def footprints_json(footprints: Iterable[Footprint]) -> str:
    """`{"data": [...]}`, the PACT list response shape, as indented JSON text."""
    data = [to_pact(footprint) for footprint in footprints]
    return json.dumps({"data": data}, ensure_ascii=False, indent=2) + "\n"


def write_footprints(path: Path, footprints: Iterable[Footprint]) -> None:
    """Write the footprints to `path` whole or not at all."""
    text = footprints_json(footprints)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
