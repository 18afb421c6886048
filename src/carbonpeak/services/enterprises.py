"""Enterprises: register, read and list them, within the caller's scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.domain.codes import industry_by_code, region_by_code
from carbonpeak.domain.entities import Enterprise as EnterpriseEntity
from carbonpeak.domain.entities import ProductionUnit as UnitEntity
from carbonpeak.domain.entities import Site as SiteEntity
from carbonpeak.errors import (
    CarbonpeakError,
    InputError,
    NotFoundError,
    PermissionDenied,
    Place,
    Problem,
)
from carbonpeak.services.access import Actor
from carbonpeak.store import audit
from carbonpeak.store.models import Enterprise, ProductionUnit, Site


def enterprise_state(row: Enterprise) -> dict[str, Any]:
    return {
        "enterprise_id": row.enterprise_id,
        "name": row.name,
        "region_code": row.region_code,
        "industry_code": row.industry_code,
    }


def validate_enterprise(data: dict[str, Any]) -> EnterpriseEntity:
    """The entity, or `InputError` naming every bad field."""
    try:
        return EnterpriseEntity.model_validate(data)
    except ValidationError as exc:
        raise InputError(_field_problems(exc)) from None


def create_enterprise(session: Session, actor: Actor, data: dict[str, Any]) -> Enterprise:
    """Register an enterprise: an admin, or a regulator of its region."""
    entity = validate_enterprise(data)
    if actor.role not in ("admin", "regulator") or not actor.covers_region(entity.region_code):
        raise PermissionDenied("only an admin or a regulator of its region registers an enterprise")
    if session.get(Enterprise, entity.enterprise_id) is not None:
        raise InputError(Problem(Place(field="enterprise_id"), "is registered already"))
    row = Enterprise(**entity.model_dump())
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor.username,
        "enterprise.create",
        "enterprise",
        row.enterprise_id,
        None,
        enterprise_state(row),
    )
    return row


def get_enterprise(session: Session, actor: Actor, enterprise_id: str) -> Enterprise:
    row = session.get(Enterprise, enterprise_id)
    if row is None or not actor.can_see(row.enterprise_id, row.region_code):
        raise NotFoundError(f"no enterprise {enterprise_id}")
    return row


def reachable(session: Session, actor: Actor, enterprise_id: str) -> bool:
    """Whether the caller may see the enterprise: an object of one it may not see is answered
    as one that does not exist, in the object's own words ("no application 7"), never in
    the enterprise's, which would name it."""
    row = session.get(Enterprise, enterprise_id)
    return row is not None and actor.can_see(row.enterprise_id, row.region_code)


def industry_name(code: str, english: bool) -> str:
    """An industry code with its name (Chinese, or English where there is one)."""
    try:
        industry = industry_by_code(code)
    except CarbonpeakError:
        return code
    return f"{code} {industry.name_en if english and industry.name_en else industry.name_zh}"


def region_name(code: str, english: bool) -> str:
    """The name of a region (Chinese, or English where there is one); else its code."""
    try:
        region = region_by_code(code)
    except CarbonpeakError:
        return code
    return region.name_en if english and region.name_en else region.name_zh


def names_of(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """The stored name of each of `codes` that has one, in one query (pages show names beside
    the codes: the homes' cards, the plan's maker)."""
    wanted = list(codes)
    if not wanted:
        return {}
    rows = session.execute(
        select(Enterprise.enterprise_id, Enterprise.name).where(
            Enterprise.enterprise_id.in_(wanted)
        )
    )
    return {str(code): str(name) for code, name in rows if name}


def enterprise_card(row: Enterprise, english: bool) -> dict[str, str]:
    """An enterprise as the dashboard names it: id, name, region and industry by name."""
    return {
        "enterprise_id": row.enterprise_id,
        "name": row.name,
        "region": region_name(row.region_code, english),
        "industry": industry_name(row.industry_code, english),
    }


def enterprise_named(
    session: Session, actor: Actor, enterprise_id: str, english: bool
) -> dict[str, str]:
    """`enterprise_card` of an enterprise the caller may see (else `NotFoundError`)."""
    return enterprise_card(get_enterprise(session, actor, enterprise_id), english)


# The directory's orders: a column of the page to the store's column it sorts by.
DIRECTORY_ORDERS = {
    "name": Enterprise.name,
    "enterprise_id": Enterprise.enterprise_id,
    "region": Enterprise.region_code,
    "industry": Enterprise.industry_code,
}


def directory(
    session: Session,
    actor: Actor,
    english: bool,
    limit: int = 50,
    offset: int = 0,
    *,
    search: str = "",
    sort: str | None = None,
    descending: bool = False,
    filters: dict[str, str] | None = None,
) -> tuple[int, list[dict[str, str]]]:
    """A page of the visible enterprises as cards, paged in SQL: (total, page). `search` is
    found in the name or the code (case-insensitive), `filters` hold exact `region` and
    `industry` codes, `sort` is a key of `DIRECTORY_ORDERS` (the code's order by default)."""
    filters = filters or {}
    query = select(Enterprise).where(actor.visible())
    if filters.get("region"):
        query = query.where(Enterprise.region_code == filters["region"])
    if filters.get("industry"):
        query = query.where(Enterprise.industry_code == filters["industry"])
    if search:
        escaped = search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            func.lower(Enterprise.name).like(pattern, escape="\\")
            | func.lower(Enterprise.enterprise_id).like(pattern, escape="\\")
        )
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    order = DIRECTORY_ORDERS[sort] if sort else Enterprise.enterprise_id
    rows = session.execute(
        query.order_by(order.desc() if descending else order.asc(), Enterprise.enterprise_id)
        .limit(limit)
        .offset(offset)
    ).scalars()
    return int(total), [enterprise_card(row, english) for row in rows]


