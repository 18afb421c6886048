"""The directory's entries, read from the reference table `directory_technologies` (the rows
an authority's catalogue editions wrote), each with the source it cites.

An entry is known by its catalogue edition's code and its number as printed there (its `key`,
`catalogue:entry_no`). `links` are the platform's words an entry addresses (an equipment kind
of the diagnosis, a measure, a benchmark area); `candidates` lists the entries for one of
them. Figures keep the units the table declares: energy saving tce/a, CO2 reduction t/a,
investment 10^4 yuan (万元), payback years; a range is its low and high ends."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from carbonpeak.reference.loader import Reference

TABLE = "directory_technologies"
TEXT_COLUMNS = ("name_zh", "name_en", "sector", "process", "problem_zh", "problem_en",
                "principle_zh", "saving_text", "maturity")  # fmt: skip
FIGURES = ("energy_saving", "co2_reduction", "investment_min", "investment_max",
           "payback_min", "payback_max")  # fmt: skip


@dataclass(frozen=True)
class Technology:
    """One entry of a catalogue edition, with its figures (None where the catalogue gives
    none), its links and its provenance (the cited source, status and note)."""

    catalogue: str
    entry_no: str
    texts: dict[str, str]
    figures: dict[str, float | None]
    links: tuple[str, ...]
    source_id: str
    source: str
    source_url: str
    status: str
    note: str
    illustrative: bool = False  # a demo's entry, not a published catalogue's: labelled 示例

    @property
    def key(self) -> str:
        return key_of(self.catalogue, self.entry_no)

    @property
    def name_zh(self) -> str:
        return self.texts["name_zh"]

    @property
    def name_en(self) -> str:
        return self.texts["name_en"]

    @property
    def sector(self) -> str:
        return self.texts["sector"]

    @property
    def process(self) -> str:
        return self.texts["process"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "catalogue": self.catalogue,
            "entry_no": self.entry_no,
            **self.texts,
            **self.figures,
            "links": list(self.links),
            "source_id": self.source_id,
            "source": self.source,
            "source_url": self.source_url,
            "status": self.status,
            "note": self.note,
            "illustrative": self.illustrative,
        }


def key_of(catalogue: str, entry_no: str) -> str:
    """An entry's key as the register and the pages write it: `catalogue:entry_no`."""
    return f"{catalogue}:{entry_no}"


def technologies(reference: Reference) -> list[Technology]:
    """Every entry of the table in `reference`, in catalogue and entry order (entry numbers
    that are numbers in their numeric order)."""
    out = []
    for record in reference.rows(TABLE):
        source = reference.source(str(record["source_id"]))
        figures = {}
        for name in FIGURES:
            value = record.get(name)
            figures[name] = float(value) if isinstance(value, int | float) else None
        out.append(
            Technology(
                catalogue=str(record["catalogue"]),
                entry_no=str(record["entry_no"]),
                texts={name: str(record.get(name) or "") for name in TEXT_COLUMNS},
                figures=figures,
                links=tuple(str(record.get("links") or "").split()),
                source_id=source.source_id,
                source=source.cite(),
                source_url=source.url or "",
                status=str(record["status"]),
                note=str(record.get("note") or ""),
                illustrative=str(record.get("illustrative") or "") == "yes",
            )
        )
    out.sort(key=lambda t: (t.catalogue, _number_first(t.entry_no)))
    return out


def _number_first(entry_no: str) -> tuple[int, float, str]:
    try:
        return (0, float(entry_no), entry_no)
    except ValueError:
        return (1, 0.0, entry_no)


def find(entries: Iterable[Technology], key: str) -> Technology | None:
    """The entry of a key (`catalogue:entry_no`), or None."""
    return next((t for t in entries if t.key == key), None)


def candidates(entries: Iterable[Technology], link: str) -> list[Technology]:
    """The entries that address one of the platform's words (an equipment kind, a measure, a
    benchmark area), in catalogue order: a finding's or a unit's candidate technologies."""
    return [t for t in entries if link in t.links]
