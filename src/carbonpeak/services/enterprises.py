"""Enterprises: register, read and list them, within the caller's scope."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.domain.entities import Enterprise as EnterpriseEntity
from carbonpeak.errors import InputError, NotFoundError, PermissionDenied, Place, Problem
from carbonpeak.services.access import Actor
from carbonpeak.store import audit
from carbonpeak.store.models import Enterprise


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
        raise InputError(
            [
                Problem(
                    Place(field=".".join(str(p) for p in e["loc"]) or None),
                    str(e["msg"]).removeprefix("Value error, "),
                )
                for e in exc.errors()
            ]
        ) from None


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
