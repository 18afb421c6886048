"""The technology directory's use cases: search the entries of the library in force (the
catalogue editions approved into `directory_technologies`), show one entry with what it is
linked to, import a catalogue's spreadsheet as a draft edition (a reviewer approves it on the
editions page, as every edition), export the entries, and record which entry a measure of the
opportunity register used.

Links both ways, through each entry's `links` (the platform's words: a diagnosis's equipment
kinds and measures, a benchmark area):
- a diagnosis's findings and a unit below the benchmark level list the entries for their
  equipment kind, measure or area (`candidates_for`);
- an entry's page lists the enterprises whose gaps it addresses (their register's open
  measures of its links, their units of its areas whose latest grade, whatever its year, is
  below the benchmark level) and the register's measures that used it, with the savings
  their meters verified where they have been."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.diagnosis.equipment import MEASURE_NAMES
from carbonpeak.directory.catalogue import Technology, candidates, find, technologies
from carbonpeak.directory.search import Index, choices
from carbonpeak.domain.days import china_today
from carbonpeak.domain.warnings import ResultWarning, records
from carbonpeak.errors import N_, InputError, NotFoundError, PermissionDenied, Place, Problem
from carbonpeak.io.directory import CatalogueInfo, read_catalogue
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.directory_gaps import OPEN, gaps_of, measures_of, uses
from carbonpeak.services.enterprises import reachable
from carbonpeak.services.memo import kept
from carbonpeak.services.reference import library_in_force
from carbonpeak.services.reference_editions import ADMIN, EDITOR, keep_edition
from carbonpeak.store import audit
from carbonpeak.store.models import Opportunity, User

USABLE = (*OPEN, "implemented", "verified")  # may name the entry it used (done ones too)
# the columns of an export, in the table's order (figures in its units)
EXPORT_COLUMNS = ("key", "catalogue", "entry_no", "name_zh", "name_en", "sector", "process",
                  "links", "problem_zh", "problem_en", "principle_zh", "saving_text",
                  "energy_saving", "co2_reduction", "investment_min", "investment_max",
                  "payback_min", "payback_max", "maturity", "illustrative", "source_id",
                  "source", "status", "note")  # fmt: skip
KEPT = 4  # the entry lists and indexes kept (the least recently made leaving first)
_LOCK = threading.Lock()
_ENTRIES: dict[str, tuple[str, list[Technology]]] = {}
_INDEXES: dict[str, Index] = {}


def entries_of(reference: Reference) -> tuple[str, list[Technology]]:
    """The entries of a library and the digest of what they say: read once per library."""
    key = reference.digest
    with _LOCK:
        found = _ENTRIES.get(key)
    if found is None:
        entries = technologies(reference)
        digest = hashlib.sha256(
            json.dumps([t.as_dict() for t in entries], sort_keys=True, default=str).encode()
        ).hexdigest()
        found = (digest, entries)
        with _LOCK:
            while len(_ENTRIES) >= KEPT:
                _ENTRIES.pop(next(iter(_ENTRIES)), None)
            _ENTRIES[key] = found
    return found


def index_of(reference: Reference) -> Index:
    """The search index of a library's entries, built once per list of entries (the digest
    of `directory_technologies` in force, not of the whole library: an edition of another
    table does not rebuild it), under a lock, so that callers at the same time build it once."""
    digest, entries = entries_of(reference)
    with _LOCK:
        found = _INDEXES.get(digest)
        if found is None:
            found = Index(entries)
            while len(_INDEXES) >= KEPT:
                _INDEXES.pop(next(iter(_INDEXES)), None)
            _INDEXES[digest] = found
    return found


def search(
    session: Session,
    question: str = "",
    *,
    sector: str | None = None,
    process: str | None = None,
    catalogue: str | None = None,
    link: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """The entries holding any word of `question` (every entry without one), best first, kept
    by the filters; with the values each filter can take and the number of entries."""
    index = index_of(library_in_force(session))
    hits = index.search(question, sector=sector, process=process, catalogue=catalogue, link=link)
    return {
        "question": question,
        "link_names": link_names(library_in_force(session), index.entries),
        "filters": {"sector": sector, "process": process, "catalogue": catalogue, "link": link},
        "choices": choices(index.entries),
        "entries": len(index.entries),
        "found": len(hits),  # before the limit: the results may be the first of them
        "results": [
            h.technology.as_dict() | {"score": h.score, "matched": list(h.matched)}
            for h in (hits[:limit] if limit is not None else hits)
        ],
    }


def link_names(reference: Reference, entries: Iterable[Technology]) -> dict[str, dict[str, str]]:
    """The names of the platform's words the entries address, as the gap table names them: a
    measure by its name to translate (`msgid`, MEASURE_NAMES), a benchmark area by its names
    in `efficiency_levels` (`zh`, `en`); an equipment kind, whose code the catalogs translate,
    by its code (`msgid`)."""
    areas = {str(r["area"]): r for r in reference.rows("efficiency_levels")}
    out: dict[str, dict[str, str]] = {}
    for link in sorted({w for t in entries for w in t.links}):
        if link in areas:
            named = areas[link]
            out[link] = {"zh": str(named["name_zh"]), "en": str(named["name_en"])}
        else:
            out[link] = {"msgid": MEASURE_NAMES.get(link, link)}
    return out


def _entry(reference: Reference, key: str) -> Technology:
    found = find(entries_of(reference)[1], key)
    if found is None:
        raise NotFoundError(f"no technology {key} in the directory")
    return found


def candidates_for(session: Session, links: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """For each of the platform's words (an equipment kind, a measure, a benchmark area), the
    directory's entries that address it (key, names, catalogue and status)."""
    return candidates_in(library_in_force(session), links)


