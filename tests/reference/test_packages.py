"""Edition packages from one installation to another (io/reference_package.py, issue 20 part
6): an approved edition exported by Hebei's installation and imported by another keeps its
rows, its digest and where it comes from; a package changed after it was packed, or a file
that is no package, is refused naming the file; a draft is not exported. Test fixtures only."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from carbonpeak.errors import InputError, Place
from carbonpeak.io.reference_package import read_package, write_package
from carbonpeak.reference.editions import Edition, EditionRow
from carbonpeak.services.access import Actor
from carbonpeak.services.reference import reference_of
from carbonpeak.services.reference_editions import decide, export_edition, import_edition
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import User

EDITION = Edition(
    {"source_id": "test_fixture_pkg", "title": "包测试（test fixture）", "document_number": "测试"},
    date(2024, 1, 1),
    (
        EditionRow(
            "grid_emission_factors",
            {"area": "national", "kind": "ets", "value": "0.5432", "unit": "kgCO2/kWh"},
            "change",
            Place(row=2),
        ),
        EditionRow(
            "process_emission_factors",
            {
                "item": "test_fixture_carbonate",
                "basis": "ipcc_2006",
                "value": "0.4",
                "unit": "tCO2/t",
                "note": "第 3 页",
            },
            "add",
            Place(row=2),
        ),
    ),
)


def test_a_package_round_trips_with_its_digest() -> None:
    content = write_package(EDITION, {"installation": "河北", "edition_id": 7})
    edition, manifest = read_package("e.zip", content)
    assert edition.digest == EDITION.digest == manifest["edition_digest"]
    assert manifest["origin"] == {"installation": "河北", "edition_id": 7}
    assert [(r.table, r.action) for r in edition.rows] == [
        ("grid_emission_factors", "change"),
        ("process_emission_factors", "add"),
    ]


def _tampered(content: bytes, member: str, old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data.replace(old, new) if name == member else data)
    return out.getvalue()


def test_a_changed_or_foreign_package_is_refused() -> None:
    content = write_package(EDITION, {"installation": "河北"})
    changed = _tampered(content, "grid_emission_factors.csv", b"0.5432", b"0.1234")
    with pytest.raises(InputError) as raised:
        read_package("改过.zip", changed)
    [problem] = raised.value.problems
    assert problem.place.file == "改过.zip" and problem.place.sheet == "grid_emission_factors.csv"
    assert "does not match its hash" in problem.message
    with pytest.raises(InputError) as raised:
        read_package("a.zip", b"PK not really")
    assert "not an edition package" in str(raised.value)


def _actor(engine: Engine, name: str, role: str, duties: list[str]) -> Actor:
    with transaction(engine) as session:
        regions = ["130000"] if role == "regulator" else []
        add_user(session, name, role, "correct horse battery", regions, [], "test", duties)
    with transaction(engine) as session:
        return Actor.of(session.execute(select(User).where(User.username == name)).scalar_one())


def test_exported_by_one_installation_imported_by_another(engine: Engine, tmp_path: Path) -> None:
    editor = _actor(engine, "pkg-editor", "admin", ["reference_editor"])
    reviewer = _actor(engine, "pkg-reviewer", "regulator", ["reference_reviewer"])
    with transaction(engine) as session:
        made = import_edition(
            session, editor, "e.zip", write_package(EDITION, {"installation": "国家"})
        )
    number = made["edition_id"]
    with pytest.raises(InputError) as raised, transaction(engine) as session:
        export_edition(session, number, "河北")
    assert "only an approved edition is packed" in str(raised.value)
    with transaction(engine) as session:
        decide(session, reviewer, number, "approve", "核对原文")
    with transaction(engine) as session:
        name, content = export_edition(session, number, "河北")
        reference = reference_of(session)
    assert name == f"edition-{number}.zip"
    edition, manifest = read_package(name, content)
    assert manifest["origin"]["installation"] == "河北"
    assert manifest["origin"]["reviewer"] == "pkg-reviewer"
    assert "imported as a package from 国家" in edition.document["note"]
    value = reference.lookup(
        "grid_emission_factors", as_of=date(2024, 2, 1), area="national", kind="ets"
    )
    assert value.value == 0.5432 and value.provenance.source_id == "test_fixture_pkg"


def test_a_package_made_by_hand_is_a_placed_problem_not_a_crash() -> None:
    """Review 21 #7: a manifest whose files are a list, a YAML that is a list, a member that
    unpacks to more than the limit."""
    import json

    def package(manifest: object, members: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest))
            for name, data in members.items():
                archive.writestr(name, data)
        return out.getvalue()

    fmt = "carbonpeak-reference-edition/1"
    listed = package({"format": fmt, "files": ["edition.yaml"]}, {"edition.yaml": b"- a"})
    with pytest.raises(InputError) as raised:
        read_package("p.zip", listed)
    assert "not a list of hashes" in str(raised.value)
    import hashlib

    yaml_list = b"- a\n- b\n"
    shaped = package(
        {"format": fmt, "files": {"edition.yaml": hashlib.sha256(yaml_list).hexdigest()}},
        {"edition.yaml": yaml_list},
    )
    with pytest.raises(InputError) as raised:
        read_package("p.zip", shaped)
    assert "not an edition's files" in str(raised.value)
    big = b"0" * (21 * 2**20)  # compresses to a few KB
    bomb = package(
        {"format": fmt, "files": {"t.csv": hashlib.sha256(big).hexdigest()}}, {"t.csv": big}
    )
    assert len(bomb) < 100_000
    with pytest.raises(InputError) as raised:
        read_package("p.zip", bomb)
    assert "larger than 20 MB unpacked" in str(raised.value)
