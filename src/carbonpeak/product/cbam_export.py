"""A plant's year of product results as the EU CBAM communication to its importers: the
`cbam_template.Communication` that `io.cbam_workbook.write_communication` puts into the
Commission's template for installations (v2.1.1).

Every number comes from the results (`product.results.ProductResults`: the production processes
the SEE are solved from, their DirEm*, heat and electricity) and from the process map (the
tonnes made and the tonnes each unit takes from another); what the installation is (name,
address, country, UN/LOCODE or coordinates) the operator gives as a
`cbam_template.Installation`; the source of the electricity factor, when the operator names
it, as an `ElecSource`. Nothing else is filled: the template's formulas compute the SEE, and
the cells the results cannot fill stay empty for the operator (the verifier, the source
streams of B_EmInst, the data-quality choices, the qualifying parameters and carbon price of
each product).

- Reporting period: the results' natural year (`year_results` takes the periods of the year).
- A production process (D_Processes) for each unit of the map with a CBAM category, in the
  map's order, with the template's name for that category (`cbam_categories.name_en`, the
  template's Parameters_Constants A89:A106). A unit without a category is not a process of
  the template; what CBAM processes take from it cannot be placed in the template and is
  refused (links sheet), what it takes from them is their "consumed for non-CBAM goods" (d).
- Its production (a) per route of the template: a category the template gives one route
  ("All production routes", `cbam_routes`, Parameters_Constants G89:P106) takes it; a
  category with several (crude steel, pig iron, hydrogen, ammonia, unwrought aluminium) takes
  the route the operator names in the map's units sheet, column template_route. The route
  letters printed beside default values and benchmarks (column route) are not used: their
  meaning was not read (`cbam_routes`' description), so they do not say a template route.
- Consumed in other processes (c): the map's links, 0 t where a process takes none (the
  template asks for every other process). Produced for the market (b)i: what is left,
  (a) - (c) - (d), the balance the template checks (D_Processes L42 must be 0).
- DirEm* (g), measurable heat imported at the account's factor and exported (h), waste gases
  (i), electricity consumed with the operator's factor (j), electricity exported (k): the
  process's own figures; heat and waste gases marked applicable (f) where there are some.
  An electricity factor of 0 (none given: the results said so) is left empty.
- Goods categories (A_InstData rows 62-71): the categories of the processes with the routes
  they produce by.
- Products (Summary_Products): each product with a CN code, under its unit's process, with
  the first 8 digits of its code (the CN code of a 10-digit TARIC code).
- Purchased precursors (E_PurchPrec): the CBAM goods the map's flows buy, as the results value
  them (the supplier's actual SEE: Measured; a default value: Default; none: Unknown, empty),
  under "Unknown production routes" where the category has several (the map does not say the
  supplier's route). Their specific electricity is not in the results: left empty, so the
  template counts no indirect emissions for them, where the results count the supplier's.
- C_Emissions&Energy M26 (total indirect emissions, entered by hand): the processes'
  electricity times its factor, where a factor was given.

`product.cbam_see.template_see` solves the SEE from a `Communication` the way the template's
InputOutput sheet does, so a communication can be checked against the results it came from;
`product.cbam_installation.installation` reads what the operator says the installation is.
Problems are placed on the map's sheets, all at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date

from pydantic import ValidationError

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.product import embedded as em
from carbonpeak.product.cbam_codes import (
    MAX_GOODS,
    MAX_PRECURSORS,
    MAX_PROCESSES,
    MAX_PRODUCTS,
    ROUTES,
    ElecSource,
    GoodsCategory,
    Route,
    ValueSource,
)
from carbonpeak.product.cbam_template import (
    Communication,
    GoodsLine,
    Installation,
    Precursor,
    Process,
    Product,
    Quality,
    ReportingPeriod,
)
from carbonpeak.product.map_sheets import MAP_SHEETS
from carbonpeak.product.plant import MapUnit, ProductMap
from carbonpeak.product.results import ProductResults
from carbonpeak.reference.loader import Reference

_Flag = Callable[..., None]  # flag(sheet, row, column, template, *values): a placed problem


def categories(reference: Reference) -> dict[str, GoodsCategory]:
    """Each CBAM category code -> the template's name for it (`cbam_categories.name_en`, the
    template's text; compared without its trailing blanks: "Calcined clays ")."""
    by_text = {c.value.strip(): c for c in GoodsCategory}
    return {
        str(r["category"]): by_text[str(r["name_en"]).strip()]
        for r in reference.rows("cbam_categories")
    }


def routes(reference: Reference) -> dict[tuple[str, str], Route]:
    """(category code, route code) -> the template's route (`cbam_routes.name_en`)."""
    return {
        (str(r["category"]), str(r["route"])): Route(str(r["name_en"]))
        for r in reference.rows("cbam_routes")
    }


