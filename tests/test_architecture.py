"""docs/architecture.md is the map of the house: every module it lists exists, and every
module of the surfaces and services is on it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "src" / "carbonpeak"
DOC = (ROOT / "docs" / "architecture.md").read_text()
SURFACES = ("services", "cli", "api", "web")


def _block(name: str) -> str:
    found = re.search(rf"<!-- {name} -->\n(.*?)<!-- end {name} -->", DOC, re.S)
    assert found is not None, name
    return found.group(1)


def _listed() -> set[str]:
    cells = re.findall(r"`([a-z_/]+(?:\.py|/))`", _block("wings") + _block("wiring"))
    return set(cells)


def test_every_listed_module_exists() -> None:
    listed = _listed()
    assert len(listed) > 50
    assert [p for p in sorted(listed) if not (PACKAGE / p).exists()] == []


def test_every_surface_and_service_module_is_listed() -> None:
    listed = _listed()
    modules = {
        f"{surface}/{path.name}"
        for surface in SURFACES
        for path in (PACKAGE / surface).glob("*.py")
        if path.name != "__init__.py" or surface in ("cli", "web")
    }
    assert sorted(modules - listed) == []


def test_each_wing_row_names_its_modules_by_the_wing() -> None:
    rows = [r for r in _block("wings").splitlines() if r.startswith("| ") and "---" not in r]
    for row in rows[1:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        wing, modules = cells[0], cells[3:6]
        for cell in modules:  # cli, api, web carry the wing's own name
            assert cell in ("—", f"`cli/{wing}.py`", f"`api/{wing}.py`", f"`web/{wing}.py`"), row


def test_the_import_contracts_hold() -> None:
    """The floors and the surfaces' shapes (pyproject.toml's import-linter contracts)."""
    import shutil
    import subprocess
    import sys

    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert tool is not None
    result = subprocess.run(
        [tool, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "5 kept, 0 broken" in result.stdout
