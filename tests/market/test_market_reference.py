"""The carbon market's reference rows say what docs/notes/ets_sources_2026.md says: the 2024 and
2025 allocation rules (2026: none, its plan was not read), the balance values supplied by the
authority, the CCER cap, the deadlines of the work notices and the vintages."""

from __future__ import annotations

from datetime import date

from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
SECTORS = ("steel", "cement", "aluminium")
RULES = "market_allocation_rules"


def test_allocation_rules_by_year() -> None:
    units = {"steel": "enterprise", "cement": "clinker_line", "aluminium": "electrolysis_process"}
    for sector in SECTORS:
        [y2024] = REFERENCE.rows(RULES, as_of=date(2024, 1, 1), sector=sector)
        assert (y2024["rule"], y2024["status"]) == ("verified_emissions", "verified")
        assert y2024["source_id"] == "mee_ets_report_2026"
        [y2025] = REFERENCE.rows(RULES, as_of=date(2025, 1, 1), sector=sector)
        assert (y2025["rule"], y2025["coefficient"], y2025["rounding"]) == (
            "intensity_coefficient",
            "market.alpha",
            "down",
        )
        assert y2025["allocation_unit"] == units[sector]
        # the plan's text was not read: a secondary transcription, said in the note
        assert y2025["status"] == "unverified" and "not read" in str(y2025["note"])
        assert REFERENCE.rows(RULES, as_of=date(2026, 1, 1), sector=sector) == []
    steel = REFERENCE.rows(RULES, as_of=date(2025, 6, 1), sector="steel")[0]
    emissions = str(steel["intensity_emissions"])
    assert "炼铁" in emissions and "烧结" in emissions
    assert "炼铁工序" in str(steel["intensity_product"])
    aluminium = REFERENCE.rows(RULES, as_of=date(2025, 6, 1), sector="aluminium")
    assert "铝液" in str(aluminium[0]["intensity_product"])
    assert REFERENCE.source("mee_ssca_plan_2024_2025").document_number == "国环规气候〔2025〕2号"


def test_the_coefficient_formula() -> None:
    [alpha] = REFERENCE.rows("formulas", as_of=date(2025, 1, 1), formula="market.alpha")
    assert (alpha["form"], alpha["variable"], alpha["intercept"], alpha["slope"]) == (
        "linear",
        "intensity_deviation",
        0.0,
        0.15,
    )
    assert (alpha["floor"], alpha["cap"]) == (-0.03, 0.03)
    assert alpha["valid_to"] == date(2026, 1, 1) and alpha["status"] == "unverified"


def test_balance_values_come_from_the_authority() -> None:
    spec = REFERENCE.spec("market_balance_values")
    assert spec.authority_supplied and REFERENCE.rows("market_balance_values") == []


def test_compliance_parameters() -> None:
    for sector in SECTORS:
        for year in (2024, 2025, 2026):
            [cap] = REFERENCE.rows(
                "market_compliance_parameters",
                as_of=date(year, 1, 1),
                sector=sector,
                parameter="ccer_offset_cap",
            )
            assert (cap["value"], cap["status"]) == (0.05, "verified")
            assert cap["source_id"] == "mee_ets_measures_2020"
    deadlines = {
        (r["year"], r["step"]): r["due"]
        for r in REFERENCE.rows("market_compliance_deadlines", sector="cement")
    }
    assert deadlines == {
        (2024, "annual_report"): date(2025, 6, 30),
        (2024, "verification"): date(2025, 8, 31),
        (2024, "allocation_determined"): date(2025, 9, 30),
        (2024, "allocation_issued"): date(2025, 10, 20),
        (2024, "surrender"): date(2025, 12, 31),
        (2025, "annual_report"): date(2026, 3, 31),
        (2025, "verification"): date(2026, 7, 31),
        (2025, "pre_allocation"): date(2026, 4, 10),
        (2025, "allocation_determined"): date(2026, 9, 20),
        (2025, "allocation_issued"): date(2026, 9, 30),
        (2025, "surrender"): date(2026, 12, 31),
    }
    assert len(REFERENCE.rows("market_compliance_deadlines")) == 3 * 11


def test_vintages() -> None:
    spans = {
        (r["first_vintage"], r["last_vintage"], r["first_year"], r["last_year"])
        for r in REFERENCE.rows("market_vintage_rules")
    }
    assert spans == {(2019, 2024, 2019, 2024), (2025, 2026, 2025, None), (2025, 2026, 2019, 2024)}
    assert {r["status"] for r in REFERENCE.rows("market_vintage_rules")} == {"unverified"}


def test_exceptions_of_2025() -> None:
    rows = REFERENCE.rows("market_allocation_exceptions", as_of=date(2025, 1, 1))
    assert {(r["sector"], r["case"]) for r in rows} == {
        ("cement", "white_clinker"),
        ("cement", "carbide_slag"),
        ("cement", "gypsum_sulfuric_acid"),
    }
    carbide = next(r for r in rows if r["case"] == "carbide_slag")
    assert "15 %" in str(carbide["condition"])  # 30 % is the 2026 draft's, not a row
    assert {r["status"] for r in rows} == {"unverified"}
    assert REFERENCE.rows("market_allocation_exceptions", as_of=date(2026, 1, 1)) == []


def test_every_product_a_process_names_is_an_item() -> None:
    """market_processes.other_products is a list of item codes (the loader checks `product`
    against items; this checks the others): §8.2.1's ironmaking products."""
    items = {str(r["item"]) for r in REFERENCE.rows("items")}
    named = {
        str(r["process"]): str(r.get("other_products") or "").split()
        for r in REFERENCE.rows("market_processes")
    }
    assert named["ironmaking"] == ["dri", "smelting_reduction_iron", "ferronickel"]
    assert all(item in items for products in named.values() for item in products)
