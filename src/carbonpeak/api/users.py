"""Users of the platform (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from carbonpeak.api.deps import AdminOnly, Db
from carbonpeak.services.users import add_user, list_users, user_state

router = APIRouter(tags=["users"])


class UserOut(BaseModel):
    user_id: int
    username: str
    role: str
    active: bool
    scopes: list[str] = Field(description="`region:CODE` or `enterprise:USCC`")


class UserPage(BaseModel):
    total: int
    items: list[UserOut]


class UserIn(BaseModel):
    username: str
    role: str
    password: str
    regions: list[str] = []
    enterprises: list[str] = []


@router.get("/users", response_model=UserPage)
def users(
    db: Db,
    caller: AdminOnly,
    role: Annotated[str | None, Query(pattern="^(admin|regulator|enterprise|automaker)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> UserPage:
    """Users, by role, paginated (admin only)."""
    total, items = list_users(db, role, limit, offset)
    return UserPage.model_validate({"total": total, "items": items})


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, db: Db, caller: AdminOnly) -> UserOut:
    """Add a user (admin only)."""
    user = add_user(
        db,
        body.username,
        body.role,
        body.password,
        body.regions,
        body.enterprises,
        actor=caller.username,
    )
    return UserOut.model_validate({"user_id": user.user_id, **user_state(user)})
