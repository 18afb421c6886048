"""Credentials: log in for a bearer token, log out, issue API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from pydantic import BaseModel, Field

from carbonpeak.api.deps import Caller, Credentials, Db, ErrorOut, client_address
from carbonpeak.domain.schema import NotBool
from carbonpeak.services import tokens
from carbonpeak.services.users import sign_in

router = APIRouter(tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class LogoutOut(BaseModel):
    revoked: bool
    username: str


class ApiKeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    days: Annotated[int, Field(ge=1, le=3660), NotBool] | None = Field(
        default=None, description="How long the key lasts (default: the setting)"
    )
    enterprise_id: str | None = Field(
        default=None,
        min_length=18,
        max_length=18,
        description="Narrow the key to this enterprise (one the caller can see): it then acts "
        "for that enterprise only, e.g. a meter collector's key",
        examples=["911302007A3K9C2D24"],
    )


class ApiKeyInfo(BaseModel):
    key_id: int
    name: str
    username: str
    enterprise_id: str | None = Field(description="The one enterprise the key acts for, if any")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyOut(ApiKeyInfo):
    api_key: str


class ApiKeysOut(BaseModel):
    items: list[ApiKeyInfo]


class LoginForm(BaseModel):
    """The OAuth2 password flow's form, its constraints declared (an empty username or
    password is no login)."""

    grant_type: str = Field("password", pattern="^password$")
    username: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=1024)
    scope: str = ""
    client_id: str = ""
    client_secret: str = ""


@router.post(
    "/auth/token",
    response_model=TokenOut,
    responses={429: {"model": ErrorOut, "description": "Too many failed logins: wait"}},
)
def login(request: Request, form: Annotated[LoginForm, Form()], db: Db) -> TokenOut:
    """Exchange a username and password for a bearer token (OAuth2 password flow). Failed
    logins are throttled per account and per address: 429 with Retry-After."""
    token = sign_in(db, form.username, form.password, client_address(request))
    return TokenOut(access_token=token, expires_in=int(tokens.LOGIN_LIFETIME.total_seconds()))


@router.post("/auth/logout", response_model=LogoutOut)
def logout(request: Request, db: Db, caller: Caller, credentials: Credentials) -> LogoutOut:
    """Revoke the token (or API key) of this request."""
    assert credentials is not None  # `caller` required it
    tokens.revoke(db, credentials.credentials)
    return LogoutOut(revoked=True, username=caller.username)


@router.post("/auth/api-keys", response_model=ApiKeyOut, status_code=201)
def api_key(body: ApiKeyIn, db: Db, caller: Caller) -> ApiKeyOut:
    """A key for machine clients, named, with an expiry, optionally narrowed to one enterprise;
    shown once, stored only as its hash."""
    return ApiKeyOut.model_validate(
        tokens.issue_api_key(db, caller, body.name, body.days, body.enterprise_id)
    )


@router.get("/auth/api-keys", response_model=ApiKeysOut)
def api_keys(
    db: Db,
    caller: Caller,
    username: Annotated[str | None, Query(max_length=64, description="admins: one user's")] = None,
) -> ApiKeysOut:
    """The caller's API keys (an admin: everyone's), with expiry and last use; never the keys."""
    return ApiKeysOut.model_validate({"items": tokens.api_keys(db, caller, username)})


@router.delete("/auth/api-keys/{key_id}", response_model=ApiKeyInfo)
def revoke_api_key(
    key_id: Annotated[int, Path(ge=1, le=2**31 - 1)], db: Db, caller: Caller
) -> ApiKeyInfo:
    """Revoke one of the caller's API keys by its id (an admin: anyone's)."""
    return ApiKeyInfo.model_validate(tokens.revoke_api_key(db, caller, key_id))
