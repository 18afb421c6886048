"""The EU CBAM reference tables (issue 22): the template's CN list and categories as read in
the Commission's workbook, Annex II's direct-only rule, the default values of China and of
Other countries and territories, the mark-ups, the CBAM factor and the benchmarks, checked
against the numbers written down in docs/notes/research22.md (§2.5, §3.5, §3.7, §3.9)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from carbonpeak.reference.loader import Reference, default_reference

ON = date(2026, 6, 30)


@pytest.fixture(scope="module")
def ref() -> Reference:
    return default_reference()


def _goods(ref: Reference) -> dict[str, dict[str, object]]:
    return {str(r["cn_code"]): dict(r.values) for r in ref.rows("cbam_goods")}


def _default(ref: Reference, country: str, cn_code: str, route: str | None) -> Decimal | None:
    row = ref.record("cbam_default_values", as_of=ON, country=country, cn_code=cn_code, route=route)
    total = row["total"]
    return None if total is None else Decimal(str(total))


def _markup(ref: Reference, sector: str, year: int) -> Decimal:
    value = ref.lookup("cbam_markups", as_of=date(year, 7, 1), sector=sector)
    return Decimal(str(value.value))


def _marked_up(total: Decimal, markup: Decimal) -> Decimal:
    return (total * (1 + markup)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


# -- the template's code list ---------------------------------------------------------------


def test_the_template_lists_749_codes_with_the_counts_per_category_of_research22(
    ref: Reference,
) -> None:
    listed = [g for g in _goods(ref).values() if str(g["note"]).startswith("c_CodeLists")]
    assert len(listed) == 749
    counts = Counter(g["category"] for g in listed)
    assert counts == {
        "iron_steel_products": 553,
        "aluminium_products": 74,
        "crude_steel": 50,
        "mixed_fertilisers": 26,
        "alloys": 12,
        "pig_iron": 10,
        "unwrought_aluminium": 5,
        "cement": 3,
        "ammonia": 3,
        "urea": 3,
        "dri": 3,
        "calcined_clay": 1,
        "cement_clinker": 1,
        "aluminous_cement": 1,
        "sintered_ore": 1,
        "electricity": 1,
        "hydrogen": 1,
        "nitric_acid": 1,
    }


def test_every_category_has_a_sector_and_every_marked_up_sector_has_categories(
    ref: Reference,
) -> None:
    categories = ref.rows("cbam_categories")
    assert len(categories) == 18
    sectors = {r["sector"] for r in categories}
    assert all(r["sector"] for r in categories)
    assert {r["sector"] for r in ref.rows("cbam_markups")} == sectors - {"electricity"}
    units = {r["category"]: r["unit"] for r in categories}
    assert units["electricity"] == "MWh" and units["crude_steel"] == "t"


# -- Annex II ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cn_code", "direct_only"),
    [
        ("26011200", "no"),  # sintered ore: the iron and steel good whose indirect count
        ("7201", "yes"),
        ("72026000", "yes"),  # ferro-nickel: chapter 72, not among the exceptions
        ("72021900", "yes"),
        ("7203", "yes"),
        ("73269098", "yes"),
        ("7601", "yes"),
        ("76169990", "yes"),
        ("28041000", "yes"),  # hydrogen, under Chemicals
        ("27160000", "yes"),  # electricity, added by 2025/2083
        ("25231000", "no"),
        ("2523100090", "no"),
        ("25070080", "no"),
        ("28141000", "no"),
        ("31023090", "no"),
    ],
)
def test_annex_ii_decides_whether_only_direct_emissions_count(
    ref: Reference, cn_code: str, direct_only: str
) -> None:
    assert _goods(ref)[cn_code]["direct_only"] == direct_only


def test_the_goods_annex_ii_excepts_from_chapter_72_are_not_cbam_goods(ref: Reference) -> None:
    """Ferro-silicon and the other ferro-alloys Annex II excepts, and scrap (7204), are not in
    the template's CN list, so no good of chapter 72 escapes the direct-only rule."""
    excepted = ("72022", "720230", "720250", "720270", "720280", "720291", "720292", "720293",
                "720299", "7204")  # fmt: skip
    assert not [c for c in _goods(ref) if c.startswith(excepted)]
    chapter_72 = [g for c, g in _goods(ref).items() if c.startswith("72")]
    assert chapter_72 and all(g["direct_only"] == "yes" for g in chapter_72)


def test_a_good_is_direct_only_exactly_when_its_category_has_no_indirect_emissions(
    ref: Reference,
) -> None:
    indirect = {r["category"]: r["indirect"] for r in ref.rows("cbam_categories")}
    for good in _goods(ref).values():
        assert (good["direct_only"] == "yes") == (indirect[str(good["category"])] == "no")


# -- precursors and routes -----------------------------------------------------------------


