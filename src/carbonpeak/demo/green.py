"""The demo province's green products: an illustrative certificate list of green building
materials and illustrative green manufacturing lists (a batch each of green factories, green
design products and green supply chains) for some of its enterprises, as the published lists'
CSVs with their Chinese headers (imported through `services.green.import_list` like a real
list). Made up for the demo: no row is a published entry, and every row says so (its status
`unverified`, its note `illustrative`). Deterministic: the same enterprises and day give the
same lists; some certificates expire soon after the day, one has expired."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

NOTE = "illustrative: made up for the demo province, not a published list"
DOCUMENT = {
    "title": "示例绿色产品名单（演示省份，虚构） Illustrative green lists of the demo province",
    "issuer": "carbonpeak demo",
    "note": NOTE,
}
# (days from the demo day to expiry, star level, product category) of each certificate
CERTIFICATES = (
    (45, 3, "预拌混凝土"),
    (400, 2, "水泥"),
    (-20, 1, "砌块"),
    (800, 2, "建筑节能玻璃"),
    (75, 1, "预拌砂浆"),
    (1200, 3, "水泥"),
)


@dataclass(frozen=True)
class DemoList:
    """A list to import: its kind, year and batch (lists only), source id and CSV text."""

    kind: str
    source_id: str
    text: str
    year: int | None = None
    batch: int | None = None


def demo_green_lists(
    enterprises: Sequence[tuple[str, str, str]], first: str, as_of: date
) -> list[DemoList]:
    """The lists for `enterprises` (code, name, industry code; in the province's order), the
    demo enterprise `first` holding certificates and listings whatever its industry."""
    names = {code: name for code, name, _ in enterprises}
    building = [code for code, _, industry in enterprises if industry.startswith("30")]
    holders = [first, *[c for c in building if c != first]][: len(CERTIFICATES)]
    lines = ["证书编号,统一社会信用代码,企业名称,产品类别,证书等级,发证日期,有效期至,认证机构"]
    for number, (code, (days, star, category)) in enumerate(
        zip(holders, CERTIFICATES, strict=False), 1
    ):
        expires = as_of + timedelta(days=days)
        issued = expires - timedelta(days=3 * 365)
        lines.append(
            f"DEMO-GBM-{number:03d},{code},{names[code]},{category},{star},"
            f"{issued.isoformat()},{expires.isoformat()},示例认证机构"
        )
    year = as_of.year - 1
    factories = [first, *[c for c, _, _ in enterprises if c != first][:4]]
    factory_lines = ["序号,统一社会信用代码,企业名称,地区,行业,第三方评价机构"]
    for number, code in enumerate(factories, 1):
        factory_lines.append(f"{number},{code},{names[code]},示例省,,示例评价机构")
    # two entries as published lists give them: a name, no code (they stay unmatched)
    factory_lines += ["6,,示例省外某玻璃有限公司,示例省,建材,示例评价机构"]
    factory_lines += ["7,,示例某纺织有限公司,示例省,纺织,示例评价机构"]
    design_lines = ["序号,统一社会信用代码,企业名称,产品名称,产品型号,推荐单位"]
    for number, code in enumerate(holders[:2], 1):
        design_lines.append(
            f"{number},{code},{names[code]},示例绿色设计产品 {number},G-{number},示例省"
        )
    chain_lines = [
        "序号,统一社会信用代码,企业名称,第三方评价机构",
        f"1,{first},{names[first]},示例评价机构",
    ]
    return [
        DemoList("building_material", "demo_green_building_materials", _csv(lines)),
        DemoList("factory", "demo_green_factories", _csv(factory_lines), year, 1),
        DemoList("design_product", "demo_green_design_products", _csv(design_lines), year, 1),
        DemoList("supply_chain", "demo_green_supply_chains", _csv(chain_lines), year, 1),
    ]


def _csv(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"
