"""The directory's fixtures: a hand-made corpus of entries (no library needed), catalogue
workbooks built cell by cell, and a store holding a small demo province with the demo's
illustrative catalogue approved and the example plant's diagnosis in the register."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook
from sqlalchemy import Engine

from carbonpeak.diagnosis.plant import example_text
from carbonpeak.directory.catalogue import TEXT_COLUMNS, Technology
from carbonpeak.services.demo import load_province
from carbonpeak.services.demo_journeys import _user, directory_catalogue
from carbonpeak.services.diagnosis import register_diagnosis
from carbonpeak.store.db import make_engine, transaction, upgrade
from carbonpeak.store.models import Enterprise


def entry(catalogue: str, entry_no: str, **texts: str) -> Technology:
    """An entry of a hand-made corpus: its texts (the rest blank), links from `links`."""
    links = tuple(texts.pop("links", "").split())
    return Technology(
        catalogue=catalogue,
        entry_no=entry_no,
        texts={c: texts.get(c, "") for c in TEXT_COLUMNS},
        figures={},
        links=links,
        source_id="s",
        source="a catalogue",
        source_url="",
        status="unverified",
        note="hand-made",
    )


def workbook(rows: list[list[Any]], title: str = "目录") -> bytes:
    """A one-sheet workbook of the rows as given (None: an empty cell)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class DirectoryStore:
    engine: Engine
    enterprise_id: str  # the demo enterprise, whose register holds the example plant's measures
    region_code: str
    plant: dict[str, Any]
    edition_id: int


@pytest.fixture(scope="package")
def directory_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DirectoryStore]:
    from carbonpeak.demo.province import generate_province, write_province

    folder: Path = tmp_path_factory.mktemp("directory")
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    upgrade(engine)
    province = generate_province(seed=2030, enterprises=60)
    write_province(province, folder / "province")
    activity = pd.read_csv(folder / "province" / "activity.csv", dtype=str, keep_default_na=False)
    with transaction(engine) as session:
        loaded = load_province(session, province, activity)
    first = loaded["demo_enterprise"]
    with transaction(engine) as session:
        region = session.get(Enterprise, first).region_code  # type: ignore[union-attr]
        plant = yaml.safe_load(example_text()) | {"enterprise_id": first, "region_code": region}
        register_diagnosis(session, _user(session, "demo-admin"), plant)
    with transaction(engine) as session:
        made = directory_catalogue(session)
    yield DirectoryStore(engine, first, region, plant, int(made["edition_id"]))
    engine.dispose()