def test_precursors_as_the_template_lists_them_and_no_cycle(ref: Reference) -> None:
    graph: dict[str, set[str]] = {}
    for row in ref.rows("cbam_precursors"):
        graph.setdefault(str(row["category"]), set()).add(str(row["precursor"]))
    assert graph["crude_steel"] == {"pig_iron", "dri", "alloys"}
    assert graph["pig_iron"] == {"sintered_ore", "alloys"}
    assert graph["dri"] == {"sintered_ore", "hydrogen"}
    assert graph["cement"] == {"cement_clinker", "calcined_clay"}
    assert graph["aluminium_products"] == {"unwrought_aluminium"}
    assert graph["mixed_fertilisers"] == {"ammonia", "nitric_acid", "urea"}

    def chain(category: str, seen: tuple[str, ...] = ()) -> set[str]:
        assert category not in seen, f"cycle through {category}"
        out = set()
        for p in graph.get(category, ()):
            out |= {p} | chain(p, (*seen, category))
        return out

    # the template's full chain for crude steel (Parameters_Constants AD94:AH94)
    assert chain("crude_steel") == {"pig_iron", "alloys", "sintered_ore", "dri", "hydrogen"}


def test_routes_as_the_template_names_them(ref: Reference) -> None:
    def routes(category: str) -> list[str]:
        return [str(r["name_en"]) for r in ref.rows("cbam_routes", category=category)]

    assert routes("pig_iron") == [
        "Blast furnace route",
        "Smelting reduction",
        "Other production routes",
        "Unknown production routes",
    ]
    assert routes("unwrought_aluminium")[:2] == [
        "Primary (electrolytic) smelting",
        "Secondary melting (recycling)",
    ]
    assert routes("cement") == ["All production routes"]


# -- default values ------------------------------------------------------------------------


def test_every_default_value_is_of_a_cbam_good_and_of_china_or_other_countries(
    ref: Reference,
) -> None:
    goods = _goods(ref)
    rows = ref.rows("cbam_default_values", as_of=ON)
    assert rows
    assert {r["country"] for r in rows} == {"CN", "XX"}
    for row in rows:
        assert row["cn_code"] in goods
        assert str(row["cn_code"])[:2] in ("25", "26", "28", "72", "73", "76")


def test_printed_totals_are_direct_plus_indirect_to_the_printed_precision(ref: Reference) -> None:
    goods = _goods(ref)
    for row in ref.rows("cbam_default_values", as_of=ON):
        if row["total"] is None:
            continue
        direct = row["direct"]
        assert isinstance(direct, float)
        indirect = row["indirect"] or 0.0
        assert abs(direct + float(indirect) - float(row["total"])) <= 0.0105  # type: ignore[arg-type]
        if goods[str(row["cn_code"])]["direct_only"] == "yes":
            assert row["indirect"] is None


def test_china_prints_no_value_for_dri_so_other_countries_apply(ref: Reference) -> None:
    assert _default(ref, "CN", "7203", None) is None
    assert _default(ref, "XX", "7203", None) == Decimal("1.325")


def test_china_values_of_instruments_2026(ref: Reference) -> None:
    assert _default(ref, "CN", "2523100090", "A") == Decimal("1.39")
    assert _default(ref, "CN", "2523100010", "B") == Decimal("1.3")
    assert _default(ref, "CN", "7601", "K") == Decimal("3.0")
    assert _default(ref, "XX", "7601", "K") == Decimal("2.203")  # below China's
    assert _default(ref, "CN", "72251100", "C") == Decimal("8.09")
    assert _default(ref, "CN", "731816", "C") == Decimal("5.045")


# The pre-correction workbook printed the marked-up totals (research22 §3.5, opencbam 0.1.0):
# (CN code, route, 2026, 2027, 2028).
PRINTED = [
    ("2523100090", "A", "cement", "1.529", "1.668", "1.807"),
    ("2523100010", "B", "cement", "1.430", "1.560", "1.690"),
    ("25232900", None, "cement", "1.562", "1.704", "1.846"),
    ("7601", "K", "aluminium", "3.300", "3.600", "3.900"),
    ("76041010", "K", "aluminium", "5.369", "5.857", "6.345"),
    ("7201", None, "iron_steel", "1.826", "1.992", "2.158"),
    ("26011200", None, "iron_steel", "0.286", "0.312", "0.338"),
    ("72061000", "C", "iron_steel", "1.914", "2.088", "2.262"),
    ("72071111", "C", "iron_steel", "3.486", "3.803", "4.119"),
    ("72071190", "C", "iron_steel", "3.645", "3.976", "4.308"),
    ("7208", "C", "iron_steel", "3.506", "3.824", "4.143"),
    ("72181000", None, "iron_steel", "6.215", "6.780", "7.345"),
]


def test_mark_ups_reproduce_the_printed_pre_correction_columns_but_for_the_last_digit(
    ref: Reference,
) -> None:
    """Rounding half up the marked-up printed total gives the printed columns, except twice by
    0.001: the workbook marked up unrounded totals (3.169 x 1.3 = 4.1197 printed 4.119;
    3.314 x 1.2 = 3.9768 printed 3.976). The rounding is the Registry's, not a table value."""
    mismatches = []
    for cn_code, route, sector, *printed in PRINTED:
        total = _default(ref, "CN", cn_code, route)
        assert total is not None
        for year, text in zip((2026, 2027, 2028), printed, strict=True):
            ours = _marked_up(total, _markup(ref, sector, year))
            if ours != Decimal(text):
                assert abs(ours - Decimal(text)) == Decimal("0.001")
                mismatches.append((cn_code, year))
    assert mismatches == [("72071111", 2028), ("72071190", 2027)]


