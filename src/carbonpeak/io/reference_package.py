"""An edition as a package another installation imports (issue 20 part 6): a zip holding the
edition as text (`edition.yaml`, one CSV per table with an `action` column: the layout
`reference.edition_files` reads) and `manifest.json`, which gives the SHA-256 of every file,
the edition's own digest and where it comes from (the installation, its number there, who
imported and who approved it, when, and why). A package whose files do not match their hashes
is refused: damage on the way from one installation to another is caught. The package is
hashed, not signed: whoever changes a row and recomputes the hashes is not caught, so the
receiving installation's own review of the draft is what vouches for it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.reference.edition_files import read_edition_dir
from carbonpeak.reference.editions import Edition

MANIFEST = "manifest.json"
FORMAT = "carbonpeak-reference-edition/1"
MAX_FILES = 200
MAX_MEMBER_BYTES = 20 * 2**20  # an edition's CSV of 100,000 rows is a few MB
MAX_TOTAL_BYTES = 50 * 2**20


def write_package(edition: Edition, origin: dict[str, Any]) -> bytes:
    """The package of `edition`; `origin` (installation, edition number, author, reviewer,
    decided_at, comment) goes into the manifest as it is."""
    files: dict[str, bytes] = {}
    meta = {
        "document": dict(edition.document),
        "valid_from": edition.valid_from,
        "sources": [dict(s) for s in edition.sources],
    }
    files["edition.yaml"] = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).encode()
    tables: dict[str, list[dict[str, str]]] = {}
    for row in edition.rows:
        tables.setdefault(row.table, []).append({**row.values, "action": row.action or ""})
    for table, rows in tables.items():
        columns = [*dict.fromkeys(c for r in rows for c in r if c != "action"), "action"]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({c: r.get(c, "") for c in columns})
        files[f"{table}.csv"] = out.getvalue().encode()
    manifest = {
        "format": FORMAT,
        "edition_digest": edition.digest,
        "origin": origin,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2, default=str))
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()


def read_package(name: str, content: bytes) -> tuple[Edition, dict[str, Any]]:
    """The edition a package holds and its manifest; `InputError` naming the file (and the
    member) when it is not a package, a file does not match its hash, or the edition's digest
    is not the manifest's."""
    place = Place(file=name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.namelist()
        manifest = json.loads(archive.read(MANIFEST)) if MANIFEST in members else None
    except (zipfile.BadZipFile, ValueError, KeyError):
        manifest, members, archive = None, [], None
    if archive is None or not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(
            Problem.of(place, N_("not an edition package (a zip with {} of {})"), MANIFEST, FORMAT)
        )
    listed = manifest.get("files")
    if not isinstance(listed, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in listed.items()
    ):
        raise InputError(Problem.of(place, N_("the manifest's files are not a list of hashes")))
    problems = []
    for member in members:
        if member != MANIFEST and member not in listed:
            problems.append(Problem.of(Place(file=name, sheet=member), N_("not in the manifest")))
    sizes = {i.filename: i.file_size for i in archive.infolist()}
    if len(members) > MAX_FILES or sum(sizes.values()) > MAX_TOTAL_BYTES:
        raise InputError(
            Problem.of(
                place, N_("more than {} files or {} MB unpacked"), MAX_FILES, MAX_TOTAL_BYTES >> 20
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        for member, digest in listed.items():
            if "/" in member or member.startswith(".") or not member.endswith((".csv", ".yaml")):
                problems.append(
                    Problem.of(Place(file=name, sheet=member), N_("not a file of an edition"))
                )
                continue
            if sizes.get(member, 0) > MAX_MEMBER_BYTES:
                problems.append(
                    Problem.of(
                        Place(file=name, sheet=member),
                        N_("larger than {} MB unpacked"),
                        MAX_MEMBER_BYTES >> 20,
                    )
                )
                continue
            data = archive.read(member) if member in members else None
            if data is None or hashlib.sha256(data).hexdigest() != digest:
                problems.append(
                    Problem.of(
                        Place(file=name, sheet=member),
                        N_("does not match its hash in the manifest: changed after it was packed"),
                    )
                )
                continue
            (Path(folder) / member).write_bytes(data)
        if problems:
            raise InputError(problems)
        try:
            edition = read_edition_dir(Path(folder))
        except InputError as exc:
            raise InputError(
                [
                    replace(
                        p, place=replace(p.place, file=name, sheet=Path(p.place.file or "").name)
                    )
                    for p in exc.problems
                ]
            ) from None
        except (AttributeError, TypeError, ValueError, UnicodeDecodeError) as exc:
            # a package made by hand: its YAML or CSV is not the shape an edition has
            raise InputError(
                Problem.of(place, N_("not an edition's files: {}"), str(exc) or type(exc).__name__)
            ) from None
    if edition.digest != manifest.get("edition_digest"):
        raise InputError(
            Problem.of(
                place, N_("the edition's digest is not the manifest's: changed after it was packed")
            )
        )
    return edition, manifest
