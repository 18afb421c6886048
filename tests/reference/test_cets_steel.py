"""The steel guideline of the national carbon market, 《企业温室气体排放核算与报告指南 钢铁行业》
CETS—AG—03.01—V01—2024 (MEE, issued 2025-01-21), Annex A as reference rows (issue 21, first
step): table A.1 as the fuel-parameter set `cets_steel_2024`, table A.2 as the process-factor
basis `cets_steel_2024`. The literal numbers below are the ones the text prints
(docs/notes/ets_sources_2026.md §1.7)."""

from __future__ import annotations

import pytest

from carbonpeak.accounting.factors import AccountingOptions
from carbonpeak.reference.loader import default_reference

SET = "cets_steel_2024"

# Table A.1 (printed p.17) as printed: fuel, item, NCV (GJ/t or GJ/10^4Nm3), CC (tC/GJ), OF (%)
A1 = [
    ("无烟煤", "anthracite", 25.024, 0.02749, 99),
    ("烟煤", "bituminous_coal", 23.736, 0.02618, 99),
    ("褐煤", "lignite", 15.250, 0.02797, 99),
    ("洗精煤", "cleaned_coal", 26.344, 0.02541, 99),
    ("其他洗煤", "other_washed_coal", 12.545, 0.02541, 99),
    ("煤矸石", "coal_gangue", 8.374, 0.02541, 99),
    ("煤泥", "slime", 12.545, 0.02541, 99),
    ("焦炭", "coke", 28.435, 0.02942, 99),
    ("石油焦", "petroleum_coke", 32.500, 0.02750, 99),
    ("其他煤制品", "other_coal_products", 17.460, 0.03356, 99),
    ("原油", "crude_oil", 41.816, 0.02008, 98),
    ("燃料油", "fuel_oil", 41.816, 0.02110, 98),
    ("汽油", "gasoline", 43.070, 0.01890, 98),
    ("柴油", "diesel", 42.652, 0.02020, 98),
    ("煤油", "kerosene", 43.070, 0.01960, 98),
    ("其他石油制品", "other_petroleum_products", 41.031, 0.02000, 98),
    ("液化天然气", "lng", 51.498, 0.01720, 98),
    ("液化石油气", "lpg", 50.179, 0.01720, 98),
    ("煤焦油", "coal_tar", 33.453, 0.02200, 98),
    ("炼厂干气", "refinery_gas", 45.998, 0.01820, 98),
    ("天然气", "natural_gas", 389.310, 0.01532, 99),
    ("高炉煤气", "blast_furnace_gas", 33.000, 0.07080, 99),
    ("转炉煤气", "converter_gas", 84.000, 0.04960, 99),
    ("焦炉煤气", "coke_oven_gas", 173.854, 0.01210, 99),
    ("其它煤气", "other_gas", 52.270, 0.01220, 99),
]

# Table A.2 (printed p.18): name, item, tCO2/t
A2 = [
    ("石灰石", "limestone", 0.440),
    ("白云石", "dolomite", 0.476),
    ("电极", "electrode", 3.663),
    ("镍铁", "ferronickel", 0.037),
    ("钼铁", "ferromolybdenum", 0.018),
    ("硅铁", "ferrosilicon", 0.007),
    ("锰硅合金", "silicomanganese", 0.092),
    ("低碳锰硅合金", "silicomanganese_low_carbon", 0.011),
    ("高炉锰铁", "ferromanganese_blast_furnace", 0.275),
    ("电炉高碳锰铁", "ferromanganese_high_carbon_eaf", 0.275),
    ("微碳锰铁", "ferromanganese_micro_carbon", 0.004),
    ("高碳铬铁", "ferrochrome_high_carbon", 0.348),
    ("生铁", "pig_iron", 0.172),
    ("直接还原铁", "dri", 0.073),
    ("废钢", "steel_scrap", 0.037),
    ("粗钢", "crude_steel", 0.037),
    ("焦油", "coal_tar", 2.699),
    ("粗苯", "crude_benzene", 3.382),
]


