"""The demo's technology directory: an illustrative catalogue, not a published one. Its rows
are in the layout of the published catalogues (Chinese headers, headings for the sectors) so
that the demo imports them as an authority imports a catalogue; every entry says in its note
that it and its figures are illustrative. Some names are those the NDRC's 2022 guide for
upgrading energy-intensive industries lists (the entry says so); none of its figures are."""

from __future__ import annotations

import csv
from importlib import resources
from typing import Any

CATALOGUE = "demo_illustrative"
SOURCE_ID = "demo_directory_illustrative"
NOTE = (
    "示例条目（演示用），非目录原文，数值为示例 / "
    "illustrative entry for the demo, not from a catalogue; figures illustrative"
)


def catalogue_rows() -> tuple[list[str], list[list[str]]]:
    """The illustrative catalogue as a header and rows of text (heading rows included), each
    entry's 备注 saying it is illustrative."""
    text = (resources.files("carbonpeak.demo") / "directory.csv").read_text(encoding="utf-8")
    header, *rows = list(csv.reader(text.splitlines()))
    at = header.index("备注")
    for row in rows:
        if row[0].isdigit():
            row[at] = NOTE
    return header, rows


def catalogue_document() -> dict[str, Any]:
    """What the demo says of its catalogue when it imports it."""
    return {
        "catalogue": CATALOGUE,
        "source_id": SOURCE_ID,
        "title": "示例节能降碳技术目录（演示用，非官方目录） / Illustrative technology directory "
        "(demo, not a published catalogue)",
        "issuer": "carbonpeak demo",
        "document_number": "DEMO-ILLUSTRATIVE",
        "status": "unverified",
        "note": NOTE,
    }
