"""Editions applied over the shipped library (reference/editions.py): a change to a dated row
keeps history, a change to an undated row replaces it, a retirement ends a row, an addition
that would overlap a row in force is refused, every problem placed at the edition's row.

The documents and values below are test fixtures, not real rules (they are named so)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carbonpeak.errors import InputError, Place
from carbonpeak.reference.edition_files import read_edition_dir, shipped_editions
from carbonpeak.reference.editions import (
    Edition,
    EditionRow,
    apply_edition,
)
from carbonpeak.reference.loader import Reference, default_reference

DOC = {
    "source_id": "test_edition_1",
    "title": "测试版本（test fixture, not a real rule）",
    "issuer": "test authority",
    "document_number": "测试〔2026〕1号",
    "date": "2026-12-01",
}


def _row(table: str, n: int, action: str | None = None, **values: str) -> EditionRow:
    return EditionRow(table, values, action, Place(file="e.xlsx", sheet=table, row=n))  # type: ignore[arg-type]


def _edition(*rows: EditionRow, valid_from: date = date(2024, 1, 1)) -> Edition:
    return Edition(DOC, valid_from, rows, place=Place(file="e.xlsx", sheet="edition"))


def test_a_dated_row_changed_from_a_date_keeps_the_old_one_before_it() -> None:
    """The national ETS factor 0.5703 (open from 2022-01-01) changed to 0.5555 from 2024:
    the old row now ends on 2024-01-01, so a 2023 look-up still finds it."""
    reference = default_reference()
    edition = _edition(
        _row(
            "grid_emission_factors",
            2,
            area="national",
            kind="ets",
            value="0.5555",
            unit="kgCO2/kWh",
        ),
    )
    applied = apply_edition(reference, edition)
    new = applied.reference
    assert (
        new.lookup(
            "grid_emission_factors", as_of=date(2024, 6, 1), area="national", kind="ets"
        ).value
        == 0.5555
    )
    assert (
        new.lookup(
            "grid_emission_factors", as_of=date(2023, 6, 1), area="national", kind="ets"
        ).value
        == 0.5703
    )
    value = new.lookup("grid_emission_factors", as_of=date(2025, 1, 1), area="national", kind="ets")
    assert value.provenance.source_id == "test_edition_1" and value.provenance.verified
    assert new.source("test_edition_1").document_number == "测试〔2026〕1号"
    [change] = applied.changes
    assert change.action == "change" and change.before and change.after
    assert change.before["value"] == 0.5703 and change.after["value"] == 0.5555
    assert set(change.columns) >= {"value", "valid_from", "source_id"}
    assert applied.by_table() == {"grid_emission_factors": {"add": 0, "change": 1, "retire": 0}}
    # the library the results name is another one
    assert new.digest != reference.digest
    assert apply_edition(reference, edition).reference.digest == new.digest


def test_an_undated_row_is_replaced_and_a_new_key_added() -> None:
    """process_emission_factors has no dates: limestone guideline_2013 0.440 is replaced
    (verified by the test document), and a new basis row for a new key is added."""
    reference = default_reference()
    applied = apply_edition(
        reference,
        _edition(
            _row(
                "process_emission_factors",
                2,
                item="limestone",
                basis="guideline_2013",
                value="0.44",
                unit="tCO2/t",
                note="表2.2",
            ),
            _row(
                "process_emission_factors",
                3,
                "add",
                item="test_fixture_carbonate",
                basis="ipcc_2006",
                value="0.477",
                unit="tCO2/t",
            ),
        ),
    )
    new = applied.reference
    limestone = new.rows("process_emission_factors", item="limestone", basis="guideline_2013")
    assert len(limestone) == 1 and limestone[0]["status"] == "verified"
    assert limestone[0]["note"] == "表2.2" and limestone[0].line == 2
    assert [c.action for c in applied.changes] == ["change", "add"]
    before = len(reference.rows("process_emission_factors"))
    assert len(new.rows("process_emission_factors")) == before + 1


def test_a_retired_row_ends_on_the_date() -> None:
    reference = default_reference()
    applied = apply_edition(
        reference,
        _edition(_row("grid_emission_factors", 2, "retire", area="national", kind="ets")),
    )
    new = applied.reference
    assert (
        new.rows("grid_emission_factors", as_of=date(2024, 6, 1), area="national", kind="ets") == []
    )
    assert (
        new.lookup(
            "grid_emission_factors", as_of=date(2023, 6, 1), area="national", kind="ets"
        ).value
        == 0.5703
    )
    assert [c.action for c in applied.changes] == ["retire"] and applied.changes[0].after is None
    # the row in force on the date ends, not the last one read: edition 1 adds the 2020 row
    # (0.6101, to 2021-01-01) after the open 2022 row, and it keeps its span
    assert applied.changes[0].before and applied.changes[0].before["value"] == 0.5703
    assert (
        new.lookup(
            "grid_emission_factors", as_of=date(2020, 6, 1), area="national", kind="ets"
        ).value
        == 0.6101
    )


def test_bad_editions_are_refused_with_every_problem_placed() -> None:
    reference = default_reference()
    rows = (
        # an addition over the row in force (it must say 'change')
        _row(
            "grid_emission_factors",
            2,
            "add",
            area="national",
            kind="ets",
            value="0.6",
            unit="kgCO2/kWh",
        ),
        # a unit of the wrong dimension
        _row("grid_emission_factors", 3, area="east", kind="average", value="0.6", unit="kg"),
        # nothing to change
        _row(
            "process_emission_factors",
            2,
            "change",
            item="unobtainium",
            basis="ipcc_2006",
            value="1",
            unit="tCO2/t",
        ),
        # a table that does not exist
        _row("no_such_table", 2, x="1"),
        # a source the library does not have
        _row(
            "process_emission_factors",
            3,
            item="limestone",
            basis="ipcc_2006",
            value="0.44",
            unit="tCO2/t",
            source_id="nowhere",
        ),
    )
    with pytest.raises(InputError) as raised:
        apply_edition(reference, _edition(*rows))
    said = {(p.place.sheet, p.place.row, p.place.column): p.message for p in raised.value.problems}
    assert "mark this row 'change'" in said[("grid_emission_factors", 2, None)]
    assert "does not convert to kgCO2/kWh" in said[("grid_emission_factors", 3, "unit")]
    assert "no row for item=unobtainium" in said[("process_emission_factors", 2, None)]
    assert "no reference table 'no_such_table'" in said[("no_such_table", 2, None)]
    assert "'nowhere' is not in sources" in said[("process_emission_factors", 3, "source_id")]
    assert all(p.place.file == "e.xlsx" for p in raised.value.problems)


def test_two_rows_for_one_key_and_a_document_without_its_date_are_refused() -> None:
    reference = default_reference()
    same = [
        _row(
            "process_emission_factors",
            n,
            item="limestone",
            basis="ipcc_2006",
            value=v,
            unit="tCO2/t",
        )
        for n, v in ((2, "0.44"), (3, "0.45"))
    ]
    with pytest.raises(InputError) as raised:
        apply_edition(reference, _edition(*same))
    assert any("duplicate key" in p.message and p.place.row == 3 for p in raised.value.problems)
    undated = Edition({"source_id": "x", "title": "no date, number or url"}, date(2024, 1, 1), ())
    with pytest.raises(InputError) as raised:
        apply_edition(reference, undated)
    assert "a source needs a url" in str(raised.value)


def test_an_edition_kept_as_text_and_the_shipped_ones(tmp_path: Path) -> None:
    """`edition.yaml` and a CSV per table (how the platform ships its own editions); the
    library the platform loads is the shipped tables with those applied, in folder order."""
    folder = tmp_path / "0001_test"
    folder.mkdir()
    (folder / "edition.yaml").write_text(
        "document:\n  source_id: test_text_edition\n  title: 文本版本（test fixture）\n"
        "  document_number: 测试〔2026〕2号\nvalid_from: 2024-01-01\n",
        encoding="utf-8",
    )
    (folder / "grid_emission_factors.csv").write_text(
        "area,kind,value,unit,note,action\nnational,ets,0.5444,kgCO2/kWh,第三条,change\n",
        encoding="utf-8",
    )
    edition = read_edition_dir(folder)
    assert edition.valid_from == date(2024, 1, 1) and len(edition.rows) == 1
    assert edition.rows[0].place.row == 2 and edition.rows[0].action == "change"
    new = apply_edition(default_reference(), edition).reference
    assert (
        new.lookup(
            "grid_emission_factors", as_of=date(2024, 2, 1), area="national", kind="ets"
        ).value
        == 0.5444
    )
    (folder / "grid_emission_factors.csv").write_text(
        "area,kind,value,unit,action\nnational,ets,0.5444,kgCO2/kWh,replace\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as raised:
        read_edition_dir(folder)
    assert "'replace' is not one of add, change, retire" in str(raised.value)
    # the packaged library: edition zero plus whatever data/editions/ holds, each applied
    shipped = shipped_editions(default_reference().directory)
    base = Reference.load()
    for each in shipped:
        base = apply_edition(base, read_edition_dir(each)).reference
    assert base.digest == default_reference().digest


def test_an_open_change_does_not_silently_replace_later_spans() -> None:
    """Review 21 #4: national/ets changed from 2021-06-01 with no valid_to would have swept
    away the 2022 row (0.5703); it is refused, naming that row, unless the change ends first."""
    reference = default_reference()

    def change(**span: str) -> Edition:
        row = _row(
            "grid_emission_factors",
            2,
            "change",
            area="national",
            kind="ets",
            value="0.6",
            unit="kgCO2/kWh",
            valid_from="2021-06-01",
            **span,
        )
        return _edition(row, valid_from=date(2021, 6, 1))

    with pytest.raises(InputError) as raised:
        apply_edition(reference, change())  # open-ended
    assert "has a later row for area=national, kind=ets from 2022-01-01" in str(raised.value)
    bounded = change(valid_to="2022-01-01")
    new = apply_edition(reference, bounded).reference
    look = {
        d: new.lookup("grid_emission_factors", as_of=d, area="national", kind="ets").value
        for d in (date(2021, 3, 1), date(2021, 9, 1), date(2023, 1, 1))
    }
    assert look == {date(2021, 3, 1): 0.581, date(2021, 9, 1): 0.6, date(2023, 1, 1): 0.5703}


def test_a_key_other_tables_name_cannot_be_retired_and_authority_tables_are_not_editions() -> None:
    """Review 21 #6: retiring the item `electricity` would leave the standard-coal
    coefficients and the rest naming nothing."""
    reference = default_reference()
    with pytest.raises(InputError) as raised:
        apply_edition(reference, _edition(_row("items", 2, "retire", item="electricity")))
    assert "'electricity' is not in items" in str(raised.value)
    assert all(p.place.sheet == "items" for p in raised.value.problems)
    with pytest.raises(InputError) as raised:
        apply_edition(
            reference,
            _edition(_row("budget_alert_thresholds", 2, "add", quantity="co2")),
        )
    assert "supplied by each authority for its region" in str(raised.value)
