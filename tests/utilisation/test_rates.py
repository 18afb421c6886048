"""Utilisation rates (issue 23), floor 2: hand-worked cases of the national statistics'
definition, the aggregation as the ratio of the sums (never the mean of the members' rates),
the target in force by year and area, the stock and its change, the avoided CO2 only where a
factor exists, and properties over random reports that pass the checks."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.errors import Place
from carbonpeak.reference.editions import Edition, EditionRow, apply_edition
from carbonpeak.reference.loader import default_reference
from carbonpeak.utilisation.avoided import avoided
from carbonpeak.utilisation.rates import (
    RETIRED,
    largest_stocks,
    rate_of,
    rates,
    target_in_force,
    totals,
)
from carbonpeak.utilisation.report import check_report, kinds
from tests.utilisation.cases import ENTERPRISES, A, B, C, table

REFERENCE = default_reference()


def _checked(lines: list[tuple[object, ...]] | None = None) -> pd.DataFrame:
    report, problems = check_report(table(lines), REFERENCE, "r.csv")
    assert problems == [] and report is not None
    return totals(report)


def test_the_statistics_definition_by_hand() -> None:
    """综合利用率 = 综合利用量 / (产生量 + 综合利用往年贮存量):
    A's steel slag: 70 / (100 + 10) = 0.636363...; with nothing generated and nothing taken
    from stock there is no rate (not 0)."""
    assert rate_of(70, 100, 10) == pytest.approx(70 / 110)
    assert rate_of(0, 0, 0) is None
    summed = _checked()
    a = summed[summed.enterprise_id == A].iloc[0]
    assert rate_of(a.utilised_t, a.generated_t, a.utilised_from_stock_t) == pytest.approx(7 / 11)


def test_stock_and_its_change_by_hand() -> None:
    """A's steel slag: start 50 + stored 40 - taken from stock 10 = 80 at the end (+30);
    B's fly ash: 0 + 100 = 100; C's red mud: 1000 + 270 = 1270 (+270), the largest stock."""
    summed = _checked()
    a = summed[summed.enterprise_id == A].iloc[0]
    assert (a.closing_stock_t, a.stock_change_t) == (80, 30)
    largest = largest_stocks(summed, ENTERPRISES, year=2024)
    assert list(largest.enterprise_id) == [C, B, A]
    assert list(largest.closing_stock_t) == [1270, 100, 80]


def test_a_province_s_rate_is_the_ratio_of_its_sums() -> None:
    """Hebei (130000), bulk wastes: A 70 / 110 and B 100 / 200; the province
    (70 + 100) / (110 + 200) = 0.548387..., not the mean of 0.636 and 0.5 (0.568). Against
    the national 2025 target of 57 % in force in 2024: 2.16 points short, but not judged
    "not met" (the target is the goal for 2025, not for 2024).
    Inner Mongolia (150000): C's red mud 30 / 300 = 10 %. The nation: 200 / 610."""
    result = rates(_checked(), ENTERPRISES, REFERENCE, year=2024, grouping="province")
    bulk = result.table[result.table.target_kind == "bulk"].set_index("group")
    assert bulk.loc["130000", "rate"] == pytest.approx(170 / 310)
    assert bulk.loc["130000", "rate"] != pytest.approx((70 / 110 + 0.5) / 2)
    assert bulk.loc["130000", "target_rate"] == pytest.approx(0.57)
    assert bulk.loc["130000", "target_year"] == 2025
    assert bulk.loc["130000", "met"] is None
    assert bulk.loc["130000", "gap"] == pytest.approx(170 / 310 - 0.57)
    assert bulk.loc["150000", "rate"] == pytest.approx(0.1)
    nation = rates(_checked(), ENTERPRISES, REFERENCE, year=2024, grouping="nation").table
    assert nation[nation.target_kind == "bulk"].rate.iloc[0] == pytest.approx(200 / 610)


