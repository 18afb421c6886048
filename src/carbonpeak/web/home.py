"""The home page: what each role may do, one link each."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.web.site import render, signed_in

router = APIRouter(include_in_schema=False)


@router.get("/", response_model=None)
def home(request: Request) -> Response:
    return render(request, "home/home.html", user=signed_in(request))
