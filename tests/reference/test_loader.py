"""The reference library: the packaged tables are valid, look-ups answer as of a date with
provenance, and every kind of bad table is reported with file, row and column."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from carbonpeak.domain.units import convert
from carbonpeak.errors import InputError
from carbonpeak.reference.catalog import packaged_data_dir
from carbonpeak.reference.loader import (
    Reference,
    ReferenceLookupError,
    check,
    default_reference,
)


@pytest.fixture(scope="module")
def ref() -> Reference:
    return default_reference()


def test_packaged_tables_have_no_problems() -> None:
    assert check() == []


def test_every_row_names_a_source_that_resolves_and_a_status(ref: Reference) -> None:
    source_ids = {s.source_id for s in ref.sources}
    for table in ref.table_names:
        rows = ref.rows(table)
        spec = ref.spec(table)
        assert rows or spec.authority_supplied or spec.by_edition, f"{table} is empty"
        for row in rows:
            assert row["source_id"] in source_ids
            assert row["status"] in ("verified", "unverified")
            if row["status"] == "unverified":
                assert row["note"], f"{table} line {row.line} is unverified without a note"


def test_efficiency_levels_answer_as_of_a_date(ref: Reference) -> None:
    # Ferrosilicon: 2021 edition baseline 1 900 kgce/t, the 2023 edition 1 850 (-50).
    v2022 = ref.lookup("efficiency_levels", "baseline", as_of=date(2022, 6, 1), area="ferrosilicon")
    v2024 = ref.lookup("efficiency_levels", "baseline", as_of=date(2024, 1, 1), area="ferrosilicon")
    assert (v2022.value, v2022.unit) == (1900.0, "kgce/t")
    assert v2024.value == 1850.0
    assert v2022.provenance.valid_to == date(2023, 7, 4)
    assert v2024.provenance.valid_from == date(2023, 7, 4)
    assert v2022.provenance.source_id != v2024.provenance.source_id
    # The switch happens on the day the 2023 edition was issued, not a day earlier.
    day_before = ref.lookup(
        "efficiency_levels", "baseline", as_of=date(2023, 7, 3), area="ferrosilicon"
    )
    assert day_before.value == 1900.0


def test_cement_benchmark_2021_edition_is_verified(ref: Reference) -> None:
    value = ref.lookup(
        "efficiency_levels", "benchmark", as_of=date(2022, 3, 1), area="cement_clinker"
    )
    assert value.value == 100.0
    assert value.to("kgce/t") == 100.0
    assert value.verified
    assert value.provenance.table == "efficiency_levels"
    assert dict(value.provenance.key) == {"area": "cement_clinker"}
    assert "1609" in value.provenance.source or "200" in value.provenance.source
    # After the 2023 edition the value carried over is marked unverified, never silently
    # presented as the 2021 one.
    later = ref.lookup(
        "efficiency_levels", "benchmark", as_of=date(2024, 3, 1), area="cement_clinker"
    )
    assert not later.verified and later.provenance.note


def test_before_the_first_edition_there_is_no_value(ref: Reference) -> None:
    with pytest.raises(ReferenceLookupError, match="in force on 2021-06-01"):
        ref.lookup("efficiency_levels", "benchmark", as_of=date(2021, 6, 1), area="cement_clinker")


def test_temporal_lookup_needs_a_date(ref: Reference) -> None:
    with pytest.raises(ReferenceLookupError, match="say as of which date"):
        ref.lookup("efficiency_levels", "benchmark", area="cement_clinker")


def test_lookup_errors_name_what_is_wrong(ref: Reference) -> None:
    with pytest.raises(ReferenceLookupError, match="no reference table 'nope'"):
        ref.lookup("nope")
    with pytest.raises(ReferenceLookupError, match="keyed by area"):
        ref.lookup("efficiency_levels", "benchmark", as_of=date(2022, 3, 1), product="x")
    with pytest.raises(ReferenceLookupError, match="several values"):
        ref.lookup("efficiency_levels", as_of=date(2022, 3, 1), area="cement_clinker")
    with pytest.raises(
        ReferenceLookupError, match="no row of efficiency_levels for area=unobtainium"
    ):
        ref.lookup("efficiency_levels", "benchmark", as_of=date(2022, 3, 1), area="unobtainium")


def test_frame_has_declared_columns(ref: Reference) -> None:
    frame = ref.frame("efficiency_levels", as_of=date(2022, 3, 1))
    assert list(frame.columns) == list(ref.spec("efficiency_levels").header)
    assert frame["area"].is_unique


# -- bad tables ---------------------------------------------------------------------------------


def _edit(directory: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell; `row` is the line in the file (header = 1)."""
    path = directory / file
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    rows[row - 1][header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _append(directory: Path, file: str, row: list[str]) -> int:
    path = directory / file
    with path.open(encoding="utf-8", newline="") as handle:
        count = len(list(csv.reader(handle)))
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(row)
    return count + 1


def _line_of(directory: Path, file: str, **match: str) -> tuple[int, list[str]]:
    with (directory / file).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for number, row in enumerate(rows[1:], start=2):
        if all(row[header.index(k)] == v for k, v in match.items()):
            return number, row
    raise AssertionError(f"no row {match} in {file}")


def _only(problems: list, file: str, row: int, column: str) -> str:  # type: ignore[type-arg]
    matching = [
        p for p in problems if (p.place.file, p.place.row, p.place.column) == (file, row, column)
    ]
    assert len(matching) == 1, [str(p) for p in problems]
    return str(matching[0].message)


def test_unknown_unit_is_reported_with_place(reference_copy: Path) -> None:
    _edit(reference_copy, "efficiency_levels.csv", 2, "unit", "kgcee/t")
    problems = check(reference_copy)
    assert _only(problems, "efficiency_levels.csv", 2, "unit") == "unknown unit 'kgcee/t'"


def test_unit_of_the_wrong_dimension_is_reported(reference_copy: Path) -> None:
    line, _ = _line_of(reference_copy, "grid_emission_factors.csv", area="national", kind="average")
    _edit(reference_copy, "grid_emission_factors.csv", line, "unit", "kgCO2/t")
    message = _only(check(reference_copy), "grid_emission_factors.csv", line, "unit")
    assert "does not convert to kgCO2/kWh" in message


def test_duplicate_key_is_reported(reference_copy: Path) -> None:
    line, row = _line_of(reference_copy, "gwp.csv", gwp_set="AR5", gas="CH4")
    new = _append(reference_copy, "gwp.csv", row)
    message = _only(check(reference_copy), "gwp.csv", new, "gwp_set")
    assert message == f"duplicate key gwp_set=AR5, gas=CH4 (first on row {line})"


def test_missing_source_is_reported(reference_copy: Path) -> None:
    _edit(reference_copy, "gwp.csv", 3, "source_id", "no_such_source")
    assert (
        _only(check(reference_copy), "gwp.csv", 3, "source_id")
        == "'no_such_source' is not in sources"
    )


def test_overlapping_validity_is_reported(reference_copy: Path) -> None:
    line, _row = _line_of(
        reference_copy, "efficiency_levels.csv", area="ferrosilicon", valid_from="2023-07-04"
    )
    _edit(reference_copy, "efficiency_levels.csv", line, "valid_from", "2023-01-01")
    message = _only(check(reference_copy), "efficiency_levels.csv", line, "valid_from")
    assert message.startswith("validity of area=ferrosilicon overlaps row")


def test_inverted_validity_is_reported(reference_copy: Path) -> None:
    line, _ = _line_of(
        reference_copy, "efficiency_levels.csv", area="ferrosilicon", valid_from="2022-01-01"
    )
    _edit(reference_copy, "efficiency_levels.csv", line, "valid_to", "2021-01-01")
    message = _only(check(reference_copy), "efficiency_levels.csv", line, "valid_to")
    assert message == "valid_to 2021-01-01 is not after valid_from 2022-01-01"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("status", "checked", "'checked' is not one of verified, unverified"),
        ("benchmark", "one hundred", "'one hundred' is not a number"),
        ("valid_from", "2022/01/01", "'2022/01/01' is not an ISO date (YYYY-MM-DD)"),
        ("area", "", "empty, a value is required"),
    ],
)
def test_bad_cells_are_reported(
    reference_copy: Path, column: str, value: str, message: str
) -> None:
    _edit(reference_copy, "efficiency_levels.csv", 4, column, value)
    assert _only(check(reference_copy), "efficiency_levels.csv", 4, column) == message


