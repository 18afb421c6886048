"""Product carbon in the demo province (issue 22): a process map (工序图) for four of its
plants, built from each plant's own account lines of the province's year, so that the product
pages, the CLI and the CBAM goods have exporters to show:

- the demo enterprise's steel mill, blast furnace and converter (BF-BOF): 炼铁 makes the
  pig iron and 转炉炼钢 the crude steel, consuming hot metal;
- an electric arc furnace steel mill (EAF): 电炉炼钢 alone;
- an aluminium smelter: 电解 makes liquid aluminium, 铸造 casts it into unwrought aluminium;
- a cement plant: 回转窑 makes the clinker, 水泥磨 grinds it into cement.

Everything the account does not say is SYNTHETIC, stated here and labelled in the map's file
name (`LABEL`); no figure is a measurement:

- the split of an account line between two units where the account does not tag it with the
  units' efficiency areas (`SPLITS`: e.g. 60 % of the cement plant's electricity to the kiln),
  a round share the demo chooses; where it does (the steel mill's electricity in blast_furnace
  and bof, its natural gas in bof), the lines go by their areas (`AREA_UNITS`), so the
  footprint's units and the graded boundaries agree;
- the intermediate product consumed downstream (`CONSUMED`: t per t of the downstream
  product: hot metal in the converter, clinker in the cement) and the tonnes of the product
  made from it where the account has no line of it (cement);
- the materials bought (`BOUGHT`: iron ore, scrap, alumina, gypsum, t per t of product). They
  carry NO factor: the library holds no cited factor of a material (the national product
  carbon-footprint factor database's rows are not in it), so each footprint shows them as gaps,
  as a real plant's would until the authority or the supplier gives one.

The CN codes and route letters are those of the EU's tables (`cbam_default_values`: C for
BF-BOF steel, K for primary aluminium, A for grey clinker; `cbam_benchmarks`: E for EAF steel,
whose code has a default value of route C only, said by a warning). The plants' units and
products are named in Chinese, as their operators would.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from carbonpeak.product.footprint import Flow, Stage
from carbonpeak.product.plant import Assignment, Link, MapUnit, ProductMap

LABEL = "演示工序图（合成，非真实）"  # in every demo map's file name

# (unit, item) -> the unit's share of the account's line of the item, where two units share it
SPLITS = {
    "aluminium": {"electricity": {"电解": 0.97, "铸造": 0.03}},
    "cement": {"electricity": {"回转窑": 0.6, "水泥磨": 0.4}},
}
# the unit of the map each efficiency area of the account's lines belongs to
AREA_UNITS = {"bf_bof": {"blast_furnace": "炼铁", "bof": "转炉炼钢"}}
# the product a downstream unit consumes, t per t of its own product
CONSUMED = {
    "bf_bof": ("转炉炼钢", "生铁", 0.9),
    "aluminium": ("铸造", "电解铝液", 1.0),
    "cement": ("水泥磨", "熟料", 0.75),
}
# the cement mill grinds this share of the kiln's clinker (the rest is sold as clinker)
CLINKER_GROUND = 0.8
# materials bought, t per t of the unit's product, without a factor (gaps)
BOUGHT = {
    "bf_bof": (("炼铁", "铁矿石 iron ore", 1.6),),
    "eaf": (("电炉炼钢", "废钢 scrap", 1.1),),
    "aluminium": (("电解", "氧化铝 alumina", 1.92),),
    "cement": (("水泥磨", "石膏 gypsum", 0.05),),
}
# the goods' CN codes, the default tables' route letters (None: the code has one route) and
# the template's production route (`cbam_routes`; None: its category has one)
GOODS = {
    "pig_iron": ("72011011", None, "blast_furnace"),
    "crude_steel": ("72061000", "C", "basic_oxygen"),
    "eaf_steel": ("72061000", "E", "electric_arc"),
    "aluminium": ("76011000", "K", "primary_smelting"),
    "clinker": ("2523100090", "A", None),
    "cement": ("25232900", None, None),
}


@dataclass(frozen=True)
class DemoMap:
    """A demo plant's map of a year: which enterprise, its kind and the map."""

    enterprise_id: str
    kind: str  # bf_bof, eaf, aluminium, cement
    year: int
    plan: ProductMap

    @property
    def file_name(self) -> str:
        return f"{LABEL}-{self.kind}-{self.year}.xlsx"


def _kind(industry: str, items: set[str]) -> str | None:
    if industry in ("3110", "3120") and {"pig_iron", "crude_steel"} <= items:
        return "bf_bof"
    if industry == "3120" and "crude_steel" in items and "pig_iron" not in items:
        return "eaf"
    if industry == "3216" and "primary_aluminium" in items:
        return "aluminium"
    if industry == "3011" and "clinker" in items:
        return "cement"
    return None


