"""Docs that cannot drift: generated sections equal what their declarations generate, and
every note the repository cites is in the repository."""

from __future__ import annotations

import re
from pathlib import Path

from carbonpeak.reference.docs import replace_section, section, tables_markdown
from carbonpeak.reference.loader import default_reference

ROOT = Path(__file__).parents[1]


def test_the_table_list_of_the_reference_page_is_generated() -> None:
    reference = default_reference()
    text = (ROOT / "docs" / "reference.md").read_text()
    assert section(text, "tables") == tables_markdown(reference), "run python scripts/docs.py"
    # every declared table is listed, once
    listed = re.findall(r"^\| `(\w+)` \|", section(text, "tables"), re.M)
    assert listed == ["sources", *reference.table_names]


def test_replacing_a_section_keeps_the_rest() -> None:
    text = "a\n<!-- generated: x (scripts/docs.py) -->\nold\n<!-- end: x -->\nb\n"
    assert replace_section(text, "x", "new\n") == (
        "a\n<!-- generated: x (scripts/docs.py) -->\nnew\n<!-- end: x -->\nb\n"
    )


def _cited_notes() -> dict[str, set[str]]:
    """Each `name.md` cited in the code, the reference data and the docs, with where."""
    cited: dict[str, set[str]] = {}
    places = [
        *(ROOT / "src").rglob("*.py"),
        *(ROOT / "src").rglob("*.csv"),
        *(ROOT / "src").rglob("*.yaml"),
        *(ROOT / "src").rglob("*.html"),
        *(ROOT / "docs").glob("*.md"),
        ROOT / "README.md",
    ]
    for path in places:
        for name in re.findall(r"([A-Za-z0-9_-]+\.md)\b", path.read_text(errors="replace")):
            cited.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return cited


def test_every_cited_note_is_in_the_repository() -> None:
    present = {p.name for p in ROOT.rglob("*.md") if ".venv" not in p.parts}
    missing = {name: sorted(where)[:3] for name, where in _cited_notes().items()}
    missing = {name: where for name, where in missing.items() if name not in present}
    assert missing == {}
    assert "standards_verified.md" in _cited_notes()  # the scan does find citations


def test_no_doc_points_outside_the_repository() -> None:
    for path in [*(ROOT / "docs").glob("*.md"), ROOT / "README.md"]:
        assert "../shared" not in path.read_text(), path
        assert "shared/reference" not in path.read_text(), path


def test_every_cli_command_is_in_the_readme() -> None:
    from carbonpeak.cli import command_index

    index = command_index()
    readme = (ROOT / "README.md").read_text()
    assert section(readme, "commands") == index, "run python scripts/docs.py"
    commands = re.findall(r"^\| `(carbonpeak[^`]*)` \|", index, re.M)
    assert "carbonpeak policy swap" in commands and len(commands) > 30
    assert "carbonpeak swap check" not in commands  # aliases stay hidden