def test_unverified_row_needs_a_note(reference_copy: Path) -> None:
    line, _ = _line_of(
        reference_copy, "efficiency_levels.csv", area="ferrosilicon", valid_from="2022-01-01"
    )
    _edit(reference_copy, "efficiency_levels.csv", line, "status", "unverified")
    _edit(reference_copy, "efficiency_levels.csv", line, "note", "")
    assert "needs a note" in _only(check(reference_copy), "efficiency_levels.csv", line, "note")


def test_unknown_item_reference_is_reported(reference_copy: Path) -> None:
    _edit(reference_copy, "fuel_parameters.csv", 2, "item", "kryptonite")
    assert (
        _only(check(reference_copy), "fuel_parameters.csv", 2, "item")
        == "'kryptonite' is not in items"
    )


def test_wrong_header_and_missing_file_are_reported(reference_copy: Path) -> None:
    path = reference_copy / "gwp.csv"
    text = path.read_text(encoding="utf-8").replace("gwp_set,", "set,", 1)
    path.write_text(text, encoding="utf-8")
    (reference_copy / "regions.csv").unlink()
    problems = check(reference_copy)
    messages = {(p.place.file, p.place.row): p.message for p in problems}
    assert messages[("gwp.csv", 1)] == "missing gwp_set; unexpected set"
    assert messages[("regions.csv", None)] == "file is missing"


def test_all_problems_are_reported_at_once_and_load_refuses(reference_copy: Path) -> None:
    _edit(reference_copy, "efficiency_levels.csv", 2, "unit", "kgcee/t")
    _edit(reference_copy, "gwp.csv", 3, "source_id", "no_such_source")
    _edit(reference_copy, "efficiency_levels.csv", 5, "status", "maybe")
    problems = check(reference_copy)
    assert len(problems) == 3
    with pytest.raises(InputError) as raised:
        Reference.load(reference_copy)
    assert len(raised.value.problems) == 3


def test_packaged_dir_is_in_the_package() -> None:
    assert (packaged_data_dir() / "tables.yaml").is_file()


def test_coefficients_agree_with_their_calorific_values(ref: Reference) -> None:
    # GB/T 2589: a fuel's coefficient is its NCV over 29 307 kJ/kgce (rounded in the table)
    for row in ref.rows("standard_coal_coefficients", method="equivalent"):
        if row["ncv"] is None:
            continue
        denominator = str(row["coefficient_unit"]).split("/")[1]
        expected = convert(float(row["ncv"]), str(row["ncv_unit"]), f"kgce/{denominator}")  # type: ignore[arg-type]
        assert float(row["coefficient"]) == pytest.approx(expected, rel=0.005), row["item"]  # type: ignore[arg-type]