def test_a_kind_with_a_target_of_its_own() -> None:
    """Steel slag counts towards smelting slag (target 73 % by 2025): Tangshan's 7/11 = 63.6 %
    is short of it; red mud has no target of its own (the plan's 冶炼渣 excludes it)."""
    result = rates(_checked(), ENTERPRISES, REFERENCE, year=2024, grouping="prefecture").table
    slag = result[(result.target_kind == "smelting_slag") & (result.group == "130200")].iloc[0]
    assert slag.rate == pytest.approx(7 / 11) and slag.target_rate == pytest.approx(0.73)
    assert slag.met is None  # 2024: the 2025 target gives the gap, no verdict
    mud = result[result.target_kind == "red_mud"].iloc[0]
    assert mud.target_rate is None and mud.met is None


def test_the_target_in_force_by_year() -> None:
    """The 57 % of 2025 is in force over 2021-2025, the 62 % of 2030 from 2026; none before
    2021 (the 十四五 period's targets begin then)."""
    assert target_in_force(REFERENCE, "130200", "bulk", 2024)[:2] == (0.57, 2025)
    assert target_in_force(REFERENCE, "130200", "bulk", 2025)[:2] == (0.57, 2025)
    assert target_in_force(REFERENCE, "130200", "bulk", 2026)[:2] == (0.62, 2030)
    assert target_in_force(REFERENCE, "130200", "bulk", 2020) is None
    found = target_in_force(REFERENCE, "national", "byproduct_gypsum", 2025)
    assert found is not None and found[2].verified


def test_a_region_s_own_target_wins_over_the_national_one() -> None:
    """An authority's edition may set a region's own target: Hebei's 60 % (a test row, not a
    real rule) applies to its prefectures; Inner Mongolia keeps the national 57 %."""
    row = {
        "area": "130000",
        "kind": "bulk",
        "target_year": 2025,
        "rate": 0.6,
        "unit": "dimensionless",
        "valid_from": date(2021, 1, 1),
        "valid_to": date(2026, 1, 1),
        "source_id": "test_fixture",
        "status": "unverified",
        "note": "a test fixture, not a real rule",
    }
    source = {"source_id": "test_fixture", "title": "test fixture", "note": "a test"}
    reference = REFERENCE.with_records("solid_waste_targets", [row], [source])
    assert target_in_force(reference, "130203", "bulk", 2024)[:2] == (0.6, 2025)
    assert target_in_force(reference, "150203", "bulk", 2024)[:2] == (0.57, 2025)
    result = rates(_checked(), ENTERPRISES, reference, year=2024, grouping="province")
    codes = [w.code for w in result.warnings]
    assert codes == ["utilisation.rates.kind_unverified", "utilisation.rates.target_unverified"]


def test_avoided_co2_only_where_a_factor_exists() -> None:
    """The library ships no factor: every route and kind says it has none, and 0 t is
    counted. With a factor of 0.5 tCO2/t for slag in building materials (a test row), A's
    60 t give 30 t."""
    report, _ = check_report(table(), REFERENCE)
    assert report is not None
    none = avoided(report.rows, REFERENCE, year=2024)
    assert none.co2_avoided_t == 0 and not none.table.has_factor.any()
    assert [w.code for w in none.warnings] == ["utilisation.avoided.no_factor"]
    row = {
        "route": "building_materials",
        "kind": "steel_slag",
        "factor": 0.5,
        "unit": "tCO2/t",
        "valid_from": None,
        "valid_to": None,
        "source_id": "test_fixture",
        "status": "unverified",
        "note": "a test fixture, not a real factor",
    }
    reference = REFERENCE.with_records(
        "solid_waste_avoided_factors",
        [row],
        [{"source_id": "test_fixture", "title": "t", "note": "a test"}],
    )
    found = avoided(report.rows, reference, year=2024)
    assert found.co2_avoided_t == pytest.approx(30)
    assert {w.code for w in found.warnings} == {
        "utilisation.avoided.no_factor",
        "utilisation.avoided.unverified_factor",
    }
    assert found.unverified and not found.illustrative
    assert not none.unverified and not none.illustrative
    shown = {
        **row,
        "source_id": "test_show",
        "status": "unverified",
        "note": "示例数据 (ILLUSTRATIVE, a test)",
    }
    shown_reference = REFERENCE.with_records(
        "solid_waste_avoided_factors",
        [shown],
        [{"source_id": "test_show", "title": "t", "note": "a test"}],
    )
    flagged = avoided(report.rows, shown_reference, year=2024)
    assert flagged.illustrative and flagged.unverified
    slag = flagged.table[flagged.table.has_factor.astype(bool)].iloc[0]
    assert slag.illustrative is True and slag.source_id == "test_show"


