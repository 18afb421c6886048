"""Enterprises and their sites."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from carbonpeak.api.deps import Caller, Db
from carbonpeak.domain.schema import Real
from carbonpeak.services import enterprises as enterprise_service

router = APIRouter(tags=["enterprises"])


class EnterpriseIn(BaseModel):
    enterprise_id: str = Field(examples=["91310000631696382C"])
    name: str
    region_code: str = Field(examples=["310000"])
    industry_code: str = Field(examples=["3120"])


class EnterpriseOut(EnterpriseIn):
    pass


class EnterprisePage(BaseModel):
    total: int
    items: list[EnterpriseOut]


class UnitIn(BaseModel):
    unit_id: str
    process: str
    product: str
    capacity: Real
    capacity_unit: str


class SiteIn(BaseModel):
    site_id: str
    name: str
    region_code: str
    units: list[UnitIn] = []


class UnitOut(UnitIn):
    site_id: str | None = None


class SiteOut(BaseModel):
    site_id: str
    enterprise_id: str
    name: str
    region_code: str
    units: list[UnitOut]


class SitesOut(BaseModel):
    items: list[SiteOut]


@router.get("/enterprises", response_model=EnterprisePage)
def enterprises(
    db: Db,
    caller: Caller,
    region_code: Annotated[str | None, Query(pattern=r"^\d{2,6}$")] = None,
    industry_code: Annotated[str | None, Query(pattern=r"^[A-Z0-9]{1,4}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> EnterprisePage:
    """Enterprises the caller may see, filtered and paginated."""
    total, page = enterprise_service.list_enterprises(
        db, caller, region_code, industry_code, limit, offset
    )
    return EnterprisePage(
        total=total,
        items=[EnterpriseOut(**enterprise_service.enterprise_state(e)) for e in page],
    )


@router.post("/enterprises", response_model=EnterpriseOut, status_code=201)
def create_enterprise(body: EnterpriseIn, db: Db, caller: Caller) -> EnterpriseOut:
    """Register an enterprise (an admin, or a regulator of its region)."""
    row = enterprise_service.create_enterprise(db, caller, body.model_dump())
    return EnterpriseOut(**enterprise_service.enterprise_state(row))


@router.get("/enterprises/{enterprise_id}", response_model=EnterpriseOut)
def enterprise(enterprise_id: str, db: Db, caller: Caller) -> EnterpriseOut:
    """One enterprise the caller may see."""
    row = enterprise_service.get_enterprise(db, caller, enterprise_id)
    return EnterpriseOut(**enterprise_service.enterprise_state(row))


@router.get(
    "/enterprises/{enterprise_id}/sites", response_model=SitesOut, response_model_exclude_unset=True
)
def sites(enterprise_id: str, db: Db, caller: Caller) -> SitesOut:
    """Sites of an enterprise with their production units."""
    items = enterprise_service.sites_of(db, caller, enterprise_id)
    return SitesOut.model_validate({"items": items})


@router.post(
    "/enterprises/{enterprise_id}/sites",
    response_model=SiteOut,
    response_model_exclude_unset=True,
    status_code=201,
)
def add_site(enterprise_id: str, body: SiteIn, db: Db, caller: Caller) -> SiteOut:
    """Register a site and its production units."""
    return SiteOut.model_validate(
        enterprise_service.add_site(db, caller, enterprise_id, body.model_dump())
    )