def product_plants(
    activity: pd.DataFrame, industries: dict[str, str], first: str | None = None
) -> list[DemoMap]:
    """The demo's four plants and their maps: the first enterprise of each kind in the
    province's order (`first`, the demo enterprise, for the BF-BOF mill when it is one), of
    the latest year of the activity."""
    year = str(activity["period"].astype(str).max())
    rows = activity.loc[activity["period"].astype(str) == year]
    chosen: dict[str, str] = {}
    order = list(dict.fromkeys(rows["enterprise_id"].astype(str)))
    if first in order:
        order.remove(first)
        order.insert(0, first)
    items: dict[str, set[str]] = {}
    for enterprise, item in zip(rows["enterprise_id"], rows["item"], strict=True):
        items.setdefault(str(enterprise), set()).add(str(item))
    for enterprise in order:
        kind = _kind(industries.get(enterprise, ""), items[enterprise])
        if kind is not None and kind not in chosen:
            chosen[kind] = enterprise
    return [
        DemoMap(chosen[kind], kind, int(year), _map(kind, rows, chosen[kind]))
        for kind in ("bf_bof", "eaf", "aluminium", "cement")
        if kind in chosen
    ]


def _tonnes(rows: pd.DataFrame, item: str) -> float:
    picked = rows.loc[rows["item"] == item, "amount"]
    return float(pd.to_numeric(picked).sum())


def _map(kind: str, activity: pd.DataFrame, enterprise: str) -> ProductMap:
    rows = activity.loc[activity["enterprise_id"].astype(str) == enterprise]
    items = sorted(set(rows["item"].astype(str)))
    units = _units(kind, rows)
    home = {  # the unit an unsplit line goes to: the first unit, but a product's own maker
        "bf_bof": {"crude_steel": "转炉炼钢", "converter_gas": "转炉炼钢"},
        "aluminium": {"natural_gas": "铸造"},
    }.get(kind, {})
    splits = SPLITS.get(kind, {}) | _by_area(rows, AREA_UNITS.get(kind, {}))
    assignments: list[Assignment] = []
    for item in items:
        shares = splits.get(item) or {home.get(item, units[0].name): 1.0}
        for unit, share in shares.items():
            assignments.append(Assignment(unit, item, share, len(assignments) + 2))
    links: list[Link] = []
    if kind in CONSUMED:
        unit, product, per_t = CONSUMED[kind]
        made = next(u for u in units if u.name == unit)
        links.append(Link(unit, product, per_t * sum(made.products.values()), 2))
    flows: list[tuple[str, Flow, int]] = []
    for unit, item, per_t in BOUGHT.get(kind, ()):
        made = next(u for u in units if u.name == unit)
        amount = per_t * sum(made.products.values())
        flows.append((unit, Flow(item, amount, "t", Stage.materials, None), len(flows) + 2))
    return ProductMap(tuple(units), tuple(assignments), tuple(links), tuple(flows))


def _by_area(rows: pd.DataFrame, units: dict[str, str]) -> dict[str, dict[str, float]]:
    """Each item's shares by unit from the efficiency areas its lines carry, for the items
    whose every line has an area of `units`."""
    if not units or "area" not in rows.columns:
        return {}
    found: dict[str, dict[str, float]] = {}
    for item, lines in rows.groupby(rows["item"].astype(str)):
        areas = lines["area"].astype(str)
        if not areas.isin(list(units)).all():
            continue
        amounts = pd.to_numeric(lines["amount"]).groupby(areas.map(units)).sum()
        if amounts.sum() > 0:
            found[str(item)] = {str(u): float(a / amounts.sum()) for u, a in amounts.items()}
    return found


def _unit(name: str, product: str, tonnes: float, row: int, good: str, category: str) -> MapUnit:
    cn, route, template_route = GOODS[good]
    return MapUnit(
        name,
        {product: tonnes},
        row,
        category=category,
        cn_codes={product: cn},
        routes={product: route} if route else {},
        template_routes={product: template_route} if template_route else {},
    )


def _units(kind: str, rows: pd.DataFrame) -> list[MapUnit]:
    if kind == "bf_bof":
        return [
            _unit("炼铁", "生铁", _tonnes(rows, "pig_iron"), 2, "pig_iron", "pig_iron"),
            _unit(
                "转炉炼钢",
                "粗钢",
                _tonnes(rows, "crude_steel"),
                3,
                "crude_steel",
                "crude_steel",
            ),
        ]
    if kind == "eaf":
        steel = _tonnes(rows, "crude_steel")
        return [_unit("电炉炼钢", "电炉钢", steel, 2, "eaf_steel", "crude_steel")]
    if kind == "aluminium":
        metal = _tonnes(rows, "primary_aluminium")
        return [
            # electrolysis makes no good of its own: it is a process of the unwrought aluminium
            MapUnit(
                "电解",
                {"电解铝液": metal},
                2,
                category="unwrought_aluminium",
                direct_only=True,
                template_routes={"电解铝液": "primary_smelting"},
            ),
            _unit("铸造", "铝锭", metal, 3, "aluminium", "unwrought_aluminium"),
        ]
    clinker = _tonnes(rows, "clinker")
    _unit_name, _product, per_t = CONSUMED["cement"]
    cement = CLINKER_GROUND * clinker / per_t
    return [
        _unit("回转窑", "熟料", clinker, 2, "clinker", "cement_clinker"),
        _unit("水泥磨", "水泥", cement, 3, "cement", "cement"),
    ]
