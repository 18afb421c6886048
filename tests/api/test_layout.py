"""The API's house rules, checked on its code and its OpenAPI schema: one router per wing, tags
that are wing words, a named response model on every route, small modules, and no import of the
store or of a sibling surface."""

from __future__ import annotations

import ast
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine

from carbonpeak.api import app as app_module
from carbonpeak.api.app import ROUTERS, create_app
from carbonpeak.api.policy import ApplicationIn
from carbonpeak.policy import APPLICATION_KINDS
from carbonpeak.store.db import make_engine, upgrade

API = Path(app_module.__file__).parent
WINGS = {
    "accounting",
    "benchmarking",
    "monitoring",
    "budgets",
    "diagnosis",
    "directory",
    "pathways",
    "policy",
    "credits",
    "market",
    "product",
    "green",
    "utilisation",
    "reference",
    "auth",
    "enterprises",
    "users",
    "jobs",
}
KIT = {"__init__", "app", "deps"}  # the modules that are not a wing's router
MAX_LINES = 400


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    engine: Engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('layout') / 'store.db'}")
    upgrade(engine)
    yield create_app(engine).openapi()
    engine.dispose()


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


def test_every_route_answers_a_named_model(schema: dict[str, Any]) -> None:
    """The 2xx answer of every route is a component schema with its fields declared (not a
    bare `dict[str, Any]`), so /docs and the schema fuzzing see real shapes; a download
    (`GET /budgets/export`) answers a declared binary file type instead."""
    components = schema["components"]["schemas"]
    untyped = []
    for method, path, operation in _operations(schema):
        shapes = [
            answer.get("content", {}).get("application/json", {}).get("schema", {})
            for status, answer in operation["responses"].items()
            if status.startswith("2")
        ]
        names = [s["$ref"].rsplit("/", 1)[-1] for s in shapes if "$ref" in s]
        if _download(operation):
            continue
        if not names or not all(components[n].get("properties") for n in names):
            untyped.append(f"{method} {path}")
    assert untyped == []


def _download(operation: dict[str, Any]) -> bool:
    """A route whose 2xx answers are files only: each a binary string of a media type that
    is not JSON."""
    contents = [
        content
        for status, answer in operation["responses"].items()
        if status.startswith("2")
        for content in [answer.get("content", {})]
    ]
    return bool(contents) and all(
        content
        and all(
            kind != "application/json" and shape.get("schema", {}).get("format") == "binary"
            for kind, shape in content.items()
        )
        for content in contents
    )


def test_every_route_is_tagged_with_its_wing(schema: dict[str, Any]) -> None:
    tags = {f"{method} {path}": op.get("tags") for method, path, op in _operations(schema)}
    wrong = {route: t for route, t in tags.items() if not t or len(t) != 1 or t[0] not in WINGS}
    assert wrong == {}


def _wing(module_name: str) -> str:
    """The wing of a router module: its name, or the part before `_` of a wing's router split
    in parts (`monitoring_feed`: the monitoring wing's readings over HTTP)."""
    return module_name if module_name in WINGS else module_name.split("_", 1)[0]


def test_one_router_module_per_wing() -> None:
    """Each wing module exports `router`, tagged with its wing's name, and is in ROUTERS; the
    package holds no other module than the kit."""
    modules = {p.stem for p in API.glob("*.py")} - KIT
    assert {m.__name__.rsplit(".", 1)[-1] for m in ROUTERS} == modules
    assert {_wing(m) for m in modules} <= WINGS
    for module in ROUTERS:
        assert module.router.tags == [_wing(module.__name__.rsplit(".", 1)[-1])]


def test_no_api_module_is_large() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in API.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def _imports(tree: ast.AST) -> Iterator[str]:
    """Every module a tree imports, function-local imports included (`from a import b` gives
    both `a` and `a.b`, since `b` may be a module)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _uses_of(tree: ast.AST, name: str) -> set[str]:
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == name
    }


@pytest.mark.parametrize("path", sorted(API.glob("*.py")), ids=lambda p: p.name)
def test_api_imports_no_store_and_no_sibling_surface(path: Path) -> None:
    """The store is reached through services only; cli and web are never imported, except
    that api/app.py mounts the dashboard with `carbonpeak.web.mount`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set(_imports(tree))
    forbidden = ("carbonpeak.store", "carbonpeak.cli", "carbonpeak.web")
    wrong = {name for name in imported if name.startswith(forbidden)}
    if path.name == "app.py":
        assert wrong == {"carbonpeak.web"}
        assert _uses_of(tree, "web") == {"mount"}
    else:
        assert wrong == set()


def test_application_kinds_are_the_registry_s() -> None:
    """The kinds an application may name are those of `policy.INSTRUMENTS` that enterprises
    apply under."""
    field = ApplicationIn.model_fields["kind"].annotation
    assert set(typing.get_args(field)) == set(APPLICATION_KINDS)


def test_routers_hold_no_state() -> None:
    """A router module keeps nothing mutable at module level: state lives in `app.state`."""
    mutable = (dict, list, set)
    found = {
        f"{module.__name__}.{name}"
        for module in (*ROUTERS, _deps())
        for name, value in vars(module).items()
        if not name.startswith("__") and isinstance(value, mutable) and not name.isupper()
    }
    assert found == set()


def _deps() -> ModuleType:
    from carbonpeak.api import deps

    return deps


def test_a_product_line_without_an_energy_category_is_a_valid_account_line() -> None:
    # product lines (pig_iron, clinker, ...) carry category None: the accounts route gave 500
    from carbonpeak.api.accounting import AccountLineOut

    line = AccountLineOut.model_validate(
        {"row": 6, "stream": "product", "item": "pig_iron", "direction": "output",
         "category": None, "amount": 1.0, "unit": "t", "energy_tce": 0.0, "co2_t": 0.0,
         "co2e_t": 0.0}
    )  # fmt: skip
    assert line.category is None