def communication(
    plan: ProductMap,
    results: ProductResults,
    installation: Installation,
    reference: Reference,
    electricity_source: ElecSource | None = None,
    map_file: str = "",
) -> Communication:
    """The communication of the plant's year (see the module), or `InputError` with every
    problem placed on the map."""
    problems: list[Problem] = []

    def flag(sheet: str, row: int | None, column: str, template: str, *values: object) -> None:
        place = Place(file=map_file or None, sheet=MAP_SHEETS[sheet], row=row, column=column)
        problems.append(Problem.of(place, template, *values))

    named = categories(reference)
    by_route = routes(reference)
    cbam = [u for u in plan.units if results.see.get(u.name) and results.see[u.name].category]
    numbers = {u.name: i for i, u in enumerate(cbam, start=1)}
    maker = {product: u.name for u in plan.units for product in u.products}
    if not cbam:
        flag(
            "units",
            None,
            "category",
            N_("no unit makes a CBAM good: give its products' CN codes or its CBAM category"),
        )
    if len(cbam) > MAX_PROCESSES:
        flag(
            "units",
            cbam[MAX_PROCESSES].row,
            "unit",
            N_("the template has room for {} production processes, the map has {} CBAM units"),
            MAX_PROCESSES,
            len(cbam),
        )
    for link in plan.links:
        source = maker.get(link.product)
        if link.unit in numbers and source is not None and source not in numbers:
            flag(
                "links",
                link.row,
                "product",
                N_(
                    "unit {!r} takes {!r} from unit {!r}, which has no CBAM category: the "
                    "template has no process for it (give it its category, or its account "
                    "lines to the units that use its product)"
                ),
                link.unit,
                link.product,
                source,
            )
    made_by: dict[str, dict[Route, float]] = {}
    for unit in cbam:
        made_by[unit.name] = _production(unit, results.see[unit.name].category, by_route, flag)
    products = [
        (numbers[u.name], cn[:8], product) for u in cbam for product, cn in u.cn_codes.items()
    ]
    if len(products) > MAX_PRODUCTS:
        flag(
            "units",
            None,
            "cn_code",
            N_("the template has room for {} products with a CN code, the map has {}"),
            MAX_PRODUCTS,
            len(products),
        )
    goods: dict[GoodsCategory, set[Route]] = {}
    for unit in cbam:
        line = goods.setdefault(named[results.see[unit.name].category], set())
        line.update(made_by[unit.name])
    if len(goods) > MAX_GOODS:
        flag(
            "units",
            None,
            "category",
            N_("the template has room for {} goods categories, the map has {}"),
            MAX_GOODS,
            len(goods),
        )
    bought = [b for b in results.purchased if b.category]
    if len(bought) > MAX_PRECURSORS:
        flag(
            "flows",
            None,
            "cn_code",
            N_("the template has room for {} purchased precursors, the map has {}"),
            MAX_PRECURSORS,
            len(bought),
        )
    if problems:
        raise InputError(problems)
    precursors = tuple(_precursor(b, plan, numbers, named) for b in bought)
    try:
        return _communication(
            results,
            installation,
            electricity_source,
            cbam,
            goods,
            made_by,
            products,
            named,
            precursors,
        )
    except ValidationError as error:  # a name the template cannot hold (a control character)
        raise InputError(
            [
                Problem.of(
                    Place(file=map_file or None, sheet=MAP_SHEETS["units"]),
                    N_("{}: {}"),
                    ".".join(str(part) for part in e["loc"]),
                    e["msg"],
                )
                for e in error.errors()
            ]
        ) from None


def _communication(
    results: ProductResults,
    installation: Installation,
    electricity_source: ElecSource | None,
    cbam: list[MapUnit],
    goods: Mapping[GoodsCategory, set[Route]],
    made_by: Mapping[str, dict[Route, float]],
    products: list[tuple[int, str, str]],
    named: Mapping[str, GoodsCategory],
    precursors: tuple[Precursor, ...],
) -> Communication:
    """The communication once the map is known to fit the template (`communication`)."""
    processes = {p.name: p for p in results.processes}
    numbers = {u.name: i for i, u in enumerate(cbam, start=1)}
    return Communication(
        period=ReportingPeriod(start=date(results.year, 1, 1), end=date(results.year, 12, 31)),
        installation=installation,
        goods=tuple(
            GoodsLine(category=c, routes=tuple(r for r in ROUTES[c] if r in used))
            for c, used in goods.items()
        ),
        processes=tuple(
            _process(
                processes[u.name],
                named[results.see[u.name].category],
                made_by[u.name],
                numbers,
                processes,
                electricity_source,
            )
            for u in cbam
        ),
        products=tuple(
            Product(process=number, cn_code=cn, name=name) for number, cn, name in products
        ),
        precursors=precursors,
        quality=_quality(results),
    )


