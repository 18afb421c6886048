"""Edition 1 of the platform's library (data/editions/0001_verified_2026_12, issue 20 part 0):
the rows official texts read in December 2026 support, applied over edition zero. Each value
below is the one the cited page prints (docs/notes/standards_2026_verified.md,
docs/notes/dual_credit_2026.md)."""

from __future__ import annotations

from datetime import date

import pytest

from carbonpeak.reference.loader import Reference, default_reference

EDITION = "cp_verification_2026_12"


def _verified(value: object, source_id: str, *in_note: str) -> None:
    provenance = value.provenance  # type: ignore[attr-defined]
    assert provenance.status == "verified"
    assert provenance.source_id == source_id
    for text in in_note:
        assert text in (provenance.note or "")


def test_the_ets_grid_factors_of_2020_and_2021() -> None:
    library = default_reference()
    factor = library.lookup(
        "grid_emission_factors", as_of=date(2021, 6, 1), area="national", kind="ets"
    )
    assert factor.value == 0.5810 and factor.unit == "kgCO2/kWh"
    _verified(factor, "tj_22_ets", "PDF p.2", "0.5810")
    assert "津环气候〔2022〕19号" in factor.provenance.source
    # a new row: the 2020 reports used the guideline's 0.6101, up to (not including) 2021
    factor = library.lookup(
        "grid_emission_factors", as_of=date(2020, 6, 1), area="national", kind="ets"
    )
    assert factor.value == 0.6101
    assert (factor.provenance.valid_from, factor.provenance.valid_to) == (
        date(2020, 1, 1),
        date(2021, 1, 1),
    )
    _verified(factor, "mee_21_power", "§7.2.2", "PDF p.13")
    # edition zero had no 2020 row
    assert (
        Reference.load().rows(
            "grid_emission_factors", as_of=date(2020, 6, 1), area="national", kind="ets"
        )
        == []
    )
    # the 2022 factor of edition zero is untouched
    later = library.lookup(
        "grid_emission_factors", as_of=date(2023, 6, 1), area="national", kind="ets"
    )
    assert later.value == 0.5703 and later.provenance.source_id == "fx_tpf_0_5703"


def test_steel_and_chemical_process_factors() -> None:
    library = default_reference()
    crude = library.lookup("process_emission_factors", item="crude_steel", basis="guideline_2013")
    assert crude.value == 0.0154
    _verified(crude, "sd_22_steel", "表2-5", "PDF p.26", "0.0154")
    limestone = library.lookup("process_emission_factors", item="limestone", basis="guideline_2013")
    assert limestone.value == 0.440
    _verified(limestone, "gd_21_steel", "PDF p.138", "表2.2")
    chrome = library.lookup("process_emission_factors", item="ferrochrome", basis="guideline_2013")
    assert chrome.value == 0.275
    _verified(chrome, "sd_22_steel", "表2-4")
    # the chemical guideline prints Na2CO3 0.4149, not the molar-mass 0.41523
    soda = library.lookup(
        "process_emission_factors", item="soda_ash", basis="guideline_2013_chemical"
    )
    assert soda.value == 0.4149
    _verified(soda, "sd_22_chem", "表2-4", "PDF p.53", "Na2CO3 0.4149")
    stoichiometric = library.lookup(
        "process_emission_factors", item="soda_ash", basis="stoichiometric"
    )
    assert stoichiometric.value == 0.41523 and stoichiometric.provenance.status == "unverified"


def test_a_fuel_default_and_the_conflicts_left_alone() -> None:
    library = default_reference()
    bfg = library.lookup(
        "fuel_parameters",
        parameter_set="guideline_2013",
        item="blast_furnace_gas",
        parameter="carbon_content",
    )
    assert bfg.value == 0.0708  # 70.80 tC/TJ
    _verified(bfg, "sd_22_steel", "表2-3", "PDF p.25", "70.80 tC/TJ")
    naphtha = library.lookup(
        "fuel_parameters", parameter_set="guideline_2013", item="naphtha", parameter="ncv"
    )
    assert naphtha.value == 44.5
    _verified(naphtha, "sd_22_chem", "表2-2", "PDF p.52")
    # the provincial table prints 27.4 tC/TJ and 25.41 tC/TJ: conflicts the notes leave open
    anthracite = library.lookup(
        "fuel_parameters",
        parameter_set="guideline_2013",
        item="anthracite",
        parameter="carbon_content",
    )
    assert anthracite.value == 0.02749 and anthracite.provenance.source_id == "fx_pz"
    cleaned = library.lookup(
        "fuel_parameters",
        parameter_set="guideline_2013",
        item="cleaned_coal",
        parameter="carbon_content",
    )
    assert cleaned.value == 0.02540 and cleaned.provenance.status == "unverified"