@st.composite
def reports(draw: st.DrawFn) -> list[tuple[object, ...]]:
    """Random reports that pass the checks: per enterprise and kind, a generation, a stock
    at the start, a utilisation of the year's own waste within the generation and one from
    stock within the stock."""
    lines: list[tuple[object, ...]] = []
    for enterprise in draw(st.sets(st.sampled_from([A, B, C]), min_size=1)):
        for kind in draw(
            st.sets(st.sampled_from(["fly_ash", "steel_slag", "tailings"]), min_size=1)
        ):
            generated = draw(st.integers(0, 10_000))
            stock = draw(st.integers(0, 10_000))
            own = draw(st.integers(0, generated))
            from_stock = draw(st.integers(0, stock))
            lines += [
                (enterprise, 2024, kind, "generated", "", generated),
                (enterprise, 2024, kind, "opening_stock", "", stock),
                (enterprise, 2024, kind, "utilised", "backfill", own + from_stock),
                (enterprise, 2024, kind, "utilised_from_stock", "backfill", from_stock),
            ]
    return lines


@settings(max_examples=40, deadline=None)
@given(reports())
def test_rates_of_checked_reports_lie_in_0_1_and_aggregate_as_ratios_of_sums(
    lines: list[tuple[object, ...]],
) -> None:
    summed = _checked(lines)
    by_firm = rates(summed, ENTERPRISES, REFERENCE, year=2024, grouping="enterprise").table
    nation = rates(summed, ENTERPRISES, REFERENCE, year=2024, grouping="nation").table
    for result in (by_firm, nation):
        assert all(r is None or 0 <= r <= 1 + 1e-12 for r in result.rate)
    firms = by_firm[by_firm.target_kind == "bulk"]
    whole = nation[nation.target_kind == "bulk"].iloc[0]
    base = firms.generated_t.sum() + firms.utilised_from_stock_t.sum()
    expected = None if base == 0 else firms.utilised_t.sum() / base
    if expected is None:
        assert whole.rate is None
    else:
        assert whole.rate == pytest.approx(expected)


def test_met_is_said_only_in_the_target_s_own_year() -> None:
    """The same report as of 2025, the target's year: Hebei's 170 / 310 = 54.8 % misses the
    57 %, Tangshan's 70 / 110 = 63.6 % meets it; as of 2024 neither is judged; as of 2026 the
    2030 target (62 %) is in force and no verdict is given either."""
    for year, expected in ((2025, {"130000": False}), (2024, {"130000": None})):
        lines = [(e, year, *rest) for e, _, *rest in table().itertuples(index=False)]
        result = rates(_checked(lines), ENTERPRISES, REFERENCE, year=year, grouping="province")
        bulk = result.table[result.table.target_kind == "bulk"].set_index("group")
        assert bulk.loc["130000", "met"] is expected["130000"]
        assert bulk.loc["130000", "gap"] == pytest.approx(170 / 310 - 0.57)
    lines = [(e, 2025, *rest) for e, _, *rest in table().itertuples(index=False)]
    by_city = rates(_checked(lines), ENTERPRISES, REFERENCE, year=2025, grouping="prefecture")
    bulk = by_city.table[by_city.table.target_kind == "bulk"].set_index("group")
    assert bulk.loc["130200", "met"] is True and bulk.loc["130100", "met"] is False
    lines = [(e, 2026, *rest) for e, _, *rest in table().itertuples(index=False)]
    later = rates(_checked(lines), ENTERPRISES, REFERENCE, year=2026, grouping="province")
    bulk = later.table[later.table.target_kind == "bulk"].set_index("group")
    assert bulk.loc["130000", "target_year"] == 2030 and bulk.loc["130000", "met"] is None


