"""Benchmarking: an enterprise's efficiency grades against the national levels."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from carbonpeak.api.deps import Caller, Db
from carbonpeak.services import accounting as accounting_service

router = APIRouter(tags=["benchmarking"])


@router.get("/enterprises/{enterprise_id}/grades")
def grades(
    enterprise_id: str,
    db: Db,
    caller: Caller,
    period: Annotated[str | None, Query(pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$")] = None,
) -> dict[str, Any]:
    """Efficiency grades of the enterprise's products against the national levels."""
    return {"results": accounting_service.grades_of(db, caller, enterprise_id, period)}