def test_cafc_ratios_and_an_efficiency_pair() -> None:
    library = default_reference()
    for year, ratio, source in [
        (2017, 1.28, "dc_miit_gs_2017"),
        (2021, 1.23, "dc_miit_gs_2021"),
        (2023, 1.15, "dc_miit_gs_2023"),
    ]:
        value = library.lookup(
            "dual_credit_parameters", as_of=date(year, 6, 1), parameter="cafc_ratio"
        )
        assert value.value == ratio
        _verified(value, source)
        quoted = (value.provenance.note or "").replace(" ", "")  # the 2023 reprint is spaced
        assert f"{year}年企业达标值为目标值的{round(ratio * 100)}%" in quoted
    # 2022 is not quoted anywhere: it stays as edition zero has it
    assert (
        library.lookup(
            "dual_credit_parameters", as_of=date(2022, 6, 1), parameter="cafc_ratio"
        ).provenance.status
        == "unverified"
    )
    clinker = library.lookup(
        "efficiency_levels", "benchmark", as_of=date(2022, 6, 1), area="cement_clinker"
    )
    assert clinker.value == 100
    _verified(clinker, "lv_g22", "lv_g22 PDF p.29", "标杆水平100、基准水平117")
    # the 2023 edition's rows of edition zero are not touched
    assert library.rows("efficiency_levels", as_of=date(2024, 1, 1), area="cement_clinker") == (
        Reference.load().rows("efficiency_levels", as_of=date(2024, 1, 1), area="cement_clinker")
    )


def test_the_cement_ratios_are_the_official_formulas() -> None:
    library = default_reference()
    cao = library.lookup("constants", constant="cao_to_co2")
    mgo = library.lookup("constants", constant="mgo_to_co2")
    assert cao.value == pytest.approx(44 / 56) and mgo.value == pytest.approx(44 / 40)
    _verified(cao, "gd_21_cement", "correction of 0.78480", "PDF p.90")
    _verified(mgo, "gd_21_cement", "correction of 1.09193")
    assert library.rows("constants", constant="cao_to_co2")[0]["formula"] == "44/56"


@pytest.mark.parametrize(
    ("table", "before", "after"),
    [
        # verified rows of the table (history included), edition zero -> with edition 1
        ("grid_emission_factors", 34, 36),  # +0.5810 verified, +0.6101 added
        # edition zero includes the 18 verified rows of table A.2 (basis cets_steel_2024)
        ("process_emission_factors", 18, 38),  # 6 verified + 3 ferroalloys + 11 carbonates
        # edition zero includes the 50 verified NCV and CC rows of set cets_steel_2024
        ("fuel_parameters", 81, 116),  # +35 exact matches of the Shandong table
        ("efficiency_levels", 49, 49),  # the 47 pairs re-read (already verified)
        ("constants", 1, 3),
        ("dual_credit_parameters", 8, 10),  # 2021 and 2023 (2017 was verified, now re-cited)
    ],
)
def test_verified_share_per_table(table: str, before: int, after: int) -> None:
    assert Reference.load().counts(table).get("verified", 0) == before
    assert default_reference().counts(table).get("verified", 0) == after


def test_the_edition_document_and_its_sources() -> None:
    library = default_reference()
    assert library.source(EDITION).issuer == "carbonpeak"
    for source_id in ("sd_22_chem", "gd_21_cement", "mee_21_power", "tj_22_ets"):
        source = library.source(source_id)
        assert source.url and "9317fc3c508a32770324bb00b89abeb3d590f921" in source.url
        assert "official PDF copy" in (source.note or "")
