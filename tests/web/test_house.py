"""The shape of the dashboard package: `site` (the kit) imports no page module, only the
package's `__init__` imports the pages and lists them all, no page reaches into the store,
modules stay small, and every template a page names exists (and every template is used)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fastapi import APIRouter

import carbonpeak.web
from carbonpeak.web import PAGES
from carbonpeak.web.site import TEMPLATES

WEB = Path(carbonpeak.web.__file__).parent
MODULES = sorted(WEB.glob("*.py"))
# what the pages share; not pages themselves
KIT = {"site", "charts", "charts_budgets", "listing", "cache"}
MAX_LINES = 400
# The Jinja tags that name another template
TEMPLATE_TAG = re.compile(r"""{%-?\s*(?:extends|include|import|from)\s+["']([^"']+)["']""")


def _imports(path: Path) -> set[str]:
    """The modules `path` imports, by absolute name (`from carbonpeak.web import x` counts as
    importing `carbonpeak.web.x`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _page_names() -> set[str]:
    return {path.stem for path in MODULES} - KIT - {"__init__"}


def test_the_site_imports_no_page_module() -> None:
    imported = _imports(WEB / "site.py")
    pages = {f"carbonpeak.web.{name}" for name in _page_names()}
    assert imported & pages == set()
    assert not any(name.startswith("carbonpeak.web") for name in imported)


def test_only_the_package_imports_the_pages_and_it_lists_them_all() -> None:
    pages = {f"carbonpeak.web.{name}" for name in _page_names()}
    for path in MODULES:
        if path.name != "__init__.py":
            assert _imports(path) & pages == set(), f"{path.name} imports a page module"
    assert {page.__name__ for page in PAGES} == pages
    for page in PAGES:
        assert isinstance(page.router, APIRouter), page.__name__


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_page_reaches_into_the_store_or_another_surface(path: Path) -> None:
    forbidden = ("carbonpeak.store", "carbonpeak.api", "carbonpeak.cli", "sqlalchemy")
    allowed = {"sqlalchemy.orm", "sqlalchemy.orm.Session"}  # the session a service is given
    reached = [
        name for name in _imports(path) if name.startswith(forbidden) and name not in allowed
    ]
    assert reached == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_of_the_dashboard_is_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines: split it"


def _named_by_pages() -> dict[str, str]:
    """Every template name a module of the package gives as a string, with the module."""
    named: dict[str, str] = {}
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.endswith(".html")
            ):
                named[node.value] = path.name
    return named


def _named_by_templates() -> dict[str, str]:
    named: dict[str, str] = {}
    for path in TEMPLATES.rglob("*.html"):
        for name in TEMPLATE_TAG.findall(path.read_text(encoding="utf-8")):
            named[name] = str(path.relative_to(TEMPLATES))
    return named


def test_every_template_a_page_names_exists() -> None:
    named = _named_by_pages() | _named_by_templates()
    assert len(named) > 20
    missing = {name: where for name, where in named.items() if not (TEMPLATES / name).is_file()}
    assert missing == {}


def test_every_template_is_used_and_a_page_template_sits_in_its_module_folder() -> None:
    named = _named_by_pages() | _named_by_templates()
    present = {str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")}
    assert present - set(named) == set(), "templates no page or template names"
    for name, where in _named_by_pages().items():
        if "/" in name:  # a page's own template, in the folder named after its module
            assert name.split("/")[0] == where.removesuffix(".py"), (name, where)


def test_pages_say_a_warning_in_the_readers_language() -> None:
    from carbonpeak.domain.warnings import warn
    from carbonpeak.web.site import _warning_text

    record = warn("accounting.electricity.grid_year_fallback", wanted=2024, used=2023, area="x")
    assert _warning_text(record, "zh_CN") == "x 没有 2024 年的电网排放因子：使用了 2023 年的因子"
    assert _warning_text(record.as_dict(), "en") == record.message
    assert _warning_text("a verdict stored before the catalogue", "zh_CN") == (
        "a verdict stored before the catalogue"
    )
    # every page template prints warnings through it, never raw
    templates = Path(__file__).parents[2] / "src" / "carbonpeak" / "web" / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text()
        assert "{{ w }}" not in text and "{{ w.message }}" not in text, path