def test_the_sector_of_a_good_gives_its_mark_up(ref: Reference) -> None:
    sector = {r["category"]: r["sector"] for r in ref.rows("cbam_categories")}
    assert sector["cement_clinker"] == "cement" and sector["sintered_ore"] == "iron_steel"
    assert _markup(ref, "iron_steel", 2026) == Decimal("0.10")
    assert _markup(ref, "aluminium", 2031) == Decimal("0.30")  # 2028 and onwards
    assert _markup(ref, "fertilisers", 2030) == Decimal("0.01")


def test_country_unknown_defaults_of_research22(ref: Reference) -> None:
    def value(cn_code: str, route: str | None) -> float:
        return ref.lookup(
            "cbam_country_unknown_defaults", as_of=ON, cn_code=cn_code, route=route
        ).value

    assert value("7203", None) == 4.20
    assert value("7201", None) == 7.92
    assert value("7601", "K") == 3.198
    assert value("2523100090", "A") == 1.44
    assert value("28041000", None) == 26.64


# -- CBAM factor, benchmarks and a hand-worked certificate count -------------------------------


def _factor(ref: Reference, basis: str, year: int) -> Decimal:
    value = ref.lookup("cbam_factors", as_of=date(year, 1, 1), basis=basis)
    return Decimal(str(value.value))


def test_cbam_factor_adopted_and_proposed_year_by_year(ref: Reference) -> None:
    adopted = [_factor(ref, "adopted", y) for y in range(2026, 2041)]
    schedule = ("0.975", "0.95", "0.9", "0.775", "0.515", "0.39", "0.265", "0.14", "0.0")
    assert adopted[:9] == [Decimal(v) for v in schedule]
    assert set(adopted[8:]) == {Decimal("0.0")}
    proposal = [_factor(ref, "proposal_com_2026_616", y) for y in range(2026, 2041)]
    assert proposal[2] == Decimal("0.915") and proposal[8:12] == [Decimal("0.15")] * 4
    assert set(proposal[12:]) == {Decimal("0.0")}
    assert all(p >= a for p, a in zip(proposal, adopted, strict=True))


def test_benchmarks_of_research22(ref: Reference) -> None:
    def bench(cn_code: str, route: str | None, column: str, footnote: str | None = None) -> float:
        return ref.lookup(
            "cbam_benchmarks", column, as_of=ON, cn_code=cn_code, route=route, footnote=footnote
        ).value

    assert bench("72071111", "C", "column_a") == 0.188
    assert bench("72071111", "C", "column_b") == 1.364
    assert bench("72071190", "C", "column_b") == 1.629
    assert bench("72141000", None, "column_a") == 0.303
    assert bench("72021120", None, "column_a", "1") == 1.361
    assert bench("25239000", "B", "column_b") == 0.847
    assert bench("76012080", "K", "column_a") == 1.423


@pytest.mark.parametrize(
    ("cn_code", "route", "sector", "benchmark", "expected"),
    [
        ("72071111", "C", "iron_steel", ("72071111", "C", "column_b"), "215.61"),
        ("7601", "K", "aluminium", ("76012080", "K", "column_b"), "191.2575"),
        ("2523100090", "A", "cement", ("25231000", "A", "column_a"), "87.965"),
    ],
)
def test_certificates_for_100_t_from_china_in_2026_as_research22_worked_them(
    ref: Reference,
    cn_code: str,
    route: str,
    sector: str,
    benchmark: tuple[str, str, str],
    expected: str,
) -> None:
    """research22 §3.9: 100 t x (marked-up default - CBAM factor x CSCF x benchmark)."""
    total = _default(ref, "CN", cn_code, route)
    assert total is not None
    default = _marked_up(total, _markup(ref, sector, 2026))
    bm_code, bm_route, column = benchmark
    bm = ref.lookup(
        "cbam_benchmarks", column, as_of=ON, cn_code=bm_code, route=bm_route, footnote=None
    )
    cscf = Decimal(str(ref.lookup("cbam_parameters", parameter="cscf").value))
    sefa = _factor(ref, "adopted", 2026) * cscf * Decimal(str(bm.value))
    assert 100 * (default - sefa) == Decimal(expected)


def test_the_template_s_mass_balance_factor_and_the_ar5_gwps(ref: Reference) -> None:
    assert ref.lookup("cbam_parameters", parameter="carbon_to_co2").value == 3.664
    # the template's GWPs (Parameters_Constants A76:A78) are the gwp table's AR5 set
    for gas, value in (("N2O", 265), ("CF4", 6630), ("C2F6", 11100)):
        assert ref.lookup("gwp", gwp_set="AR5", gas=gas).value == value
