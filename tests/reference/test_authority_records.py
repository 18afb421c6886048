"""Rows of an authority-supplied table entered through the platform (kept in the store) rather
than a file: `Reference.with_records` checks them as the shipped tables are and cites the
authority's own document as their source."""

from __future__ import annotations

from datetime import date

import pytest

from carbonpeak.errors import InputError
from carbonpeak.reference.loader import default_reference

RATES = "metering_coverage_requirements"
SOURCE = {
    "source_id": "authority-130000-1",
    "title": "某省能源计量器具配备要求（示例）",
    "issuer": "Hebei industry department",
    "note": "entered by the authority on the platform",
}
ROW = {
    "standard": "GB 17167-2025",
    "level": "unit",
    "energy": "electricity",
    "rate": 1.0,
    "valid_from": "2026-02-01",
    "source_id": "authority-130000-1",
    "status": "verified",
}


def test_entered_rows_are_looked_up_like_shipped_ones_and_change_the_digest() -> None:
    shipped = default_reference()
    entered = shipped.with_records(RATES, [ROW], [SOURCE])
    (row,) = entered.rows(RATES, as_of=date(2026, 3, 1), level="unit")
    assert row["rate"] == 1.0 and row["source_id"] == "authority-130000-1"
    assert entered.rows(RATES, as_of=date(2026, 1, 1)) == []  # not yet in force
    assert entered.digest != shipped.digest
    assert entered.digest != shipped.with_records(RATES, [{**ROW, "rate": 0.9}], [SOURCE]).digest
    assert shipped.rows(RATES) == []  # the shipped library is unchanged


def test_every_problem_of_the_entered_rows_is_placed_and_nothing_is_added() -> None:
    bad = [
        {**ROW, "rate": "high"},
        {**ROW, "level": "plant", "status": "unverified"},
        {**ROW, "energy": "steam", "source_id": "nowhere"},
    ]
    sourceless = {**SOURCE, "source_id": "authority-2", "note": None}
    with pytest.raises(InputError) as raised:
        default_reference().with_records(RATES, bad, [SOURCE, sourceless], origin="entered")
    assert [str(p) for p in raised.value.problems] == [
        "entered (sources), row 2, column url: a source needs a url, a document number, or a "
        "note saying where it was seen",
        "entered, row 1, column rate: 'high' is not a number",
        "entered, row 2, column level: 'plant' is not one of unit, sub_unit, equipment",
        "entered, row 2, column note: an unverified row needs a note saying why (recalled, "
        "secondary, derived)",
        "entered, row 3, column source_id: 'nowhere' is not in sources",
    ]
    with pytest.raises(InputError, match="source_id"):  # a source id the library already has
        default_reference().with_records(RATES, [], [{**SOURCE, "source_id": "rg_ys2025"}])