def candidates_in(reference: Reference, links: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """`candidates_for` in a library already at hand."""
    entries = entries_of(reference)[1]  # no full-text index needed
    out = {}
    for link in sorted(set(links)):
        found = candidates(entries, link)
        if found:
            out[link] = [
                {
                    "key": t.key,
                    "name_zh": t.name_zh,
                    "name_en": t.name_en,
                    "status": t.status,
                    "illustrative": t.illustrative,
                }
                for t in found
            ]
    return out


def technology(session: Session, actor: Actor, key: str) -> dict[str, Any]:
    """An entry with its source, the enterprises (of those the caller sees) whose gaps it
    addresses and the register's measures that used it, with their verified savings."""
    reference = library_in_force(session)
    entry = _entry(reference, key)
    areas = {str(r["area"]): r for r in reference.rows("efficiency_levels")}
    gaps = kept(  # they read every visible grade of the latest year: kept per store state
        session, actor, "directory_gaps", (key,), lambda: gaps_of(session, actor, entry)
    )
    for gap in gaps:
        for unit in gap["units"]:
            named = areas.get(str(unit["area"]))
            unit["area_zh"] = str(named["name_zh"]) if named else unit["area"]
            unit["area_en"] = str(named["name_en"]) if named else unit["area"]
    return {
        **entry.as_dict(),
        "link_names": link_names(reference, [entry]),
        "gaps": gaps,
        "uses": uses(session, actor, entry),
        "open_measures": measures_of(session, actor, entry),
        "usable_measures": measures_of(session, actor, entry, USABLE),
    }


def use_technology(
    session: Session, actor: Actor, opportunity_id: int, key: str | None
) -> dict[str, Any]:
    """Record that a measure of the register used an entry of the directory (`key`), or no
    longer (`None`); by the enterprise or the administrator, in the audit log."""
    row = session.get(Opportunity, opportunity_id)
    if row is None or not reachable(session, actor, row.enterprise_id):
        raise NotFoundError(f"no opportunity {opportunity_id}")
    if actor.role not in ("admin", "enterprise"):
        raise PermissionDenied("the enterprise (or the administrator) keeps its register")
    if key is not None and find(entries_of(library_in_force(session))[1], key) is None:
        raise InputError(
            Problem.of(Place(field="technology"), N_("no technology {} in the directory"), key)
        )
    before = {"technology": row.technology}
    row.technology = key
    session.flush()
    audit.record(
        session,
        actor.username,
        "opportunity.technology",
        "opportunity",
        str(opportunity_id),
        before=before,
        after={"technology": key},
    )
    return {"opportunity_id": opportunity_id, "technology": key}


def import_catalogue(
    session: Session,
    actor: Actor,
    name: str,
    content: bytes,
    info: CatalogueInfo | Mapping[str, Any],
) -> dict[str, Any]:
    """A catalogue's spreadsheet read into an edition of the directory (every entry citing
    the catalogue; problems placed, nothing stored) and kept as a draft for a reviewer. `info`
    the catalogue's description, or the fields of a form that give it (`catalogue_info`)."""
    if EDITOR not in actor.duties:
        raise PermissionDenied("importing a catalogue into the directory is an editor's duty")
    if not isinstance(info, CatalogueInfo):
        info = catalogue_info(**info)
    if info.valid_from is None:
        info = replace(info, valid_from=china_today())
    warnings: list[ResultWarning] = []
    library = library_in_force(session)
    words = [(str(r["word"]), str(r["link"])) for r in library.rows("directory_link_words")]
    edition = read_catalogue(name, content, info, warnings, words)
    _not_anothers(library, edition.rows, name)
    made = keep_edition(session, actor, name, edition, accounts=False)
    return {**made, "warnings": records(warnings)}


def _not_anothers(reference: Reference, rows: Iterable[Any], name: str) -> None:
    """Refuse rows of a catalogue already in the directory that cite another source than its
    entries do: an editor may not rewrite another catalogue's entries by reusing its code."""
    cited: dict[str, set[str]] = {}
    for t in entries_of(reference)[1]:
        cited.setdefault(t.catalogue, set()).add(t.source_id)
    problems = [
        Problem.of(
            replace(row.place, file=name),
            N_(
                "catalogue {} is in the directory citing {}, not {}: give this catalogue a code "
                "of its own"
            ),
            row.values["catalogue"],
            ", ".join(sorted(cited[row.values["catalogue"]])),
            row.values["source_id"],
        )
        for row in rows
        if row.values["catalogue"] in cited
        and row.values["source_id"] not in cited[row.values["catalogue"]]
    ]
    if problems:
        raise InputError(problems)


def catalogue_info(**given: Any) -> CatalogueInfo:
    """The catalogue's description from the fields of a form or the options of a command
    (text; `valid_from` an ISO date, today if blank)."""
    valid = str(given.pop("valid_from", "") or "").strip()
    try:
        when = date.fromisoformat(valid) if valid else china_today()
    except ValueError:
        raise InputError(
            Problem.of(Place(field="valid_from"), N_("{!r} is not a date (YYYY-MM-DD)"), valid)
        ) from None
    return CatalogueInfo(**{k: str(v or "").strip() for k, v in given.items()}, valid_from=when)


def export_table(session: Session, **filters: Any) -> tuple[list[str], list[list[Any]]]:
    """The entries a search finds (every entry without a question), as a header and rows of
    `EXPORT_COLUMNS` (links joined by spaces), for a CSV or a workbook."""
    found = search(session, **filters)["results"]
    rows = [[_cell(r, c) for c in EXPORT_COLUMNS] for r in found]
    return list(EXPORT_COLUMNS), rows


def _cell(entry: dict[str, Any], column: str) -> Any:
    if column == "links":
        return " ".join(entry[column])
    if column == "illustrative":  # as the table writes it, and the import reads it back
        return "yes" if entry[column] else ""
    return entry.get(column)


def entries_named(session: Session, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The names of the entries of `keys` in the library in force (for a register's measures
    that used one), each saying whether it is illustrative; a key no longer in force (its
    edition withdrawn or superseded) is `withdrawn`."""
    entries = {t.key: t for t in entries_of(library_in_force(session))[1]}
    out = {}
    for key in set(keys):
        found = entries.get(key)
        out[key] = (
            {"key": key, "name_zh": found.name_zh, "name_en": found.name_en,
             "illustrative": found.illustrative, "withdrawn": False}
            if found is not None
            else {"key": key, "name_zh": key, "name_en": key, "illustrative": False,
                  "withdrawn": True}
        )  # fmt: skip
    return out


# -- the command line's: on the configured store, as the administrator or a user named ------


def _named(session: Session, username: str) -> Actor:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    return Actor.of(user)


def search_in_store(question: str = "", **filters: Any) -> dict[str, Any]:
    """`search` on the configured store."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        return search(session, question, **filters)


def technology_in_store(key: str) -> dict[str, Any]:
    """`technology` on the configured store, as its administrator sees it."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        return technology(session, ADMIN, key)


def export_in_store(**filters: Any) -> tuple[list[str], list[list[Any]]]:
    """`export_table` on the configured store."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        return export_table(session, **filters)


def import_catalogue_as(
    username: str, name: str, content: bytes, info: CatalogueInfo
) -> dict[str, Any]:
    """`import_catalogue` into the configured store as the user named (an editor)."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        return import_catalogue(session, _named(session, username), name, content, info)


def use_technology_as(username: str, opportunity_id: int, key: str | None) -> dict[str, Any]:
    """`use_technology` on the configured store as the user named."""
    from carbonpeak.services.store import store_session

    with store_session() as session:
        return use_technology(session, _named(session, username), opportunity_id, key)
