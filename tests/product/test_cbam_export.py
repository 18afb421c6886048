"""The EU CBAM communication built from a plant's results (`product.cbam_export`): the
examples' cement plant as the template's processes, goods and products, read back from the
workbook equal to what was built, its SEE by hand and equal to the results' embedded
emissions; the template route named in the map where the category has several; bad input
placed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from carbonpeak.errors import InputError
from carbonpeak.io.cbam_workbook import read_communication, write_communication
from carbonpeak.io.product_map import read_product_map
from carbonpeak.product.cbam import waste_gas
from carbonpeak.product.cbam_codes import ElecSource, GoodsCategory, Route
from carbonpeak.product.cbam_export import communication
from carbonpeak.product.cbam_installation import installation
from carbonpeak.product.cbam_see import template_see
from carbonpeak.product.cbam_template import Communication, Installation
from carbonpeak.product.plant import Assignment, Factors, Link, MapUnit, ProductMap
from carbonpeak.product.results import ProductResults, product_results
from carbonpeak.product.years import year_results
from carbonpeak.reference.loader import Reference, default_reference

EXAMPLES = Path(__file__).parents[2] / "examples"
CEMENT = "911302007A3K9C2D24"
EF = 0.5  # tCO2/MWh, the operator's electricity factor in these tests
KILN_DIRECT = 190.029885 + 440  # the example's 100 t of coal and 1,000 t of limestone (tCO2)
SITE = Installation(name="Example Cement", city="Tangshan", country="China")


@pytest.fixture(scope="module")
def reference() -> Reference:
    return default_reference()


@pytest.fixture(scope="module")
def example(reference: Reference) -> tuple[ProductMap, ProductResults]:
    plan = read_product_map(EXAMPLES / "product_map.xlsx", reference)
    activity = pd.read_csv(EXAMPLES / "product_activity.csv", dtype=str)
    results = year_results(activity, None, plan, CEMENT, 2024, reference, EF, import_year=2026)
    return plan, results


@pytest.fixture(scope="module")
def model(example: tuple[ProductMap, ProductResults], reference: Reference) -> Communication:
    plan, results = example
    return communication(plan, results, SITE, reference, ElecSource.IEA_COMMISSION)


def test_the_example_as_the_templates_processes_by_hand(model: Communication) -> None:
    assert model.period.start == date(2024, 1, 1) and model.period.end == date(2024, 12, 31)
    assert [(g.category, g.routes) for g in model.goods] == [
        (GoodsCategory.CEMENT_CLINKER, (Route.ALL,)),
        (GoodsCategory.CEMENT, (Route.ALL,)),
    ]
    kiln, mill = model.processes
    assert (kiln.name, kiln.category, mill.name) == (
        "回转窑",
        GoodsCategory.CEMENT_CLINKER,
        "水泥磨",
    )
    assert kiln.production == {Route.ALL: 800} and mill.production == {Route.ALL: 1000}
    # the mill takes 750 t of the kiln's 800 t: 50 t are left for the market (a - c - d = 0)
    assert kiln.consumed_in == {2: 750} and kiln.non_cbam == 0 and kiln.market == 50
    assert mill.consumed_in == {1: 0} and mill.market == 1000
    assert kiln.direct_emissions == pytest.approx(KILN_DIRECT, abs=1e-6)
    assert mill.direct_emissions == 0
    # 60 % and 40 % of the 500 MWh bought, at the operator's factor and its source
    assert (kiln.electricity, mill.electricity) == (pytest.approx(300), pytest.approx(200))
    assert kiln.electricity_ef == EF and kiln.electricity_ef_source is ElecSource.IEA_COMMISSION
    assert (kiln.heat_applicable, kiln.waste_gas_applicable, kiln.heat_imported) == (
        False,
        False,
        None,
    )
    assert kiln.electricity_exported == 0 and kiln.electricity_exported_ef is None
    assert [(p.process, p.cn_code, p.name) for p in model.products] == [
        (1, "25231000", "clinker"),  # the first 8 digits of TARIC 2523 10 00 90
        (2, "25232900", "cement"),
    ]
    assert model.precursors == ()  # the results carry no bought precursor
    assert model.quality is not None and model.quality.indirect_emissions == pytest.approx(250)


def test_the_goods_see_in_the_communication_are_the_results(
    model: Communication, example: tuple[ProductMap, ProductResults], reference: Reference
) -> None:
    _, results = example
    see = template_see(model, waste_gas(reference))
    clinker_direct = KILN_DIRECT / 800
    assert see["回转窑"].direct == pytest.approx(clinker_direct, abs=1e-8)
    assert see["回转窑"].indirect == pytest.approx(300 * EF / 800)
    assert see["水泥磨"].direct == pytest.approx(0.75 * clinker_direct, abs=1e-8)
    assert see["水泥磨"].indirect == pytest.approx(200 * EF / 1000 + 0.75 * 300 * EF / 800)
    for name, node in results.see.items():
        assert (see[name].direct, see[name].indirect) == pytest.approx((node.direct, node.indirect))
    for item in results.goods:  # cement is not of Annex II: what the period counts is all of it
        node = see[item.unit]
        assert node.direct + node.indirect == pytest.approx(item.see.counted)


def test_the_workbook_reads_back_as_the_communication(model: Communication, tmp_path: Path) -> None:
    target = tmp_path / "cbam.xlsx"
    write_communication(model, target)
    assert read_communication(target) == model
    sheet = load_workbook(target)["A_InstData"]
    assert (sheet["E62"].value, sheet["I62"].value, sheet["L83"].value) == (
        "Cement clinker",
        "All production routes",
        "回转窑",
    )


def _steel(template_route: str | None) -> ProductMap:
    """A one-unit crude steel plant (CN 7206 10 00) with its route as the map names it."""
    routes = {"steel": template_route} if template_route else {}
    unit = MapUnit(
        "电炉", {"steel": 100.0}, 2, cn_codes={"steel": "72061000"}, template_routes=routes
    )
    return ProductMap((unit,), (Assignment("电炉", "electricity", 1.0, 2),))


def _steel_results(plan: ProductMap, reference: Reference) -> ProductResults:
    lines = [("electricity", "electricity", 50_000.0, 29.0)]  # kWh, tCO2e
    return product_results(lines, plan, Factors(None, None, EF), reference, 2025)  # no prices


def test_a_category_of_several_routes_takes_the_one_the_map_names(reference: Reference) -> None:
    plan = _steel("electric_arc")
    found = communication(plan, _steel_results(plan, reference), SITE, reference)
    assert found.goods[0].category is GoodsCategory.CRUDE_STEEL
    assert found.goods[0].routes == (Route.EAF,)
    assert found.processes[0].production == {Route.EAF: 100}
    # an Annex II good: the template's electricity still filled (its formulas decide)
    assert found.processes[0].electricity == pytest.approx(50)


def test_a_route_the_map_does_not_name_is_placed(reference: Reference) -> None:
    plan = _steel(None)
    with pytest.raises(InputError) as refused:
        communication(plan, _steel_results(plan, reference), SITE, reference, map_file="m.xlsx")
    [problem] = refused.value.problems
    assert (problem.place.file, problem.place.sheet, problem.place.row) == (
        "m.xlsx",
        "工序",  # the map's sheets as the model places them (MAP_SHEETS)
        2,
    )
    assert problem.place.column == "template_route"
    assert "basic_oxygen, electric_arc, other, unknown" in problem.message


def test_a_cbam_unit_taking_from_a_unit_without_category_is_placed(reference: Reference) -> None:
    lime = MapUnit("石灰窑", {"lime": 10.0}, 2)
    kiln = MapUnit("回转窑", {"clinker": 100.0}, 3, cn_codes={"clinker": "25231000"})
    plan = ProductMap(
        (lime, kiln),
        (Assignment("回转窑", "electricity", 1.0, 2),),
        (Link("回转窑", "lime", 5.0, 4),),
    )
    lines = [("electricity", "electricity", 1000.0, 0.5)]
    results = product_results(lines, plan, Factors(None, None, EF), reference, 2025)
    with pytest.raises(InputError) as refused:
        communication(plan, results, SITE, reference)
    [problem] = refused.value.problems
    assert (problem.place.sheet, problem.place.row, problem.place.column) == (
        "工序间",
        4,
        "product",
    )


def test_the_installation_from_the_record_and_a_bad_field(reference: Reference) -> None:
    made = installation({"name": "示例水泥", "street": " "}, "130200", reference)
    assert (made.name, made.city, made.country, made.street) == (
        "示例水泥",
        "Tangshan",
        "China",
        None,
    )
    assert installation({"name": "x"}, "130000", reference).city is None  # a province
    with pytest.raises(InputError) as refused:
        installation({"name": "x", "latitude": 91}, None, reference)
    assert refused.value.problems[0].place.field == "latitude"


def test_the_map_refuses_a_template_route_of_another_category(
    tmp_path: Path, reference: Reference
) -> None:
    book = load_workbook(EXAMPLES / "product_map.xlsx")
    units = book["工序 (units)"]
    units.cell(1, 8, "CBAM模板路线 (template_route)")
    units.cell(2, 8, "Electric arc furnace")  # clinker has "All production routes" only
    path = tmp_path / "map.xlsx"
    book.save(path)
    with pytest.raises(InputError) as refused:
        read_product_map(path, reference)
    [problem] = refused.value.problems
    assert (problem.place.sheet, problem.place.row) == ("工序 (units)", 2)
    assert problem.place.column == "CBAM模板路线 (template_route)"
    units.cell(2, 8, "All production routes (all)")
    book.save(path)
    kiln = read_product_map(path, reference).units[0]
    assert kiln.template_routes == {"clinker": "all"}


def test_the_templates_own_formulas_give_the_results_see(
    model: Communication, example: tuple[ProductMap, ProductResults], tmp_path: Path
) -> None:
    """The one slow test: LibreOffice recalculates the filled template, and its SEE per product
    (Summary_Products I and J, InputOutput's MINVERSE and MMULT) are the results'."""
    from tests.product.test_cbam_workbook import _load, _recalculate

    _, results = example
    path = tmp_path / "cbam.xlsx"
    write_communication(model, path)
    rows = _load(_recalculate(path, tmp_path), values=True)["Summary_Products"]
    for row, unit in ((10, "回转窑"), (11, "水泥磨")):
        see = results.see[unit]
        assert rows[f"I{row}"].value == pytest.approx(see.direct)
        assert rows[f"J{row}"].value == pytest.approx(see.indirect)
        assert rows[f"O{row}"].value == pytest.approx(see.electricity_mwh_per_t)


def test_a_precursor_bought_is_the_templates_purchased_precursor(
    example: tuple[ProductMap, ProductResults], reference: Reference, tmp_path: Path
) -> None:
    """200 t of clinker bought from Viet Nam at the supplier's 0.9 direct and 0.05 indirect
    SEE, into the mill's 1,000 t of cement (inputs of this test)."""
    from dataclasses import replace

    from carbonpeak.product.cbam_codes import ValueSource
    from carbonpeak.product.plant import BoughtGood

    plan = replace(
        example[0],
        bought=(BoughtGood("水泥磨", "外购熟料", 200.0, "2523100090", 0.9, 0.05, "VN", 3),),
    )
    activity = pd.read_csv(EXAMPLES / "product_activity.csv", dtype=str)
    results = year_results(activity, None, plan, CEMENT, 2024, reference, EF, import_year=2026)
    model = communication(plan, results, SITE, reference)
    [bought] = model.precursors
    assert (bought.category, bought.country, bought.routes, bought.name) == (
        GoodsCategory.CEMENT_CLINKER,
        "VN",
        (Route.ALL,),
        "外购熟料",
    )
    assert bought.purchased == {Route.ALL: 200} and bought.consumed_in == {1: 0, 2: 200}
    assert (bought.other_use, bought.see_direct) == (0, 0.9)
    assert bought.see_direct_source is ValueSource.MEASURED and bought.electricity is None
    see = template_see(model, waste_gas(reference))
    mill = results.see["水泥磨"]
    assert see["水泥磨"].direct == pytest.approx(0.75 * KILN_DIRECT / 800 + 0.2 * 0.9)
    assert see["水泥磨"].direct == pytest.approx(mill.direct)
    # the supplier's indirect SEE has no electricity and factor to enter: the template counts
    # none of it, the results count 0.2 t x 0.05
    assert mill.indirect - see["水泥磨"].indirect == pytest.approx(0.2 * 0.05)
    target = tmp_path / "cbam.xlsx"
    write_communication(model, target)
    assert read_communication(target) == model
