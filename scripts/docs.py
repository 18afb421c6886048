#!/usr/bin/env python3
"""Rewrite the generated sections of the docs (tests/test_docs.py fails while they differ)."""

from __future__ import annotations

from pathlib import Path

from carbonpeak.cli import command_index
from carbonpeak.domain.warnings import write_doc
from carbonpeak.reference.docs import replace_section, tables_markdown
from carbonpeak.reference.loader import default_reference

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    path = ROOT / "docs" / "reference.md"
    text = path.read_text()
    path.write_text(replace_section(text, "tables", tables_markdown(default_reference())))
    print(f"wrote {path.relative_to(ROOT)}")
    readme = ROOT / "README.md"
    readme.write_text(replace_section(readme.read_text(), "commands", command_index()))
    print("wrote README.md")
    methods = ROOT / "docs" / "methods.md"
    write_doc(methods)  # the warnings table, from the catalogue
    print(f"wrote {methods.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