def directory_choices(
    session: Session, actor: Actor, english: bool
) -> dict[str, list[tuple[str, str]]]:
    """The regions and industries of the visible enterprises, (code, name) by name: the
    directory's filters."""
    found = session.execute(
        select(Enterprise.region_code, Enterprise.industry_code).where(actor.visible()).distinct()
    ).all()
    regions = {r: region_name(r, english) for r, _ in found}
    industries = {i: industry_name(i, english) for _, i in found}
    return {
        "region": sorted(regions.items(), key=lambda item: item[1]),
        "industry": sorted(industries.items()),
    }


def list_enterprises(
    session: Session,
    actor: Actor,
    region_code: str | None = None,
    industry_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[Enterprise]]:
    """Visible enterprises, filtered and paginated: (total, page)."""
    query = select(Enterprise).where(actor.visible())
    if region_code:
        query = query.where(Enterprise.region_code.startswith(region_code.rstrip("0") or "0"))
    if industry_code:
        query = query.where(Enterprise.industry_code.startswith(industry_code))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = (
        session.execute(query.order_by(Enterprise.enterprise_id).limit(limit).offset(offset))
        .scalars()
        .all()
    )
    return int(total), list(page)


def add_site(
    session: Session, actor: Actor, enterprise_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Register a site with its production units: the enterprise's own users, a regulator of
    its region, or an admin."""
    get_enterprise(session, actor, enterprise_id)
    if actor.role == "automaker":
        raise PermissionDenied("automakers do not register industrial sites")
    units = data.pop("units", []) or []
    problems: list[Problem] = []
    site_entity = None
    try:
        site_entity = SiteEntity.model_validate({**data, "enterprise_id": enterprise_id})
    except ValidationError as exc:
        problems += _field_problems(exc)
    unit_entities = []
    for index, unit in enumerate(units):
        try:
            unit_entities.append(
                UnitEntity.model_validate({**unit, "site_id": data.get("site_id", "")})
            )
        except ValidationError as exc:
            problems += _field_problems(exc, f"units.{index}.")
    if site_entity is not None and session.get(Site, site_entity.site_id) is not None:
        problems.append(Problem(Place(field="site_id"), "is registered already"))
    taken = {u.unit_id for u in unit_entities}
    if len(taken) != len(unit_entities):
        problems.append(Problem(Place(field="units"), "unit ids repeat"))
    elif (
        taken
        and session.execute(
            select(ProductionUnit.unit_id).where(ProductionUnit.unit_id.in_(sorted(taken)))
        ).first()
    ):
        problems.append(Problem(Place(field="units"), "a unit id is registered already"))
    if problems or site_entity is None:
        raise InputError(problems)
    session.add(Site(**site_entity.model_dump()))
    session.flush()
    session.add_all(ProductionUnit(**u.model_dump()) for u in unit_entities)
    state = {**site_entity.model_dump(), "units": [u.model_dump() for u in unit_entities]}
    audit.record(session, actor.username, "site.add", "site", site_entity.site_id, None, state)
    return state


def sites_of(session: Session, actor: Actor, enterprise_id: str) -> list[dict[str, Any]]:
    get_enterprise(session, actor, enterprise_id)
    sites = (
        session.execute(
            select(Site).where(Site.enterprise_id == enterprise_id).order_by(Site.site_id)
        )
        .scalars()
        .all()
    )
    units = (
        session.execute(
            select(ProductionUnit)
            .where(ProductionUnit.site_id.in_([s.site_id for s in sites]))
            .order_by(ProductionUnit.unit_id)
        )
        .scalars()
        .all()
    )
    out = []
    for site in sites:
        out.append(
            {
                "site_id": site.site_id,
                "enterprise_id": site.enterprise_id,
                "name": site.name,
                "region_code": site.region_code,
                "units": [
                    {
                        "unit_id": u.unit_id,
                        "process": u.process,
                        "product": u.product,
                        "capacity": u.capacity,
                        "capacity_unit": u.capacity_unit,
                    }
                    for u in units
                    if u.site_id == site.site_id
                ],
            }
        )
    return out


def _field_problems(exc: ValidationError, prefix: str = "") -> list[Problem]:
    return [
        Problem(
            Place(field=prefix + ".".join(str(p) for p in e["loc"])),
            str(e["msg"]).removeprefix("Value error, "),
        )
        for e in exc.errors()
    ]
