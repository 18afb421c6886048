"""The registries of green products: certified green building materials (绿色建材产品认证:
certificate, holder, product category, star level, issue and expiry dates) and the green
manufacturing lists (绿色工厂, 绿色设计产品, 绿色供应链管理企业, by year and batch), as the
reference tables `green_building_materials` and `green_manufacturing_lists` hold them (written
by the authority's editions).

A certificate is valid from its issue date to its expiry date, both days included; it is
*expiring* on a day when it is valid and expires within the next `within_days` days (0: only
on its last day). The registries link to the platform's enterprises by unified social credit
code; an entry without one, or whose code is no enterprise of the platform, is *unmatched*.
Counts and shares are of the platform's enterprises: the share of a region or industry is the
number of its enterprises holding at least one entry of a registry over its enterprises."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from carbonpeak.errors import N_, Place, Problem
from carbonpeak.reference.loader import Reference

CERTIFICATES = "green_building_materials"
LISTS = "green_manufacturing_lists"
# the registries, in the order the pages show them: the building-material certificates, then
# the three lists of the green manufacturing system
KINDS = ("building_material", "factory", "design_product", "supply_chain")
KIND_NAMES = {
    "building_material": N_("green building material"),
    "factory": N_("green factory"),
    "design_product": N_("green design product"),
    "supply_chain": N_("green supply chain"),
}
# the star levels of the certificates (一星级, 二星级, 三星级), translated where shown
STAR_NAMES = {1: N_("one star"), 2: N_("two stars"), 3: N_("three stars")}
Status = Literal["not_yet_valid", "valid", "expiring", "expired", "listed"]
STATUSES = (N_("not_yet_valid"), N_("valid"), N_("expiring"), N_("expired"), N_("listed"))
Grouping = Literal["region", "province", "industry"]
GROUPINGS: tuple[Grouping, ...] = ("region", "province", "industry")
# the groupings as the pages name them (`_(by)`)
GROUPING_NAMES = {"region": N_("region"), "province": N_("province"), "industry": N_("industry")}


def status_on(issued_on: date, expires_on: date, on: date, within_days: int) -> Status:
    """Where a certificate stands on a day (see the module's docstring for the boundaries)."""
    if within_days < 0:
        raise ValueError("within_days is a number of days, 0 or more")
    if on < issued_on:
        return "not_yet_valid"
    if on > expires_on:
        return "expired"
    return "expiring" if (expires_on - on).days <= within_days else "valid"


def check_certificate(
    issued_on: date | None, expires_on: date | None, place: Place
) -> list[Problem]:
    """A certificate's dates: both given, the expiry not before the issue."""
    problems = []
    if issued_on is None:
        problems.append(Problem.of(replace_field(place, "issued_on"), N_("give the date of issue")))
    if expires_on is None:
        problems.append(
            Problem.of(replace_field(place, "expires_on"), N_("give the date of expiry"))
        )
    if issued_on is not None and expires_on is not None and expires_on < issued_on:
        problems.append(
            Problem.of(
                replace_field(place, "expires_on"),
                N_("the certificate expires on {} before it is issued on {}"),
                expires_on.isoformat(),
                issued_on.isoformat(),
            )
        )
    return problems


def replace_field(place: Place, name: str) -> Place:
    """The place with its field (keeps file, sheet, row and column)."""
    return Place(place.file, place.sheet, place.row, place.column, name)


@dataclass(frozen=True)
class Entry:
    """One entry of a registry: a certificate or a listing, linked to an enterprise of the
    platform when its code is one (`enterprise_id`), with its status on the day asked."""

    kind: str
    key: str
    uscc: str | None
    enterprise_name: str
    enterprise_id: str | None
    title: str
    status: Status
    source_id: str
    row_status: str
    star_level: int | None = None
    product_category: str | None = None
    issued_on: date | None = None
    expires_on: date | None = None
    days_left: int | None = None
    year: int | None = None
    batch: int | None = None
    illustrative: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "uscc": self.uscc,
            "enterprise_name": self.enterprise_name,
            "enterprise_id": self.enterprise_id,
            "title": self.title,
            "status": self.status,
            "star_level": self.star_level,
            "product_category": self.product_category,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "days_left": self.days_left,
            "year": self.year,
            "batch": self.batch,
            "source_id": self.source_id,
            "row_status": self.row_status,
            "illustrative": self.illustrative,
        }


def _text(value: object) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def _illustrative(note: object) -> bool:
    return "illustrative" in (str(note or "")).lower()