def _production(
    unit: MapUnit, category: str, by_route: Mapping[tuple[str, str], Route], flag: _Flag
) -> dict[Route, float]:
    """The unit's tonnes per route of the template: the category's one route, or the route
    the map names for each product where the category has several."""
    offered = [route for (c, _code), route in by_route.items() if c == category]
    made: dict[Route, float] = defaultdict(float)
    for product, tonnes in unit.products.items():
        code = unit.template_routes.get(product)
        if len(offered) == 1:
            made[offered[0]] += tonnes
        elif code is not None and (category, code) in by_route:
            made[by_route[category, code]] += tonnes
        else:
            flag(
                "units",
                unit.row,
                "template_route",
                N_(
                    "unit {!r}: the template has several routes for {}: name the route of {!r} ({})"
                ),
                unit.name,
                category,
                product,
                ", ".join(c for (cat, c) in by_route if cat == category),
            )
    return dict(made)


def _process(
    process: em.Process,
    category: GoodsCategory,
    production: dict[Route, float],
    numbers: Mapping[str, int],
    processes: Mapping[str, em.Process],
    electricity_source: ElecSource | None,
) -> Process:
    """A production process of the template from the results' (see the module)."""
    consumed_in = {
        numbers[other]: float(processes[other].consumed.get(process.name, 0.0))
        for other in numbers
        if other != process.name
    }
    non_cbam = sum(
        p.consumed.get(process.name, 0.0) for name, p in processes.items() if name not in numbers
    )
    heat = bool(process.heat_imported_tj or process.heat_exported_tj)
    gases = bool(process.waste_gas_imported_tj or process.waste_gas_exported_tj)
    exported = process.electricity_exported_mwh
    return Process(
        category=category,
        name=process.name,
        production=production,
        market=process.produced_t - sum(consumed_in.values()) - non_cbam,
        consumed_in=consumed_in,
        non_cbam=non_cbam,
        heat_applicable=heat,
        waste_gas_applicable=gases,
        direct_emissions=process.direct_t,
        heat_imported=process.heat_imported_tj if heat else None,
        heat_exported=process.heat_exported_tj if heat else None,
        heat_ef_imported=process.heat_imported_factor if heat else None,
        heat_ef_exported=process.heat_exported_factor if heat else None,
        waste_gas_imported=process.waste_gas_imported_tj if gases else None,
        waste_gas_exported=process.waste_gas_exported_tj if gases else None,
        electricity=process.electricity_mwh,
        electricity_ef=process.electricity_factor or None,
        electricity_ef_source=electricity_source,
        electricity_exported=exported,
        electricity_exported_ef=process.electricity_exported_factor or None,
    )


_SOURCES = {"actual": ValueSource.MEASURED, "default": ValueSource.DEFAULT}


def _precursor(
    bought: em.Purchased,
    plan: ProductMap,
    numbers: Mapping[str, int],
    named: Mapping[str, GoodsCategory],
) -> Precursor:
    """A purchased precursor of E_PurchPrec from the results' node and the map's rows of it:
    its tonnes bought (under "Unknown production routes" where its category has several: the
    map does not say the supplier's route), the tonnes each process takes (0 t where none),
    what units outside the template take (c), and its direct SEE with where it comes from
    (the supplier's actual value: Measured; a default value: Default; none in force: left
    empty, Unknown). Its specific electricity and factor are not in the results (the supplier
    gives an indirect SEE): left empty, so the template counts no indirect emissions for it."""
    category = named[bought.category]
    route = ROUTES[category][0] if len(ROUTES[category]) == 1 else Route.UNKNOWN
    rows = [b for b in plan.bought if b.item == bought.name]
    taken = {number: 0.0 for number in numbers.values()}
    other = 0.0
    for b in rows:
        if b.unit in numbers:
            taken[numbers[b.unit]] += b.tonnes
        else:
            other += b.tonnes
    source = _SOURCES.get(bought.values, ValueSource.UNKNOWN)
    return Precursor(
        category=category,
        country=rows[0].country if rows else None,
        routes=(route,),
        name=bought.name,
        purchased={route: sum(b.tonnes for b in rows)},
        consumed_in=taken,
        other_use=other,
        see_direct=None if source is ValueSource.UNKNOWN else bought.see_direct,
        see_direct_source=source,
    )


def _quality(results: ProductResults) -> Quality | None:
    """C_Emissions&Energy M26: the installation's indirect emissions, where a factor was given."""
    if not any(p.electricity_factor for p in results.processes):
        return None
    return Quality(indirect_emissions=sum(p.attributed_indirect() for p in results.processes))