def test_a_kind_retired_by_an_edition_is_a_group_of_its_own() -> None:
    """An edition retires red mud (a test edition, not a real rule): C's stored red mud
    (30 t of 300 t) no longer counts as bulk; it is shown as a retired kind with a warning,
    and Inner Mongolia has no bulk group left. Hebei's bulk rate is unchanged (170 / 310)."""
    edition = Edition(
        {
            "source_id": "test_edition_retire",
            "title": "测试版本（test fixture, not a real rule）",
            "issuer": "test authority",
            "document_number": "测试〔2026〕2号",
            "date": "2026-12-01",
        },
        date(2024, 1, 1),
        (EditionRow("solid_waste_kinds", {"kind": "red_mud"}, "retire", Place(row=2)),),
    )
    reference = apply_edition(REFERENCE, edition).reference
    assert "red_mud" not in kinds(reference)
    result = rates(_checked(), ENTERPRISES, reference, year=2024, grouping="province")
    table = result.table.set_index(["group", "target_kind"])
    assert table.loc[("150000", RETIRED), "rate"] == pytest.approx(0.1)
    assert ("150000", "bulk") not in table.index
    assert table.loc[("130000", "bulk"), "rate"] == pytest.approx(170 / 310)
    assert result.warnings[0].code == "utilisation.rates.kind_retired"
    assert result.warnings[0].data["kinds"] == ["red_mud"]


def test_unverified_kinds_feeding_a_target_say_so() -> None:
    """A's steel slag (unverified as a 冶炼渣) feeds the bulk target (57 %) and the smelting
    slag one (73 %): one warning names it and both; B's fly ash alone (verified) says nothing."""
    result = rates(_checked(), ENTERPRISES, REFERENCE, year=2024, grouping="prefecture")
    found = [w for w in result.warnings if w.code == "utilisation.rates.kind_unverified"]
    assert len(found) == 1
    assert found[0].data == {"kinds": ["steel_slag"], "target_kinds": ["bulk", "smelting_slag"]}
    only_b = [line for line in table().itertuples(index=False) if line[0] == B]
    clean = rates(_checked(list(only_b)), ENTERPRISES, REFERENCE, year=2024, grouping="nation")
    assert "utilisation.rates.kind_unverified" not in [w.code for w in clean.warnings]
    from carbonpeak.io.utilisation import specs

    kind = next(s for s in specs(REFERENCE) if s.code == "kind")
    assert "never both" in kind.help_en and "不得重复" in kind.help_zh


def test_non_bulk_kinds_are_reported_but_stay_out_of_the_bulk_rate() -> None:
    """B also reports 炉渣 (boiler slag, not a bulk waste of the plan): 50 t generated, 40 t
    utilised, 10 t stored. Its own group's rate is 40 / 50 = 80 % with no target; Hebei's bulk
    rate stays (70 + 100) / (110 + 200) as without it, and no unverified-kind warning (it
    feeds no target)."""
    lines = [
        *[tuple(line) for line in table().itertuples(index=False)],
        (B, 2024, "boiler_slag", "generated", "", 50),
        (B, 2024, "boiler_slag", "utilised", "building_materials", 40),
        (B, 2024, "boiler_slag", "stored", "", 10),
    ]
    result = rates(_checked(lines), ENTERPRISES, REFERENCE, year=2024, grouping="province")
    table_ = result.table.set_index(["group", "target_kind"])
    assert table_.loc[("130000", "boiler_slag"), "rate"] == pytest.approx(0.8)
    assert table_.loc[("130000", "boiler_slag"), "target_rate"] is None
    assert table_.loc[("130000", "bulk"), "rate"] == pytest.approx(170 / 310)
    unverified = [w for w in result.warnings if w.code == "utilisation.rates.kind_unverified"]
    assert all("boiler_slag" not in w.data["kinds"] for w in unverified)
    assert kinds(REFERENCE)["other_general"]["bulk"] == "no"