def entries(
    reference: Reference, enterprise_ids: Iterable[str], on: date, within_days: int = 90
) -> list[Entry]:
    """Every entry of the registries in the library in force, linked to the platform's
    enterprises (`enterprise_ids`: their codes) and, for certificates, with their status on
    `on` (expiring within `within_days`)."""
    known = set(enterprise_ids)
    out: list[Entry] = []
    for record in reference.rows(CERTIFICATES):
        issued, expires = record["issued_on"], record["expires_on"]
        assert isinstance(issued, date) and isinstance(expires, date)
        uscc = _text(record.get("uscc"))
        star = record.get("star_level")
        out.append(
            Entry(
                kind="building_material",
                key=str(record["certificate_number"]),
                uscc=uscc,
                enterprise_name=str(record["enterprise_name"]),
                enterprise_id=uscc if uscc in known else None,
                title=" ".join(
                    filter(None, [str(record["product_category"]), _text(record.get("product"))])
                ),
                status=status_on(issued, expires, on, within_days),
                source_id=str(record["source_id"]),
                row_status=str(record["status"]),
                star_level=int(star) if isinstance(star, int | float) else None,
                product_category=str(record["product_category"]),
                issued_on=issued,
                expires_on=expires,
                days_left=(expires - on).days,
                illustrative=_illustrative(record.get("note")),
            )
        )
    for record in reference.rows(LISTS):
        uscc = _text(record.get("uscc"))
        year, batch = record["year"], record["batch"]
        out.append(
            Entry(
                kind=str(record["list"]),
                key=f"{record['list']}:{year}:{batch}:{record['entry']}",
                uscc=uscc,
                enterprise_name=str(record["enterprise_name"]),
                enterprise_id=uscc if uscc in known else None,
                title=" ".join(
                    filter(None, [_text(record.get("product")), _text(record.get("model"))])
                ),
                status="listed",
                source_id=str(record["source_id"]),
                row_status=str(record["status"]),
                year=int(year) if isinstance(year, int | float) else None,
                batch=int(batch) if isinstance(batch, int | float) else None,
                illustrative=_illustrative(record.get("note")),
            )
        )
    return out


def expiring(found: Sequence[Entry]) -> list[Entry]:
    """The certificates that are expiring, soonest first."""
    return sorted(
        (e for e in found if e.status == "expiring"), key=lambda e: (e.days_left or 0, e.key)
    )


@dataclass
class Group:
    """A region's or an industry's enterprises and their entries, by registry."""

    code: str
    enterprises: int
    certified: dict[str, int] = field(default_factory=dict)
    entries: dict[str, int] = field(default_factory=dict)
    expiring: int = 0

    @property
    def shares(self) -> dict[str, float | None]:
        return {
            kind: (self.certified.get(kind, 0) / self.enterprises if self.enterprises else None)
            for kind in KINDS
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "enterprises": self.enterprises,
            "certified": {k: self.certified.get(k, 0) for k in KINDS},
            "entries": {k: self.entries.get(k, 0) for k in KINDS},
            "shares": self.shares,
            "expiring": self.expiring,
        }


def group_code(by: Grouping, region_code: str, industry_code: str) -> str:
    """The group an enterprise counts in: its region rolled up to the prefecture (GB/T 2260:
    the first four digits, so that a county's code counts in its prefecture; a code of a
    province's level stays itself) or to the province (the first two digits), as the other
    wings roll regions up; or the division of its industry (GB/T 4754-2017, the first two
    digits). The enterprises are those the actor sees: within the regulator's regions."""
    if by == "region":
        return region_code[:4] + "00"
    if by == "province":
        return region_code[:2] + "0000"
    return industry_code[:2]


def counts(
    found: Sequence[Entry], enterprises: Mapping[str, tuple[str, str]], by: Grouping
) -> list[Group]:
    """Counts and shares by region or industry division: for each group, its enterprises
    (`enterprises`: code -> (region_code, industry_code)), how many hold an entry of each
    registry (a certificate counts while it is not expired), the entries and the expiring
    certificates. Unmatched entries count in no group."""
    groups: dict[str, Group] = {}
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for region, industry in enterprises.values():
        code = group_code(by, region, industry)
        groups.setdefault(code, Group(code, 0)).enterprises += 1
    for entry in found:
        if entry.enterprise_id is None or entry.enterprise_id not in enterprises:
            continue
        if entry.status in ("expired", "not_yet_valid"):
            continue
        code = group_code(by, *enterprises[entry.enterprise_id])
        group = groups[code]
        group.entries[entry.kind] = group.entries.get(entry.kind, 0) + 1
        group.expiring += entry.status == "expiring"
        holders[(code, entry.kind)].add(entry.enterprise_id)
    for (code, kind), ids in holders.items():
        groups[code].certified[kind] = len(ids)
    return [groups[code] for code in sorted(groups)]


def unmatched(found: Sequence[Entry]) -> list[Entry]:
    """The entries that name no enterprise of the platform (no code, or an unknown one)."""
    return [e for e in found if e.enterprise_id is None]
