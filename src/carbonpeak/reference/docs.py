"""The parts of the docs that are generated from declarations, so that they cannot drift.

`docs/reference.md` holds, between two markers, the list of reference tables made from
`tables.yaml` and the shipped rows (names in Chinese and English, key, description, rows,
verified and unverified counts).
`python scripts/docs.py` rewrites the marked sections; `tests/test_docs.py` fails when they differ.
"""

from __future__ import annotations

import re

from carbonpeak.reference.catalog import TableSpec
from carbonpeak.reference.loader import Reference

START = "<!-- generated: {name} (scripts/docs.py) -->"
END = "<!-- end: {name} -->"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _names(spec: TableSpec) -> str:
    """A table's names, Chinese first: `电网排放因子<br>Grid emission factors`."""
    return f"{_cell(spec.name_zh)}<br>{_cell(spec.name_en)}"


def tables_markdown(reference: Reference) -> str:
    """The table of reference tables, in the order `tables.yaml` declares them."""
    sources = reference.catalog.sources
    lines = [
        "| table | 名称 name | key | what | rows | verified | unverified |",
        "|---|---|---|---|---:|---:|---:|",
        f"| `sources` | {_names(sources)} | source_id | documents cited by the rows of every"
        f" table | {len(reference.sources)} | — | — |",
    ]
    for name in reference.table_names:
        spec = reference.spec(name)
        counts = reference.counts(name)
        key = ", ".join(spec.key) + (" (+ date)" if spec.temporal else "")
        rows = sum(counts.values())
        verified = counts.get("verified", 0) if spec.provenance else "—"
        unverified = counts.get("unverified", 0) if spec.provenance else "—"
        lines.append(
            f"| `{name}` | {_names(spec)} | {key} | {_cell(spec.description)} | {rows}"
            f" | {verified} | {unverified} |"
        )
    return "\n".join(lines) + "\n"


def replace_section(text: str, name: str, body: str) -> str:
    """`text` with the section `name` between its markers replaced by `body`."""
    start, end = START.format(name=name), END.format(name=name)
    pattern = re.compile(re.escape(start) + r"\n.*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"no section {name!r} (markers {start!r} ... {end!r})")
    return pattern.sub(lambda _: f"{start}\n{body}{end}", text)


def section(text: str, name: str) -> str:
    """The body of the section `name` as it stands in `text`."""
    start, end = START.format(name=name), END.format(name=name)
    found = re.search(re.escape(start) + r"\n(.*?)" + re.escape(end), text, re.S)
    if found is None:
        raise ValueError(f"no section {name!r}")
    return found.group(1)