def test_every_fuel_of_table_a1_has_its_three_rows() -> None:
    library = default_reference()
    rows = library.rows("fuel_parameters", parameter_set=SET)
    assert len(rows) == 3 * len(A1) == 75
    items = {str(r["item"]): r for r in library.rows("items")}
    for name, item, ncv, cc, of in A1:
        assert items[item]["name_zh"] == name
        gas = name in ("天然气", "高炉煤气", "转炉煤气", "焦炉煤气", "其它煤气")
        assert items[item]["default_unit"] == ("wan_Nm3" if gas else "t")
        value = library.lookup("fuel_parameters", parameter_set=SET, item=item, parameter="ncv")
        assert value.value == ncv and value.unit == ("GJ/wan_Nm3" if gas else "GJ/t")
        assert value.verified and "附表A.1 (printed p.17)" in (value.provenance.note or "")
        value = library.lookup(
            "fuel_parameters", parameter_set=SET, item=item, parameter="carbon_content"
        )
        assert value.value == cc and value.unit == "tC/GJ" and value.verified
        # the oxidation rate is a fraction, like the other sets; read from a merged cell
        value = library.lookup(
            "fuel_parameters", parameter_set=SET, item=item, parameter="oxidation_rate"
        )
        assert value.value == pytest.approx(of / 100) and value.unit == "dimensionless"
        assert not value.verified and "merged cell" in (value.provenance.note or "")
        assert value.provenance.source_id == SET


def test_table_a2_as_process_factors() -> None:
    library = default_reference()
    assert len(library.rows("process_emission_factors", basis=SET)) == len(A2) == 18
    items = {str(r["item"]): r for r in library.rows("items")}
    for name, item, ef in A2:
        assert item in items, name
        value = library.lookup("process_emission_factors", item=item, basis=SET)
        assert value.value == ef and value.unit == "tCO2/t"
        assert value.verified and f"附表A.2 (printed p.18) {name}" in (value.provenance.note or "")
    # the ferroalloys and scrap are purchased carbon-bearing raw materials (§5.2.1 b)
    for item in ("ferrosilicon", "ferrochrome_high_carbon", "steel_scrap"):
        assert items[item]["category"] == "material" and items[item]["default_unit"] == "t"


def test_the_tar_factor_is_the_coal_tar_ncv_times_cc_times_44_12() -> None:
    """Note *4 of table A.2: 焦油 = 煤焦油 NCV x CC x 44/12, from A.1's own rows."""
    library = default_reference()
    ncv = library.lookup("fuel_parameters", parameter_set=SET, item="coal_tar", parameter="ncv")
    cc = library.lookup(
        "fuel_parameters", parameter_set=SET, item="coal_tar", parameter="carbon_content"
    )
    tar = library.lookup("process_emission_factors", item="coal_tar", basis=SET)
    assert round(ncv.value * cc.value * 44 / 12, 3) == tar.value == 2.699
    by_hand = 33.453 * 0.02200 * 44 / 12  # the note's product, before rounding
    assert by_hand == pytest.approx(2.69854, abs=1e-5)


def test_100_t_of_anthracite_by_formula_1() -> None:
    """Formula (1), enterprise level, has no oxidation rate: FC x NCV x CC x 44/12."""
    library = default_reference()

    def parameter(name: str) -> float:
        return library.lookup(
            "fuel_parameters", parameter_set=SET, item="anthracite", parameter=name
        ).value

    # the text's defaults, by hand: 100 x 25.024 = 2502.4 GJ; x 0.02749 = 68.790976 tC;
    # x 44/12 = 252.2336 tCO2, 252.23 t at the 2 decimals of table C.3
    expected = 100 * 25.024 * 0.02749 * 44 / 12
    assert round(expected, 2) == 252.23
    actual = 100 * parameter("ncv") * parameter("carbon_content") * 44 / 12
    assert actual == pytest.approx(expected, rel=1e-12)


def test_the_source_row_cites_the_official_pdf() -> None:
    library = default_reference()
    source = library.source(SET)
    assert source.url == (
        "https://www.mee.gov.cn/xxgk2018/xxgk/xxgk06/202501/W020250124388842647934.pdf"
    )
    assert source.issuer == "生态环境部" and source.date == "2025-01-21"
    assert "CETS—AG—03.01—V01—2024" in (source.document_number or "")
    assert "环办气候函〔2025〕27号" in (source.document_number or "")
    assert "zhutmg00-eng/-" in (source.note or "")
    assert "8e37dd59798f1360153ca2ba885d1cdac2198449" in (source.note or "")
    value = library.lookup("process_emission_factors", item="limestone", basis=SET)
    assert "CETS—AG—03.01—V01—2024" in value.provenance.source


def test_the_accounting_does_not_use_the_new_set_by_default() -> None:
    options = AccountingOptions()
    assert SET not in options.parameter_sets and SET not in options.process_bases
    # the defaults the accounting does use are unchanged
    library = default_reference()
    ncv = library.lookup(
        "fuel_parameters", parameter_set="guideline_2013", item="anthracite", parameter="ncv"
    )
    assert ncv.value == 26.7
